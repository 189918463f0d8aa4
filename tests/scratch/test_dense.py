import dataclasses

import numpy as np
import pytest

from dlhelpers.scratch.dense import dense_backward, dense_forward
from tests.helpers import TOL, check_backward


def test_hand_values():
    # x = [1, 2]; kernel columns give 1·1 + 2·3 = 7 and 1·2 + 2·4 = 10; bias (0.5, −1)
    out, _ = dense_forward(np.array([[1.0, 2.0]]), np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -1.0]))
    np.testing.assert_allclose(out, [[7.5, 9.0]])


def test_gradients(rng):
    errs = check_backward(dense_forward, dense_backward,
                          {"x": rng.standard_normal((5, 4)), "kernel": rng.standard_normal((4, 3)),
                           "bias": rng.standard_normal(3)})
    assert set(errs) == {"x", "kernel", "bias"}
    assert max(errs.values()) < TOL, errs


@pytest.mark.parametrize("x, kernel, bias, match", [
    (np.ones(4), np.ones((4, 3)), np.zeros(3), r"x must be 2-D \(N, in_features\)"),
    (np.ones((2, 5)), np.ones((4, 3)), np.zeros(3), "x.shape\\[1\\] must equal kernel.shape\\[0\\]"),
    (np.ones((2, 4)), np.ones((4, 3)), np.zeros(2), "bias must have shape \\(3,\\)"),
    (np.full((2, 4), np.nan), np.ones((4, 3)), np.zeros(3), "finite"),
])
def test_bad_input(x, kernel, bias, match):
    with pytest.raises(ValueError, match=match):
        dense_forward(x, kernel, bias)


def test_backward_checks_dout_shape(rng):
    _, cache = dense_forward(rng.standard_normal((2, 4)), rng.standard_normal((4, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"dout must be the forward output's shape \(2, 3\) for dense_backward"):
        dense_backward(np.ones((2, 4)), cache)
    with pytest.raises(ValueError, match=r"dout must be the forward output's shape \(2, 3\)"):
        dense_backward(np.ones(3), cache)
    with pytest.raises(ValueError, match="dout must be finite"):
        dense_backward(np.full((2, 3), np.nan), cache)


def test_empty_and_non_numeric_input():
    with pytest.raises(ValueError, match=r"x must be non-empty.*\(0, 4\)"):
        dense_forward(np.ones((0, 4)), np.ones((4, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="kernel must be non-empty"):
        dense_forward(np.ones((2, 4)), np.ones((4, 0)), np.zeros(0))
    with pytest.raises(TypeError, match="kernel must be numeric"):
        dense_forward(np.ones((2, 1)), [["a"]], np.zeros(1))


def test_inputs_are_never_changed(rng):
    x, k, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 2)), rng.standard_normal(2)
    copies = [a.copy() for a in (x, k, b)]
    out, cache = dense_forward(x, k, b)
    dx, grads = dense_backward(np.ones_like(out), cache)
    out += 1
    dx += 1
    grads["kernel"] += 1
    for a, c in zip((x, k, b), copies):
        np.testing.assert_array_equal(a, c)


def test_cache_is_a_frozen_record_and_a_wrong_cache_is_refused(rng):
    from dlhelpers.scratch.conv import conv2d_forward
    from dlhelpers.scratch.dense import DenseCache
    x, k = rng.standard_normal((2, 4)), rng.standard_normal((4, 3))
    out, cache = dense_forward(x, k, np.zeros(3))
    assert isinstance(cache, DenseCache)
    np.testing.assert_array_equal(cache.x, x)
    np.testing.assert_array_equal(cache.kernel, k)
    with pytest.raises(dataclasses.FrozenInstanceError):        # frozen: a backward pass cannot be fed edits
        cache.x = np.zeros((2, 4))
    conv_cache = conv2d_forward(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 1)))[1]
    for wrong, got in ((None, "NoneType"), ("cache", "str"), ((x, k), "tuple"), (conv_cache, "ConvCache")):
        with pytest.raises(TypeError, match=rf"cache must be the DenseCache returned by dense_forward for "
                                            rf"dense_backward; got {got}\. Pass the second value of out, cache"):
            dense_backward(np.ones_like(out), wrong)
