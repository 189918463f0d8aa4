"""Keras twins of :mod:`dlhelpers.scratch.initializers`: the Keras initializer behind each scratch name.

The two draw from different random streams, so the arrays differ; the *distributions* (limits,
standard deviations, truncation at two standard deviations) are the same.
"""
from __future__ import annotations

import keras

from .._checks import check_choice

__all__ = ["get", "KERAS_INITIALIZERS"]

#: scratch initializer name → Keras initializer class
KERAS_INITIALIZERS = {
    "zeros": keras.initializers.Zeros,
    "ones": keras.initializers.Ones,
    "random_normal": keras.initializers.RandomNormal,
    "random_uniform": keras.initializers.RandomUniform,
    "glorot_uniform": keras.initializers.GlorotUniform,
    "glorot_normal": keras.initializers.GlorotNormal,
    "he_normal": keras.initializers.HeNormal,
    "he_uniform": keras.initializers.HeUniform,
    "lecun_normal": keras.initializers.LecunNormal,
    "lecun_uniform": keras.initializers.LecunUniform,
    "orthogonal": keras.initializers.Orthogonal,
}


def get(name: str, seed=None):
    """The Keras initializer with the same distribution as ``scratch.initializers.initialize(name, ...)``.

    Args:
        name: a scratch initializer name, e.g. ``"glorot_uniform"``.
        seed: an int for a repeatable draw (ignored by ``zeros`` and ``ones``).

    Returns:
        A ``keras.initializers.Initializer``; ``init(shape)`` draws a tensor.

    Example:
        >>> get("he_normal", seed=0)((3, 2)).shape
        TensorShape([3, 2])
    """
    check_choice(name, "name", "dlhelpers.keras.initializers.get", KERAS_INITIALIZERS)
    cls = KERAS_INITIALIZERS[name]
    return cls() if name in ("zeros", "ones") else cls(seed=seed)
