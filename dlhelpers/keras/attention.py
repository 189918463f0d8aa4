"""Keras twin of :mod:`dlhelpers.scratch.attention`: scaled dot-product and multi-head attention.

The parameters keep the names of ``keras.layers.MultiHeadAttention``'s variables (the part of
``variable.path`` after the layer's name): ``query/kernel`` (D_q, H, Kd), ``query/bias`` (H, Kd),
``key/kernel``, ``key/bias``, ``value/kernel`` (D_v, H, Vd), ``value/bias`` (H, Vd),
``attention_output/kernel`` (H, Vd, D_out), ``attention_output/bias`` (D_out,).

Gradients come from ``tf.GradientTape`` on ``target = Σ out · dout`` (see
:mod:`dlhelpers.keras.gradtape`), here with several watched inputs (query, value, key) at once.
The layer is called with ``return_attention_scores=True``: that path uses Keras's masked
``Softmax``, which gives a query row whose keys are all masked zero weights, as the scratch twin
does. (Keras's fused path, taken when the scores are not returned, averages every value for such
a row; rows with a visible key agree either way.)
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from .._checks import _fail, as_array
from ..scratch.attention import MHA_PARAM_NAMES
from .gradtape import _as_numpy

__all__ = ["multi_head_attention_layer", "multi_head_attention_forward_and_grads",
           "scaled_dot_product_attention_forward_and_grads"]


def _check_params(params, func):
    if not isinstance(params, dict) or set(params) != set(MHA_PARAM_NAMES):
        got = type(params).__name__ if not isinstance(params, dict) else f"keys {sorted(map(str, params))}"
        _fail("params", func, f"a dict with exactly the keys {', '.join(MHA_PARAM_NAMES)}", got,
              "Use Keras's MultiHeadAttention names (see dlhelpers.scratch.attention.MHA_PARAM_NAMES).",
              exc=TypeError if not isinstance(params, dict) else ValueError)
    return {name: np.asarray(params[name]) for name in MHA_PARAM_NAMES}


def multi_head_attention_layer(params, num_heads=None, key_dim=None):
    """A built ``keras.layers.MultiHeadAttention`` holding the given weights.

    Args:
        params: dict with the eight Keras names (module docstring); sizes are read from the shapes:
            H and Kd from ``query/kernel`` (D_q, H, Kd), Vd from ``value/kernel``, D_out from
            ``attention_output/kernel``. The dtype of ``query/kernel`` becomes the layer's dtype.
        num_heads, key_dim: optional; when given they must agree with the shapes.

    Returns:
        The built layer (dropout 0); ``layer(query, value, key, attention_mask=mask)`` is the twin of
        ``scratch.attention.multi_head_attention_forward(query, value, params, key, mask)``.

    Example:
        >>> p = {k: np.zeros(s) for k, s in [("query/kernel", (4, 2, 3)), ("query/bias", (2, 3)),
        ...      ("key/kernel", (4, 2, 3)), ("key/bias", (2, 3)), ("value/kernel", (4, 2, 3)),
        ...      ("value/bias", (2, 3)), ("attention_output/kernel", (2, 3, 4)), ("attention_output/bias", (4,))]}
        >>> layer = multi_head_attention_layer(p)
        >>> layer.num_heads, layer.key_dim
        (2, 3)
    """
    func = "multi_head_attention_layer"
    p = _check_params(params, func)
    Dq, H, Kd = p["query/kernel"].shape
    Dk, Dv, Vd = p["key/kernel"].shape[0], p["value/kernel"].shape[0], p["value/kernel"].shape[2]
    D_out = p["attention_output/kernel"].shape[2]
    for name, given, found in (("num_heads", num_heads, H), ("key_dim", key_dim, Kd)):
        if given is not None and given != found:
            _fail(name, func, f"{found}, as read from params['query/kernel'] of shape {p['query/kernel'].shape}",
                  repr(given), f"Leave {name}=None to take it from the weights.")
    layer = keras.layers.MultiHeadAttention(num_heads=H, key_dim=Kd, value_dim=Vd,
                                            output_shape=None if D_out == Dq else D_out,
                                            dtype=str(p["query/kernel"].dtype))
    layer.build((None, None, Dq), (None, None, Dv), (None, None, Dk))
    by_name = {w.path.split("/", 1)[1]: w for w in layer.weights}      # "multi_head_attention/query/kernel" → ...
    for name in MHA_PARAM_NAMES:
        if tuple(by_name[name].shape) != p[name].shape:
            _fail(f"params['{name}']", func, f"of shape {tuple(by_name[name].shape)} (H = {H}, Kd = {Kd}, Vd = {Vd})",
                  f"shape {p[name].shape}", "Every kernel and bias must agree on the heads and sizes.")
        by_name[name].assign(p[name])
    return layer


def _watched(arr, dtype):
    return tf.convert_to_tensor(np.asarray(arr, dtype=dtype))


def _check_dout(out, dout, func):
    d = as_array(dout, "dout", func)
    if d.shape != tuple(out.shape):
        _fail("dout", func, f"the output's shape {tuple(out.shape)}", f"shape {d.shape}",
              "Pass the upstream gradient ∂L/∂out, one number per output value.")
    return tf.cast(d, out.dtype)


def multi_head_attention_forward_and_grads(query, value, params, dout, key=None, mask=None):
    """Keras's MultiHeadAttention output and its gradients for upstream ``dout``: the twin of forward + backward.

    Args:
        query: (N, Tq, D_q); value: (N, Tk, D_v); key: (N, Tk, D_k) or None (value is the key, as in Keras).
            All are converted to the dtype of ``params['query/kernel']``.
        params: the eight Keras-named arrays (see :func:`multi_head_attention_layer`).
        dout: (N, Tq, D_out), the upstream gradient ∂L/∂out.
        mask: None, or bools (N, Tq, Tk) or (Tq, Tk): Keras's ``attention_mask``, True = may attend.

    Returns:
        ``(out, dquery, grads)`` as NumPy, the same as ``scratch.attention.multi_head_attention_forward``
        followed by ``multi_head_attention_backward``: grads has every parameter name, ``"value"``, and
        ``"key"`` when a key was given.
    """
    func = "multi_head_attention_forward_and_grads"
    layer = multi_head_attention_layer(params)
    dtype = np.asarray(params["query/kernel"]).dtype
    inputs = {"query": _watched(query, dtype), "value": _watched(value, dtype)}
    if key is not None:
        inputs["key"] = _watched(key, dtype)
    attention_mask = None if mask is None else tf.convert_to_tensor(np.asarray(mask, dtype=bool))
    variables = {w.path.split("/", 1)[1]: w for w in layer.weights}
    with tf.GradientTape() as tape:
        for t in inputs.values():
            tape.watch(t)
        out, _ = layer(inputs["query"], inputs["value"], inputs.get("key"), attention_mask=attention_mask,
                       return_attention_scores=True)
        target = tf.reduce_sum(out * _check_dout(out, dout, func))     # ∂target/∂out = dout
    names = list(inputs) + list(MHA_PARAM_NAMES)
    sources = list(inputs.values()) + [variables[n] for n in MHA_PARAM_NAMES]
    found = tape.gradient(target, sources)
    grads = {n: _as_numpy(g, like=s) for n, s, g in zip(names, sources, found)}
    dquery = grads.pop("query")
    return out.numpy(), dquery, grads


def scaled_dot_product_attention_forward_and_grads(query, key, value, dout, mask=None):
    """softmax(q kᵀ / √dk, masked) @ v in TensorFlow ops, and its gradients for upstream ``dout``.

    Masked as Keras's ``Softmax`` layer does: masked scores are replaced by −1e9 before the softmax and
    the weights zeroed afterwards (so a row with every key masked has zero weights).

    Args:
        query: (N, Tq, dk) or (N, H, Tq, dk); key: (…, Tk, dk); value: (…, Tk, dv), all in query's
            floating dtype (integers become float32).
        dout: (…, Tq, dv), the upstream gradient ∂L/∂out.
        mask: None, or bools broadcastable to (…, Tq, Tk), True = may attend.

    Returns:
        ``(out, dquery, {"key": dkey, "value": dvalue})`` as NumPy, the same as
        ``scratch.attention.scaled_dot_product_attention`` followed by its backward.
    """
    func = "scaled_dot_product_attention_forward_and_grads"
    dtype = np.asarray(query).dtype if np.issubdtype(np.asarray(query).dtype, np.floating) else np.float32
    q, k, v = (_watched(a, dtype) for a in (query, key, value))
    with tf.GradientTape() as tape:
        for t in (q, k, v):
            tape.watch(t)
        scores = tf.matmul(q, k, transpose_b=True) / tf.sqrt(tf.cast(tf.shape(q)[-1], q.dtype))  # (…, Tq, Tk)
        if mask is None:
            weights = tf.nn.softmax(scores, axis=-1)
        else:
            m = tf.convert_to_tensor(np.asarray(mask, dtype=bool))
            hidden = tf.fill(tf.shape(scores), tf.constant(-1e9, scores.dtype))
            weights = tf.nn.softmax(tf.where(m, scores, hidden), axis=-1)
            weights = tf.where(m, weights, tf.zeros_like(weights))                          # all-masked row → 0
        out = tf.matmul(weights, v)                                                          # (…, Tq, dv)
        target = tf.reduce_sum(out * _check_dout(out, dout, func))
    dq, dk, dv = tape.gradient(target, [q, k, v])
    return out.numpy(), dq.numpy(), {"key": dk.numpy(), "value": dv.numpy()}
