"""Pure state of the bottleneck/denoising explorer: numbers only (no ipywidgets, no drawing; tested in plain pytest).

A few digits x are corrupted with Gaussian noise of standard deviation σ and with salt-and-pepper noise
(a share ``amount`` of the pixels set to black or white), x̃ = sp(clip(x + σ·ε)), and passed through a model
with a bottleneck of k numbers, x̂ = model(x̃). Each of x̃ and x̂ is scored against the clean x with PSNR and
SSIM (:func:`dlhelpers.metrics.psnr`, :func:`dlhelpers.metrics.ssim`): does the reconstruction beat the noisy
input, and how does that change with k?

Everything is cached, so moving a slider back and forth computes nothing twice:

* the noisy inputs per noise level (σ, amount). The noise is drawn once from ``seed``: the same ε for every σ
  and the same uniform draw u for every amount (a pixel is pepper when u < amount/2, salt when
  amount/2 ≤ u < amount), so a larger level adds to the same pattern instead of drawing a new one;
* the reconstructions and their scores per (size, σ, amount): :attr:`DenoiseState.calls` counts each
  model's calls.

By default (:func:`make_denoise_state` with no models) the "models" are PCA reconstructions with k components
(:class:`~dlhelpers.widgets.latent_state.PCACode`), the linear baseline every autoencoder is compared with; the
explorer says so on screen. Pass ``{size: trained model}`` to see the autoencoders themselves.

:mod:`dlhelpers.viz.denoise` draws a :class:`DenoiseFrame`; :mod:`dlhelpers.widgets.denoise` wires the controls.
"""
from __future__ import annotations

import numbers
import time
from dataclasses import dataclass

import numpy as np

from .._blas import single_thread_blas
from .._checks import _fail, as_array, check_interval, check_nonempty, check_number
from .latent_state import PCACode, as_image_batch, fit_pca_codes, model_inputs

__all__ = ["DenoiseState", "DenoiseFrame", "make_denoise_state", "SIGMAS", "AMOUNTS", "DEFAULT_SIZES", "PCA_TEXT",
           "MAX_IMAGES"]

#: the noise levels offered by default: Gaussian σ (pixel units of a [0, 1] scale) and salt-and-pepper shares
SIGMAS = (0.0, 0.1, 0.2, 0.3, 0.5)
AMOUNTS = (0.0, 0.05, 0.1, 0.2)
#: the PCA sizes of the default explorer
DEFAULT_SIZES = (2, 4, 8, 16, 32, 64, 128)
#: the most digits shown at once
MAX_IMAGES = 32

#: what the default explorer says on screen ({n}: training digits)
PCA_TEXT = ("PCA reconstructions, not trained networks: a linear code of k numbers (the top k principal "
            "components of the {n:,} training digits). Pass models={{size: trained autoencoder}} to compare "
            "autoencoders.")


@dataclass(frozen=True)
class DenoiseFrame:
    """What the explorer shows now (numbers only).

    Attributes:
        clean, noisy, reconstruction: (N, H, W) the digits, their noisy copies, the model's output for the noisy copies.
        noisy_psnr, noisy_ssim, psnr, ssim: (N,) each image's scores against its clean digit (PSNR in dB,
            ``inf`` for an exact copy).
        size, sigma, amount: the current bottleneck size and noise level; label: the current model's name.
        sizes: every size offered; labels: their names.
        by_size: ((size, mean PSNR, mean SSIM), …) for the current noise level, one per size.
        value_range: (lo, hi) of the pixel scale; description: which models are shown.
    """

    clean: np.ndarray
    noisy: np.ndarray
    reconstruction: np.ndarray
    noisy_psnr: np.ndarray
    noisy_ssim: np.ndarray
    psnr: np.ndarray
    ssim: np.ndarray
    size: int
    sigma: float
    amount: float
    label: str
    sizes: tuple
    labels: tuple
    by_size: tuple
    value_range: tuple
    description: str


def _levels(values, name, func, high):
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        _fail(name, func, "a sequence of noise levels", repr(values), f"Pass e.g. {name}=(0.0, 0.1, 0.2).",
              exc=TypeError)
    out = tuple(sorted({float(check_number(v, name, func, low=0, high=high,
                                           fix=f"Pass noise levels from 0 to {high}.")) for v in values}))
    if not out:
        _fail(name, func, "at least one noise level", "an empty sequence", f"Pass e.g. {name}=(0.0, 0.1).")
    return out


def _runner(model, size, func):
    """The model as a function noisy → reconstruction: its ``reconstruct`` method, or the model itself."""
    method = getattr(model, "reconstruct", None)
    if callable(method):
        return method
    if callable(model):
        return model
    _fail(f"models[{size}]", func, "a model with reconstruct(x), or a function x → x̂", type(model).__name__,
          "Pass e.g. {32: autoencoder} or {32: lambda x: autoencoder.reconstruct(x)}.", exc=TypeError)
    raise AssertionError("unreachable")   # pragma: no cover


def _label(model, size):
    return f"PCA-{size}" if isinstance(model, PCACode) else f"{type(model).__name__}, {size}-unit code"


class DenoiseState:
    """Digits, their noisy copies and their reconstructions through models of several bottleneck sizes, all scored.

    Args:
        models: ``{size: model}``: a whole-number bottleneck size → a model with ``reconstruct(x)`` (an
            autoencoder, a :class:`~dlhelpers.widgets.latent_state.PCACode`) or a function x → x̂. Each model
            gets the noisy digits in its own input shape (``input_shape``/``data_shape`` when it declares one,
            else the shape ``images`` came in) and returns grey images.
        images: (N, H, W), (N, H, W, 1) or (N, H·W) clean digits, 1 ≤ N ≤ :data:`MAX_IMAGES`, inside
            ``value_range``.
        sigmas: the Gaussian noise levels offered (≥ 0, pixel units); amounts: the salt-and-pepper shares (in [0, 1]).
        size, sigma, amount: the starting choice (None: the middle size, σ = 0.2 if offered (else the smallest),
            the smallest amount).
        value_range: (lo, hi) of the pixel scale: the noise is clipped to it, pepper is lo, salt is hi, and
            data_range = hi − lo for PSNR and SSIM.
        seed: the noise's seed (the same digits and seed always give the same noisy copies).
        win_size: SSIM's window (odd, ≤ the images' smaller side).
        description: one line naming the models, shown on screen.
        names: None or ``{size: name}``, the models' names on screen (default: "PCA-k" for a PCACode, else the
            model's class and its size).

    Scores are computed on the model's output as it comes (not clipped to ``value_range``); the pictures clip.

    Attributes:
        size, sigma, amount: the current choice; sizes, sigmas, amounts: what is offered; calls: ``{size: number
        of model calls}``; seconds: the time the last :meth:`frame` spent computing (0 when all was cached).

    Example:
        >>> x = np.random.default_rng(0).random((30, 8, 8))
        >>> s = DenoiseState({2: PCACode.fit(x, 2), 6: PCACode.fit(x, 6)}, x[:4], win_size=3)
        >>> f = s.frame(); f.size, f.sigma, f.reconstruction.shape, s.calls
        (6, 0.2, (4, 8, 8), {2: 1, 6: 1})
    """

    def __init__(self, models, images, *, sigmas=SIGMAS, amounts=AMOUNTS, size=None, sigma=None, amount=None,
                 value_range=(0.0, 1.0), seed=0, win_size=7, description="", names=None):
        func = "DenoiseState"
        fix = "Pass e.g. {8: ae8, 32: ae32}: each bottleneck size with its model."
        if not isinstance(models, dict):
            _fail("models", func, "a dict {bottleneck size: model}", type(models).__name__, fix, exc=TypeError)
        if not models:
            _fail("models", func, "a non-empty dict {bottleneck size: model}", "an empty dict", fix)
        self._run = {}
        self.models = {}
        for k, model in models.items():
            if isinstance(k, bool) or not isinstance(k, numbers.Integral):
                _fail("models", func, "keyed by whole-number bottleneck sizes", f"the key {k!r}", fix, exc=TypeError)
            if k < 1:
                _fail("models", func, "keyed by bottleneck sizes ≥ 1", f"the key {k!r}", fix)
            self._run[int(k)] = _runner(model, k, func)
            self.models[int(k)] = model
        self.sizes = tuple(sorted(self.models))
        names = {} if names is None else names
        if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
            _fail("names", func, "a dict {size: name} of strings", repr(names), "Pass e.g. names={32: 'AE-32'}.",
                  exc=TypeError)
        unknown = [k for k in names if k not in self.models]
        if unknown:
            _fail("names", func, f"keyed by the models' sizes {list(self.sizes)}", f"the keys {unknown}",
                  "Name only the models passed.")
        self.labels = tuple(names.get(k, _label(self.models[k], k)) for k in self.sizes)
        lo, hi = self.value_range = check_interval(value_range, "value_range", func, bounds=("lo", "hi"),
                                                   example=(0, 1))
        x = as_array(images, "images", func, dtype=np.float64,
                     fix="Pass a few clean digits (N, H, W), e.g. test.images[:10].")
        if x.ndim < 2:
            _fail("images", func, "a batch (N, …) of images", f"shape {x.shape}", "A single image: image[None].")
        check_nonempty(x, "images", func)
        if len(x) > MAX_IMAGES:
            _fail("images", func, f"at most {MAX_IMAGES} digits (they are all shown)", f"{len(x)}",
                  "Pass a few, e.g. images[:10].")
        self._given_shape = x.shape[1:]                                  # what a model without a shape gets
        self.clean = as_image_batch(x, len(x), func, name="images")      # (N, H, W)
        if self.clean.min() < lo or self.clean.max() > hi:
            _fail("images", func, f"inside value_range ({lo:g}, {hi:g})",
                  f"pixels from {self.clean.min():.4g} to {self.clean.max():.4g}",
                  "Pass images scaled to [0, 1], or their own range as value_range, e.g. (-1, 1).")
        h, w = self.clean.shape[1:]
        self.win_size = int(check_number(win_size, "win_size", func, low=3, high=min(h, w), integer=True,
                                         fix=f"Pass an odd window from 3 to min(H, W) = {min(h, w)}, e.g. 7."))
        if self.win_size % 2 == 0:
            _fail("win_size", func, "odd", repr(win_size), "Pass e.g. win_size=7.")
        self.sigmas = _levels(sigmas, "sigmas", func, 10 * (hi - lo))
        self.amounts = _levels(amounts, "amounts", func, 1.0)
        self.seed = int(check_number(seed, "seed", func, low=0, high=2 ** 32 - 1, integer=True,
                                     fix="Pass a whole number, e.g. seed=0."))
        if not isinstance(description, str):
            _fail("description", func, "a string", type(description).__name__, "Pass one line of text.", exc=TypeError)
        self.description = description
        self._noise_seeds = np.random.SeedSequence(self.seed).spawn(2)  # Gaussian ε, salt-and-pepper u
        self.calls = {k: 0 for k in self.sizes}
        self.seconds = 0.0
        self._noisy: dict = {}
        self._noisy_scores: dict = {}
        self._recon: dict = {}
        self._scores: dict = {}
        self.size = self.sizes[len(self.sizes) // 2]
        self.sigma = 0.2 if 0.2 in self.sigmas else self.sigmas[0]
        self.amount = self.amounts[0]
        self.set(size=size, sigma=sigma, amount=amount)

    # --- choices ----------------------------------------------------------------------------------------
    def set(self, size=None, sigma=None, amount=None):
        """Choose the bottleneck size and the noise level (None keeps one); each must be one of those offered.

        Returns:
            self.

        Raises:
            ValueError: a value not offered (the message lists those that are); TypeError: not a number.
        """
        func = "DenoiseState.set"
        new = {}
        for name, value, offered in (("size", size, self.sizes), ("sigma", sigma, self.sigmas),
                                     ("amount", amount, self.amounts)):
            if value is None:
                continue
            check_number(value, name, func, fix=f"Pass one of {', '.join(f'{v:g}' for v in offered)}.")
            match = [v for v in offered if abs(v - value) <= 1e-9 * max(1.0, abs(v))]
            if not match:
                _fail(name, func, f"one of {', '.join(f'{v:g}' for v in offered)}", repr(value),
                      "Pick a value offered" + (" (a model of that size)" if name == "size" else
                                                "; pass sigmas=…/amounts=… to offer others") + ".")
            new[name] = match[0]
        for name, value in new.items():
            setattr(self, name, value)
        return self

    # --- cached numbers ---------------------------------------------------------------------------------
    def noisy(self, sigma=None, amount=None):
        """The noisy digits at noise level (σ, amount) (None: the current one), (N, H, W); computed once."""
        from ..data.corrupt import gaussian_noise, salt_and_pepper_noise
        sigma = self.sigma if sigma is None else sigma
        amount = self.amount if amount is None else amount
        key = (sigma, amount)
        if key not in self._noisy:
            lo, hi = self.value_range
            g_seed, sp_seed = self._noise_seeds
            # a fresh generator from the same seed: the same ε for every σ, the same u for every amount
            x = gaussian_noise(self.clean, sigma, rng=np.random.default_rng(g_seed), clip=(lo, hi))
            x = salt_and_pepper_noise(x, amount, rng=np.random.default_rng(sp_seed), salt=hi, pepper=lo)
            x.setflags(write=False)
            self._noisy[key] = x
        return self._noisy[key]

    def _score(self, images):
        from ..metrics import psnr, ssim
        r = self.value_range[1] - self.value_range[0]
        p = np.array([psnr(c, x, data_range=r) for c, x in zip(self.clean, images)])                 # (N,)
        s = np.array([ssim(c, x, data_range=r, win_size=self.win_size) for c, x in zip(self.clean, images)])
        return p, s

    def noisy_scores(self, sigma=None, amount=None):
        """(PSNR (N,), SSIM (N,)) of the noisy digits against the clean ones; computed once per noise level."""
        key = (self.sigma if sigma is None else sigma, self.amount if amount is None else amount)
        if key not in self._noisy_scores:
            self._noisy_scores[key] = self._score(self.noisy(*key))
        return self._noisy_scores[key]

    def reconstruction(self, size=None, sigma=None, amount=None):
        """The model of ``size``'s output for the noisy digits at (σ, amount), (N, H, W); one model call per key."""
        key = (self.size if size is None else size, self.sigma if sigma is None else sigma,
               self.amount if amount is None else amount)
        if key not in self._recon:
            k = key[0]
            noisy = self.noisy(*key[1:]).reshape(len(self.clean), *self._given_shape)
            x = model_inputs(self.models[k], noisy, "DenoiseState")
            with single_thread_blas():              # ten digits: one BLAS thread is fastest on a busy machine
                out = self._run[k](x)
            self.calls[k] += 1
            name = f"models[{k}]'s output"
            out = as_image_batch(out, len(self.clean), "DenoiseState", name)
            if out.shape != self.clean.shape:
                _fail(name, "DenoiseState", f"images of the digits' shape {self.clean.shape[1:]}",
                      f"images of shape {out.shape[1:]}", "Pass models trained on these digits.")
            out.setflags(write=False)
            self._recon[key] = out
        return self._recon[key]

    def scores(self, size=None, sigma=None, amount=None):
        """(PSNR (N,), SSIM (N,)) of the reconstructions against the clean digits; computed once per key."""
        key = (self.size if size is None else size, self.sigma if sigma is None else sigma,
               self.amount if amount is None else amount)
        if key not in self._scores:
            self._scores[key] = self._score(self.reconstruction(*key))
        return self._scores[key]

    def precompute(self):
        """Compute every (size, σ, amount) now, so that no later move computes anything.

        Returns:
            the seconds it took.
        """
        start = time.perf_counter()
        for sigma in self.sigmas:
            for amount in self.amounts:
                self.noisy_scores(sigma, amount)
                for k in self.sizes:
                    self.scores(k, sigma, amount)
        return time.perf_counter() - start

    # --- the frame ----------------------------------------------------------------------------------------
    def frame(self) -> DenoiseFrame:
        """Everything the picture needs for the current choice (every size scored at the current noise level)."""
        start = time.perf_counter()
        before = sum(self.calls.values()), len(self._scores), len(self._noisy_scores)
        noisy_psnr, noisy_ssim = self.noisy_scores()
        by_size = []
        for k in self.sizes:
            p, s = self.scores(k)
            by_size.append((k, float(np.mean(p)), float(np.mean(s))))
        p, s = self.scores()
        after = sum(self.calls.values()), len(self._scores), len(self._noisy_scores)
        self.seconds = time.perf_counter() - start if after != before else 0.0
        return DenoiseFrame(
            clean=self.clean, noisy=self.noisy(), reconstruction=self.reconstruction(), noisy_psnr=noisy_psnr,
            noisy_ssim=noisy_ssim, psnr=p, ssim=s, size=self.size, sigma=self.sigma, amount=self.amount,
            label=self.labels[self.sizes.index(self.size)], sizes=self.sizes, labels=self.labels,
            by_size=tuple(by_size), value_range=self.value_range, description=self.description)


def make_denoise_state(models=None, images=None, *, sizes=DEFAULT_SIZES, **options) -> DenoiseState:
    """The explorer's state, the gaps filled with the course's data and PCA.

    * ``images`` None: the first held-out digit of each class (0 … 9) of :func:`dlhelpers.data.mnist_5k_split`.
    * ``models`` None: :class:`~dlhelpers.widgets.latent_state.PCACode` reconstructions with k components for
      each k in ``sizes``, fitted on the 4,000 training digits (one decomposition), said so on screen
      (:data:`PCA_TEXT`).

    Args:
        models: None or ``{size: model}`` (see :class:`DenoiseState`).
        images: None or (N, …) clean digits.
        sizes: the PCA sizes when ``models`` is None.
        **options: as :class:`DenoiseState`.

    Returns:
        a :class:`DenoiseState`.
    """
    if images is None or models is None:
        from ..data import mnist_5k_split
        train, test = mnist_5k_split()
        if images is None:
            first = [int(np.flatnonzero(test.y == c)[0]) for c in np.unique(test.y)]
            images = test.images[first]                                 # (10, 28, 28), one per class
        if models is None:
            models = fit_pca_codes(train.images, sizes)
            options.setdefault("description", PCA_TEXT.format(n=len(train.images)))
    return DenoiseState(models, images, **options)
