"""Regularization layers in NumPy. For now: inverted dropout.

Inverted dropout zeroes each unit with probability ``rate`` during training and scales
the survivors by 1 / (1 − rate), so the expected activation is unchanged and inference
needs no rescaling (Keras's Dropout does the same).
"""
from __future__ import annotations

import numpy as np

from .._checks import as_array, check_in_range, check_rng

__all__ = ["dropout_forward", "dropout_backward"]


def dropout_forward(x, rate: float, training: bool = True, rng=None):
    """Returns ``(out, cache)``; with ``training=False`` (or rate 0) the input passes unchanged.

    Shapes: any; the mask has x's shape.
    """
    x = as_array(x, "x", "dropout_forward")
    check_in_range(rate, "rate", "dropout_forward", 0.0, 1.0)
    if not training or rate == 0:
        return x, None
    rng = check_rng(rng, "dropout_forward")
    keep = 1.0 - rate
    mask = (rng.random(x.shape) < keep).astype(x.dtype) / keep
    return x * mask, mask


def dropout_backward(dout, cache):
    """The gradient flows through the kept units with the same 1/(1 − rate) scale."""
    mask = cache
    dout = as_array(dout, "dout", "dropout_backward")
    return (dout if mask is None else dout * mask), {}
