"""Keras twin of :mod:`dlhelpers.scratch.gru`: a GRU layer (reset_after=True) with given weights, outputs and gradients."""
from __future__ import annotations

import keras
import numpy as np

from .rnn import _build, _dtype, _units, recurrent_forward_and_grads

__all__ = ["gru_layer", "gru_forward_and_grads"]


def gru_layer(params, return_sequences=True):
    """A built ``keras.layers.GRU(reset_after=True)`` holding ``params`` (kernel (D, 3U), recurrent_kernel (U, 3U), bias (2, 3U))."""
    layer = keras.layers.GRU(_units(params), return_sequences=return_sequences, reset_after=True,
                             dtype=_dtype(params))
    return _build(layer, params, np.asarray(params["kernel"]).shape[0])


def gru_forward_and_grads(x, params, dout, h0=None, mask=None):
    """Keras's GRU output (all steps) and gradients: the twin of ``gru_forward`` + ``gru_backward``.

    Returns:
        ``(h_seq, dx, grads)``; grads ``{"kernel", "recurrent_kernel", "bias"}`` (+ ``"h0"`` when given).
    """
    return recurrent_forward_and_grads(gru_layer(params), x, dout, None if h0 is None else {"h0": h0}, mask)
