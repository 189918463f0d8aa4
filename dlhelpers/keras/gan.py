"""Keras twin of :mod:`dlhelpers.scratch.gan`: the GAN losses in ``keras.ops``, a ``keras.Model`` with its own
``train_step`` (two optimizers), and the same step as a plain ``tf.GradientTape`` loop.

Both versions do what the scratch :meth:`~dlhelpers.scratch.gan.GAN.train_step` does: ``k`` discriminator
steps (real and fake samples through D as one batch, real rows first; G untouched), then one generator
step whose gradient flows through D into G (D untouched). With the weights of a scratch GAN copied in
(:func:`gan_from_scratch`) and the same noise, one step gives the same updated weights.

The digit GANs of Unit IV live here too: the DCGAN generator and discriminator for 28×28 digits as scratch
``Sequential`` models (:func:`dcgan_generator_network`, :func:`dcgan_discriminator_network`), the
:class:`ConditionalGAN` (the label as one-hot inputs of G and label maps of D), :func:`build_dcgan`, and the
trained generators shipped in ``data/checkpoints`` (:func:`load_generator`, :func:`sample_digits`, scored with
:func:`digit_gan_reference` and :func:`score_generator`), made by ``scripts/train_dcgan.py``.
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from .._checks import _fail, as_array, check_choice, check_count, check_number, check_rng
from ..scratch import gan as SG
from ..scratch.optim import _Optimizer
from .network import model_from_scratch
from .optim import optimizer_from_scratch

__all__ = ["discriminator_loss", "generator_loss", "value_function", "GAN", "gan_from_scratch",
           "tape_discriminator_step", "tape_generator_step", "tape_train_step",
           "NOISE_DIM", "NUM_CLASSES", "GAN_CHECKPOINTS", "dcgan_generator_network", "dcgan_discriminator_network",
           "ConditionalGAN", "build_dcgan", "save_generator", "load_generator", "sample_digits", "digit_gan_reference",
           "score_generator"]

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



# --- DCGAN and conditional GAN on 28×28 digits ------------------------------------------------------------------

#: the noise width of the digit GANs (and of their checkpoints)
NOISE_DIM = 64
#: the number of digit classes a conditional GAN is told about
NUM_CLASSES = 10

#: the trained generators shipped in ``data/`` (made by ``scripts/train_dcgan.py --model NAME``):
#: name → (file under ``data/``, conditional, the GAN loss they were trained with)
GAN_CHECKPOINTS = {
    "dcgan": ("checkpoints/dcgan_mnist.npz", False, "non_saturating"),
    "cgan": ("checkpoints/cgan_mnist.npz", True, "non_saturating"),
    "lsgan": ("checkpoints/lsgan_mnist.npz", False, "least_squares"),
}


def _filters(filters, name, func):
    if isinstance(filters, (str, bytes)) or not isinstance(filters, (tuple, list)) or len(filters) != 2:
        _fail(name, func, "a pair of channel counts (f₁, f₂), one per convolution", repr(filters),
              f"Pass e.g. {name}=(128, 64).", exc=TypeError)
    return tuple(int(check_number(f, name, func, low=1, high=4096, integer=True)) for f in filters)


def dcgan_generator_network(noise_dim=NOISE_DIM, num_classes=0, filters=(128, 64), kernel_size=4, rng=0,
                            dtype=np.float32):
    """The DCGAN generator for 28×28×1 digits in [−1, 1], as a scratch ``Sequential`` (NumPy forward and backward).

    z (noise_dim [+ num_classes]) → Dense(7·7·f₁) → BatchNorm → LeakyReLU(0.2) → Reshape(7, 7, f₁) →
    Conv2DTranspose(f₂, k, strides 2, "same") 14×14 → BatchNorm → LeakyReLU(0.2) →
    Conv2DTranspose(1, k, strides 2, "same", tanh) 28×28. Upsampling by strided transposed convolutions,
    batch norm in every layer but the output, tanh output: Radford et al.'s guidelines.

    Args:
        noise_dim: the width of z.
        num_classes: 0 for an unconditional generator; K for a conditional one, whose input is
            [z | one-hot label] (``dlhelpers.scratch.gan.conditional_noise``), width noise_dim + K.
        filters: (f₁, f₂), the channels of the 7×7 and 14×14 maps.
        kernel_size: the transposed convolutions' kernel size.
        rng: seed of the initial weights (Glorot uniform kernels, zero biases).
        dtype: np.float32 (training, checkpoints) or np.float64 (twin checks).

    Returns:
        A built ``dlhelpers.scratch.network.Sequential`` (N, noise_dim + num_classes) → (N, 28, 28, 1); its
        Keras twin is ``model_from_scratch(net)``.
    """
    from ..scratch.network import BatchNormalization, Conv2DTranspose, Dense, LeakyReLU, Reshape, Sequential
    func = "dcgan_generator_network"
    noise_dim = int(check_number(noise_dim, "noise_dim", func, low=1, high=10 ** 4, integer=True))
    num_classes = int(check_number(num_classes, "num_classes", func, low=0, high=10 ** 4, integer=True))
    f1, f2 = _filters(filters, "filters", func)
    kernel_size = int(check_number(kernel_size, "kernel_size", func, low=1, high=7, integer=True))
    layers = [Dense(7 * 7 * f1), BatchNormalization(), LeakyReLU(0.2), Reshape((7, 7, f1)),
              Conv2DTranspose(f2, kernel_size, strides=2, padding="same"), BatchNormalization(), LeakyReLU(0.2),
              Conv2DTranspose(1, kernel_size, strides=2, padding="same", activation="tanh")]
    return Sequential(layers, input_dim=noise_dim + num_classes, rng=rng, dtype=dtype)


def dcgan_discriminator_network(num_classes=0, filters=(32, 64), kernel_size=4, dropout=0.0, rng=1,
                                dtype=np.float32):
    """The DCGAN discriminator for 28×28×1 digits, as a scratch ``Sequential``: one logit per image.

    x (28, 28, 1 [+ num_classes]) → Conv2D(f₁, k, strides 2, "same") 14×14 → LeakyReLU(0.2) →
    Conv2D(f₂, k, strides 2, "same") 7×7 → LeakyReLU(0.2) → Flatten → Dense(1) (linear: a logit).
    Strided convolutions instead of pooling, LeakyReLU: Radford et al.'s guidelines (no batch norm here: real
    and fake rows go through D as one batch).

    Args:
        num_classes: 0, or K for a conditional discriminator whose input carries K label maps as extra
            channels (``dlhelpers.scratch.gan.label_channels``), shape (28, 28, 1 + K).
        filters: (f₁, f₂), the channels of the 14×14 and 7×7 maps.
        kernel_size: the convolutions' kernel size.
        rng: seed of the initial weights.
        dtype: np.float32 or np.float64.

    Returns:
        A built ``Sequential`` (N, 28, 28, 1 + num_classes) → (N, 1).
    """
    from ..scratch.network import Conv2D, Dense, Dropout, Flatten, LeakyReLU, Sequential
    func = "dcgan_discriminator_network"
    num_classes = int(check_number(num_classes, "num_classes", func, low=0, high=10 ** 4, integer=True))
    f1, f2 = _filters(filters, "filters", func)
    kernel_size = int(check_number(kernel_size, "kernel_size", func, low=1, high=7, integer=True))
    check_number(dropout, "dropout", func, low=0, high=0.9, fix="Pass a rate such as dropout=0.3, or 0 for none.")
    drop = (lambda: [Dropout(dropout)]) if dropout else (lambda: [])
    layers = [Conv2D(f1, kernel_size, strides=2, padding="same"), LeakyReLU(0.2), *drop(),
              Conv2D(f2, kernel_size, strides=2, padding="same"), LeakyReLU(0.2), *drop(), Flatten(), Dense(1)]
    return Sequential(layers, input_shape=(28, 28, 1 + num_classes), rng=rng, dtype=dtype)


def _one_hot(labels, num_classes, dtype):
    """Labels as one-hot rows (N, K): int ids (N,) are converted, rows (N, K) pass through."""
    y = ops.convert_to_tensor(labels)
    if len(y.shape) == 1:
        y = ops.one_hot(ops.cast(y, "int32"), num_classes)
    return ops.cast(y, dtype)


def _with_label_maps(x, y):
    """Images (N, H, W, C) and one-hot rows (N, K) → (N, H, W, C + K), as ``scratch.gan.label_channels``."""
    shape = ops.shape(x)
    maps = ops.broadcast_to(ops.cast(y, x.dtype)[:, None, None, :], (shape[0], shape[1], shape[2], ops.shape(y)[1]))
    return ops.concatenate([x, maps], axis=-1)


class ConditionalGAN(GAN):
    """A conditional GAN (Mirza & Osindero): G draws the digit it is asked for, D judges (image, label) pairs.

    G takes [z | one-hot label] (N, noise_dim + K); D takes the image with K label maps as extra channels
    (N, 28, 28, 1 + K). Each fake batch gets the labels of the real batch beside it, so D cannot tell fakes
    by their labels, and G is pushed to draw what it was asked for.

    Args:
        generator: a Keras model (N, noise_dim + num_classes) → (N, H, W, C).
        discriminator: a Keras model (N, H, W, C + num_classes) → (N, 1) logits.
        num_classes: K.
        k, seed: as :class:`GAN`.

    ``fit(x_real, labels)`` with labels as ids (N,) or one-hot rows (N, K); ``train_step`` also takes
    ``(x_real, labels, z_d, z_g)`` with explicit noise (z of width noise_dim, without the label).
    """

    def __init__(self, generator, discriminator, num_classes=NUM_CLASSES, k=1, seed=None, **kwargs):
        super().__init__(generator, discriminator, k=k, seed=seed, **kwargs)
        func = "dlhelpers.keras.gan.ConditionalGAN"
        self.num_classes = int(check_number(num_classes, "num_classes", func, low=2, high=10 ** 4, integer=True))
        if self.noise_dim <= self.num_classes:
            _fail("generator", func, f"an input wider than num_classes = {self.num_classes} (noise, then the label)",
                  f"input width {self.noise_dim}", "Build it with input width noise_dim + num_classes.")
        self.noise_dim -= self.num_classes                                # the width of z alone

    def call(self, inputs, training=False):
        """G([z | onehot]) for inputs (N, noise_dim + num_classes), or G of ``(z, labels)``."""
        if isinstance(inputs, (tuple, list)):
            z, labels = inputs
            inputs = ops.concatenate([ops.convert_to_tensor(z), _one_hot(labels, self.num_classes,
                                                                         ops.convert_to_tensor(z).dtype)], axis=1)
        return self.generator(inputs, training=training)

    def train_step(self, data):
        """k discriminator steps on (x_real, y) and (G(z, y), y), then one generator step; returns the logs."""
        if not isinstance(data, (tuple, list)) or len(data) not in (2, 4):
            _fail("data", "dlhelpers.keras.gan.ConditionalGAN.train_step", "(x_real, labels) or (x_real, labels, "
                  "z_d, z_g)", type(data).__name__, "Call fit(x_real, labels).")
        x_real = ops.convert_to_tensor(data[0])
        y = _one_hot(data[1], self.num_classes, x_real.dtype)
        z_d, z_g = (ops.convert_to_tensor(data[2]), ops.convert_to_tensor(data[3])) if len(data) == 4 else (None, None)
        n = ops.shape(x_real)[0]
        real_in = _with_label_maps(x_real, y)
        logs = []
        for i in range(self.k):
            z = self._noise(n, x_real.dtype) if z_d is None else (z_d[i] if len(z_d.shape) == 3 else z_d)
            x_fake = ops.cast(self.generator(ops.concatenate([z, y], axis=1), training=True), x_real.dtype)
            with tf.GradientTape() as tape:
                a = ops.reshape(self.discriminator(ops.concatenate([real_in, _with_label_maps(x_fake, y)]),
                                                   training=True), (-1,))
                a_real, a_fake = a[:n], a[n:]
                d_loss = discriminator_loss(a_real, a_fake, self.gan_loss)
            weights = self.discriminator.trainable_weights
            self.d_optimizer.apply(tape.gradient(d_loss, weights), weights)
            logs.append((d_loss, value_function(a_real, a_fake), ops.mean(_d_output(a_real, self.gan_loss)),
                         ops.mean(_d_output(a_fake, self.gan_loss))))
        z = self._noise(n, x_real.dtype) if z_g is None else z_g
        with tf.GradientTape() as tape:
            x_fake = self.generator(ops.concatenate([z, y], axis=1), training=True)
            g_loss = generator_loss(self.discriminator(_with_label_maps(x_fake, y), training=True), self.gan_loss)
        weights = self.generator.trainable_weights
        self.g_optimizer.apply(tape.gradient(g_loss, weights), weights)
        for j, key in enumerate(LOG_KEYS[:4]):
            self.trackers[key].update_state(ops.mean(ops.stack([log[j] for log in logs])))
        self.trackers["g_loss"].update_state(g_loss)
        return {key: tracker.result() for key, tracker in self.trackers.items()}


def build_dcgan(conditional=False, loss="non_saturating", noise_dim=NOISE_DIM, g_filters=(128, 64),
                d_filters=(32, 64), kernel_size=4, d_dropout=0.0, learning_rate=2e-4, beta_1=0.5, rng=0, seed=None,
                dtype="float32"):
    """A compiled Keras DCGAN (or conditional GAN) for 28×28 digits, with the scratch networks' initial weights.

    Adam with learning rate 2·10⁻⁴ and β₁ = 0.5 for both networks (Radford et al.).

    Args:
        conditional: False for :class:`GAN`, True for :class:`ConditionalGAN` (10 digit classes).
        loss: a key of ``GAN_LOSSES`` ("least_squares" makes it an LSGAN).
        noise_dim, g_filters, d_filters, kernel_size: the architecture (see :func:`dcgan_generator_network`
            and :func:`dcgan_discriminator_network`).
        learning_rate, beta_1: Adam's settings for both optimizers.
        rng: seed of the scratch networks' initial weights (G with ``rng``, D with ``rng + 1``).
        seed: seed of the noise drawn inside ``train_step``.
        dtype: the Keras layers' dtype.

    Returns:
        ``(gan, scratch_generator, scratch_discriminator)``: the compiled Keras model, whose ``generator``
        and ``discriminator`` hold copies of the two scratch networks' weights.
    """
    from .network import model_from_scratch
    func = "build_dcgan"
    rng = int(check_number(rng, "rng", func, low=0, integer=True, fix="Pass an int seed, e.g. rng=0."))
    k = NUM_CLASSES if conditional else 0
    np_dtype = np.dtype(dtype).type
    g = dcgan_generator_network(noise_dim, k, g_filters, kernel_size, rng=rng, dtype=np_dtype)
    d = dcgan_discriminator_network(k, d_filters, kernel_size, d_dropout, rng=rng + 1, dtype=np_dtype)
    kg, kd = model_from_scratch(g, dtype=dtype), model_from_scratch(d, dtype=dtype)
    kg.name, kd.name = "generator", "discriminator"
    gan = ConditionalGAN(kg, kd, NUM_CLASSES, seed=seed) if conditional else GAN(kg, kd, seed=seed)
    gan.compile(d_optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1),
                g_optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1), loss=loss, jit_compile=False)
    return gan, g, d


# --- checkpoints and samples -------------------------------------------------------------------------------------

def _weight_slots(net):
    """(key, dict, name) for every array of a scratch network a checkpoint holds: params and batch-norm state."""
    return [(f"{l.name}/{k}", d, k) for l in net.layers for d in (l.params, getattr(l, "state", {})) for k in d]


def save_generator(generator, path):
    """Save a generator's weights as a checkpoint: an ``.npz`` of float32 arrays keyed ``"<layer>/<weight>"``
    (the scratch layout; batch-norm layers add ``moving_mean`` and ``moving_variance``).

    Args:
        generator: a scratch ``Sequential``.
        path: the file to write.

    Returns:
        The path.
    """
    np.savez_compressed(path, **{key: np.asarray(d[k], np.float32) for key, d, k in _weight_slots(generator)})
    return path


def load_generator(name="dcgan", framework="keras", path=None):
    """A trained digit generator from its checkpoint in ``data/`` (see :data:`GAN_CHECKPOINTS`).

    Args:
        name: "dcgan", "cgan" (conditional) or "lsgan".
        framework: "keras" (a ``keras.Sequential``) or "scratch" (a NumPy ``Sequential``); both hold the
            same weights and give the same images for the same noise.
        path: another checkpoint of the same architecture (e.g. from ``scripts/train_dcgan.py --out``);
            None is the shipped one.

    Returns:
        The generator, (N, 64) noise → (N, 28, 28, 1) images in [−1, 1] (input (N, 74) [z | one-hot label]
        for "cgan"); draw from it with :func:`sample_digits`.

    Example:
        >>> generator = load_generator("dcgan")
        >>> sample_digits(generator, 16, rng=0).shape
        (16, 28, 28, 1)
    """
    from pathlib import Path

    from .network import model_from_scratch
    func = "load_generator"
    check_choice(name, "name", func, GAN_CHECKPOINTS)
    check_choice(framework, "framework", func, ("keras", "scratch"))
    file, conditional, _ = GAN_CHECKPOINTS[name]
    if path is None:
        from ..data.course import data_path
        path = data_path(file)
    path = Path(path)
    if not path.is_file():
        _fail("path", func, "an existing checkpoint file", str(path),
              f"Make one with python scripts/train_dcgan.py --model {name} --out PATH.", exc=FileNotFoundError)
    net = dcgan_generator_network(num_classes=NUM_CLASSES if conditional else 0)
    with np.load(path, allow_pickle=False) as weights:
        stored = {key: weights[key] for key in weights.files}
    slots = _weight_slots(net)
    if sorted(stored) != sorted(key for key, _, _ in slots):
        _fail("path", func, f"a {name} checkpoint with the keys {sorted(key for key, _, _ in slots)}",
              f"{path.name} with the keys {sorted(stored)}",
              f"Re-create it with python scripts/train_dcgan.py --model {name}.")
    for key, d, k in slots:
        if stored[key].shape != d[k].shape:
            _fail("path", func, f"a {name} checkpoint, {key} of shape {d[k].shape}", f"shape {stored[key].shape}",
                  f"Re-create it with python scripts/train_dcgan.py --model {name}.")
        d[k] = stored[key].astype(net.dtype)
    if framework == "scratch":
        return net
    km = model_from_scratch(net)
    km.name = f"{name}_generator"
    return km


def _input_width(generator, func):
    if isinstance(generator, keras.Model):
        return int(generator.input_shape[-1])
    from ..scratch.network import Sequential
    if isinstance(generator, Sequential) and generator.input_dim is not None:
        return int(generator.input_dim)
    _fail("generator", func, "a Keras model or a built scratch Sequential taking noise vectors",
          type(generator).__name__, "Load one with load_generator(name).", exc=TypeError)


def sample_digits(generator, n=None, rng=None, labels=None, noise_dim=NOISE_DIM, z=None):
    """Digits drawn from a generator (inference mode): G(z), or G([z | one-hot label]) for a conditional one.

    Args:
        generator: a Keras model or a scratch ``Sequential`` (e.g. from :func:`load_generator`).
        n: the number of images (default: one per label, or ``len(z)``).
        rng: Generator, int seed or None: z ~ N(0, I) of shape (n, noise_dim) in float32 (the same z for both
            frameworks, so the same images).
        labels: for a conditional generator (input width noise_dim + 10): the digit of each image, (n,)
            ints 0–9; None for an unconditional one.
        noise_dim: the width of z (the checkpoints': 64).
        z: explicit noise (n, noise_dim) instead of ``rng``.

    Returns:
        (n, 28, 28, 1) float32 images in [−1, 1].
    """
    from ..scratch import gan as SG
    func = "sample_digits"
    width = _input_width(generator, func)
    noise_dim = int(check_number(noise_dim, "noise_dim", func, low=1, high=10 ** 4, integer=True))
    extra = width - noise_dim
    if extra not in (0, NUM_CLASSES):
        _fail("noise_dim", func, f"the generator's input width {width}, or {width} − {NUM_CLASSES} for a "
              "conditional generator", repr(noise_dim), "Leave noise_dim at its default for the course's checkpoints.")
    if extra and labels is None:
        _fail("labels", func, "one digit per image for a conditional generator", "None",
              "Pass e.g. labels=np.arange(100) % 10.")
    if not extra and labels is not None:
        _fail("labels", func, "None for an unconditional generator", "labels",
              "Leave labels out, or load the conditional generator: load_generator('cgan').")
    if labels is not None:
        labels = np.asarray(labels)
        if n is None:
            n = len(labels) if labels.ndim == 1 else None
    if z is None:
        if n is None:
            _fail("n", func, "the number of images", "None", "Pass e.g. n=16.")
        n = check_count(n, "n", func, maximum=10 ** 5)
        z = check_rng(rng, func).standard_normal((n, noise_dim)).astype(np.float32)
    z = as_array(z, "z", func, ndim=2, shape_hint=f"(n, {noise_dim})", dtype=np.float32)
    if z.shape[1] != noise_dim or (n is not None and len(z) != n):
        _fail("z", func, f"noise of shape ({n if n is not None else 'n'}, {noise_dim})", f"shape {z.shape}",
              "Leave z out and pass rng, or draw z with rng.standard_normal((n, 64)).")
    if labels is not None:
        if labels.ndim != 1 or len(labels) != len(z):
            _fail("labels", func, f"one digit per image ({len(z)})", f"shape {labels.shape}",
                  f"Pass e.g. labels=np.arange({len(z)}) % 10.")
        z = SG.conditional_noise(z, labels, NUM_CLASSES).astype(np.float32)
    if isinstance(generator, keras.Model):
        out = [np.asarray(generator(z[i:i + 500], training=False)) for i in range(0, len(z), 500)]
        return np.concatenate(out).astype(np.float32)
    from .._blas import single_thread_blas
    with single_thread_blas():
        out = [generator.forward(z[i:i + 500].astype(generator.dtype)) for i in range(0, len(z), 500)]
    return np.concatenate(out).astype(np.float32)


def digit_gan_reference(train_images, test_images, rng=0, blur_sigma=1.0):
    """The digit-score references of the MNIST 5k GANs, with the held-out digits as the real reference set.

    Unlike :func:`dlhelpers.metrics.digit_reference_values` (two halves of one set), the reference set here
    is ``test_images`` (the held-out digits, never trained on), and the rows score as many training digits
    against it: real vs real (``len(test_images)`` training digits drawn without replacement), real blurred,
    one class only (the classifier's most frequent class among them, drawn with replacement), uniform noise.
    Score generated samples of the same size with ``ref.score(samples)``.

    Args:
        train_images: (N, 28, 28[, 1]) training digits in [−1, 1], N ≥ len(test_images).
        test_images: (M, 28, 28[, 1]) held-out digits, M ≥ 50.
        rng: seed or Generator for the draws and the noise.
        blur_sigma: the blur in pixels.

    Returns:
        A ``dlhelpers.metrics.DigitReference``.
    """
    from scipy.ndimage import gaussian_filter

    from .. import metrics as M
    func = "digit_gan_reference"
    train = M._images(train_images, func, "train_images")
    test = M._images(test_images, func, "test_images")
    if len(test) < 50 or len(train) < len(test):
        _fail("train_images and test_images", func, "at least 50 held-out images and as many training images",
              f"{len(train)} and {len(test)}", "Pass the 4,000 training and 1,000 held-out MNIST 5k digits.")
    rng = check_rng(rng, func)
    clf = M.digit_classifier()
    m = len(test)
    a = train[rng.choice(len(train), size=m, replace=False)]
    feats = clf.features(test)
    mu, cov = feats.mean(axis=0), np.atleast_2d(np.cov(feats, rowvar=False))
    blurred = gaussian_filter(a, sigma=(0, blur_sigma, blur_sigma, 0), mode="nearest")
    pred = clf.predict(a)
    top = int(np.bincount(pred, minlength=10).argmax())
    one_class = a[rng.choice(np.flatnonzero(pred == top), size=m, replace=True)]
    noise = rng.uniform(-1.0, 1.0, size=a.shape).astype(np.float32)
    ref = M.DigitReference((), m, "", clf, mu, cov)
    rows = (ref.score(a, "real vs real"), ref.score(blurred, f"real blurred (σ={blur_sigma:g})"),
            ref.score(one_class, f"one class only ({top})"), ref.score(noise, "uniform noise"))
    desc = (f"Digit scores against the {m} held-out MNIST 5k digits ({clf.source}); rows: {m} training digits; "
            "classes: digits with ≥ 5 % of the sample; IS in [1, 10]")
    return M.DigitReference(rows, m, desc, clf, mu, cov)


def score_generator(generator, reference, n=1000, rng=1, conditional=None):
    """The course's scores of a digit generator: ``n`` samples scored against ``reference``.

    Args:
        generator: a Keras model or scratch ``Sequential`` (e.g. :func:`load_generator`).
        reference: a ``DigitReference`` (:func:`digit_gan_reference`), whose ``score`` gives the digit FD
            against the held-out digits, the class coverage and the inception score.
        n: the number of samples (as many as the reference rows, for a fair FD).
        rng: seed of the noise.
        conditional: None (decided from the generator's input width), True or False. A conditional
            generator is asked for ``n // 10`` of each digit (labels ``arange(n) % 10``).

    Returns:
        ``(score, agreement)``: the ``DigitScore``, and for a conditional generator the share of samples
        the classifier puts in the requested class (None otherwise).
    """
    func = "score_generator"
    n = check_count(n, "n", func, maximum=10 ** 5)
    if conditional is None:
        conditional = _input_width(generator, func) == NOISE_DIM + NUM_CLASSES
    labels = np.arange(n) % NUM_CLASSES if conditional else None
    images = sample_digits(generator, n, rng=rng, labels=labels)
    score = reference.score(images, "generated")
    agreement = float(np.mean(reference.classifier.predict(images) == labels)) if conditional else None
    return score, agreement
