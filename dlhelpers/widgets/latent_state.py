"""Pure state of the latent-space explorer: numbers only (no ipywidgets, no drawing; tested in plain pytest).

An autoencoder or a VAE with a **2-D code** maps every digit to a point z = (z1, z2) of the plane, and its
decoder maps any point of the plane back to an image. :class:`LatentState` keeps what the explorer shows:

* the codes of the training digits (N, 2) and their classes, to scatter;
* the current point z and the image decoded there (:meth:`LatentState.move`);
* a *manifold grid*: the images decoded at the centres of a G × G grid of cells over the codes' range,
  one picture of the whole decoder (:meth:`LatentState.pick_cell` moves z to a cell's centre);
* a straight line between the codes of two chosen digits a and b, z(t) = (1 − t)·z_a + t·z_b for
  t = 0, 1/(n − 1), …, 1, decoded step by step (:meth:`LatentState.set_endpoints`,
  :meth:`LatentState.random_pair`, :meth:`LatentState.set_step`). Its first and last images are the two
  digits' reconstructions decode(encode(x)).

All decoding goes through one callable ``decode(z) -> images``, and every decoded point is kept (keyed by
its exact coordinates), so returning to a point, a grid cell or a step of the line decodes nothing:
:attr:`LatentState.decode_calls` counts the calls.

When no trained model is at hand, :class:`PCACode` is a deterministic stand-in: principal component
analysis with k components, encode(x) = V_kᵀ(x − μ), decode(z) = μ + V_k z. It is what a *linear*
autoencoder with a k-unit bottleneck learns (the same subspace), fitted in a fraction of a second and
with no training; it is labelled as such wherever it is shown.

:mod:`dlhelpers.viz.latent` draws a :class:`LatentFrame`; :mod:`dlhelpers.widgets.latent` wires the controls.
"""
from __future__ import annotations

import hashlib
import math
import numbers
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .._blas import single_thread_blas
from .._checks import _fail, as_array, check_callable, check_interval, check_nonempty, check_number, check_rng

__all__ = ["LatentState", "LatentFrame", "PCACode", "fit_pca_codes", "model_inputs", "as_image_batch",
           "encode_2d", "make_latent_state", "STAND_IN_TEXT", "MAX_GRID", "MAX_STEPS", "CACHE_SIZE"]

#: the largest manifold grid (cells per side) and the most points on an interpolation line
MAX_GRID = 30
MAX_STEPS = 40
#: decoded points kept (oldest dropped first); the grid and the current line are always among them
CACHE_SIZE = 8192
_BATCH = 1000          # images per encode call


# --- a deterministic stand-in model ------------------------------------------------------------------------

class PCACode:
    """Principal component analysis as an encoder/decoder pair: z = V_kᵀ(x − μ), x̂ = μ + V_k z.

    μ (D,) is the training images' mean and V_k (D, k) their first k principal directions (the right singular
    vectors of the centred training matrix, each signed so that its largest entry is positive, which makes the
    codes the same on every machine). The best linear code of k numbers: what a linear autoencoder with a
    k-unit bottleneck learns. No training, no randomness.

    Build it with :meth:`fit` (one size) or :func:`fit_pca_codes` (several sizes from one decomposition).

    Attributes:
        mean: (D,); components: (k, D), the rows of V_kᵀ; image_shape: one image's shape, e.g. (28, 28);
        latent_dim: k; input_shape: the same as image_shape (what :meth:`encode` takes per sample).

    Example:
        >>> x = np.random.default_rng(0).random((40, 4, 4))
        >>> pca = PCACode.fit(x, 2)
        >>> pca.encode(x).shape, pca.decode(np.zeros((3, 2))).shape
        ((40, 2), (3, 4, 4))
    """

    def __init__(self, mean, components, image_shape):
        self.mean = np.asarray(mean, dtype=np.float64)                  # (D,)
        self.components = np.asarray(components, dtype=np.float64)      # (k, D)
        self.image_shape = tuple(int(s) for s in image_shape)
        self.input_shape = self.image_shape
        self.latent_dim = len(self.components)

    def __repr__(self):
        return f"PCACode(latent_dim={self.latent_dim}, image_shape={self.image_shape})"

    @classmethod
    def fit(cls, images, k):
        """PCA with ``k`` components fitted on ``images`` (N, …): see :func:`fit_pca_codes`."""
        return fit_pca_codes(images, (k,))[int(k)]

    def _rows(self, x, func):
        x = as_array(x, "x", func, dtype=np.float64)
        d = self.mean.size
        if x.ndim < 2 or int(np.prod(x.shape[1:])) != d:
            shape = ", ".join(map(str, self.image_shape))
            _fail("x", func, f"a batch of images with {d} values each, e.g. shape (N, {shape})",
                  f"shape {x.shape}", "Pass images of the size the PCA was fitted on; a single image as image[None].")
        return check_nonempty(x, "x", func).reshape(len(x), d)

    def encode(self, x):
        """z = V_kᵀ(x − μ): the k coordinates of each image along the principal directions.

        Args:
            x: (N, …) images of the fitted size.

        Returns:
            (N, k) float64 codes.
        """
        x = self._rows(x, "PCACode.encode")
        with single_thread_blas():                  # small products: threads only wait for busy cores
            return (x - self.mean) @ self.components.T                  # (N, k)

    def decode(self, z):
        """x̂ = μ + V_k z: the image at code z (not clipped to the pixel range).

        Args:
            z: (N, k) codes.

        Returns:
            (N, *image_shape) float64.
        """
        func = "PCACode.decode"
        z = as_array(z, "z", func, ndim=2, shape_hint=f"(N, {self.latent_dim})", dtype=np.float64,
                     fix=f"Pass codes of shape (N, {self.latent_dim}), e.g. pca.encode(x).")
        if z.shape[1] != self.latent_dim:
            _fail("z", func, f"codes of {self.latent_dim} numbers", f"shape {z.shape}",
                  f"Pass codes of shape (N, {self.latent_dim}).")
        with single_thread_blas():
            return (self.mean + z @ self.components).reshape(len(z), *self.image_shape)

    def reconstruct(self, x):
        """x̂ = decode(encode(x)) = μ + V_k V_kᵀ(x − μ), the projection onto the k-dimensional subspace.

        Args:
            x: (N, …) images of the fitted size.

        Returns:
            (N, *image_shape) float64.
        """
        return self.decode(self.encode(x))


def fit_pca_codes(images, sizes):
    """One :class:`PCACode` per size in ``sizes``, all from a single singular value decomposition.

    Args:
        images: (N, H, W), (N, H, W, 1) or (N, D) training images, N ≥ 2.
        sizes: whole numbers k with 1 ≤ k ≤ min(N − 1, D).

    Returns:
        ``{k: PCACode}`` for every k in ``sizes``.

    Example:
        >>> x = np.random.default_rng(0).random((30, 5, 5))
        >>> sorted(fit_pca_codes(x, (2, 8)))
        [2, 8]
    """
    func = "fit_pca_codes"
    x = as_array(images, "images", func, ndim=(2, 3, 4), shape_hint="(N, H, W), (N, H, W, 1) or (N, D)",
                 dtype=np.float64, fix="Pass a batch of training images, e.g. train.images.")
    check_nonempty(x, "images", func)
    n, d = len(x), int(np.prod(x.shape[1:]))
    if n < 2:
        _fail("images", func, "at least 2 images", f"{n}", "Pass a training set.")
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
        _fail("sizes", func, "a sequence of component counts", repr(sizes), "Pass e.g. sizes=(2, 8, 32).",
              exc=TypeError)
    ks = [int(check_number(k, "sizes", func, low=1, high=min(n - 1, d), integer=True,
                           fix=f"Pass whole numbers of components from 1 to min(N − 1, D) = {min(n - 1, d)}."))
          for k in sizes]
    if not ks:
        _fail("sizes", func, "at least one component count", "an empty sequence", "Pass e.g. sizes=(2,).")
    rows = x.reshape(n, d)
    mean = rows.mean(axis=0)                                            # (D,)
    centred = rows - mean
    with single_thread_blas():
        if n >= d:      # the eigenvectors of the D × D scatter matrix: the right singular vectors, ~5× faster
            _, vecs = np.linalg.eigh(centred.T @ centred)               # (D, D), rising eigenvalues
            vt = vecs[:, ::-1].T                                        # (D, D), by falling variance
        else:
            _, _, vt = np.linalg.svd(centred, full_matrices=False)      # (N, D), by falling variance
    top = vt[:max(ks)]
    signs = np.sign(top[np.arange(len(top)), np.argmax(np.abs(top), axis=1)])     # largest entry positive
    top = top * signs[:, None]
    shape = x.shape[1:3] if x.ndim == 4 and x.shape[3] == 1 else x.shape[1:]
    return {k: PCACode(mean, top[:k], shape) for k in ks}


# --- model inputs and outputs ------------------------------------------------------------------------------

def _model_shape(model):
    """One sample's input shape declared by a model (scratch ``input_shape``/``data_shape``, Keras ``(None, …)``,
    else its ``encoder``'s)."""
    encoder = getattr(model, "encoder", None)
    for owner, attr in ((model, "input_shape"), (model, "data_shape"), (encoder, "input_shape")):
        try:
            shape = getattr(owner, attr, None)
        except Exception:                         # a subclassed Keras model has no input shape of its own
            shape = None
        if isinstance(shape, (tuple, list)) and shape and \
                all(s is None or isinstance(s, numbers.Integral) for s in shape):
            shape = tuple(shape)
            if shape[0] is None:
                shape = shape[1:]
            if shape and all(isinstance(s, numbers.Integral) for s in shape):
                return tuple(int(s) for s in shape)
    return None


def model_inputs(model, images, func="model_inputs"):
    """``images`` reshaped to the per-sample shape ``model`` declares (``input_shape`` or ``data_shape``).

    Flat models (784,) get flattened images, image models (28, 28, 1) get a channel axis; a model that
    declares nothing gets the images as they are.

    Args:
        model: an autoencoder, a VAE, a Keras model, … ; images: (N, …) array.

    Returns:
        (N, *input_shape) float array (float32 when the images are float32, else float64).

    Raises:
        ValueError: the images do not hold as many values per sample as the model takes.
    """
    x = as_array(images, "images", func, fix="Pass a batch of images, e.g. train.images.")
    if x.ndim < 2:
        _fail("images", func, "a batch (N, …) of images", f"shape {x.shape}", "A single image: image[None].")
    check_nonempty(x, "images", func)
    shape = _model_shape(model)
    if shape is None:
        return x
    if int(np.prod(shape)) != int(np.prod(x.shape[1:])):
        _fail("images", func, f"samples of {int(np.prod(shape))} values (the model's input shape {shape})",
              f"samples of shape {x.shape[1:]}", "Pass the images the model was trained on.")
    return x.reshape(len(x), *shape)


def as_image_batch(out, n, func, name="decode(z)"):
    """Decoder outputs (n, H, W), (n, H, W, 1) or (n, D) with D a square → float64 (n, H, W).

    Raises:
        ValueError: another number of rows, colour images, a flat length that is not a square, NaN/inf.
    """
    try:
        arr = np.asarray(out)
    except Exception:
        arr = np.asarray(out.numpy()) if hasattr(out, "numpy") else None
    if arr is None or arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        _fail(name, func, "an array of images", type(out).__name__,
              "Return a NumPy array (or a tensor) of shape (N, H, W), (N, H, W, 1) or (N, H·W).", exc=TypeError)
    arr = arr.astype(np.float64)
    fix = "Return grey images (N, H, W), (N, H, W, 1) or flat square images (N, H·W), one per code."
    if arr.ndim == 0 or arr.shape[0] != n:
        _fail(name, func, f"{n} images (one per code)", f"shape {arr.shape}", fix)
    if arr.ndim == 2:
        side = math.isqrt(arr.shape[1])
        if side * side != arr.shape[1] or side == 0:
            _fail(name, func, "square images when flat (N, H·W)", f"shape {arr.shape}", fix)
        arr = arr.reshape(n, side, side)
    elif arr.ndim == 4 and arr.shape[3] == 1:
        arr = arr[..., 0]
    elif arr.ndim != 3:
        _fail(name, func, "grey images", f"shape {arr.shape}", fix)
    if not np.all(np.isfinite(arr)):
        _fail(name, func, "finite (no NaN or inf)", f"{int(np.sum(~np.isfinite(arr)))} non-finite value(s)",
              "Check the model: its weights may have diverged.")
    return arr


def encode_2d(model, images, func="encode_2d"):
    """The 2-D codes of ``images``: ``model.encode`` (its mean μ when it returns ``(mu, log_var)``), in batches.

    Args:
        model: anything with ``encode(x)`` returning (N, 2) codes or a pair (mu, log_var) of (N, 2) arrays.
        images: (N, …) in any shape :func:`model_inputs` can turn into the model's.

    Returns:
        (N, 2) float64.

    Raises:
        ValueError: codes that are not 2-D, or not finite. TypeError: no ``encode`` method.
    """
    if not callable(getattr(model, "encode", None)):
        _fail("model", func, "an autoencoder or VAE with encode(x) and decode(z)", type(model).__name__,
              "Pass e.g. a scratch Autoencoder or VAE with a 2-unit code.", exc=TypeError)
    x = model_inputs(model, images, func)
    parts = []
    for i in range(0, len(x), _BATCH):
        with single_thread_blas():
            out = model.encode(x[i:i + _BATCH])
        if isinstance(out, (tuple, list)):
            out = out[0]                                             # a VAE: (mu, log_var) → mu
        z = np.asarray(out.numpy() if hasattr(out, "numpy") else out, dtype=np.float64)
        parts.append(z.reshape(len(z), -1) if z.ndim > 2 else z)
    z = np.concatenate(parts)
    if z.ndim != 2 or z.shape != (len(x), 2):
        _fail("model", func, "an encoder with a 2-D code (N, 2)", f"codes of shape {z.shape}",
              "Build the autoencoder with latent_dim=2 (a larger code cannot be shown as a plane).")
    if not np.all(np.isfinite(z)):
        _fail("model", func, "an encoder giving finite codes", f"{int(np.sum(~np.isfinite(z)))} non-finite code(s)",
              "Check the model: its weights may have diverged.")
    return z


# --- the frame ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LatentFrame:
    """What the explorer shows now (numbers only).

    Attributes:
        codes: (N, 2) the digits' codes; labels: (N,) ints or None.
        bounds: (z1_min, z1_max, z2_min, z2_max) of the view (the sliders' range); outside: codes outside it.
        z: (2,) the current point; image: (H, W) decoded there; value_range: (lo, hi) of the pixel scale.
        mode: "point" (moved with the sliders or the grid) or "line" (a step of the interpolation).
        grid: (G, G, H, W) images decoded at the cell centres, row 0 at the top (largest z2);
        grid_z1: (G,) the columns' centres; grid_z2: (G,) the rows' centres (falling); cell: (row, col) of z,
            or None when z lies outside the grid.
        endpoints: (a, b) indices of the two digits; endpoint_labels: their classes (or None);
        endpoint_images: (2, H, W) the two digits themselves (None when no images were given).
        line: (n, 2) the codes along the line; strip: (n, H, W) decoded there; step: the line's current index.
        description: which model (or stand-in) is shown; data_key: a fingerprint of the codes, labels and
        image shape (pictures drawn for one data set are never reused for another).
    """

    codes: np.ndarray
    labels: np.ndarray | None
    bounds: tuple
    outside: int
    z: np.ndarray
    image: np.ndarray
    value_range: tuple
    mode: str
    grid: np.ndarray
    grid_z1: np.ndarray
    grid_z2: np.ndarray
    cell: tuple | None
    endpoints: tuple
    endpoint_labels: tuple | None
    endpoint_images: np.ndarray | None
    line: np.ndarray
    strip: np.ndarray
    step: int
    description: str
    data_key: str


def _index(value, name, func, n):
    return int(check_number(value, name, func, low=0, high=n - 1, integer=True,
                            fix=f"Pass the index of a digit, a whole number from 0 to {n - 1}."))


class LatentState:
    """The latent-space explorer's numbers: codes, the current point, the manifold grid and a line between two digits.

    Args:
        decode: ``decode(z)`` with z (M, 2) float64 → M grey images ((M, H, W), (M, H, W, 1) or (M, H·W)),
            e.g. ``model.decode``.
        codes: (N, 2) the digits' codes (e.g. ``encode_2d(model, images)``), N ≥ 2.
        labels: None or (N,) whole-number classes (colours of the scatter).
        images: None or the N digits themselves ((N, H, W), (N, H, W, 1) or (N, H·W)), shown next to the line's
            ends.
        grid_size: G, cells per side of the manifold grid, 2 … :data:`MAX_GRID`.
        steps: n, points on the interpolation line (ends included), 2 … :data:`MAX_STEPS`.
        endpoints: (a, b), the line's first two digits; None: the first two digits of different classes.
        value_range: (lo, hi) of the pixel scale; None: (0, 1) when the images (or the decoded grid) lie in it,
            else (−1, 1) when they lie in that, else their own range.
        rng: Generator, int seed or None: :meth:`random_pair`'s choices.
        description: one line naming the model, shown on screen.

    Attributes:
        z, image, mode, step, endpoints, line, strip, grid: as :class:`LatentFrame`; decode_calls: the calls of
        ``decode`` so far (a point, a cell or a line already decoded costs none).

    Example:
        >>> pca = PCACode.fit(np.random.default_rng(0).random((50, 6, 6)), 2)
        >>> x = np.random.default_rng(1).random((20, 6, 6))
        >>> s = LatentState(pca.decode, pca.encode(x), images=x, grid_size=4, steps=5)
        >>> s.move(0.1, -0.2).image.shape, s.decode_calls
        ((6, 6), 3)
    """

    def __init__(self, decode, codes, labels=None, images=None, *, grid_size=12, steps=9, endpoints=None,
                 value_range=None, rng=0, description=""):
        func = "LatentState"
        self._decode_fn = check_callable(decode, "decode", func, "Pass the decoder, e.g. model.decode.")
        codes = as_array(codes, "codes", func, ndim=2, shape_hint="(N, 2)", dtype=np.float64,
                         fix="Pass the 2-D codes of the digits, e.g. encode_2d(model, images).")
        if codes.shape[1] != 2 or len(codes) < 2:
            _fail("codes", func, "(N, 2) codes of at least 2 digits", f"shape {codes.shape}",
                  "The explorer shows a 2-D latent space: build the model with latent_dim=2.")
        self.codes = codes
        n = len(codes)
        self.labels = None
        if labels is not None:
            lab = as_array(labels, "labels", func, ndim=1, shape_hint="(N,) classes", dtype=np.float64,
                           fix="Pass one whole-number class per digit, e.g. train.y.")
            if len(lab) != n:
                _fail("labels", func, f"one class per code ({n})", f"{len(lab)} labels",
                      "Pass the labels of the same digits, in the same order.")
            if np.any(lab != np.round(lab)) or lab.min() < 0:
                _fail("labels", func, "whole numbers ≥ 0", f"values from {lab.min():g} to {lab.max():g}",
                      "Pass class indices, e.g. train.y.")
            self.labels = lab.astype(np.int64)
        self.images = None
        if images is not None:
            imgs = as_array(images, "images", func, dtype=np.float64, fix="Pass the digits whose codes these are.")
            if imgs.ndim < 2 or len(imgs) != n:
                _fail("images", func, f"one image per code ({n})", f"shape {imgs.shape}",
                      "Pass the digits whose codes these are, in the same order.")
            self.images = as_image_batch(imgs, n, func, name="images")
        self.grid_size = int(check_number(grid_size, "grid_size", func, low=2, high=MAX_GRID, integer=True,
                                          fix=f"Pass a whole number of cells per side from 2 to {MAX_GRID}."))
        self.steps = int(check_number(steps, "steps", func, low=2, high=MAX_STEPS, integer=True,
                                      fix=f"Pass a whole number of points from 2 to {MAX_STEPS}."))
        self.rng = check_rng(rng, func)
        if not isinstance(description, str):
            _fail("description", func, "a string", type(description).__name__, "Pass one line of text.",
                  exc=TypeError)
        self.description = description
        self.bounds = self._bounds(codes)
        self.decode_calls = 0
        self._cache: OrderedDict = OrderedDict()
        self.image_shape = None if self.images is None else self.images.shape[1:]
        self._grid_centres()
        self.grid = self._decode(self._grid_points()).reshape(self.grid_size, self.grid_size, *self.image_shape)
        self.value_range = self._value_range(value_range, func)
        self.outside = int(np.sum((codes[:, 0] < self.bounds[0]) | (codes[:, 0] > self.bounds[1])
                                  | (codes[:, 1] < self.bounds[2]) | (codes[:, 1] > self.bounds[3])))
        key = hashlib.sha1(codes.tobytes())
        key.update(b"" if self.labels is None else self.labels.tobytes())
        key.update(repr((self.image_shape, self.images is not None)).encode())
        self.data_key = key.hexdigest()[:16]
        if endpoints is None:
            endpoints = self._default_pair()
        elif not isinstance(endpoints, (tuple, list)) or len(endpoints) != 2:
            _fail("endpoints", func, "a pair (a, b) of digit indices", repr(endpoints), "Pass e.g. endpoints=(0, 1).",
                  exc=TypeError)
        self.step = 0
        self.set_endpoints(*endpoints)
        self.move(*self.codes[self.endpoints[0]])

    # --- set-up -------------------------------------------------------------------------------------------
    @classmethod
    def from_model(cls, model, images, labels=None, **options):
        """The state of ``model`` (``encode``/``decode``, a 2-D code) on ``images``: codes = :func:`encode_2d`.

        Args:
            model: an autoencoder or VAE with a 2-unit code; images: (N, …) digits; labels: None or (N,).
            **options: as :class:`LatentState` (``grid_size``, ``steps``, ``endpoints``, ``value_range``, ``rng``,
                ``description``).

        Returns:
            a :class:`LatentState`.
        """
        func = "LatentState.from_model"
        if not callable(getattr(model, "decode", None)):
            _fail("model", func, "an autoencoder or VAE with encode(x) and decode(z)", type(model).__name__,
                  "Pass e.g. a scratch Autoencoder or VAE with a 2-unit code.", exc=TypeError)
        codes = encode_2d(model, images, func)
        options.setdefault("description", f"{type(model).__name__} with a 2-D code")
        return cls(model.decode, codes, labels=labels, images=images, **options)

    @staticmethod
    def _bounds(codes):
        """The central 99 % of the codes along each axis, widened by 10 % of its width on both sides."""
        lo = np.percentile(codes, 0.5, axis=0)
        hi = np.percentile(codes, 99.5, axis=0)
        width = np.maximum(hi - lo, 1e-6 * np.maximum(1.0, np.abs(codes).max(axis=0)))
        lo, hi = lo - 0.1 * width, hi + 0.1 * width
        return (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))

    def _grid_centres(self):
        g = self.grid_size
        x0, x1, y0, y1 = self.bounds
        self.cell_width = ((x1 - x0) / g, (y1 - y0) / g)
        self.grid_z1 = x0 + (np.arange(g) + 0.5) * self.cell_width[0]          # (G,) columns, left to right
        self.grid_z2 = y1 - (np.arange(g) + 0.5) * self.cell_width[1]          # (G,) rows, top to bottom

    def _grid_points(self):
        z1, z2 = np.meshgrid(self.grid_z1, self.grid_z2)                       # (G, G) each, [row, col]
        return np.stack([z1.ravel(), z2.ravel()], axis=1)                      # (G·G, 2), row by row

    def _value_range(self, value_range, func):
        if value_range is not None:
            return check_interval(value_range, "value_range", func, bounds=("lo", "hi"), example=(0, 1))
        ref = self.images if self.images is not None else self.grid
        lo, hi = float(ref.min()), float(ref.max())
        if lo >= 0 and hi <= 1:
            return 0.0, 1.0
        if lo >= -1 and hi <= 1:
            return -1.0, 1.0
        return (lo, hi) if lo < hi else (lo - 0.5, lo + 0.5)

    def _default_pair(self):
        if self.labels is not None:
            other = np.flatnonzero(self.labels != self.labels[0])
            if other.size:
                return 0, int(other[0])
        return 0, 1

    # --- decoding, cached ---------------------------------------------------------------------------------
    def _decode(self, points):
        """Images at ``points`` (M, 2): from the cache where decoded before, the rest in one call of ``decode``."""
        points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        keys = [(float(a), float(b)) for a, b in points]
        missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
        if missing:
            with single_thread_blas():              # a few codes at a time: one BLAS thread is fastest
                out = self._decode_fn(np.array(missing, dtype=np.float64))
            self.decode_calls += 1
            images = as_image_batch(out, len(missing), "LatentState")
            if self.image_shape is None:
                self.image_shape = images.shape[1:]
            elif images.shape[1:] != tuple(self.image_shape):
                _fail("decode(z)", "LatentState", f"images of shape {tuple(self.image_shape)} (the digits' shape)",
                      f"images of shape {images.shape[1:]}", "Pass the decoder of the model that made the codes.")
            for k, img in zip(missing, images):
                img.setflags(write=False)
                self._cache[k] = img
        result = np.stack([self._cache[k] for k in keys])
        for k in keys:
            self._cache.move_to_end(k)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return result

    # --- moves ----------------------------------------------------------------------------------------------
    def move(self, z1=None, z2=None):
        """Move the point to (z1, z2) (None keeps that coordinate) and decode there: the sliders.

        Args:
            z1, z2: finite numbers (points outside the view are allowed).

        Returns:
            self (so ``state.move(0, 1).image`` reads the decoded digit).
        """
        func = "LatentState.move"
        z = self.z.copy() if hasattr(self, "z") else np.zeros(2)
        for i, (v, name) in enumerate(((z1, "z1"), (z2, "z2"))):
            if v is not None:
                z[i] = float(check_number(v, name, func, fix=f"Pass a finite coordinate, e.g. {name}=0.5."))
        self.z = z
        self.image = self._decode(z[None])[0]
        self.mode = "point"
        return self

    def pick_cell(self, row, col):
        """Move the point to the centre of grid cell (row, col) (row 0 at the top): a click on the manifold grid.

        Args:
            row, col: whole numbers in [0, grid_size).

        Returns:
            self.
        """
        func = "LatentState.pick_cell"
        g = self.grid_size
        fix = f"Pass a cell of the {g} × {g} grid, 0 … {g - 1}."
        r = int(check_number(row, "row", func, low=0, high=g - 1, integer=True, fix=fix))
        c = int(check_number(col, "col", func, low=0, high=g - 1, integer=True, fix=fix))
        return self.move(self.grid_z1[c], self.grid_z2[r])

    def cell_at(self, fx, fy):
        """The grid cell (row, col) under a point of the grid picture given as fractions of its width and height.

        Args:
            fx: 0 at the left edge, 1 at the right; fy: 0 at the top, 1 at the bottom (values just outside are
                clamped to the border cells).

        Returns:
            (row, col).
        """
        func = "LatentState.cell_at"
        fx = float(check_number(fx, "fx", func, fix="Pass the click's position as a fraction of the width."))
        fy = float(check_number(fy, "fy", func, fix="Pass the click's position as a fraction of the height."))
        g = self.grid_size
        return min(g - 1, max(0, int(fy * g))), min(g - 1, max(0, int(fx * g)))

    def cell_of(self, z):
        """The (row, col) of the grid cell holding point ``z`` (2,), or None outside the grid."""
        x0, x1, y0, y1 = self.bounds
        if not (x0 <= z[0] <= x1 and y0 <= z[1] <= y1):
            return None
        g = self.grid_size
        col = min(g - 1, int((z[0] - x0) / self.cell_width[0]))
        row = min(g - 1, int((y1 - z[1]) / self.cell_width[1]))
        return row, col

    def set_endpoints(self, a, b):
        """Draw the line between the codes of digits ``a`` and ``b`` and decode its ``steps`` points.

        z(t) = (1 − t)·codes[a] + t·codes[b], t = k / (steps − 1), k = 0 … steps − 1. Keeps the current step
        (the point moves along the new line only in "line" mode).

        Args:
            a, b: two different digit indices in [0, N).

        Returns:
            self.
        """
        func = "LatentState.set_endpoints"
        n = len(self.codes)
        a, b = _index(a, "a", func, n), _index(b, "b", func, n)
        if a == b:
            _fail("a and b", func, "two different digits", f"a = b = {a}",
                  "Pick two digits, or press 'random pair'.")
        self.endpoints = (a, b)
        self._line()
        if getattr(self, "mode", "point") == "line":
            self.set_step(self.step)
        return self

    def _line(self):
        a, b = self.endpoints
        t = np.linspace(0.0, 1.0, self.steps)[:, None]                          # (n, 1)
        self.line = (1 - t) * self.codes[a] + t * self.codes[b]                  # (n, 2)
        self.line[0], self.line[-1] = self.codes[a], self.codes[b]               # the ends exactly
        self.strip = self._decode(self.line)                                     # (n, H, W)
        self.step = min(self.step, self.steps - 1)

    def set_steps(self, steps):
        """Change the number of points on the line (2 … :data:`MAX_STEPS`) and decode them.

        Returns:
            self.
        """
        self.steps = int(check_number(steps, "steps", "LatentState.set_steps", low=2, high=MAX_STEPS, integer=True,
                                      fix=f"Pass a whole number of points from 2 to {MAX_STEPS}."))
        mode = self.mode
        self._line()
        if mode == "line":
            self.set_step(self.step)
        return self

    def random_pair(self, rng=None):
        """Choose two digits at random (of different classes when labels are known) and draw the line between them.

        Args:
            rng: Generator, int seed or None: the state's own stream (seeded by ``rng`` at creation).

        Returns:
            self.
        """
        rng = self.rng if rng is None else check_rng(rng, "LatentState.random_pair")
        n = len(self.codes)
        a = int(rng.integers(n))
        pool = np.flatnonzero(self.labels != self.labels[a]) if self.labels is not None else np.empty(0, int)
        if pool.size == 0:
            pool = np.delete(np.arange(n), a)
        b = int(pool[rng.integers(len(pool))])
        self.set_endpoints(a, b)
        return self.set_step(self.step)

    def set_step(self, k):
        """Move the point to the line's k-th point (0 = digit a, steps − 1 = digit b): the step slider.

        Returns:
            self.
        """
        self.step = int(check_number(k, "step", "LatentState.set_step", low=0, high=self.steps - 1, integer=True,
                                     fix=f"Pass a step from 0 to {self.steps - 1}."))
        self.z = self.line[self.step].copy()
        self.image = self.strip[self.step]
        self.mode = "line"
        return self

    # --- the frame ----------------------------------------------------------------------------------------
    def frame(self) -> LatentFrame:
        """Everything the picture needs, now."""
        a, b = self.endpoints
        return LatentFrame(
            codes=self.codes, labels=self.labels, bounds=self.bounds, outside=self.outside, z=self.z.copy(),
            image=self.image, value_range=self.value_range, mode=self.mode, grid=self.grid,
            grid_z1=self.grid_z1, grid_z2=self.grid_z2, cell=self.cell_of(self.z), endpoints=(a, b),
            endpoint_labels=None if self.labels is None else (int(self.labels[a]), int(self.labels[b])),
            endpoint_images=None if self.images is None else self.images[[a, b]], line=self.line.copy(),
            strip=self.strip, step=self.step, description=self.description, data_key=self.data_key)


# --- the explorer's state, defaults filled in -----------------------------------------------------------------

#: what the explorer says on screen when no model was passed ({n}: the number of digits PCA was fitted on)
STAND_IN_TEXT = ("Stand-in model, not a trained network: PCA with 2 components fitted on these {n:,} digits, "
                 "a linear code (what a linear autoencoder with a 2-unit bottleneck learns). Pass model=… "
                 "(an autoencoder or VAE with latent_dim=2) to explore a learned latent space.")


def make_latent_state(model=None, images=None, labels=None, **options) -> LatentState:
    """The explorer's state for ``model`` on ``images``, the gaps filled with the course's data and a stand-in.

    * ``images`` None: the 4,000 training digits of :func:`dlhelpers.data.mnist_5k_split` (and their labels,
      when ``labels`` is None too).
    * ``model`` None: a :class:`PCACode` with 2 components fitted on the images, deterministic and instant,
      stated on screen as a stand-in (:data:`STAND_IN_TEXT`). A tiny dense autoencoder trained for the 2–3 s
      a default may take reaches no lower reconstruction error than PCA-2 on these digits (measured on 500
      held-out digits: MSE 0.056 for both), so the stand-in shows the same picture with no training and no randomness.

    Args:
        model: None, or an autoencoder or VAE with a 2-unit code (``encode`` → (N, 2) or (mu, log_var),
            ``decode``).
        images: None, or (N, …) digits; labels: None or (N,) classes.
        **options: as :class:`LatentState`.

    Returns:
        a :class:`LatentState`.
    """
    if images is None:
        from ..data import mnist_5k_split
        train, _ = mnist_5k_split()
        images = train.images                                           # (4000, 28, 28) in [0, 1]
        if labels is None:
            labels = train.y
    if model is None:
        x = as_array(images, "images", "LatentExplorer", dtype=np.float64,
                     fix="Pass a batch of digits (N, H, W), (N, H, W, 1) or (N, H·W).")
        if x.ndim < 2:
            _fail("images", "LatentExplorer", "a batch (N, …) of images", f"shape {x.shape}",
                  "A single image: image[None].")
        model = PCACode.fit(as_image_batch(x, len(x), "LatentExplorer", name="images"), 2)
        options.setdefault("description", STAND_IN_TEXT.format(n=len(x)))
    return LatentState.from_model(model, images, labels, **options)
