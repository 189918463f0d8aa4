"""Keras twin of :mod:`dlhelpers.scratch.dense`: a Dense layer with given weights, its output and gradients."""
from __future__ import annotations

import keras
import numpy as np

from .gradtape import forward_and_grads

__all__ = ["dense_layer", "dense_forward_and_grads"]


def dense_layer(kernel, bias, activation=None):
    """A built ``keras.layers.Dense`` holding the given weights.

    Args:
        kernel: (in, units) array; its dtype becomes the layer's dtype.
        bias: (units,) array.
        activation: any Keras activation name, or None for the plain affine map.

    Returns:
        The built layer; ``layer(x)`` computes ``activation(x @ kernel + bias)``.
    """
    kernel = np.asarray(kernel)
    layer = keras.layers.Dense(kernel.shape[1], activation=activation, dtype=str(kernel.dtype))
    layer.build((None, kernel.shape[0]))
    layer.set_weights([kernel, np.asarray(bias)])
    return layer


def dense_forward_and_grads(x, kernel, bias, dout):
    """Keras's Dense output and its gradients for upstream ``dout``: the twin of forward + backward.

    Args:
        x: (N, in) input, converted to the kernel's dtype.
        kernel: (in, units); bias: (units,).
        dout: (N, units) upstream gradient ∂L/∂out.

    Returns:
        ``(out, dx, grads)``: out (N, units), dx (N, in) and ``{"kernel": (in, units), "bias": (units,)}``,
        the same as ``scratch.dense.dense_forward`` followed by ``dense_backward``.
    """
    layer = dense_layer(kernel, bias)
    x = np.asarray(x, dtype=np.asarray(kernel).dtype)
    return forward_and_grads(layer, x, dout, {"kernel": layer.kernel, "bias": layer.bias})
