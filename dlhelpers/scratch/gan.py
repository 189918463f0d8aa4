"""Generative adversarial networks in NumPy: the losses on the discriminator's logits, and a GAN of two
:class:`~dlhelpers.scratch.network.Sequential` networks trained by alternating steps.

The discriminator D ends in one linear unit: its output ``a`` is a **logit**, D(x) = σ(a) the probability
that x is real. Every loss is written on logits, a mean over the batch (the real and the fake batch may
differ in size), with the two logs of the cross-entropy as softplus terms, which never overflow:

* −log σ(a) = softplus(−a),   −log(1 − σ(a)) = softplus(a),   softplus(a) = log(1 + eᵃ) = ``np.logaddexp(0, a)``.

=================  =====================================================  =========================================
``loss``           discriminator (minimised by D)                          generator (minimised by G)
=================  =====================================================  =========================================
"minimax"          −mean log D(x) − mean log(1 − D(G(z)))                   mean log(1 − D(G(z)))  (≤ 0, saturates)
"non_saturating"   the same                                                −mean log D(G(z))
"least_squares"    ½·mean (a_real − 1)² + ½·mean a_fake²  (LSGAN, raw a)    ½·mean (a_fake − 1)²
=================  =====================================================  =========================================

The value of the game is V(D, G) = mean log D(x) + mean log(1 − D(G(z))) (:func:`value_function`); D
maximises it, so D's cross-entropy loss is −V. The minimax generator loss is V's second term: when D
rejects the fakes confidently (a_fake ≪ 0) its gradient −σ(a_fake)/N vanishes, which is why G is usually
trained on the non-saturating loss instead (gradient −σ(−a_fake)/N ≈ −1/N there).

One training step (:meth:`GAN.train_step`) is Goodfellow et al.'s algorithm: ``k`` discriminator steps
on a real batch and a fake batch (G untouched), then one generator step, whose gradient flows back
through D into G (D's parameters untouched).
"""
from __future__ import annotations

import numpy as np

from .._blas import single_thread_blas
from .._checks import (_fail, as_array, check_callable, check_choice, check_count, check_nonempty, check_number,
                       check_positive, check_rng)
from .activations import ACTIVATIONS, sigmoid
from .layers import Dense
from .network import Sequential
from .optim import OPTIMIZERS, _Optimizer, get_optimizer

__all__ = ["GAN_LOSSES", "discriminator_loss", "discriminator_loss_grad", "generator_loss", "generator_loss_grad",
           "value_function", "GAN", "build_mlp_gan", "one_hot_labels", "conditional_noise", "label_channels"]

#: The GAN losses by name → what the generator minimises (the discriminator's loss is in the module docstring).
GAN_LOSSES = {
    "minimax": "mean log(1 − D(G(z))), the saturating form of the original minimax game",
    "non_saturating": "−mean log D(G(z)), the same fixed point with strong gradients early in training",
    "least_squares": "½·mean (a_fake − 1)² on D's raw output a (LSGAN)",
}

#: Most samples :meth:`GAN.noise` draws at once (and the largest batch of :meth:`GAN.train`).
MAX_SAMPLES = 10 ** 6


def _softplus(a):
    """softplus(a) = log(1 + eᵃ), computed as logaddexp(0, a): exact for any finite a, never overflows."""
    return np.logaddexp(0.0, a)


def _logits(a, name, func):
    """D's logits as an array (N,) or (N, 1), N >= 1, finite."""
    a = as_array(a, name, func, ndim=(1, 2), shape_hint="(N,) or (N, 1)",
                 fix="Pass one logit per sample, e.g. logits.reshape(-1).")
    if a.ndim == 2 and a.shape[1] != 1:
        _fail(name, func, "(N,) or (N, 1), one logit per sample", f"shape {a.shape}",
              "The discriminator must end in one linear unit, e.g. Dense(1).")
    check_nonempty(a, name, func)
    return a


def _loss(loss, func):
    return check_choice(loss, "loss", func, GAN_LOSSES)


def discriminator_loss(real_logits, fake_logits, loss="minimax"):
    """D's loss: −mean log σ(a_real) − mean log(1 − σ(a_fake)) ("minimax", "non_saturating");
    ½·mean (a_real − 1)² + ½·mean a_fake² ("least_squares").

    Args:
        real_logits: D's outputs on real samples, (N,) or (N, 1).
        fake_logits: D's outputs on generated samples, (M,) or (M, 1); M may differ from N.
        loss: one of :data:`GAN_LOSSES`.

    Returns:
        A float (≥ 0). For the cross-entropy losses it equals ``-value_function(real_logits, fake_logits)``.

    Example:
        >>> round(discriminator_loss([0.0], [0.0]), 4)      # D(x) = ½ everywhere: 2·log 2
        1.3863
    """
    func = "discriminator_loss"
    a_r, a_f = _logits(real_logits, "real_logits", func), _logits(fake_logits, "fake_logits", func)
    if _loss(loss, func) == "least_squares":
        return float(0.5 * np.mean((a_r - 1.0) ** 2) + 0.5 * np.mean(a_f ** 2))
    return float(np.mean(_softplus(-a_r)) + np.mean(_softplus(a_f)))


def discriminator_loss_grad(real_logits, fake_logits, loss="minimax"):
    """∂L_D/∂a_real = −σ(−a_real)/N, ∂L_D/∂a_fake = σ(a_fake)/M (cross-entropy); (a_real − 1)/N, a_fake/M
    ("least_squares").

    Args:
        real_logits: (N,) or (N, 1); fake_logits: (M,) or (M, 1); loss: one of :data:`GAN_LOSSES`.

    Returns:
        ``(d_real_logits, d_fake_logits)``, each with its logits' shape.
    """
    func = "discriminator_loss_grad"
    a_r, a_f = _logits(real_logits, "real_logits", func), _logits(fake_logits, "fake_logits", func)
    if _loss(loss, func) == "least_squares":
        return (a_r - 1.0) / a_r.size, a_f / a_f.size
    return -sigmoid(-a_r) / a_r.size, sigmoid(a_f) / a_f.size


def generator_loss(fake_logits, loss="non_saturating"):
    """G's loss: mean log(1 − σ(a)) ("minimax", ≤ 0); −mean log σ(a) ("non_saturating");
    ½·mean (a − 1)² ("least_squares"), with a = D's logits on G's samples.

    Args:
        fake_logits: (M,) or (M, 1).
        loss: one of :data:`GAN_LOSSES`.

    Returns:
        A float.

    Example:
        >>> round(generator_loss([0.0]), 4), round(generator_loss([0.0], "minimax"), 4)   # log 2, −log 2
        (0.6931, -0.6931)
    """
    func = "generator_loss"
    a = _logits(fake_logits, "fake_logits", func)
    loss = _loss(loss, func)
    if loss == "least_squares":
        return float(0.5 * np.mean((a - 1.0) ** 2))
    if loss == "minimax":
        return float(-np.mean(_softplus(a)))
    return float(np.mean(_softplus(-a)))


def generator_loss_grad(fake_logits, loss="non_saturating"):
    """∂L_G/∂a = −σ(a)/M ("minimax"), −σ(−a)/M ("non_saturating"), (a − 1)/M ("least_squares").

    Args:
        fake_logits: (M,) or (M, 1); loss: one of :data:`GAN_LOSSES`.

    Returns:
        The gradient, ``fake_logits``'s shape.
    """
    func = "generator_loss_grad"
    a = _logits(fake_logits, "fake_logits", func)
    loss = _loss(loss, func)
    if loss == "least_squares":
        return (a - 1.0) / a.size
    if loss == "minimax":
        return -sigmoid(a) / a.size
    return -sigmoid(-a) / a.size


def value_function(real_logits, fake_logits):
    """V(D, G) = mean log σ(a_real) + mean log(1 − σ(a_fake)), the value D maximises and G minimises.

    Args:
        real_logits: (N,) or (N, 1); fake_logits: (M,) or (M, 1).

    Returns:
        A float ≤ 0; −log 4 ≈ −1.386 when D outputs ½ everywhere (the value at the game's optimum).
    """
    func = "value_function"
    a_r, a_f = _logits(real_logits, "real_logits", func), _logits(fake_logits, "fake_logits", func)
    return float(-np.mean(_softplus(-a_r)) - np.mean(_softplus(a_f)))


# --- the GAN -----------------------------------------------------------------------------------------------

def _optimizer(opt, lr, name, func):
    """A fresh scratch optimizer from a name (with an optional learning rate) or an instance (as is)."""
    if isinstance(opt, _Optimizer):
        if lr is not None:
            _fail(f"{name[0]}_learning_rate", func, "None when an optimizer instance is given", repr(lr),
                  f"Set the rate in the instance, e.g. {name}=Adam(0.001), or pass {name}='adam'.")
        return opt
    check_choice(opt, name, func, OPTIMIZERS)
    if lr is None:
        return get_optimizer(opt)
    check_positive(lr, f"{name[0]}_learning_rate", func)
    return get_optimizer(opt, learning_rate=lr)


class GAN:
    """A generator G and a discriminator D (two scratch ``Sequential`` networks) trained against each other.

    G maps noise z ~ N(0, I) of width ``noise_dim`` to samples; D maps samples to one logit each.
    Each network has its own optimizer. :meth:`train_step` runs ``k`` discriminator steps then one
    generator step; :meth:`train` repeats it on random batches of a data set.

    Args:
        generator: a ``Sequential`` taking (N, noise_dim); built here with ``noise_dim`` if not built yet.
        discriminator: a ``Sequential`` taking G's samples and ending in one linear unit (a logit);
            built here on G's output shape if not built yet.
        noise_dim: the noise width (default: the generator's input width).
        loss: one of :data:`GAN_LOSSES` (D's loss follows from it, see the module docstring).
        k: discriminator steps per generator step, an integer in [1, 100].
        d_optimizer, g_optimizer: optimizer names (``"sgd"``, ``"rmsprop"``, ``"adam"``) or two different
            scratch optimizer instances.
        d_learning_rate, g_learning_rate: the rates for optimizers given by name (None: the optimizer's default).
        rng: Generator, int seed or None: the noise when no ``rng`` is passed to a method.

    Example:
        >>> gan = build_mlp_gan(data_dim=2, noise_dim=2, rng=0)
        >>> logs = gan.train_step(np.random.default_rng(1).standard_normal((16, 2)))
        >>> sorted(logs)
        ['d_fake', 'd_loss', 'd_real', 'g_loss', 'value']
    """

    def __init__(self, generator, discriminator, noise_dim=None, loss="non_saturating", k=1, d_optimizer="adam",
                 g_optimizer="adam", d_learning_rate=None, g_learning_rate=None, rng=None):
        func = "GAN"
        for name, net in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(net, Sequential):
                _fail(name, func, "a dlhelpers.scratch.network.Sequential", type(net).__name__,
                      "Build it first, e.g. Sequential([Dense(16, 'relu'), Dense(2)]).", exc=TypeError)
        if generator is discriminator:
            _fail("generator and discriminator", func, "two different networks", "the same object twice",
                  "Build two Sequential models.")
        if noise_dim is not None:
            check_positive(noise_dim, "noise_dim", func, integer=True)
        if generator.input_shape is None:
            if noise_dim is None:
                _fail("noise_dim", func, "given when the generator is not built", "None",
                      "Pass noise_dim=2, or build the generator with input_dim=2.")
            generator.build(int(noise_dim))
        if len(generator.input_shape) != 1:
            _fail("generator", func, "a network of noise vectors, input_shape (noise_dim,)",
                  f"input_shape {generator.input_shape}", "Build it with input_dim=noise_dim.")
        if noise_dim is not None and generator.input_dim != noise_dim:
            _fail("noise_dim", func, f"the generator's input width {generator.input_dim}", repr(noise_dim),
                  "Leave noise_dim out, or build the generator with input_dim=noise_dim.")
        if discriminator.input_shape is None:
            discriminator.build(generator.output_shape)
        if discriminator.input_shape != generator.output_shape:
            _fail("discriminator", func, f"a network of the generator's samples, input_shape {generator.output_shape}",
                  f"input_shape {discriminator.input_shape}", "Build it on the shape the generator outputs.")
        if discriminator.output_shape != (1,):
            _fail("discriminator", func, "a network with one output unit (one logit per sample)",
                  f"output shape {discriminator.output_shape}", "End it with Dense(1) (linear).")
        last = discriminator.layers[-1]
        if isinstance(last, Dense) and last.activation == "sigmoid":
            _fail("discriminator", func, "a network ending in a linear unit (the losses take logits)",
                  f"last layer {last.name!r} with activation 'sigmoid'",
                  "Use Dense(1) without activation; D(x) = sigmoid(logit) is applied inside the losses.")
        if np.dtype(generator.dtype) != np.dtype(discriminator.dtype):
            _fail("discriminator", func, f"of the generator's dtype {np.dtype(generator.dtype)}",
                  f"dtype {np.dtype(discriminator.dtype)}", "Build both networks with the same dtype.")
        self.loss = _loss(loss, func)
        self.k = int(check_number(k, "k", func, low=1, high=100, integer=True,
                                  fix="Pass a whole number of discriminator steps per generator step, e.g. k=1."))
        self.d_optimizer = _optimizer(d_optimizer, d_learning_rate, "d_optimizer", func)
        self.g_optimizer = _optimizer(g_optimizer, g_learning_rate, "g_optimizer", func)
        if self.d_optimizer is self.g_optimizer:
            _fail("d_optimizer and g_optimizer", func, "two different optimizer objects", "the same object twice",
                  "Each network needs its own optimizer state; pass e.g. Adam(0.001) and Adam(0.001).")
        self.generator, self.discriminator = generator, discriminator
        self.noise_dim = generator.input_dim
        self.data_shape = generator.output_shape          # one sample's shape, e.g. (2,) or (28, 28, 1)
        self.dtype = generator.dtype
        self.rng = check_rng(rng, func)
        self.steps = 0                                    # generator steps taken by train_step

    def __repr__(self):
        return (f"GAN(noise_dim={self.noise_dim}, data_shape={self.data_shape}, loss={self.loss!r}, k={self.k}, "
                f"d_optimizer={type(self.d_optimizer).__name__}, g_optimizer={type(self.g_optimizer).__name__})")

    # --- inputs ------------------------------------------------------------------------------------------
    def _rng(self, rng, func):
        return self.rng if rng is None else check_rng(rng, func)

    def _check_z(self, z, func, name="z"):
        z = as_array(z, name, func, ndim=2, shape_hint=f"(N, noise_dim) = (N, {self.noise_dim})",
                     fix=f"Draw it with gan.noise(n), shape (n, {self.noise_dim}).", dtype=self.dtype)
        if z.shape[1] != self.noise_dim:
            _fail(name, func, f"noise of width noise_dim = {self.noise_dim}", f"{z.shape[1]} columns",
                  f"Draw it with gan.noise(n), shape (n, {self.noise_dim}).")
        return check_nonempty(z, name, func)

    def _check_x(self, x, func, name="x_real", batches=False):
        """Samples (N, *data_shape); with ``batches``, also k batches (k, N, *data_shape) → a list of batches."""
        rank = 1 + len(self.data_shape)
        shape = f"(N, {', '.join(map(str, self.data_shape))})"
        ranks = (rank, rank + 1) if batches else rank
        hint = shape + (f" or k batches (k, N, {', '.join(map(str, self.data_shape))})" if batches else "")
        x = as_array(x, name, func, ndim=ranks, shape_hint=hint, dtype=self.dtype,
                     fix=f"Pass samples of the generator's shape {self.data_shape}.")
        if x.shape[x.ndim - len(self.data_shape):] != self.data_shape:
            _fail(name, func, f"samples of shape {self.data_shape} (the generator's output)",
                  f"samples of shape {x.shape[x.ndim - len(self.data_shape):]}",
                  "Check the data has as many features as the generator outputs.")
        check_nonempty(x, name, func)
        if not batches:
            return x
        if x.ndim == rank:
            return [x] * self.k                           # one batch for every discriminator step
        if len(x) != self.k:
            _fail(name, func, f"one batch per discriminator step (k = {self.k})", f"{len(x)} batches",
                  f"Pass a single batch {shape} or k = {self.k} of them.")
        return list(x)

    def _d_output(self, a):
        """D's answer in the loss's sense: σ(a) for the cross-entropy losses, the raw a for least squares."""
        return a if self.loss == "least_squares" else sigmoid(a)

    # --- sampling and scoring -----------------------------------------------------------------------------
    def noise(self, n, rng=None):
        """z ~ N(0, I): standard normal noise for ``n`` samples.

        Args:
            n: number of rows, 1 … :data:`MAX_SAMPLES`; rng: Generator, int seed or None (the GAN's own).

        Returns:
            (n, noise_dim) in the networks' dtype.
        """
        n = check_count(n, "n", "GAN.noise", maximum=MAX_SAMPLES)
        return self._rng(rng, "GAN.noise").standard_normal((n, self.noise_dim)).astype(self.dtype)

    def generate(self, z):
        """G(z): the generator's samples for the noise ``z`` (inference mode).

        Args:
            z: (N, noise_dim).

        Returns:
            (N, *data_shape).
        """
        return self.generator.forward(self._check_z(z, "GAN.generate"))

    def sample(self, n, rng=None):
        """``n`` new samples G(z) with z drawn by :meth:`noise`.

        Args:
            n: number of samples; rng: Generator, int seed or None.

        Returns:
            (n, *data_shape).
        """
        return self.generate(self.noise(n, rng))

    def logits(self, x):
        """D's logits a(x) (inference mode); D(x) = σ(a).

        Args:
            x: (N, *data_shape).

        Returns:
            (N,).
        """
        return self.discriminator.forward(self._check_x(x, "GAN.logits", "x"))[:, 0]

    def discriminate(self, x):
        """D's answer on ``x``: σ(a(x)), the probability of "real" (for "least_squares" the raw output a,
        trained towards 1 on real and 0 on fake samples).

        Args:
            x: (N, *data_shape).

        Returns:
            (N,).
        """
        return self._d_output(self.discriminator.forward(self._check_x(x, "GAN.discriminate", "x"))[:, 0])

    def sample_gradients(self, x_fake):
        """∂ℓ_G/∂x for each sample: the direction that increases its own generator loss ℓ_G(a(x)).

        G's step moves its samples along −∂ℓ_G/∂x (the arrows of the GAN playground). The per-sample
        loss is M times its share of the batch mean, so the gradients do not shrink with the batch size.

        Args:
            x_fake: (M, *data_shape) samples (generated or any points).

        Returns:
            (M, *data_shape). D's ``grads`` are overwritten; its parameters are untouched.
        """
        x = self._check_x(x_fake, "GAN.sample_gradients", "x_fake")
        a = self.discriminator.forward(x)                                     # (M, 1)
        return self.discriminator.backward(generator_loss_grad(a, self.loss) * len(x))

    # --- gradients and steps ------------------------------------------------------------------------------
    def discriminator_gradients(self, x_real, z):
        """D's loss on a real batch and G(z), and its gradient with respect to D's parameters.

        Real and fake samples go through D as one batch (real rows first), as in Keras's GAN examples.

        Args:
            x_real: (N, *data_shape); z: (M, noise_dim).

        Returns:
            ``(d_loss, grads, real_logits, fake_logits)``: a float, ``{name: array}`` keyed like
            ``discriminator.params``, and the logits (N,) and (M,). No parameter changes.
        """
        func = "GAN.discriminator_gradients"
        x_real, z = self._check_x(x_real, func), self._check_z(z, func)
        return self._d_gradients(x_real, z)

    def _d_gradients(self, x_real, z):
        n = len(x_real)
        x_fake = self.generator.forward(z, training=True)                      # (M, *data_shape); G only read
        a = self.discriminator.forward(np.concatenate([x_real, x_fake]), training=True)[:, 0]   # (N + M,)
        a_real, a_fake = a[:n], a[n:]
        d_real, d_fake = discriminator_loss_grad(a_real, a_fake, self.loss)
        self.discriminator.backward(np.concatenate([d_real, d_fake])[:, None])  # (N + M, 1)
        return discriminator_loss(a_real, a_fake, self.loss), self.discriminator.grads, a_real, a_fake

    def generator_gradients(self, z):
        """G's loss on G(z) and its gradient with respect to G's parameters, backpropagated through D.

        ∂L_G/∂θ_G = ∂L_G/∂a · ∂a/∂x · ∂x/∂θ_G: D's backward pass turns ∂L_G/∂a into ∂L_G/∂x (D's
        parameters only pass the gradient on), G's backward pass turns that into ∂L_G/∂θ_G.

        Args:
            z: (M, noise_dim).

        Returns:
            ``(g_loss, grads, fake_logits)``: a float, ``{name: array}`` keyed like ``generator.params``, and
            the logits (M,). No parameter changes (D's ``grads`` are overwritten).
        """
        return self._g_gradients(self._check_z(z, "GAN.generator_gradients"))

    def _g_gradients(self, z):
        x_fake = self.generator.forward(z, training=True)                      # (M, *data_shape)
        a = self.discriminator.forward(x_fake, training=True)                  # (M, 1)
        dx = self.discriminator.backward(generator_loss_grad(a, self.loss))   # ∂L_G/∂x, (M, *data_shape)
        self.generator.backward(dx)
        return generator_loss(a, self.loss), self.generator.grads, a[:, 0]

    def discriminator_step(self, x_real, z):
        """One update of D on a real batch and the fake batch G(z); G's parameters are untouched.

        Args:
            x_real: (N, *data_shape); z: (M, noise_dim).

        Returns:
            dict of floats, measured before the update: ``d_loss``, ``value`` (V(D, G)), ``d_real`` and
            ``d_fake`` (the mean of D's answer, as :meth:`discriminate`, on the real and the fake batch).
        """
        func = "GAN.discriminator_step"
        return self._d_step(self._check_x(x_real, func), self._check_z(z, func))

    def _d_step(self, x_real, z):
        d_loss, grads, a_real, a_fake = self._d_gradients(x_real, z)
        self.discriminator.set_params(self.d_optimizer.step(self.discriminator.params, grads))
        return {"d_loss": d_loss, "value": value_function(a_real, a_fake),
                "d_real": float(np.mean(self._d_output(a_real))), "d_fake": float(np.mean(self._d_output(a_fake)))}

    def generator_step(self, z):
        """One update of G through D on the fake batch G(z); D's parameters are untouched.

        Args:
            z: (M, noise_dim).

        Returns:
            ``{"g_loss": float}``, measured before the update.
        """
        return self._g_step(self._check_z(z, "GAN.generator_step"))

    def _g_step(self, z):
        g_loss, grads, _ = self._g_gradients(z)
        self.generator.set_params(self.g_optimizer.step(self.generator.params, grads))
        return {"g_loss": g_loss}

    def train_step(self, x_real, rng=None, z=None):
        """``k`` discriminator steps, then one generator step.

        Args:
            x_real: one real batch (N, *data_shape), used by every discriminator step, or ``k`` batches
                (k, N, *data_shape), one per step.
            rng: Generator, int seed or None (the GAN's own): the noise when ``z`` is None.
            z: None, or ``(z_d, z_g)``: z_d (N, noise_dim) for every discriminator step or (k, N, noise_dim),
                z_g (M, noise_dim) for the generator step (explicit noise, e.g. to compare with the Keras twin).

        Returns:
            dict of floats: ``d_loss``, ``value``, ``d_real``, ``d_fake`` (means over the k discriminator
            steps, each measured before its update) and ``g_loss`` (before G's update).
        """
        func = "GAN.train_step"
        batches = self._check_x(x_real, func, batches=True)
        if z is None:
            rng = self._rng(rng, func)
            z_d = [self.noise(len(b), rng) for b in batches]
            z_g = self.noise(len(batches[0]), rng)
        else:
            if not isinstance(z, (tuple, list)) or len(z) != 2:
                _fail("z", func, "None or a pair (z_d, z_g)", f"{type(z).__name__}"
                      + (f" of length {len(z)}" if isinstance(z, (tuple, list)) else ""),
                      "Pass z=(gan.noise(n), gan.noise(n)), or leave z out.", exc=TypeError)
            z_d = as_array(z[0], "z_d", func, ndim=(2, 3),
                           shape_hint=f"(N, {self.noise_dim}) or (k, N, {self.noise_dim})")
            if z_d.ndim == 2:
                z_d = [self._check_z(z_d, func, "z_d")] * self.k          # the same noise for every D step
            else:
                z_d = [self._check_z(zi, func, "z_d") for zi in z_d]
            if len(z_d) != self.k:
                _fail("z_d", func, f"one noise batch per discriminator step (k = {self.k})",
                      f"{len(z_d)} batches", f"Pass (N, {self.noise_dim}) or (k, N, {self.noise_dim}).")
            z_g = self._check_z(z[1], func, "z_g")
        logs = [self._d_step(xb, zb) for xb, zb in zip(batches, z_d)]
        out = {key: float(np.mean([log[key] for log in logs])) for key in logs[0]}
        out.update(self._g_step(z_g))
        self.steps += 1
        return out

    def train(self, x_real, steps, batch_size=64, rng=None, on_step=None):
        """Run :meth:`train_step` ``steps`` times on random batches of a data set.

        Each discriminator step gets its own batch, drawn with replacement from ``x_real``.

        Args:
            x_real: the data set (N, *data_shape).
            steps: number of generator steps, 1 … 10⁶.
            batch_size: samples per batch (real and fake), 1 … :data:`MAX_SAMPLES`.
            rng: Generator, int seed or None (the GAN's own): batches and noise.
            on_step: optional ``on_step(step, logs)`` called after every step (e.g. to record or draw).

        Returns:
            history: ``{"d_loss": [...], "g_loss": [...], "value": [...], "d_real": [...], "d_fake": [...]}``,
            one float per step.
        """
        func = "GAN.train"
        x = self._check_x(x_real, func)
        steps = check_count(steps, "steps", func, maximum=10 ** 6)
        batch_size = check_count(batch_size, "batch_size", func, maximum=MAX_SAMPLES)
        rng = self._rng(rng, func)
        if on_step is not None:
            check_callable(on_step, "on_step", func, "Pass a function on_step(step, logs), or None.")
        history = {key: [] for key in ("d_loss", "g_loss", "value", "d_real", "d_fake")}
        with single_thread_blas():
            for step in range(steps):
                idx = rng.integers(0, len(x), size=(self.k, batch_size))       # one batch per D step
                logs = self.train_step(x[idx], rng=rng)                       # x[idx]: (k, B, *data_shape)
                for key in history:
                    history[key].append(logs[key])
                if on_step is not None:
                    on_step(step, logs)
        return history


def build_mlp_gan(data_dim=2, noise_dim=2, hidden=(16, 16), activation="relu", loss="non_saturating", k=1,
                  d_learning_rate=1e-3, g_learning_rate=1e-3, optimizer="adam", d_hidden=None, rng=None,
                  dtype=np.float64):
    """A GAN of two MLPs for low-dimensional data (the 2-D playground).

    G: noise (noise_dim) → hidden Dense layers → Dense(data_dim) linear (layers ``g_hidden``, ``g_hidden_1``,
    …, ``g_output``). D: data (data_dim) → hidden Dense layers → Dense(1) linear, one logit (``d_hidden``, …,
    ``d_logit``).

    Args:
        data_dim, noise_dim: sample and noise widths.
        hidden: G's hidden layer sizes (and D's when ``d_hidden`` is None), e.g. (16, 16); () for none.
        activation: the hidden layers' activation, a name from ACTIVATIONS (e.g. "relu", "tanh").
        loss, k: as :class:`GAN`.
        d_learning_rate, g_learning_rate: positive rates for D's and G's optimizers.
        optimizer: an optimizer name ("sgd", "rmsprop", "adam") for both networks (one instance each).
        d_hidden: D's hidden layer sizes, or None for ``hidden``.
        rng: Generator, int seed or None: the initial weights (G first, then D) and the GAN's noise.
        dtype: np.float64 (gradient checks) or np.float32.

    Returns:
        A :class:`GAN`.

    Example:
        >>> gan = build_mlp_gan(hidden=(8,), activation="tanh", rng=0)
        >>> gan.sample(3).shape
        (3, 2)
    """
    func = "build_mlp_gan"
    check_positive(data_dim, "data_dim", func, integer=True)
    check_positive(noise_dim, "noise_dim", func, integer=True)
    g_sizes = _sizes(hidden, "hidden", func)
    d_sizes = g_sizes if d_hidden is None else _sizes(d_hidden, "d_hidden", func)
    check_choice(activation, "activation", func, ACTIVATIONS)
    check_choice(optimizer, "optimizer", func, OPTIMIZERS)
    _loss(loss, func)
    rng = check_rng(rng, func)

    def hidden_layers(sizes, prefix):                     # g_hidden, g_hidden_1, ... as Keras numbers names
        return [Dense(u, activation, name=prefix if i == 0 else f"{prefix}_{i}") for i, u in enumerate(sizes)]

    g = Sequential(hidden_layers(g_sizes, "g_hidden") + [Dense(int(data_dim), name="g_output")],
                   input_dim=int(noise_dim), rng=rng, dtype=dtype)
    d = Sequential(hidden_layers(d_sizes, "d_hidden") + [Dense(1, name="d_logit")],
                   input_dim=int(data_dim), rng=rng, dtype=dtype)
    return GAN(g, d, loss=loss, k=k, d_optimizer=optimizer, g_optimizer=optimizer, d_learning_rate=d_learning_rate,
               g_learning_rate=g_learning_rate, rng=rng)


def _sizes(hidden, name, func):
    """Hidden layer sizes: a tuple or list of positive ints (empty allowed), at most 20 layers."""
    if isinstance(hidden, (str, bytes, dict)) or not isinstance(hidden, (tuple, list)):
        _fail(name, func, "a tuple of layer sizes", f"{hidden!r} ({type(hidden).__name__})",
              f"Pass e.g. {name}=(16, 16), or {name}=() for none.", exc=TypeError)
    if len(hidden) > 20:
        _fail(name, func, "at most 20 layer sizes", f"{len(hidden)}", "Use fewer hidden layers.")
    for u in hidden:
        check_positive(u, name, func, integer=True)
    return tuple(int(u) for u in hidden)


# --- conditioning on a class label (conditional GAN) ---------------------------------------------------------

def one_hot_labels(labels, num_classes=10):
    """Class ids (N,) → one-hot rows (N, num_classes): row i has a 1 in column ``labels[i]``.

    Args:
        labels: (N,) whole numbers 0 … num_classes − 1.
        num_classes: K, 2 … 10⁴.

    Returns:
        (N, K), float64 (float32 for float32 labels).

    Example:
        >>> one_hot_labels([2, 0], num_classes=3)
        array([[0., 0., 1.],
               [1., 0., 0.]])
    """
    func = "one_hot_labels"
    k = int(check_number(num_classes, "num_classes", func, low=2, high=10 ** 4, integer=True,
                         fix="Pass the number of classes, e.g. num_classes=10."))
    y = as_array(labels, "labels", func, ndim=1, shape_hint="(N,) class ids",
                 fix="Pass one integer label per sample, e.g. np.arange(10).")
    if y.size and (np.any(y != np.round(y)) or y.min() < 0 or y.max() >= k):
        _fail("labels", func, f"whole class ids 0 … {k - 1}", f"values from {y.min():g} to {y.max():g}",
              f"Pass labels below num_classes = {k}, e.g. digits 0–9 for num_classes=10.")
    return np.eye(k, dtype=y.dtype)[y.astype(int)]


def conditional_noise(z, labels, num_classes=10):
    """A conditional generator's input: the noise with the label's one-hot row appended, [z | onehot(y)].

    Args:
        z: (N, noise_dim) noise.
        labels: (N,) class ids 0 … num_classes − 1 (the digit to draw).
        num_classes: K.

    Returns:
        (N, noise_dim + K) in z's dtype: the first noise_dim columns are z, the last K the one-hot label.

    Example:
        >>> conditional_noise(np.zeros((2, 3)), [1, 0], num_classes=2)
        array([[0., 0., 0., 0., 1.],
               [0., 0., 0., 1., 0.]])
    """
    func = "conditional_noise"
    z = as_array(z, "z", func, ndim=2, shape_hint="(N, noise_dim)", fix="Draw it with rng.standard_normal((n, d)).")
    y = one_hot_labels(labels, num_classes).astype(z.dtype)
    if len(y) != len(z):
        _fail("labels", func, f"one label per noise row ({len(z)})", f"{len(y)} labels",
              "Pass as many labels as rows of z.")
    return np.concatenate([z, y], axis=1)


def label_channels(images, labels, num_classes=10):
    """A conditional discriminator's input: the images with K constant label maps appended as channels.

    Channel C + j of image i is 1 everywhere when ``labels[i] == j`` and 0 otherwise, so every filter of
    D's first convolution sees the label at every position (Mirza & Osindero's conditioning, in image form).

    Args:
        images: (N, H, W, C).
        labels: (N,) class ids 0 … num_classes − 1.
        num_classes: K.

    Returns:
        (N, H, W, C + K) in the images' dtype: ``out[..., :C]`` are the images.

    Example:
        >>> label_channels(np.zeros((1, 2, 2, 1)), [1], num_classes=2)[0, :, :, 2]
        array([[1., 1.],
               [1., 1.]])
    """
    func = "label_channels"
    x = as_array(images, "images", func, ndim=4, shape_hint="(N, H, W, C)",
                 fix="Add a channel axis to grey images, e.g. images[..., None].")
    y = one_hot_labels(labels, num_classes).astype(x.dtype)
    if len(y) != len(x):
        _fail("labels", func, f"one label per image ({len(x)})", f"{len(y)} labels",
              "Pass as many labels as images.")
    maps = np.broadcast_to(y[:, None, None, :], (*x.shape[:3], y.shape[1]))
    return np.concatenate([x, maps], axis=-1)

