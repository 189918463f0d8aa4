"""forward_and_grads: the one GradientTape call behind every *_forward_and_grads twin."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
import keras  # noqa: E402
from keras import ops  # noqa: E402

from dlhelpers.keras.gradtape import forward_and_grads  # noqa: E402


def _dense(kernel, bias):
    layer = keras.layers.Dense(kernel.shape[1], dtype="float64")
    layer.build((None, kernel.shape[0]))
    layer.set_weights([kernel, bias])
    return layer


def test_dense_by_hand():
    # out = x·W + b; with target Σ out·dout: dx = dout·Wᵀ, dW = xᵀ·dout, db = Σ_n dout
    x = np.array([[1.0, 2.0]])
    W = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])
    b = np.array([0.1, 0.2, 0.3])
    dout = np.array([[1.0, 2.0, -1.0]])
    layer = _dense(W, b)
    out, dx, grads = forward_and_grads(layer, x, dout, {"kernel": layer.kernel, "bias": layer.bias})
    # 1·0.5 + 2·1.5 + 0.1 = 3.6, 1·(−1) + 2·0 + 0.2 = −0.8, 1·2 + 2·(−0.5) + 0.3 = 1.3
    np.testing.assert_allclose(out, [[3.6, -0.8, 1.3]], rtol=1e-14)
    # dx1 = 0.5·1 − 1·2 + 2·(−1) = −3.5, dx2 = 1.5·1 + 0·2 − 0.5·(−1) = 2
    np.testing.assert_allclose(dx, [[-3.5, 2.0]], rtol=1e-14)
    assert set(grads) == {"kernel", "bias"}
    np.testing.assert_allclose(grads["kernel"], [[1.0, 2.0, -1.0], [2.0, 4.0, -2.0]], rtol=1e-14)
    np.testing.assert_allclose(grads["bias"], [1.0, 2.0, -1.0], rtol=1e-14)
    assert out.dtype == dx.dtype == np.float64


def test_random_dense_matches_numpy_formulas():
    rng = np.random.default_rng(0)
    x, W, b, dout = (rng.standard_normal(s) for s in ((5, 4), (4, 3), (3,), (5, 3)))
    layer = _dense(W, b)
    out, dx, grads = forward_and_grads(layer, x, dout, {"kernel": layer.kernel, "bias": layer.bias})
    np.testing.assert_allclose(out, x @ W + b, rtol=1e-12)
    np.testing.assert_allclose(dx, dout @ W.T, rtol=1e-12)
    np.testing.assert_allclose(grads["kernel"], x.T @ dout, rtol=1e-12)
    np.testing.assert_allclose(grads["bias"], dout.sum(0), rtol=1e-12)


def test_a_loss_as_a_callable_with_a_scalar_dout():
    t = np.array([0.0, 1.0, 2.0])
    p = np.array([1.0, 1.0, 4.0])
    E, dp, grads = forward_and_grads(lambda q: ops.sum(0.5 * (q - t) ** 2), p, 1.0)
    assert grads == {}
    assert float(E) == pytest.approx(0.5 * (1 + 0 + 4))           # ½(1² + 0² + 2²) = 2.5
    np.testing.assert_allclose(dp, p - t, rtol=1e-14)              # ∂E/∂p = p − t


def test_training_flag_and_an_unused_variable():
    x = np.random.default_rng(1).standard_normal((200, 10))
    drop = keras.layers.Dropout(0.5, seed=0, dtype="float64")
    out, dx, _ = forward_and_grads(drop, x, np.ones_like(x), training=False)
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(dx, np.ones_like(x))
    out, dx, _ = forward_and_grads(drop, x, np.ones_like(x), training=True)
    kept = out != 0
    assert 0.4 < kept.mean() < 0.6
    np.testing.assert_allclose(dx[kept], 2.0)                    # 1 / (1 − 0.5) on the kept units
    np.testing.assert_array_equal(dx[~kept], 0.0)
    unused = keras.Variable(np.ones(3), dtype="float64")
    _, _, grads = forward_and_grads(lambda z: 2 * z, np.ones(3), np.ones(3), {"w": unused})
    np.testing.assert_array_equal(grads["w"], np.zeros(3))       # no path to w: zeros, not None
    out, dx, _ = forward_and_grads(lambda z: ops.cast(ops.greater(z, 0), z.dtype), np.array([-1.0, 2.0]), np.ones(2))
    np.testing.assert_array_equal(out, [0.0, 1.0])
    assert dx.dtype == np.float64 and not dx.any()                # a step has no gradient: zeros


def test_bad_input():
    layer = _dense(np.ones((2, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"dout must be the layer output's shape \(1, 3\) for forward_and_grads; "
                                         r"got shape \(1, 2\)"):
        forward_and_grads(layer, np.ones((1, 2)), np.ones((1, 2)))
    with pytest.raises(ValueError, match="dout must be finite"):
        forward_and_grads(layer, np.ones((1, 2)), np.array([[1.0, np.nan, 0.0]]))
    with pytest.raises(TypeError, match="layer must be a Keras layer, a model or a callable"):
        forward_and_grads(np.ones(3), np.ones((1, 2)), np.ones((1, 3)))
    with pytest.raises(TypeError, match="variables must be a dict"):
        forward_and_grads(layer, np.ones((1, 2)), np.ones((1, 3)), [layer.kernel])
