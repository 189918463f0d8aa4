"""Property specs for dlhelpers.scratch.attention (registered in SPECS when tests.property.specs loads).

Values are drawn in a moderate range ([-5, 5] for the inputs of scaled dot-product attention, [-2, 2] for
multi-head attention's inputs with weights in [-1, 1]): scores are products of two inputs, so with inputs
of 1e4 a float32 rounding of a score (≈ 1e8 · 6e-8 ≈ 6) reshuffles the softmax, and the float32 form in
test_valid_forms.py could not agree with float64. Huge inputs are tried by the spoilt calls (BAD_VALUES)
and in tests/scratch/test_attention.py.

Multi-head attention's parameters are drawn as float32 arrays: test_valid_forms.py converts only top-level
array arguments, never the arrays inside ``params``, so float32 params make its float32 form all-float32;
the other forms (float64 query and value with float32 params) then try NumPy's mixed-dtype rule.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from dlhelpers.scratch import attention
from tests.property.contract import arrays
from tests.property.specs import backward_of, calls, record_of, spec

PARAM_KEYS = set(attention.MHA_PARAM_NAMES)


def _mask(d, shapes):
    """None, or random bools (rows with every key hidden included) of one of ``shapes``."""
    shape = d.draw(st.sampled_from([None, *shapes]), label="mask shape")
    if shape is None:
        return None
    return np.asarray(d.draw(st.lists(st.booleans(), min_size=int(np.prod(shape)), max_size=int(np.prod(shape))),
                             label="mask")).reshape(shape)


def _sdpa_args(d):
    n = d.draw(st.integers(1, 2))
    lead = (n,) + ((d.draw(st.integers(1, 2)),) if d.draw(st.booleans(), label="heads axis") else ())
    tq, tk, dk, dv = (d.draw(st.integers(1, 3)) for _ in range(4))
    q = d.draw(arrays((*lead, tq, dk), -5, 5), label="query")
    k = d.draw(arrays((*lead, tk, dk), -5, 5), label="key")
    v = d.draw(arrays((*lead, tk, dv), -5, 5), label="value")
    shapes = [(tq, tk), (*lead, tq, tk)] + ([(n, tq, tk)] if len(lead) == 2 else [])
    return (q, k, v), {"mask": _mask(d, shapes)}


def _sdpa_out(result, args, kwargs):
    out, cache = result
    q, k, v = args
    assert out.shape == (*q.shape[:-1], v.shape[-1]), (out.shape, q.shape, v.shape)
    assert cache.weights.shape == (*q.shape[:-1], k.shape[-2])
    sums = cache.weights.sum(axis=-1)
    assert np.all((np.abs(sums - 1) < 1e-6) | (sums == 0)), sums     # a row sums to 1, or is all hidden


def _mha_args(d, key_given=None):
    n, tq, tk = d.draw(st.integers(1, 2)), d.draw(st.integers(1, 3)), d.draw(st.integers(1, 3))
    dq, dv, dk, d_out = (d.draw(st.integers(1, 3)) for _ in range(4))
    h, kd, vd = d.draw(st.integers(1, 2)), d.draw(st.integers(1, 2)), d.draw(st.integers(1, 2))
    if key_given is None:
        key_given = d.draw(st.booleans(), label="key given")
    dk = dk if key_given else dv
    shapes = {"query/kernel": (dq, h, kd), "query/bias": (h, kd), "key/kernel": (dk, h, kd), "key/bias": (h, kd),
              "value/kernel": (dv, h, vd), "value/bias": (h, vd), "attention_output/kernel": (h, vd, d_out),
              "attention_output/bias": (d_out,)}
    params = {name: d.draw(arrays(s, -1, 1, dtype=np.float32), label=name) for name, s in shapes.items()}
    query = d.draw(arrays((n, tq, dq), -2, 2), label="query")
    value = d.draw(arrays((n, tk, dv), -2, 2), label="value")
    key = d.draw(arrays((n, tk, dk), -2, 2), label="key") if key_given else None
    return (query, value, params), {"key": key, "mask": _mask(d, [(tq, tk), (n, tq, tk)])}


def _mha_out(result, args, kwargs):
    out, cache = result
    query, value, params = args
    assert out.shape == (*query.shape[:2], params["attention_output/kernel"].shape[-1])
    assert cache.weights.shape == (query.shape[0], params["query/kernel"].shape[1], query.shape[1], value.shape[1])


def _mha_backward():
    """The backward entry: grads has "key" exactly when the forward pass was given a key."""
    forward = "multi_head_attention_forward"
    without_key = backward_of(forward, attention, lambda d: _mha_args(d, key_given=False), PARAM_KEYS | {"value"})
    with_key = backward_of(forward, attention, lambda d: _mha_args(d, key_given=True), PARAM_KEYS | {"value", "key"})

    def check(data, fn):
        (with_key if data.draw(st.booleans(), label="key given") else without_key)(data, fn)

    check.is_backward = True
    check.bad_cache = with_key.bad_cache
    check.forward_name, check.module = forward, attention
    check.valid_forward = lambda d: _mha_args(d, key_given=True)
    return check


spec("scaled_dot_product_attention")(calls(_sdpa_args, out=_sdpa_out))
spec("scaled_dot_product_attention_backward")(
    backward_of("scaled_dot_product_attention", attention, _sdpa_args, {"key", "value"}))


def _forward(fn, make):
    def produce(d):
        args, kwargs = make(d)
        return fn(*args, **kwargs)
    return produce


spec("AttentionCache")(record_of(_forward(attention.scaled_dot_product_attention, _sdpa_args)))
spec("multi_head_attention_forward")(calls(_mha_args, out=_mha_out))
spec("multi_head_attention_backward")(_mha_backward())
spec("MultiHeadAttentionCache")(record_of(_forward(attention.multi_head_attention_forward, _mha_args)))
