import numpy as np
import pytest

import dataclasses

from dlhelpers.scratch.regularization import (DropoutCache, batchnorm_backward, batchnorm_forward, dropout_backward,
                                             dropout_forward)
from tests.helpers import TOL, check_backward


def test_dropout_is_inverted_and_only_in_training():
    x = np.ones((1000, 50))
    out, cache = dropout_forward(x, 0.3, training=True, rng=0)
    assert isinstance(cache, DropoutCache) and cache.shape == x.shape
    assert set(np.unique(out)) == {0.0, 1 / 0.7}
    assert abs(out.mean() - 1.0) < 0.02                    # expectation preserved
    assert abs((out == 0).mean() - 0.3) < 0.01
    same, inference_cache = dropout_forward(x, 0.3, training=False)
    assert same is x or np.array_equal(same, x)
    assert inference_cache.mask is None
    dx, grads = dropout_backward(np.ones_like(x), cache)
    np.testing.assert_array_equal(dx, cache.mask)
    assert grads == {}                                     # dropout has no parameters
    dx, grads = dropout_backward(2 * np.ones_like(x), inference_cache)
    np.testing.assert_array_equal(dx, 2 * np.ones_like(x))
    assert grads == {}
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


@pytest.mark.parametrize("training", [True, False])
def test_dropout_backward_checks_dout_and_cache(training):
    _, cache = dropout_forward(np.ones((4, 6)), 0.5, training=training, rng=0)
    with pytest.raises(ValueError, match=r"dout must be the forward output's shape \(4, 6\) for dropout_backward"):
        dropout_backward(np.ones((6, 4)), cache)
    with pytest.raises(TypeError, match="cache must be the DropoutCache returned by dropout_forward"):
        dropout_backward(np.ones((4, 6)), cache.mask)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cache.mask = None


def test_dropout_bad_settings():
    with pytest.raises(TypeError, match="rate must be a number for dropout_forward"):
        dropout_forward(np.ones(3), "0.5")
    with pytest.raises(TypeError, match="training must be True or False for dropout_forward"):
        dropout_forward(np.ones(3), 0.5, training="no")


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_backward_checks_dout(training):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((6, 3))
    _, cache = batchnorm_forward(x, np.ones(3), np.zeros(3), np.zeros(3), np.ones(3), training=training)
    for bad in (np.ones((6, 4)), np.ones(3), np.ones((5, 3))):
        with pytest.raises(ValueError, match=r"dout must be the forward output's shape \(6, 3\) for batchnorm_backward"):
            batchnorm_backward(bad, cache)
    with pytest.raises(TypeError, match="cache must be the dict returned by batchnorm_forward"):
        batchnorm_backward(np.ones((6, 3)), (x,))


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(epsilon=-1e-3), ValueError, "epsilon must be >= 0 for batchnorm_forward"),
    (dict(running_var=np.array([1.0, -0.5, 1.0])), ValueError, "running_var must be >= 0.*got 1 negative"),
    (dict(running_var=np.array([1.0, -0.5, 1.0]), training=True), ValueError, "running_var must be >= 0"),
    (dict(x=np.ones((4, 3)), epsilon=0.0, training=True), ValueError, "epsilon must be > 0 when a feature has zero"),
    (dict(running_var=np.zeros(3), epsilon=0.0), ValueError, "epsilon must be > 0 when a feature has zero"),
    (dict(x=np.zeros((0, 3))), ValueError, "x must be non-empty"),
    (dict(momentum="high"), TypeError, "momentum must be a number for batchnorm_forward"),
    (dict(epsilon="1e-3"), TypeError, "epsilon must be a number for batchnorm_forward"),
    (dict(training="yes"), TypeError, "training must be True or False"),
])
def test_batchnorm_refuses_settings_that_make_nan(kwargs, exc, match):
    args = dict(x=np.random.default_rng(0).standard_normal((4, 3)), gamma=np.ones(3), beta=np.zeros(3),
                running_mean=np.zeros(3), running_var=np.ones(3), training=False)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        batchnorm_forward(**args)


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_never_changes_its_inputs(training):
    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal((5, 2, 2, 3)), *(rng.uniform(0.5, 2, 3) for _ in range(4))]
    copies = [a.copy() for a in arrays]
    out, cache = batchnorm_forward(*arrays, training=training)
    dout = rng.standard_normal(out.shape)
    dout_copy = dout.copy()
    batchnorm_backward(dout, cache)
    cache["running_mean"] += 1.0                     # the returned statistics are new arrays
    cache["running_var"] += 1.0
    for a, c in zip([*arrays, dout], [*copies, dout_copy]):
        np.testing.assert_array_equal(a, c)
