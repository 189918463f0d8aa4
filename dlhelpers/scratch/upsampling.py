"""Nearest-neighbour upsampling (Keras's ``UpSampling2D``), forward and backward.

Every pixel becomes a block of ``size`` = (rows, cols) copies: (N, H, W, C) → (N, H·rows, W·cols, C).
No weights are learned; a DCGAN generator follows it with a convolution, the alternative to a strided
transposed convolution (:func:`dlhelpers.scratch.conv.conv2d_transpose_forward`), free of its
checkerboard pattern. The backward pass adds up the gradients of each block's copies.

Only ``interpolation="nearest"`` is offered: Keras's "bilinear" resizes through TensorFlow's image
kernels, which compute in float32 even for float64 layers, so no float64 twin could match it exactly.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_array, check_cache, check_dout, check_nonempty, check_pair, check_size
from .conv import MAX_ELEMENTS

__all__ = ["up_sampling2d_forward", "up_sampling2d_backward", "UpSamplingCache", "INTERPOLATIONS"]

#: The interpolations the scratch twin offers (Keras also has "bilinear", "bicubic", ... computed in float32).
INTERPOLATIONS = ("nearest",)


@dataclass(frozen=True)
class UpSamplingCache:
    """What :func:`up_sampling2d_backward` needs from the forward pass."""
    x_shape: tuple           # (N, H, W, C)
    size: tuple              # (rows, cols)
    out_shape: tuple         # (N, H·rows, W·cols, C)


def _check_interpolation(interpolation, func):
    """``interpolation`` checked: one of :data:`INTERPOLATIONS`, with a word on why "bilinear" is left out."""
    if isinstance(interpolation, str) and interpolation in INTERPOLATIONS:
        return interpolation
    fix = ("Keras's other interpolations compute in float32 inside TensorFlow, so the scratch twin offers "
           "'nearest' only; follow it with a Conv2D to smooth the blocks." if isinstance(interpolation, str)
           else "Pass interpolation='nearest'.")
    raise ValueError(f"interpolation must be 'nearest' for {func}; got {interpolation!r}. {fix}")


def up_sampling2d_forward(x, size=2, interpolation="nearest"):
    """Repeat every pixel ``size`` times along rows and columns: out[n, i, j, c] = x[n, i // rows, j // cols, c].

    Args:
        x: (N, H, W, C) images.
        size: int or (rows, cols), positive (Keras's default 2, i.e. (2, 2)).
        interpolation: "nearest" (see the module docstring).

    Returns:
        ``(out, cache)``: out (N, H·rows, W·cols, C) and an :class:`UpSamplingCache`.

    Example:
        >>> up_sampling2d_forward(np.array([[1., 2.], [3., 4.]])[None, :, :, None], size=(1, 2))[0][0, :, :, 0]
        array([[1., 1., 2., 2.],
               [3., 3., 4., 4.]])
    """
    func = "up_sampling2d_forward"
    x = as_array(x, "x", func, ndim=4, shape_hint="(N, H, W, C)",
                 fix="Add batch and channel axes, e.g. x[None, :, :, None].")
    check_nonempty(x, "x", func)
    rows, cols = check_pair(size, "size", func)
    _check_interpolation(interpolation, func)
    N, H, W, C = x.shape
    out_shape = (N, H * rows, W * cols, C)
    check_size(out_shape, "size", func, value=size, limit=MAX_ELEMENTS, what="the output",
               fix="Upsample by a small factor, e.g. size=2. (The limit is dlhelpers.scratch.conv.MAX_ELEMENTS.)")
    out = np.repeat(np.repeat(x, rows, axis=1), cols, axis=2)               # (N, H·rows, W·cols, C)
    return out, UpSamplingCache(x.shape, (rows, cols), out_shape)


def up_sampling2d_backward(dout, cache):
    """dx[n, i, j, c] = Σ of dout over the rows × cols block that pixel (i, j) was copied to.

    Args:
        dout: (N, H·rows, W·cols, C), dL/dout.
        cache: the :class:`UpSamplingCache` from :func:`up_sampling2d_forward`.

    Returns:
        ``(dx, {})``: dx (N, H, W, C); upsampling has no weights.
    """
    cache = check_cache(cache, UpSamplingCache, "up_sampling2d_backward", "up_sampling2d_forward")
    dout = check_dout(dout, cache.out_shape, "up_sampling2d_backward")
    N, H, W, C = cache.x_shape
    rows, cols = cache.size
    blocks = dout.reshape(N, H, rows, W, cols, C)                            # block (i, j) at [:, i, :, j, :, :]
    return blocks.sum(axis=(2, 4)), {}
