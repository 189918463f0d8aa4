"""Keras twins of the scratch losses: the loss objects, their values and their gradients."""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from .._checks import check_choice

__all__ = ["get", "value", "gradient", "KERAS_LOSSES"]

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
    """A Keras loss object for a scratch loss name (default reduction, as the scratch twin)."""
    check_choice(name, "name", "dlhelpers.keras.losses.get", KERAS_LOSSES)
    return KERAS_LOSSES[name](**kwargs)


def value(name, y_true, y_pred, **kwargs) -> float:
    return float(get(name, **kwargs)(y_true, y_pred))


def gradient(name, y_true, y_pred, **kwargs):
    """dL/dy_pred computed by ``tf.GradientTape``."""
    p = tf.Variable(np.asarray(y_pred))
    with tf.GradientTape() as tape:
        loss = get(name, **kwargs)(y_true, p)
    return tape.gradient(loss, p).numpy()
