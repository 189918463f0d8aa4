"""One way to ask TensorFlow for the gradients a scratch backward pass computes.

A scratch backward pass takes the upstream gradient ``dout`` = ∂L/∂out and returns
``(dx, grads)``. TensorFlow gets the same numbers from ``tf.GradientTape`` if we hand it the
scalar ``target = Σ out · dout``: its gradient with respect to ``out`` is exactly ``dout``, so by
the chain rule ∂target/∂x is the scratch ``dx`` and ∂target/∂w the scratch ``grads[w]``.
Every ``*_forward_and_grads`` twin in :mod:`dlhelpers.keras` is this one call with the right
layer and variable names.
"""
from __future__ import annotations

import numpy as np
import tensorflow as tf

from .._checks import _fail, as_array

__all__ = ["forward_and_grads"]


def forward_and_grads(layer, x, dout, variables=None, training=None):
    """Run ``layer`` on ``x`` under ``tf.GradientTape`` and return what a scratch backward pass returns.

    The tape records ``target = sum(out * dout)``, whose gradient with respect to ``out`` is
    ``dout``; the gradients of ``target`` are then the backward pass's ``dx`` and ``grads``.

    Args:
        layer: a Keras layer or model, or any callable of one tensor built from TensorFlow/Keras ops
            (e.g. ``lambda p: loss(y_true, p)``).
        x: the input array. It is used in its own floating dtype (integers become float32);
            convert it to the layer's dtype first when you want float64 throughout.
        dout: upstream gradient ∂L/∂out, the same shape as the layer's output (a scalar for a loss).
        variables: dict name → ``tf.Variable`` / Keras variable (e.g. ``{"kernel": layer.kernel}``)
            whose gradients to return; ``None`` or ``{}`` for a layer without weights.
        training: passed on as ``layer(x, training=training)`` when not ``None`` (dropout, batch norm).

    Returns:
        ``(out, dx, grads)`` as NumPy: the layer's output, ∂target/∂x (x's shape), and a dict with
        the same keys as ``variables`` holding ∂target/∂variable (each variable's shape). A variable
        the output does not depend on gets zeros, as a scratch backward pass would give.

    Example:
        >>> layer = keras.layers.Dense(3)
        >>> layer.build((None, 4))
        >>> out, dx, grads = forward_and_grads(layer, np.ones((2, 4)), np.ones((2, 3)),
        ...                                    {"kernel": layer.kernel, "bias": layer.bias})
        >>> sorted(grads), grads["bias"].tolist()
        (['bias', 'kernel'], [2.0, 2.0, 2.0])
    """
    func = "forward_and_grads"
    if not callable(layer):
        _fail("layer", func, "a Keras layer, a model or a callable", f"{type(layer).__name__}",
              "Pass e.g. keras.layers.Dense(3) or lambda t: keras.ops.tanh(t).", exc=TypeError)
    variables = {} if variables is None else variables
    if not isinstance(variables, dict):
        _fail("variables", func, "a dict name → tf.Variable", f"{type(variables).__name__}",
              'Pass e.g. {"kernel": layer.kernel, "bias": layer.bias}.', exc=TypeError)
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype("float32")
    xt = tf.convert_to_tensor(x)
    names = list(variables)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        out = layer(xt) if training is None else layer(xt, training=training)
        out = tf.convert_to_tensor(out)
        d = as_array(dout, "dout", func)
        if d.shape != tuple(out.shape):
            _fail("dout", func, f"the layer output's shape {tuple(out.shape)}", f"shape {d.shape}",
                  "Pass the upstream gradient ∂L/∂out, one number per output value (a scalar for a loss).")
        target = tf.reduce_sum(out * tf.cast(d, out.dtype))     # ∂target/∂out = dout
    sources = [xt] + [variables[n] for n in names]
    found = tape.gradient(target, sources)
    dx, *dws = [_as_numpy(g, like=s) for s, g in zip(sources, found)]
    return out.numpy(), dx, dict(zip(names, dws))


def _as_numpy(grad, like):
    """A gradient as a NumPy array; None (``out`` does not depend on ``like``) becomes zeros of its shape.

    (TF's own ``UnconnectedGradients.ZERO`` trips over Keras variables, whose dtype is a string.)
    """
    if grad is not None:
        return np.asarray(tf.convert_to_tensor(grad))
    return np.zeros(tuple(like.shape), np.dtype(getattr(like.dtype, "as_numpy_dtype", like.dtype)))
