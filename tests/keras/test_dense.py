"""scratch.dense ↔ keras.dense: same weights, same output and gradients."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
from dlhelpers.keras.dense import dense_forward_and_grads, dense_layer  # noqa: E402
from dlhelpers.scratch.dense import dense_backward, dense_forward  # noqa: E402


@pytest.mark.parametrize("dtype, tol", [(np.float64, dict(rtol=1e-12)), (np.float32, dict(rtol=1e-5, atol=1e-6))])
def test_dense_forward_and_gradients(dtype, tol):
    rng = np.random.default_rng(5)
    x, k, b, dout = (rng.standard_normal(s).astype(dtype) for s in ((5, 4), (4, 3), (3,), (5, 3)))
    out, cache = dense_forward(x, k, b)
    dx, grads = dense_backward(dout, cache)
    kout, kdx, kgrads = dense_forward_and_grads(x, k, b, dout)
    assert set(grads) == set(kgrads) == {"kernel", "bias"}
    np.testing.assert_allclose(out, kout, **tol)
    np.testing.assert_allclose(dx, kdx, **tol)
    for key in grads:
        np.testing.assert_allclose(grads[key], kgrads[key], **tol)


def test_dense_layer_holds_the_weights_and_activation():
    k, b = np.array([[1.0, -2.0], [0.5, 1.0]]), np.array([0.0, 1.0])
    layer = dense_layer(k, b, activation="relu")
    # x = (1, 2): z = (1 + 1, −2 + 2 + 1) = (2, 1)
    np.testing.assert_allclose(layer(np.array([[1.0, 2.0]])).numpy(), [[2.0, 1.0]])
    np.testing.assert_allclose(layer(np.array([[-1.0, 0.0]])).numpy(), [[0.0, 3.0]])   # (−1, 3) → relu
    assert layer.dtype == "float64"


def test_bad_dout():
    with pytest.raises(ValueError, match="dout must be the layer output's shape"):
        dense_forward_and_grads(np.ones((2, 3)), np.ones((3, 4)), np.zeros(4), np.ones((2, 3)))
