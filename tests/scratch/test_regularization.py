import numpy as np
import pytest

from dlhelpers.scratch.regularization import batchnorm_backward, batchnorm_forward, dropout_backward, dropout_forward
from tests.helpers import TOL, check_backward


def test_dropout_is_inverted_and_only_in_training():
    x = np.ones((1000, 50))
    out, mask = dropout_forward(x, 0.3, training=True, rng=0)
    assert set(np.unique(out)) == {0.0, 1 / 0.7}
    assert abs(out.mean() - 1.0) < 0.02                    # expectation preserved
    assert abs((out == 0).mean() - 0.3) < 0.01
    same, cache = dropout_forward(x, 0.3, training=False)
    assert same is x or np.array_equal(same, x)
    dx, _ = dropout_backward(np.ones_like(x), mask)
    np.testing.assert_array_equal(dx, mask)
    with pytest.raises(ValueError, match="rate must be in"):
        dropout_forward(x, 1.0)


def test_dropout_gradient():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 6))
    errs = check_backward(lambda x: dropout_forward(x, 0.5, training=True, rng=1), dropout_backward, {"x": x})
    assert errs["x"] < TOL


def _bn_params(D, rng):
    return dict(gamma=rng.uniform(0.5, 2, D), beta=rng.standard_normal(D),
                running_mean=rng.standard_normal(D), running_var=rng.uniform(0.5, 2, D))


def test_batchnorm_by_hand():
    # one feature, batch [1, 2, 3]: mean 2, biased variance 2/3, ε = 1e-3
    x = np.array([[1.0], [2.0], [3.0]])
    out, cache = batchnorm_forward(x, [1.0], [0.0], [0.0], [1.0], training=True)
    np.testing.assert_allclose(out[:, 0], (x[:, 0] - 2) / np.sqrt(2 / 3 + 1e-3))
    assert cache["running_mean"][0] == pytest.approx(0.01 * 2)          # 0.99·0 + 0.01·2
    assert cache["running_var"][0] == pytest.approx(0.99 + 0.01 * 2 / 3)
    inf, _ = batchnorm_forward(x, [2.0], [1.0], [2.0], [4.0], training=False, epsilon=0.0)
    np.testing.assert_allclose(inf[:, 0], 2 * (x[:, 0] - 2) / 2 + 1)


@pytest.mark.parametrize("shape", [(8, 5), (3, 4, 4, 2)])
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_gradients(shape, training):
    rng = np.random.default_rng(4)
    p = _bn_params(shape[-1], rng)
    x = rng.standard_normal(shape) * 2 + 1

    def fwd(x, gamma, beta):
        return batchnorm_forward(x, gamma, beta, p["running_mean"], p["running_var"], training=training)
    errs = check_backward(fwd, batchnorm_backward, {"x": x, "gamma": p["gamma"], "beta": p["beta"]})
    assert max(errs.values()) < TOL, errs


def test_batchnorm_bad_input():
    with pytest.raises(ValueError, match=r"gamma must have shape \(3,\)"):
        batchnorm_forward(np.zeros((4, 3)), np.ones(2), np.zeros(3), np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="x must be 2-D"):
        batchnorm_forward(np.zeros(4), np.ones(1), np.zeros(1), np.zeros(1), np.ones(1))
