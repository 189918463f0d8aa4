"""Attention: scaled dot-product attention and multi-head attention, forward and backward.

Scaled dot-product attention lets every query position look at every key position at once
(no recurrence): scores = q kᵀ / √dk, weights = softmax over the keys, out = weights @ v.
Multi-head attention first projects query, key and value into H smaller spaces ("heads"),
attends in each, then mixes the heads back into one output. The parameters use the names and
layouts of ``keras.layers.MultiHeadAttention`` (checked against Keras 3):

====================================  ================  =====================================
name                                  shape             role
====================================  ================  =====================================
``query/kernel``, ``query/bias``      (D_q, H, Kd), (H, Kd)   query features → H heads of Kd
``key/kernel``, ``key/bias``          (D_k, H, Kd), (H, Kd)   key features → H heads of Kd
``value/kernel``, ``value/bias``      (D_v, H, Vd), (H, Vd)   value features → H heads of Vd
``attention_output/kernel``, ``/bias``  (H, Vd, D_out), (D_out,)  all heads → output features
====================================  ================  =====================================

Masks follow Keras: ``True`` = this query position may attend to this key position. A masked
position gets weight exactly 0. A query row whose keys are *all* masked gets weights all 0, so its
attention output is 0 (and a multi-head output equal to ``attention_output/bias``); this is what
Keras's masked ``Softmax`` does and what ``MultiHeadAttention(..., return_attention_scores=True)``
computes. (Keras's fused path, used when the scores are not returned, averages all values for such a
row instead; rows with at least one visible key agree either way.)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._checks import _fail, as_array, check_cache, check_dout, check_finite_result, check_nonempty

__all__ = ["scaled_dot_product_attention", "scaled_dot_product_attention_backward", "AttentionCache",
           "multi_head_attention_forward", "multi_head_attention_backward", "MultiHeadAttentionCache",
           "MHA_PARAM_NAMES"]

#: The parameter names of ``keras.layers.MultiHeadAttention``, in the order of ``layer.weights``.
MHA_PARAM_NAMES = ("query/kernel", "query/bias", "key/kernel", "key/bias", "value/kernel", "value/bias",
                   "attention_output/kernel", "attention_output/bias")


@dataclass(frozen=True)
class AttentionCache:
    """What :func:`scaled_dot_product_attention_backward` needs (one object per forward call).

    ``weights`` is the attention matrix, ready for a heat map: row i says how much query position i
    takes from each key position (each row sums to 1, or is all 0 when every key is masked).
    """
    query: np.ndarray        # (..., Tq, dk)
    key: np.ndarray          # (..., Tk, dk)
    value: np.ndarray        # (..., Tk, dv)
    weights: np.ndarray      # (..., Tq, Tk), softmax of the scaled scores over Tk


@dataclass(frozen=True)
class MultiHeadAttentionCache:
    """What :func:`multi_head_attention_backward` needs (one object per forward call).

    ``weights`` (N, H, Tq, Tk) holds every head's attention matrix, as Keras returns it with
    ``return_attention_scores=True``.
    """
    query: np.ndarray        # (N, Tq, D_q), the input
    key: np.ndarray          # (N, Tk, D_k), the input (the value array when no key was given)
    value: np.ndarray        # (N, Tk, D_v), the input
    params: dict             # the eight arrays, as float arrays
    context: np.ndarray      # (N, H, Tq, Vd), every head's attention output before the output projection
    attention: AttentionCache  # the per-head scaled dot-product attention (on (N, H, T, ·) arrays)
    key_given: bool          # True: grads get a separate "key"; False: key was value, its gradient is in "value"

    @property
    def weights(self) -> np.ndarray:
        """(N, H, Tq, Tk): the attention weights of every head."""
        return self.attention.weights


# --- scaled dot-product attention ------------------------------------------------------------------------

def _masked_softmax(scores, mask):
    """Softmax over the last axis where ``mask`` is True; masked entries, and all-masked rows, give exactly 0."""
    if mask is None:
        shifted = scores - scores.max(axis=-1, keepdims=True)            # (..., Tq, Tk), max 0 per row
        e = np.exp(shifted)
        return e / e.sum(axis=-1, keepdims=True)
    row_max = np.max(np.where(mask, scores, -np.inf), axis=-1, keepdims=True)   # (..., Tq, 1)
    row_max = np.where(np.isfinite(row_max), row_max, 0.0)                      # all-masked row: any shift
    e = np.exp(np.where(mask, scores - row_max, -np.inf))                       # masked → exp(-inf) = 0
    total = e.sum(axis=-1, keepdims=True)                                       # (..., Tq, 1)
    return e / np.where(total > 0, total, 1.0)


def _attend(query, key, value, mask, func):
    """The computation shared by both forward passes (inputs already checked; mask broadcastable or None)."""
    scale = 1.0 / math.sqrt(query.shape[-1])                       # a Python float: float32 stays float32
    with np.errstate(over="ignore", invalid="ignore"):
        scores = query @ np.swapaxes(key, -1, -2) * scale          # (..., Tq, dk) @ (..., dk, Tk) → (..., Tq, Tk)
    check_finite_result(scores, "query and key", func,
                        "The scores q·k overflowed: scale the inputs down (e.g. standardize them).")
    with np.errstate(over="ignore"):                               # a masked score far from the row's max
        weights = _masked_softmax(scores, mask).astype(scores.dtype, copy=False)   # (..., Tq, Tk)
    out = weights @ value                                          # (..., Tq, Tk) @ (..., Tk, dv) → (..., Tq, dv)
    return out, AttentionCache(query, key, value, weights)


def _attend_backward(dout, cache):
    """dq, dk, dv of :func:`_attend` (dout already checked)."""
    q, k, v, w = cache.query, cache.key, cache.value, cache.weights
    dv = np.swapaxes(w, -1, -2) @ dout                    # (..., Tk, Tq) @ (..., Tq, dv) → (..., Tk, dv)
    dw = dout @ np.swapaxes(v, -1, -2)                    # (..., Tq, dv) @ (..., dv, Tk) → (..., Tq, Tk)
    # softmax backward per row: ds_j = w_j (dw_j − Σ_i w_i dw_i); masked entries have w_j = 0, so ds_j = 0
    ds = w * (dw - np.sum(dw * w, axis=-1, keepdims=True)) * (1.0 / math.sqrt(q.shape[-1]))  # (..., Tq, Tk), with 1/√dk
    dq = ds @ k                                           # (..., Tq, Tk) @ (..., Tk, dk) → (..., Tq, dk)
    dk = np.swapaxes(ds, -1, -2) @ q                      # (..., Tk, Tq) @ (..., Tq, dk) → (..., Tk, dk)
    return dq, dk, dv


def _check_mask(mask, lead, Tq, Tk, func, *, heads_axis=False):
    """The mask as a bool array that broadcasts against scores (*lead, Tq, Tk); None stays None.

    Accepted shapes: (Tq, Tk), the full (*lead, Tq, Tk), and with ``heads_axis`` (lead = (N, H))
    also (N, Tq, Tk), shared by every head. Bools, or numbers that are all 0 or 1.
    """
    if mask is None:
        return None
    full = (*lead, Tq, Tk)
    shapes = [(Tq, Tk), full] + ([(lead[0], Tq, Tk)] if heads_axis else [])
    shown = " or ".join(dict.fromkeys(str(s) for s in shapes))
    arr = np.asarray(mask) if isinstance(mask, np.ndarray) and mask.dtype == bool else None
    if arr is None:
        m = as_array(mask, "mask", func, shape_hint=f"{shown} of bools")
        if not np.all((m == 0) | (m == 1)):
            _fail("mask", func, "bools (True = may attend, False = hidden), or 0/1", "values other than 0 and 1",
                  "Pass e.g. np.tril(np.ones((Tq, Tk), bool)) for a causal mask.")
        arr = m.astype(bool)
    if arr.shape not in shapes:
        _fail("mask", func, f"of shape {shown} (query positions × key positions)", f"shape {arr.shape}",
              "One flag per (query position, key position) pair, True where attending is allowed.")
    if heads_axis and arr.shape == (lead[0], Tq, Tk):
        arr = arr[:, None]                                # (N, Tq, Tk) → (N, 1, Tq, Tk): the same for every head
    return arr


def scaled_dot_product_attention(query, key, value, mask=None):
    """out = softmax(q kᵀ / √dk, masked) @ v, with the softmax over the key positions.

    Args:
        query: (N, Tq, dk), or (N, H, Tq, dk) with a heads axis.
        key: (N, Tk, dk), the same leading axes as query.
        value: (N, Tk, dv), the same leading axes as query.
        mask: None, or bools of shape (Tq, Tk) or (N, Tq, Tk) (with a heads axis also (N, H, Tq, Tk));
            True = the query position may attend to the key position (Keras's convention). Masked
            positions get weight exactly 0; a row with every key masked gets all-zero weights (output 0).

    Returns:
        ``(out, cache)``: out (N, Tq, dv) and an :class:`AttentionCache` whose ``weights`` (N, Tq, Tk) is
        the attention matrix; pass the cache to :func:`scaled_dot_product_attention_backward`.

    Example:
        >>> q = np.array([[[1.0, 0.0]]])                       # one query, dk = 2
        >>> k = np.array([[[1.0, 0.0], [1.0, 0.0]]])           # two equal keys
        >>> v = np.array([[[2.0], [4.0]]])
        >>> out, cache = scaled_dot_product_attention(q, k, v)
        >>> cache.weights.tolist(), out.tolist()
        ([[[0.5, 0.5]]], [[[3.0]]])
    """
    func = "scaled_dot_product_attention"
    query = as_array(query, "query", func, ndim=(3, 4), shape_hint="(N, Tq, dk) or (N, H, Tq, dk)",
                     fix="Add a batch axis for one sequence, e.g. query[None].")
    key = as_array(key, "key", func, ndim=query.ndim, shape_hint=f"{'(N, H, Tk, dk)' if query.ndim == 4 else '(N, Tk, dk)'}"
                   " with the same rank as query", fix="Give key the same axes as query.")
    value = as_array(value, "value", func, ndim=query.ndim, shape_hint=f"{'(N, H, Tk, dv)' if query.ndim == 4 else '(N, Tk, dv)'}"
                     " with the same rank as query", fix="Give value the same axes as query.")
    for arr, name in ((query, "query"), (key, "key"), (value, "value")):
        check_nonempty(arr, name, func)
    lead = query.shape[:-2]
    if key.shape[:-2] != lead or value.shape[:-2] != lead:
        raise ValueError(f"query, key and value must have the same leading (batch{', heads' if len(lead) == 2 else ''}) "
                         f"axes for {func}; got query {query.shape}, key {key.shape} and value {value.shape}. "
                         "Pass one key/value sequence per query sequence.")
    if key.shape[-1] != query.shape[-1]:
        raise ValueError(f"query.shape[-1] and key.shape[-1] must agree (dk, the size q·k sums over) for {func}; "
                         f"got query {query.shape} and key {key.shape}. Project both to the same size first.")
    if value.shape[-2] != key.shape[-2]:
        raise ValueError(f"key.shape[-2] and value.shape[-2] must agree (Tk, one value per key position) for {func}; "
                         f"got key {key.shape} and value {value.shape}. Pass keys and values of the same sequence.")
    mask = _check_mask(mask, lead, query.shape[-2], key.shape[-2], func, heads_axis=query.ndim == 4)
    return _attend(query, key, value, mask, func)


def scaled_dot_product_attention_backward(dout, cache):
    """dv = wᵀ dout,  ds = w ⊙ (dw − Σ_k w dw) / √dk with dw = dout vᵀ,  dq = ds k,  dk = dsᵀ q.

    Args:
        dout: (N, Tq, dv), dL/dout.
        cache: the :class:`AttentionCache` from :func:`scaled_dot_product_attention`.

    Returns:
        ``(dquery, {"key": dkey, "value": dvalue})`` with the shapes of query, key and value.
        Masked positions pass no gradient.
    """
    func = "scaled_dot_product_attention_backward"
    check_cache(cache, AttentionCache, func, "scaled_dot_product_attention")
    expected = (*cache.query.shape[:-1], cache.value.shape[-1])
    dout = check_dout(dout, expected, func)
    dq, dk, dv = _attend_backward(dout, cache)
    return dq, {"key": dk, "value": dv}


# --- multi-head attention ------------------------------------------------------------------------------

def _check_sequence(x, name, func):
    x = as_array(x, name, func, ndim=3, shape_hint="(N, T, features)",
                 fix=f"Add a batch axis for one sequence, e.g. {name}[None].")
    return check_nonempty(x, name, func)


def _check_params(params, func, Dq, Dk, Dv):
    """The eight arrays of ``params`` as float arrays, their shapes checked against each other and the inputs."""
    if not isinstance(params, dict):
        _fail("params", func, "a dict with Keras's MultiHeadAttention names", type(params).__name__,
              "Pass e.g. {'query/kernel': ..., ...} with the names in MHA_PARAM_NAMES.", exc=TypeError)
    missing = [k for k in MHA_PARAM_NAMES if k not in params]
    extra = sorted(map(str, set(params) - set(MHA_PARAM_NAMES)))
    if missing or extra:
        _fail("params", func, f"a dict with exactly the keys {', '.join(MHA_PARAM_NAMES)}",
              f"missing {missing}, unexpected {extra}",
              "Use Keras's names, e.g. from {w.path.split('/', 1)[1]: w.numpy() for w in layer.weights}.")
    p = {}
    for name in MHA_PARAM_NAMES:
        ndim = 1 if name == "attention_output/bias" else 2 if name.endswith("bias") else 3
        hint = {"query/kernel": "(D_q, H, Kd)", "key/kernel": "(D_k, H, Kd)", "value/kernel": "(D_v, H, Vd)",
                "attention_output/kernel": "(H, Vd, D_out)", "query/bias": "(H, Kd)", "key/bias": "(H, Kd)",
                "value/bias": "(H, Vd)", "attention_output/bias": "(D_out,)"}[name]
        p[name] = check_nonempty(as_array(params[name], f"params['{name}']", func, ndim=ndim, shape_hint=hint),
                                 f"params['{name}']", func)
    _, H, Kd = p["query/kernel"].shape
    Vd = p["value/kernel"].shape[2]
    D_out = p["attention_output/kernel"].shape[2]
    expected = {"query/kernel": (Dq, H, Kd), "query/bias": (H, Kd), "key/kernel": (Dk, H, Kd), "key/bias": (H, Kd),
                "value/kernel": (Dv, H, Vd), "value/bias": (H, Vd), "attention_output/kernel": (H, Vd, D_out),
                "attention_output/bias": (D_out,)}
    for name, shape in expected.items():
        if p[name].shape != shape:
            _fail(f"params['{name}']", func,
                  f"of shape {shape} (H = {H} heads, Kd = {Kd}, Vd = {Vd}, input features D_q = {Dq}, D_k = {Dk}, "
                  f"D_v = {Dv})", f"shape {p[name].shape}",
                  "Every kernel and bias must agree on the heads and sizes, and the kernels' first axis on the "
                  "inputs' last axis; build them from one Keras layer or one initializer call.")
    return p


def multi_head_attention_forward(query, value, params, key=None, mask=None):
    """out = Σ_h attention(q W_q[h] + b_q[h], k W_k[h] + b_k[h], v W_v[h] + b_v[h]) W_o[h] + b_o.

    The twin of ``keras.layers.MultiHeadAttention(num_heads=H, key_dim=Kd)(query, value, key,
    attention_mask=mask)``, dropout 0.

    Args:
        query: (N, Tq, D_q), the sequence that asks.
        value: (N, Tk, D_v), the sequence that answers.
        params: dict with Keras's names (see :data:`MHA_PARAM_NAMES` and the module docstring).
        key: (N, Tk, D_k), or None to use ``value`` as the key (as Keras does).
        mask: None, or bools (N, Tq, Tk) or (Tq, Tk), True = may attend; shared by every head.

    Returns:
        ``(out, cache)``: out (N, Tq, D_out) and a :class:`MultiHeadAttentionCache`; ``cache.weights``
        (N, H, Tq, Tk) holds each head's attention matrix.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> p = {"query/kernel": rng.normal(size=(4, 2, 3)), "query/bias": np.zeros((2, 3)),
        ...      "key/kernel": rng.normal(size=(4, 2, 3)), "key/bias": np.zeros((2, 3)),
        ...      "value/kernel": rng.normal(size=(4, 2, 3)), "value/bias": np.zeros((2, 3)),
        ...      "attention_output/kernel": rng.normal(size=(2, 3, 4)), "attention_output/bias": np.zeros(4)}
        >>> x = rng.normal(size=(1, 5, 4))
        >>> out, cache = multi_head_attention_forward(x, x, p)        # self-attention
        >>> out.shape, cache.weights.shape
        ((1, 5, 4), (1, 2, 5, 5))
    """
    func = "multi_head_attention_forward"
    query = _check_sequence(query, "query", func)
    value = _check_sequence(value, "value", func)
    key_given = key is not None
    key = _check_sequence(key, "key", func) if key_given else value
    N, Tq, Dq = query.shape
    if value.shape[0] != N or key.shape[0] != N:
        raise ValueError(f"query, value and key must have the same batch size N for {func}; got query {query.shape}, "
                         f"value {value.shape}" + (f" and key {key.shape}" if key_given else "") +
                         ". Pass one value sequence per query sequence.")
    if key.shape[1] != value.shape[1]:
        raise ValueError(f"key.shape[1] and value.shape[1] must agree (Tk, one value per key position) for {func}; "
                         f"got key {key.shape} and value {value.shape}. Pass keys and values of the same sequence.")
    p = _check_params(params, func, Dq, key.shape[2], value.shape[2])
    mask = _check_mask(mask, (N,), Tq, key.shape[1], func)               # (Tq, Tk) or (N, Tq, Tk)
    if mask is not None and mask.ndim == 3:
        mask = mask[:, None]                                              # (N, 1, Tq, Tk): the same for every head
    q = np.einsum("ntd,dhk->nhtk", query, p["query/kernel"]) + p["query/bias"][:, None, :]  # (N, H, Tq, Kd)
    k = np.einsum("ntd,dhk->nhtk", key, p["key/kernel"]) + p["key/bias"][:, None, :]        # (N, H, Tk, Kd)
    v = np.einsum("ntd,dhv->nhtv", value, p["value/kernel"]) + p["value/bias"][:, None, :]  # (N, H, Tk, Vd)
    context, attention = _attend(q, k, v, mask, func)                                     # (N, H, Tq, Vd)
    out = np.einsum("nhtv,hvo->nto", context, p["attention_output/kernel"]) + p["attention_output/bias"]  # (N, Tq, D_out)
    return out, MultiHeadAttentionCache(query, key, value, p, context, attention, key_given)


def multi_head_attention_backward(dout, cache):
    """Backward through the output projection, every head's attention and the three input projections.

    dW_o[h] = context[h]ᵀ dout,  d context[h] = dout W_o[h]ᵀ; then the attention backward per head; then
    for each projection x W + b: dW = xᵀ d(xW+b), db = Σ d(xW+b), dx = d(xW+b) Wᵀ (summed over heads).

    Args:
        dout: (N, Tq, D_out), dL/dout.
        cache: the :class:`MultiHeadAttentionCache` from :func:`multi_head_attention_forward`.

    Returns:
        ``(dquery, grads)``: dquery (N, Tq, D_q); ``grads`` has every parameter name (each its
        parameter's shape), ``"value"`` (N, Tk, D_v) and, only when a separate ``key`` was passed,
        ``"key"`` (N, Tk, D_k). Without a key, value served as the key too and ``grads["value"]`` holds
        both contributions. For self-attention called as ``forward(x, x, params)`` the gradient with
        respect to x is ``dquery + grads["value"]`` (``+ grads["key"]`` if x was also passed as key).
    """
    func = "multi_head_attention_backward"
    check_cache(cache, MultiHeadAttentionCache, func, "multi_head_attention_forward")
    p = cache.params
    N, Tq = cache.query.shape[:2]
    dout = check_dout(dout, (N, Tq, p["attention_output/kernel"].shape[2]), func)
    grads = {"attention_output/kernel": np.einsum("nhtv,nto->hvo", cache.context, dout),   # (H, Vd, D_out)
             "attention_output/bias": dout.sum(axis=(0, 1))}                              # (D_out,)
    dcontext = np.einsum("nto,hvo->nhtv", dout, p["attention_output/kernel"])            # (N, H, Tq, Vd)
    dq, dk, dv = _attend_backward(dcontext, cache.attention)     # (N, H, Tq, Kd), (N, H, Tk, Kd), (N, H, Tk, Vd)
    inputs = {}
    for name, x, d in (("query", cache.query, dq), ("key", cache.key, dk), ("value", cache.value, dv)):
        grads[f"{name}/kernel"] = np.einsum("ntd,nhtk->dhk", x, d)          # (D, H, Kd or Vd)
        grads[f"{name}/bias"] = d.sum(axis=(0, 2))                          # (H, Kd or Vd)
        inputs[name] = np.einsum("nhtk,dhk->ntd", d, p[f"{name}/kernel"])    # (N, T, D)
    if cache.key_given:
        grads["key"] = inputs["key"]
        grads["value"] = inputs["value"]
    else:
        grads["value"] = inputs["value"] + inputs["key"]                    # value was used as the key too
    return inputs["query"], grads
