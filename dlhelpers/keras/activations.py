"""Keras twins of the scratch activations, plus a Maxout layer Keras does not ship."""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

from .._checks import check_choice

__all__ = ["apply", "Maxout", "KERAS_NAMES"]

# scratch name -> how to compute it with Keras
KERAS_NAMES = {
    "sigmoid": lambda z: keras.activations.sigmoid(z),
    "tanh": lambda z: keras.activations.tanh(z),
    "relu": lambda z: keras.activations.relu(z),
    "leaky_relu": lambda z: keras.layers.LeakyReLU(negative_slope=0.3)(z),
    "elu": lambda z: keras.activations.elu(z, alpha=1.0),
    "softplus": lambda z: keras.activations.softplus(z),
    "linear": lambda z: keras.activations.linear(z),
    "softmax": lambda z: keras.activations.softmax(z, axis=-1),
    "step": lambda z: ops.cast(ops.greater(z, 0), z.dtype),
    "sign": lambda z: ops.where(ops.greater_equal(z, 0), ops.ones_like(z), -ops.ones_like(z)),
}


def apply(name: str, z):
    """Evaluate the Keras version of activation ``name`` on ``z`` (returns a NumPy array)."""
    check_choice(name, "name", "dlhelpers.keras.activations.apply", KERAS_NAMES)
    return keras.ops.convert_to_numpy(KERAS_NAMES[name](ops.convert_to_tensor(np.asarray(z, dtype="float32"))))


class Maxout(keras.layers.Layer):
    """max over contiguous groups of k features: (N, units·k) → (N, units); twin of scratch maxout_forward."""

    def __init__(self, num_units, **kwargs):
        super().__init__(**kwargs)
        self.num_units = int(num_units)

    def call(self, z):
        k = z.shape[-1] // self.num_units
        grouped = ops.reshape(z, (-1, self.num_units, k))     # (N, units, k)
        return ops.max(grouped, axis=-1)

    def get_config(self):
        return {**super().get_config(), "num_units": self.num_units}
