"""The fast stride-1 path behind :func:`dlhelpers.scratch.conv.conv2d_forward` / ``conv2d_backward``.

Why this module exists: the course promises that the default NumPy convolution runs within 2× of
TensorFlow's on a CPU (checked by ``benchmarks/conv_numpy_vs_tf.py``), so that the scratch CNN
trains on real digits in a notebook's time budget. The readable way (gather every window with
``sliding_window_view`` and contract, in ``conv.py``) copies each pixel KH·KW times and misses
that goal for stride 1, the common case. The trick here avoids the copy; it is an optimisation,
not part of the lesson, so it lives apart and ``show_source(conv2d_forward)`` stays short.

The trick: view the padded batch as one long list of pixels (N·Hp·Wp, C). Shifting that list by
``a·Wp + b`` lines every pixel up with the pixel (a, b) further on, so kernel offset (a, b)
contributes ``pixels[shift : shift + L] @ kernel[a, b]`` to every output position at once: KH·KW
small matrix products over the whole batch. Rows that straddle an image border are computed too
and then cropped away.

Busy machines: these products are small, and a threaded BLAS splits each one across every core.
When other processes (students' kernels on a shared JupyterHub) keep those cores busy, the BLAS
threads wait for each other and a 10 ms convolution takes 40 ms or more. One BLAS thread per
product is as fast on an idle machine and degrades gracefully on a busy one, so both passes run
under :func:`dlhelpers._blas.single_thread_blas` (``threadpoolctl``, imported on first use).
"""
from __future__ import annotations

import numpy as np

from .._blas import single_thread_blas

__all__ = ["shifted_forward", "shifted_backward", "single_thread_blas"]


def _gemm(dtype):
    """BLAS's C ← αAB + βC for float32/float64 (from SciPy), or None: then plain ``acc += a @ b`` is used."""
    if dtype not in (np.float32, np.float64):
        return None
    try:
        from scipy.linalg.blas import get_blas_funcs
    except ImportError:  # pragma: no cover - scipy is in requirements.txt
        return None
    return get_blas_funcs("gemm", dtype=dtype)


def shifted_forward(xp, kernel, Ho, Wo, bias=None):
    """Stride-1 convolution of a padded batch, plus the bias.

    Args:
        xp: (N, Hp, Wp, C) padded input.
        kernel: (KH, KW, C, F).
        Ho, Wo: output size, Hp − KH + 1 and Wp − KW + 1.
        bias: (F,) or None. The products are accumulated onto it, which costs nothing; adding it to
            the cropped (strided) output afterwards took a fifth of the forward time.

    Returns:
        (N, Ho, Wo, F), a view into a larger (N, Hp, Wp, F) array.
    """
    N, Hp, Wp, C = xp.shape
    KH, KW, _, F = kernel.shape
    flat = np.ascontiguousarray(xp).reshape(N * Hp * Wp, C)                 # (pixels, C)
    L = N * Hp * Wp - ((KH - 1) * Wp + (KW - 1))
    full = np.empty((N * Hp * Wp, F), dtype=xp.dtype)
    full[...] = 0 if bias is None else bias                                  # every output starts at its bias
    acc = full[:L]                                                           # (L, F), a view into full
    gemm = _gemm(xp.dtype)
    with single_thread_blas():
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
    return full.reshape(N, Hp, Wp, F)[:, :Ho, :Wo, :]                        # (N, Ho, Wo, F), a view


def shifted_backward(xp, kernel, dout):
    """dK[a, b] = shifted pixelsᵀ @ dout, dx[shifted] += dout @ K[a, b]ᵀ: the stride-1 backward pass.

    It uses the same shifted view as :func:`shifted_forward`. Place each output's gradient at its window's top-left pixel of the padded grid (zeros
    elsewhere); then for kernel offset (a, b): dK[a, b] = (pixels shifted by a·Wp + b)ᵀ @ gradient,
    and the shifted pixels receive gradient @ K[a, b]ᵀ.

    Args:
        xp: (N, Hp, Wp, C) padded input; kernel: (KH, KW, C, F); dout: (N, Ho, Wo, F).

    Returns:
        ``(dxp, dkernel)``: (N, Hp, Wp, C) gradient of the padded input and (KH, KW, C, F).
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
    with single_thread_blas():
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
