"""Keras twin of :mod:`dlhelpers.scratch.backprop_example`: the 2-2-2 worked example, differentiated by TensorFlow.

The scratch example derives every ∂E/∂w by the chain rule; here the same network is a float64
``keras.Sequential`` of two sigmoid Dense layers holding ``example.keras_weights()``, and
``tf.GradientTape`` differentiates E = ½(t1 − o1)² + ½(t2 − o2)². Keras's kernels are
(inputs, units), so w1, w2 (into h1) form the hidden kernel's first *column*:
hidden kernel [[w1, w3], [w2, w4]], output kernel [[w5, w7], [w6, w8]].
"""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

from .._checks import _fail
from ..scratch.backprop_example import BackpropExample
from .gradtape import forward_and_grads

__all__ = ["backprop_model", "gradients"]

# weight name → (layer, row, column) in Keras's kernels
_POSITIONS = {"w1": ("hidden", 0, 0), "w2": ("hidden", 1, 0), "w3": ("hidden", 0, 1), "w4": ("hidden", 1, 1),
              "w5": ("output", 0, 0), "w6": ("output", 1, 0), "w7": ("output", 0, 1), "w8": ("output", 1, 1)}


def _check_example(example, func):
    if not isinstance(example, BackpropExample):
        _fail("example", func, "a dlhelpers.scratch.backprop_example.BackpropExample", type(example).__name__,
              "Create one with BackpropExample() (the notes' numbers) or BackpropExample(w=..., b=...).",
              exc=TypeError)


def backprop_model(example):
    """The example's 2-2-2 network as a float64 Keras model holding its weights.

    Args:
        example: a scratch ``BackpropExample``.

    Returns:
        ``keras.Sequential`` with Dense layers ``"hidden"`` and ``"output"`` (2 sigmoid units each);
        ``model(np.array([example.x]))`` is ``[[out_y1, out_y2]]``.
    """
    _check_example(example, "backprop_model")
    model = keras.Sequential([keras.Input((2,), dtype="float64"),
                              keras.layers.Dense(2, activation="sigmoid", dtype="float64", name="hidden"),
                              keras.layers.Dense(2, activation="sigmoid", dtype="float64", name="output")],
                             name="backprop_example")
    model.set_weights(example.keras_weights())
    return model


def gradients(example) -> dict:
    """E_total and ∂E/∂w1 … ∂E/∂w8 of the worked example, computed by Keras and ``tf.GradientTape``.

    Args:
        example: a scratch ``BackpropExample`` (inputs, eight weights, biases, targets).

    Returns:
        ``{"E_total": float, "dE/dw1": float, ..., "dE/dw8": float}``: the keys of ``example.gradients()``
        for the eight weights, plus the error; each should equal the hand-derived value to ~1e-12.

    Example:
        >>> g = gradients(BackpropExample())
        >>> round(g["E_total"], 9), round(g["dE/dw5"], 9)
        (0.298371109, 0.082167041)
    """
    _check_example(example, "gradients")
    model = backprop_model(example)
    t = np.array([example.t])                                   # (1, 2)
    kernels = {name: model.get_layer(name).kernel for name in ("hidden", "output")}

    def squared_error(x):                                       # E = Σ ½(t − o)²
        return ops.sum(0.5 * (t - model(x)) ** 2)

    E, _, g = forward_and_grads(squared_error, np.array([example.x]), 1.0, kernels)
    out = {"E_total": float(E)}
    for w, (layer, row, col) in _POSITIONS.items():
        out[f"dE/d{w}"] = float(g[layer][row, col])
    return out
