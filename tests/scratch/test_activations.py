import dataclasses
import warnings

import numpy as np
import pytest

from dlhelpers.scratch import activations as A
from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from tests.helpers import TOL, check_backward


def test_softmax_course_example():
    # notes: softmax([1,2,3,4,1,2,3]) = [0.024, 0.064, 0.175, 0.475, 0.024, 0.064, 0.175]
    s = A.softmax(np.array([1, 2, 3, 4, 1, 2, 3.0]))
    np.testing.assert_allclose(np.round(s, 3), [0.024, 0.064, 0.175, 0.475, 0.024, 0.064, 0.175])
    assert abs(s.sum() - 1) < 1e-12


def test_logistic_neuron_course_example():
    # notes: x = [1, 1.4, 2.5] (x0 = 1 for the bias), w = [0.4, 0.3, 0.5]
    # z = 0.4 + 0.42 + 1.25 = 2.07; σ(2.07) = 1 / (1 + e^-2.07) = 0.8880...
    z = np.dot([1, 1.4, 2.5], [0.4, 0.3, 0.5])
    assert z == pytest.approx(2.07)
    assert float(A.sigmoid(z)) == pytest.approx(0.88800, abs=5e-5)


def test_sigmoid_is_stable_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = A.sigmoid(np.array([-1e4, -750.0, 0.0, 750.0, 1e4]))
    np.testing.assert_allclose(s, [0, 0, 0.5, 1, 1], atol=1e-300)
    assert np.all(np.isfinite(s))


def test_softmax_is_stable_for_large_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = A.softmax(np.array([[1000.0, 1001.0, 1002.0]]))
    np.testing.assert_allclose(s, A.softmax(np.array([[0.0, 1.0, 2.0]])))


def test_hand_values():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(A.relu(z), [0, 0, 0, 0.5, 2])
    np.testing.assert_allclose(A.leaky_relu(z), [-0.6, -0.15, 0, 0.5, 2])          # slope 0.3
    np.testing.assert_allclose(A.elu(z), [np.exp(-2) - 1, np.exp(-0.5) - 1, 0, 0.5, 2])
    np.testing.assert_allclose(A.softplus(np.array([0.0])), [np.log(2)])
    np.testing.assert_allclose(A.step(z), [0, 0, 0, 1, 1])                           # 1 only if z > 0
    np.testing.assert_allclose(A.sign(z), [-1, -1, 1, 1, 1])                         # +1 at z = 0
    assert A.sigmoid_derivative(np.array([0.0]))[0] == 0.25


ELEMENTWISE = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "linear", "step", "sign"]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_numerical_gradient(name):
    act = A.ACTIVATIONS[name]
    rng = np.random.default_rng(0)
    z = rng.uniform(-3, 3, size=(4, 5))
    z[np.abs(z) < 0.05] = 0.3                      # stay off the kinks at 0
    num = numerical_gradient(lambda: float(np.sum(act.fn(z))), z)
    assert relative_error(act.derivative(z), num) < TOL or np.allclose(num, 0) and np.allclose(act.derivative(z), 0)


def test_softmax_backward_and_jacobian():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((3, 5))
    dout = rng.standard_normal((3, 5))
    num = numerical_gradient(lambda: float(np.sum(A.softmax(z) * dout)), z)
    assert relative_error(A.softmax_backward(dout, A.softmax(z)), num) < TOL
    J = A.softmax_jacobian(z[0])
    np.testing.assert_allclose(J @ dout[0], A.softmax_backward(dout[0], A.softmax(z[0])))
    np.testing.assert_allclose(J.sum(axis=0), 0, atol=1e-15)   # softmax is shift-invariant


def test_prelu_gradients():
    rng = np.random.default_rng(2)
    z = rng.standard_normal((6, 4))
    z[np.abs(z) < 0.05] = 0.2
    alpha = rng.uniform(0, 0.5, 4)
    errs = check_backward(lambda z, alpha: A.prelu_forward(z, alpha), A.prelu_backward, {"z": z, "alpha": alpha})
    assert max(errs.values()) < TOL, errs


def test_maxout_forward_and_gradient():
    z = np.array([[1.0, 5.0, 2.0, -1.0, -3.0, 0.5]])          # 2 units × 3 pieces
    out, _ = A.maxout_forward(z, num_units=2)
    np.testing.assert_allclose(out, [[5.0, 0.5]])
    rng = np.random.default_rng(3)
    z = rng.standard_normal((5, 6))
    errs = check_backward(lambda z: A.maxout_forward(z, 3), A.maxout_backward, {"z": z})
    assert errs["z"] < TOL


def test_bad_input():
    with pytest.raises(TypeError, match="z must be numeric for sigmoid"):
        A.sigmoid(np.array(["a"]))
    with pytest.raises(ValueError, match="activation must be one of"):
        A.get_activation("swishy")
    with pytest.raises(ValueError, match="softmax"):
        A.get_activation("softmax")
    with pytest.raises(ValueError, match="multiple of num_units"):
        A.maxout_forward(np.ones((2, 5)), num_units=2)


def test_registry_covers_the_syllabus():
    assert set(ELEMENTWISE) <= set(A.ACTIVATIONS)
    for act in A.ACTIVATIONS.values():
        assert callable(act.fn) and callable(act.derivative) and act.typical_use


@pytest.mark.parametrize("call, exc, match", [
    (lambda: A.leaky_relu([1.0], alpha="a"), TypeError, "alpha must be a number for leaky_relu; got 'a'"),
    (lambda: A.leaky_relu([1.0], alpha=float("nan")), ValueError, "alpha must be a number, finite for leaky_relu"),
    (lambda: A.elu([1.0], alpha=[1, 2]), TypeError, "alpha must be a number for elu"),
    (lambda: A.elu_derivative([1.0], alpha=None), TypeError, "alpha must be a number for elu_derivative"),
    (lambda: A.leaky_relu_derivative([1.0], alpha=np.inf), ValueError, "alpha must be a number, finite"),
    (lambda: A.softmax(np.zeros((2, 0))), ValueError, r"z must be non-empty for softmax; got shape \(2, 0\)"),
    (lambda: A.softmax(3.0), ValueError, "z must be at least 1-D"),
    (lambda: A.softmax(np.zeros((2, 3)), axis=5), ValueError, r"axis must be an axis in \[-2, 1\]"),
    (lambda: A.softmax(np.zeros((2, 3)), axis="a"), TypeError, "axis must be an integer axis for softmax"),
    (lambda: A.softmax_jacobian(np.zeros(0)), ValueError, "z must be non-empty for softmax_jacobian"),
    (lambda: A.softmax_backward(np.zeros((2, 3)), np.full((3, 3), 1 / 3)), ValueError,
     r"dout must be the forward output's shape \(3, 3\) for softmax_backward; got shape \(2, 3\)"),
    (lambda: A.prelu_forward(np.ones((2, 3)), np.ones(4)), ValueError,
     r"alpha must be broadcastable to z.shape\[1:\] = \(3,\) for prelu_forward"),
    (lambda: A.prelu_forward(np.ones(3), np.ones(3)), ValueError, "z must be 2-D or 3-D"),
    (lambda: A.prelu_backward(np.zeros((3,)), A.prelu_forward(np.ones((2, 3)), np.ones(3))[1]), ValueError,
     r"dout must be the forward output's shape \(2, 3\) for prelu_backward"),
    (lambda: A.maxout_backward(np.zeros((2, 5)), A.maxout_forward(np.ones((2, 6)), 3)[1]), ValueError,
     r"dout must be the forward output's shape \(2, 3\) for maxout_backward"),
    (lambda: A.maxout_forward(np.ones((2, 0)), 3), ValueError, "z.shape\\[1\\] must be a positive multiple"),
])
def test_bad_settings_give_our_messages(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def _prelu_pass():
    return A.prelu_forward(np.ones((2, 6)), np.zeros(6))


def _maxout_pass():
    return A.maxout_forward(np.ones((2, 6)), 3)


@pytest.mark.parametrize("forward, other, name, cache_type", [
    (_prelu_pass, _maxout_pass, "prelu", "PReLUCache"),
    (_maxout_pass, _prelu_pass, "maxout", "MaxoutCache"),
])
def test_backward_refuses_a_cache_from_elsewhere(forward, other, name, cache_type):
    from dlhelpers.scratch.conv import conv2d_forward
    backward = getattr(A, f"{name}_backward")
    out, cache = forward()
    assert type(cache).__name__ == cache_type and dataclasses.is_dataclass(cache)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cache.z = None
    conv_cache = conv2d_forward(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 1)))[1]
    for wrong in (None, "cache", (np.ones((2, 6)), np.zeros(6)), conv_cache, other()[1]):
        with pytest.raises(TypeError, match=rf"cache must be the {cache_type} returned by {name}_forward for "
                                            rf"{name}_backward; got {type(wrong).__name__}\. Pass the second value"):
            backward(np.ones_like(out), wrong)
    dz, grads = backward(np.ones_like(out), cache)              # the right cache still works
    assert dz.shape == (2, 6)


def test_inputs_are_not_mutated():
    z = np.array([[-2.0, 0.5, 3.0]])
    keep = z.copy()
    for act in A.ACTIVATIONS.values():
        act.fn(z), act.derivative(z)
    A.softmax(z), A.prelu_forward(z, np.zeros(3)), A.maxout_forward(z, 1)
    np.testing.assert_array_equal(z, keep)


def test_non_finite_scores_pass_through_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = A.softmax(np.array([[np.inf, 1.0], [0.0, 1.0]]))
        sp = A.softplus(np.array([np.nan, 1.0]))
    assert np.isnan(s[0]).all() and np.isfinite(s[1]).all() and np.isnan(sp[0]) and np.isfinite(sp[1])


def test_leaky_relu_with_zero_slope_and_infinite_input_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = A.leaky_relu(np.array([np.inf, -np.inf, -2.0]), alpha=0.0)
    assert out[0] == np.inf and out[2] == 0.0
