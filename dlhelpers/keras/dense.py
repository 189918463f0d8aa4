"""Keras twin of :mod:`dlhelpers.scratch.dense`: a Dense layer with given weights, its output and gradients."""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

__all__ = ["dense_layer", "dense_forward_and_grads"]


def dense_layer(kernel, bias, activation=None):
    """A built ``keras.layers.Dense`` holding ``kernel`` (in, units) and ``bias`` (units,)."""
    kernel = np.asarray(kernel)
    layer = keras.layers.Dense(kernel.shape[1], activation=activation, dtype=str(kernel.dtype))
    layer.build((None, kernel.shape[0]))
    layer.set_weights([kernel, np.asarray(bias)])
    return layer


def dense_forward_and_grads(x, kernel, bias, dout):
    """Output of Keras's Dense and, for upstream gradient ``dout``, (dx, {"kernel", "bias"}) via GradientTape."""
    layer = dense_layer(kernel, bias)
    xt = tf.Variable(np.asarray(x, dtype=np.asarray(kernel).dtype))
    with tf.GradientTape() as tape:
        out = layer(xt)
        target = tf.reduce_sum(out * dout)      # d(target)/d(out) = dout
    dx, dk, db = tape.gradient(target, [xt, layer.kernel, layer.bias])
    return out.numpy(), dx.numpy(), {"kernel": dk.numpy(), "bias": db.numpy()}
