"""Keras twins of :mod:`dlhelpers.scratch.regularization`: Dropout and BatchNormalization."""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

__all__ = ["batchnorm_layer", "batchnorm_forward_and_grads"]


def batchnorm_layer(gamma, beta, running_mean, running_var, momentum=0.99, epsilon=1e-3, input_ndim=2):
    """A built BatchNormalization (axis −1) holding the given parameters and moving statistics."""
    gamma = np.asarray(gamma)
    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon, dtype=str(gamma.dtype))
    layer.build((None,) * (input_ndim - 1) + (gamma.shape[0],))
    layer.set_weights([gamma, np.asarray(beta), np.asarray(running_mean), np.asarray(running_var)])
    return layer


def batchnorm_forward_and_grads(x, gamma, beta, running_mean, running_var, dout, training, **kwargs):
    """Output, (dx, {"gamma", "beta"}) and the moving statistics after the call."""
    layer = batchnorm_layer(gamma, beta, running_mean, running_var, input_ndim=np.ndim(x), **kwargs)
    xt = tf.Variable(np.asarray(x, dtype=np.asarray(gamma).dtype))
    with tf.GradientTape() as tape:
        out = layer(xt, training=training)
        target = tf.reduce_sum(out * dout)
    dx, dg, db = tape.gradient(target, [xt, layer.gamma, layer.beta])
    return (out.numpy(), dx.numpy(), {"gamma": dg.numpy(), "beta": db.numpy()},
            layer.moving_mean.numpy(), layer.moving_variance.numpy())
