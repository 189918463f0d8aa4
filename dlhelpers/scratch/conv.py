"""2-D convolution (cross-correlation, as in every deep-learning library), forward and backward.

Layouts are Keras's: x (N, H, W, C), kernel (KH, KW, C, F), bias (F,), output (N, H_out, W_out, F).

Two implementations give identical results:

* :func:`conv2d_forward_loop` / :func:`conv2d_backward_loop` read like the definition, one output
  number at a time: out[n, i, j, f] = Σ window · kernel[..., f] + bias[f];
* :func:`conv2d_forward` / :func:`conv2d_backward` gather every window at once with NumPy's
  ``sliding_window_view`` and do one tensor contraction (the im2col idea), which is fast.

Output size per spatial axis, with input n, kernel k, stride s and total padding p:
``n_out = floor((n + p − k) / s) + 1``. ``padding="same"`` pads like Keras/TensorFlow so that
``n_out = ceil(n / s)`` (the extra row/column, if any, goes at the bottom/right).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._checks import as_array, check_pair, check_positive

__all__ = ["KERNELS", "conv2d_forward", "conv2d_backward", "conv2d_forward_loop", "conv2d_backward_loop",
           "conv2d_steps", "ConvFrame", "conv_output_size", "same_padding", "pad_amounts"]


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


def same_padding(n, k, s):
    """(before, after) padding that gives ceil(n / s) outputs, split like TensorFlow (extra after)."""
    out = math.ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def pad_amounts(H, W, KH, KW, strides, padding, func="conv2d_forward"):
    """((top, bottom), (left, right)) for padding "valid", "same" or an int (zeros on every side)."""
    sh, sw = strides
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            return same_padding(H, KH, sh), same_padding(W, KW, sw)
        raise ValueError(f"padding must be 'valid', 'same' or a non-negative int for {func}; got {padding!r}.")
    if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) or padding < 0:
        raise ValueError(f"padding must be 'valid', 'same' or a non-negative int for {func}; got {padding!r}.")
    p = int(padding)
    return (p, p), (p, p)


def conv_output_size(n, k, stride=1, padding="valid"):
    """Output length along one axis: floor((n + pad_total − k) / stride) + 1 (see the module docstring)."""
    (a, b), _ = pad_amounts(n, n, k, k, (stride, stride), padding, "conv_output_size")
    return (n + a + b - k) // stride + 1


def _prepare(x, kernel, bias, strides, padding, func):
    x = as_array(x, "x", func, ndim=4, shape_hint="(N, H, W, C)",
                 fix="Add batch and channel axes, e.g. x[None, :, :, None].")
    kernel = as_array(kernel, "kernel", func, ndim=4, shape_hint="(KH, KW, C, F)",
                      fix="For one 2-D filter on one channel use kernel[:, :, None, None].")
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
    xp = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)))
    Ho = (H + t + b - KH) // strides[0] + 1
    Wo = (W + l + r - KW) // strides[1] + 1
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
        ``(out, cache)`` with out (N, H_out, W_out, F).

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
        out = _shifted_products(xp, kernel, Ho, Wo)                           # (N, Ho, Wo, F)
    else:
        win = _windows(xp, KH, KW, strides, Ho, Wo)                            # (N, Ho, Wo, C, KH, KW)
        out = np.tensordot(win, kernel, axes=([4, 5, 3], [0, 1, 2]))          # (N, Ho, Wo, F)
    out += bias
    return out, (np.shape(x), xp, kernel, strides, pads)


def _shifted_products(xp, kernel, Ho, Wo):
    """Stride-1 convolution as KH·KW matrix products over the whole batch, without copying windows.

    View the padded batch as one long list of pixels (N·Hp·Wp, C). Shifting that list by
    a·Wp + b lines every pixel up with the pixel (a, b) further on, so offset (a, b) of the
    kernel contributes ``flat[shift : shift + L] @ kernel[a, b]`` to every output position at once.
    Rows that straddle an image border are computed too and then cropped away.
    """
    N, Hp, Wp, C = xp.shape
    KH, KW, _, F = kernel.shape
    flat = np.ascontiguousarray(xp).reshape(N * Hp * Wp, C)                 # (pixels, C)
    L = N * Hp * Wp - ((KH - 1) * Wp + (KW - 1))
    full = np.zeros((N * Hp * Wp, F), dtype=xp.dtype)
    acc = full[:L]                                                           # (L, F), a view into full
    gemm = _gemm(xp.dtype)
    for a in range(KH):
        for b in range(KW):
            shift = a * Wp + b
            if gemm is None:
                acc += flat[shift: shift + L] @ kernel[a, b]
            else:   # the same product, added into acc in place by BLAS (no temporary array)
                res = gemm(1.0, np.ascontiguousarray(kernel[a, b]).T, flat[shift: shift + L].T, beta=1.0,
                           c=acc.T, overwrite_c=1)
                if not np.shares_memory(res, acc):       # BLAS had to copy: add its result ourselves
                    acc[...] = res.T
    return full.reshape(N, Hp, Wp, F)[:, :Ho, :Wo, :]                        # a view; no copy


def conv2d_backward(dout, cache):
    """Gradients of the convolution: ``(dx, {"kernel": dK, "bias": db})``.

    dK[a, b, c, f] = Σ_{n,i,j} window[n, i, j, c, a, b] · dout[n, i, j, f]
    dx: each output's gradient is sent back to the input pixels its window covered
    (one strided slice per kernel offset, summed where windows overlap).
    """
    x_shape, xp, kernel, strides, ((t, _), (l, _)) = cache
    KH, KW, C, F = kernel.shape
    N, H, W, _ = x_shape
    dout = as_array(dout, "dout", "conv2d_backward", ndim=4, shape_hint="(N, H_out, W_out, F)")
    Ho, Wo = dout.shape[1:3]
    if dout.shape != (N, Ho, Wo, F) or Ho != (xp.shape[1] - KH) // strides[0] + 1:
        raise ValueError(f"dout must have the forward output's shape for conv2d_backward; got {dout.shape}.")
    if strides == (1, 1):
        dxp, dkernel = _shifted_backward(xp, kernel, dout)
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
    dx = dxp[:, t: t + H, l: l + W, :]
    return dx, {"kernel": dkernel, "bias": dout.sum(axis=(0, 1, 2))}


def _shifted_backward(xp, kernel, dout):
    """Stride-1 backward pass with the same shifted view as :func:`_shifted_products`.

    Place each output's gradient at its window's top-left pixel of the padded grid (zeros
    elsewhere); then for kernel offset (a, b): dK[a, b] = (pixels shifted by a·Wp + b)ᵀ @ gradient,
    and the shifted pixels receive gradient @ K[a, b]ᵀ.
    """
    N, Hp, Wp, C = xp.shape
    KH, KW, _, F = kernel.shape
    Ho, Wo = dout.shape[1:3]
    L = N * Hp * Wp - ((KH - 1) * Wp + (KW - 1))
    flat = np.ascontiguousarray(xp).reshape(N * Hp * Wp, C)
    grid = np.zeros((N, Hp, Wp, F), dtype=xp.dtype)
    grid[:, :Ho, :Wo, :] = dout
    g = grid.reshape(N * Hp * Wp, F)[:L]                                     # (L, F)
    dflat = np.zeros_like(flat)
    dkernel = np.empty_like(kernel)
    # for small batches NumPy's own products are quicker than two calls into SciPy's BLAS
    gemm = _gemm(xp.dtype) if L * C * F >= 2 ** 21 else None
    for a in range(KH):
        for b in range(KW):
            shift = a * Wp + b
            pixels = flat[shift: shift + L]                                     # (L, C)
            target = dflat[shift: shift + L]
            if gemm is None:
                dkernel[a, b] = pixels.T @ g                                    # (C, F)
                target += g @ kernel[a, b].T
            else:   # the same two products through BLAS (keeping to one BLAS library inside the loop)
                dkernel[a, b] = gemm(1.0, pixels.T, g.T, trans_b=1)
                res = gemm(1.0, np.ascontiguousarray(kernel[a, b]), g.T, beta=1.0, c=target.T, overwrite_c=1)
                if not np.shares_memory(res, target):
                    target[...] = res.T
    return dflat.reshape(N, Hp, Wp, C), dkernel


def _gemm(dtype):
    """BLAS's C ← αAB + βC for float32/float64 (from SciPy), or None: then plain ``acc += a @ b`` is used."""
    if dtype not in (np.float32, np.float64):
        return None
    try:
        from scipy.linalg.blas import get_blas_funcs
    except ImportError:  # pragma: no cover - scipy is in requirements.txt
        return None
    return get_blas_funcs("gemm", dtype=dtype)


# --- loops ------------------------------------------------------------------------------------

def conv2d_forward_loop(x, kernel, bias=None, strides=1, padding="valid"):
    """Same as :func:`conv2d_forward`, written as the definition: four nested loops."""
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
    return out, (np.shape(x), xp, kernel, (sh, sw), pads)


def conv2d_backward_loop(dout, cache):
    """Same as :func:`conv2d_backward`, one output position at a time."""
    x_shape, xp, kernel, (sh, sw), ((t, _), (l, _)) = cache
    KH, KW, C, F = kernel.shape
    N, H, W, _ = x_shape
    dout = as_array(dout, "dout", "conv2d_backward_loop", ndim=4, shape_hint="(N, H_out, W_out, F)")
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

    ``x`` may be (H, W), (H, W, C) or (1, H, W, C); ``kernel`` (KH, KW), (KH, KW, C) or (KH, KW, C, 1).
    The last frame's ``output`` equals ``conv2d_forward(...)`` for the same arguments.
    """
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
    xp, k4, b1, (sh, sw), _, (Ho, Wo) = _prepare(x[None], kernel[..., None], np.array([float(bias)]),
                                                 strides, padding, "conv2d_steps")
    k = k4[..., 0]
    KH, KW = k.shape[:2]
    padded = xp[0]
    output = np.full((Ho, Wo), np.nan)
    for idx in range(Ho * Wo):
        i, j = divmod(idx, Wo)
        window = padded[i * sh: i * sh + KH, j * sw: j * sw + KW, :]
        products = window * k
        total = float(products.sum())
        output[i, j] = total + float(b1[0])
        yield ConvFrame(idx, (i, j), (i * sh, i * sh + KH), (j * sw, j * sw + KW), window.copy(), products,
                        total, float(b1[0]), output[i, j], output.copy(), padded)
