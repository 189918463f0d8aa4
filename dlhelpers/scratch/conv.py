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

Transposed convolution (:func:`conv2d_transpose_forward`, Keras's ``Conv2DTranspose``) runs the other
way: every input pixel stamps a copy of the kernel, scaled by the pixel, into a larger output, ``strides``
pixels apart, and overlapping stamps add up. It is exactly the input gradient of a convolution
(``conv2d_backward``'s dx) with the roles of the two channel axes swapped, hence its name and its kernel
layout (KH, KW, F_out, C_in); its own backward pass is an ordinary convolution. Output size per axis, as
Keras: ``(n − 1)·s + max(k, s)`` for "valid", ``n·s`` for "same".
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
           "pad_amounts",
           # transposed convolution (Unit IV)
           "conv2d_transpose_forward", "conv2d_transpose_backward", "conv2d_transpose_steps", "ConvTransposeCache",
           "ConvTransposeFrame", "conv_transpose_output_size"]


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


# --- transposed convolution --------------------------------------------------------------------------

def conv_transpose_output_size(n, k, stride=1, padding="valid"):
    """Output length of a transposed convolution along one axis, as Keras's ``Conv2DTranspose``.

    "valid": ``(n − 1)·s + max(k, s)`` (every stamp in full; when k < s the gaps after the last stamp
    are kept, so that a stride-s convolution of the result gives n back); "same": ``n·s``.

    Args:
        n: input length; k: kernel length; stride: s (positive ints).
        padding: "valid" or "same".

    Returns:
        int, the number of output positions.

    Example:
        >>> conv_transpose_output_size(4, 3, 2), conv_transpose_output_size(4, 3, 2, "same")
        (9, 8)
    """
    for value, name in ((n, "n"), (k, "k"), (stride, "stride")):
        check_positive(value, name, "conv_transpose_output_size", integer=True)
    padding = _transpose_padding(padding, "conv_transpose_output_size")
    return _transpose_axis(int(n), int(k), int(stride), padding)[0]


def _transpose_padding(padding, func):
    """``padding`` checked: "valid" or "same" (Keras's Conv2DTranspose has no int padding)."""
    if isinstance(padding, str) and padding in ("valid", "same"):
        return padding
    fix = ("Keras's Conv2DTranspose has no int padding; crop the output instead, e.g. out[:, 1:-1, 1:-1]."
           if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool) else "Check the spelling.")
    raise ValueError(f"padding must be 'valid' or 'same' for {func}; got {padding!r}. {fix}")


def _transpose_axis(n, k, s, padding):
    """One axis of a transposed convolution: (output length, crop before, canvas length).

    The stamps fill a canvas: pixel i covers canvas cells i·s … i·s + k − 1, so the stamps span
    (n − 1)·s + k cells. The output is the canvas from ``crop`` on: for "same" the crop is what
    TensorFlow's "same" convolution would pad before, ``max(k − s, 0) // 2``; when k < s the canvas
    gets zero cells after the last stamp so that it holds the whole output.
    """
    out = (n - 1) * s + max(k, s) if padding == "valid" else n * s
    crop = 0 if padding == "valid" else max(k - s, 0) // 2
    return out, crop, max((n - 1) * s + k, crop + out)


@dataclass(frozen=True)
class ConvTransposeCache:
    """What :func:`conv2d_transpose_backward` needs from the forward pass (one object per forward call)."""
    x: np.ndarray            # (N, H, W, C_in), the input
    kernel: np.ndarray       # (KH, KW, F_out, C_in)
    strides: tuple           # (rows, cols)
    crop: tuple              # (top, left): where the output starts on the canvas
    canvas_shape: tuple      # (N, canvas H, canvas W, F_out): every stamp in full
    out_shape: tuple         # (N, H_out, W_out, F_out)
    has_bias: bool           # whether the forward call had a bias (then grads has "bias")


def _prepare_transpose(x, kernel, bias, strides, padding, func):
    """Validate; return x, kernel, bias (or None), strides, crop (top, left), canvas shape and output shape."""
    x = as_array(x, "x", func, ndim=4, shape_hint="(N, H, W, C_in)",
                 fix="Add batch and channel axes, e.g. x[None, :, :, None].")
    check_nonempty(x, "x", func)
    kernel = as_array(kernel, "kernel", func, ndim=4, shape_hint="(KH, KW, F_out, C_in)",
                      fix="For one 2-D filter on one channel use kernel[:, :, None, None].")
    check_nonempty(kernel, "kernel", func)
    if x.shape[3] != kernel.shape[3]:
        raise ValueError(f"kernel.shape[3] must equal the input channels x.shape[3] = {x.shape[3]} for {func}; "
                         f"got kernel {kernel.shape}. The kernel is (KH, KW, F_out, C_in), as in Keras's "
                         "Conv2DTranspose: its last axis matches the input.")
    F = kernel.shape[2]
    if bias is not None:
        bias = as_array(bias, "bias", func, ndim=1, shape_hint="(F_out,)")
        if bias.shape != (F,):
            raise ValueError(f"bias must have shape ({F},) (one per output filter, kernel.shape[2]) for {func}; "
                             f"got {bias.shape}.")
    strides = check_pair(strides, "strides", func)
    padding = _transpose_padding(padding, func)
    N, H, W, C = x.shape
    KH, KW = kernel.shape[:2]
    (Ho, t, CH), (Wo, l, CW) = (_transpose_axis(n, k, s, padding) for n, k, s in ((H, KH, strides[0]),
                                                                               (W, KW, strides[1])))
    # the output is large because of the strides, a kernel larger than the image, or the batch itself
    name, value, fix = (("strides", strides, "Use smaller strides, e.g. strides=2.") if max(strides) > 1 else
                        ("kernel", f"an array of shape {kernel.shape}", "Use a smaller kernel.") if KH * KW > H * W
                        else ("x", f"an array of shape {x.shape}", "Pass smaller batches, e.g. x[:100]."))
    check_size((N, CH, CW, F), name, func, value=value, limit=MAX_ELEMENTS, what="the output",
               fix=f"{fix} (The limit is dlhelpers.scratch.conv.MAX_ELEMENTS.)")
    check_size((N, H, W, KH, KW, F), "kernel", func, value=f"an array of shape {kernel.shape}", limit=MAX_ELEMENTS,
               what="the backward pass's array of stamps (N, H, W, KH, KW, F_out)",
               fix="Use a smaller kernel or pass smaller batches, e.g. x[:100]. (The limit is "
                   "dlhelpers.scratch.conv.MAX_ELEMENTS.)")
    dtype = np.result_type(x.dtype, kernel.dtype, *(() if bias is None else (bias.dtype,)))
    bias = None if bias is None else bias.astype(dtype, copy=False)
    return (x.astype(dtype, copy=False), kernel.astype(dtype, copy=False), bias, strides, (t, l),
            (N, CH, CW, F), (N, Ho, Wo, F))


def conv2d_transpose_forward(x, kernel, bias=None, strides=1, padding="valid"):
    """Transposed convolution: every input pixel adds ``pixel · kernel`` into the output, ``strides`` apart.

    canvas[n, i·sh + a, j·sw + b, f] += Σ_c x[n, i, j, c] · kernel[a, b, f, c], then the output is the
    canvas cropped to Keras's size (see :func:`conv_transpose_output_size`) plus the bias. The loop runs
    over the KH·KW kernel taps: one matrix product per tap, added into a strided slice of the canvas.
    This is ``conv2d_backward``'s dx loop with x in the place of dout: the transposed convolution of x
    is the input gradient of the convolution that maps the output's shape back to x's.

    Args:
        x: (N, H, W, C_in) images (or feature maps).
        kernel: (KH, KW, F_out, C_in) filters, exactly as Keras's ``Conv2DTranspose.kernel``.
        bias: (F_out,) or None (no bias; then the gradients have no "bias").
        strides: int or (rows, cols): how far apart neighbouring pixels' stamps land.
        padding: "valid" (H_out = (H − 1)·sh + max(KH, sh)) or "same" (H_out = H·sh).

    Returns:
        ``(out, cache)``: out (N, H_out, W_out, F_out) and a :class:`ConvTransposeCache`.

    Example (a 2×2 input, a 2×2 kernel of ones, stride 2: each pixel becomes a 2×2 block):
        >>> x = np.array([[1., 2.], [3., 4.]])[None, :, :, None]
        >>> conv2d_transpose_forward(x, np.ones((2, 2, 1, 1)), strides=2)[0][0, :, :, 0]
        array([[1., 1., 2., 2.],
               [1., 1., 2., 2.],
               [3., 3., 4., 4.],
               [3., 3., 4., 4.]])
    """
    x, kernel, bias, (sh, sw), (t, l), canvas_shape, out_shape = _prepare_transpose(
        x, kernel, bias, strides, padding, "conv2d_transpose_forward")
    KH, KW = kernel.shape[:2]
    N, H, W, C = x.shape
    canvas = np.zeros(canvas_shape, dtype=x.dtype)                          # (N, canvas H, canvas W, F_out)
    for a in range(KH):
        for b in range(KW):
            # input pixel (i, j) lands, through kernel[a, b], on canvas cell (i·sh + a, j·sw + b)
            canvas[:, a: a + (H - 1) * sh + 1: sh, b: b + (W - 1) * sw + 1: sw, :] += x @ kernel[a, b].T  # (N, H, W, F)
    Ho, Wo = out_shape[1:3]
    out = np.ascontiguousarray(canvas[:, t: t + Ho, l: l + Wo, :])          # (N, H_out, W_out, F_out)
    if bias is not None:
        out += bias
    return out, ConvTransposeCache(x, kernel, (sh, sw), (t, l), canvas_shape, out_shape, bias is not None)


def conv2d_transpose_backward(dout, cache):
    """Gradients of the transposed convolution: each input pixel gathers back what its stamp touched.

    dx[n, i, j, c] = Σ_{a, b, f} dcanvas[n, i·sh + a, j·sw + b, f] · kernel[a, b, f, c]   (a strided
    convolution of dout: the backward pass of a transposed convolution is an ordinary convolution),
    dkernel[a, b, f, c] = Σ_{n, i, j} dcanvas[n, i·sh + a, j·sw + b, f] · x[n, i, j, c], db = Σ dout;
    dcanvas is dout placed back on the canvas (zeros on the cropped cells). The forward pass's loop run
    backwards: each kernel tap gathers its strided slice of dcanvas (what that tap of every pixel's stamp
    touched), giving one row of KH·KW·F_out numbers per input pixel; two matrix products then give dx
    and dkernel (faster than two small products per tap).

    Args:
        dout: (N, H_out, W_out, F_out), dL/dout.
        cache: the :class:`ConvTransposeCache` from :func:`conv2d_transpose_forward`.

    Returns:
        ``(dx, grads)``: dx (N, H, W, C_in) and ``{"kernel": (KH, KW, F_out, C_in), "bias": (F_out,)}``
        ("bias" only when the forward call had one).
    """
    cache = check_cache(cache, ConvTransposeCache, "conv2d_transpose_backward", "conv2d_transpose_forward")
    dout = check_dout(dout, cache.out_shape, "conv2d_transpose_backward")
    x, kernel, (sh, sw), (t, l) = cache.x, cache.kernel, cache.strides, cache.crop
    KH, KW, F, _ = kernel.shape
    N, H, W, C = x.shape
    Ho, Wo = dout.shape[1:3]
    dtype = np.result_type(dout.dtype, kernel.dtype)
    dcanvas = np.zeros(cache.canvas_shape, dtype=dtype)                     # (N, canvas H, canvas W, F_out)
    dcanvas[:, t: t + Ho, l: l + Wo, :] = dout
    touched = np.empty((N, H, W, KH, KW, F), dtype=dtype)                  # the gradient of every pixel's stamp
    for a in range(KH):
        for b in range(KW):
            # input pixel (i, j) reached canvas cell (i·sh + a, j·sw + b) through kernel[a, b]
            touched[:, :, :, a, b, :] = dcanvas[:, a: a + (H - 1) * sh + 1: sh, b: b + (W - 1) * sw + 1: sw, :]
    touched = touched.reshape(N * H * W, KH * KW * F)                       # one row per input pixel
    dx = (touched @ kernel.reshape(KH * KW * F, C)).reshape(x.shape)        # (N, H, W, C_in)
    dkernel = (touched.T @ x.reshape(N * H * W, C)).reshape(kernel.shape)   # (KH, KW, F_out, C_in)
    grads = {"kernel": dkernel}
    if cache.has_bias:
        grads["bias"] = dout.sum(axis=(0, 1, 2))
    return dx, grads


@dataclass(frozen=True)
class ConvTransposeFrame:
    """One input pixel of a single-filter transposed convolution stamping its scaled kernel, for steppers."""
    index: int
    position: tuple          # (i, j) in the input
    pixel: np.ndarray        # (C_in,), x[i, j, :]
    stamp: np.ndarray        # (KH, KW), Σ_c pixel[c] · kernel[:, :, c]
    rows: tuple              # (start, stop) of the stamp on the canvas
    cols: tuple
    out_rows: tuple          # (start, stop) of the stamp's part inside the output (start == stop: none)
    out_cols: tuple
    canvas: np.ndarray       # (canvas H, canvas W): the sum of the stamps so far, uncropped
    output: np.ndarray       # (H_out, W_out): the running output, the canvas cropped to Keras's size
    crop: tuple              # (top, left): where the output starts on the canvas


def conv2d_transpose_steps(x, kernel, strides=1, padding="valid"):
    """Yield one :class:`ConvTransposeFrame` per input pixel, row by row, for ONE image and ONE output filter.

    Each frame shows pixel (i, j) stamping ``pixel · kernel`` on the canvas at rows i·sh … i·sh + KH − 1
    and columns j·sw … j·sw + KW − 1, and the running sum of all stamps so far.

    Args:
        x: (H, W), (H, W, C_in) or (1, H, W, C_in), one image (for a batch, pass x[:1]).
        kernel: (KH, KW), (KH, KW, C_in) or (KH, KW, 1, C_in), one output filter (Keras layout
            (KH, KW, F_out, C_in) with F_out = 1).
        strides, padding: as :func:`conv2d_transpose_forward`.

    Yields:
        :class:`ConvTransposeFrame` objects, H·W of them; the last frame's ``output`` (H_out, W_out)
        equals ``conv2d_transpose_forward(...)`` for the same arguments (up to the order of the sums);
        its arrays keep x's float dtype.
    """
    func = "conv2d_transpose_steps"
    x = as_array(x, "x", func, ndim=(2, 3, 4), shape_hint="(H, W), (H, W, C_in) or (1, H, W, C_in)")
    kernel = as_array(kernel, "kernel", func, ndim=(2, 3, 4),
                      shape_hint="(KH, KW), (KH, KW, C_in) or (KH, KW, 1, C_in)")
    if x.ndim == 4:
        if x.shape[0] != 1:
            raise ValueError(f"x must hold one image for {func}; got a batch of {x.shape[0]}. Pass x[:1].")
        x = x[0]
    x = x[:, :, None] if x.ndim == 2 else x                                    # (H, W, C_in)
    if kernel.ndim == 4:
        if kernel.shape[2] != 1:
            raise ValueError(f"kernel must be one output filter (kernel.shape[2] = 1) for {func}; got "
                             f"{kernel.shape[2]}. Pass kernel[:, :, :1].")
        kernel = kernel[:, :, 0]
    kernel = kernel[:, :, None] if kernel.ndim == 2 else kernel                # (KH, KW, C_in)
    x4, k4, _, (sh, sw), (t, l), canvas_shape, out_shape = _prepare_transpose(
        x[None], kernel[:, :, None, :], None, strides, padding, func)
    img, k = x4[0], k4[:, :, 0, :]                                           # (H, W, C_in), (KH, KW, C_in)
    KH, KW = k.shape[:2]
    H, W = img.shape[:2]
    Ho, Wo = out_shape[1:3]
    canvas = np.zeros(canvas_shape[1:3], dtype=img.dtype)
    for idx in range(H * W):
        i, j = divmod(idx, W)
        pixel = img[i, j].copy()                                              # (C_in,)
        stamp = k @ pixel                                                     # (KH, KW)
        r0, c0 = i * sh, j * sw
        canvas[r0: r0 + KH, c0: c0 + KW] += stamp
        out_rows = (min(max(r0 - t, 0), Ho), min(max(r0 + KH - t, 0), Ho))
        out_cols = (min(max(c0 - l, 0), Wo), min(max(c0 + KW - l, 0), Wo))
        yield ConvTransposeFrame(idx, (i, j), pixel, stamp, (r0, r0 + KH), (c0, c0 + KW), out_rows, out_cols,
                                 canvas.copy(), canvas[t: t + Ho, l: l + Wo].copy(), (t, l))
