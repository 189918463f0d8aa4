"""Keras twins of the scratch activations, plus a Maxout layer Keras does not ship."""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

from .._checks import check_choice, check_positive
from .gradtape import forward_and_grads

__all__ = ["apply", "derivative", "keras_activation", "Maxout", "KERAS_NAMES"]

#: scratch name → the same function written with Keras ops (a tensor in, a tensor out)
KERAS_NAMES = {
    "sigmoid": lambda z: keras.activations.sigmoid(z),
    "tanh": lambda z: keras.activations.tanh(z),
    "relu": lambda z: keras.activations.relu(z),
    "leaky_relu": lambda z: keras.activations.leaky_relu(z, negative_slope=0.3),   # Keras's default slope is 0.2
    "elu": lambda z: keras.activations.elu(z, alpha=1.0),
    "softplus": lambda z: keras.activations.softplus(z),
    "linear": lambda z: keras.activations.linear(z),
    "softmax": lambda z: keras.activations.softmax(z, axis=-1),
    "step": lambda z: ops.cast(ops.greater(z, 0), z.dtype),
    "sign": lambda z: ops.where(ops.greater_equal(z, 0), ops.ones_like(z), -ops.ones_like(z)),
}

# scratch names whose Keras string name means the same function (same defaults)
_SAME_IN_KERAS = ("sigmoid", "tanh", "relu", "elu", "softplus", "linear", "softmax")


def keras_activation(name):
    """What to pass as ``activation=`` to a Keras layer to get the scratch activation ``name``.

    Args:
        name: a scratch activation name (a key of :data:`KERAS_NAMES`), a scratch ``Activation``, or None.

    Returns:
        The Keras name where Keras's function is the same (e.g. ``"relu"``), otherwise the function from
        :data:`KERAS_NAMES` (``"leaky_relu"`` with the scratch slope 0.3, ``"step"``, ``"sign"``).
        Keras rounds that slope to float32 (0.30000001) even in float64 layers, so a float64 twin
        with leaky_relu agrees to about 1e-8, not 1e-12.
    """
    name = "linear" if name is None else getattr(name, "name", name)
    check_choice(name, "activation", "keras_activation", KERAS_NAMES)
    return name if name in _SAME_IN_KERAS else KERAS_NAMES[name]


def apply(name: str, z):
    """Evaluate the Keras version of activation ``name`` on ``z`` in float32.

    Args:
        name: a key of :data:`KERAS_NAMES`.
        z: array of any shape (softmax works over the last axis).

    Returns:
        A float32 NumPy array of z's shape.
    """
    check_choice(name, "name", "dlhelpers.keras.activations.apply", KERAS_NAMES)
    return keras.ops.convert_to_numpy(KERAS_NAMES[name](ops.convert_to_tensor(np.asarray(z, dtype="float32"))))


def derivative(name: str, z):
    """The elementwise derivative f'(z) from ``tf.GradientTape``: the twin of ``scratch.activations.<name>_derivative``.

    Args:
        name: an elementwise key of :data:`KERAS_NAMES` (not ``"softmax"``, whose derivative is a Jacobian).
        z: array of any shape; used in its floating dtype (float64 stays float64).

    Returns:
        An array of z's shape; 0 for ``step`` and ``sign``, which TensorFlow cannot differentiate
        (the scratch twin says 0 too).
    """
    elementwise = [n for n in KERAS_NAMES if n != "softmax"]
    check_choice(name, "name", "dlhelpers.keras.activations.derivative", elementwise)
    z = np.asarray(z)
    z = z if np.issubdtype(z.dtype, np.floating) else z.astype("float32")
    _, dz, _ = forward_and_grads(KERAS_NAMES[name], z, np.ones_like(z))   # Σ f(z): ∂/∂z_i = f'(z_i)
    return dz


class Maxout(keras.layers.Layer):
    """Maximum over contiguous groups of k features: (N, units·k) → (N, units); twin of scratch ``maxout_forward``.

    Args:
        num_units: number of output units; the input's last axis must be a multiple of it.
    """

    def __init__(self, num_units, **kwargs):
        super().__init__(**kwargs)
        check_positive(num_units, "num_units", "Maxout", integer=True)
        self.num_units = int(num_units)

    def call(self, z):
        k = z.shape[-1] // self.num_units
        grouped = ops.reshape(z, (-1, self.num_units, k))     # (N, units, k)
        return ops.max(grouped, axis=-1)

    def get_config(self):
        return {**super().get_config(), "num_units": self.num_units}
