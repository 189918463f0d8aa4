"""Convolution speed: vectorized NumPy vs TensorFlow on the CPU, loop vs vectorized, and CNN epochs.

    python benchmarks/conv_numpy_vs_tf.py

x (64, 28, 28, 8), kernel (3, 3, 8, 16), 'same' padding, float32. Each time is the median of
repeated runs within this one process; the printed ratios are what the course's goals refer to
(forward ≤ 2× TF, backward ≤ 4× TF).
"""
import statistics
import time

import numpy as np


def median_time(fn, repeat=15, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    import dlhelpers.keras  # noqa: F401  (quiet TensorFlow)
    import tensorflow as tf
    from dlhelpers.scratch.conv import conv2d_backward, conv2d_backward_loop, conv2d_forward, conv2d_forward_loop

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 28, 28, 8)).astype(np.float32)
    k = rng.standard_normal((3, 3, 8, 16)).astype(np.float32)
    b = np.zeros(16, np.float32)
    out, cache = conv2d_forward(x, k, b, padding="same")
    dout = rng.standard_normal(out.shape).astype(np.float32)

    t_np_f = median_time(lambda: conv2d_forward(x, k, b, padding="same"))
    t_np_b = median_time(lambda: conv2d_backward(dout, cache))
    xt, kt, dt = tf.constant(x), tf.Variable(k), tf.constant(dout)
    t_tf_f = median_time(lambda: tf.nn.conv2d(xt, kt, 1, "SAME").numpy())

    def tf_backward():     # the two kernels TensorFlow runs for a convolution's gradient
        gx = tf.raw_ops.Conv2DBackpropInput(input_sizes=x.shape, filter=kt, out_backprop=dt, strides=[1, 1, 1, 1],
                                            padding="SAME")
        gk = tf.raw_ops.Conv2DBackpropFilter(input=xt, filter_sizes=k.shape, out_backprop=dt, strides=[1, 1, 1, 1],
                                             padding="SAME")
        return gx.numpy(), gk.numpy()
    t_tf_b = median_time(tf_backward)
    gx_tf, gk_tf = tf_backward()
    dx_np, g_np = conv2d_backward(dout, cache)
    assert np.allclose(dx_np, gx_tf, rtol=1e-3, atol=1e-3) and np.allclose(g_np["kernel"], gk_tf, rtol=1e-3, atol=1e-2)

    xs = x[:4, :14, :14]
    o_s, c_s = conv2d_forward(xs, k, b, padding="same")
    d_s = rng.standard_normal(o_s.shape).astype(np.float32)
    t_loop_f = median_time(lambda: conv2d_forward_loop(xs, k, b, padding="same"), repeat=3, warmup=1)
    t_vec_f = median_time(lambda: conv2d_forward(xs, k, b, padding="same"), repeat=15)
    t_loop_b = median_time(lambda: conv2d_backward_loop(d_s, c_s), repeat=3, warmup=1)
    t_vec_b = median_time(lambda: conv2d_backward(d_s, c_s), repeat=15)

    print("conv2d, x (64, 28, 28, 8) float32, kernel (3, 3, 8, 16), padding 'same'")
    print(f"  forward : NumPy {t_np_f * 1e3:7.2f} ms   TF {t_tf_f * 1e3:7.2f} ms   ratio {t_np_f / t_tf_f:5.2f}× (goal <= 2)")
    print(f"  backward: NumPy {t_np_b * 1e3:7.2f} ms   TF {t_tf_b * 1e3:7.2f} ms   ratio {t_np_b / t_tf_b:5.2f}× (goal <= 4)"
          "   [TF: Conv2DBackpropInput + Conv2DBackpropFilter]")
    print("loop vs vectorized, x (4, 14, 14, 8):")
    print(f"  forward : loop {t_loop_f * 1e3:8.1f} ms   vectorized {t_vec_f * 1e3:6.2f} ms   speed-up {t_loop_f / t_vec_f:6.0f}×")
    print(f"  backward: loop {t_loop_b * 1e3:8.1f} ms   vectorized {t_vec_b * 1e3:6.2f} ms   speed-up {t_loop_b / t_vec_b:6.0f}×")

    # one epoch of a small CNN on the 8×8 digits, NumPy vs Keras (same architecture)
    import keras
    from dlhelpers.data import digits, train_test_split
    from dlhelpers.keras.network import from_scratch
    from dlhelpers.scratch.network import Conv2D, Dense, Flatten, MaxPooling2D, Sequential
    tr, _ = train_test_split(digits(), test_size=0.2, rng=0)
    X = tr.X.reshape(-1, 8, 8, 1).astype(np.float32)
    net = Sequential([Conv2D(16, 3, padding="same", activation="relu"), MaxPooling2D(2), Flatten(),
                      Dense(10, "softmax")], input_shape=(8, 8, 1), rng=0, dtype=np.float32)
    net.compile("sparse_categorical_crossentropy", "adam", learning_rate=0.01)
    km = from_scratch(net)
    km.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    km.fit(X, tr.y, epochs=1, batch_size=32, verbose=0)                 # trace once
    t_np_epoch = median_time(lambda: net.fit(X, tr.y, epochs=1, batch_size=32, rng=0), repeat=5, warmup=1)
    t_k_epoch = median_time(lambda: km.fit(X, tr.y, epochs=1, batch_size=32, verbose=0), repeat=5, warmup=1)
    print(f"CNN epoch on 1,437 digits (conv 16@3×3 → pool → dense 10): NumPy {t_np_epoch * 1e3:.0f} ms, "
          f"Keras {t_k_epoch * 1e3:.0f} ms, ratio {t_np_epoch / t_k_epoch:.2f}×")


if __name__ == "__main__":
    main()
