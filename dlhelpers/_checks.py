"""Shared input validation.

Every message has the same four parts: which argument, what was expected, what was
received, and how to fix it, e.g.::

    x must be 2-D (N, features) for dense_forward; got shape (4,).
    Add a batch axis, e.g. x[None, :].
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np


def _fail(name: str, func: str, expected: str, got: str, fix: str = "", exc=ValueError):
    msg = f"{name} must be {expected} for {func}; got {got}."
    if fix:
        msg += f" {fix}"
    raise exc(msg)


def as_array(x, name: str, func: str, *, ndim=None, shape_hint: str = "", fix: str = "",
             allow_nan: bool = False, dtype=None) -> np.ndarray:
    """Convert ``x`` to a float array and check that it is numeric, finite and of the right rank.

    ``ndim`` may be an int or a tuple of allowed ranks. ``shape_hint`` describes the
    expected layout, e.g. ``"(N, H, W, C)"``.
    """
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        _fail(name, func, "an array of numbers", f"{type(x).__name__} that NumPy cannot turn into an array",
              "Pass a NumPy array or a rectangular list of numbers.", exc=TypeError)
        raise exc  # pragma: no cover
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        _fail(name, func, "numeric", f"dtype {arr.dtype}",
              "Convert it first, e.g. np.asarray(x, dtype=float).", exc=TypeError)
    if np.iscomplexobj(arr):
        _fail(name, func, "real-valued", f"complex dtype {arr.dtype}", "Take the real part or the magnitude first.",
              exc=TypeError)
    arr = arr.astype(dtype if dtype is not None else np.result_type(arr.dtype, np.float32), copy=False)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            ranks = " or ".join(f"{r}-D" for r in allowed)
            _fail(name, func, f"{ranks} {shape_hint}".strip(), f"shape {arr.shape}",
                  fix or "Reshape it to the layout shown.")
    if not allow_nan and arr.size and not np.all(np.isfinite(arr)):
        n_bad = int(np.sum(~np.isfinite(arr)))
        _fail(name, func, "finite (no NaN or inf)", f"{n_bad} non-finite value(s)",
              "Clean or impute the data first, e.g. check np.isnan(x).any().")
    return arr


def check_positive(value, name: str, func: str, *, allow_zero: bool = False, integer: bool = False):
    """Check that a scalar hyperparameter (learning rate, epochs, ...) is positive."""
    kind = "an integer" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or (integer and not isinstance(value, numbers.Integral)):
        _fail(name, func, kind, f"{value!r} ({type(value).__name__})", f"Pass {kind}, e.g. {name}=1.", exc=TypeError)
    if not np.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        _fail(name, func, f"{bound}", f"{value!r}", f"Choose a positive value, e.g. {name}=0.1." if not integer
              else f"Choose a positive integer, e.g. {name}=1.")
    return value


def check_in_range(value, name: str, func: str, low: float, high: float, *, inclusive=(True, False)):
    """Check ``low <= value < high`` (bounds inclusive as given)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _fail(name, func, "a number", f"{value!r} ({type(value).__name__})", exc=TypeError)
    lo_ok = value >= low if inclusive[0] else value > low
    hi_ok = value <= high if inclusive[1] else value < high
    if not (lo_ok and hi_ok):
        lb = "[" if inclusive[0] else "("
        hb = "]" if inclusive[1] else ")"
        _fail(name, func, f"in {lb}{low}, {high}{hb}", f"{value!r}", f"Pick a value inside that interval.")
    return value


def check_choice(value, name: str, func: str, choices):
    """Check that ``value`` is one of ``choices`` (names of activations, losses, ...)."""
    choices = list(choices)
    if not any(_equal_choice(value, c) for c in choices):
        shown = ", ".join(repr(c) for c in choices)
        _fail(name, func, f"one of {shown}", f"{value!r}", "Check the spelling or pick one from the list.")
    return value


def _equal_choice(value, choice) -> bool:
    """``value == choice`` for names; arrays, NaN and objects whose == is not a plain bool never match."""
    if isinstance(value, np.ndarray):
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return bool(value == choice)
    except Exception:
        return False


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str, func: str):
    if a.shape != b.shape:
        _fail(f"{name_a} and {name_b}", func, "the same shape", f"{a.shape} and {b.shape}",
              f"Reshape one of them, e.g. {name_a}.reshape({name_b}.shape), or check you passed the right arrays.")


def check_interval(value, name: str, func: str, *, bounds=("low", "high"), example=(0, 1),
                   allow_none: bool = False, fix: str = ""):
    """A pair ``(low, high)`` of finite numbers with ``low < high`` (a value range, clipping bounds) → two floats.

    Args:
        value: what the caller passed: a tuple, a list or a 1-D array of two numbers (or None with ``allow_none``).
        name, func: the argument's and the function's names, for the message.
        bounds: what the message calls the two ends, e.g. ``("lo", "hi")``.
        example: a valid pair shown in the messages, e.g. ``(-1, 1)``.
        allow_none: return None for None (e.g. ``clip=None`` for no clipping) instead of refusing it.
        fix: the advice when ``value`` is not a pair at all (default: pass e.g. ``name=example``).

    Returns:
        ``(float(low), float(high))``, or None for None with ``allow_none``.

    Raises TypeError for anything but a pair (scalars, strings, three numbers, 2-D arrays, None without
    ``allow_none``) and for ends that are not numbers; ValueError for NaN or ±inf ends and for ``low >= high``.

    Example:
        >>> check_interval([-1, 1], "value_range", "digits")
        (-1.0, 1.0)
    """
    if value is None and allow_none:
        return None
    lo_name, hi_name = bounds
    shown = f"({example[0]!r}, {example[1]!r})"
    is_pair = (isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.ndim == 1)) \
        and len(value) == 2
    if not is_pair:
        _fail(name, func, f"a pair ({lo_name}, {hi_name})" + (" or None" if allow_none else ""), repr(value),
              fix or f"Pass e.g. {name}={shown}.", exc=TypeError)
    lo, hi = (check_number(v, name, func, fix=f"Pass e.g. {name}={shown}.") for v in value)
    lo, hi = (v.item() if isinstance(v, np.generic) else v for v in (lo, hi))   # shown as 1.0, not np.float64(1.0)
    if not lo < hi:
        _fail(name, func, f"({lo_name}, {hi_name}) with {lo_name} < {hi_name}", repr((lo, hi)),
              f"Put the smaller value first: {name}=({hi!r}, {lo!r})." if lo > hi
              else f"Pass two different values, e.g. {name}={shown}.")
    return float(lo), float(hi)


def check_rng(rng, func: str = "this function") -> np.random.Generator:
    """Turn ``rng`` (Generator, int seed or None) into a ``np.random.Generator``."""
    if rng is None or isinstance(rng, (numbers.Integral, np.random.SeedSequence)):
        if isinstance(rng, bool):
            _fail("rng", func, "a numpy Generator, an int seed or None", "a bool", exc=TypeError)
        if isinstance(rng, numbers.Integral) and rng < 0:
            _fail("rng", func, "a non-negative int seed", repr(rng), "Pass e.g. rng=0.")
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    _fail("rng", func, "a numpy Generator, an int seed or None", f"{type(rng).__name__}",
          "Pass e.g. rng=0 or rng=np.random.default_rng(0).", exc=TypeError)
    raise AssertionError  # pragma: no cover


def check_pair(value, name: str, func: str) -> tuple[int, int]:
    """An int or a (rows, cols) pair of positive ints (kernel sizes, strides, pool sizes) → ``(rows, cols)``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            _fail(name, func, "an int or a pair (rows, cols)", repr(value), f"Pass e.g. {name}=2 or {name}=(2, 2).")
        a, b = value
    else:
        a = b = value
    for v in (a, b):
        check_positive(v, name, func, integer=True)
    return int(a), int(b)


def check_dout(dout, expected_shape: tuple, func: str, *, name: str = "dout") -> np.ndarray:
    """The upstream gradient of a backward pass: numeric, finite and exactly the forward output's shape."""
    arr = as_array(dout, name, func)
    if arr.shape != tuple(expected_shape):
        _fail(name, func, f"the forward output's shape {tuple(expected_shape)}", f"shape {arr.shape}",
              "Pass the gradient of the loss with respect to this call's output (same shape as out), "
              "and the cache from the same forward call.")
    return arr


def check_number(value, name: str, func: str, *, low=None, high=None, integer: bool = False,
                 fix: str = ""):
    """A finite real scalar (not a bool), optionally within ``[low, high]``; returns it unchanged.

    Raises TypeError for strings, arrays, None and bools (``integer=True`` also rejects floats such
    as 2.0), ValueError for NaN, ±inf and values outside the bounds.
    """
    kind = "an integer" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _fail(name, func, kind, f"{value!r} ({type(value).__name__})", fix or f"Pass {kind}.", exc=TypeError)
    if not np.isfinite(value):
        _fail(name, func, f"{kind}, finite", repr(value), fix or "Pass a finite value.")
    if integer and not isinstance(value, numbers.Integral):
        _fail(name, func, kind, f"{value!r} ({type(value).__name__})", fix or f"Pass a whole number, e.g. {name}=1.",
              exc=TypeError)
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        _fail(name, func, f"in [{lo}, {hi}]", repr(value), fix or "Pick a value inside that interval.")
    return value


def check_count(value, name: str, func: str, *, maximum: int, allow_zero: bool = False) -> int:
    """A whole number of steps/epochs in ``[1, maximum]`` (``[0, maximum]`` with ``allow_zero``) → int.

    NaN, ±inf, negative, fractional and too-large values raise ValueError; strings, None and
    bools raise TypeError.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _fail(name, func, "a whole number", f"{value!r} ({type(value).__name__})",
              f"Pass an integer, e.g. {name}=10.", exc=TypeError)
    low = 0 if allow_zero else 1
    if not np.isfinite(value) or value != int(value) or not low <= value <= maximum:
        _fail(name, func, f"a whole number in [{low}, {maximum}]", repr(value),
              f"Pass an integer such as {name}=10; more than {maximum} would run for a very long time.")
    return int(value)


def check_bool(value, name: str, func: str) -> bool:
    """``True`` or ``False`` (NumPy bools too), never a string such as ``"False"``."""
    if not isinstance(value, (bool, np.bool_)):
        _fail(name, func, "True or False", f"{value!r} ({type(value).__name__})",
              f"Pass {name}=True or {name}=False.", exc=TypeError)
    return bool(value)


def check_axis(axis, ndim: int, name: str, func: str) -> int:
    """An int axis valid for an array of ``ndim`` dimensions (negative counts from the end) → in [0, ndim)."""
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        _fail(name, func, "an integer axis", f"{axis!r} ({type(axis).__name__})", f"Pass e.g. {name}=-1.",
              exc=TypeError)
    if not -ndim <= axis < ndim:
        _fail(name, func, f"an axis in [{-ndim}, {ndim - 1}] for a {ndim}-D array", repr(axis),
              f"Pass e.g. {name}=-1 (the last axis).")
    return int(axis) % ndim


def check_nonempty(arr: np.ndarray, name: str, func: str, *, axes=None) -> np.ndarray:
    """Reject zero-size arrays (or a zero length along ``axes``), which would make means and maxima undefined."""
    sizes = arr.shape if axes is None else tuple(arr.shape[a] for a in np.atleast_1d(axes))
    if arr.size == 0 or 0 in sizes:
        _fail(name, func, "non-empty", f"shape {arr.shape}", "Pass at least one value along every axis.")
    return arr


def check_callable(value, name: str, func: str, fix: str = ""):
    """Anything callable (a function, a lambda, an object with ``__call__``)."""
    if not callable(value):
        _fail(name, func, "callable", f"{value!r} ({type(value).__name__})", fix or "Pass a function.", exc=TypeError)
    return value


def check_finite_result(arr, name: str, func: str, fix: str) -> np.ndarray:
    """Raise ValueError when a computed array (finite inputs) overflowed to inf or NaN."""
    arr = np.asarray(arr)
    if arr.size and not np.all(np.isfinite(arr)):
        _fail(name, func, "finite", f"{int(np.sum(~np.isfinite(arr)))} non-finite value(s) after the computation", fix)
    return arr


def check_size(shape, name: str, func: str, *, value, limit: int, what: str, fix: str) -> int:
    """Refuse, before allocating it, an array of ``shape`` holding more than ``limit`` numbers.

    ``name``/``value`` are the argument that made the array that large, ``what`` names the array
    (e.g. "the padded input"). The size is computed with Python ints, so it never overflows.

    Returns:
        The number of elements, when within the limit.
    """
    size = 1
    for side in shape:
        size *= int(side)
    if size > limit:
        _fail(name, func, f"small enough that {what} holds at most {limit:,} numbers "
              f"({limit * 8 / 2 ** 30:g} GiB as float64)",
              f"{name}={value!r}, which makes {what} {tuple(int(s) for s in shape)}, {size:.3g} numbers", fix)
    return size


def check_cache(cache, kind, func: str, forward: str):
    """The ``cache`` argument of a backward pass: the record its forward pass returned.

    Args:
        cache: what the caller passed.
        kind: the record's class (e.g. ``ConvCache``), or ``dict`` for the caches that are dicts.
        func: the backward function's name; forward: the forward function's name (for the message).
    """
    if not isinstance(cache, kind):
        _fail("cache", func, f"the {kind.__name__} returned by {forward}", type(cache).__name__,
              f"Pass the second value of out, cache = {forward}(...).", exc=TypeError)
    return cache
