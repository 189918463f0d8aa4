"""Keras twin of :mod:`dlhelpers.scratch.network`: the same layer stack as a ``keras.Sequential``."""
from __future__ import annotations

import keras

from ..scratch import network as S
from .weights import scratch_to_keras

__all__ = ["build_mlp", "from_scratch"]


def build_mlp(input_dim, hidden=(16,), activation="relu", output_units=1, output_activation="sigmoid",
              kernel_initializer="glorot_uniform", dropout=0.0, dtype="float32", name="mlp"):
    """An MLP: ``hidden`` Dense layers of the given sizes, then the output layer.

    Example:
        >>> model = build_mlp(64, hidden=(32,), output_units=10, output_activation="softmax")
        >>> model.count_params()
        2410
    """
    layers = [keras.Input((input_dim,), dtype=dtype)]
    for i, units in enumerate(hidden):
        layers.append(keras.layers.Dense(units, activation=activation, kernel_initializer=kernel_initializer,
                                         name=f"dense_{i}" if i else "dense", dtype=dtype))
        if dropout:
            layers.append(keras.layers.Dropout(dropout, name=f"dropout_{i}" if i else "dropout"))
    layers.append(keras.layers.Dense(output_units, activation=output_activation, name=f"dense_{len(hidden)}",
                                     dtype=dtype))
    return keras.Sequential(layers, name=name)


def from_scratch(model: S.Sequential, dtype="float32", copy_weights=True):
    """The Keras model with the same layers, names and (by default) the same weights as a scratch model."""
    if model.input_shape is None:
        raise ValueError("model must be built (give input_dim or input_shape, or call fit/predict once) "
                         "before from_scratch.")
    layers = [keras.Input(model.input_shape, dtype=dtype)]
    for l in model.layers:
        if isinstance(l, S.Conv2D):
            layers.append(keras.layers.Conv2D(l.filters, l.kernel_size, strides=l.strides, activation=l.activation,
                                              padding=l.padding if isinstance(l.padding, str) else "valid",
                                              name=l.name, dtype=dtype))
            if not isinstance(l.padding, str):
                layers.insert(-1, keras.layers.ZeroPadding2D(int(l.padding), name=f"{l.name}_pad", dtype=dtype))
        elif isinstance(l, S.MaxPooling2D):
            layers.append(keras.layers.MaxPooling2D(l.pool_size, l.strides, l.padding, name=l.name, dtype=dtype))
        elif isinstance(l, S.AveragePooling2D):
            layers.append(keras.layers.AveragePooling2D(l.pool_size, l.strides, l.padding, name=l.name, dtype=dtype))
        elif isinstance(l, S.GlobalAveragePooling2D):
            layers.append(keras.layers.GlobalAveragePooling2D(name=l.name, dtype=dtype))
        elif isinstance(l, S.Flatten):
            layers.append(keras.layers.Flatten(name=l.name, dtype=dtype))
        elif isinstance(l, S.BatchNormalization):
            layers.append(keras.layers.BatchNormalization(momentum=l.momentum, epsilon=l.epsilon, name=l.name,
                                                          dtype=dtype))
        elif isinstance(l, S.Dense):
            layers.append(keras.layers.Dense(l.units, activation=l.activation, name=l.name, dtype=dtype))
        elif isinstance(l, S.Dropout):
            layers.append(keras.layers.Dropout(l.rate, name=l.name))
        elif isinstance(l, S.PReLU):
            layers.append(keras.layers.PReLU(name=l.name, dtype=dtype))
        else:
            raise TypeError(f"layer {l.name!r} of type {type(l).__name__} has no Keras twin yet.")
    km = keras.Sequential(layers, name="twin")
    if copy_weights:
        scratch_to_keras(model, km)
    return km
