"""Keras twins of :mod:`dlhelpers.scratch.pooling`, with gradients through GradientTape."""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

__all__ = ["pool_layer", "forward_and_grad"]

_LAYERS = {"max": keras.layers.MaxPooling2D, "average": keras.layers.AveragePooling2D,
           "global_max": keras.layers.GlobalMaxPooling2D, "global_average": keras.layers.GlobalAveragePooling2D}


def pool_layer(kind, pool_size=2, strides=None, padding="valid", dtype="float32"):
    """kind: "max", "average", "global_max" or "global_average"."""
    if kind.startswith("global"):
        return _LAYERS[kind](dtype=dtype)
    return _LAYERS[kind](pool_size=pool_size, strides=strides, padding=padding, dtype=dtype)


def forward_and_grad(kind, x, dout, **kwargs):
    layer = pool_layer(kind, dtype=str(np.asarray(x).dtype), **kwargs)
    xt = tf.Variable(np.asarray(x))
    with tf.GradientTape() as tape:
        out = layer(xt)
        target = tf.reduce_sum(out * dout)
    return out.numpy(), tape.gradient(target, xt).numpy()
