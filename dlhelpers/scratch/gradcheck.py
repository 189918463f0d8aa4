"""Numerical gradient checks: the oracle every backward pass is tested against."""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import as_array, check_positive

__all__ = ["numerical_gradient", "relative_error"]


def numerical_gradient(f, x, eps: float = 1e-5):
    """Central-difference gradient of a scalar function ``f`` at ``x``.

    df/dx_i ≈ (f(x + eps·e_i) − f(x − eps·e_i)) / (2·eps). ``x`` is perturbed in place and
    restored, so ``f`` may close over it. Use float64: in float32 the rounding error of the
    difference swamps the answer.

    Example:
        >>> x = np.array([1.0, 2.0])
        >>> np.round(numerical_gradient(lambda: float(np.sum(x ** 2)), x), 6)
        array([2., 4.])

    ``f`` may take no argument (it reads ``x`` itself) or one (it is passed ``x``). If ``f``
    raises, ``x`` is restored before the error propagates.

    Args:
        f: a function returning a float.
        x: a float array (any shape), finite; perturbed in place and restored.
        eps: the step, > 0.

    Returns:
        df/dx, float64, the shape of ``x``.
    """
    if not callable(f):
        raise TypeError(f"f must be callable for numerical_gradient; got {type(f).__name__}. "
                        "Pass a function returning a float, e.g. lambda: loss(x).")
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x must be a float NumPy array (it is perturbed in place) for numerical_gradient; "
                        f"got {type(x).__name__}. Use x = np.asarray(x, dtype=np.float64).")
    check_positive(eps, "eps", "numerical_gradient")
    if x.size and not np.all(np.isfinite(x)):
        raise ValueError("x must be finite (no NaN or inf) for numerical_gradient; "
                         f"got {int(np.sum(~np.isfinite(x)))} non-finite value(s). Check the point you differentiate at.")
    import inspect
    try:
        takes_arg = len(inspect.signature(f).parameters) > 0
    except (TypeError, ValueError):
        takes_arg = False
    call = (lambda: f(x)) if takes_arg else f

    def value():
        v = call()
        if isinstance(v, np.ndarray) and v.size == 1:
            v = v.reshape(()).item()
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"f must return a number for numerical_gradient; got {type(v).__name__}. "
                            "Reduce to a scalar, e.g. float(np.sum(out * dout)).")
        return float(v)

    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):            # nothing to do for a zero-size x
        old = x[i]
        try:
            x[i] = old + eps
            plus = value()
            x[i] = old - eps
            minus = value()
        finally:
            x[i] = old                        # restored even when f raises
        grad[i] = (plus - minus) / (2.0 * eps)
    if not np.all(np.isfinite(grad)):
        raise ValueError("f must stay finite around x for numerical_gradient; got inf or NaN differences. "
                         "Check f at x ± eps (e.g. a log of 0) or use a smaller eps.")
    return grad


def relative_error(a, b) -> float:
    """‖a − b‖ / max(‖a‖ + ‖b‖, tiny): 0 when equal; below 1e-7 is a pass in float64.

    Args:
        a, b: arrays of the same shape (finite).

    Returns:
        A float in [0, 1].
    """
    a = as_array(a, "a", "relative_error", dtype=np.float64)
    b = as_array(b, "b", "relative_error", dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape for relative_error; got {a.shape} and {b.shape}.")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / max(denom, 1e-300))
