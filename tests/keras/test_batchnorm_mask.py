"""Masking → BatchNormalization / PReLU → recurrent or Dense layers: the scratch model and its Keras twin agree.

Keras's BatchNormalization takes the batch statistics (and so the moving statistics) over the real steps only
and passes the mask on; PReLU passes it on. Compared in float64: one training forward pass's loss, every
gradient and the moving statistics after it, inference afterwards, and one SGD step.
"""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
import keras  # noqa: E402
from dlhelpers.keras import losses as KL  # noqa: E402
from dlhelpers.keras.gradtape import forward_and_grads  # noqa: E402
from dlhelpers.keras.network import model_from_scratch  # noqa: E402
from tests.keras.parity import assert_sgd_step_matches_keras  # noqa: E402
from dlhelpers.keras.weights import named_variables  # noqa: E402
from dlhelpers.scratch.network import (GRU, LSTM, BatchNormalization, Dense, Masking, PReLU,  # noqa: E402
                                       Sequential)
from dlhelpers.scratch.regularization import batchnorm_backward, batchnorm_forward  # noqa: E402

TOL64 = dict(rtol=1e-10, atol=1e-12)
T, D = 6, 3

MODELS = {   # name: (layers, loss, output masked)
    "bn lstm many-to-one": (lambda: [Masking(), BatchNormalization(momentum=0.9), LSTM(4), Dense(2)], "mse", False),
    "bn dense on sequences": (lambda: [Masking(), BatchNormalization(momentum=0.9), Dense(3, "softmax")],
                              "sparse_categorical_crossentropy", True),
    "prelu lstm many-to-one": (lambda: [Masking(), PReLU(), LSTM(3)], "mse", False),
    "dense bn lstm many-to-one": (lambda: [Masking(), Dense(4), BatchNormalization(momentum=0.9), LSTM(3)], "mse",
                                  False),                        # dL/dx of the batch norm reaches the Dense kernel
    "bn prelu gru many-to-many": (lambda: [Masking(), BatchNormalization(), PReLU(), GRU(3, return_sequences=True),
                                           Dense(2)], "mse", True),
}


def _model(name, seed=1):
    layers, loss, _ = MODELS[name]
    net = Sequential(layers(), input_shape=(T, D), rng=seed).compile(loss)
    rng = np.random.default_rng(seed + 10)
    for p in net.params.values():                      # move gamma, beta, alpha and the biases off their start
        p += 0.2 * rng.standard_normal(p.shape)
    for layer in net.layers:
        if isinstance(layer, BatchNormalization):     # moving statistics away from (0, 1)
            F = layer.params["gamma"].size
            layer.state = {"moving_mean": 0.3 * rng.standard_normal(F), "moving_variance": rng.uniform(0.5, 2, F)}
    return net, loss


def _data(net, loss, seed=0, N=5):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, D)) * 2 + 1
    x[0, 4:] = 0.0                                     # post-padding
    x[2, :2] = 0.0                                     # pre-padding
    x[3, 3] = 0.0                                      # a hole
    out = net.output_shape
    if loss == "sparse_categorical_crossentropy":
        y = rng.integers(0, out[-1], (N, *out[:-1]))
    else:
        y = rng.standard_normal((N, *out))
    return x, y


@pytest.mark.parametrize("dtype, tol", [(np.float64, TOL64), (np.float32, dict(rtol=1e-4, atol=1e-4))])
def test_masked_batchnorm_functions_against_the_keras_layer(dtype, tol):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((4, T, D)) * 3 + 1).astype(dtype)
    mask = np.ones((4, T), bool)
    mask[0, 4:], mask[1, :3], mask[3, 2] = False, False, False
    gamma, beta = rng.uniform(0.5, 2, D).astype(dtype), rng.standard_normal(D).astype(dtype)
    mean0, var0 = rng.standard_normal(D).astype(dtype), rng.uniform(0.5, 2, D).astype(dtype)
    dout = rng.standard_normal(x.shape).astype(dtype)
    out, cache = batchnorm_forward(x, gamma, beta, mean0, var0, momentum=0.9, mask=mask)
    dx, grads = batchnorm_backward(dout, cache)
    kl = keras.layers.BatchNormalization(momentum=0.9, dtype=np.dtype(dtype).name)
    kl.build((None, T, D))
    kl.set_weights([gamma, beta, mean0, var0])
    kout, kdx, kgrads = forward_and_grads(lambda t: kl(t, training=True, mask=mask), x, dout,
                                          {"gamma": kl.gamma, "beta": kl.beta})
    np.testing.assert_allclose(out, kout, **tol)
    np.testing.assert_allclose(dx, kdx, **tol)                          # padding: through the normalisation only
    for key in ("gamma", "beta"):
        np.testing.assert_allclose(grads[key], kgrads[key], err_msg=key, **tol)
    np.testing.assert_allclose(cache["running_mean"], kl.moving_mean.numpy(), **tol)
    np.testing.assert_allclose(cache["running_var"], kl.moving_variance.numpy(), **tol)


def _bn_layers(net):
    return [l for l in net.layers if isinstance(l, BatchNormalization)]


@pytest.mark.parametrize("name", list(MODELS))
def test_training_pass_loss_gradients_and_moving_statistics(name):
    net, loss = _model(name)
    km = model_from_scratch(net, dtype="float64")
    x, y = _data(net, loss)
    np.testing.assert_allclose(km(x, training=False).numpy(), net.predict(x), **TOL64)
    yy = net._prepare_y(y, len(x), "test")
    out = net.forward(x, training=True)
    assert (net.output_mask is not None) == MODELS[name][2]            # the mask got through to the loss
    net.backward(net._loss_grad(yy, out, net.output_mask))
    kE, _, kgrads = forward_and_grads(lambda t: KL.get(loss, dtype="float64")(y, km(t, training=True)), x, 1.0,
                                      named_variables(km))
    assert float(kE) == pytest.approx(net._loss(yy, out, net.output_mask), rel=1e-10)
    sgrads = net.grads
    assert set(sgrads) == set(net.params) == set(kgrads)
    for key in sgrads:
        np.testing.assert_allclose(sgrads[key], kgrads[key], err_msg=key, **TOL64)
    for layer in _bn_layers(net):                                     # one update, from the real steps only
        kl = km.get_layer(layer.name)
        np.testing.assert_allclose(layer.state["moving_mean"], kl.moving_mean.numpy(), **TOL64)
        np.testing.assert_allclose(layer.state["moving_variance"], kl.moving_variance.numpy(), **TOL64)
    np.testing.assert_allclose(km(x, training=False).numpy(), net.predict(x), **TOL64)   # inference afterwards


def test_the_padding_does_not_reach_the_moving_statistics():
    net, loss = _model("bn lstm many-to-one")
    km = model_from_scratch(net, dtype="float64")
    x, _ = _data(net, loss)
    unmasked = Sequential([BatchNormalization(momentum=0.9), LSTM(4), Dense(2)], input_shape=(T, D))
    unmasked.set_weights(net.get_weights())
    net.forward(x, training=True)
    unmasked.forward(x, training=True)
    km(x, training=True)
    bn, kbn = net.layers[1], km.get_layer(net.layers[1].name)
    np.testing.assert_allclose(bn.state["moving_mean"], kbn.moving_mean.numpy(), **TOL64)
    assert not np.allclose(unmasked.layers[0].state["moving_mean"], kbn.moving_mean.numpy(), rtol=1e-3)


@pytest.mark.parametrize("name, lr", [("bn lstm many-to-one", 0.5), ("bn dense on sequences", 0.25),
                                      ("bn prelu gru many-to-many", 0.125)])
def test_one_sgd_step_equals_keras_train_on_batch(name, lr):
    net, loss = _model(name)
    x, y = _data(net, loss, seed=4, N=6)
    assert_sgd_step_matches_keras(net, loss, x, y, lr)
