"""Keras twins of :mod:`dlhelpers.scratch.rnn` (SimpleRNN, Bidirectional) and the shared recurrent helper.

Every ``*_layer`` builds a Keras layer with ``return_sequences=True`` holding the given weights (Keras's
names and layouts are the scratch ones), and every ``*_forward_and_grads`` returns what the scratch
forward + backward return: ``(out, dx, grads)``, ``grads`` keyed like the scratch params, with
``"h0"``/``"c0"`` when initial states were given.
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from .activations import keras_activation
from .gradtape import forward_and_grads

__all__ = ["simple_rnn_layer", "simple_rnn_forward_and_grads", "bidirectional_layer",
           "bidirectional_forward_and_grads", "recurrent_forward_and_grads", "RECURRENT_LAYERS"]


def _weights(params):
    return [np.asarray(params[k]) for k in ("kernel", "recurrent_kernel", "bias")]


def _build(layer, params, D):
    layer.build((None, None, D))
    layer.set_weights(_weights(params))
    return layer


def _units(params):
    return np.asarray(params["recurrent_kernel"]).shape[0]


def _dtype(params):
    return str(np.asarray(params["kernel"]).dtype)


def simple_rnn_layer(params, activation="tanh", return_sequences=True):
    """A built ``keras.layers.SimpleRNN`` holding ``params`` (kernel (D, U), recurrent_kernel (U, U), bias (U,)).

    ``activation`` is a scratch name (:data:`dlhelpers.scratch.rnn.RNN_ACTIVATIONS`), turned into the Keras
    activation computing the same function (e.g. leaky_relu with the scratch slope 0.3, not Keras's 0.2).
    """
    layer = keras.layers.SimpleRNN(_units(params), activation=keras_activation(activation),
                                   return_sequences=return_sequences,
                                   dtype=_dtype(params))
    return _build(layer, params, np.asarray(params["kernel"]).shape[0])


def _lstm_layer(params, return_sequences=True):
    from .lstm import lstm_layer
    return lstm_layer(params, return_sequences=return_sequences)


def _gru_layer(params, return_sequences=True):
    from .gru import gru_layer
    return gru_layer(params, return_sequences=return_sequences)


#: scratch cell name → builder(params) of its Keras layer
RECURRENT_LAYERS = {"simple_rnn": simple_rnn_layer, "lstm": _lstm_layer, "gru": _gru_layer}


def recurrent_forward_and_grads(layer, x, dout, initial_states=None, mask=None, variables=None):
    """Run a recurrent Keras layer under ``tf.GradientTape``: its output and the gradients for upstream ``dout``.

    Args:
        layer: a built Keras recurrent layer (SimpleRNN, LSTM, GRU or Bidirectional) returning sequences.
        x: (N, T, D); converted to the layer's dtype.
        dout: (N, T, ·) ∂L/∂out.
        initial_states: dict ``{"h0": (N, U)}`` or ``{"h0": ..., "c0": ...}`` (LSTM), or None; their
            gradients come back under the same names.
        mask: (N, T) bool or None, passed as ``layer(x, mask=mask)`` (what a ``Masking`` layer would pass).
        variables: dict name → Keras variable (default: the cell's kernel, recurrent_kernel and bias).

    Returns:
        ``(out, dx, grads)`` as NumPy.
    """
    dtype = layer.dtype if isinstance(layer.dtype, str) else "float32"
    x = np.asarray(x, dtype=dtype)
    if variables is None:
        cell = layer.cell
        variables = {"kernel": cell.kernel, "recurrent_kernel": cell.recurrent_kernel, "bias": cell.bias}
    states = {k: tf.Variable(np.asarray(v, dtype=dtype)) for k, v in (initial_states or {}).items()}
    kwargs = {}
    if states:
        kwargs["initial_state"] = [states[k] for k in ("h0", "c0") if k in states]
    if mask is not None:
        kwargs["mask"] = tf.constant(np.asarray(mask, dtype=bool))
    return forward_and_grads(lambda t: layer(t, **kwargs), x, dout, {**variables, **states})


def simple_rnn_forward_and_grads(x, params, dout, h0=None, activation="tanh", mask=None):
    """Keras's SimpleRNN output (all steps) and gradients: the twin of ``simple_rnn_forward`` + ``simple_rnn_backward``.

    Returns:
        ``(h_seq, dx, grads)``; grads ``{"kernel", "recurrent_kernel", "bias"}`` (+ ``"h0"`` when given).
    """
    layer = simple_rnn_layer(params, activation=activation)
    return recurrent_forward_and_grads(layer, x, dout, None if h0 is None else {"h0": h0}, mask)


def bidirectional_layer(params, cell="lstm", merge_mode="concat"):
    """A built ``keras.layers.Bidirectional`` over ``cell`` holding ``params = {"forward": ..., "backward": ...}``.

    Keras's weights come forward layer first, then backward layer, each in (kernel, recurrent_kernel, bias) order.
    """
    fw, bw = params["forward"], params["backward"]
    inner = RECURRENT_LAYERS[cell](fw)
    layer = keras.layers.Bidirectional(inner, merge_mode=merge_mode, dtype=_dtype(fw))
    layer.build((None, None, np.asarray(fw["kernel"]).shape[0]))
    layer.set_weights(_weights(fw) + _weights(bw))
    return layer


def bidirectional_forward_and_grads(x, params, dout, cell="lstm", merge_mode="concat", mask=None):
    """Keras's Bidirectional output and gradients: the twin of ``bidirectional_forward`` + ``bidirectional_backward``.

    Returns:
        ``(out, dx, {"forward": {...}, "backward": {...}})``.
    """
    layer = bidirectional_layer(params, cell, merge_mode)
    variables = {}
    for side, sub in (("forward", layer.forward_layer), ("backward", layer.backward_layer)):
        c = sub.cell
        variables.update({f"{side}/kernel": c.kernel, f"{side}/recurrent_kernel": c.recurrent_kernel,
                          f"{side}/bias": c.bias})
    out, dx, flat = recurrent_forward_and_grads(layer, x, dout, mask=mask, variables=variables)
    grads = {"forward": {}, "backward": {}}
    for key, g in flat.items():
        side, name = key.split("/")
        grads[side][name] = g
    return out, dx, grads
