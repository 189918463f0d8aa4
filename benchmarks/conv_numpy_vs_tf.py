"""Convolution speed: vectorized NumPy vs TensorFlow on the CPU, loop vs vectorized, and CNN epochs.

    python benchmarks/conv_numpy_vs_tf.py             # idle machine
    python benchmarks/conv_numpy_vs_tf.py --busy 2    # idle, then with 2 busy neighbour processes

x (64, 28, 28, 8), kernel (3, 3, 8, 16), 'same' padding, float32. Each time is the median of
repeated runs within this one process; the printed ratios are what the course's goals refer to
(forward ≤ 2× TF idle and ≤ 2.5× TF with two busy neighbours; backward ≤ 4× TF). With
``--busy N`` the NumPy/TF rows are measured twice in the same run, idle and with N processes
keeping cores busy (see busy.py), and printed side by side.
"""

import numpy as np

from busy import busy_count, idle_and_busy, load_line, median_time, print_side_by_side


def problem(batch, size):
    """float32 x (batch, size, size, 8), kernel (3, 3, 8, 16), bias, and a forward pass's cache and a dout."""
    from dlhelpers.scratch.conv import conv2d_forward
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, size, size, 8)).astype(np.float32)
    k = rng.standard_normal((3, 3, 8, 16)).astype(np.float32)
    b = np.zeros(16, np.float32)
    out, cache = conv2d_forward(x, k, b, padding="same")
    return x, k, b, cache, rng.standard_normal(out.shape).astype(np.float32)


def conv_vs_tf():
    """Build the inputs once; return measure() -> {"forward": (NumPy s, TF s), "backward": (...)}."""
    import dlhelpers.keras  # noqa: F401  (quiet TensorFlow)
    import tensorflow as tf
    from dlhelpers.scratch.conv import conv2d_backward, conv2d_forward

    x, k, b, cache, dout = problem(64, 28)
    xt, kt, dt = tf.constant(x), tf.Variable(k), tf.constant(dout)

    def tf_backward():     # the two kernels TensorFlow runs for a convolution's gradient
        gx = tf.raw_ops.Conv2DBackpropInput(input_sizes=x.shape, filter=kt, out_backprop=dt, strides=[1, 1, 1, 1],
                                            padding="SAME")
        gk = tf.raw_ops.Conv2DBackpropFilter(input=xt, filter_sizes=k.shape, out_backprop=dt, strides=[1, 1, 1, 1],
                                             padding="SAME")
        return gx.numpy(), gk.numpy()
    gx_tf, gk_tf = tf_backward()
    dx_np, g_np = conv2d_backward(dout, cache)
    assert np.allclose(dx_np, gx_tf, rtol=1e-3, atol=1e-3) and np.allclose(g_np["kernel"], gk_tf, rtol=1e-3, atol=1e-2)

    def measure():
        return {"forward": (median_time(lambda: conv2d_forward(x, k, b, padding="same")),
                            median_time(lambda: tf.nn.conv2d(xt, kt, 1, "SAME").numpy())),
                "backward": (median_time(lambda: conv2d_backward(dout, cache)), median_time(tf_backward))}
    return measure


def main():
    n_busy = busy_count(__doc__)
    measure = conv_vs_tf()
    print(f"conv2d, x (64, 28, 28, 8) float32, kernel (3, 3, 8, 16), padding 'same'  [{load_line()}]")
    if n_busy:
        results = idle_and_busy(measure, n_busy)
        print_side_by_side(results, n_busy, goals={"forward": (2, 2.5), "backward": (4, 4)})
        print("[TF backward: Conv2DBackpropInput + Conv2DBackpropFilter]")
        return
    (t_np_f, t_tf_f), (t_np_b, t_tf_b) = measure().values()
    print(f"  forward : NumPy {t_np_f * 1e3:7.2f} ms   TF {t_tf_f * 1e3:7.2f} ms   ratio {t_np_f / t_tf_f:5.2f}× (goal <= 2)")
    print(f"  backward: NumPy {t_np_b * 1e3:7.2f} ms   TF {t_tf_b * 1e3:7.2f} ms   ratio {t_np_b / t_tf_b:5.2f}× (goal <= 4)"
          "   [TF: Conv2DBackpropInput + Conv2DBackpropFilter]")
    extras()


def extras():
    """Loop vs vectorized, and one CNN epoch NumPy vs Keras (idle runs only)."""
    from dlhelpers.scratch.conv import conv2d_backward, conv2d_backward_loop, conv2d_forward, conv2d_forward_loop
    xs, k, b, c_s, d_s = problem(4, 14)
    t_loop_f = median_time(lambda: conv2d_forward_loop(xs, k, b, padding="same"), repeat=3, warmup=1)
    t_vec_f = median_time(lambda: conv2d_forward(xs, k, b, padding="same"), repeat=15)
    t_loop_b = median_time(lambda: conv2d_backward_loop(d_s, c_s), repeat=3, warmup=1)
    t_vec_b = median_time(lambda: conv2d_backward(d_s, c_s), repeat=15)
    print("loop vs vectorized, x (4, 14, 14, 8):")
    print(f"  forward : loop {t_loop_f * 1e3:8.1f} ms   vectorized {t_vec_f * 1e3:6.2f} ms   speed-up {t_loop_f / t_vec_f:6.0f}×")
    print(f"  backward: loop {t_loop_b * 1e3:8.1f} ms   vectorized {t_vec_b * 1e3:6.2f} ms   speed-up {t_loop_b / t_vec_b:6.0f}×")

    # one epoch of a small CNN on the 8×8 digits, NumPy vs Keras (same architecture)
    import keras
    from dlhelpers.data import digits, train_test_split
    from dlhelpers.keras.network import model_from_scratch
    from dlhelpers.scratch.network import Conv2D, Dense, Flatten, MaxPooling2D, Sequential
    tr, _ = train_test_split(digits(), test_size=0.2, rng=0)
    X = tr.X.reshape(-1, 8, 8, 1).astype(np.float32)
    net = Sequential([Conv2D(16, 3, padding="same", activation="relu"), MaxPooling2D(2), Flatten(),
                      Dense(10, "softmax")], input_shape=(8, 8, 1), rng=0, dtype=np.float32)
    net.compile("sparse_categorical_crossentropy", "adam", learning_rate=0.01)
    km = model_from_scratch(net)
    km.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    km.fit(X, tr.y, epochs=1, batch_size=32, verbose=0)                 # trace once
    t_np_epoch = median_time(lambda: net.fit(X, tr.y, epochs=1, batch_size=32, rng=0), repeat=5, warmup=1)
    t_k_epoch = median_time(lambda: km.fit(X, tr.y, epochs=1, batch_size=32, verbose=0), repeat=5, warmup=1)
    print(f"CNN epoch on 1,437 digits (conv 16@3×3 → pool → dense 10): NumPy {t_np_epoch * 1e3:.0f} ms, "
          f"Keras {t_k_epoch * 1e3:.0f} ms, ratio {t_np_epoch / t_k_epoch:.2f}×")


if __name__ == "__main__":
    main()
