"""Keras twin of :mod:`dlhelpers.scratch.conv`: a Conv2D holding given weights, and its gradients."""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

__all__ = ["conv2d_layer", "conv2d_forward_and_grads"]


def conv2d_layer(kernel, bias=None, strides=1, padding="valid", activation=None):
    """A built Keras model doing the same convolution as ``scratch.conv.conv2d_forward``.

    Keras's Conv2D knows "valid" and "same"; an int padding p becomes ZeroPadding2D(p) + "valid".
    """
    kernel = np.asarray(kernel)
    KH, KW, C, F = kernel.shape
    bias = np.zeros(F, kernel.dtype) if bias is None else np.asarray(bias)
    dtype = str(kernel.dtype)
    layers = [keras.Input((None, None, C), dtype=dtype)]
    if not isinstance(padding, str):
        layers.append(keras.layers.ZeroPadding2D(int(padding), dtype=dtype))
        padding = "valid"
    conv = keras.layers.Conv2D(F, (KH, KW), strides=strides, padding=padding, activation=activation, dtype=dtype,
                               name="conv")
    layers.append(conv)
    model = keras.Sequential(layers)
    conv.set_weights([kernel, bias])
    return model


def conv2d_forward_and_grads(x, kernel, bias, dout, strides=1, padding="valid"):
    """Keras's output and, for upstream gradient ``dout``, (dx, {"kernel", "bias"}) from GradientTape."""
    model = conv2d_layer(kernel, bias, strides, padding)
    conv = model.get_layer("conv")
    xt = tf.Variable(np.asarray(x, dtype=np.asarray(kernel).dtype))
    with tf.GradientTape() as tape:
        out = model(xt)
        target = tf.reduce_sum(out * dout)
    dx, dk, db = tape.gradient(target, [xt, conv.kernel, conv.bias])
    return out.numpy(), dx.numpy(), {"kernel": dk.numpy(), "bias": db.numpy()}
