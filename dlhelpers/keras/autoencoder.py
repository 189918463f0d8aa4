"""Keras twin of :mod:`dlhelpers.scratch.autoencoder`: the same encoder and decoder as Keras models, one
``keras.Model`` around them, the reconstruction losses in ``keras.ops``, and weights copied both ways.

:func:`autoencoder_from_scratch` builds the twin of a scratch :class:`~dlhelpers.scratch.autoencoder.Autoencoder`
layer by layer (``dlhelpers.keras.network``'s builders, same names and layouts), with :class:`TiedDense` for the
scratch ``TiedDense`` layers: a Keras layer that reads the encoder Dense layer's kernel, transposed, and owns
only its bias. With the same weights, the two give the same reconstructions, loss and gradients
(:meth:`Autoencoder.loss_and_grads` with ``tf.GradientTape``; a tied kernel's gradient is the sum of its two
uses on both sides). :func:`dense_autoencoder` and :func:`conv_autoencoder` build the scratch model and return
its twin.
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from .._checks import _fail, check_bool, check_choice
from ..scratch import autoencoder as SA
from . import weights as KW
from .activations import keras_activation
from .network import _builder
from .optim import optimizer_from_scratch

__all__ = ["TiedDense", "Autoencoder", "reconstruction_loss", "reconstruction_errors", "keras_loss",
           "autoencoder_from_scratch", "scratch_to_keras", "keras_to_scratch", "named_variables",
           "dense_autoencoder", "conv_autoencoder"]


# --- losses ----------------------------------------------------------------------------------------------------

def keras_loss(loss="mse", from_logits=False, dtype=None):
    """The Keras loss object of a scratch reconstruction loss (default reduction: the mean over pixels and batch).

    Args:
        loss: a key of :data:`dlhelpers.scratch.autoencoder.RECONSTRUCTION_LOSSES`.
        from_logits: only for "binary_crossentropy".
        dtype: the dtype the loss computes in (None: Keras's float32; "float64" for a float64 twin, since a
            Keras loss casts its inputs to its own dtype).

    Returns:
        ``keras.losses.MeanSquaredError()`` or ``keras.losses.BinaryCrossentropy(from_logits=from_logits)``.
    """
    loss, from_logits = SA._loss_settings(loss, from_logits, "dlhelpers.keras.autoencoder.keras_loss")
    if loss == "mse":
        return keras.losses.MeanSquaredError(dtype=dtype)
    return keras.losses.BinaryCrossentropy(from_logits=from_logits, dtype=dtype)


def _elementwise(x, x_hat, loss, from_logits):
    """Every value's loss (N, ...), as Keras computes it before its means.

    A sigmoid's output (``keras.activations.sigmoid`` keeps its logits on it, as ``_keras_logits``) is read as
    those logits, as Keras's binary cross-entropy does on TensorFlow; a plain tensor of probabilities is clipped.
    """
    if loss == "mse":
        return ops.square(x_hat - x)
    if not from_logits and getattr(x_hat, "_keras_logits", None) is not None:
        x_hat, from_logits = x_hat._keras_logits, True
    if from_logits:                                       # max(a, 0) − a·x + log(1 + e^−|a|)
        return ops.relu(x_hat) - x_hat * x + ops.log1p(ops.exp(-ops.abs(x_hat)))
    eps = keras.config.epsilon()
    p = ops.clip(x_hat, eps, 1.0 - eps)
    return -(x * ops.log(p) + (1.0 - x) * ops.log(1.0 - p))


def reconstruction_loss(x, x_hat, loss="mse", from_logits=False):
    """L(x, x̂), the mean over pixels and batch, with Keras's loss objects (twin of the scratch function).

    Args:
        x: (N, ...) targets; x_hat: (N, ...) reconstructions (logits with ``from_logits``), tensors or arrays.
        loss, from_logits: as :func:`keras_loss`.

    Returns:
        A scalar tensor in x_hat's floating dtype (differentiable with ``tf.GradientTape``).
    """
    x_hat = ops.convert_to_tensor(x_hat)
    dtype = keras.backend.standardize_dtype(x_hat.dtype)
    dtype = dtype if dtype in ("float16", "bfloat16", "float32", "float64") else None
    return keras_loss(loss, from_logits, dtype=dtype)(x, x_hat)


def reconstruction_errors(x, x_hat, loss="mse", from_logits=False):
    """Each sample's mean loss over its values (the scratch twin's anomaly score), in ``keras.ops``.

    Their mean is :func:`reconstruction_loss`, also for a sigmoid's output tensor, whose cross-entropy Keras
    reads from the logits the sigmoid kept (the scratch ``Autoencoder.reconstruction_errors`` does the same).

    Args:
        x, x_hat, loss, from_logits: as :func:`reconstruction_loss`.

    Returns:
        A tensor (N,).
    """
    loss, from_logits = SA._loss_settings(loss, from_logits, "dlhelpers.keras.autoencoder.reconstruction_errors")
    x_hat = ops.convert_to_tensor(x_hat)
    x = ops.cast(ops.convert_to_tensor(x), x_hat.dtype)
    e = _elementwise(x, x_hat, loss, from_logits)
    return ops.mean(ops.reshape(e, (ops.shape(e)[0], -1)), axis=1)


# --- tied weights ------------------------------------------------------------------------------------------------

class _Ref:
    """Holds the tied layer without Keras tracking it (its kernel must not become this layer's weight too)."""

    def __init__(self, layer):
        self.layer = layer


class TiedDense(keras.layers.Layer):
    """a = f(x·Wᵀ + b): reuses a Keras Dense layer's kernel W (D, H), transposed; owns only its bias b (D,).

    The twin of :class:`dlhelpers.scratch.autoencoder.TiedDense`. The kernel is read from the tied layer at
    every call, so training the model updates one W used twice (``tf.GradientTape`` adds the two gradients).
    The layer's own weights are ``[bias]``, as the scratch layer's params; the model's weights list W once.

    Args:
        tied_to: a built ``keras.layers.Dense`` (e.g. ``encoder.get_layer("latent")``).
        activation: a Keras activation name or function (``keras_activation(name)`` for a scratch name).
        bias_initializer: a Keras initializer.
        **kwargs: ``name``, ``dtype``, ... as any Keras layer.

    Shapes: (N, H) → (N, D).
    """

    def __init__(self, tied_to, activation=None, bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(tied_to, keras.layers.Dense):
            _fail("tied_to", "dlhelpers.keras.autoencoder.TiedDense", "a keras.layers.Dense layer",
                  type(tied_to).__name__, "Pass the encoder's layer, e.g. encoder.get_layer('latent').", exc=TypeError)
        if not tied_to.built:
            _fail("tied_to", "dlhelpers.keras.autoencoder.TiedDense", "a built Dense layer (one with a kernel)",
                  f"layer {tied_to.name!r} not built yet", "Build the encoder first (start it with keras.Input).")
        self._tied = _Ref(tied_to)
        self.activation = keras.activations.get(activation)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    @property
    def tied_to(self):
        """The Dense layer whose kernel is reused."""
        return self._tied.layer

    def build(self, input_shape):
        """Create ``bias`` (D,) for inputs (N, H), H the tied kernel's number of columns."""
        D, H = self.tied_to.kernel.shape
        if input_shape[-1] != H:
            _fail(f"the input of TiedDense layer {self.name!r}", "build", f"(N, {H}), the tied layer's output width",
                  f"shape {tuple(input_shape)}", "Tie each decoder layer to the encoder layer it mirrors.")
        self.bias = self.add_weight(shape=(D,), initializer=self.bias_initializer, name="bias")

    def call(self, x):
        """f(x·Wᵀ + b)."""
        kernel = ops.cast(self.tied_to.kernel, self.compute_dtype)
        return self.activation(ops.matmul(x, ops.transpose(kernel)) + self.bias)   # (N, D)

    def compute_output_shape(self, input_shape):
        """(N, D)."""
        return (*input_shape[:-1], int(self.tied_to.kernel.shape[0]))


# --- the model -----------------------------------------------------------------------------------------------------

class Autoencoder(keras.Model):
    """An encoder and a decoder (Keras models) as one model: ``call(x)`` = decoder(encoder(x)).

    Compile with :func:`keras_loss` (or let :func:`autoencoder_from_scratch` do it) and train with
    ``fit(x, x)`` (or ``fit(x_noisy, x_clean)`` for denoising).

    Args:
        encoder: a built Keras model (N, *input_shape) → (N, *code_shape).
        decoder: a built Keras model (N, *code_shape) → (N, *input_shape).
        loss: a key of ``RECONSTRUCTION_LOSSES`` (what :meth:`loss_and_grads` computes).
        from_logits: the decoder outputs logits ("binary_crossentropy" only): :meth:`decode` and
            :meth:`reconstruct` apply the sigmoid, ``call`` does not.
        **kwargs: passed to ``keras.Model`` (e.g. ``name``).
    """

    def __init__(self, encoder, decoder, loss="mse", from_logits=False, **kwargs):
        super().__init__(**kwargs)
        func = "dlhelpers.keras.autoencoder.Autoencoder"
        for name, net in (("encoder", encoder), ("decoder", decoder)):
            if not isinstance(net, keras.Model):
                _fail(name, func, "a keras.Model", type(net).__name__,
                      "Build it with keras.Sequential, or from a scratch autoencoder with autoencoder_from_scratch.",
                      exc=TypeError)
            if not net.built:
                _fail(name, func, "a built model", "a model without an input shape",
                      "Start it with keras.Input(shape), e.g. keras.Sequential([keras.Input((784,)), ...]).")
        self.encoder, self.decoder = encoder, decoder
        self.loss_name, self.from_logits = SA._loss_settings(loss, from_logits, func)
        self.built = True                                  # both parts are built: nothing left to create

    def call(self, x, training=False):
        """The decoder's raw output for x (N, *input_shape): the reconstruction, or its logits."""
        return self.decoder(self.encoder(x, training=training), training=training)

    def _output(self, out):
        return ops.sigmoid(out) if self.from_logits else out

    def encode(self, x):
        """z = encoder(x) (inference mode): a tensor (N, *code_shape)."""
        return self.encoder(ops.convert_to_tensor(x), training=False)

    def decode(self, z):
        """x̂ = decoder(z) in the data space (σ of the logits with ``from_logits``): a tensor (N, *input_shape)."""
        return self._output(self.decoder(ops.convert_to_tensor(z), training=False))

    def reconstruct(self, x):
        """decode(encode(x)): a tensor (N, *input_shape)."""
        return self._output(self(ops.convert_to_tensor(x), training=False))

    def loss_and_grads(self, x, y=None):
        """The reconstruction loss on a batch and its gradients from ``tf.GradientTape`` (no update).

        Args:
            x: (N, *input_shape) inputs (in the model's dtype for a float64 twin); y: None (targets = x) or targets.

        Returns:
            ``(loss, grads)``: a float and ``{key: array}`` keyed like the scratch ``Autoencoder.params``
            (``"encoder/<layer>/<weight>"``, ...), a tied kernel once, with the gradients of both uses added.
        """
        x = ops.convert_to_tensor(x)
        y = x if y is None else ops.convert_to_tensor(y)
        variables = named_variables(self)
        with tf.GradientTape() as tape:
            loss = reconstruction_loss(y, self(x, training=True), self.loss_name, self.from_logits)
        grads = tape.gradient(loss, list(variables.values()))
        return float(loss), {k: np.asarray(g) for k, g in zip(variables, grads)}


def named_variables(model) -> dict:
    """The trainable variables of a Keras :class:`Autoencoder`, keyed like the scratch ``Autoencoder.params``.

    Args:
        model: an :class:`Autoencoder` (its ``encoder`` and ``decoder``).

    Returns:
        dict ``"encoder/<layer>/<weight>"`` / ``"decoder/<layer>/<weight>"`` → variable; a tied kernel appears
        once (under the encoder), as in the scratch model.
    """
    if not isinstance(model, Autoencoder):
        _fail("model", "named_variables", "a dlhelpers.keras.autoencoder.Autoencoder", type(model).__name__,
              "Build it with autoencoder_from_scratch(scratch_autoencoder).", exc=TypeError)
    return {**{f"encoder/{k}": v for k, v in KW.named_variables(model.encoder).items()},
            **{f"decoder/{k}": v for k, v in KW.named_variables(model.decoder).items()}}


# --- from the scratch model, and weights both ways -------------------------------------------------------------

def _check_pair(scratch_ae, keras_ae, func):
    if not isinstance(scratch_ae, SA.Autoencoder):
        _fail("scratch_ae", func, "a dlhelpers.scratch.autoencoder.Autoencoder", type(scratch_ae).__name__,
              "Build one with dlhelpers.scratch.autoencoder.dense_autoencoder(...).", exc=TypeError)
    if not isinstance(keras_ae, Autoencoder):
        _fail("keras_ae", func, "a dlhelpers.keras.autoencoder.Autoencoder", type(keras_ae).__name__,
              "Build it with autoencoder_from_scratch(scratch_ae).", exc=TypeError)


def scratch_to_keras(scratch_ae, keras_ae):
    """Copy the scratch autoencoder's parameters into its Keras twin (encoder, then decoder, layer by layer).

    Args:
        scratch_ae: a scratch ``Autoencoder``; keras_ae: a Keras :class:`Autoencoder` with the same layers.

    Returns:
        ``keras_ae``, changed in place (a tied kernel is copied once, into the encoder's Dense layer).
    """
    _check_pair(scratch_ae, keras_ae, "scratch_to_keras")
    return KW.scratch_to_keras(scratch_ae, keras_ae)                     # encoder, then decoder


def keras_to_scratch(keras_ae, scratch_ae):
    """Copy the Keras twin's weights into the scratch autoencoder (encoder, then decoder, layer by layer).

    Args:
        keras_ae: a Keras :class:`Autoencoder`; scratch_ae: a scratch ``Autoencoder`` with the same layers.

    Returns:
        ``scratch_ae``, its parameters replaced in its own dtype (the tied decoder layers follow the encoder).
    """
    _check_pair(scratch_ae, keras_ae, "keras_to_scratch")
    return KW.keras_to_scratch(keras_ae, scratch_ae)                     # encoder, then decoder


def _decoder_twin(net, encoder, dtype):
    """The Keras decoder: each scratch layer's Keras twin, a scratch TiedDense tied to the Keras encoder's layer."""
    layers = [keras.Input(net.input_shape, dtype=dtype)]
    for l in net.layers:
        if isinstance(l, SA.TiedDense):
            layers.append(TiedDense(encoder.get_layer(l.tied_to.name), activation=keras_activation(l.activation),
                                    bias_initializer=l.bias_initializer, name=l.name, dtype=dtype))
        else:
            layers.extend(_builder(l)(l, dtype))
    return keras.Sequential(layers, name="decoder")


def autoencoder_from_scratch(scratch_ae, dtype="float32", copy_weights=True, compile=True):
    """The Keras :class:`Autoencoder` with the scratch autoencoder's layers, names and (by default) weights.

    Args:
        scratch_ae: a :class:`dlhelpers.scratch.autoencoder.Autoencoder`.
        dtype: the Keras layers' dtype; ``"float64"`` for twin checks to ~1e-12 (call ``model(x)`` on float64
            input, or :meth:`Autoencoder.loss_and_grads`).
        copy_weights: copy the scratch parameters (:func:`scratch_to_keras`); otherwise Keras initialises them.
        compile: compile with the scratch model's loss (:func:`keras_loss`) and the Keras twin of its optimizer
            (fresh state).

    Returns:
        A Keras :class:`Autoencoder` with ``encoder`` and ``decoder`` sub-models named "encoder" and "decoder".

    Raises:
        TypeError: a layer has no Keras twin (see ``dlhelpers.keras.network.KERAS_BUILDERS``).
    """
    func = "autoencoder_from_scratch"
    if not isinstance(scratch_ae, SA.Autoencoder):
        _fail("scratch_ae", func, "a dlhelpers.scratch.autoencoder.Autoencoder", type(scratch_ae).__name__,
              "Build one with dlhelpers.scratch.autoencoder.dense_autoencoder(...).", exc=TypeError)
    copy_weights = check_bool(copy_weights, "copy_weights", func)
    compile = check_bool(compile, "compile", func)
    layers = [keras.Input(scratch_ae.encoder.input_shape, dtype=dtype)]
    for l in scratch_ae.encoder.layers:
        layers.extend(_builder(l)(l, dtype))
    encoder = keras.Sequential(layers, name="encoder")
    decoder = _decoder_twin(scratch_ae.decoder, encoder, dtype)
    model = Autoencoder(encoder, decoder, loss=scratch_ae.loss, from_logits=scratch_ae.from_logits, name="autoencoder",
                        dtype=dtype)
    if copy_weights:
        scratch_to_keras(scratch_ae, model)
    if compile:
        model.compile(optimizer=optimizer_from_scratch(scratch_ae.optimizer),
                      loss=keras_loss(scratch_ae.loss, scratch_ae.from_logits, dtype=dtype))
    return model


def dense_autoencoder(*args, dtype="float32", **kwargs):
    """The Keras twin of :func:`dlhelpers.scratch.autoencoder.dense_autoencoder`, with its initial weights.

    Args:
        *args, **kwargs: as the scratch builder (``input_dim``, ``hidden``, ``latent_dim``, ``tied``, ``loss``,
            ``optimizer``, ``learning_rate``, ``rng``, ...).
        dtype: the Keras layers' dtype ("float32" or "float64").

    Returns:
        A compiled Keras :class:`Autoencoder` (layers ``enc_hidden`` …, ``latent``, ``dec_hidden`` …,
        ``reconstruction``).
    """
    check_choice(dtype, "dtype", "dlhelpers.keras.autoencoder.dense_autoencoder", ("float32", "float64"))
    return autoencoder_from_scratch(SA.dense_autoencoder(*args, dtype=np.dtype(dtype).type, **kwargs), dtype=dtype)


def conv_autoencoder(*args, dtype="float32", **kwargs):
    """The Keras twin of :func:`dlhelpers.scratch.autoencoder.conv_autoencoder`, with its initial weights.

    Args:
        *args, **kwargs: as the scratch builder (``input_shape``, ``filters``, ``latent_dim``, ``upsampling``, ...).
        dtype: the Keras layers' dtype ("float32" or "float64").

    Returns:
        A compiled Keras :class:`Autoencoder` taking (N, H, W, C) images.
    """
    check_choice(dtype, "dtype", "dlhelpers.keras.autoencoder.conv_autoencoder", ("float32", "float64"))
    return autoencoder_from_scratch(SA.conv_autoencoder(*args, dtype=np.dtype(dtype).type, **kwargs), dtype=dtype)
