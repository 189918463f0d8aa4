"""Max and average pooling (forward and backward), global pooling, and flatten.

Layout (N, H, W, C); pooling acts on each channel separately. ``strides`` defaults to
``pool_size`` (non-overlapping windows, as Keras). With ``padding="same"`` the padded cells
never win a max and are left out of an average, as in Keras/TensorFlow. As in :mod:`.conv`, a padded
input or output larger than :data:`~dlhelpers.scratch.conv.MAX_ELEMENTS` numbers is refused.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._checks import as_array, check_cache, check_choice, check_dout, check_nonempty, check_pair
from .conv import _check_room, pad_amounts

__all__ = ["max_pool2d_forward", "max_pool2d_backward", "average_pool2d_forward", "average_pool2d_backward",
           "global_max_pool2d", "global_max_pool2d_backward", "global_average_pool2d",
           "global_average_pool2d_backward", "flatten_forward", "flatten_backward", "pool2d_steps", "PoolFrame",
           "MaxPoolCache", "AvgPoolCache", "GlobalMaxPoolCache", "GlobalAvgPoolCache", "FlattenCache"]


# --- caches: what each backward pass needs from its forward pass ---------------------------------

@dataclass(frozen=True)
class _WindowPoolCache:
    """The part of a max/average pooling cache that locates every window."""
    x_shape: tuple           # (N, H, W, C)
    xp_shape: tuple          # the padded input's shape
    pool: tuple              # (PH, PW)
    strides: tuple           # (rows, cols)
    pads: tuple              # ((top, bottom), (left, right))
    out_shape: tuple         # (N, H_out, W_out, C)


@dataclass(frozen=True)
class MaxPoolCache(_WindowPoolCache):
    """From :func:`max_pool2d_forward` for :func:`max_pool2d_backward`."""
    arg: np.ndarray          # (N, H_out, W_out, C): flat index of each window's winner (first maximum)


@dataclass(frozen=True)
class AvgPoolCache(_WindowPoolCache):
    """From :func:`average_pool2d_forward` for :func:`average_pool2d_backward`."""
    count: np.ndarray        # (1, H_out, W_out, 1): real (non-padding) cells in each window, in x's dtype


@dataclass(frozen=True)
class GlobalMaxPoolCache:
    """From :func:`global_max_pool2d` for :func:`global_max_pool2d_backward`."""
    x_shape: tuple           # (N, H, W, C)
    arg: np.ndarray          # (N, C): flat index (over H·W) of each channel's maximum


@dataclass(frozen=True)
class GlobalAvgPoolCache:
    """From :func:`global_average_pool2d` for :func:`global_average_pool2d_backward`."""
    x_shape: tuple           # (N, H, W, C)


@dataclass(frozen=True)
class FlattenCache:
    """From :func:`flatten_forward` for :func:`flatten_backward`."""
    x_shape: tuple           # (N, ...)


def _setup(x, pool_size, strides, padding, func, fill):
    """Validate; return x, the padded input, all windows (N, Ho, Wo, C, PH, PW), pool, strides, pads, (Ho, Wo)."""
    x = as_array(x, "x", func, ndim=4, shape_hint="(N, H, W, C)",
                 fix="Add batch and channel axes, e.g. x[None, :, :, None].")
    check_nonempty(x, "x", func)
    PH, PW = check_pair(pool_size, "pool_size", func)
    strides = (PH, PW) if strides is None else check_pair(strides, "strides", func)
    N, H, W, C = x.shape
    (t, b), (l, r) = pad_amounts(H, W, PH, PW, strides, padding, func)
    if max(t, b) >= PH or max(l, r) >= PW:
        raise ValueError(f"padding must be smaller than pool_size ({PH}×{PW}) on every side for {func}; got "
                         f"{padding!r}. A window made only of padding has no max or mean: use padding <= "
                         f"{min(PH, PW) - 1} or padding='same'.")
    if PH > H + t + b or PW > W + l + r:
        raise ValueError(f"pool_size ({PH}×{PW}) must fit inside the (padded) input ({H + t + b}×{W + l + r}) for "
                         f"{func}; got a larger window. Use a smaller pool_size or padding='same'.")
    Ho = (H + t + b - PH) // strides[0] + 1
    Wo = (W + l + r - PW) // strides[1] + 1
    _check_room(x.shape, ((t, b), (l, r)), (N, Ho, Wo, C), padding, func,
                window=("pool_size", pool_size, "Use a pool_size no larger than the input; to pool the whole map "
                        "use global_max_pool2d or global_average_pool2d."))
    xp = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)), constant_values=fill)   # a new array: x is never changed
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
    """The largest value of each window, channel by channel.

    Args:
        x: (N, H, W, C).
        pool_size: int or (rows, cols) window.
        strides: int, (rows, cols) or None (= pool_size, non-overlapping windows).
        padding: "valid", "same" or an int smaller than the window (padded cells never win).

    Returns:
        ``(out, cache)``: out (N, H_out, W_out, C) and a :class:`MaxPoolCache`.

    Example (the course's 4×4 example):
        >>> x = np.array([[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12.]])
        >>> max_pool2d_forward(x[None, :, :, None])[0][0, :, :, 0]
        array([[ 20.,  30.],
               [112.,  37.]])
    """
    x, xp, win, pool, strides, pads, (Ho, Wo) = _setup(x, pool_size, strides, padding, "max_pool2d_forward", -np.inf)
    flat = win.reshape(*win.shape[:4], -1)                                # (N, Ho, Wo, C, PH·PW)
    arg = flat.argmax(axis=-1)                                            # first maximum wins ties
    out = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]       # (N, Ho, Wo, C)
    return out, MaxPoolCache(x.shape, xp.shape, pool, strides, pads, out.shape, arg=arg)


def max_pool2d_backward(dout, cache):
    """dx = dout at each window's winner, 0 elsewhere (summed where windows overlap).

    Args:
        dout: (N, H_out, W_out, C); cache: the :class:`MaxPoolCache` from :func:`max_pool2d_forward`.

    Returns:
        ``(dx, {})``: dx (N, H, W, C); pooling has no parameters.
    """
    cache = check_cache(cache, MaxPoolCache, "max_pool2d_backward", "max_pool2d_forward")
    dout = check_dout(dout, cache.out_shape, "max_pool2d_backward")
    arg, pool = cache.arg, cache.pool
    (t, _), (l, _) = cache.pads
    contrib = np.zeros((*arg.shape, pool[0] * pool[1]), dtype=dout.dtype)  # (N, Ho, Wo, C, PH·PW)
    np.put_along_axis(contrib, arg[..., None], dout[..., None], axis=-1)
    dxp = _scatter(np.zeros(cache.xp_shape, dtype=dout.dtype), contrib.reshape(*arg.shape, *pool), cache.strides,
                   *arg.shape[1:3])
    return dxp[:, t: t + cache.x_shape[1], l: l + cache.x_shape[2], :], {}


def average_pool2d_forward(x, pool_size=2, strides=None, padding="valid"):
    """The mean of each window, channel by channel (padded cells excluded from the count, as Keras).

    Args: as :func:`max_pool2d_forward`.

    Returns:
        ``(out, cache)``: out (N, H_out, W_out, C) in x's float dtype (float32 stays float32) and an
        :class:`AvgPoolCache`.

    Example (the course's 4×4 example; the notes print 20 where the mean is 19.5):
        >>> x = np.array([[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12.]])
        >>> average_pool2d_forward(x[None, :, :, None])[0][0, :, :, 0]
        array([[13. ,  8. ],
               [79. , 19.5]])
    """
    x, xp, win, pool, strides, pads, (Ho, Wo) = _setup(x, pool_size, strides, padding, "average_pool2d_forward", 0.0)
    ones = np.pad(np.ones((1, *x.shape[1:3], 1), dtype=x.dtype), ((0, 0), *pads, (0, 0)))   # x's dtype: float32 stays
    count = sliding_window_view(ones, pool, axis=(1, 2))[:, : (Ho - 1) * strides[0] + 1: strides[0],
                                                          : (Wo - 1) * strides[1] + 1: strides[1]].sum(axis=(-2, -1))
    out = win.sum(axis=(-2, -1)) / count                                  # count: (1, Ho, Wo, 1)
    return out, AvgPoolCache(x.shape, xp.shape, pool, strides, pads, out.shape, count=count)


def average_pool2d_backward(dout, cache):
    """dx = dout / (real cells in the window) for every cell of the window (summed where windows overlap).

    Args:
        dout: (N, H_out, W_out, C); cache: the :class:`AvgPoolCache` from :func:`average_pool2d_forward`.

    Returns:
        ``(dx, {})``: dx (N, H, W, C) in dout's float dtype.
    """
    cache = check_cache(cache, AvgPoolCache, "average_pool2d_backward", "average_pool2d_forward")
    dout = check_dout(dout, cache.out_shape, "average_pool2d_backward")
    (t, _), (l, _) = cache.pads
    share = np.broadcast_to((dout / cache.count.astype(dout.dtype))[..., None, None], (*dout.shape, *cache.pool))
    dxp = _scatter(np.zeros(cache.xp_shape, dtype=dout.dtype), share, cache.strides, *dout.shape[1:3])
    return dxp[:, t: t + cache.x_shape[1], l: l + cache.x_shape[2], :], {}


def global_max_pool2d(x):
    """The largest value of each channel over the whole map.

    Args:
        x: (N, H, W, C).

    Returns:
        ``(out, cache)``: out (N, C) and a :class:`GlobalMaxPoolCache`.
    """
    x = as_array(x, "x", "global_max_pool2d", ndim=4, shape_hint="(N, H, W, C)")
    check_nonempty(x, "x", "global_max_pool2d")
    flat = x.reshape(x.shape[0], -1, x.shape[3])                            # (N, H·W, C)
    arg = flat.argmax(axis=1)                                              # (N, C)
    return np.take_along_axis(flat, arg[:, None, :], axis=1)[:, 0, :], GlobalMaxPoolCache(x.shape, arg)


def global_max_pool2d_backward(dout, cache):
    """dx = dout at each channel's maximum, 0 elsewhere.

    Args:
        dout: (N, C); cache: the :class:`GlobalMaxPoolCache` from :func:`global_max_pool2d`.

    Returns:
        ``(dx, {})``: dx (N, H, W, C).
    """
    cache = check_cache(cache, GlobalMaxPoolCache, "global_max_pool2d_backward", "global_max_pool2d")
    N, H, W, C = cache.x_shape
    dout = check_dout(dout, (N, C), "global_max_pool2d_backward")
    dflat = np.zeros((N, H * W, C), dtype=dout.dtype)                       # (N, H·W, C)
    np.put_along_axis(dflat, cache.arg[:, None, :], dout[:, None, :], axis=1)
    return dflat.reshape(cache.x_shape), {}


def global_average_pool2d(x):
    """The mean of each channel over the whole map (Keras's GlobalAveragePooling2D).

    Args:
        x: (N, H, W, C).

    Returns:
        ``(out, cache)``: out (N, C) and a :class:`GlobalAvgPoolCache`.
    """
    x = as_array(x, "x", "global_average_pool2d", ndim=4, shape_hint="(N, H, W, C)")
    check_nonempty(x, "x", "global_average_pool2d")
    return x.mean(axis=(1, 2)), GlobalAvgPoolCache(x.shape)


def global_average_pool2d_backward(dout, cache):
    """dx[n, i, j, c] = dout[n, c] / (H·W) for every pixel.

    Args:
        dout: (N, C); cache: the :class:`GlobalAvgPoolCache` from :func:`global_average_pool2d`.

    Returns:
        ``(dx, {})``: dx (N, H, W, C).
    """
    cache = check_cache(cache, GlobalAvgPoolCache, "global_average_pool2d_backward", "global_average_pool2d")
    N, H, W, C = cache.x_shape
    dout = check_dout(dout, (N, C), "global_average_pool2d_backward")
    return np.broadcast_to(dout[:, None, None, :] / (H * W), cache.x_shape).copy(), {}


def flatten_forward(x):
    """(N, ...) → (N, features), row-major like Keras's Flatten with channels-last input.

    Args:
        x: (N, ...) with 2 to 5 axes.

    Returns:
        ``(out, cache)``: out (N, prod of the other axes), a view of x, and a :class:`FlattenCache`.
    """
    x = as_array(x, "x", "flatten_forward", ndim=(2, 3, 4, 5))
    check_nonempty(x, "x", "flatten_forward")
    return x.reshape(x.shape[0], -1), FlattenCache(x.shape)


def flatten_backward(dout, cache):
    """dx = dout reshaped back to the input's shape (flattening moves values, it changes none).

    Args:
        dout: (N, features); cache: the :class:`FlattenCache` from :func:`flatten_forward`.

    Returns:
        ``(dx, {})``: dx with the forward input's shape.
    """
    cache = check_cache(cache, FlattenCache, "flatten_backward", "flatten_forward")
    shape = cache.x_shape
    dout = check_dout(dout, (shape[0], int(np.prod(shape[1:]))), "flatten_backward")
    return dout.reshape(shape), {}


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

    Args:
        x: (H, W), one map.
        pool_size, strides, padding: as :func:`max_pool2d_forward`.
        mode: "max" or "average".

    Yields:
        :class:`PoolFrame` objects, H_out·W_out of them; the last frame's ``output`` (H_out, W_out)
        equals ``max_pool2d_forward`` / ``average_pool2d_forward`` for the same arguments.
    """
    check_choice(mode, "mode", "pool2d_steps", ("max", "average"))
    x = as_array(x, "x", "pool2d_steps", ndim=2, shape_hint="(H, W)")
    _, xp, win, (PH, PW), (sh, sw), pads, (Ho, Wo) = _setup(x[None, :, :, None], pool_size, strides, padding,
                                                           "pool2d_steps", np.nan)
    forward = max_pool2d_forward if mode == "max" else average_pool2d_forward     # valid: _setup checked it
    full, _ = forward(x[None, :, :, None], pool_size, strides, padding)
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
