import numpy as np
import pytest

from dlhelpers.scratch import losses as L
from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from tests.helpers import TOL


def test_hand_values():
    # mse: ((1-1)² + (2-4)²) / 2 = 2 ; mae: (0 + 2) / 2 = 1
    assert L.mse([1.0, 2.0], [1.0, 4.0]) == 2.0
    assert L.mae([1.0, 2.0], [1.0, 4.0]) == 1.0
    # bce of one sample t=1, p=0.8: −log 0.8 = 0.22314
    assert L.binary_crossentropy([1.0], [0.8]) == pytest.approx(-np.log(0.8), rel=1e-6)
    # hinge with 0/1 labels turned into ±1: t=1, y=0.3 → 0.7; t=0→−1, y=0.3 → 1.3; mean 1.0
    assert L.hinge([1.0, 0.0], [0.3, 0.3]) == pytest.approx(1.0)
    assert L.squared_hinge([1.0, 0.0], [0.3, 0.3]) == pytest.approx((0.49 + 1.69) / 2)
    # cce: −log 0.7 for the true class
    assert L.categorical_crossentropy([[0, 1, 0]], [[0.2, 0.7, 0.1]]) == pytest.approx(-np.log(0.7), rel=1e-6)
    assert L.sparse_categorical_crossentropy([1], [[0.2, 0.7, 0.1]]) == pytest.approx(-np.log(0.7), rel=1e-6)
    # KL(t || p) = 0.5 log(0.5/0.25) + 0.5 log(0.5/0.75)
    assert L.kl_divergence([[0.5, 0.5]], [[0.25, 0.75]]) == pytest.approx(0.5 * np.log(2) + 0.5 * np.log(2 / 3))
    # msle: (log 3 − log 2)²
    assert L.msle([1.0], [2.0]) == pytest.approx((np.log(3) - np.log(2)) ** 2)


def test_bce_from_logits_equals_bce_on_probabilities():
    z = np.array([[-3.0], [0.2], [4.0]])
    t = np.array([[0.0], [1.0], [1.0]])
    from dlhelpers.scratch.activations import sigmoid
    assert L.binary_crossentropy(t, z, from_logits=True) == pytest.approx(L.binary_crossentropy(t, sigmoid(z)), rel=1e-6)
    assert np.isfinite(L.binary_crossentropy([[1.0]], [[-1e4]], from_logits=True))


def _cases(rng):
    p01 = rng.uniform(0.05, 0.95, (4, 3))
    probs = rng.dirichlet(np.ones(4), size=5) * 0.9 + 0.025
    onehot = np.eye(4)[rng.integers(0, 4, 5)]
    return {
        "mse": (rng.standard_normal((4, 3)), rng.standard_normal((4, 3))),
        "mae": (rng.standard_normal((4, 3)), rng.standard_normal((4, 3))),
        "msle": (rng.uniform(0, 3, (4, 3)), rng.uniform(0.1, 3, (4, 3))),
        "binary_crossentropy": (rng.integers(0, 2, (4, 3)).astype(float), p01),
        "hinge": (rng.choice([-1.0, 1.0], (4, 3)), rng.uniform(-2, 2, (4, 3))),
        "squared_hinge": (rng.choice([-1.0, 1.0], (4, 3)), rng.uniform(-2, 2, (4, 3))),
        "categorical_crossentropy": (onehot, probs),
        "kl_divergence": (rng.dirichlet(np.ones(4), size=5), probs),
    }


@pytest.mark.parametrize("name", list(_cases(np.random.default_rng(0))))
def test_gradients_match_numerical(name):
    t, p = _cases(np.random.default_rng(5))[name]
    loss = L.LOSSES[name]
    if name in ("mae", "hinge", "squared_hinge"):        # keep away from the kinks
        p = p + 0.01 * np.sign(p - t + 1e-3)
    num = numerical_gradient(lambda: loss.fn(t, p), p)
    assert relative_error(loss.grad(t, p), num) < TOL


def test_sparse_gradient_and_logits_gradient():
    rng = np.random.default_rng(6)
    p = rng.dirichlet(np.ones(3), size=4) * 0.9 + 0.03
    y = np.array([0, 2, 1, 1])
    num = numerical_gradient(lambda: L.sparse_categorical_crossentropy(y, p), p)
    assert relative_error(L.sparse_categorical_crossentropy_grad(y, p), num) < TOL
    z = rng.standard_normal((5, 1))
    t = rng.integers(0, 2, (5, 1)).astype(float)
    num = numerical_gradient(lambda: L.binary_crossentropy(t, z, from_logits=True), z)
    assert relative_error(L.binary_crossentropy_grad(t, z, from_logits=True), num) < TOL


def test_bad_input():
    with pytest.raises(ValueError, match="y_true and y_pred must be the same shape|must have the same shape"):
        L.mse(np.zeros((3, 1)), np.zeros(3))
    with pytest.raises(ValueError, match="integer class labels"):
        L.sparse_categorical_crossentropy([0, 5], np.full((2, 3), 1 / 3))
    with pytest.raises(ValueError, match="loss must be one of"):
        L.get_loss("cross_entropy")
    with pytest.raises(ValueError, match="finite"):
        L.mse([np.nan], [0.0])


@pytest.mark.parametrize("call, exc, match", [
    (lambda: L.sparse_categorical_crossentropy(0, 0.5), ValueError,
     "y_pred must be at least 1-D .* for sparse_categorical_crossentropy; got a scalar"),
    (lambda: L.sparse_categorical_crossentropy_grad(0, 0.5), ValueError,
     "y_pred must be at least 1-D .* for sparse_categorical_crossentropy_grad"),
    (lambda: L.sparse_categorical_crossentropy([0, 1, 1], [[0.5, 0.5]]), ValueError,
     r"y_true must have shape \(1,\) \(one integer label per sample\)"),
    (lambda: L.sparse_categorical_crossentropy(np.zeros(0), np.zeros((0, 3))), ValueError,
     r"y_pred must be non-empty for sparse_categorical_crossentropy; got shape \(0, 3\)"),
    (lambda: L.mse(np.zeros(0), np.zeros(0)), ValueError, r"y_pred must be non-empty for mse; got shape \(0,\)"),
    (lambda: L.categorical_crossentropy(np.zeros((2, 2)), np.zeros((2, 2))), ValueError,
     "y_pred must hold probabilities .* for categorical_crossentropy"),
    (lambda: L.categorical_crossentropy_grad([[1.0, 0.0]], [[1.0, -1.0]]), ValueError,
     "y_pred must hold probabilities .*Apply softmax"),
    (lambda: L.binary_crossentropy([1.0], [0.5], from_logits="yes"), TypeError,
     "from_logits must be True or False for binary_crossentropy"),
])
def test_bad_input_gets_our_messages(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_extreme_but_valid_inputs_stay_finite_and_unmutated():
    t = np.array([[0.0, 1.0], [1.0, 0.0]])
    p = np.array([[1e4, 1e-4], [0.0, 1e4]])
    keep = p.copy()
    for loss in L.LOSSES.values():
        y = np.array([1, 0]) if loss.name.startswith("sparse") else t
        assert np.isfinite(loss.fn(y, p)) and np.all(np.isfinite(loss.grad(y, p))), loss.name
    np.testing.assert_array_equal(p, keep)
    assert np.isfinite(L.binary_crossentropy_grad(t, -p, from_logits=True)).all()
