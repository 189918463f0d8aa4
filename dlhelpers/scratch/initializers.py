"""Weight initializers with Keras's names and formulas.

fan_in / fan_out are the kernel's input and output sizes: for a Dense kernel (in, units)
they are ``in`` and ``units``; for a convolution kernel (KH, KW, C, F) they are KH·KW·C and
KH·KW·F (each input/output channel sees a KH×KW receptive field), as in Keras. With all-zero
weights every hidden unit computes the same thing and gets the same gradient, so they never
become different (notebook I.8 and ``tests/scratch/test_network.py`` show it).
"""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import _fail, check_choice, check_rng

__all__ = ["initialize", "fans", "INITIALIZERS", "MAX_SIZE"]

_TRUNC = 0.87962566103423978   # std of a standard normal truncated to [-2, 2]

#: The largest array (number of values) :func:`initialize` draws: 10⁸ float64 values are 800 MB.
MAX_SIZE = 10 ** 8

INITIALIZERS = ("zeros", "ones", "random_normal", "random_uniform", "glorot_uniform", "glorot_normal",
                "he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "orthogonal")


def _truncated_normal(rng, shape, stddev):
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2
    while np.any(bad):                        # redraw values beyond two standard deviations
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return out * stddev


def _orthogonal(rng, shape):
    """Keras's ``Orthogonal``: the Q of a QR factorisation of a standard normal matrix, with the sign fix.

    The array is seen as a matrix of rows = prod(shape[:-1]) and cols = shape[-1] (a 1-D shape is one row).
    A normal matrix of (max, min) of those is factorised as A = QR; multiplying each column of Q by the sign
    of R's diagonal makes Q uniformly distributed over the orthogonal matrices (without it the QR routine's
    sign convention biases it). When rows < cols the result is Qᵀ, so the rows are orthonormal: a recurrent
    kernel (U, gates·U) gets U orthonormal rows.
    """
    rows, cols = int(np.prod(shape[:-1])), shape[-1]
    q, r = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
    d = np.diag(r)
    q = q * np.where(d < 0, -1.0, 1.0)                 # the sign fix (Keras multiplies by sign(diag(R)))
    if rows < cols:
        q = q.T
    return q.reshape(shape)


def _shape(shape, func):
    """An int or a non-empty sequence of positive ints → a tuple of ints."""
    dims = (shape,) if isinstance(shape, numbers.Integral) and not isinstance(shape, bool) else shape
    try:
        if isinstance(dims, (str, bytes, dict)):
            raise TypeError
        dims = tuple(dims)
    except TypeError:
        _fail("shape", func, "an int or a tuple of positive ints", f"{shape!r} ({type(shape).__name__})",
              "Pass e.g. shape=(3, 4) for a Dense kernel or (3, 3, 1, 8) for a Conv2D kernel.", exc=TypeError)
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, numbers.Integral):
            _fail("shape", func, "a tuple of positive ints", repr(shape),
                  "Pass whole numbers, e.g. shape=(3, 4).", exc=TypeError)
    if not dims or any(d < 1 for d in dims):
        _fail("shape", func, "a non-empty tuple of positive ints", repr(shape),
              "Every axis needs at least one value, e.g. shape=(3, 4).")
    if int(np.prod([float(d) for d in dims])) > MAX_SIZE:
        _fail("shape", func, f"at most {MAX_SIZE:,} values in all", f"{shape!r}",
              "That would not fit in memory; use a smaller layer.")
    return tuple(int(d) for d in dims)


def fans(shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a kernel shape, as Keras computes them.

    * (n,): both n;  (in, units): in and units;
    * (KH, KW, C, F) and other ranks: receptive field r = KH·KW (the product of all but the last two
      axes), fan_in = r·C, fan_out = r·F.

    Example:
        >>> fans((3, 3, 1, 8))
        (9, 72)
    """
    shape = _shape(shape, "fans")
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def initialize(name: str, shape, rng=None, dtype=np.float64):
    """Draw an array of ``shape`` with the named scheme (Keras's defaults and formulas).

    ===============  ===========================================================
    zeros            all 0 (fine for biases; breaks symmetry-breaking for kernels)
    ones             all 1
    random_normal    N(0, 0.05²)                      (Keras RandomNormal default)
    random_uniform   U(−0.05, 0.05)                   (Keras RandomUniform default)
    glorot_uniform   U(−l, l), l = √(6 / (fan_in + fan_out))   (Keras's Dense default)
    glorot_normal    truncated N, std = √(2 / (fan_in + fan_out))
    he_normal        truncated N, std = √(2 / fan_in)          (for ReLU layers)
    he_uniform       U(−l, l), l = √(6 / fan_in)
    lecun_normal     truncated N, std = √(1 / fan_in)          (for SELU layers)
    lecun_uniform    U(−l, l), l = √(3 / fan_in)
    orthogonal       Q of the QR of a standard normal matrix, signs fixed   (Keras's recurrent_kernel default)
    ===============  ===========================================================

    "Truncated N" draws from a normal cut at two standard deviations, scaled so that the
    truncated distribution has the stated std (Keras's ``VarianceScaling``). "orthogonal" sees the
    array as a (prod(shape[:-1]), shape[-1]) matrix and makes its rows (if fewer) or columns orthonormal
    (gain 1, as Keras's ``Orthogonal``); a 1-D shape is one row of length 1.

    Args:
        name: one of :data:`INITIALIZERS`.
        shape: an int or a tuple of positive ints (at most :data:`MAX_SIZE` values); see :func:`fans`.
        rng: a Generator, an int seed or None.
        dtype: a floating-point dtype for the result.

    Returns:
        An array of ``shape`` and ``dtype``.

    Example:
        >>> initialize("glorot_uniform", (2, 3), rng=0).shape
        (2, 3)
    """
    check_choice(name, "kernel_initializer", "initialize", INITIALIZERS)
    shape = _shape(shape, "initialize")
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or not np.issubdtype(dt, np.floating):
        _fail("dtype", "initialize", "a floating-point dtype", repr(dtype), "Pass e.g. dtype=np.float32.",
              exc=TypeError)
    rng = check_rng(rng, "initialize")
    fan_in, fan_out = fans(shape)
    if name == "zeros":
        w = np.zeros(shape)
    elif name == "ones":
        w = np.ones(shape)
    elif name == "random_normal":
        w = rng.normal(0.0, 0.05, shape)
    elif name == "random_uniform":
        w = rng.uniform(-0.05, 0.05, shape)
    elif name == "orthogonal":
        w = _orthogonal(rng, shape)
    elif name.endswith("_uniform"):
        lim = np.sqrt({"glorot_uniform": 6.0 / (fan_in + fan_out), "he_uniform": 6.0 / fan_in,   # variance l²/3
                       "lecun_uniform": 3.0 / fan_in}[name])
        w = rng.uniform(-lim, lim, shape)
    else:  # truncated normals
        scale = {"glorot_normal": 2.0 / (fan_in + fan_out), "he_normal": 2.0 / fan_in,
                 "lecun_normal": 1.0 / fan_in}[name]
        w = _truncated_normal(rng, shape, np.sqrt(scale) / _TRUNC)
    return w.astype(dt)
