import dataclasses

import numpy as np
import pytest

from dlhelpers.data.course import worked_example
from dlhelpers.scratch.conv import (ConvCache, conv2d_backward, conv2d_backward_loop, conv2d_forward,
                                    conv2d_forward_loop, conv2d_steps, conv_output_size, pad_amounts,
                                    same_padding)
from tests.helpers import TOL, check_backward

EX5 = worked_example("conv_5x5")
IMAGE, KERNEL = EX5["image"], EX5["kernel"]


def rgb_example():
    """The course's RGB example: the visible 5×5 corner of each channel, three 3×3 kernels (bias 1)."""
    ex = worked_example("conv_rgb")
    return ex["image_channels"][None], ex["kernel_channels"][..., None], ex      # (1, 5, 5, 3), (3, 3, 3, 1)


def test_course_binary_example():
    out, _ = conv2d_forward(IMAGE[None, :, :, None], KERNEL[:, :, None, None], strides=EX5["stride"],
                            padding=EX5["padding"])
    np.testing.assert_array_equal(out[0, :, :, 0], EX5["output"])
    # top-left by hand: 1·1 + 1·0 + 1·1 + 0·0 + 1·1 + 1·0 + 0·1 + 0·0 + 1·1 = 4
    assert out[0, 0, 0, 0] == 4


def test_course_rgb_example_with_bias():
    x, k, ex = rgb_example()
    assert x.shape == (1, 5, 5, 3) and k.shape == (3, 3, 3, 1) and ex["bias"] == 1 and ex["padding"] == 1
    out, _ = conv2d_forward(x, k, np.array([float(ex["bias"])]), strides=ex["stride"], padding=ex["padding"])
    # the notes show the top-left 2×4 block of the output (the image continues to the right)
    np.testing.assert_array_equal(out[0, :2, :4, 0], ex["output_top_left"])
    np.testing.assert_array_equal(out[0, :2, :4, 0], [[-25, 466, 466, 475], [295, 787, 798, 812]])
    # and the three channel sums of the 812 as the notes print them: 161 + (−9) + 659 + 1
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
    assert set(g_v) == set(g_l) == {"kernel", "bias"}
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
    x, k, _ = rgb_example()
    last = list(conv2d_steps(x, k, bias=1, padding=1))[-1]
    assert last.output[1, 3] == 812


@pytest.mark.parametrize("call, match", [
    (lambda: conv2d_forward(np.zeros((28, 28)), np.zeros((3, 3, 1, 1))), r"x must be 4-D \(N, H, W, C\).*x\[None, :, :, None\]"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 3)), np.zeros((3, 3, 1, 2))), "kernel.shape\\[2\\] must equal the input channels"),
    (lambda: conv2d_forward(np.zeros((1, 3, 3, 1)), np.zeros((5, 5, 1, 1))), "kernel \\(5×5\\) must fit inside"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), strides=0), "strides must be > 0"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), padding="full"), "padding must be"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), padding=-1), "padding must be.*non-negative"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 2)), np.zeros(3)), "bias must have shape \\(2,\\)"),
    (lambda: conv2d_forward(np.full((1, 5, 5, 1), np.nan), np.zeros((3, 3, 1, 1))), "finite"),
    (lambda: conv2d_forward(np.zeros((0, 5, 5, 1)), np.zeros((3, 3, 1, 1))), r"x must be non-empty.*\(0, 5, 5, 1\)"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 0)), np.zeros((3, 3, 0, 1))), r"x must be non-empty"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 0))), r"kernel must be non-empty"),
    (lambda: conv_output_size(5, 3, stride=0), "stride must be > 0"),
    (lambda: conv_output_size(5, 7), "k must be at most the padded length n \\+ padding = 5"),
    (lambda: conv_output_size(0, 3), "n must be > 0"),
    # padded input 1×200_004×200_004×1 (298 GiB as float64): refused before NumPy tries to allocate it
    (lambda: conv2d_forward(np.zeros((1, 4, 4, 1)), np.zeros((3, 3, 1, 1)), padding=10 ** 5),
     r"padding must be small enough that the padded input holds at most 1,073,741,824 numbers .* for "
     r"conv2d_forward; got padding=100000, which makes the padded input \(1, 200004, 200004, 1\).*MAX_ELEMENTS"),
    (lambda: conv2d_forward_loop(np.zeros((1, 4, 4, 1)), np.zeros((3, 3, 1, 1)), padding=10 ** 12),
     "padding must be small enough .* for conv2d_forward_loop"),
    (lambda: list(conv2d_steps(IMAGE, KERNEL, padding=10 ** 12)), "padding must be small enough .* for conv2d_steps"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), strides="2"), "strides must be an integer"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), np.zeros((3, 3, 1, 1)), padding=1.0), "padding must be .*got 1.0 \\(float\\)"),
    (lambda: conv2d_forward(np.zeros((1, 5, 5, 1)), [["a"]]), "kernel must be numeric"),
    (lambda: conv_output_size(5, 3, stride=1.5), "stride must be an integer"),
    (lambda: conv_output_size("5", 3), "n must be an integer"),
    (lambda: list(conv2d_steps(IMAGE, KERNEL, bias="one")), "bias must be a number"),
    (lambda: pad_amounts(1, 1, 1, 1, None, "valid"), "strides must be an integer for pad_amounts"),
    (lambda: pad_amounts(4.0, 4, 3, 3, 1, "same"), "H must be an integer for pad_amounts"),
])
def test_bad_setting_types(call, match):
    with pytest.raises(TypeError, match=match):
        call()


@pytest.mark.parametrize("backward", [conv2d_backward, conv2d_backward_loop])
def test_backward_checks_dout_and_cache(backward):
    rng = np.random.default_rng(5)
    out, cache = conv2d_forward(rng.standard_normal((2, 6, 6, 2)), rng.standard_normal((3, 3, 2, 4)), padding="same")
    name = backward.__name__
    for bad in (np.ones((2, 6, 6, 3)), np.ones((2, 6, 6)), np.ones((1, 6, 6, 4)), out[..., None]):
        with pytest.raises(ValueError, match=f"dout must be the forward output's shape \\(2, 6, 6, 4\\) for {name}"):
            backward(bad, cache)
    with pytest.raises(ValueError, match=f"dout must be finite.*{name}"):
        backward(np.full(out.shape, np.inf), cache)
    with pytest.raises(TypeError, match=f"cache must be the ConvCache returned by conv2d_forward for {name}"):
        backward(np.ones(out.shape), (cache.x_shape, cache.xp))


def test_cache_is_a_frozen_dataclass():
    x = np.arange(2 * 5 * 4 * 3, dtype=float).reshape(2, 5, 4, 3)
    out, cache = conv2d_forward(x, np.ones((3, 2, 3, 4)), strides=(2, 1), padding=1)
    assert isinstance(cache, ConvCache)
    assert cache.x_shape == (2, 5, 4, 3) and cache.xp.shape == (2, 7, 6, 3) and cache.strides == (2, 1)
    assert cache.pads == ((1, 1), (1, 1)) and cache.out_shape == out.shape == (2, 3, 5, 4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cache.strides = (1, 1)


@pytest.mark.parametrize("strides, padding", [(1, "same"), (2, "valid"), (1, 0)])
@pytest.mark.parametrize("forward, backward", [(conv2d_forward, conv2d_backward),
                                               (conv2d_forward_loop, conv2d_backward_loop)])
def test_inputs_are_never_changed(forward, backward, strides, padding):
    rng = np.random.default_rng(6)
    x, k, b = rng.standard_normal((2, 5, 5, 2)), rng.standard_normal((3, 3, 2, 3)), rng.standard_normal(3)
    copies = [a.copy() for a in (x, k, b)]
    out, cache = forward(x, k, b, strides, padding)
    dout = rng.standard_normal(out.shape)
    dout_copy = dout.copy()
    dx, grads = backward(dout, cache)
    dx += 1.0                                   # changing the results must not reach the inputs either
    grads["kernel"] += 1.0
    out += 1.0
    for a, c in zip((x, k, b, dout), (*copies, dout_copy)):
        np.testing.assert_array_equal(a, c)


def test_float32_fast_path_matches_float64():
    rng = np.random.default_rng(7)
    x, k = rng.standard_normal((3, 9, 9, 4)), rng.standard_normal((3, 3, 4, 5))
    out64, c64 = conv2d_forward(x, k, padding="same")
    out32, c32 = conv2d_forward(x.astype(np.float32), k.astype(np.float32), padding="same")
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32, out64, rtol=1e-4, atol=1e-4)
    dout = rng.standard_normal(out64.shape)
    dx64, g64 = conv2d_backward(dout, c64)
    dx32, g32 = conv2d_backward(dout.astype(np.float32), c32)
    np.testing.assert_allclose(dx32, dx64, rtol=1e-4, atol=1e-4)
    assert set(g64) == set(g32) == {"kernel", "bias"}
    np.testing.assert_allclose(g32["kernel"], g64["kernel"], rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(g32["bias"], g64["bias"], rtol=1e-4, atol=1e-3)


def test_fast_path_runs_blas_on_one_thread_and_restores_the_pools():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from dlhelpers.scratch._conv_fast import single_thread_blas

    def blas_threads():
        return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    conv2d_forward(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 1)))      # loads SciPy's BLAS too
    before = blas_threads()
    with single_thread_blas():
        inside = blas_threads()
    assert inside and all(n == 1 for n in inside)
    assert blas_threads() == before
