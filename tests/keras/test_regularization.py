"""scratch.regularization ↔ keras.regularization: batch norm outputs, gradients and moving statistics; dropout."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
import keras  # noqa: E402
from dlhelpers.keras.regularization import (batchnorm_forward_and_grads, batchnorm_layer,  # noqa: E402
                                            batchnorm_moving_statistics)
from dlhelpers.scratch.regularization import batchnorm_backward, batchnorm_forward, dropout_forward  # noqa: E402

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-4, atol=1e-4)}


def _case(shape, dtype, seed=2):
    rng = np.random.default_rng(seed)
    D = shape[-1]
    p = [rng.uniform(0.5, 2, D), rng.standard_normal(D), rng.standard_normal(D), rng.uniform(0.5, 2, D)]
    x = rng.standard_normal(shape) * 3 + 1
    dout = rng.standard_normal(shape)
    return x.astype(dtype), [a.astype(dtype) for a in p], dout.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(16, 6), (4, 5, 5, 3)])
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_twin(shape, training, dtype):
    x, p, dout = _case(shape, dtype)
    out, cache = batchnorm_forward(x, *p, training=training, momentum=0.9, epsilon=1e-3)
    dx, grads = batchnorm_backward(dout, cache)
    kout, kdx, kgrads = batchnorm_forward_and_grads(x, *p, dout, training, momentum=0.9, epsilon=1e-3)
    assert set(grads) == set(kgrads) == {"gamma", "beta"}
    np.testing.assert_allclose(out, kout, **TOL[dtype])
    np.testing.assert_allclose(dx, kdx, **TOL[dtype])
    for key in grads:
        np.testing.assert_allclose(grads[key], kgrads[key], **TOL[dtype])
    kmean, kvar = batchnorm_moving_statistics(x, *p, training, momentum=0.9, epsilon=1e-3)
    np.testing.assert_allclose(cache["running_mean"], kmean, **TOL[dtype])
    np.testing.assert_allclose(cache["running_var"], kvar, **TOL[dtype])


def test_moving_statistics_by_hand():
    # one feature, x = (1, 3): batch mean 2, biased variance 1; momentum 0.9 from running (0, 1):
    # mean 0.9·0 + 0.1·2 = 0.2, variance 0.9·1 + 0.1·1 = 1.0
    args = (np.array([[1.0], [3.0]]), np.ones(1), np.zeros(1), np.zeros(1), np.ones(1))
    mean, var = batchnorm_moving_statistics(*args, training=True, momentum=0.9)
    np.testing.assert_allclose(mean, [0.2])
    np.testing.assert_allclose(var, [1.0])
    mean, var = batchnorm_moving_statistics(*args, training=False, momentum=0.9)
    np.testing.assert_array_equal(mean, [0.0])                 # inference leaves them alone
    np.testing.assert_array_equal(var, [1.0])


def test_batchnorm_layer_holds_the_statistics():
    layer = batchnorm_layer(np.full(3, 2.0), np.ones(3), np.arange(3.0), np.full(3, 4.0), epsilon=0.0)
    # inference: 2 · (x − mean) / √4 + 1 = x − mean + 1
    np.testing.assert_allclose(layer(np.array([[5.0, 5.0, 5.0]]), training=False).numpy(), [[6.0, 5.0, 4.0]])


def test_dropout_twin_in_inference_and_scaling_in_training():
    x = np.random.default_rng(3).standard_normal((200, 50)).astype(np.float32)
    layer = keras.layers.Dropout(0.4)
    np.testing.assert_array_equal(dropout_forward(x, 0.4, training=False)[0], layer(x, training=False).numpy())
    kept = layer(x, training=True).numpy()
    ours = dropout_forward(x, 0.4, training=True, rng=0)[0]
    nz_k, nz_o = kept != 0, ours != 0
    np.testing.assert_allclose(kept[nz_k], x[nz_k] / 0.6, rtol=1e-6)          # same 1/(1 − rate) scaling
    np.testing.assert_allclose(ours[nz_o], x[nz_o] / 0.6, rtol=1e-6)
    assert abs(nz_k.mean() - 0.6) < 0.02 and abs(nz_o.mean() - 0.6) < 0.02
