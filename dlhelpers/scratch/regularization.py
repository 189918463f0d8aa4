"""Regularization layers in NumPy: inverted dropout and batch normalization.

Inverted dropout zeroes each unit with probability ``rate`` during training and scales
the survivors by 1 / (1 − rate), so the expected activation is unchanged and inference
needs no rescaling (Keras's Dropout does the same).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_array, check_cache, check_bool, check_dout, check_in_range, check_nonempty, check_positive, check_rng

__all__ = ["dropout_forward", "dropout_backward", "batchnorm_forward", "batchnorm_backward", "DropoutCache"]


@dataclass(frozen=True)
class DropoutCache:
    """From :func:`dropout_forward` for :func:`dropout_backward`."""
    mask: np.ndarray | None  # x's shape: 0 or 1/(1 − rate) per unit; None when nothing was dropped
    shape: tuple             # the input's (and output's) shape


def dropout_forward(x, rate: float, training: bool = True, rng=None):
    """Inverted dropout: out = x · mask, mask = 0 with probability ``rate``, else 1/(1 − rate).

    Args:
        x: any shape.
        rate: the probability of dropping a unit, in [0, 1).
        training: with ``False`` (or rate 0) the input passes unchanged.
        rng: Generator, int seed or None.

    Returns:
        ``(out, cache)``: out with x's shape and a :class:`DropoutCache` (its ``mask`` has x's shape).
    """
    x = as_array(x, "x", "dropout_forward")
    check_in_range(rate, "rate", "dropout_forward", 0.0, 1.0)
    training = check_bool(training, "training", "dropout_forward")
    if not training or rate == 0:
        return x, DropoutCache(None, x.shape)
    rng = check_rng(rng, "dropout_forward")
    keep = 1.0 - rate
    mask = (rng.random(x.shape) < keep).astype(x.dtype) / keep
    return x * mask, DropoutCache(mask, x.shape)


def dropout_backward(dout, cache):
    """dx = dout · mask: the gradient flows through the kept units with the same 1/(1 − rate) scale.

    Args:
        dout: the output's shape; cache: the :class:`DropoutCache` from :func:`dropout_forward`.

    Returns:
        ``(dx, {})``: dx with x's shape.
    """
    check_cache(cache, DropoutCache, "dropout_backward", "dropout_forward")
    dout = check_dout(dout, cache.shape, "dropout_backward")
    return (dout if cache.mask is None else dout * cache.mask), {}


# --- batch normalization ---------------------------------------------------------------------------

def batchnorm_forward(x, gamma, beta, running_mean, running_var, training=True, momentum=0.99, epsilon=1e-3):
    """Batch normalization over every axis but the last (features / channels), as Keras's layer.

    Training: normalise with the batch's mean and (biased) variance, then scale and shift:
    ``y = gamma · (x − μ_B) / √(σ²_B + ε) + beta``; the running statistics move towards the
    batch's: ``running ← momentum · running + (1 − momentum) · batch``.
    Inference: the running statistics are used instead, and nothing is updated.

    Args:
        x: (N, D) or (N, H, W, C).
        gamma, beta: (D,) scale and shift.
        running_mean, running_var: (D,) moving statistics (running_var >= 0).
        training: batch statistics (True) or the running ones (False).
        momentum: in [0, 1]; epsilon: >= 0, added to the variance (Keras: 1e-3).

    Returns:
        ``(out, cache)``: out with x's shape and a dict for :func:`batchnorm_backward`; the updated
        running statistics are ``cache["running_mean"]`` and ``cache["running_var"]`` (unchanged
        copies in inference mode).
    """
    func = "batchnorm_forward"
    x = as_array(x, "x", func, ndim=(2, 3, 4), shape_hint="(N, D) or (N, H, W, C)")
    check_nonempty(x, "x", func)
    D = x.shape[-1]
    arrays = {}
    for name, v in (("gamma", gamma), ("beta", beta), ("running_mean", running_mean), ("running_var", running_var)):
        arrays[name] = as_array(v, name, func, ndim=1, shape_hint=f"({D},)")
        if arrays[name].shape != (D,):
            raise ValueError(f"{name} must have shape ({D},) (one per feature/channel) for {func}; "
                             f"got {arrays[name].shape}.")
    if np.any(arrays["running_var"] < 0):
        raise ValueError(f"running_var must be >= 0 (it is a variance) for {func}; got "
                         f"{int(np.sum(arrays['running_var'] < 0))} negative value(s). Start from np.ones(D).")
    training = check_bool(training, "training", func)
    check_in_range(momentum, "momentum", func, 0.0, 1.0, inclusive=(True, True))
    check_positive(epsilon, "epsilon", func, allow_zero=True)
    axes = tuple(range(x.ndim - 1))
    if training:
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
        new_mean = momentum * arrays["running_mean"] + (1 - momentum) * mean
        new_var = momentum * arrays["running_var"] + (1 - momentum) * var
    else:
        mean, var = arrays["running_mean"], arrays["running_var"]
        new_mean, new_var = mean.copy(), var.copy()
    if np.any(var + epsilon <= 0):
        raise ValueError(f"epsilon must be > 0 when a feature has zero variance for {func}; got epsilon={epsilon!r} "
                         "and a constant feature. Use Keras's default epsilon=1e-3.")
    inv_std = 1.0 / np.sqrt(var + epsilon)
    xhat = (x - mean) * inv_std
    out = arrays["gamma"] * xhat + arrays["beta"]
    cache = {"xhat": xhat, "inv_std": inv_std, "gamma": arrays["gamma"], "training": training, "axes": axes,
             "running_mean": new_mean, "running_var": new_var}
    return out, cache


def batchnorm_backward(dout, cache):
    """dx = γ·inv_std/M · (M·dout − Σdout − x̂·Σ(dout·x̂)) in training, γ·inv_std·dout in inference.

    In training mode the batch statistics depend on x, which gives the formula above (M = number
    of values per feature); in inference mode they are constants. dγ = Σ dout·x̂, dβ = Σ dout.

    Args:
        dout: x's shape; cache: the dict from :func:`batchnorm_forward`.

    Returns:
        ``(dx, {"gamma": dgamma, "beta": dbeta})``: dx with x's shape, dgamma and dbeta (D,).
    """
    check_cache(cache, dict, "batchnorm_backward", "batchnorm_forward")
    if "xhat" not in cache:
        raise TypeError("cache must be the dict returned by batchnorm_forward for batchnorm_backward; got a dict "
                        "without its keys. Pass the second value of out, cache = batchnorm_forward(...).")
    xhat, inv_std, gamma, axes = cache["xhat"], cache["inv_std"], cache["gamma"], cache["axes"]
    dout = check_dout(dout, xhat.shape, "batchnorm_backward")
    dgamma = np.sum(dout * xhat, axis=axes)
    dbeta = np.sum(dout, axis=axes)
    if cache["training"]:
        M = xhat.size // xhat.shape[-1]
        dx = gamma * inv_std / M * (M * dout - dbeta - xhat * dgamma)
    else:
        dx = gamma * inv_std * dout
    return dx, {"gamma": dgamma, "beta": dbeta}
