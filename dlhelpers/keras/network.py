"""Keras twin of :mod:`dlhelpers.scratch.network`: the same layer stack as a ``keras.Sequential``.

:data:`KERAS_BUILDERS` maps each scratch layer class (its exact type) to a function that builds its
Keras twin, so supporting a new layer type, or a subclass of a supported one, is one entry in that table.
"""
from __future__ import annotations

import keras

from .._checks import _fail
from ..scratch import network as SN
from ..scratch import layers as SL       # the scratch layer classes
from .activations import keras_activation
from .weights import scratch_to_keras

__all__ = ["build_mlp", "model_from_scratch", "KERAS_BUILDERS"]


def build_mlp(input_dim, hidden=(16,), activation="relu", output_units=1, output_activation="sigmoid",
              kernel_initializer="glorot_uniform", dropout=0.0, dtype="float32", name="mlp"):
    """An MLP: ``hidden`` Dense layers of the given sizes, then the output layer.

    Args:
        input_dim: number of input features.
        hidden: sizes of the hidden Dense layers, e.g. ``(16,)`` or ``(32, 16)``.
        activation: activation of the hidden layers.
        output_units, output_activation: size and activation of the output layer.
        kernel_initializer: Keras initializer name for the hidden kernels.
        dropout: rate of a Dropout layer after each hidden layer (0: none).
        dtype: the layers' dtype.
        name: the model's name.

    Returns:
        An uncompiled ``keras.Sequential``; layers are named ``dense``, ``dense_1``, ...

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


# --- one builder per scratch layer class: (scratch layer, dtype) -> list of Keras layers -----------------

def _dense(l, dtype):
    return [keras.layers.Dense(l.units, activation=keras_activation(l.activation),
                               kernel_initializer=l.kernel_initializer, bias_initializer=l.bias_initializer,
                               name=l.name, dtype=dtype)]


def _conv2d(l, dtype):
    conv = keras.layers.Conv2D(l.filters, l.kernel_size, strides=l.strides, activation=keras_activation(l.activation),
                               padding=l.padding if isinstance(l.padding, str) else "valid",
                               kernel_initializer=l.kernel_initializer, name=l.name, dtype=dtype)
    if isinstance(l.padding, str):
        return [conv]
    # an int padding p: p rows/columns of zeros on every side, then a "valid" convolution
    return [keras.layers.ZeroPadding2D(int(l.padding), name=f"{l.name}_pad", dtype=dtype), conv]


def _max_pool(l, dtype):
    return [keras.layers.MaxPooling2D(l.pool_size, l.strides, l.padding, name=l.name, dtype=dtype)]


def _average_pool(l, dtype):
    return [keras.layers.AveragePooling2D(l.pool_size, l.strides, l.padding, name=l.name, dtype=dtype)]


def _global_average_pool(l, dtype):
    return [keras.layers.GlobalAveragePooling2D(name=l.name, dtype=dtype)]


def _flatten(l, dtype):
    return [keras.layers.Flatten(name=l.name, dtype=dtype)]


def _batch_norm(l, dtype):
    return [keras.layers.BatchNormalization(momentum=l.momentum, epsilon=l.epsilon, name=l.name, dtype=dtype)]


def _dropout(l, dtype):
    return [keras.layers.Dropout(l.rate, name=l.name, dtype=dtype)]


def _prelu(l, dtype):
    return [keras.layers.PReLU(name=l.name, dtype=dtype)]


def _masking(l, dtype):
    return [keras.layers.Masking(mask_value=l.mask_value, name=l.name, dtype=dtype)]


def _recurrent_settings(l):
    return dict(return_sequences=l.return_sequences, kernel_initializer=l.kernel_initializer,
                recurrent_initializer=l.recurrent_initializer)


def _simple_rnn(l, dtype):
    return [keras.layers.SimpleRNN(l.units, activation=keras_activation(l.activation), **_recurrent_settings(l),
                                   name=l.name, dtype=dtype)]


def _lstm(l, dtype):
    return [keras.layers.LSTM(l.units, unit_forget_bias=l.unit_forget_bias, **_recurrent_settings(l), name=l.name,
                              dtype=dtype)]


def _gru(l, dtype):
    return [keras.layers.GRU(l.units, reset_after=True, **_recurrent_settings(l), name=l.name, dtype=dtype)]


def _bidirectional(l, dtype):
    (inner,) = KERAS_BUILDERS[type(l.layer)](l.layer, dtype)       # Keras makes the backward copy itself
    return [keras.layers.Bidirectional(inner, merge_mode=l.merge_mode, name=l.name, dtype=dtype)]


def _conv2d_transpose(l, dtype):
    return [keras.layers.Conv2DTranspose(l.filters, l.kernel_size, strides=l.strides, padding=l.padding,
                                         activation=keras_activation(l.activation), use_bias=l.use_bias,
                                         kernel_initializer=l.kernel_initializer, name=l.name, dtype=dtype)]


def _up_sampling2d(l, dtype):
    return [keras.layers.UpSampling2D(l.size, interpolation=l.interpolation, name=l.name, dtype=dtype)]


def _reshape(l, dtype):
    return [keras.layers.Reshape(l.target_shape, name=l.name, dtype=dtype)]


def _leaky_relu(l, dtype):
    return [keras.layers.LeakyReLU(negative_slope=l.negative_slope, name=l.name, dtype=dtype)]


KERAS_BUILDERS = {
    SL.Dense: _dense,
    SL.Conv2D: _conv2d,
    SL.MaxPooling2D: _max_pool,
    SL.AveragePooling2D: _average_pool,
    SL.GlobalAveragePooling2D: _global_average_pool,
    SL.Flatten: _flatten,
    SL.BatchNormalization: _batch_norm,
    SL.Dropout: _dropout,
    SL.PReLU: _prelu,
    SL.Masking: _masking,
    SL.SimpleRNN: _simple_rnn,
    SL.LSTM: _lstm,
    SL.GRU: _gru,
    SL.Bidirectional: _bidirectional,
    SL.Conv2DTranspose: _conv2d_transpose,
    SL.UpSampling2D: _up_sampling2d,
    SL.Reshape: _reshape,
    SL.LeakyReLU: _leaky_relu,
}
"""scratch layer class → ``builder(layer, dtype) -> [Keras layers]`` (Conv2D with an int padding gives two).
The recurrent layers get Keras's layers with the same settings (GRU with ``reset_after=True``); a scratch
Dense after a sequence layer becomes a Keras Dense, which acts on the last axis of (N, T, F) as the scratch one.
Looked up by exact type: a subclass (say ``class MyDense(Dense)`` with its own forward) needs its own entry,
``KERAS_BUILDERS[MyDense] = builder``, rather than silently getting its parent's twin."""


def _builder(layer):
    """The builder for exactly ``type(layer)``: a subclass may compute something else, so it needs its own."""
    builder = KERAS_BUILDERS.get(type(layer))
    if builder is not None:
        return builder
    supported = ", ".join(sorted(c.__name__ for c in KERAS_BUILDERS))
    name = type(layer).__name__
    parents = [c.__name__ for c in type(layer).__mro__[1:] if c in KERAS_BUILDERS]
    if parents:
        fix = (f"Subclasses of supported layers need their own builder: {name} extends {parents[0]} but may compute "
               f"something else, so it does not get {parents[0]}'s Keras twin. Register one with "
               f"KERAS_BUILDERS[{name}] = builder, where builder(layer, dtype) returns a list of Keras layers "
               f"(dlhelpers.keras.network.KERAS_BUILDERS).")
    else:
        fix = (f"Add a builder for it, KERAS_BUILDERS[{name}] = builder, where builder(layer, dtype) returns a list "
               "of Keras layers (dlhelpers.keras.network.KERAS_BUILDERS), or leave the layer out.")
    _fail(f"layer {getattr(layer, 'name', None)!r}", "model_from_scratch",
          f"one of the supported layer types ({supported})", name, fix, exc=TypeError)


def model_from_scratch(model, dtype="float32", copy_weights=True):
    """The Keras model with the same layers, names and (by default) the same weights as a scratch model.

    Args:
        model: a built ``dlhelpers.scratch.network.Sequential`` (given ``input_dim``/``input_shape``, or
            after one ``fit``/``predict``).
        dtype: the Keras layers' dtype; ``"float64"`` for twin checks to ~1e-12. Compare with the model
            called directly, ``km(x)``: ``km.predict(x)`` hands NumPy input over as float32, which limits
            the agreement to ~1e-8 even for a float64 model.
        copy_weights: copy the scratch parameters (and batch-norm moving statistics) into the twin;
            otherwise Keras initialises them itself with the same initializer names.

    Returns:
        A ``keras.Sequential`` named ``"twin"``.

    Raises:
        TypeError: a layer's exact type has no Keras twin (a subclass of a supported layer needs its own
            entry in :data:`KERAS_BUILDERS`); the message lists the supported layer types.
    """
    if not isinstance(model, SN.Sequential):
        _fail("model", "model_from_scratch", "a dlhelpers.scratch.network.Sequential", f"{type(model).__name__}",
              "Build one with Sequential([...], input_dim=...) first.", exc=TypeError)
    if model.input_shape is None:
        _fail("model", "model_from_scratch", "built", "a model without an input shape",
              "Give input_dim or input_shape, or call fit/predict once.")
    layers = [keras.Input(model.input_shape, dtype=dtype)]
    for l in model.layers:
        layers.extend(_builder(l)(l, dtype))
    km = keras.Sequential(layers, name="twin")
    if copy_weights:
        scratch_to_keras(model, km)
    return km
