"""A fully connected (Dense) layer: forward and backward.

Layout as Keras: ``kernel`` has shape (in_features, units) and ``bias`` (units,), so
out = x @ kernel + bias.
"""
from __future__ import annotations

import numpy as np

from .._checks import as_array

__all__ = ["dense_forward", "dense_backward"]


def dense_forward(x, kernel, bias):
    """out = x @ kernel + bias.

    Shapes:
        x (N, in), kernel (in, units), bias (units,) → out (N, units)

    Returns:
        ``(out, cache)``; pass ``cache`` to :func:`dense_backward`.

    Example:
        >>> out, _ = dense_forward(np.ones((2, 3)), np.ones((3, 4)), np.zeros(4))
        >>> out.shape
        (2, 4)
    """
    x = as_array(x, "x", "dense_forward", ndim=2, shape_hint="(N, in_features)",
                 fix="Add a batch axis for one sample, e.g. x[None, :], or flatten images with x.reshape(len(x), -1).")
    kernel = as_array(kernel, "kernel", "dense_forward", ndim=2, shape_hint="(in_features, units)")
    bias = as_array(bias, "bias", "dense_forward", ndim=1, shape_hint="(units,)")
    if x.shape[1] != kernel.shape[0]:
        raise ValueError(
            f"x.shape[1] must equal kernel.shape[0] (in_features) for dense_forward; got x {x.shape} and "
            f"kernel {kernel.shape}. The kernel is (in_features, units), as in Keras; transpose it if you wrote (units, in).")
    if bias.shape[0] != kernel.shape[1]:
        raise ValueError(
            f"bias must have shape ({kernel.shape[1]},) (one per unit) for dense_forward; got {bias.shape}. "
            "Use np.zeros(units) to start.")
    out = x @ kernel + bias                   # (N, units)
    return out, (x, kernel)


def dense_backward(dout, cache):
    """Given dL/dout (N, units), return ``(dx, {"kernel": dW, "bias": db})``.

    dx = dout @ kernelᵀ,  dW = xᵀ @ dout,  db = Σ_n dout[n].
    """
    x, kernel = cache
    dout = as_array(dout, "dout", "dense_backward", ndim=2, shape_hint="(N, units)")
    if dout.shape != (x.shape[0], kernel.shape[1]):
        raise ValueError(
            f"dout must have the forward output's shape {(x.shape[0], kernel.shape[1])} for dense_backward; "
            f"got {dout.shape}. Pass the gradient of the loss with respect to this layer's output.")
    dx = dout @ kernel.T                      # (N, in)
    return dx, {"kernel": x.T @ dout, "bias": dout.sum(axis=0)}
