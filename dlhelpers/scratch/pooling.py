"""Max and average pooling (forward and backward), global pooling, and flatten.

Layout (N, H, W, C); pooling acts on each channel separately. ``strides`` defaults to
``pool_size`` (non-overlapping windows, as Keras). With ``padding="same"`` the padded cells
never win a max and are left out of an average, as in Keras/TensorFlow.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._checks import as_array, check_pair
from .conv import pad_amounts

__all__ = ["max_pool2d_forward", "max_pool2d_backward", "average_pool2d_forward", "average_pool2d_backward",
           "global_max_pool2d", "global_max_pool2d_backward", "global_average_pool2d",
           "global_average_pool2d_backward", "flatten_forward", "flatten_backward", "pool2d_steps", "PoolFrame"]


def _setup(x, pool_size, strides, padding, func, fill):
    x = as_array(x, "x", func, ndim=4, shape_hint="(N, H, W, C)",
                 fix="Add batch and channel axes, e.g. x[None, :, :, None].")
    PH, PW = check_pair(pool_size, "pool_size", func)
    strides = (PH, PW) if strides is None else check_pair(strides, "strides", func)
    N, H, W, C = x.shape
    (t, b), (l, r) = pad_amounts(H, W, PH, PW, strides, padding, func)
    if PH > H + t + b or PW > W + l + r:
        raise ValueError(f"pool_size ({PH}×{PW}) must fit inside the (padded) input ({H + t + b}×{W + l + r}) for "
                         f"{func}; got a larger window. Use a smaller pool_size or padding='same'.")
    xp = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)), constant_values=fill)
    Ho = (H + t + b - PH) // strides[0] + 1
    Wo = (W + l + r - PW) // strides[1] + 1
    sh, sw = strides
    win = sliding_window_view(xp, (PH, PW), axis=(1, 2))[:, : (Ho - 1) * sh + 1: sh, : (Wo - 1) * sw + 1: sw]
    return x, xp, win, (PH, PW), strides, ((t, b), (l, r)), (Ho, Wo)      # win: (N, Ho, Wo, C, PH, PW)


def _scatter(dxp, contrib, strides, Ho, Wo):
    """Add contrib (N, Ho, Wo, C, PH, PW) back onto the padded input, window by window offset."""
    sh, sw = strides
    PH, PW = contrib.shape[-2:]
    for a in range(PH):
        for b in range(PW):
            dxp[:, a: a + (Ho - 1) * sh + 1: sh, b: b + (Wo - 1) * sw + 1: sw, :] += contrib[..., a, b]
    return dxp


def max_pool2d_forward(x, pool_size=2, strides=None, padding="valid"):
    """The largest value of each window. Returns ``(out, cache)``, out (N, H_out, W_out, C).

    Example (the course's 4×4 example):
        >>> x = np.array([[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12.]])
        >>> max_pool2d_forward(x[None, :, :, None])[0][0, :, :, 0]
        array([[ 20.,  30.],
               [112.,  37.]])
    """
    x, xp, win, pool, strides, pads, (Ho, Wo) = _setup(x, pool_size, strides, padding, "max_pool2d_forward", -np.inf)
    flat = win.reshape(*win.shape[:4], -1)                                # (N, Ho, Wo, C, PH·PW)
    arg = flat.argmax(axis=-1)                                            # first maximum wins ties
    out = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
    return out, ("max", x.shape, xp.shape, arg, pool, strides, pads)


def max_pool2d_backward(dout, cache):
    """The gradient goes only to the input that won each window's max."""
    _, x_shape, xp_shape, arg, pool, strides, ((t, _), (l, _)) = cache
    dout = as_array(dout, "dout", "max_pool2d_backward", ndim=4)
    contrib = np.zeros((*arg.shape, pool[0] * pool[1]), dtype=dout.dtype)
    np.put_along_axis(contrib, arg[..., None], dout[..., None], axis=-1)
    dxp = _scatter(np.zeros(xp_shape, dtype=dout.dtype), contrib.reshape(*arg.shape, *pool), strides, *arg.shape[1:3])
    return dxp[:, t: t + x_shape[1], l: l + x_shape[2], :], {}


def average_pool2d_forward(x, pool_size=2, strides=None, padding="valid"):
    """The mean of each window (padded cells excluded from the count).

    Example (the course's 4×4 example; the notes print 20 where the mean is 19.5):
        >>> x = np.array([[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12.]])
        >>> average_pool2d_forward(x[None, :, :, None])[0][0, :, :, 0]
        array([[13. ,  8. ],
               [79. , 19.5]])
    """
    x, xp, win, pool, strides, pads, (Ho, Wo) = _setup(x, pool_size, strides, padding, "average_pool2d_forward", 0.0)
    ones = np.pad(np.ones((1, *x.shape[1:3], 1)), ((0, 0), *pads, (0, 0)))
    count = sliding_window_view(ones, pool, axis=(1, 2))[:, : (Ho - 1) * strides[0] + 1: strides[0],
                                                          : (Wo - 1) * strides[1] + 1: strides[1]].sum(axis=(-2, -1))
    out = win.sum(axis=(-2, -1)) / count                                  # count: (1, Ho, Wo, 1)
    return out, ("avg", x.shape, xp.shape, count, pool, strides, pads)


def average_pool2d_backward(dout, cache):
    """Each input in a window gets dout / (number of real cells in the window)."""
    _, x_shape, xp_shape, count, pool, strides, ((t, _), (l, _)) = cache
    dout = as_array(dout, "dout", "average_pool2d_backward", ndim=4)
    share = np.broadcast_to((dout / count)[..., None, None], (*dout.shape, *pool))
    dxp = _scatter(np.zeros(xp_shape, dtype=dout.dtype), share, strides, *dout.shape[1:3])
    return dxp[:, t: t + x_shape[1], l: l + x_shape[2], :], {}


def global_max_pool2d(x):
    """(N, H, W, C) → (N, C): the largest value of each channel. Returns ``(out, cache)``."""
    x = as_array(x, "x", "global_max_pool2d", ndim=4, shape_hint="(N, H, W, C)")
    flat = x.reshape(x.shape[0], -1, x.shape[3])                            # (N, H·W, C)
    arg = flat.argmax(axis=1)                                              # (N, C)
    return np.take_along_axis(flat, arg[:, None, :], axis=1)[:, 0, :], (x.shape, arg)


def global_max_pool2d_backward(dout, cache):
    shape, arg = cache
    dout = as_array(dout, "dout", "global_max_pool2d_backward", ndim=2)
    dflat = np.zeros((shape[0], shape[1] * shape[2], shape[3]), dtype=dout.dtype)
    np.put_along_axis(dflat, arg[:, None, :], dout[:, None, :], axis=1)
    return dflat.reshape(shape), {}


def global_average_pool2d(x):
    """(N, H, W, C) → (N, C): the mean of each channel. Returns ``(out, cache)``."""
    x = as_array(x, "x", "global_average_pool2d", ndim=4, shape_hint="(N, H, W, C)")
    return x.mean(axis=(1, 2)), x.shape


def global_average_pool2d_backward(dout, cache):
    shape = cache
    dout = as_array(dout, "dout", "global_average_pool2d_backward", ndim=2)
    return np.broadcast_to(dout[:, None, None, :] / (shape[1] * shape[2]), shape).copy(), {}


def flatten_forward(x):
    """(N, ...) → (N, features), row-major like Keras's Flatten with channels-last input."""
    x = as_array(x, "x", "flatten_forward", ndim=(2, 3, 4, 5))
    return x.reshape(x.shape[0], -1), x.shape


def flatten_backward(dout, cache):
    return np.asarray(dout).reshape(cache), {}


@dataclass(frozen=True)
class PoolFrame:
    """One window of a pooling pass over a 2-D map, for steppers and slides.

    ``rows``/``cols`` are (start, stop) in the padded map; ``winner`` is the (row, col) of the
    winning cell in the padded map for max pooling (the first maximum, as the backward pass
    routes the gradient) and ``None`` for average pooling.
    """
    index: int
    position: tuple          # (i, j) in the output
    rows: tuple              # (start, stop) in the padded input
    cols: tuple
    window: np.ndarray       # (PH, PW); NaN where the window covers padding
    value: float             # max or mean of the real cells
    winner: tuple | None     # (row, col) in the padded input, max pooling only
    output: np.ndarray       # (H_out, W_out), NaN where not computed yet
    padded: np.ndarray       # (H + pads, W + pads); NaN in the padding


def pool2d_steps(x, pool_size=2, strides=None, padding="valid", mode="max"):
    """Yield one :class:`PoolFrame` per window of one 2-D map, row by row.

    ``x`` is (H, W); ``mode`` is "max" or "average". The last frame's ``output`` equals
    ``max_pool2d_forward`` / ``average_pool2d_forward`` for the same arguments.
    """
    x = as_array(x, "x", "pool2d_steps", ndim=2, shape_hint="(H, W)")
    if mode not in ("max", "average"):
        raise ValueError(f"mode must be 'max' or 'average' for pool2d_steps; got {mode!r}. Pick one of the two.")
    fwd = max_pool2d_forward if mode == "max" else average_pool2d_forward
    full, _ = fwd(x[None, :, :, None], pool_size, strides, padding)
    _, xp, win, (PH, PW), (sh, sw), pads, (Ho, Wo) = _setup(x[None, :, :, None], pool_size, strides, padding,
                                                           "pool2d_steps", np.nan)
    padded = xp[0, :, :, 0]
    output = np.full((Ho, Wo), np.nan)
    for idx in range(Ho * Wo):
        i, j = divmod(idx, Wo)
        output[i, j] = full[0, i, j, 0]
        window = win[0, i, j, 0].copy()                                   # (PH, PW)
        winner = None
        if mode == "max":
            a, b = np.unravel_index(np.argmax(np.where(np.isnan(window), -np.inf, window)), window.shape)
            winner = (i * sh + int(a), j * sw + int(b))
        yield PoolFrame(idx, (i, j), (i * sh, i * sh + PH), (j * sw, j * sw + PW), window, float(output[i, j]),
                        winner, output.copy(), padded)
