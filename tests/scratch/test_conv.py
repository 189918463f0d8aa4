import numpy as np
import pytest

from dlhelpers.scratch.conv import (conv2d_backward, conv2d_backward_loop, conv2d_forward, conv2d_forward_loop,
                                    conv2d_steps, conv_output_size, same_padding)
from tests.helpers import TOL, check_backward

IMAGE = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0.]])
KERNEL = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1.]])


def rgb_example():
    """The course's RGB example: the visible 5×5 corner of each channel, three 3×3 kernels (bias 1)."""
    from dlhelpers.data import COURSE_RGB_IMAGE, COURSE_RGB_KERNELS
    return COURSE_RGB_IMAGE[None], COURSE_RGB_KERNELS[..., None]        # (1, 5, 5, 3), (3, 3, 3, 1)


def test_course_binary_example():
    out, _ = conv2d_forward(IMAGE[None, :, :, None], KERNEL[:, :, None, None])
    np.testing.assert_array_equal(out[0, :, :, 0], [[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    # top-left by hand: 1·1 + 1·0 + 1·1 + 0·0 + 1·1 + 1·0 + 0·1 + 0·0 + 1·1 = 4


def test_course_rgb_example_with_bias():
    x, k = rgb_example()
    out, _ = conv2d_forward(x, k, np.array([1.0]), padding=1)
    # the notes show the top-left 2×4 block of the output (the image continues to the right)
    np.testing.assert_array_equal(out[0, :2, :4, 0], [[-25, 466, 466, 475], [295, 787, 798, 812]])
    # and the three channel sums of the 812: 161 + (−9) + 659 + 1
    per_channel = [conv2d_forward(x[..., c:c + 1], k[:, :, c:c + 1], padding=1)[0][0, 1, 3, 0] for c in range(3)]
    assert per_channel == [161, -9, 659]


@pytest.mark.parametrize("n, k, s, padding, expected", [
    (5, 3, 1, "valid", 3), (28, 5, 1, "valid", 24), (32, 5, 1, "valid", 28), (5, 3, 1, "same", 5),
    (5, 3, 2, "same", 3), (7, 3, 2, "valid", 3), (5, 3, 1, 1, 5), (6, 3, 2, "valid", 2), (6, 2, 2, "same", 3)])
def test_output_size_formula(n, k, s, padding, expected):
    assert conv_output_size(n, k, s, padding) == expected
    x = np.zeros((1, n, n, 1))
    assert conv2d_forward(x, np.zeros((k, k, 1, 1)), strides=s, padding=padding)[0].shape[1] == expected


def test_same_padding_puts_the_extra_cell_after():
    assert same_padding(6, 3, 2) == (0, 1)
    assert same_padding(5, 3, 1) == (1, 1)


CASES = [(1, "valid"), (2, "valid"), (1, "same"), (2, "same"), (1, 1), (2, 2), ((1, 2), "same"), ((2, 1), 1)]


@pytest.mark.parametrize("strides, padding", CASES)
def test_loop_and_vectorized_agree(strides, padding):
    rng = np.random.default_rng(0)
    x, k, b = rng.standard_normal((2, 7, 6, 3)), rng.standard_normal((3, 3, 3, 4)), rng.standard_normal(4)
    out_v, cache_v = conv2d_forward(x, k, b, strides, padding)
    out_l, cache_l = conv2d_forward_loop(x, k, b, strides, padding)
    np.testing.assert_allclose(out_v, out_l, rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(out_v.shape)
    dx_v, g_v = conv2d_backward(dout, cache_v)
    dx_l, g_l = conv2d_backward_loop(dout, cache_l)
    np.testing.assert_allclose(dx_v, dx_l, rtol=1e-12, atol=1e-12)
    for key in ("kernel", "bias"):
        np.testing.assert_allclose(g_v[key], g_l[key], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("strides, padding", CASES)
def test_gradients(strides, padding):
    rng = np.random.default_rng(1)
    inputs = {"x": rng.standard_normal((2, 6, 5, 2)), "kernel": rng.standard_normal((3, 2, 2, 3)),
              "bias": rng.standard_normal(3)}
    errs = check_backward(lambda x, kernel, bias: conv2d_forward(x, kernel, bias, strides, padding),
                          conv2d_backward, inputs)
    assert max(errs.values()) < TOL, errs


def test_steps_end_at_the_full_output():
    frames = list(conv2d_steps(IMAGE, KERNEL, bias=0.5, strides=1, padding="same"))
    assert len(frames) == 25
    first = frames[0]
    assert first.position == (0, 0) and first.rows == (0, 3) and first.window.shape == (3, 3, 1)
    assert first.value == first.total + 0.5 and np.isnan(first.output[0, 1])
    full = conv2d_forward(IMAGE[None, :, :, None], KERNEL[:, :, None, None], np.array([0.5]), padding="same")[0]
    np.testing.assert_array_equal(frames[-1].output, full[0, :, :, 0])
    x, k = rgb_example()
    last = list(conv2d_steps(x, k, bias=1, padding=1))[-1]
    assert last.output[1, 3] == 812


@pytest.mark.parametrize("call, match", [
    (lambda: conv2d_forward(np.zeros((28, 28)), np.zeros((3, 3, 1, 1))), r"x must be 4-D \(N, H, W, C\).*x\[None, :, :, None\]"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 3)), np.zeros((3, 3, 1, 2))), "kernel.shape\\[2\\] must equal the input channels"),
    (lambda: conv2d_forward(np.zeros((1, 3, 3, 1)), np.zeros((5, 5, 1, 1))), "kernel \\(5×5\\) must fit inside"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), strides=0), "strides must be > 0"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), padding="full"), "padding must be"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 2)), np.zeros(3)), "bias must have shape \\(2,\\)"),
    (lambda: conv2d_forward(np.full((1, 5, 5, 1), np.nan), np.zeros((3, 3, 1, 1))), "finite"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
