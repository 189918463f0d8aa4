"""Numerical gradient checks: the oracle every backward pass is tested against."""
from __future__ import annotations

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

    ``f`` may take no argument (it reads ``x`` itself) or one (it is passed ``x``).
    """
    if not callable(f):
        raise TypeError(f"f must be callable for numerical_gradient; got {type(f).__name__}. "
                        "Pass a function returning a float, e.g. lambda: loss(x).")
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x must be a float NumPy array (it is perturbed in place) for numerical_gradient; "
                        f"got {type(x).__name__}. Use x = np.asarray(x, dtype=np.float64).")
    check_positive(eps, "eps", "numerical_gradient")
    import inspect
    try:
        takes_arg = len(inspect.signature(f).parameters) > 0
    except (TypeError, ValueError):
        takes_arg = False
    call = (lambda: f(x)) if takes_arg else f
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        plus = float(call())
        x[i] = old - eps
        minus = float(call())
        x[i] = old
        grad[i] = (plus - minus) / (2.0 * eps)
    return grad


def relative_error(a, b) -> float:
    """‖a − b‖ / max(‖a‖ + ‖b‖, tiny): 0 when equal; below 1e-7 is a pass in float64."""
    a = as_array(a, "a", "relative_error", dtype=np.float64)
    b = as_array(b, "b", "relative_error", dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape for relative_error; got {a.shape} and {b.shape}.")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / max(denom, 1e-300))
