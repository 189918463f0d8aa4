"""scratch.conv's transposed convolution (and scratch.upsampling): hand-worked values, Keras's sizes and crops,
the transpose relation with conv2d, float64 gradient checks, the stepper, and bad input."""
import numpy as np
import pytest

from dlhelpers.scratch.conv import (ConvTransposeCache, ConvTransposeFrame, conv2d_backward, conv2d_forward,
                                    conv2d_transpose_backward, conv2d_transpose_forward, conv2d_transpose_steps,
                                    conv_transpose_output_size)
from dlhelpers.scratch.upsampling import UpSamplingCache, up_sampling2d_backward, up_sampling2d_forward
from tests.helpers import TOL, check_backward

X2 = np.array([[1.0, 2.0], [3.0, 4.0]])
K2 = np.array([[1.0, 2.0], [3.0, 4.0]])


def _x(img):
    return img[None, :, :, None]                        # (H, W) → (1, H, W, 1)


def test_stride_1_valid_by_hand():
    # each pixel stamps pixel·K at its own position; where stamps overlap they add up:
    #   1·K at (0,0), 2·K at (0,1), 3·K at (1,0), 4·K at (1,1)
    #   centre = 1·4 + 2·3 + 3·2 + 4·1 = 20; top middle = 1·2 + 2·1 = 4; bottom middle = 3·4 + 4·3 = 24
    out, cache = conv2d_transpose_forward(_x(X2), K2[:, :, None, None])
    np.testing.assert_array_equal(out[0, :, :, 0], [[1, 4, 4], [6, 20, 16], [9, 24, 16]])
    assert isinstance(cache, ConvTransposeCache) and cache.crop == (0, 0) and not cache.has_bias


def test_stride_2_places_the_stamps_two_apart():
    out, _ = conv2d_transpose_forward(_x(X2), K2[:, :, None, None], strides=2)
    # stride 2 = kernel size 2: the stamps tile the output without overlapping
    np.testing.assert_array_equal(out[0, :, :, 0], [[1, 2, 2, 4], [3, 4, 6, 8], [3, 6, 4, 8], [9, 12, 12, 16]])
    # stride 3 > kernel 2 ("valid"): (2 − 1)·3 + max(2, 3) = 6 rows; rows 2 and 5 are gaps no stamp reaches
    out, _ = conv2d_transpose_forward(_x(X2), K2[:, :, None, None], np.array([0.5]), strides=3)
    assert out.shape == (1, 6, 6, 1)
    np.testing.assert_array_equal(out[0, [2, 5], :, 0], 0.5)          # only the bias
    np.testing.assert_array_equal(out[0, :, [2, 5], 0], 0.5)
    np.testing.assert_array_equal(out[0, 3:5, 3:5, 0], 4 * K2 + 0.5)  # pixel (1, 1) at (3, 3)


@pytest.mark.parametrize("n, k, s, padding, expected", [
    (4, 3, 1, "valid", 6), (4, 3, 2, "valid", 9), (4, 4, 2, "valid", 10), (4, 2, 3, "valid", 12), (5, 1, 2, "valid", 10),
    (4, 3, 1, "same", 4), (4, 3, 2, "same", 8), (4, 4, 2, "same", 8), (4, 2, 3, "same", 12), (3, 5, 2, "same", 6)])
def test_output_size_is_keras(n, k, s, padding, expected):
    # valid: (n − 1)·s + max(k, s); same: n·s
    assert conv_transpose_output_size(n, k, s, padding) == expected
    out, _ = conv2d_transpose_forward(np.ones((1, n, n, 1)), np.ones((k, k, 2, 1)), strides=s, padding=padding)
    assert out.shape == (1, expected, expected, 2)


@pytest.mark.parametrize("k, s, crop", [(3, 2, 0), (4, 2, 1), (5, 2, 1), (5, 1, 2), (6, 2, 2), (2, 3, 0)])
def test_same_crops_where_tensorflow_pads(k, s, crop):
    # "same" cuts max(k − s, 0) // 2 cells before the output, the rest after: TensorFlow's "same" padding
    x = np.random.default_rng(0).standard_normal((1, 3, 3, 1))
    kernel = np.random.default_rng(1).standard_normal((k, k, 1, 1))
    full, _ = conv2d_transpose_forward(x, kernel, strides=s, padding="valid")
    out, cache = conv2d_transpose_forward(x, kernel, strides=s, padding="same")
    assert cache.crop == (crop, crop)
    np.testing.assert_array_equal(out, full[:, crop: crop + 3 * s, crop: crop + 3 * s])


CONFIGS = [(1, "valid"), (2, "valid"), (1, "same"), (2, "same"), ((2, 1), "same"), ((1, 3), "valid")]


@pytest.mark.parametrize("kernel_hw", [(3, 3), (4, 4), (2, 3)])
@pytest.mark.parametrize("strides, padding", CONFIGS)
def test_transpose_of_conv2d(strides, padding, kernel_hw):
    """The transposed convolution of dy is conv2d_backward's dx; its backward dx is conv2d_forward of dout."""
    rng = np.random.default_rng(2)
    n = (3, 4)
    s = strides if isinstance(strides, tuple) else (strides, strides)
    L = tuple(conv_transpose_output_size(n_, k_, s_, padding) for n_, k_, s_ in zip(n, kernel_hw, s))
    kernel = rng.standard_normal((*kernel_hw, 3, 2))                   # conv2d: C = 3 → F = 2; transposed: 2 → 3
    u = rng.standard_normal((2, *L, 3))
    y, ccache = conv2d_forward(u, kernel, None, strides, padding)
    assert y.shape == (2, *n, 2)                                      # the convolution maps L back to n
    dy = rng.standard_normal(y.shape)
    du, _ = conv2d_backward(dy, ccache)
    out, tcache = conv2d_transpose_forward(dy, kernel, None, strides, padding)
    np.testing.assert_allclose(out, du, rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    dx, _ = conv2d_transpose_backward(dout, tcache)
    np.testing.assert_allclose(dx, conv2d_forward(dout, kernel, None, strides, padding)[0], rtol=1e-12, atol=1e-12)
    # adjoints: <T(dy), u> = <dy, C(u)>
    assert np.sum(out * u) == pytest.approx(np.sum(dy * y), rel=1e-12)


@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("kernel_hw, strides, padding", [
    ((3, 3), 1, "valid"), ((3, 3), 2, "valid"), ((3, 3), 1, "same"), ((3, 3), 2, "same"),
    ((4, 4), 1, "valid"), ((4, 4), 2, "valid"), ((4, 4), 1, "same"), ((4, 4), 2, "same"),
    ((2, 2), 3, "valid"), ((2, 2), 3, "same"), ((1, 2), (2, 3), "same"), ((3, 2), (2, 1), "valid")])
def test_gradients(kernel_hw, strides, padding, with_bias):
    rng = np.random.default_rng(3)
    inputs = {"x": rng.standard_normal((2, 3, 4, 2)), "kernel": rng.standard_normal((*kernel_hw, 3, 2))}
    if with_bias:
        inputs["bias"] = rng.standard_normal(3)
    errs = check_backward(lambda x, kernel, bias=None: conv2d_transpose_forward(x, kernel, bias, strides, padding),
                          conv2d_transpose_backward, inputs)
    assert max(errs.values()) < TOL, errs


def test_float32_stays_float32_and_inputs_are_unchanged():
    rng = np.random.default_rng(4)
    x, k, b = (rng.standard_normal(s).astype(np.float32) for s in ((2, 3, 3, 2), (3, 3, 4, 2), (4,)))
    copies = [a.copy() for a in (x, k, b)]
    out, cache = conv2d_transpose_forward(x, k, b, 2, "same")
    dx, grads = conv2d_transpose_backward(np.ones_like(out), cache)
    assert out.dtype == dx.dtype == grads["kernel"].dtype == grads["bias"].dtype == np.float32
    for a, c in zip((x, k, b), copies):
        np.testing.assert_array_equal(a, c)
    ref, _ = conv2d_transpose_forward(x.astype(float), k.astype(float), b.astype(float), 2, "same")
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)


# --- the stepper -----------------------------------------------------------------------------------------

def test_steps_stamp_one_pixel_at_a_time():
    frames = list(conv2d_transpose_steps(X2, K2, strides=1))
    assert len(frames) == 4 and all(isinstance(f, ConvTransposeFrame) for f in frames)
    first, second = frames[0], frames[1]
    assert first.position == (0, 0) and first.rows == (0, 2) and first.cols == (0, 2)
    np.testing.assert_array_equal(first.stamp, 1 * K2)
    np.testing.assert_array_equal(first.output, [[1, 2, 0], [3, 4, 0], [0, 0, 0]])
    assert second.position == (0, 1) and second.cols == (1, 3)
    np.testing.assert_array_equal(second.stamp, 2 * K2)                    # the kernel scaled by the pixel 2
    np.testing.assert_array_equal(second.output, [[1, 4, 4], [3, 10, 8], [0, 0, 0]])
    np.testing.assert_array_equal(frames[-1].output, [[1, 4, 4], [6, 20, 16], [9, 24, 16]])


@pytest.mark.parametrize("strides, padding", [(1, "valid"), (2, "same"), (3, "valid"), ((2, 1), "same")])
def test_steps_end_at_the_forward_result(strides, padding):
    rng = np.random.default_rng(5)
    x, k = rng.standard_normal((3, 4, 2)), rng.standard_normal((4, 3, 2))       # (H, W, C_in), (KH, KW, C_in)
    frames = list(conv2d_transpose_steps(x, k, strides, padding))
    full = conv2d_transpose_forward(x[None], k[:, :, None, :], None, strides, padding)[0][0, :, :, 0]
    assert len(frames) == 12
    np.testing.assert_allclose(frames[-1].output, full, rtol=1e-12, atol=1e-12)
    # integers add up exactly in any order
    xi, ki = rng.integers(-3, 4, (3, 4)).astype(float), rng.integers(-3, 4, (4, 3)).astype(float)
    last = list(conv2d_transpose_steps(xi, ki, strides, padding))[-1]
    np.testing.assert_array_equal(last.output, conv2d_transpose_forward(_x(xi), ki[:, :, None, None], None, strides,
                                                                        padding)[0][0, :, :, 0])


def test_steps_output_window_is_the_stamp_inside_the_output():
    # k = 4, s = 2, "same": the output starts 1 cell into the canvas
    frames = list(conv2d_transpose_steps(np.ones((2, 2)), np.ones((4, 4)), strides=2, padding="same"))
    assert frames[0].crop == (1, 1) and frames[0].canvas.shape == (6, 6) and frames[0].output.shape == (4, 4)
    assert frames[0].rows == (0, 4) and frames[0].out_rows == (0, 3)      # canvas rows 1..3 → output rows 0..2
    assert frames[3].rows == (2, 6) and frames[3].out_rows == (1, 4)      # canvas rows 2..4 → output rows 1..3
    np.testing.assert_array_equal(frames[0].output[frames[0].out_rows[0]:frames[0].out_rows[1], :3], 1)


def test_steps_keep_float32_and_accept_the_keras_layout():
    x = np.arange(6, dtype=np.float32).reshape(1, 2, 3, 1)
    k = np.ones((2, 2, 1, 1), np.float32)
    last = list(conv2d_transpose_steps(x, k, 2))[-1]
    assert last.output.dtype == last.stamp.dtype == np.float32
    np.testing.assert_array_equal(last.output, conv2d_transpose_forward(x, k, strides=2)[0][0, :, :, 0])


def test_frame_figure():
    from matplotlib.figure import Figure

    from dlhelpers.viz.transpose import transpose_frame_figure
    frames = list(conv2d_transpose_steps(X2, K2, strides=2, padding="same"))
    fig = transpose_frame_figure(frames[2], X2, K2)
    assert isinstance(fig, Figure) and len(fig.axes) == 5
    assert "stamp = 3 × kernel" in fig.axes[2].get_title()
    assert len(transpose_frame_figure(frames[0]).axes) == 3
    with pytest.raises(TypeError, match="frame must be a ConvTransposeFrame for transpose_frame_figure"):
        transpose_frame_figure(frames[0].output)


# --- upsampling ------------------------------------------------------------------------------------------

def test_up_sampling_repeats_pixels_and_sums_blocks_back():
    out, cache = up_sampling2d_forward(_x(X2), size=(2, 3))
    assert isinstance(cache, UpSamplingCache) and out.shape == (1, 4, 6, 1)
    np.testing.assert_array_equal(out[0, :, :, 0], [[1, 1, 1, 2, 2, 2]] * 2 + [[3, 3, 3, 4, 4, 4]] * 2)
    dx, grads = up_sampling2d_backward(np.arange(24.0).reshape(1, 4, 6, 1), cache)
    # block of pixel (0, 0): rows 0–1, cols 0–2 → 0 + 1 + 2 + 6 + 7 + 8 = 24
    assert grads == {} and dx[0, 0, 0, 0] == 24 and dx.shape == (1, 2, 2, 1)


@pytest.mark.parametrize("size", [2, (1, 3), (3, 2)])
def test_up_sampling_gradient(size):
    rng = np.random.default_rng(6)
    errs = check_backward(lambda x: up_sampling2d_forward(x, size), up_sampling2d_backward,
                          {"x": rng.standard_normal((2, 3, 2, 3))})
    assert errs["x"] < TOL, errs


# --- bad input -------------------------------------------------------------------------------------------

X, K = np.zeros((1, 4, 4, 2)), np.zeros((3, 3, 1, 2))


@pytest.mark.parametrize("call, match", [
    (lambda: conv2d_transpose_forward(np.zeros((4, 4, 2)), K), r"x must be 4-D \(N, H, W, C_in\).*x\[None, :, :, None\]"),
    (lambda: conv2d_transpose_forward(X, np.zeros((3, 3, 2))), r"kernel must be 4-D \(KH, KW, F_out, C_in\)"),
    (lambda: conv2d_transpose_forward(X, np.zeros((3, 3, 2, 1))),
     r"kernel.shape\[3\] must equal the input channels x.shape\[3\] = 2 .*\(KH, KW, F_out, C_in\)"),
    (lambda: conv2d_transpose_forward(X, K, np.zeros(2)), r"bias must have shape \(1,\)"),
    (lambda: conv2d_transpose_forward(X, K, padding="full"), "padding must be 'valid' or 'same' for "
                                                              "conv2d_transpose_forward; got 'full'"),
    (lambda: conv2d_transpose_forward(X, K, padding=1), "padding must be 'valid' or 'same'.*no int padding"),
    (lambda: conv2d_transpose_forward(X, K, strides=0), "strides must be > 0 for conv2d_transpose_forward"),
    (lambda: conv2d_transpose_forward(X, K, strides=(1, 2, 3)), "strides must be an int or a pair"),
    (lambda: conv2d_transpose_forward(X, K, strides=10 ** 6), r"strides must be small enough that the output holds "
                                                               r"at most 1,073,741,824 numbers"),
    (lambda: conv2d_transpose_forward(np.full((1, 2, 2, 2), np.nan), K), "x must be finite"),
    (lambda: conv2d_transpose_forward(np.zeros((0, 4, 4, 2)), K), "x must be non-empty"),
    (lambda: conv2d_transpose_forward(X, np.zeros((3, 3, 0, 2))), "kernel must be non-empty"),
    (lambda: conv_transpose_output_size(4, 0), "k must be > 0 for conv_transpose_output_size"),
    (lambda: conv_transpose_output_size(4, 3, padding="full"), "padding must be 'valid' or 'same'"),
    (lambda: list(conv2d_transpose_steps(np.zeros((2, 3, 3, 1)), np.ones((3, 3)))), "x must hold one image.*x\\[:1\\]"),
    (lambda: list(conv2d_transpose_steps(np.zeros((3, 3)), np.ones((3, 3, 2, 1)))), "kernel must be one output filter"),
    (lambda: list(conv2d_transpose_steps(np.zeros((3, 3, 2)), np.ones((3, 3)))), r"kernel.shape\[3\] must equal"),
    (lambda: up_sampling2d_forward(np.zeros((4, 4)), 2), r"x must be 4-D \(N, H, W, C\)"),
    (lambda: up_sampling2d_forward(X, 0), "size must be > 0 for up_sampling2d_forward"),
    (lambda: up_sampling2d_forward(X, 2, "bilinear"), "interpolation must be 'nearest' for up_sampling2d_forward; "
                                                      "got 'bilinear'. .*float32"),
    (lambda: up_sampling2d_forward(X, 10 ** 5), "size must be small enough that the output holds"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda: conv2d_transpose_forward(X, K, strides="2"), "strides must be an integer for conv2d_transpose_forward"),
    (lambda: conv2d_transpose_forward(X, [["a"]]), "kernel must be numeric"),
    (lambda: conv2d_transpose_backward(np.zeros((1, 6, 6, 1)), None),
     "cache must be the ConvTransposeCache returned by conv2d_transpose_forward"),
    (lambda: conv2d_transpose_backward(np.zeros((1, 2, 2, 1)), conv2d_forward(X, np.zeros((3, 3, 2, 1)))[1]),
     "cache must be the ConvTransposeCache .*got ConvCache"),
    (lambda: up_sampling2d_backward(np.zeros((1, 8, 8, 2)), "cache"), "cache must be the UpSamplingCache"),
])
def test_bad_types(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_backward_checks_dout():
    out, cache = conv2d_transpose_forward(np.ones((2, 3, 3, 2)), np.ones((3, 3, 4, 2)), strides=2)
    assert out.shape == (2, 7, 7, 4)
    for bad in (np.ones((2, 7, 7, 3)), np.ones((2, 6, 6, 4)), np.ones((7, 7, 4))):
        with pytest.raises(ValueError, match=r"dout must be the forward output's shape \(2, 7, 7, 4\) for "
                                             "conv2d_transpose_backward"):
            conv2d_transpose_backward(bad, cache)
    with pytest.raises(ValueError, match="dout must be finite.*conv2d_transpose_backward"):
        conv2d_transpose_backward(np.full(out.shape, np.inf), cache)
    _, ucache = up_sampling2d_forward(np.ones((1, 2, 2, 1)))
    with pytest.raises(ValueError, match=r"dout must be the forward output's shape \(1, 4, 4, 1\)"):
        up_sampling2d_backward(np.ones((1, 4, 3, 1)), ucache)
