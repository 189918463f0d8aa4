"""Property specs for the gradient-clipping functions of dlhelpers.scratch.optim (registered on import by specs.py).

Each draws a dict of gradients (1 to 3 arrays, values up to ±BIG, zeros and extremes included) and a positive
bound, and checks beyond the shared promise: the same keys and shapes, the bound kept (elementwise, per array,
or over all arrays) and, for the global norm, the norm before clipping.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from dlhelpers.scratch import optim
from tests.property.contract import BIG, arrays, finite, shapes
from tests.property.specs import calls, spec

SLACK = 1 + 1e-12          # rounding of the scaling in float64


def _grads(d):
    keys = d.draw(st.lists(st.sampled_from(["kernel", "bias", "gamma"]), min_size=1, max_size=3, unique=True))
    return {k: d.draw(arrays(d.draw(shapes(1, 3, 1, 3)), -BIG, BIG)) for k in keys}


def _bound(d):
    return d.draw(st.one_of(finite(1e-3, 10 * BIG), st.sampled_from([1, 0.5, 1e-6, 1e6])), label="bound")


def _same_layout(clipped, grads):
    assert isinstance(clipped, dict) and list(clipped) == list(grads), "the clipped dict must keep the keys"
    for k, g in grads.items():
        assert np.shape(clipped[k]) == np.shape(g), f"{k}: shape {np.shape(clipped[k])}, expected {np.shape(g)}"


def _norm(a):
    return float(np.sqrt(np.sum(np.square(np.asarray(a, dtype=np.float64)))))


def _value_out(result, args, kwargs):
    grads, c = args
    _same_layout(result, grads)
    for k, g in grads.items():
        assert np.all(np.abs(result[k]) <= c), f"{k}: |g| above clipvalue {c}"
        inside = np.abs(g) <= c
        np.testing.assert_array_equal(result[k][inside], np.asarray(g)[inside])   # small values untouched


def _norm_out(result, args, kwargs):
    grads, c = args
    _same_layout(result, grads)
    for k, g in grads.items():
        n = _norm(g)
        assert _norm(result[k]) <= c * SLACK, f"{k}: norm {_norm(result[k])} above clipnorm {c}"
        # the direction is kept: the clipped array is g times min(1, c/‖g‖)
        np.testing.assert_allclose(result[k], np.asarray(g) * min(1.0, c / n) if n > 0 else g, rtol=1e-12)


def _global_out(result, args, kwargs):
    grads, c = args
    clipped, norm = result
    _same_layout(clipped, grads)
    total = np.sqrt(sum(_norm(g) ** 2 for g in grads.values()))
    assert norm == np.float64(norm) and abs(norm - total) <= 1e-12 * total, f"norm {norm}, expected {total}"
    assert np.sqrt(sum(_norm(v) ** 2 for v in clipped.values())) <= c * SLACK
    scale = min(1.0, c / total) if total > 0 else 1.0
    for k, g in grads.items():
        np.testing.assert_allclose(clipped[k], np.asarray(g) * scale, rtol=1e-12)


spec("clip_by_value")(calls(lambda d: ((_grads(d), _bound(d)), {}), out=_value_out))
spec("clip_by_norm")(calls(lambda d: ((_grads(d), _bound(d)), {}), out=_norm_out))
spec("clip_by_global_norm")(calls(lambda d: ((_grads(d), _bound(d)), {}), out=_global_out))
