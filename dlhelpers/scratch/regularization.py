"""Regularization layers in NumPy: inverted dropout and batch normalization.

Inverted dropout zeroes each unit with probability ``rate`` during training and scales
the survivors by 1 / (1 − rate), so the expected activation is unchanged and inference
needs no rescaling (Keras's Dropout does the same).

Batch normalization normalises each feature with the batch's mean and variance in training and with
moving averages of them in inference. Given a sequence mask (padded steps, from a ``Masking`` layer),
the batch statistics come from the real steps only, with Keras's formula.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import (_fail, as_array, check_bool, check_cache, check_dout, check_in_range, check_nonempty,
                       check_positive, check_rng)

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

#: Keras's fuzz factor ``keras.config.epsilon()``: added to the count of real positions in the masked moments.
_KERAS_EPSILON = 1e-7


def _check_bn_mask(mask, x, func):
    """The mask as a bool array of x's shape without the feature axis, or None. 0/1 numbers are accepted as bools."""
    if mask is None:
        return None
    want = x.shape[:-1]
    hint = f"{want} of bools (x's shape without the feature axis)"
    arr = mask if isinstance(mask, np.ndarray) and mask.dtype == bool else None
    if arr is None:
        m = as_array(mask, "mask", func, shape_hint=hint)
        if not np.all((m == 0) | (m == 1)):
            _fail("mask", func, "bools (True = a real position, False = padding)", "values other than 0 and 1",
                  "Pass the (N, T) mask of a Masking layer, e.g. np.any(x != 0, axis=-1).")
        arr = m.astype(bool)
    if arr.shape != want:
        _fail("mask", func, f"shape {want} (x's shape without the feature axis)", f"shape {arr.shape}",
              "Pass one flag per position, e.g. the (N, T) mask of (N, T, D) sequences.")
    return arr


def batchnorm_forward(x, gamma, beta, running_mean, running_var, training=True, momentum=0.99, epsilon=1e-3,
                      mask=None):
    """Batch normalization over every axis but the last (features / channels), as Keras's layer.

    Training: normalise with the batch's mean and (biased) variance, then scale and shift:
    ``y = gamma · (x − μ_B) / √(σ²_B + ε) + beta``; the running statistics move towards the
    batch's: ``running ← momentum · running + (1 − momentum) · batch``.
    Inference: the running statistics are used instead, and nothing is updated.

    With a ``mask`` (training only, as Keras's layer after a ``Masking`` layer), the batch statistics are
    taken over the real positions only, exactly as Keras computes them:
    ``μ_B = Σ m·x / (Σ m + 1e-7)`` and ``σ²_B = Σ m·(x − μ_B)² / (Σ m + 1e-7)`` (m = 1 at a real position,
    0 at padding; 1e-7 is Keras's ``epsilon()``). Every position, padding included, is then normalised
    with them, and the running statistics move towards them. In inference the mask changes nothing.

    Args:
        x: (N, D), (N, T, D) or (N, H, W, C).
        gamma, beta: (D,) scale and shift.
        running_mean, running_var: (D,) moving statistics (running_var >= 0).
        training: batch statistics (True) or the running ones (False).
        momentum: in [0, 1]; epsilon: >= 0, added to the variance (Keras: 1e-3).
        mask: None, or bools of x's shape without the last axis (e.g. (N, T) for (N, T, D) sequences),
            True at the real positions.

    Returns:
        ``(out, cache)``: out with x's shape and a dict for :func:`batchnorm_backward`; the updated
        running statistics are ``cache["running_mean"]`` and ``cache["running_var"]`` (unchanged
        copies in inference mode).

    Example:
        >>> x = np.array([[[1.0], [3.0], [0.0]]])             # one sequence, the last step is padding
        >>> out, cache = batchnorm_forward(x, [1.0], [0.0], [0.0], [1.0], mask=[[True, True, False]])
        >>> round(float(cache["running_mean"][0]), 6)         # 0.01 · mean of the real steps (2)
        0.02
    """
    func = "batchnorm_forward"
    x = as_array(x, "x", func, ndim=(2, 3, 4), shape_hint="(N, D), (N, T, D) or (N, H, W, C)")
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
    mask = _check_bn_mask(mask, x, func)
    axes = tuple(range(x.ndim - 1))
    weights = None
    if training and mask is not None:
        weights = mask[..., None]                                       # (..., 1): 1 at real positions
        count = np.sum(mask, dtype=x.dtype) + x.dtype.type(_KERAS_EPSILON)   # Σ m + 1e-7, in x's dtype as Keras
        mean = np.sum(np.where(weights, x, 0), axis=axes) / count
        var = np.sum(np.square(np.where(weights, x - mean, 0)), axis=axes) / count
    elif training:
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
    else:
        mean, var = arrays["running_mean"], arrays["running_var"]
    if training:
        new_mean = momentum * arrays["running_mean"] + (1 - momentum) * mean
        new_var = momentum * arrays["running_var"] + (1 - momentum) * var
    else:
        new_mean, new_var = mean.copy(), var.copy()
    if np.any(var + epsilon <= 0):
        raise ValueError(f"epsilon must be > 0 when a feature has zero variance for {func}; got epsilon={epsilon!r} "
                         "and a constant feature. Use Keras's default epsilon=1e-3.")
    inv_std = 1.0 / np.sqrt(var + epsilon)
    xhat = (x - mean) * inv_std
    out = arrays["gamma"] * xhat + arrays["beta"]
    cache = {"xhat": xhat, "inv_std": inv_std, "gamma": arrays["gamma"], "training": training, "axes": axes,
             "running_mean": new_mean, "running_var": new_var}
    if weights is not None:
        cache["mask"], cache["count"] = weights, count
    return out, cache


def batchnorm_backward(dout, cache):
    """dx = γ·inv_std/M · (M·dout − Σdout − x̂·Σ(dout·x̂)) in training, γ·inv_std·dout in inference.

    In training mode the batch statistics depend on x, which gives the formula above (M = number
    of values per feature); in inference mode they are constants. dγ = Σ dout·x̂, dβ = Σ dout (sums over
    every position, padding included, since every position is normalised).

    With a mask in training, only the real positions (m = 1) feed the statistics, so only they get the
    gradient through μ_B and σ²_B; with c = Σ m + 1e-7:
    ``dx = γ·inv_std · (dout − m·x̂·dγ/c − m·(dβ − dγ·Σ m·x̂ / c)/c)``. Padding keeps
    ``γ·inv_std·dout`` (the normalisation of the position itself). Σ m·x̂ = 1e-7·μ_B·inv_std is not
    exactly 0 because of Keras's 1e-7; it is kept so the gradient is exactly that of the forward pass.

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
    if cache["training"] and cache.get("mask") is not None:
        m, c = cache["mask"], cache["count"]
        sum_mxhat = np.sum(np.where(m, xhat, 0), axis=axes)             # ≈ 0 (exactly 0 without the 1e-7)
        dx = gamma * inv_std * (dout - m * (xhat * dgamma / c + (dbeta - dgamma * sum_mxhat / c) / c))
    elif cache["training"]:
        M = xhat.size // xhat.shape[-1]
        dx = gamma * inv_std / M * (M * dout - dbeta - xhat * dgamma)
    else:
        dx = gamma * inv_std * dout
    return dx, {"gamma": dgamma, "beta": dbeta}
