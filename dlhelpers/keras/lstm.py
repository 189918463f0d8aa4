"""Keras twin of :mod:`dlhelpers.scratch.lstm`: an LSTM layer with given weights, its outputs and gradients."""
from __future__ import annotations

import keras
import numpy as np

from .rnn import _build, _dtype, _units, recurrent_forward_and_grads

__all__ = ["lstm_layer", "lstm_forward_and_grads"]


def lstm_layer(params, return_sequences=True):
    """A built ``keras.layers.LSTM`` holding ``params`` (kernel (D, 4U), recurrent_kernel (U, 4U), bias (4U,); i, f, c, o)."""
    layer = keras.layers.LSTM(_units(params), return_sequences=return_sequences, dtype=_dtype(params))
    return _build(layer, params, np.asarray(params["kernel"]).shape[0])


def lstm_forward_and_grads(x, params, dout, h0=None, c0=None, mask=None):
    """Keras's LSTM output (all steps) and gradients: the twin of ``lstm_forward`` + ``lstm_backward``.

    Args:
        x: (N, T, D); params: as the scratch twin; dout: (N, T, U); h0, c0: (N, U) or None (both or
            neither, as Keras takes both initial states); mask: (N, T) bool or None.

    Returns:
        ``(h_seq, dx, grads)``; grads ``{"kernel", "recurrent_kernel", "bias"}`` (+ ``"h0"``, ``"c0"`` when given).
    """
    if (h0 is None) != (c0 is None):
        raise ValueError("h0 and c0 must both be given or both be None for lstm_forward_and_grads; got one of them. "
                         "Keras's LSTM takes initial_state=[h0, c0]; pass zeros for the one you do not need.")
    states = None if h0 is None else {"h0": h0, "c0": c0}
    return recurrent_forward_and_grads(lstm_layer(params), x, dout, states, mask)
