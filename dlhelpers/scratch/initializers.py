"""Weight initializers with Keras's names and formulas.

fan_in / fan_out are the kernel's input and output sizes. With all-zero weights every
hidden unit computes the same thing and gets the same gradient, so they never become
different (notebook I.8 and ``tests/scratch/test_network.py`` show it).
"""
from __future__ import annotations

import numpy as np

from .._checks import check_choice, check_rng

__all__ = ["initialize", "INITIALIZERS"]

_TRUNC = 0.87962566103423978   # std of a standard normal truncated to [-2, 2]


def _truncated_normal(rng, shape, stddev):
    out = rng.standard_normal(shape)
    bad = np.abs(out) > 2
    while np.any(bad):                        # redraw values beyond two standard deviations
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(out) > 2
    return out * stddev


def _fans(shape):
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


def initialize(name: str, shape, rng=None, dtype=np.float64):
    """Draw an array of ``shape`` with the named scheme.

    ===============  ===========================================================
    zeros            all 0 (fine for biases; breaks symmetry-breaking for kernels)
    ones             all 1
    random_normal    N(0, 0.05²)                      (Keras RandomNormal default)
    random_uniform   U(−0.05, 0.05)                   (Keras RandomUniform default)
    glorot_uniform   U(−l, l), l = √(6 / (fan_in + fan_out))   (Keras's Dense default)
    glorot_normal    truncated N, std = √(2 / (fan_in + fan_out))
    he_normal        truncated N, std = √(2 / fan_in)          (for ReLU layers)
    he_uniform       U(−l, l), l = √(6 / fan_in)
    ===============  ===========================================================
    """
    check_choice(name, "kernel_initializer", "initialize", INITIALIZERS)
    rng = check_rng(rng, "initialize")
    shape = tuple(int(s) for s in np.atleast_1d(shape))
    fan_in, fan_out = _fans(shape)
    if name == "zeros":
        w = np.zeros(shape)
    elif name == "ones":
        w = np.ones(shape)
    elif name == "random_normal":
        w = rng.normal(0.0, 0.05, shape)
    elif name == "random_uniform":
        w = rng.uniform(-0.05, 0.05, shape)
    elif name == "glorot_uniform":
        lim = np.sqrt(6.0 / (fan_in + fan_out))
        w = rng.uniform(-lim, lim, shape)
    elif name == "glorot_normal":
        w = _truncated_normal(rng, shape, np.sqrt(2.0 / (fan_in + fan_out)) / _TRUNC)
    elif name == "he_normal":
        w = _truncated_normal(rng, shape, np.sqrt(2.0 / fan_in) / _TRUNC)
    else:  # he_uniform
        lim = np.sqrt(6.0 / fan_in)
        w = rng.uniform(-lim, lim, shape)
    return w.astype(dtype)


INITIALIZERS = ("zeros", "ones", "random_normal", "random_uniform", "glorot_uniform", "glorot_normal",
                "he_normal", "he_uniform")
