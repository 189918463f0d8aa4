"""2-D convolution (cross-correlation, as in every deep-learning library), forward and backward.

Layouts are Keras's: x (N, H, W, C), kernel (KH, KW, C, F), bias (F,), output (N, H_out, W_out, F).

Two implementations give identical results:

* :func:`conv2d_forward_loop` / :func:`conv2d_backward_loop` read like the definition, one output
  number at a time: out[n, i, j, f] = Σ window · kernel[..., f] + bias[f];
* :func:`conv2d_forward` / :func:`conv2d_backward` gather every window at once with NumPy's
  ``sliding_window_view`` and do one tensor contraction (the im2col idea), which is fast. For
  stride 1 they hand over to a faster path that copies no windows (``_conv_fast.py`` says why).

Forward functions return ``(out, ConvCache)``; the backward functions check ``dout`` against it.

Output size per spatial axis, with input n, kernel k, stride s and total padding p:
``n_out = floor((n + p − k) / s) + 1``. ``padding="same"`` pads like Keras/TensorFlow so that
``n_out = ceil(n / s)`` (the extra row/column, if any, goes at the bottom/right).

A call whose padded input or output would hold more than :data:`MAX_ELEMENTS` numbers (an absurd
padding, say ``padding=10**5``) is refused with a ValueError before anything is allocated.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._checks import as_array, check_cache, check_dout, check_nonempty, check_number, check_pair, check_positive, check_size
from ._conv_fast import shifted_backward, shifted_forward

__all__ = ["KERNELS", "MAX_ELEMENTS", "conv2d_forward", "conv2d_backward", "conv2d_forward_loop",
           "conv2d_backward_loop", "conv2d_steps", "ConvFrame", "ConvCache", "conv_output_size", "same_padding",
           "pad_amounts"]


#: 3×3 filters used in the notebooks and the stepper (2-D; add axes with k[:, :, None, None]).
KERNELS = {
    "course X": np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=float),
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float),
    "box blur": np.full((3, 3), 1 / 9),
    "gaussian blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], dtype=float) / 16,
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
    "vertical edges (Sobel x)": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float),
    "horizontal edges (Sobel y)": np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=float),
    "all edges (Laplacian)": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float),
}

#: The most numbers the padded input or the output of one call may hold (2**30, 8 GiB as float64).
#: The largest array in any lesson holds a few tens of millions; only an absurd padding, window or batch
#: comes near this, and it is refused with a clear message before NumPy tries (and fails) to allocate it.
MAX_ELEMENTS = 2 ** 30


@dataclass(frozen=True)
class ConvCache:
    """What :func:`conv2d_backward` needs from the forward pass (one object per forward call)."""
    x_shape: tuple           # (N, H, W, C), the unpadded input's shape
    xp: np.ndarray           # (N, H + top + bottom, W + left + right, C), the padded input
    kernel: np.ndarray       # (KH, KW, C, F)
    strides: tuple           # (rows, cols)
    pads: tuple              # ((top, bottom), (left, right))
    out_shape: tuple         # (N, H_out, W_out, F)


def same_padding(n, k, s):
    """(before, after) padding that gives ceil(n / s) outputs, split like TensorFlow (extra after).

    Args:
        n: input length; k: kernel length; s: stride (positive ints).

    Returns:
        ``(before, after)`` ints; ``before + after = max((ceil(n/s) − 1)·s + k − n, 0)``.
    """
    for value, name in ((n, "n"), (k, "k"), (s, "s")):
        check_positive(value, name, "same_padding", integer=True)
    out = math.ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def pad_amounts(H, W, KH, KW, strides, padding, func="pad_amounts"):
    """Zero padding on each side for padding ``"valid"``, ``"same"`` or an int (the same on every side).

    Args:
        H, W: input size; KH, KW: window size; strides: (rows, cols).
        padding: "valid", "same" or a non-negative int.
        func: the public function named in error messages.

    Returns:
        ``((top, bottom), (left, right))``.
    """
    for value, name in ((H, "H"), (W, "W"), (KH, "KH"), (KW, "KW")):
        check_positive(value, name, func, integer=True)
    sh, sw = check_pair(strides, "strides", func)
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            return same_padding(H, KH, sh), same_padding(W, KW, sw)
        raise ValueError(f"padding must be 'valid', 'same' or a non-negative int for {func}; got {padding!r}. "
                         "Check the spelling.")
    if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)):
        raise TypeError(f"padding must be 'valid', 'same' or a non-negative int for {func}; got {padding!r} "
                        f"({type(padding).__name__}). Pass e.g. padding=1 or padding='same'.")
    if padding < 0:
        raise ValueError(f"padding must be 'valid', 'same' or a non-negative int for {func}; got {padding!r}. "
                         "Use 0 (or 'valid') for no padding.")
    p = int(padding)
    return (p, p), (p, p)


def _check_room(x_shape, pads, out_shape, padding, func, window):
    """Refuse a padded input (N, H + t + b, W + l + r, C) or an output larger than :data:`MAX_ELEMENTS`.

    The message blames the argument that made them large: an int padding; with padding="same" the
    window, given as ``window = (name, value, fix)``; otherwise the batch x itself.
    """
    if isinstance(padding, str) and padding == "same":
        name, value, fix = window
    elif not isinstance(padding, str) and padding > 0:
        name, value, fix = ("padding", padding, "Pad by a few pixels (padding=1 for a 3×3 window; padding='same' "
                            "keeps the input's size): beyond the window size − 1 padding only adds outputs that see "
                            "nothing but zeros.")
    else:
        name, value, fix = "x", f"an array of shape {tuple(x_shape)}", "Pass smaller batches, e.g. x[:1000]."
    N, H, W, C = x_shape
    (t, b), (l, r) = pads
    for what, shape in (("the padded input", (N, H + t + b, W + l + r, C)), ("the output", out_shape)):
        check_size(shape, name, func, value=value, limit=MAX_ELEMENTS, what=what,
                   fix=f"{fix} (The limit is dlhelpers.scratch.conv.MAX_ELEMENTS.)")


def conv_output_size(n, k, stride=1, padding="valid"):
    """Output length along one axis: floor((n + pad_total − k) / stride) + 1 (see the module docstring).

    Args:
        n: input length; k: kernel length; stride: step (positive ints).
        padding: "valid", "same" or a non-negative int (zeros on each side).

    Returns:
        int, the number of output positions.

    Example:
        >>> conv_output_size(28, 5), conv_output_size(5, 3, stride=2, padding="same")
        (24, 3)
    """
    for value, name in ((n, "n"), (k, "k"), (stride, "stride")):
        check_positive(value, name, "conv_output_size", integer=True)
    (a, b), _ = pad_amounts(n, n, k, k, (stride, stride), padding, "conv_output_size")
    if k > n + a + b:
        raise ValueError(f"k must be at most the padded length n + padding = {n + a + b} for conv_output_size; "
                         f"got {k}. Use a smaller kernel or more padding.")
    return (n + a + b - k) // stride + 1


def _prepare(x, kernel, bias, strides, padding, func):
    """Validate the arguments; return the padded input, kernel, bias (one dtype), strides, pads, (Ho, Wo)."""
    x = as_array(x, "x", func, ndim=4, shape_hint="(N, H, W, C)",
                 fix="Add batch and channel axes, e.g. x[None, :, :, None].")
    check_nonempty(x, "x", func)
    kernel = as_array(kernel, "kernel", func, ndim=4, shape_hint="(KH, KW, C, F)",
                      fix="For one 2-D filter on one channel use kernel[:, :, None, None].")
    check_nonempty(kernel, "kernel", func)
    if x.shape[3] != kernel.shape[2]:
        raise ValueError(f"kernel.shape[2] must equal the input channels x.shape[3] = {x.shape[3]} for {func}; "
                         f"got kernel {kernel.shape}. The kernel is (KH, KW, C_in, F), as in Keras.")
    F = kernel.shape[3]
    bias = np.zeros(F, dtype=x.dtype) if bias is None else as_array(bias, "bias", func, ndim=1, shape_hint="(F,)")
    if bias.shape != (F,):
        raise ValueError(f"bias must have shape ({F},) (one per filter) for {func}; got {bias.shape}.")
    strides = check_pair(strides, "strides", func)
    N, H, W, C = x.shape
    KH, KW = kernel.shape[:2]
    (t, b), (l, r) = pad_amounts(H, W, KH, KW, strides, padding, func)
    if KH > H + t + b or KW > W + l + r:
        raise ValueError(f"the kernel ({KH}×{KW}) must fit inside the padded input ({H + t + b}×{W + l + r}) for "
                         f"{func}; got a larger kernel. Use a smaller kernel, more padding, or padding='same'.")
    Ho = (H + t + b - KH) // strides[0] + 1
    Wo = (W + l + r - KW) // strides[1] + 1
    _check_room(x.shape, ((t, b), (l, r)), (N, Ho, Wo, F), padding, func,
                window=("kernel", f"an array of shape {kernel.shape}", "Use a smaller kernel."))
    xp = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)))                          # a new array: x is never changed
    dtype = np.result_type(x.dtype, kernel.dtype, bias.dtype)
    return xp.astype(dtype, copy=False), kernel.astype(dtype, copy=False), bias.astype(dtype, copy=False), \
        strides, ((t, b), (l, r)), (Ho, Wo)


# --- vectorized ------------------------------------------------------------------------------

def _windows(xp, KH, KW, strides, Ho, Wo):
    """All KH×KW windows: (N, Ho, Wo, C, KH, KW), a view (no copy) into the padded input."""
    sh, sw = strides
    return sliding_window_view(xp, (KH, KW), axis=(1, 2))[:, : (Ho - 1) * sh + 1: sh, : (Wo - 1) * sw + 1: sw]


def conv2d_forward(x, kernel, bias=None, strides=1, padding="valid"):
    """Convolve a batch of images with F filters (vectorized).

    Args:
        x: (N, H, W, C) images.
        kernel: (KH, KW, C, F) filters.
        bias: (F,) or None (zeros).
        strides: int or (rows, cols).
        padding: "valid" (none), "same" (output = ceil(input / stride)) or an int.

    Returns:
        ``(out, cache)``: out (N, H_out, W_out, F) and a :class:`ConvCache` for :func:`conv2d_backward`.

    Example (the course's 5×5 image and 3×3 kernel):
        >>> img = np.array([[1,1,1,0,0],[0,1,1,1,0],[0,0,1,1,1],[0,0,1,1,0],[0,1,1,0,0.]])
        >>> k = np.array([[1,0,1],[0,1,0],[1,0,1.]])
        >>> conv2d_forward(img[None, :, :, None], k[:, :, None, None])[0][0, :, :, 0]
        array([[4., 3., 4.],
               [2., 4., 3.],
               [2., 3., 4.]])
    """
    xp, kernel, bias, strides, pads, (Ho, Wo) = _prepare(x, kernel, bias, strides, padding, "conv2d_forward")
    KH, KW, C, F = kernel.shape
    if strides == (1, 1):
        out = shifted_forward(xp, kernel, Ho, Wo, bias)                        # fast path, see _conv_fast.py
    else:
        win = _windows(xp, KH, KW, strides, Ho, Wo)                            # (N, Ho, Wo, C, KH, KW)
        out = np.tensordot(win, kernel, axes=([4, 5, 3], [0, 1, 2]))          # (N, Ho, Wo, F)
        out += bias
    return out, ConvCache(np.shape(x), xp, kernel, strides, pads, out.shape)


def conv2d_backward(dout, cache):
    """Gradients of the convolution: ``dK = Σ windowᵀ·dout``, ``db = Σ dout``, ``dx = Σ dout·Kᵀ`` scattered back.

    dK[a, b, c, f] = Σ_{n,i,j} window[n, i, j, c, a, b] · dout[n, i, j, f]
    dx: each output's gradient is sent back to the input pixels its window covered
    (one strided slice per kernel offset, summed where windows overlap).

    Args:
        dout: (N, H_out, W_out, F), dL/dout.
        cache: the :class:`ConvCache` from :func:`conv2d_forward`.

    Returns:
        ``(dx, {"kernel": dK, "bias": db})``: dx (N, H, W, C), dK (KH, KW, C, F), db (F,).
    """
    cache = check_cache(cache, ConvCache, "conv2d_backward", "conv2d_forward")
    dout = check_dout(dout, cache.out_shape, "conv2d_backward")
    xp, kernel, strides = cache.xp, cache.kernel, cache.strides
    (t, _), (l, _) = cache.pads
    KH, KW, C, F = kernel.shape
    N, H, W, _ = cache.x_shape
    Ho, Wo = dout.shape[1:3]
    if strides == (1, 1):
        dxp, dkernel = shifted_backward(xp, kernel, dout)                      # fast path, see _conv_fast.py
    else:
        sh, sw = strides
        win = _windows(xp, KH, KW, strides, Ho, Wo)                              # (N, Ho, Wo, C, KH, KW)
        dk = np.tensordot(win, dout, axes=([0, 1, 2], [0, 1, 2]))                # (C, KH, KW, F)
        dkernel = dk.transpose(1, 2, 0, 3)                                      # (KH, KW, C, F)
        dxp = np.zeros_like(xp)
        for a in range(KH):
            for b in range(KW):
                # every output (i, j) saw input pixel (i·sh + a, j·sw + b) through kernel[a, b]
                dxp[:, a: a + (Ho - 1) * sh + 1: sh, b: b + (Wo - 1) * sw + 1: sw, :] += dout @ kernel[a, b].T
    dx = dxp[:, t: t + H, l: l + W, :]                                          # (N, H, W, C)
    return dx, {"kernel": dkernel, "bias": dout.sum(axis=(0, 1, 2))}


# --- loops ------------------------------------------------------------------------------------

def conv2d_forward_loop(x, kernel, bias=None, strides=1, padding="valid"):
    """Same as :func:`conv2d_forward`, written as the definition: four nested loops.

    Args and Returns: as :func:`conv2d_forward` (out (N, H_out, W_out, F) and a :class:`ConvCache`).
    """
    xp, kernel, bias, (sh, sw), pads, (Ho, Wo) = _prepare(x, kernel, bias, strides, padding, "conv2d_forward_loop")
    KH, KW, C, F = kernel.shape
    N = xp.shape[0]
    out = np.zeros((N, Ho, Wo, F), dtype=xp.dtype)
    for n in range(N):
        for i in range(Ho):
            for j in range(Wo):
                window = xp[n, i * sh: i * sh + KH, j * sw: j * sw + KW, :]      # (KH, KW, C)
                for f in range(F):
                    out[n, i, j, f] = np.sum(window * kernel[:, :, :, f]) + bias[f]
    return out, ConvCache(np.shape(x), xp, kernel, (sh, sw), pads, out.shape)


def conv2d_backward_loop(dout, cache):
    """Same as :func:`conv2d_backward`, one output position at a time: ∂out/∂K = window, ∂out/∂window = K.

    Args and Returns: as :func:`conv2d_backward`.
    """
    cache = check_cache(cache, ConvCache, "conv2d_backward_loop", "conv2d_forward")
    dout = check_dout(dout, cache.out_shape, "conv2d_backward_loop")
    xp, kernel, (sh, sw) = cache.xp, cache.kernel, cache.strides
    (t, _), (l, _) = cache.pads
    KH, KW, C, F = kernel.shape
    N, H, W, _ = cache.x_shape
    dxp = np.zeros_like(xp)
    dkernel = np.zeros_like(kernel)
    for n in range(N):
        for i in range(dout.shape[1]):
            for j in range(dout.shape[2]):
                window = xp[n, i * sh: i * sh + KH, j * sw: j * sw + KW, :]
                for f in range(F):
                    g = dout[n, i, j, f]
                    dkernel[:, :, :, f] += g * window                                  # ∂out/∂kernel = window
                    dxp[n, i * sh: i * sh + KH, j * sw: j * sw + KW, :] += g * kernel[:, :, :, f]
    return dxp[:, t: t + H, l: l + W, :], {"kernel": dkernel, "bias": dout.sum(axis=(0, 1, 2))}


# --- step by step ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ConvFrame:
    """One output position of a single-filter convolution, for steppers and slides."""
    index: int
    position: tuple          # (i, j) in the output
    rows: tuple              # (start, stop) in the padded input
    cols: tuple
    window: np.ndarray       # (KH, KW, C)
    products: np.ndarray     # window * kernel, (KH, KW, C)
    total: float             # Σ products
    bias: float
    value: float             # total + bias
    output: np.ndarray       # (H_out, W_out), NaN where not computed yet
    padded: np.ndarray       # (H + pads, W + pads, C)


def conv2d_steps(x, kernel, bias=0.0, strides=1, padding="valid"):
    """Yield one :class:`ConvFrame` per output position, row by row, for ONE image and ONE filter.

    Args:
        x: (H, W), (H, W, C) or (1, H, W, C), one image.
        kernel: (KH, KW), (KH, KW, C) or (KH, KW, C, 1), one filter.
        bias: a number added to every output.
        strides, padding: as :func:`conv2d_forward`.

    Yields:
        :class:`ConvFrame` objects, H_out·W_out of them; the last frame's ``output`` (H_out, W_out)
        equals ``conv2d_forward(...)`` for the same arguments; its arrays keep x's float dtype
        (float32 stays float32).
    """
    check_number(bias, "bias", "conv2d_steps")
    x = as_array(x, "x", "conv2d_steps", ndim=(2, 3, 4), shape_hint="(H, W), (H, W, C) or (1, H, W, C)")
    kernel = as_array(kernel, "kernel", "conv2d_steps", ndim=(2, 3, 4), shape_hint="(KH, KW), (KH, KW, C) or (KH, KW, C, 1)")
    if x.ndim == 4:
        if x.shape[0] != 1:
            raise ValueError(f"x must hold one image for conv2d_steps; got a batch of {x.shape[0]}. Pass x[:1].")
        x = x[0]
    x = x[:, :, None] if x.ndim == 2 else x
    if kernel.ndim == 4:
        if kernel.shape[3] != 1:
            raise ValueError(f"kernel must be one filter for conv2d_steps; got {kernel.shape[3]}. Pass kernel[..., :1].")
        kernel = kernel[..., 0]
    kernel = kernel[:, :, None] if kernel.ndim == 2 else kernel
    bias = np.array([bias], dtype=np.result_type(x.dtype, kernel.dtype))     # a float32 image stays float32
    xp, k4, b1, (sh, sw), _, (Ho, Wo) = _prepare(x[None], kernel[..., None], bias,
                                                 strides, padding, "conv2d_steps")
    k = k4[..., 0]
    KH, KW = k.shape[:2]
    padded = xp[0]
    output = np.full((Ho, Wo), np.nan, dtype=xp.dtype)
    for idx in range(Ho * Wo):
        i, j = divmod(idx, Wo)
        window = padded[i * sh: i * sh + KH, j * sw: j * sw + KW, :]
        products = window * k
        total = float(products.sum())
        output[i, j] = total + float(b1[0])
        yield ConvFrame(idx, (i, j), (i * sh, i * sh + KH), (j * sw, j * sw + KW), window.copy(), products,
                        total, float(b1[0]), output[i, j], output.copy(), padded)
