"""Keras twins of the scratch losses: the loss objects, their values and their gradients."""
from __future__ import annotations

import keras
import numpy as np

from .._checks import check_choice
from .gradtape import forward_and_grads

__all__ = ["get", "value", "gradient", "KERAS_LOSSES"]

#: scratch loss name → Keras loss class
KERAS_LOSSES = {
    "mse": keras.losses.MeanSquaredError,
    "mae": keras.losses.MeanAbsoluteError,
    "msle": keras.losses.MeanSquaredLogarithmicError,
    "binary_crossentropy": keras.losses.BinaryCrossentropy,
    "hinge": keras.losses.Hinge,
    "squared_hinge": keras.losses.SquaredHinge,
    "categorical_crossentropy": keras.losses.CategoricalCrossentropy,
    "sparse_categorical_crossentropy": keras.losses.SparseCategoricalCrossentropy,
    "kl_divergence": keras.losses.KLDivergence,
}


def get(name: str, **kwargs):
    """A Keras loss object for a scratch loss name (default reduction: mean over the batch, as the scratch twin).

    Args:
        name: a key of :data:`KERAS_LOSSES`, e.g. ``"binary_crossentropy"``.
        **kwargs: passed to the Keras class, e.g. ``from_logits=True``.

    Returns:
        The ``keras.losses.Loss`` instance; ``loss(y_true, y_pred)`` is a scalar tensor.
    """
    check_choice(name, "name", "dlhelpers.keras.losses.get", KERAS_LOSSES)
    return KERAS_LOSSES[name](**kwargs)


def value(name, y_true, y_pred, **kwargs) -> float:
    """The Keras loss ``name`` of ``(y_true, y_pred)`` as a Python float (compare with ``scratch.losses.<name>``).

    Args:
        name, **kwargs: as in :func:`get`.
        y_true: targets (class indices for ``sparse_categorical_crossentropy``).
        y_pred: predictions, e.g. (N, classes).

    Returns:
        The batch-mean loss.
    """
    return float(get(name, **kwargs)(y_true, y_pred))


def gradient(name, y_true, y_pred, **kwargs):
    """dL/dy_pred of the Keras loss, from ``tf.GradientTape`` (compare with ``scratch.losses.<name>_grad``).

    Args:
        name, y_true, **kwargs: as in :func:`value`.
        y_pred: predictions; the gradient is computed in their floating dtype.

    Returns:
        An array of y_pred's shape.
    """
    loss = get(name, **kwargs)
    _, dy_pred, _ = forward_and_grads(lambda p: loss(y_true, p), np.asarray(y_pred), 1.0)
    return dy_pred
