"""Transposed-convolution speed: the NumPy twin vs TensorFlow on the CPU, forward and backward, in one run.

    python benchmarks/conv_transpose_numpy_vs_tf.py             # idle machine
    python benchmarks/conv_transpose_numpy_vs_tf.py --busy 2    # idle, then with 2 busy neighbour processes

A DCGAN generator step: x (64, 14, 14, 16) float32, kernel (4, 4, 8, 16) (Keras's (KH, KW, F_out, C_in)),
stride 2, 'same' padding → (64, 28, 28, 8). Each time is the median of repeated runs within this one process;
the printed ratios are NumPy time / TF time. TF's forward is ``tf.nn.conv2d_transpose`` (the kernel
Conv2DBackpropInput); its backward is the two kernels TensorFlow runs for that op's gradient, a strided
``conv2d`` of dout (dx) and Conv2DBackpropFilter (dkernel). With ``--busy N`` the rows are measured twice in
the same run, idle and with N processes keeping cores busy (see busy.py), and printed side by side.
"""

import numpy as np

from busy import busy_count, idle_and_busy, load_line, median_time, print_side_by_side

SHAPES = dict(x=(64, 14, 14, 16), kernel=(4, 4, 8, 16), strides=2, padding="same")


def problem():
    """float32 x, kernel, bias, the forward pass's cache and a dout."""
    from dlhelpers.scratch.conv import conv2d_transpose_forward
    rng = np.random.default_rng(0)
    x = rng.standard_normal(SHAPES["x"]).astype(np.float32)
    k = rng.standard_normal(SHAPES["kernel"]).astype(np.float32)
    b = np.zeros(SHAPES["kernel"][2], np.float32)
    out, cache = conv2d_transpose_forward(x, k, b, SHAPES["strides"], SHAPES["padding"])
    return x, k, b, cache, rng.standard_normal(out.shape).astype(np.float32)


def conv_transpose_vs_tf():
    """Build the inputs once, check that both sides agree; return measure() -> {"forward": (NumPy s, TF s), ...}."""
    import dlhelpers.keras  # noqa: F401  (quiet TensorFlow)
    import tensorflow as tf
    from dlhelpers.scratch.conv import conv2d_transpose_backward, conv2d_transpose_forward

    x, k, b, cache, dout = problem()
    s, pad = SHAPES["strides"], SHAPES["padding"].upper()
    xt, kt, dt = tf.constant(x), tf.constant(k), tf.constant(dout)
    out_shape = dout.shape

    def tf_forward():
        return tf.nn.conv2d_transpose(xt, kt, out_shape, s, pad).numpy()

    def tf_backward():     # the gradient of conv2d_transpose: a strided conv2d of dout, and the filter gradient
        gx = tf.nn.conv2d(dt, kt, s, pad)
        gk = tf.raw_ops.Conv2DBackpropFilter(input=dt, filter_sizes=k.shape, out_backprop=xt, strides=[1, s, s, 1],
                                             padding=pad)
        return gx.numpy(), gk.numpy()

    out_np, _ = conv2d_transpose_forward(x, k, b, s, SHAPES["padding"])
    gx_tf, gk_tf = tf_backward()
    dx_np, g_np = conv2d_transpose_backward(dout, cache)
    assert np.allclose(out_np, tf_forward(), rtol=1e-3, atol=1e-3)
    assert np.allclose(dx_np, gx_tf, rtol=1e-3, atol=1e-3) and np.allclose(g_np["kernel"], gk_tf, rtol=1e-3, atol=1e-2)

    def measure():
        return {"forward": (median_time(lambda: conv2d_transpose_forward(x, k, b, s, SHAPES["padding"])),
                            median_time(tf_forward)),
                "backward": (median_time(lambda: conv2d_transpose_backward(dout, cache)), median_time(tf_backward))}
    return measure


def main():
    n_busy = busy_count(__doc__)
    measure = conv_transpose_vs_tf()
    print(f"conv2d_transpose, x {SHAPES['x']} float32, kernel {SHAPES['kernel']}, stride {SHAPES['strides']}, "
          f"padding '{SHAPES['padding']}'  [{load_line()}]")
    if n_busy:
        print_side_by_side(idle_and_busy(measure, n_busy), n_busy)
        print("[TF forward: conv2d_transpose; backward: conv2d + Conv2DBackpropFilter]")
        return
    (t_np_f, t_tf_f), (t_np_b, t_tf_b) = measure().values()
    print(f"  forward : NumPy {t_np_f * 1e3:7.2f} ms   TF {t_tf_f * 1e3:7.2f} ms   ratio {t_np_f / t_tf_f:5.2f}×"
          "   [TF: conv2d_transpose]")
    print(f"  backward: NumPy {t_np_b * 1e3:7.2f} ms   TF {t_tf_b * 1e3:7.2f} ms   ratio {t_np_b / t_tf_b:5.2f}×"
          "   [TF: conv2d + Conv2DBackpropFilter]")


if __name__ == "__main__":
    main()
