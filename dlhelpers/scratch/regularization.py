"""Regularization layers in NumPy: inverted dropout and batch normalization.

Inverted dropout zeroes each unit with probability ``rate`` during training and scales
the survivors by 1 / (1 − rate), so the expected activation is unchanged and inference
needs no rescaling (Keras's Dropout does the same).
"""
from __future__ import annotations

import numpy as np

from .._checks import as_array, check_in_range, check_rng

__all__ = ["dropout_forward", "dropout_backward", "batchnorm_forward", "batchnorm_backward"]


def dropout_forward(x, rate: float, training: bool = True, rng=None):
    """Returns ``(out, cache)``; with ``training=False`` (or rate 0) the input passes unchanged.

    Shapes: any; the mask has x's shape.
    """
    x = as_array(x, "x", "dropout_forward")
    check_in_range(rate, "rate", "dropout_forward", 0.0, 1.0)
    if not training or rate == 0:
        return x, None
    rng = check_rng(rng, "dropout_forward")
    keep = 1.0 - rate
    mask = (rng.random(x.shape) < keep).astype(x.dtype) / keep
    return x * mask, mask


def dropout_backward(dout, cache):
    """The gradient flows through the kept units with the same 1/(1 − rate) scale."""
    mask = cache
    dout = as_array(dout, "dout", "dropout_backward")
    return (dout if mask is None else dout * mask), {}


# --- batch normalization ---------------------------------------------------------------------------

def batchnorm_forward(x, gamma, beta, running_mean, running_var, training=True, momentum=0.99, epsilon=1e-3):
    """Batch normalization over every axis but the last (features / channels), as Keras's layer.

    Training: normalise with the batch's mean and (biased) variance, then scale and shift:
    ``y = gamma · (x − μ_B) / √(σ²_B + ε) + beta``; the running statistics move towards the
    batch's: ``running ← momentum · running + (1 − momentum) · batch``.
    Inference: the running statistics are used instead, and nothing is updated.

    Shapes: x (N, D) or (N, H, W, C); gamma, beta, running_mean, running_var (D,) or (C,).

    Returns:
        ``(out, cache)``; the updated running statistics are ``cache["running_mean"]`` and
        ``cache["running_var"]`` (unchanged copies in inference mode).
    """
    x = as_array(x, "x", "batchnorm_forward", ndim=(2, 3, 4), shape_hint="(N, D) or (N, H, W, C)")
    D = x.shape[-1]
    arrays = {}
    for name, v in (("gamma", gamma), ("beta", beta), ("running_mean", running_mean), ("running_var", running_var)):
        arrays[name] = as_array(v, name, "batchnorm_forward", ndim=1, shape_hint=f"({D},)")
        if arrays[name].shape != (D,):
            raise ValueError(f"{name} must have shape ({D},) (one per feature/channel) for batchnorm_forward; "
                             f"got {arrays[name].shape}.")
    check_in_range(momentum, "momentum", "batchnorm_forward", 0.0, 1.0, inclusive=(True, True))
    axes = tuple(range(x.ndim - 1))
    if training:
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
        new_mean = momentum * arrays["running_mean"] + (1 - momentum) * mean
        new_var = momentum * arrays["running_var"] + (1 - momentum) * var
    else:
        mean, var = arrays["running_mean"], arrays["running_var"]
        new_mean, new_var = mean.copy(), var.copy()
    inv_std = 1.0 / np.sqrt(var + epsilon)
    xhat = (x - mean) * inv_std
    out = arrays["gamma"] * xhat + arrays["beta"]
    cache = {"xhat": xhat, "inv_std": inv_std, "gamma": arrays["gamma"], "training": training, "axes": axes,
             "running_mean": new_mean, "running_var": new_var}
    return out, cache


def batchnorm_backward(dout, cache):
    """Returns ``(dx, {"gamma": dgamma, "beta": dbeta})``.

    In training mode the batch statistics depend on x, which gives the familiar
    dx = γ·inv_std / M · (M·dout − Σdout − x̂·Σ(dout·x̂)), M = number of values per feature.
    In inference mode they are constants: dx = γ·inv_std·dout.
    """
    dout = as_array(dout, "dout", "batchnorm_backward")
    xhat, inv_std, gamma, axes = cache["xhat"], cache["inv_std"], cache["gamma"], cache["axes"]
    dgamma = np.sum(dout * xhat, axis=axes)
    dbeta = np.sum(dout, axis=axes)
    if cache["training"]:
        M = xhat.size // xhat.shape[-1]
        dx = gamma * inv_std / M * (M * dout - dbeta - xhat * dgamma)
    else:
        dx = gamma * inv_std * dout
    return dx, {"gamma": dgamma, "beta": dbeta}
