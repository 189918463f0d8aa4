"""Keras twins of :mod:`dlhelpers.scratch.pooling`, with gradients through GradientTape."""
from __future__ import annotations

import keras
import numpy as np

from .._checks import check_choice
from .gradtape import forward_and_grads

__all__ = ["pool_layer", "pool2d_forward_and_grads", "POOL_LAYERS"]

#: pooling kind → Keras layer class (the scratch twins: max_pool2d_forward, average_pool2d_forward,
#: global_max_pool2d, global_average_pool2d)
POOL_LAYERS = {"max": keras.layers.MaxPooling2D, "average": keras.layers.AveragePooling2D,
               "global_max": keras.layers.GlobalMaxPooling2D,
               "global_average": keras.layers.GlobalAveragePooling2D}


def pool_layer(kind, pool_size=2, strides=None, padding="valid", dtype="float32"):
    """The Keras pooling layer of the given kind.

    Args:
        kind: "max", "average", "global_max" or "global_average".
        pool_size, strides, padding: as in ``scratch.pooling.max_pool2d_forward`` (ignored by the global kinds).
        dtype: the layer's dtype.

    Returns:
        A Keras layer taking (N, H, W, C); global kinds return (N, C).
    """
    check_choice(kind, "kind", "pool_layer", POOL_LAYERS)
    if kind.startswith("global"):
        return POOL_LAYERS[kind](dtype=dtype)
    return POOL_LAYERS[kind](pool_size=pool_size, strides=strides, padding=padding, dtype=dtype)


def pool2d_forward_and_grads(kind, x, dout, **kwargs):
    """Keras's pooling output and gradient for upstream ``dout``: the twin of a scratch forward + backward.

    Args:
        kind: "max", "average", "global_max" or "global_average".
        x: (N, H, W, C) input; its dtype becomes the layer's dtype.
        dout: upstream gradient ∂L/∂out, the output's shape.
        **kwargs: ``pool_size``, ``strides``, ``padding`` for :func:`pool_layer`.

    Returns:
        ``(out, dx, grads)``: out, dx (N, H, W, C) and ``grads = {}`` (pooling has no parameters),
        the same shape of result as the other ``*_forward_and_grads`` twins.
    """
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype("float32")
    layer = pool_layer(kind, dtype=str(x.dtype), **kwargs)
    return forward_and_grads(layer, x, dout, {})
