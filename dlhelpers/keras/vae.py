"""Keras twin of :mod:`dlhelpers.scratch.vae`: the reparameterization, the KL term and −ELBO in ``keras.ops``, and the
VAE as a ``keras.Model`` whose ``train_step`` differentiates −ELBO with ``tf.GradientTape``.

The encoder and decoder are the scratch networks rebuilt as Keras models (:func:`vae_from_scratch`, through
:func:`~dlhelpers.keras.network.model_from_scratch`), so the layers, names and weights are the same; weights are
copied both ways with :func:`scratch_vae_to_keras` and :func:`keras_vae_to_scratch`. With the same weights and the
same noise ε both give the same loss, the same two parts and the same gradients (:func:`vae_gradients`).

The loss is the scratch one: −ELBO = reconstruction + β·KL per sample, averaged over the batch, with the
reconstruction Σ softplus(a) − x·a over the pixels ("bernoulli", a = the decoder's logits) or
Σ (x − m)² / (2σ²) ("gaussian", m = the decoder's output, constant left out), and
KL = ½·Σ_j (σ_j² + μ_j² − 1 − log σ_j²).
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from .._checks import _fail, check_choice, check_number, check_positive
from ..scratch import vae as SV
from ..scratch.optim import _Optimizer
from .network import model_from_scratch
from .optim import optimizer_from_scratch
from .weights import keras_to_scratch, named_variables, scratch_to_keras

__all__ = ["reparameterize", "gaussian_kl", "reconstruction_nll", "vae_loss", "VAE", "vae_from_scratch",
           "vae_gradients", "scratch_vae_to_keras", "keras_vae_to_scratch", "LOG_KEYS"]

#: The loss parts every VAE step reports.
LOG_KEYS = ("loss", "reconstruction", "kl")


def reparameterize(mu, log_var, eps):
    """z = mu + exp(log_var / 2)·eps, as :func:`dlhelpers.scratch.vae.reparameterize` (no cache: the tape keeps it).

    Args:
        mu, log_var, eps: (N, L) tensors or arrays of one shape.

    Returns:
        z, (N, L) tensor.
    """
    return mu + ops.exp(0.5 * log_var) * eps


def gaussian_kl(mu, log_var):
    """KL(N(mu, σ²) ‖ N(0, I)) = ½·Σ_j (σ_j² + mu_j² − 1 − log σ_j²), summed over the latent axis, mean over the batch.

    Args:
        mu, log_var: (N, L) tensors.

    Returns:
        A scalar tensor.
    """
    return ops.mean(0.5 * ops.sum(ops.expm1(log_var) - log_var + ops.square(mu), axis=-1))


def reconstruction_nll(x, decoder_out, likelihood="bernoulli", sigma=1.0):
    """−log p(x | z) summed over the pixels, mean over the batch: Σ softplus(a) − x·a ("bernoulli", logits a) or
    Σ (x − m)² / (2σ²) ("gaussian"), as :func:`dlhelpers.scratch.vae.reconstruction_nll`.

    Args:
        x: (N, ...) data; decoder_out: x's shape (logits or means); likelihood: a key of ``LIKELIHOODS``;
        sigma: the Gaussian's σ > 0.

    Returns:
        A scalar tensor.
    """
    func = "dlhelpers.keras.vae.reconstruction_nll"
    likelihood = check_choice(likelihood, "likelihood", func, SV.LIKELIHOODS)
    check_positive(sigma, "sigma", func)
    out = ops.convert_to_tensor(decoder_out)
    x = ops.cast(x, out.dtype)
    axes = tuple(range(1, len(out.shape)))
    if likelihood == "bernoulli":
        per_sample = ops.sum(ops.softplus(out) - x * out, axis=axes)          # binary cross-entropy on logits
    else:
        per_sample = ops.sum(ops.square(x - out), axis=axes) / (2.0 * sigma ** 2)
    return ops.mean(per_sample)


def vae_loss(x, decoder_out, mu, log_var, beta=1.0, likelihood="bernoulli", sigma=1.0):
    """−ELBO = reconstruction + β·KL (per sample, mean over the batch), as :func:`dlhelpers.scratch.vae.vae_loss`.

    Args:
        x: (N, ...); decoder_out: x's shape; mu, log_var: (N, L); beta: β ≥ 0; likelihood, sigma: as
        :func:`reconstruction_nll`.

    Returns:
        ``{"loss", "reconstruction", "kl"}`` scalar tensors.
    """
    rec = reconstruction_nll(x, decoder_out, likelihood, sigma)
    kl = ops.cast(gaussian_kl(mu, log_var), rec.dtype)
    return {"loss": rec + beta * kl, "reconstruction": rec, "kl": kl}


class VAE(keras.Model):
    """A VAE of an encoder (N, *data_shape) → (N, 2L) [μ | log σ²] and a decoder (N, L) → (N, *data_shape).

    Args:
        encoder, decoder: built Keras models (e.g. from :func:`vae_from_scratch`); the decoder ends linear
            (logits) for "bernoulli".
        likelihood: a key of ``dlhelpers.scratch.vae.LIKELIHOODS``.
        beta: the KL weight β ≥ 0; sigma: the Gaussian likelihood's σ > 0.
        seed: seed of the noise drawn inside ``train_step`` (``keras.random.SeedGenerator``).

    ``train_step(data)`` takes a batch ``x``, or ``(x, eps)`` with explicit noise (N, L); ``fit(x)`` draws its
    own. The logs (``loss``, ``reconstruction``, ``kl``) are running means over the epoch; ``evaluate(x)`` gives
    the test −ELBO and its parts. ``vae(x)`` returns the reconstructions through the mean codes.

    Example:
        >>> vae = vae_from_scratch(dlhelpers.scratch.vae.build_dense_vae(latent_dim=2, rng=0))
        >>> history = vae.fit(x_train, batch_size=64, epochs=5)
    """

    def __init__(self, encoder, decoder, likelihood="bernoulli", beta=1.0, sigma=1.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        func = "dlhelpers.keras.vae.VAE"
        for name, net in (("encoder", encoder), ("decoder", decoder)):
            if not isinstance(net, keras.Model):
                _fail(name, func, "a keras.Model", type(net).__name__,
                      "Build it with keras.Sequential, or from a scratch VAE with vae_from_scratch.", exc=TypeError)
            if not net.built:
                _fail(name, func, "a built model", "a model without an input shape",
                      "Start it with keras.Input(shape).")
        width = int(encoder.output_shape[-1])
        if len(encoder.output_shape) != 2 or width % 2:
            _fail("encoder", func, "a model with an even number 2L of outputs (μ, then log σ²)",
                  f"output shape {encoder.output_shape}", "End it with Dense(2 * latent_dim).")
        self.latent_dim = width // 2
        if tuple(decoder.input_shape[1:]) != (self.latent_dim,):
            _fail("decoder", func, f"a model of codes ({self.latent_dim},)", f"input shape {decoder.input_shape}",
                  f"Start it with keras.Input(({self.latent_dim},)).")
        self.encoder, self.decoder = encoder, decoder
        self.likelihood = check_choice(likelihood, "likelihood", func, SV.LIKELIHOODS)
        self.beta = float(check_number(beta, "beta", func, low=0, fix="Pass a weight >= 0, e.g. beta=1.0."))
        self.sigma = float(check_positive(sigma, "sigma", func))
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {key: keras.metrics.Mean(name=key) for key in LOG_KEYS}

    @property
    def metrics(self):
        """The running means of the logs (reset by ``fit`` at every epoch)."""
        return list(self.trackers.values())

    def encode(self, x, training=False):
        """``(mu, log_var)``, each (N, L): the encoder's outputs split in two."""
        h = self.encoder(x, training=training)
        return h[:, :self.latent_dim], h[:, self.latent_dim:]

    def decode(self, z, training=False):
        """The mean of p(x | z): σ(logits) for "bernoulli", the decoder's output for "gaussian"."""
        out = self.decoder(z, training=training)
        return ops.sigmoid(out) if self.likelihood == "bernoulli" else out

    def call(self, x, training=False):
        """Reconstructions through the mean codes, decode(mu(x)), (N, *data_shape)."""
        mu, _ = self.encode(x, training=training)
        return self.decode(mu, training=training)

    def noise(self, n, dtype="float32"):
        """ε ~ N(0, I) of shape (n, L) from the model's seed generator."""
        return keras.random.normal((n, self.latent_dim), seed=self.seed_generator, dtype=dtype)

    def loss_parts(self, x, eps=None, training=True):
        """−ELBO and its parts on a batch: encoder → reparameterize → decoder → reconstruction + β·KL.

        Args:
            x: (N, *data_shape); eps: (N, L) noise, or None to draw it; training: passed to the layers.

        Returns:
            ``{"loss", "reconstruction", "kl"}`` scalar tensors (differentiable under a ``tf.GradientTape``).
        """
        mu, log_var = self.encode(x, training=training)
        if eps is None:
            eps = self.noise(ops.shape(mu)[0], mu.dtype)
        z = reparameterize(mu, log_var, ops.cast(eps, mu.dtype))
        return vae_loss(x, self.decoder(z, training=training), mu, log_var, self.beta, self.likelihood, self.sigma)

    def train_step(self, data):
        """One optimizer step on −ELBO; ``data`` is ``x``, ``(x,)`` or ``(x, eps)``. Returns the running logs."""
        x, eps = _unpack(data)
        with tf.GradientTape() as tape:
            parts = self.loss_parts(x, eps, training=True)
        weights = self.trainable_weights
        self.optimizer.apply(tape.gradient(parts["loss"], weights), weights)
        return self._log(parts)

    def test_step(self, data):
        """−ELBO and its parts in inference mode (for ``evaluate`` and validation data)."""
        x, eps = _unpack(data)
        return self._log(self.loss_parts(x, eps, training=False))

    def _log(self, parts):
        for key, tracker in self.trackers.items():
            tracker.update_state(parts[key])
        return {key: tracker.result() for key, tracker in self.trackers.items()}


def _unpack(data):
    """``x``, ``(x,)`` or ``(x, eps)`` → (x, eps or None) as tensors."""
    if isinstance(data, (tuple, list)):
        if len(data) == 1:
            data = data[0]
        elif len(data) == 2:
            return ops.convert_to_tensor(data[0]), ops.convert_to_tensor(data[1])
        else:
            _fail("data", "dlhelpers.keras.vae.VAE.train_step", "x or (x, eps)", f"a {type(data).__name__} of "
                  f"length {len(data)}", "Call fit(x) without targets, or pass explicit noise as (x, eps).")
    return ops.convert_to_tensor(data), None


def _check_scratch(scratch_vae, func):
    if not isinstance(scratch_vae, SV.VAE):
        _fail("scratch_vae", func, "a dlhelpers.scratch.vae.VAE", type(scratch_vae).__name__,
              "Build one with dlhelpers.scratch.vae.build_dense_vae(...) or VAE(encoder, decoder).", exc=TypeError)


def _check_keras(keras_vae, func):
    if not isinstance(keras_vae, VAE):
        _fail("keras_vae", func, "a dlhelpers.keras.vae.VAE", type(keras_vae).__name__,
              "Build one with vae_from_scratch(scratch_vae).", exc=TypeError)


def vae_from_scratch(scratch_vae, dtype="float32", seed=None):
    """The compiled Keras :class:`VAE` with the scratch VAE's layers, weights, likelihood, β, σ and optimizer settings.

    Args:
        scratch_vae: a :class:`dlhelpers.scratch.vae.VAE`.
        dtype: the Keras layers' dtype (``"float64"`` for twin checks to ~1e-12).
        seed: seed of the Keras noise.

    Returns:
        A compiled :class:`VAE` whose ``encoder`` and ``decoder`` hold copies of the scratch weights and whose
        optimizer is a fresh twin of the scratch one (no steps taken yet: copy before training to compare steps).
    """
    _check_scratch(scratch_vae, "vae_from_scratch")
    encoder = model_from_scratch(scratch_vae.encoder, dtype=dtype)
    decoder = model_from_scratch(scratch_vae.decoder, dtype=dtype)
    encoder.name, decoder.name = "encoder", "decoder"
    km = VAE(encoder, decoder, likelihood=scratch_vae.likelihood, beta=scratch_vae.beta, sigma=scratch_vae.sigma,
             seed=seed)
    opt = scratch_vae.optimizer
    km.compile(optimizer=optimizer_from_scratch(opt) if isinstance(opt, _Optimizer) else opt, jit_compile=False)
    return km


def _variables(keras_vae):
    """The trainable variables keyed like the scratch VAE's params: ``"encoder/<layer>/<weight>"``, …"""
    return {f"{name}/{key}": v for name, net in (("encoder", keras_vae.encoder), ("decoder", keras_vae.decoder))
            for key, v in named_variables(net).items()}


def vae_gradients(keras_vae, x, eps, training=True):
    """−ELBO and its gradients from ``tf.GradientTape``, keyed like the scratch VAE's ``params`` (no update).

    The twin of :meth:`dlhelpers.scratch.vae.VAE.gradients`: with the same weights and the same ``eps`` both give
    the same numbers.

    Args:
        keras_vae: a :class:`VAE`.
        x: (N, *data_shape); eps: (N, L) noise.
        training: passed to the layers.

    Returns:
        ``(logs, grads)``: ``{"loss", "reconstruction", "kl"}`` floats and ``{"encoder/<layer>/<weight>": array}``.
    """
    _check_keras(keras_vae, "vae_gradients")
    variables = _variables(keras_vae)
    with tf.GradientTape() as tape:
        parts = keras_vae.loss_parts(ops.convert_to_tensor(x), ops.convert_to_tensor(eps), training=training)
    found = tape.gradient(parts["loss"], list(variables.values()))
    grads = {k: (np.zeros(tuple(v.shape)) if g is None else np.asarray(g))      # None: no path to the loss
             for (k, v), g in zip(variables.items(), found)}
    return {k: float(v) for k, v in parts.items()}, grads


def scratch_vae_to_keras(scratch_vae, keras_vae):
    """Copy the scratch VAE's encoder and decoder weights into the Keras twin (layer by layer).

    Args:
        scratch_vae: a :class:`dlhelpers.scratch.vae.VAE`; keras_vae: its twin :class:`VAE` (same layers).

    Returns:
        ``keras_vae``, changed in place.
    """
    _check_scratch(scratch_vae, "scratch_vae_to_keras")
    _check_keras(keras_vae, "scratch_vae_to_keras")
    return scratch_to_keras(scratch_vae, keras_vae)                      # encoder, then decoder


def keras_vae_to_scratch(keras_vae, scratch_vae):
    """Copy the Keras VAE's encoder and decoder weights into the scratch VAE (in its own dtype).

    Args:
        keras_vae: a :class:`VAE`; scratch_vae: a :class:`dlhelpers.scratch.vae.VAE` with the same layers.

    Returns:
        ``scratch_vae``, changed in place.
    """
    _check_keras(keras_vae, "keras_vae_to_scratch")
    _check_scratch(scratch_vae, "keras_vae_to_scratch")
    return keras_to_scratch(keras_vae, scratch_vae)                      # encoder, then decoder
