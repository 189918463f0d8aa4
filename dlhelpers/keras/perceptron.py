"""Keras twin of :mod:`dlhelpers.scratch.perceptron`: a Dense unit followed by the hard threshold."""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

__all__ = ["perceptron_model"]


def perceptron_model(weights, outputs="bipolar"):
    """A Keras model computing φ(w0 + w1·x1 + … + wd·xd) with the given weights: the scratch perceptron's twin.

    Args:
        weights: [w0, w1, ..., wd], the bias first, as ``scratch.perceptron.Perceptron.weights``.
        outputs: ``"bipolar"``: +1 if z ≥ 0 else −1; ``"binary"``: 1 if z > 0 else 0.

    Returns:
        A float64 ``keras.Model`` taking (N, d) and returning (N, 1); its Dense layer is ``"net_input"``.
        The threshold has no gradient, which is why the perceptron learns by its own rule.
    """
    w = np.asarray(weights, dtype="float64")
    if w.ndim != 1 or w.size < 2:
        raise ValueError(f"weights must be [w0, w1, ..., wd] (1-D, at least 2 numbers) for perceptron_model; "
                         f"got shape {w.shape}. Pass the bias first, e.g. perceptron.weights.")
    if outputs not in ("bipolar", "binary"):
        raise ValueError(f"outputs must be 'bipolar' or 'binary' for perceptron_model; got {outputs!r}. "
                         "Use the scratch perceptron's outputs setting.")
    inp = keras.Input((w.size - 1,), dtype="float64")
    dense = keras.layers.Dense(1, dtype="float64", name="net_input")
    z = dense(inp)
    if outputs == "bipolar":
        out = keras.layers.Lambda(lambda t: ops.where(t >= 0, 1.0, -1.0), name="sign")(z)
    else:
        out = keras.layers.Lambda(lambda t: ops.cast(t > 0, "float64"), name="step")(z)
    model = keras.Model(inp, out, name="perceptron")
    dense.set_weights([w[1:, None], w[:1]])
    return model
