"""Keras twins of :mod:`dlhelpers.scratch.regularization`: BatchNormalization with given statistics.

(Dropout needs no helper: ``keras.layers.Dropout(rate)`` is already the inverted dropout of
``scratch.regularization.dropout_forward``; only its random mask differs.)
"""
from __future__ import annotations

import keras
import numpy as np

from .gradtape import forward_and_grads

__all__ = ["batchnorm_layer", "batchnorm_forward_and_grads", "batchnorm_moving_statistics"]


def batchnorm_layer(gamma, beta, running_mean, running_var, momentum=0.99, epsilon=1e-3, input_ndim=2):
    """A built BatchNormalization (axis −1) holding the given parameters and moving statistics.

    Args:
        gamma, beta: (D,) scale and shift; gamma's dtype becomes the layer's dtype.
        running_mean, running_var: (D,) moving statistics (Keras: ``moving_mean``, ``moving_variance``).
        momentum, epsilon: as in ``scratch.regularization.batchnorm_forward``.
        input_ndim: rank of the inputs it will see: 2 for (N, D), 4 for (N, H, W, C).

    Returns:
        The built ``keras.layers.BatchNormalization``.
    """
    gamma = np.asarray(gamma)
    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon, dtype=str(gamma.dtype))
    layer.build((None,) * (input_ndim - 1) + (gamma.shape[0],))
    layer.set_weights([gamma, np.asarray(beta), np.asarray(running_mean), np.asarray(running_var)])
    return layer


def batchnorm_forward_and_grads(x, gamma, beta, running_mean, running_var, dout, training=True, momentum=0.99,
                                epsilon=1e-3):
    """Keras's batch norm output and gradients for upstream ``dout``: the twin of forward + backward.

    Args:
        x: (N, D) or (N, H, W, C), converted to gamma's dtype.
        gamma, beta, running_mean, running_var: (D,) or (C,).
        dout: upstream gradient ∂L/∂out, x's shape.
        training: True normalises with the batch's statistics (and moves the running ones), False with
            the running statistics.
        momentum, epsilon: as in ``scratch.regularization.batchnorm_forward``.

    Returns:
        ``(out, dx, grads)`` with ``grads = {"gamma", "beta"}``, as ``batchnorm_forward`` + ``batchnorm_backward``.
        The moving statistics after such a call come from :func:`batchnorm_moving_statistics`.
    """
    layer = batchnorm_layer(gamma, beta, running_mean, running_var, momentum, epsilon, input_ndim=np.ndim(x))
    x = np.asarray(x, dtype=np.asarray(gamma).dtype)
    return forward_and_grads(layer, x, dout, {"gamma": layer.gamma, "beta": layer.beta}, training=training)


def batchnorm_moving_statistics(x, gamma, beta, running_mean, running_var, training=True, momentum=0.99,
                                epsilon=1e-3):
    """Keras's moving mean and variance after one call on ``x``: the rest of the twin of ``batchnorm_forward``.

    Args:
        x, gamma, beta, running_mean, running_var, training, momentum, epsilon: as in
            :func:`batchnorm_forward_and_grads` (no ``dout``: nothing is differentiated).

    Returns:
        ``(moving_mean, moving_variance)``, each (D,): ``momentum · running + (1 − momentum) · batch``
        in training, the unchanged running statistics in inference. The scratch twin returns them as
        the cache's running statistics of ``batchnorm_forward``.
    """
    layer = batchnorm_layer(gamma, beta, running_mean, running_var, momentum, epsilon, input_ndim=np.ndim(x))
    layer(np.asarray(x, dtype=np.asarray(gamma).dtype), training=training)
    return layer.moving_mean.numpy(), layer.moving_variance.numpy()
