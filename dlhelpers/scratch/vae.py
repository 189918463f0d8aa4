"""Variational autoencoders in NumPy: the reparameterization trick, the Gaussian KL term, the ELBO, and a VAE of
two :class:`~dlhelpers.scratch.network.Sequential` networks trained on −ELBO.

The encoder maps x to 2L numbers, split into the mean μ and the log-variance log σ² of q(z | x) = N(μ, diag σ²);
the decoder maps a code z (L numbers) back to the data. One pass with noise ε ~ N(0, I):

* z = μ + σ·ε with σ = exp(log σ² / 2) (:func:`reparameterize`): z is a sample of q(z | x), yet a smooth
  function of μ and log σ², so the gradient reaches the encoder (ε is an input, not a parameter);
* the loss is −ELBO = reconstruction + β·KL, per sample, averaged over the batch (β = 1: the ELBO itself):

  - reconstruction = −log p(x | z), summed over the pixels (:func:`reconstruction_nll`):
    ``"bernoulli"`` (pixels in [0, 1], the decoder outputs logits a, p(x | z) = Π σ(a)^x (1 − σ(a))^(1−x)):
    Σ softplus(a) − x·a, the binary cross-entropy on logits;
    ``"gaussian"`` (the decoder outputs the mean m, fixed σ_x = ``sigma``): Σ (x − m)² / (2σ_x²), the
    Gaussian −log p without its constant D/2·log(2πσ_x²) (D = pixels per sample), which has no gradient;
  - KL = KL(N(μ, σ²) ‖ N(0, I)) = ½·Σ_j (σ_j² + μ_j² − 1 − log σ_j²) over the L latent dimensions
    (:func:`gaussian_kl`).

All arrays of the latent space are 2-D (N, L), as Keras's: a single code needs a batch axis, e.g. ``mu[None, :]``
(the means over the batch need it, and a 1-D vector would not say whether it holds N samples or L dimensions).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .._blas import single_thread_blas
from .._checks import (_fail, as_array, check_bool, check_cache, check_callable, check_choice, check_count,
                       check_dout, check_finite_result, check_nonempty, check_number, check_positive, check_rng,
                       check_same_shape)
from .activations import ACTIVATIONS, sigmoid
from .layers import Conv2D, Conv2DTranspose, Dense, Flatten, Reshape
from .network import Sequential
from .optim import OPTIMIZERS, _Optimizer, get_optimizer

__all__ = ["LIKELIHOODS", "ReparameterizeCache", "reparameterize", "reparameterize_backward", "gaussian_kl",
           "gaussian_kl_grad", "reconstruction_nll", "reconstruction_nll_grad", "vae_loss", "VAE", "build_dense_vae",
           "build_conv_vae"]

#: The likelihoods p(x | z) of the reconstruction term → what the decoder outputs and the loss per sample.
LIKELIHOODS = {
    "bernoulli": "decoder outputs logits a; pixels x in [0, 1]; Σ softplus(a) − x·a (binary cross-entropy on logits)",
    "gaussian": "decoder outputs the mean m; Σ (x − m)² / (2σ²), σ = sigma, without the constant D/2·log(2πσ²)",
}

#: Most samples :meth:`VAE.noise` draws at once (and the largest batch of :meth:`VAE.fit`).
MAX_SAMPLES = 10 ** 6
#: Most numbers per sample the builders accept (28×28×1 digits are 784).
MAX_INPUT_SIZE = 10 ** 6
#: Largest width (latent dimensions, hidden units, filters) the builders accept.
MAX_WIDTH = 10 ** 4

_OVERFLOW_FIX = ("log_var is far too large (σ = exp(log_var / 2) overflows from log_var ≈ 1420) or the values are "
                 "huge; check the encoder's outputs, lower the learning rate, or scale the inputs.")


# --- the reparameterization trick ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReparameterizeCache:
    """What :func:`reparameterize_backward` needs from :func:`reparameterize` (one object per forward call)."""
    eps: np.ndarray          # (N, L), the noise ε
    std: np.ndarray          # (N, L), σ = exp(log_var / 2)


def _latent(value, name, func):
    """A latent-space array (N, L), N, L >= 1, finite."""
    arr = as_array(value, name, func, ndim=2, shape_hint="(N, latent_dim)",
                   fix=f"Add a batch axis for one sample, e.g. {name}[None, :].")
    return check_nonempty(arr, name, func)


def _latent_pair(mu, log_var, func, *eps):
    """mu, log_var (and eps, when given) as arrays (N, L) of exactly mu's shape."""
    mu, log_var = _latent(mu, "mu", func), _latent(log_var, "log_var", func)
    check_same_shape(mu, log_var, "mu", "log_var", func)
    if not eps:
        return mu, log_var
    eps = _latent(eps[0], "eps", func)
    check_same_shape(mu, eps, "mu", "eps", func)
    return mu, log_var, eps


def reparameterize(mu, log_var, eps):
    """z = mu + exp(log_var / 2)·eps: a sample of N(mu, σ²) written as a differentiable function of mu and log_var.

    Args:
        mu: (N, L) means of q(z | x).
        log_var: (N, L) log-variances log σ², exactly mu's shape.
        eps: (N, L) standard normal noise ε ~ N(0, I), exactly mu's shape (draw it with
            ``rng.standard_normal(mu.shape)``; passing it in keeps the function deterministic).

    Returns:
        ``(z, cache)``: z (N, L) and a :class:`ReparameterizeCache`; pass it to :func:`reparameterize_backward`.

    Raises:
        ValueError: shapes that differ, NaN/inf anywhere, or a log_var so large that σ·ε overflows.

    Example:
        >>> z, _ = reparameterize([[1.0, 0.0]], [[0.0, np.log(4.0)]], [[0.5, -1.0]])   # σ = 1 and 2
        >>> z
        array([[ 1.5, -2. ]])
    """
    func = "reparameterize"
    mu, log_var, eps = _latent_pair(mu, log_var, func, eps)
    with np.errstate(over="ignore", invalid="ignore"):
        std = np.exp(0.5 * log_var)                     # σ = exp(log σ² / 2), (N, L)
        z = mu + std * eps                              # (N, L)
    check_finite_result(std, "exp(log_var / 2)", func, _OVERFLOW_FIX)
    check_finite_result(z, "z", func, _OVERFLOW_FIX)
    return z, ReparameterizeCache(eps, std)


def reparameterize_backward(dz, cache):
    """dmu = dz,  dlog_var = dz·eps·σ/2 (σ = exp(log_var / 2)), since ∂z/∂mu = 1 and ∂z/∂log_var = ε·σ/2.

    Unlike a layer's backward pass this returns a plain pair: mu and log_var are both inputs, and there are
    no parameters.

    Args:
        dz: (N, L), dL/dz.
        cache: the :class:`ReparameterizeCache` from :func:`reparameterize`.

    Returns:
        ``(dmu, dlog_var)``, each (N, L).
    """
    func = "reparameterize_backward"
    check_cache(cache, ReparameterizeCache, func, "reparameterize")
    dz = check_dout(dz, cache.eps.shape, func, name="dz")
    with np.errstate(over="ignore", invalid="ignore"):
        dlog_var = 0.5 * dz * cache.eps * cache.std     # (N, L)
    check_finite_result(dlog_var, "dlog_var", func, "The upstream gradient or σ is huge; lower the learning rate.")
    return dz.copy(), dlog_var


# --- the KL term ----------------------------------------------------------------------------------------------

def gaussian_kl(mu, log_var):
    """KL(N(mu, σ²) ‖ N(0, I)) = ½·Σ_j (σ_j² + mu_j² − 1 − log σ_j²), summed over the L latent dimensions and
    averaged over the batch.

    Each term is ≥ 0 and zero only at mu = 0, log σ² = 0 (the code's distribution is the prior). σ² − 1 − log σ²
    is computed as expm1(log σ²) − log σ², exact for small log σ².

    Args:
        mu: (N, L) means; log_var: (N, L) log-variances log σ², exactly mu's shape.

    Returns:
        A float ≥ 0.

    Example:
        >>> round(gaussian_kl([[1.0, 0.0]], [[0.0, np.log(4.0)]]), 6)   # ½(1 + 1 − 1 − 0) + ½(4 + 0 − 1 − log 4)
        1.306853
    """
    func = "gaussian_kl"
    mu, log_var = _latent_pair(mu, log_var, func)
    with np.errstate(over="ignore", invalid="ignore"):
        terms = 0.5 * (np.expm1(log_var) - log_var + mu * mu)      # (N, L), each ≥ 0
        kl = float(np.sum(terms) / mu.shape[0])
    if not math.isfinite(kl):
        _fail("mu and log_var", func, "small enough that σ² = exp(log_var) and mu² stay finite",
              "values that overflow (the KL is infinite)", _OVERFLOW_FIX)
    return kl


def gaussian_kl_grad(mu, log_var):
    """dKL/dmu = mu/N,  dKL/dlog_var = ½·(σ² − 1)/N: the gradient of :func:`gaussian_kl`'s batch mean.

    Args:
        mu: (N, L); log_var: (N, L), exactly mu's shape.

    Returns:
        ``(dmu, dlog_var)``, each (N, L).
    """
    func = "gaussian_kl_grad"
    mu, log_var = _latent_pair(mu, log_var, func)
    n = mu.shape[0]
    with np.errstate(over="ignore", invalid="ignore"):
        dlog_var = 0.5 * np.expm1(log_var) / n                     # ½(σ² − 1)/N
    check_finite_result(dlog_var, "dlog_var", func, _OVERFLOW_FIX)
    return mu / n, dlog_var


# --- the reconstruction term and the ELBO ------------------------------------------------------------------------

def _likelihood(likelihood, func):
    return check_choice(likelihood, "likelihood", func, LIKELIHOODS)


def _recon_args(x, decoder_out, likelihood, sigma, func):
    """x and decoder_out (N, ...) of one shape; x in [0, 1] for the Bernoulli likelihood; sigma > 0."""
    likelihood = _likelihood(likelihood, func)
    check_positive(sigma, "sigma", func)
    x = as_array(x, "x", func, ndim=(2, 3, 4), shape_hint="(N, features) or (N, H, W, C)",
                 fix="Keep the batch axis, e.g. x[None] for one sample.")
    out = as_array(decoder_out, "decoder_out", func, ndim=(2, 3, 4), shape_hint="(N, features) or (N, H, W, C)",
                   fix="Pass the decoder's output for the batch x.")
    check_nonempty(x, "x", func)
    check_same_shape(x, out, "x", "decoder_out", func)
    if likelihood == "bernoulli" and (x.min() < 0 or x.max() > 1):
        _fail("x", func, "pixel values in [0, 1] for likelihood='bernoulli'", f"values from {x.min():g} to {x.max():g}",
              "Scale the images to [0, 1] (e.g. mnist_5k() does), or use likelihood='gaussian'.")
    return x, out, likelihood


def reconstruction_nll(x, decoder_out, likelihood="bernoulli", sigma=1.0):
    """−log p(x | z) summed over the pixels, averaged over the batch: Σ softplus(a) − x·a ("bernoulli", a = logits),
    Σ (x − m)² / (2σ²) ("gaussian", m = mean, constant D/2·log(2πσ²) left out).

    softplus(a) − x·a = −[x·log σ(a) + (1 − x)·log(1 − σ(a))] is the binary cross-entropy written on logits,
    finite for any finite a (Keras's ``BinaryCrossentropy(from_logits=True)`` per pixel, summed).

    Args:
        x: (N, ...) the data; in [0, 1] for "bernoulli".
        decoder_out: the decoder's output, x's shape: logits ("bernoulli") or means ("gaussian").
        likelihood: a key of :data:`LIKELIHOODS`.
        sigma: the Gaussian's fixed standard deviation σ > 0 (ignored for "bernoulli").

    Returns:
        A float (≥ 0).

    Example:
        >>> round(reconstruction_nll([[1.0, 0.0]], [[0.0, 0.0]]), 6)                    # 2·log 2
        1.386294
        >>> reconstruction_nll([[1.0, 0.0]], [[0.5, 0.5]], likelihood="gaussian", sigma=0.5)   # (¼ + ¼)/(2·¼)
        1.0
    """
    func = "reconstruction_nll"
    x, out, likelihood = _recon_args(x, decoder_out, likelihood, sigma, func)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if likelihood == "bernoulli":
            per_pixel = np.logaddexp(0.0, out) - x * out            # softplus(a) − x·a ≥ 0
        else:
            per_pixel = (x - out) ** 2 / (2.0 * sigma ** 2)
        value = float(np.sum(per_pixel) / x.shape[0])
    if not math.isfinite(value):
        _fail("decoder_out", func, "values whose loss stays finite", "values that overflow",
              "Check the decoder's output and sigma (a tiny sigma divides by σ²).")
    return value


def reconstruction_nll_grad(x, decoder_out, likelihood="bernoulli", sigma=1.0):
    """d/d(decoder_out) = (σ(a) − x)/N ("bernoulli"), (m − x)/(σ²·N) ("gaussian"): the gradient of
    :func:`reconstruction_nll`.

    Args:
        x: (N, ...); decoder_out: x's shape; likelihood: a key of :data:`LIKELIHOODS`; sigma: σ > 0.

    Returns:
        The gradient, decoder_out's shape.
    """
    func = "reconstruction_nll_grad"
    x, out, likelihood = _recon_args(x, decoder_out, likelihood, sigma, func)
    n = x.shape[0]
    if likelihood == "bernoulli":
        return (sigmoid(out) - x) / n
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        grad = (out - x) / (sigma ** 2 * n)
    return check_finite_result(grad, "the gradient", func, "Check the decoder's output and sigma (σ² divides it).")


def vae_loss(x, decoder_out, mu, log_var, beta=1.0, likelihood="bernoulli", sigma=1.0):
    """−ELBO = reconstruction + β·KL, each per sample and averaged over the batch (β = 1: the negative ELBO).

    Args:
        x: (N, ...) the data; decoder_out: the decoder's output for the sampled codes, x's shape.
        mu, log_var: (N, L) the encoder's outputs for x.
        beta: the KL weight β ≥ 0 (β-VAE; 0 leaves a noisy autoencoder).
        likelihood, sigma: as :func:`reconstruction_nll`.

    Returns:
        ``{"loss": float, "reconstruction": float, "kl": float}``; the ELBO is ``-loss`` when β = 1.
    """
    func = "vae_loss"
    beta = check_number(beta, "beta", func, low=0, fix="Pass a weight >= 0, e.g. beta=1.0.")
    rec = reconstruction_nll(x, decoder_out, likelihood, sigma)
    kl = gaussian_kl(mu, log_var)
    if np.shape(mu)[0] != np.shape(x)[0]:
        _fail("mu", func, f"one row per sample of x ({np.shape(x)[0]})", f"{np.shape(mu)[0]} rows",
              "Pass the encoder's outputs for the same batch.")
    loss = rec + beta * kl
    if not math.isfinite(loss):
        _fail("beta", func, "small enough that β·KL stays finite", repr(beta), "Use a moderate weight, e.g. beta=1.0.")
    return {"loss": float(loss), "reconstruction": rec, "kl": kl}


# --- the VAE ---------------------------------------------------------------------------------------------------

def _optimizer(opt, lr, func):
    """A fresh scratch optimizer from a name (with an optional learning rate) or an instance (as is)."""
    if isinstance(opt, _Optimizer):
        if lr is not None:
            _fail("learning_rate", func, "None when an optimizer instance is given", repr(lr),
                  "Set the rate in the instance, e.g. optimizer=Adam(0.001), or pass optimizer='adam'.")
        return opt
    check_choice(opt, "optimizer", func, OPTIMIZERS)
    if lr is None:
        return get_optimizer(opt)
    check_positive(lr, "learning_rate", func)
    return get_optimizer(opt, learning_rate=lr)


def _last_activation(net):
    """The activation of the network's last layer with one (Dense, Conv2D, Conv2DTranspose), or None."""
    for layer in reversed(net.layers):
        if hasattr(layer, "activation"):
            return layer, layer.activation
    return None, None


class VAE:
    """A variational autoencoder: an encoder and a decoder (two scratch ``Sequential`` networks) trained on −ELBO.

    The encoder maps x (N, *data_shape) to (N, 2L): the first L columns are μ, the last L are log σ². The decoder
    maps codes (N, L) to (N, *data_shape): logits for the Bernoulli likelihood (end it with a linear layer; σ is
    applied inside the loss and by :meth:`decode`), means for the Gaussian one. See the module docstring for the
    loss.

    Args:
        encoder: a built ``Sequential`` (given ``input_dim`` or ``input_shape``) with 2L outputs.
        decoder: a ``Sequential`` taking (N, L) to the encoder's input shape; built here on (L,) if not built.
        likelihood: a key of :data:`LIKELIHOODS`.
        beta: the KL weight β ≥ 0.
        sigma: the Gaussian likelihood's σ > 0 (ignored for "bernoulli").
        optimizer: an optimizer name ("sgd", "rmsprop", "adam") or a scratch optimizer instance.
        learning_rate: the rate for an optimizer given by name (None: its default).
        rng: Generator, int seed or None: the noise ε when no ``eps``/``rng`` is passed to a method.

    Parameters are keyed ``"encoder/<layer>/<name>"`` and ``"decoder/<layer>/<name>"`` (:attr:`params`,
    :attr:`grads`), so one optimizer updates both networks.

    Example:
        >>> vae = build_dense_vae(input_shape=4, latent_dim=2, hidden=(3,), rng=0)
        >>> x = np.random.default_rng(1).uniform(size=(5, 4))
        >>> sorted(vae.train_step(x))
        ['kl', 'loss', 'reconstruction']
    """

    def __init__(self, encoder, decoder, likelihood="bernoulli", beta=1.0, sigma=1.0, optimizer="adam",
                 learning_rate=None, rng=None):
        func = "VAE"
        for name, net in (("encoder", encoder), ("decoder", decoder)):
            if not isinstance(net, Sequential):
                _fail(name, func, "a dlhelpers.scratch.network.Sequential", type(net).__name__,
                      "Build it first, e.g. Sequential([Dense(16, 'relu'), Dense(4)], input_dim=784).", exc=TypeError)
        if encoder is decoder:
            _fail("encoder and decoder", func, "two different networks", "the same object twice",
                  "Build two Sequential models.")
        if encoder.input_shape is None:
            _fail("encoder", func, "built (its input shape known)", "a network without an input shape",
                  "Give it input_dim=784 or input_shape=(28, 28, 1).")
        out = encoder.output_shape
        if len(out) != 1 or out[0] % 2:
            _fail("encoder", func, "a network with an even number 2L of outputs (L means, then L log-variances)",
                  f"output shape {out}", "End it with Dense(2 * latent_dim).")
        latent_dim = out[0] // 2
        if decoder.input_shape is None:
            decoder.build(latent_dim)
        if decoder.input_shape != (latent_dim,):
            _fail("decoder", func, f"a network of codes, input_shape ({latent_dim},) (half the encoder's outputs)",
                  f"input_shape {decoder.input_shape}", f"Build it with input_dim={latent_dim}.")
        if decoder.output_shape != encoder.input_shape:
            _fail("decoder", func, f"a network back to the data shape {encoder.input_shape}",
                  f"output shape {decoder.output_shape}", "End it with the encoder's input shape, e.g. Reshape.")
        if np.dtype(encoder.dtype) != np.dtype(decoder.dtype):
            _fail("decoder", func, f"of the encoder's dtype {np.dtype(encoder.dtype)}",
                  f"dtype {np.dtype(decoder.dtype)}", "Build both networks with the same dtype.")
        self.likelihood = _likelihood(likelihood, func)
        last, activation = _last_activation(decoder)
        if self.likelihood == "bernoulli" and isinstance(activation, str) and activation != "linear":
            _fail("decoder", func, "a network ending in a linear layer (logits) for likelihood='bernoulli'",
                  f"last layer {last.name!r} with activation {activation!r}",
                  "Drop the activation: σ(logits) is applied inside the loss and by decode.")
        self.beta = float(check_number(beta, "beta", func, low=0, fix="Pass a weight >= 0, e.g. beta=1.0."))
        self.sigma = float(check_positive(sigma, "sigma", func))
        self.optimizer = _optimizer(optimizer, learning_rate, func)
        self.encoder, self.decoder = encoder, decoder
        self.latent_dim = latent_dim
        self.data_shape = encoder.input_shape                # one sample's shape, e.g. (784,) or (28, 28, 1)
        self.dtype = encoder.dtype
        self.rng = check_rng(rng, func)
        self.steps = 0                                       # updates taken by train_step
        self._cache = None

    def __repr__(self):
        return (f"VAE(data_shape={self.data_shape}, latent_dim={self.latent_dim}, likelihood={self.likelihood!r}, "
                f"beta={self.beta}, optimizer={type(self.optimizer).__name__})")

    # --- parameters ------------------------------------------------------------------------------------------
    def _nets(self):
        return (("encoder", self.encoder), ("decoder", self.decoder))

    @property
    def params(self) -> dict:
        """Both networks' parameters, keyed ``"encoder/<layer>/<name>"`` and ``"decoder/<layer>/<name>"``."""
        return {f"{name}/{k}": v for name, net in self._nets() for k, v in net.params.items()}

    @property
    def grads(self) -> dict:
        """The gradients of the last :meth:`backward`, keyed like :attr:`params`."""
        return {f"{name}/{k}": v for name, net in self._nets() for k, v in net.grads.items()}

    def set_params(self, params):
        """Replace parameters by copies of ``params[key]`` (keys as :attr:`params`; missing keys are kept).

        Args:
            params: ``{"encoder/<layer>/<name>": array, ...}`` with the current shapes.
        """
        if not isinstance(params, dict):
            _fail("params", "VAE.set_params", "a dict {'encoder/<layer>/<name>': array}", type(params).__name__,
                  "Pass e.g. vae.params.", exc=TypeError)
        for name, net in self._nets():
            net.set_params({k[len(name) + 1:]: v for k, v in params.items()
                            if isinstance(k, str) and k.startswith(name + "/")})

    def count_params(self):
        """Number of trained numbers in both networks."""
        return self.encoder.count_params() + self.decoder.count_params()

    # --- inputs ----------------------------------------------------------------------------------------------
    def _rng(self, rng, func):
        return self.rng if rng is None else check_rng(rng, func)

    def _check_x(self, x, func, name="x"):
        shape = ", ".join(map(str, self.data_shape))
        x = as_array(x, name, func, ndim=1 + len(self.data_shape), shape_hint=f"(N, {shape})", dtype=self.dtype,
                     fix=f"Reshape it, e.g. x.reshape(-1, {shape}).")
        if x.shape[1:] != self.data_shape:
            _fail(name, func, f"samples of shape {self.data_shape} (the encoder's input)", f"shape {x.shape[1:]}",
                  f"Check the image size, e.g. x.reshape(-1, {shape}).")
        check_nonempty(x, name, func)
        if self.likelihood == "bernoulli" and (x.min() < 0 or x.max() > 1):
            _fail(name, func, "pixel values in [0, 1] for likelihood='bernoulli'",
                  f"values from {x.min():g} to {x.max():g}",
                  "Scale the images to [0, 1], or use likelihood='gaussian'.")
        return x

    def _check_codes(self, z, n, func, name):
        want = f"(N, latent_dim) = ({'N' if n is None else n}, {self.latent_dim})"
        z = as_array(z, name, func, ndim=2, shape_hint=want, dtype=self.dtype,
                     fix=f"Draw it with vae.noise(n), shape (n, {self.latent_dim}).")
        if z.shape[1] != self.latent_dim or (n is not None and z.shape[0] != n):
            _fail(name, func, f"shape {want}", f"shape {z.shape}",
                  f"Draw it with vae.noise({'n' if n is None else n}), one row of {self.latent_dim} per sample.")
        return check_nonempty(z, name, func)

    def _eps(self, eps, rng, n, func):
        if eps is None:
            return self.noise(n, self._rng(rng, func))
        return self._check_codes(eps, n, func, "eps")

    # --- sampling and coding ---------------------------------------------------------------------------------
    def noise(self, n, rng=None):
        """ε ~ N(0, I): standard normal noise for ``n`` codes (also the prior's samples).

        Args:
            n: number of rows, 1 … :data:`MAX_SAMPLES`; rng: Generator, int seed or None (the VAE's own).

        Returns:
            (n, latent_dim) in the networks' dtype.
        """
        n = check_count(n, "n", "VAE.noise", maximum=MAX_SAMPLES)
        return self._rng(rng, "VAE.noise").standard_normal((n, self.latent_dim)).astype(self.dtype)

    def _split(self, h):
        return h[:, :self.latent_dim], h[:, self.latent_dim:]            # μ (N, L), log σ² (N, L)

    def encode(self, x):
        """The parameters of q(z | x) (inference mode).

        Args:
            x: (N, *data_shape).

        Returns:
            ``(mu, log_var)``, each (N, latent_dim).
        """
        return self._split(self.encoder.forward(self._check_x(x, "VAE.encode")))

    def _mean(self, out):
        """The decoder's output in data space: σ(logits) for "bernoulli", the mean itself for "gaussian"."""
        return sigmoid(out) if self.likelihood == "bernoulli" else out

    def decode(self, z):
        """The mean of p(x | z) for codes z (inference mode): σ(logits) for "bernoulli", the decoder's output for
        "gaussian".

        Args:
            z: (N, latent_dim).

        Returns:
            (N, *data_shape); in [0, 1] for "bernoulli".
        """
        return self._mean(self.decoder.forward(self._check_codes(z, None, "VAE.decode", "z")))

    def reconstruct(self, x):
        """decode(mu(x)): the reconstruction of x through the mean code (no noise).

        Args:
            x: (N, *data_shape).

        Returns:
            (N, *data_shape).
        """
        mu, _ = self.encode(x)
        return self._mean(self.decoder.forward(mu))

    def sample(self, n, rng=None):
        """``n`` new samples: the decoded means of codes drawn from the prior N(0, I).

        Args:
            n: number of samples; rng: Generator, int seed or None.

        Returns:
            (n, *data_shape).
        """
        return self._mean(self.decoder.forward(self.noise(n, rng)))

    # --- the loss and its gradient -----------------------------------------------------------------------------
    def _forward(self, x, eps, training):
        h = self.encoder.forward(x, training=training)                    # (N, 2L)
        mu, log_var = self._split(h)
        z, rcache = reparameterize(mu, log_var, eps)                      # (N, L)
        out = self.decoder.forward(z, training=training)                  # (N, *data_shape): logits or means
        logs = vae_loss(x, out, mu, log_var, self.beta, self.likelihood, self.sigma)
        return logs, (x, out, mu, log_var, rcache)

    def forward(self, x, eps, training=True):
        """−ELBO on a batch with the noise ``eps``, keeping what :meth:`backward` needs.

        Encoder → (mu, log_var) → z = mu + exp(log_var / 2)·eps → decoder → reconstruction + β·KL.

        Args:
            x: (N, *data_shape).
            eps: (N, latent_dim) standard normal noise (e.g. ``vae.noise(N)``).
            training: passed to the layers (dropout, batch norm).

        Returns:
            ``{"loss": float, "reconstruction": float, "kl": float}``.
        """
        func = "VAE.forward"
        x = self._check_x(x, func)
        eps = self._check_codes(eps, len(x), func, "eps")
        logs, self._cache = self._forward(x, eps, check_bool(training, "training", func))
        return logs

    def backward(self):
        """Backpropagate −ELBO of the last :meth:`forward` through the decoder, the reparameterization and the
        encoder, filling :attr:`grads`.

        At the encoder's output the two paths meet: dL/dmu = dz + β·mu/N and
        dL/dlog_var = dz·ε·σ/2 + β·½(σ² − 1)/N (reconstruction through z, plus the KL term).

        Returns:
            dL/dx, (N, *data_shape): through the encoder, plus the direct part of x as the reconstruction's
            target (−a/N for "bernoulli", (x − m)/(σ²·N) for "gaussian").
        """
        if self._cache is None:
            _fail("forward", "VAE.backward", "run before backward", "no forward pass yet",
                  "Call vae.forward(x, eps) first.")
        x, out, mu, log_var, rcache = self._cache
        dout = reconstruction_nll_grad(x, out, self.likelihood, self.sigma)     # (N, *data_shape)
        dz = self.decoder.backward(dout)                                       # (N, L)
        dmu, dlog_var = reparameterize_backward(dz, rcache)
        kl_mu, kl_log_var = gaussian_kl_grad(mu, log_var)
        dh = np.concatenate([dmu + self.beta * kl_mu, dlog_var + self.beta * kl_log_var], axis=1)   # (N, 2L)
        n = len(x)
        direct = -out / n if self.likelihood == "bernoulli" else (x - out) / (self.sigma ** 2 * n)   # x as target
        return self.encoder.backward(dh) + direct

    def gradients(self, x, eps):
        """−ELBO and its gradient with respect to every parameter (no update).

        Args:
            x: (N, *data_shape); eps: (N, latent_dim).

        Returns:
            ``(logs, grads)``: the loss parts as :meth:`forward` and ``{name: array}`` keyed like :attr:`params`.
        """
        logs = self.forward(x, eps)
        self.backward()
        return logs, self.grads

    def train_step(self, x, eps=None, rng=None):
        """One update on a batch: forward, backward, optimizer step.

        Args:
            x: (N, *data_shape).
            eps: None (drawn with ``rng``) or (N, latent_dim) explicit noise (e.g. to compare with the Keras twin).
            rng: Generator, int seed or None (the VAE's own): the noise when ``eps`` is None.

        Returns:
            ``{"loss", "reconstruction", "kl"}`` floats, measured before the update.
        """
        func = "VAE.train_step"
        x = self._check_x(x, func)
        return self._train_step(x, self._eps(eps, rng, len(x), func))

    def _train_step(self, x, eps):
        logs, self._cache = self._forward(x, eps, True)
        self.backward()
        self.set_params(self.optimizer.step(self.params, self.grads))
        self.steps += 1
        return logs

    def evaluate(self, x, eps=None, rng=None):
        """The loss parts on a data set in inference mode, with no update (the test −ELBO).

        Args:
            x: (N, *data_shape); eps: None (drawn with ``rng``) or (N, latent_dim); rng: Generator, int seed or None.

        Returns:
            ``{"loss", "reconstruction", "kl"}`` floats (batch means).
        """
        func = "VAE.evaluate"
        x = self._check_x(x, func)
        logs, _ = self._forward(x, self._eps(eps, rng, len(x), func), False)
        return logs

    def fit(self, x, epochs=1, batch_size=64, shuffle=True, rng=None, validation_data=None, on_batch_end=None):
        """Train with mini-batches for a number of epochs.

        Args:
            x: the training data (N, *data_shape).
            epochs: passes over the data, 1 … 10⁴.
            batch_size: samples per update, 1 … :data:`MAX_SAMPLES` (the last batch may be smaller).
            shuffle: reshuffle the data every epoch.
            rng: Generator, int seed or None (the VAE's own): the order and the noise.
            validation_data: None or held-out data (M, *data_shape), evaluated after every epoch.
            on_batch_end: optional ``on_batch_end(step, logs)`` called after every update; ``step`` counts the
                VAE's updates from 0, ``logs`` are the batch's loss parts (before the update).

        Returns:
            history: ``{"loss": [...], "reconstruction": [...], "kl": [...]}`` (and ``"val_…"`` with
            validation data), one float per epoch: the batch losses' mean weighted by batch size.
        """
        func = "VAE.fit"
        x = self._check_x(x, func)
        epochs = check_count(epochs, "epochs", func, maximum=10 ** 4)
        batch_size = check_count(batch_size, "batch_size", func, maximum=MAX_SAMPLES)
        shuffle = check_bool(shuffle, "shuffle", func)
        rng = self._rng(rng, func)
        x_val = None if validation_data is None else self._check_x(validation_data, func, "validation_data")
        if on_batch_end is not None:
            check_callable(on_batch_end, "on_batch_end", func, "Pass a function on_batch_end(step, logs), or None.")
        keys = ("loss", "reconstruction", "kl")
        history = {k: [] for k in keys + (tuple(f"val_{k}" for k in keys) if x_val is not None else ())}
        with single_thread_blas():
            for _ in range(epochs):
                order = rng.permutation(len(x)) if shuffle else np.arange(len(x))
                sums, seen = dict.fromkeys(keys, 0.0), 0
                for start in range(0, len(x), batch_size):
                    xb = x[order[start:start + batch_size]]
                    logs = self._train_step(xb, self.noise(len(xb), rng))
                    for k in keys:
                        sums[k] += logs[k] * len(xb)
                    seen += len(xb)
                    if on_batch_end is not None:
                        on_batch_end(self.steps - 1, logs)
                for k in keys:
                    history[k].append(sums[k] / seen)
                if x_val is not None:
                    val, _ = self._forward(x_val, self.noise(len(x_val), rng), False)
                    for k in keys:
                        history[f"val_{k}"].append(val[k])
        return history


# --- builders ------------------------------------------------------------------------------------------------

def _input_shape(value, func):
    """An int (flat features) or a tuple of positive ints → one sample's shape, at most MAX_INPUT_SIZE numbers."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list)) or not value:
        _fail("input_shape", func, "an int or a non-empty tuple of ints", f"{value!r} ({type(value).__name__})",
              "Pass e.g. input_shape=784 or input_shape=(28, 28, 1).", exc=TypeError)
    for v in value:
        check_positive(v, "input_shape", func, integer=True)
    shape = tuple(int(v) for v in value)
    if math.prod(shape) > MAX_INPUT_SIZE:
        _fail("input_shape", func, f"at most {MAX_INPUT_SIZE:,} numbers per sample", repr(shape),
              "Use smaller inputs, e.g. (28, 28, 1).")
    return shape


def _width(value, name, func):
    check_positive(value, name, func, integer=True)
    if value > MAX_WIDTH:
        _fail(name, func, f"at most {MAX_WIDTH}", repr(value), f"Pass a smaller size, e.g. {name}=16.")
    return int(value)


def _sizes(value, name, func):
    """Layer sizes: a tuple or list of positive ints (empty allowed), at most 20."""
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, (tuple, list)):
        _fail(name, func, "a tuple of layer sizes", f"{value!r} ({type(value).__name__})",
              f"Pass e.g. {name}=(256,), or {name}=() for none.", exc=TypeError)
    if len(value) > 20:
        _fail(name, func, "at most 20 layer sizes", f"{len(value)}", "Use fewer layers.")
    return tuple(_width(v, name, func) for v in value)


def _numbered(prefix, i):
    return prefix if i == 0 else f"{prefix}_{i}"           # enc_hidden, enc_hidden_1, ... as Keras numbers names


def _vae_settings(func, activation, likelihood, optimizer, rng):
    check_choice(activation, "activation", func, ACTIVATIONS)
    _likelihood(likelihood, func)
    check_choice(optimizer, "optimizer", func, OPTIMIZERS)
    return check_rng(rng, func)


def build_dense_vae(input_shape=784, latent_dim=2, hidden=(256,), activation="relu", likelihood="bernoulli",
                    beta=1.0, sigma=1.0, optimizer="adam", learning_rate=1e-3, rng=None, dtype=np.float64):
    """A VAE of two MLPs.

    Encoder: [Flatten] → Dense(h, activation) for each hidden size → Dense(2·latent_dim) (μ then log σ²), layers
    ``enc_flatten``, ``enc_hidden``, ``enc_hidden_1``, …, ``z_mean_log_var``. Decoder: Dense(h) for the hidden
    sizes in reverse → Dense(pixels) linear → [Reshape], layers ``dec_hidden``, …, ``dec_output``, ``dec_reshape``
    (Flatten and Reshape only for image shapes).

    Args:
        input_shape: one sample's shape: an int (flat features, e.g. 784) or a tuple (e.g. (28, 28, 1)).
        latent_dim: L, the code's width.
        hidden: the encoder's hidden sizes, e.g. (256,) (the decoder mirrors them); () for none.
        activation: the hidden layers' activation, a name from ACTIVATIONS.
        likelihood, beta, sigma: as :class:`VAE`.
        optimizer: an optimizer name ("sgd", "rmsprop", "adam"); learning_rate: its positive rate.
        rng: Generator, int seed or None: the initial weights (encoder first) and the VAE's noise.
        dtype: np.float64 (gradient checks) or np.float32.

    Returns:
        A :class:`VAE`.

    Example:
        >>> vae = build_dense_vae(input_shape=(4, 4, 1), latent_dim=2, hidden=(8,), rng=0)
        >>> vae.sample(3).shape
        (3, 4, 4, 1)
    """
    func = "build_dense_vae"
    shape = _input_shape(input_shape, func)
    latent_dim = _width(latent_dim, "latent_dim", func)
    sizes = _sizes(hidden, "hidden", func)
    rng = _vae_settings(func, activation, likelihood, optimizer, rng)
    image = len(shape) > 1
    enc = ([Flatten(name="enc_flatten")] if image else []) + \
        [Dense(u, activation, name=_numbered("enc_hidden", i)) for i, u in enumerate(sizes)] + \
        [Dense(2 * latent_dim, name="z_mean_log_var")]
    dec = [Dense(u, activation, name=_numbered("dec_hidden", i)) for i, u in enumerate(reversed(sizes))] + \
        [Dense(math.prod(shape), name="dec_output")] + ([Reshape(shape, name="dec_reshape")] if image else [])
    encoder = Sequential(enc, input_shape=shape, rng=rng, dtype=dtype)
    decoder = Sequential(dec, input_dim=latent_dim, rng=rng, dtype=dtype)
    return VAE(encoder, decoder, likelihood=likelihood, beta=beta, sigma=sigma, optimizer=optimizer,
               learning_rate=learning_rate, rng=rng)


def build_conv_vae(input_shape=(28, 28, 1), latent_dim=2, filters=(32, 64), kernel_size=3, dense_units=16,
                   activation="relu", likelihood="bernoulli", beta=1.0, sigma=1.0, optimizer="adam", learning_rate=1e-3,
                   rng=None, dtype=np.float64):
    """A convolutional VAE (the layout of Keras's VAE example): strided convolutions down, transposed ones up.

    Encoder: Conv2D(f, kernel_size, strides=2, "same", activation) for each f in ``filters`` (each halves H and W)
    → Flatten → [Dense(dense_units, activation)] → Dense(2·latent_dim), layers ``enc_conv``, ``enc_conv_1``, …,
    ``enc_flatten``, ``enc_dense``, ``z_mean_log_var``. Decoder: Dense(h·w·f_last, activation) → Reshape((h, w,
    f_last)) → Conv2DTranspose(f, kernel_size, strides=2, "same", activation) for the filters in reverse →
    Conv2DTranspose(C, kernel_size, "same") linear, layers ``dec_dense``, ``dec_reshape``, ``dec_conv_t``, …,
    ``dec_output``; h = H / 2^len(filters), w likewise.

    Args:
        input_shape: (H, W, C), H and W divisible by 2^len(filters).
        latent_dim: L.
        filters: the encoder's filter counts, at least one (the decoder mirrors them).
        kernel_size: an int or (rows, cols).
        dense_units: the encoder's dense layer before the codes, or None for none.
        activation: the hidden layers' activation, a name from ACTIVATIONS.
        likelihood, beta, sigma, optimizer, learning_rate, rng, dtype: as :func:`build_dense_vae`.

    Returns:
        A :class:`VAE`.

    Example:
        >>> vae = build_conv_vae(input_shape=(8, 8, 1), latent_dim=2, filters=(2, 4), dense_units=None, rng=0)
        >>> vae.decoder.output_shape
        (8, 8, 1)
    """
    func = "build_conv_vae"
    shape = _input_shape(input_shape, func)
    if len(shape) != 3:
        _fail("input_shape", func, "(H, W, C) images", repr(shape), "Pass e.g. input_shape=(28, 28, 1).")
    latent_dim = _width(latent_dim, "latent_dim", func)
    sizes = _sizes(filters, "filters", func)
    if not sizes:
        _fail("filters", func, "at least one filter count", "()", "Pass e.g. filters=(32, 64).")
    if dense_units is not None:
        dense_units = _width(dense_units, "dense_units", func)
    rng = _vae_settings(func, activation, likelihood, optimizer, rng)
    H, W, C = shape
    factor = 2 ** len(sizes)
    if H % factor or W % factor:
        _fail("input_shape", func, f"H and W divisible by 2^len(filters) = {factor}", repr(shape),
              "Use fewer filters (each halves the image) or pad the images.")
    h, w = H // factor, W // factor
    enc = [Conv2D(f, kernel_size, strides=2, padding="same", activation=activation, name=_numbered("enc_conv", i))
           for i, f in enumerate(sizes)] + [Flatten(name="enc_flatten")]
    if dense_units is not None:
        enc.append(Dense(dense_units, activation, name="enc_dense"))
    enc.append(Dense(2 * latent_dim, name="z_mean_log_var"))
    dec = [Dense(h * w * sizes[-1], activation, name="dec_dense"), Reshape((h, w, sizes[-1]), name="dec_reshape")]
    dec += [Conv2DTranspose(f, kernel_size, strides=2, padding="same", activation=activation,
                            name=_numbered("dec_conv_t", i)) for i, f in enumerate(reversed(sizes))]
    dec.append(Conv2DTranspose(C, kernel_size, padding="same", name="dec_output"))
    encoder = Sequential(enc, input_shape=shape, rng=rng, dtype=dtype)
    decoder = Sequential(dec, input_dim=latent_dim, rng=rng, dtype=dtype)
    return VAE(encoder, decoder, likelihood=likelihood, beta=beta, sigma=sigma, optimizer=optimizer,
               learning_rate=learning_rate, rng=rng)
