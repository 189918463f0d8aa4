"""Conv, pooling, batch norm and dropout: scratch ↔ Keras outputs and gradients on random shapes."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401
import keras  # noqa: E402
from dlhelpers.keras.conv import conv2d_forward_and_grads  # noqa: E402
from dlhelpers.keras.pooling import forward_and_grad  # noqa: E402
from dlhelpers.keras.regularization import batchnorm_forward_and_grads  # noqa: E402
from dlhelpers.scratch import pooling as P  # noqa: E402
from dlhelpers.scratch.conv import conv2d_backward, conv2d_forward  # noqa: E402
from dlhelpers.scratch.regularization import batchnorm_backward, batchnorm_forward, dropout_forward  # noqa: E402

F32 = dict(rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("strides, padding", [(1, "valid"), (2, "valid"), (1, "same"), (2, "same"), (1, 2),
                                              ((2, 1), "same")])
def test_conv2d_twin(strides, padding):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 9, 8, 3)).astype(np.float32)
    k = rng.standard_normal((3, 3, 3, 5)).astype(np.float32)
    b = rng.standard_normal(5).astype(np.float32)
    out, cache = conv2d_forward(x, k, b, strides, padding)
    dout = rng.standard_normal(out.shape).astype(np.float32)
    dx, grads = conv2d_backward(dout, cache)
    kout, kdx, kgrads = conv2d_forward_and_grads(x, k, b, dout, strides, padding)
    np.testing.assert_allclose(out, kout, **F32)
    np.testing.assert_allclose(dx, kdx, **F32)
    np.testing.assert_allclose(grads["kernel"], kgrads["kernel"], **F32)
    np.testing.assert_allclose(grads["bias"], kgrads["bias"], **F32)


@pytest.mark.parametrize("kind, kwargs", [("max", dict(pool_size=2)), ("max", dict(pool_size=3, strides=2, padding="same")),
                                          ("average", dict(pool_size=2)), ("average", dict(pool_size=3, strides=1, padding="same")),
                                          ("average", dict(pool_size=(2, 3), strides=(1, 2))),
                                          ("global_max", {}), ("global_average", {})])
def test_pooling_twins(kind, kwargs):
    rng = np.random.default_rng(1)
    x = (rng.permutation(2 * 7 * 6 * 3).reshape(2, 7, 6, 3) * 0.01).astype(np.float32)
    if kind.startswith("global"):
        fwd, bwd = getattr(P, f"{kind}_pool2d"), getattr(P, f"{kind}_pool2d_backward")
        out, cache = fwd(x)
    else:
        fwd, bwd = getattr(P, f"{kind}_pool2d_forward"), getattr(P, f"{kind}_pool2d_backward")
        out, cache = fwd(x, kwargs.get("pool_size", 2), kwargs.get("strides"), kwargs.get("padding", "valid"))
    dout = rng.standard_normal(out.shape).astype(np.float32)
    dx, _ = bwd(dout, cache)
    kout, kdx = forward_and_grad(kind, x, dout, **kwargs)
    np.testing.assert_allclose(out, kout, **F32)
    np.testing.assert_allclose(dx, kdx, **F32)


@pytest.mark.parametrize("shape", [(16, 6), (4, 5, 5, 3)])
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_twin(shape, training):
    rng = np.random.default_rng(2)
    D = shape[-1]
    p = [rng.uniform(0.5, 2, D), rng.standard_normal(D), rng.standard_normal(D), rng.uniform(0.5, 2, D)]
    p = [a.astype(np.float32) for a in p]
    x = (rng.standard_normal(shape) * 3 + 1).astype(np.float32)
    dout = rng.standard_normal(shape).astype(np.float32)
    out, cache = batchnorm_forward(x, *p, training=training, momentum=0.9, epsilon=1e-3)
    dx, grads = batchnorm_backward(dout, cache)
    kout, kdx, kgrads, kmean, kvar = batchnorm_forward_and_grads(x, *p, dout, training, momentum=0.9, epsilon=1e-3)
    np.testing.assert_allclose(out, kout, **F32)
    np.testing.assert_allclose(dx, kdx, **F32)
    for key in ("gamma", "beta"):
        np.testing.assert_allclose(grads[key], kgrads[key], **F32)
    np.testing.assert_allclose(cache["running_mean"], kmean, **F32)
    np.testing.assert_allclose(cache["running_var"], kvar, **F32)


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


def test_scratch_cnn_twin_outputs_and_gradients():
    import tensorflow as tf
    from dlhelpers.keras.losses import get as keras_loss
    from dlhelpers.keras.network import from_scratch
    from dlhelpers.scratch.network import (BatchNormalization, Conv2D, Dense, Flatten, GlobalAveragePooling2D,
                                           MaxPooling2D, Sequential)
    rng = np.random.default_rng(5)
    net = Sequential([Conv2D(4, 3, padding="same", activation="relu"), BatchNormalization(), MaxPooling2D(2),
                      Conv2D(6, 2, strides=1, padding=1, activation="tanh"), GlobalAveragePooling2D(),
                      Dense(8, "relu"), Dense(3, "softmax")], input_shape=(8, 8, 2), rng=0)
    net.layers[1].state = {"moving_mean": rng.standard_normal(4) * 0.1, "moving_variance": rng.uniform(0.5, 2, 4)}
    net.compile("sparse_categorical_crossentropy")
    x = rng.standard_normal((5, 8, 8, 2))
    y = rng.integers(0, 3, 5)
    km = from_scratch(net)
    np.testing.assert_allclose(net.predict(x), km(x.astype(np.float32), training=False).numpy(), rtol=1e-4, atol=1e-5)
    out = net.forward(x, training=False)
    net.backward(net.loss.grad(y, out))
    with tf.GradientTape() as tape:
        loss = keras_loss("sparse_categorical_crossentropy")(y, km(x.astype(np.float32), training=False))
    kgrads = tape.gradient(loss, km.trainable_weights)
    sgrads = [g for l in net.layers for g in l.grads.values()]
    assert len(kgrads) == len(sgrads) == 10            # kernels and biases, gamma and beta
    for s, k in zip(sgrads, kgrads):
        np.testing.assert_allclose(s, k.numpy(), rtol=1e-3, atol=1e-5)
