"""The promise every public callable of dlhelpers.scratch keeps, as code, and the generators it is tried with.

:func:`attempt` calls a function and checks the promise:

* it returns, or it raises ValueError/TypeError with our message ("NAME must be ... for FUNC; got ...");
  never another exception type (IndexError, ZeroDivisionError, OverflowError, AttributeError, …) and
  never a NumPy RuntimeWarning (overflow, invalid value, division by zero: turned into errors here);
* from finite inputs it returns finite numbers only (no NaN or inf anywhere in the result);
* it does not change its inputs.
"""
from __future__ import annotations

import copy
import dataclasses
import math
import re
import warnings

import numpy as np
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# deterministic (the same examples on every run and machine), no deadline (a busy CI machine is not a bug)
# and no shrinking: a failure prints the first failing example at once (shrinking the nested draws takes minutes)
settings.register_profile("dlhelpers-contract", derandomize=True, deadline=None, max_examples=30, database=None,
                          print_blob=False, phases=[Phase.explicit, Phase.generate],
                          suppress_health_check=list(HealthCheck))
PROFILE = settings.get_profile("dlhelpers-contract")

ALLOWED = (ValueError, TypeError)
OUR_MESSAGE = re.compile(r"\bmust\b.*\bfor\b", re.S)    # "NAME must be EXPECTED for FUNC; got GOT. FIX."
BIG = 1e4                                                # "huge" inputs: |z| up to 1e4 must be handled


class Refused(Exception):
    """The call raised ValueError/TypeError (allowed for bad input)."""

    def __init__(self, exc):
        super().__init__(f"{type(exc).__name__}: {exc}")
        self.exc = exc


# --- walking results and inputs --------------------------------------------------------------------

#: Dataclass fields documented to hold NaN as a marker ("not computed yet", "padding"), not as a result.
DOCUMENTED_NAN_FIELDS = {("ConvFrame", "output"), ("PoolFrame", "output"), ("PoolFrame", "window"),
                         ("PoolFrame", "padded")}


def leaves(obj, depth=0):
    """Every number and float array inside tuples, lists, dicts, dataclasses and named tuples."""
    if depth > 6:
        return
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc":
            yield obj
    elif isinstance(obj, (float, np.floating)):
        yield np.asarray(obj)
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from leaves(v, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from leaves(v, depth + 1)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            if (type(obj).__name__, f.name) not in DOCUMENTED_NAN_FIELDS:
                yield from leaves(getattr(obj, f.name, None), depth + 1)


def all_finite(obj) -> bool:
    return all(np.all(np.isfinite(a)) for a in leaves(obj))


def snapshot(obj):
    try:
        return copy.deepcopy(obj)
    except Exception:          # generators, locks: nothing to compare
        return None


def same(a, b, depth=0) -> bool:
    if depth > 6:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.shape != b.shape:
            return False
        if a.dtype.kind in "fc" and b.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], depth + 1) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, depth + 1) for x, y in zip(a, b))
    if dataclasses.is_dataclass(a) and not isinstance(a, type) and type(a) is type(b):
        return all(same(getattr(a, f.name), getattr(b, f.name), depth + 1) for f in dataclasses.fields(a))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, (int, float, str, bool, type(None), complex)):
        return a == b
    return True                # other objects (models, generators): their own specs check them


# --- the promise --------------------------------------------------------------------------------------

def attempt(fn, *args, expect="any", label=None, **kwargs):
    """Call ``fn(*args, **kwargs)`` and check the promise.

    expect: ``"ok"`` (valid input: must return), ``"error"`` (must raise ValueError/TypeError) or ``"any"``.
    Returns the result; raises :class:`Refused` when the call raised ValueError/TypeError.
    """
    label = label or getattr(fn, "__qualname__", repr(fn))
    before = snapshot((args, kwargs))
    finite_in = all_finite((args, kwargs))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            out = fn(*args, **kwargs)
        except ALLOWED as exc:
            msg = str(exc)
            assert expect != "ok", f"{label} refused valid input {_show(args, kwargs)}: {type(exc).__name__}: {msg}"
            assert OUR_MESSAGE.search(msg), (
                f"{label} raised {type(exc).__name__} with a message that is not ours (NAME must be … for FUNC; "
                f"got …): {msg!r} for {_show(args, kwargs)}")
            _unchanged(before, args, kwargs, label)
            raise Refused(exc) from None
        except Exception as exc:
            raise AssertionError(
                f"{label} raised {type(exc).__name__}: {exc} for {_show(args, kwargs)}; public functions must "
                "raise ValueError/TypeError (with our message) for bad input and never warn") from exc
    assert expect != "error", f"{label} accepted bad input {_show(args, kwargs)} and returned {_short(out)}"
    _unchanged(before, args, kwargs, label)
    if finite_in:
        assert all_finite(out), f"{label} made NaN/inf from finite input {_show(args, kwargs)}: {_short(out)}"
    return out


def attempt_or_none(fn, *args, **kwargs):
    """Like :func:`attempt`, but a refusal returns None."""
    try:
        return attempt(fn, *args, **kwargs)
    except Refused:
        return None


def _unchanged(before, args, kwargs, label):
    if before is not None:
        assert same(before, (args, kwargs)), f"{label} changed its input: before {_short(before)}, after {_short((args, kwargs))}"


def _short(obj, n=300):
    with np.printoptions(threshold=20, precision=4):
        s = repr(obj)
    return s if len(s) <= n else s[:n] + "…"


def _show(args, kwargs):
    return _short(("args", args, "kwargs", kwargs))


# --- generators ---------------------------------------------------------------------------------------

def finite(lo=-BIG, hi=BIG):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def arrays(shape, lo=-BIG, hi=BIG, dtype=np.float64):
    """Float arrays of ``shape`` (a tuple or a strategy) with values in [lo, hi], including the extremes."""
    elements = st.one_of(finite(lo, hi), st.sampled_from([lo, hi, 0.0, (lo + hi) / 2]))
    return hnp.arrays(dtype, shape, elements=elements)


def shapes(min_dims=1, max_dims=3, min_side=1, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def images(max_n=2, max_hw=6, max_c=2, lo=-BIG, hi=BIG, min_hw=1):
    """(N, H, W, C) float arrays."""
    shape = st.tuples(st.integers(1, max_n), st.integers(min_hw, max_hw), st.integers(min_hw, max_hw),
                      st.integers(1, max_c))
    return shape.flatmap(lambda s: arrays(s, lo, hi))


#: Values that are wrong for almost any argument: wrong types, ranks, sizes, non-finite and extreme numbers.
BAD_VALUES = [
    None, "abc", "", b"x", ["a", "b"], [[1.0, 2.0], [3.0]], {"a": 1}, object(), 1 + 2j, True, False,
    0, -1, 0.0, -0.5, 2.5, BIG, -BIG, 10 ** 12, float("nan"), float("inf"), -float("inf"),
    np.array(["a", "b"]), np.array([1 + 1j]), np.array([np.nan, 1.0]), np.array([np.inf]), np.array(1.5),
    np.zeros(0), np.zeros((2, 0)), np.zeros((0, 3)), np.zeros((0, 4, 4, 1)), np.zeros((1, 0, 3, 1)),
    np.full((2, 3), BIG), np.full((2, 3), -BIG), np.ones((2, 2, 2, 2, 2)), np.arange(6.0).reshape(2, 3),
    np.ones((1, 4, 4, 1)), (1, 2, 3), (0, 0), [1, 2], np.int64(3), np.float32(np.nan),
]


def bad_value():
    return st.sampled_from(BAD_VALUES).map(snapshot)


def spoil(data, args: tuple, kwargs: dict, *, protect=()):
    """Replace one argument (positional or keyword, not in ``protect``) with a value from :data:`BAD_VALUES`."""
    slots = [i for i in range(len(args)) if i not in protect] + [k for k in kwargs if k not in protect]
    if not slots:
        return args, kwargs
    slot = data.draw(st.sampled_from(slots), label="spoiled argument")
    value = data.draw(bad_value(), label="bad value")
    if isinstance(slot, int):
        args = args[:slot] + (value,) + args[slot + 1:]
    else:
        kwargs = {**kwargs, slot: value}
    return args, kwargs
