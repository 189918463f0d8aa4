"""A fully connected (Dense) layer: forward and backward.

Layout as Keras: ``kernel`` has shape (in_features, units) and ``bias`` (units,), so
out = x @ kernel + bias.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_array, check_cache, check_dout, check_nonempty

__all__ = ["dense_forward", "dense_backward", "DenseCache"]


@dataclass(frozen=True)
class DenseCache:
    """What :func:`dense_backward` needs from :func:`dense_forward` (one object per forward call)."""
    x: np.ndarray            # (N, in_features), the input
    kernel: np.ndarray       # (in_features, units)


def dense_forward(x, kernel, bias):
    """out = x @ kernel + bias.

    Args:
        x: (N, in) inputs; kernel: (in, units); bias: (units,).

    Returns:
        ``(out, cache)``: out (N, units) and a :class:`DenseCache`; pass it to :func:`dense_backward`.

    Example:
        >>> out, _ = dense_forward(np.ones((2, 3)), np.ones((3, 4)), np.zeros(4))
        >>> out.shape
        (2, 4)
    """
    x = as_array(x, "x", "dense_forward", ndim=2, shape_hint="(N, in_features)",
                 fix="Add a batch axis for one sample, e.g. x[None, :], or flatten images with x.reshape(len(x), -1).")
    kernel = as_array(kernel, "kernel", "dense_forward", ndim=2, shape_hint="(in_features, units)")
    bias = as_array(bias, "bias", "dense_forward", ndim=1, shape_hint="(units,)")
    check_nonempty(x, "x", "dense_forward")
    check_nonempty(kernel, "kernel", "dense_forward")
    if x.shape[1] != kernel.shape[0]:
        raise ValueError(
            f"x.shape[1] must equal kernel.shape[0] (in_features) for dense_forward; got x {x.shape} and "
            f"kernel {kernel.shape}. The kernel is (in_features, units), as in Keras; transpose it if you wrote (units, in).")
    if bias.shape[0] != kernel.shape[1]:
        raise ValueError(
            f"bias must have shape ({kernel.shape[1]},) (one per unit) for dense_forward; got {bias.shape}. "
            "Use np.zeros(units) to start.")
    out = x @ kernel + bias                   # (N, units)
    return out, DenseCache(x, kernel)


def dense_backward(dout, cache):
    """dx = dout @ kernelᵀ,  dW = xᵀ @ dout,  db = Σ_n dout[n].

    Args:
        dout: (N, units), dL/dout.
        cache: the :class:`DenseCache` (input and kernel) from :func:`dense_forward`.

    Returns:
        ``(dx, {"kernel": dW, "bias": db})``: dx (N, in), dW (in, units), db (units,).
    """
    check_cache(cache, DenseCache, "dense_backward", "dense_forward")
    x, kernel = cache.x, cache.kernel
    dout = check_dout(dout, (x.shape[0], kernel.shape[1]), "dense_backward")
    dx = dout @ kernel.T                      # (N, in)
    return dx, {"kernel": x.T @ dout, "bias": dout.sum(axis=0)}
