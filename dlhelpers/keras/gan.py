"""Keras twin of :mod:`dlhelpers.scratch.gan`: the GAN losses in ``keras.ops``, a ``keras.Model`` with its own
``train_step`` (two optimizers), and the same step as a plain ``tf.GradientTape`` loop.

Both versions do what the scratch :meth:`~dlhelpers.scratch.gan.GAN.train_step` does: ``k`` discriminator
steps (real and fake samples through D as one batch, real rows first; G untouched), then one generator
step whose gradient flows through D into G (D untouched). With the weights of a scratch GAN copied in
(:func:`gan_from_scratch`) and the same noise, one step gives the same updated weights.
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from .._checks import _fail, check_choice, check_number
from ..scratch import gan as SG
from ..scratch.optim import _Optimizer
from .network import model_from_scratch
from .optim import optimizer_from_scratch

__all__ = ["discriminator_loss", "generator_loss", "value_function", "GAN", "gan_from_scratch",
           "tape_discriminator_step", "tape_generator_step", "tape_train_step"]

LOG_KEYS = ("d_loss", "value", "d_real", "d_fake", "g_loss")


def _flat(logits, name, func):
    """Logits (N,) or (N, 1) as a tensor (N,)."""
    t = ops.convert_to_tensor(logits)
    shape = tuple(t.shape)
    if len(shape) not in (1, 2) or (len(shape) == 2 and shape[1] not in (1, None)):
        _fail(name, func, "(N,) or (N, 1), one logit per sample", f"shape {shape}",
              "The discriminator must end in one linear unit, e.g. Dense(1).")
    return ops.reshape(t, (-1,))


def _loss(loss, func):
    return check_choice(loss, "loss", func, SG.GAN_LOSSES)


def discriminator_loss(real_logits, fake_logits, loss="minimax"):
    """D's loss on logits, as :func:`dlhelpers.scratch.gan.discriminator_loss`: mean softplus(−a_real) +
    mean softplus(a_fake) (cross-entropy), or ½·mean (a_real − 1)² + ½·mean a_fake² ("least_squares").

    Args:
        real_logits: (N,) or (N, 1) tensor; fake_logits: (M,) or (M, 1); loss: a key of ``GAN_LOSSES``.

    Returns:
        A scalar tensor (differentiable with ``tf.GradientTape``).
    """
    func = "dlhelpers.keras.gan.discriminator_loss"
    a_r, a_f = _flat(real_logits, "real_logits", func), _flat(fake_logits, "fake_logits", func)
    if _loss(loss, func) == "least_squares":
        return 0.5 * ops.mean(ops.square(a_r - 1.0)) + 0.5 * ops.mean(ops.square(a_f))
    return ops.mean(ops.softplus(-a_r)) + ops.mean(ops.softplus(a_f))


def generator_loss(fake_logits, loss="non_saturating"):
    """G's loss on logits, as :func:`dlhelpers.scratch.gan.generator_loss`: −mean softplus(a) ("minimax"),
    mean softplus(−a) ("non_saturating"), ½·mean (a − 1)² ("least_squares").

    Args:
        fake_logits: (M,) or (M, 1) tensor; loss: a key of ``GAN_LOSSES``.

    Returns:
        A scalar tensor.
    """
    func = "dlhelpers.keras.gan.generator_loss"
    a = _flat(fake_logits, "fake_logits", func)
    loss = _loss(loss, func)
    if loss == "least_squares":
        return 0.5 * ops.mean(ops.square(a - 1.0))
    if loss == "minimax":
        return -ops.mean(ops.softplus(a))
    return ops.mean(ops.softplus(-a))


def value_function(real_logits, fake_logits):
    """V(D, G) = mean log σ(a_real) + mean log(1 − σ(a_fake)) = −mean softplus(−a_real) − mean softplus(a_fake).

    Args:
        real_logits: (N,) or (N, 1) tensor; fake_logits: (M,) or (M, 1).

    Returns:
        A scalar tensor.
    """
    func = "dlhelpers.keras.gan.value_function"
    a_r, a_f = _flat(real_logits, "real_logits", func), _flat(fake_logits, "fake_logits", func)
    return -ops.mean(ops.softplus(-a_r)) - ops.mean(ops.softplus(a_f))


def _d_output(a, loss):
    """D's answer: σ(a) for the cross-entropy losses, the raw a for least squares (as the scratch twin)."""
    return a if loss == "least_squares" else ops.sigmoid(a)


def _keras_optimizer(opt, name, func):
    if isinstance(opt, _Optimizer):
        return optimizer_from_scratch(opt)
    if isinstance(opt, keras.optimizers.Optimizer):
        return opt
    if isinstance(opt, str):
        try:
            return keras.optimizers.get(opt)
        except ValueError:
            pass
    _fail(name, func, "a Keras optimizer, its name (e.g. 'adam') or a scratch optimizer", repr(opt),
          f"Pass e.g. {name}=keras.optimizers.Adam(1e-3).", exc=TypeError)


# --- the GAN as a keras.Model ------------------------------------------------------------------------------

class GAN(keras.Model):
    """A generator and a discriminator trained with ``fit``: ``k`` D steps, then one G step per batch.

    Args:
        generator: a Keras model (N, noise_dim) → (N, *data_shape).
        discriminator: a Keras model (N, *data_shape) → (N, 1) logits (linear output).
        k: discriminator steps per generator step, an integer in [1, 100].
        seed: seed of the noise drawn inside ``train_step`` (``keras.random.SeedGenerator``).

    ``train_step(data)`` takes a real batch ``x_real``, or ``(x_real, z_d, z_g)`` with explicit noise:
    z_d (N, noise_dim) for every D step or (k, N, noise_dim), z_g (M, noise_dim) for the G step. The logs
    (``d_loss``, ``value``, ``d_real``, ``d_fake``, ``g_loss``) are means over the epoch so far.

    Example:
        >>> gan = GAN(generator, discriminator, k=1)
        >>> gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3),
        ...             loss="non_saturating")
        >>> history = gan.fit(x_real, batch_size=64, epochs=10)
    """

    def __init__(self, generator, discriminator, k=1, seed=None, **kwargs):
        super().__init__(**kwargs)
        func = "dlhelpers.keras.gan.GAN"
        for name, net in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(net, keras.Model):
                _fail(name, func, "a keras.Model", type(net).__name__,
                      "Build it with keras.Sequential, or from a scratch GAN with gan_from_scratch.", exc=TypeError)
            if not net.built:
                _fail(name, func, "a built model", "a model without an input shape",
                      "Start it with keras.Input(shape), e.g. keras.Sequential([keras.Input((2,)), ...]).")
        self.generator, self.discriminator = generator, discriminator
        self.noise_dim = int(generator.input_shape[-1])
        self.k = int(check_number(k, "k", func, low=1, high=100, integer=True,
                                  fix="Pass a whole number of discriminator steps per generator step, e.g. k=1."))
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {key: keras.metrics.Mean(name=key) for key in LOG_KEYS}

    def compile(self, d_optimizer="adam", g_optimizer="adam", loss="non_saturating", **kwargs):
        """Choose the two optimizers and the GAN loss.

        Args:
            d_optimizer, g_optimizer: Keras optimizers (instances or names) or scratch optimizers (converted
                with ``optimizer_from_scratch``); two different objects.
            loss: a key of ``GAN_LOSSES``.
            **kwargs: passed to ``keras.Model.compile`` (e.g. ``run_eagerly=True``).
        """
        func = "dlhelpers.keras.gan.GAN.compile"
        self.gan_loss = _loss(loss, func)
        self.d_optimizer = _keras_optimizer(d_optimizer, "d_optimizer", func)
        self.g_optimizer = _keras_optimizer(g_optimizer, "g_optimizer", func)
        if self.d_optimizer is self.g_optimizer:
            _fail("d_optimizer and g_optimizer", func, "two different optimizer objects", "the same object twice",
                  "Each network needs its own optimizer state.")
        super().compile(**kwargs)

    @property
    def metrics(self):
        """The running means of the logs (reset by ``fit`` at every epoch)."""
        return list(self.trackers.values())

    def call(self, z, training=False):
        """G(z): generated samples (N, *data_shape) for noise (N, noise_dim)."""
        return self.generator(z, training=training)

    def _noise(self, n, dtype):
        return keras.random.normal((n, self.noise_dim), seed=self.seed_generator, dtype=dtype)

    def train_step(self, data):
        """k discriminator steps on (x_real, fake), then one generator step; returns the running logs."""
        x_real, z_d, z_g = _unpack(data)
        n = ops.shape(x_real)[0]
        logs = []
        for i in range(self.k):
            z = self._noise(n, x_real.dtype) if z_d is None else (z_d[i] if len(z_d.shape) == 3 else z_d)
            x_fake = self.generator(z, training=True)                       # G is only read here
            with tf.GradientTape() as tape:
                a = ops.reshape(self.discriminator(ops.concatenate([x_real, ops.cast(x_fake, x_real.dtype)]),
                                                   training=True), (-1,))  # (N + M,), real rows first
                a_real, a_fake = a[:n], a[n:]
                d_loss = discriminator_loss(a_real, a_fake, self.gan_loss)
            weights = self.discriminator.trainable_weights
            self.d_optimizer.apply(tape.gradient(d_loss, weights), weights)
            logs.append((d_loss, value_function(a_real, a_fake), ops.mean(_d_output(a_real, self.gan_loss)),
                         ops.mean(_d_output(a_fake, self.gan_loss))))
        z = self._noise(n, x_real.dtype) if z_g is None else z_g
        with tf.GradientTape() as tape:                                     # through D into G
            g_loss = generator_loss(self.discriminator(self.generator(z, training=True), training=True),
                                    self.gan_loss)
        weights = self.generator.trainable_weights
        self.g_optimizer.apply(tape.gradient(g_loss, weights), weights)
        for j, key in enumerate(LOG_KEYS[:4]):
            self.trackers[key].update_state(ops.mean(ops.stack([log[j] for log in logs])))
        self.trackers["g_loss"].update_state(g_loss)
        return {key: tracker.result() for key, tracker in self.trackers.items()}


def _unpack(data):
    """``x_real``, ``(x_real,)`` or ``(x_real, z_d, z_g)`` → (x_real, z_d or None, z_g or None) as tensors."""
    if isinstance(data, (tuple, list)):
        if len(data) == 1:
            data = data[0]
        elif len(data) == 3:
            return tuple(ops.convert_to_tensor(d) for d in data)
        else:
            _fail("data", "dlhelpers.keras.gan.GAN.train_step", "x_real or (x_real, z_d, z_g)",
                  f"a {type(data).__name__} of length {len(data)}",
                  "Call fit(x_real) without targets, or pass explicit noise as (x_real, z_d, z_g).")
    return ops.convert_to_tensor(data), None, None


def gan_from_scratch(scratch_gan, dtype="float32", seed=None):
    """The compiled Keras :class:`GAN` with the scratch GAN's layers, weights, loss, k and optimizer settings.

    Args:
        scratch_gan: a :class:`dlhelpers.scratch.gan.GAN`.
        dtype: the Keras layers' dtype (``"float64"`` for twin checks to ~1e-12).
        seed: seed of the Keras noise.

    Returns:
        A compiled :class:`GAN` whose ``generator`` and ``discriminator`` hold copies of the scratch weights
        and whose optimizers are fresh twins of the scratch ones (no steps taken yet: copy before training to
        compare steps).
    """
    if not isinstance(scratch_gan, SG.GAN):
        _fail("scratch_gan", "gan_from_scratch", "a dlhelpers.scratch.gan.GAN", type(scratch_gan).__name__,
              "Build one with dlhelpers.scratch.gan.build_mlp_gan(...) or GAN(generator, discriminator).",
              exc=TypeError)
    generator = model_from_scratch(scratch_gan.generator, dtype=dtype)
    discriminator = model_from_scratch(scratch_gan.discriminator, dtype=dtype)
    generator.name, discriminator.name = "generator", "discriminator"
    km = GAN(generator, discriminator, k=scratch_gan.k, seed=seed)
    km.compile(d_optimizer=optimizer_from_scratch(scratch_gan.d_optimizer),
               g_optimizer=optimizer_from_scratch(scratch_gan.g_optimizer), loss=scratch_gan.loss)
    return km


# --- the same step as a plain tf.GradientTape loop ------------------------------------------------------------

def tape_discriminator_step(generator, discriminator, optimizer, x_real, z, loss="non_saturating"):
    """One update of D on ``x_real`` and G(z), with ``tf.GradientTape`` (G untouched).

    Args:
        generator, discriminator: Keras models; optimizer: D's Keras optimizer.
        x_real: (N, *data_shape) array or tensor; z: (M, noise_dim).
        loss: a key of ``GAN_LOSSES`` (D's loss follows from it).

    Returns:
        D's loss before the update, a float.
    """
    x_real = ops.convert_to_tensor(x_real)
    x_fake = ops.cast(generator(ops.convert_to_tensor(z), training=True), x_real.dtype)
    n = ops.shape(x_real)[0]
    with tf.GradientTape() as tape:
        a = discriminator(ops.concatenate([x_real, x_fake]), training=True)      # (N + M, 1)
        d_loss = discriminator_loss(a[:n], a[n:], loss)
    grads = tape.gradient(d_loss, discriminator.trainable_weights)
    optimizer.apply(grads, discriminator.trainable_weights)
    return float(d_loss)


def tape_generator_step(generator, discriminator, optimizer, z, loss="non_saturating"):
    """One update of G through D on G(z), with ``tf.GradientTape`` (D untouched).

    Args:
        generator, discriminator: Keras models; optimizer: G's Keras optimizer.
        z: (M, noise_dim); loss: a key of ``GAN_LOSSES``.

    Returns:
        G's loss before the update, a float.
    """
    with tf.GradientTape() as tape:
        g_loss = generator_loss(discriminator(generator(ops.convert_to_tensor(z), training=True), training=True),
                                loss)
    grads = tape.gradient(g_loss, generator.trainable_weights)          # only G's weights are updated
    optimizer.apply(grads, generator.trainable_weights)
    return float(g_loss)


def tape_train_step(generator, discriminator, d_optimizer, g_optimizer, x_real, z_d, z_g, loss="non_saturating"):
    """The GAN training step written out: D steps (one per noise batch in ``z_d``), then one G step.

    Args:
        generator, discriminator: Keras models; d_optimizer, g_optimizer: their Keras optimizers.
        x_real: (N, *data_shape); z_d: (N, noise_dim) for one D step or (k, N, noise_dim) for k of them;
        z_g: (M, noise_dim); loss: a key of ``GAN_LOSSES``.

    Returns:
        ``{"d_loss": mean over the D steps, "g_loss": float}``, each before its update.
    """
    z_d = np.asarray(z_d)
    batches = [z_d] if z_d.ndim == 2 else list(z_d)
    d_losses = [tape_discriminator_step(generator, discriminator, d_optimizer, x_real, z, loss) for z in batches]
    g_loss = tape_generator_step(generator, discriminator, g_optimizer, z_g, loss)
    return {"d_loss": float(np.mean(d_losses)), "g_loss": g_loss}
