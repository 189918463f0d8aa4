"""Corrupted digits, a normal/anomalous split, and the baselines an autoencoder must beat.

* Noise for a denoising autoencoder: :func:`gaussian_noise` (x + σ·ε, ε ~ N(0, 1), clipped back to the pixel
  range) and :func:`salt_and_pepper_noise` (Unit II's ``dlhelpers.scratch.augment.salt_and_pepper`` for batches of
  grey images).
* Anomaly detection: :func:`anomaly_split` keeps some classes as "normal" (training on them only) and holds the
  others out as anomalies, which appear in the validation and test parts only, flagged by ``is_anomaly``.
* Baselines computed from the same data: :func:`pca_reconstruct` (the best linear code of k numbers, fitted on
  training images) and :func:`median_filter_denoise` (a k × k median filter per image).

Example:
    >>> from dlhelpers.data import mnist_5k
    >>> split = anomaly_split(mnist_5k(), anomalous=(9,), rng=0)
    >>> noisy = gaussian_noise(split.test.images, sigma=0.2, rng=0)          # still in [0, 1]
"""
from __future__ import annotations

import dataclasses
import hashlib
import numbers
from dataclasses import dataclass

import numpy as np

from .._checks import (_fail, as_array, check_finite_result, check_in_range, check_interval, check_nonempty,
                       check_number, check_rng)
from . import Dataset

__all__ = ["gaussian_noise", "salt_and_pepper_noise", "AnomalyDataset", "AnomalySplit", "anomaly_split",
           "pca_reconstruct", "median_filter_denoise"]


# --- noise --------------------------------------------------------------------------------------------

def gaussian_noise(images, sigma, rng=None, clip=(0.0, 1.0)) -> np.ndarray:
    """x̃ = clip(x + σ·ε, lo, hi) with ε ~ N(0, 1) drawn independently for every pixel.

    Args:
        images: (N, D), (N, H, W) or (N, H, W, C) pixels, e.g. (N, 28, 28) digits in [0, 1].
        sigma: ≥ 0, the noise's standard deviation in pixel units (σ = 0.2 is 20 % of the [0, 1] scale).
        rng: a ``np.random.Generator``, an int seed or None.
        clip: ``(lo, hi)``: the pixel range; the images must lie inside it and the noisy ones are clipped back
            to it; None adds the noise unclipped. Pass ``clip=(-1, 1)`` for images in [−1, 1].

    Returns:
        The noisy images, the same shape; float32 for float32 input, else float64.

    Example:
        >>> x = np.full((2, 4, 4), 0.5)
        >>> y = gaussian_noise(x, sigma=0.1, rng=0)
        >>> y.shape, bool(np.all((0 <= y) & (y <= 1)))
        ((2, 4, 4), True)
    """
    func = "gaussian_noise"
    x = _pixels(images, func, ndim=(2, 3, 4), shape_hint="(N, D), (N, H, W) or (N, H, W, C)",
                fix="Pass a batch of images, e.g. dataset.images; a single image as image[None].")
    check_number(sigma, "sigma", func, low=0, fix="Pass a standard deviation in pixel units, e.g. sigma=0.2.")
    rng = check_rng(rng, func)
    clip = check_interval(clip, "clip", func, bounds=("lo", "hi"), example=(0, 1), allow_none=True,
                          fix="Pass the pixel range, e.g. clip=(0, 1) or clip=(-1, 1), or clip=None for no clipping.")
    if clip is not None:
        lo, hi = clip
        _inside(x, lo, hi, "clip", func)
    with np.errstate(over="ignore"):
        noisy = x + sigma * rng.standard_normal(x.shape)                 # (same shape as images), float64
    if clip is not None:
        noisy = np.clip(noisy, lo, hi)
    elif not np.all(np.isfinite(noisy)):
        _fail("images and sigma", func, "small enough that the noisy pixels stay finite",
              f"an overflow (pixels up to {np.max(np.abs(x)):.3g}, sigma={sigma!r})",
              "Rescale the images to [0, 1] and pass a noise level on that scale.")
    return noisy.astype(x.dtype, copy=False)


def _pixels(images, func, ndim, shape_hint, fix) -> np.ndarray:
    """Non-empty finite pixels as float32 when given as float32, else float64 (integers, bools included)."""
    x = as_array(images, "images", func, ndim=ndim, shape_hint=shape_hint, fix=fix)
    check_nonempty(x, "images", func)
    keep32 = x.dtype == np.float32 and np.asarray(images).dtype == np.float32
    return x if keep32 else x.astype(np.float64)


def _inside(x, lo, hi, name, func):
    low, high = float(x.min()), float(x.max())
    if low < lo or high > hi:
        _fail("images", func, f"inside {name}=({lo:g}, {hi:g})", f"pixels from {low:.4g} to {high:.4g}",
              f"Pass the images' own range as {name}, e.g. {name}=(-1, 1) for images in [−1, 1] or "
              f"{name}=(0, 255) for grey levels, or {name}=None to leave the noise unclipped.")


def salt_and_pepper_noise(images, amount=0.05, rng=None, salt=1.0, pepper=0.0) -> np.ndarray:
    """Set a share ``amount`` of the pixels to ``salt`` (white) or ``pepper`` (black), half each on average.

    The corruption is Unit II's :func:`dlhelpers.scratch.augment.salt_and_pepper`; this function also takes
    grey batches without a channel axis and keeps their shape.

    Args:
        images: (N, H, W) or (N, H, W, C) images; with C > 1 a chosen pixel changes in every channel.
        amount: in [0, 1], the expected share of corrupted pixels.
        rng: a ``np.random.Generator``, an int seed or None.
        salt, pepper: the two values (1 and 0 for [0, 1] images; pass ``pepper=-1`` for [−1, 1]).

    Returns:
        The corrupted images, the same shape; float32 for float32 input, else float64.

    Example:
        >>> y = salt_and_pepper_noise(np.full((1, 100, 100), 0.5), amount=0.1, rng=0)
        >>> round(float(np.mean(y != 0.5)), 2)
        0.1
    """
    from ..scratch.augment import salt_and_pepper
    func = "salt_and_pepper_noise"
    x = _pixels(images, func, ndim=(3, 4), shape_hint="(N, H, W) or (N, H, W, C)",
                fix="Pass a batch of images; a single image as image[None].")
    check_in_range(amount, "amount", func, 0.0, 1.0, inclusive=(True, True))
    check_number(salt, "salt", func, fix="Pass the white value, e.g. salt=1.0.")
    check_number(pepper, "pepper", func, fix="Pass the black value, e.g. pepper=0.0 (or -1.0 for [−1, 1]).")
    rng = check_rng(rng, func)
    if x.ndim == 3:
        return salt_and_pepper(x[..., None], amount=amount, rng=rng, salt=salt, pepper=pepper)[..., 0]
    return salt_and_pepper(x, amount=amount, rng=rng, salt=salt, pepper=pepper)


# --- a normal / anomalous split ------------------------------------------------------------------------

@dataclass(repr=False)
class AnomalyDataset(Dataset):
    """A :class:`~dlhelpers.data.Dataset` with ``is_anomaly`` (N,) bool: True for the samples of the anomalous
    classes (the labels ``y`` are kept too)."""
    is_anomaly: np.ndarray | None = None

    def __repr__(self):
        return (f"AnomalyDataset({self.name!r}: X {self.X.shape}, {int(np.sum(~self.is_anomaly))} normal, "
                f"{int(np.sum(self.is_anomaly))} anomalous; {self.source})")


@dataclass(frozen=True, eq=False)
class AnomalySplit:
    """Three parts for anomaly detection.

    Attributes:
        train: normal samples only (fit the model, e.g. an autoencoder, on these).
        val: normal and anomalous samples (choose the threshold on these).
        test: normal and anomalous samples (report AUROC and the precision/recall at that threshold).
        normal_classes, anomalous_classes: the class ids of each kind.
    """

    train: AnomalyDataset
    val: AnomalyDataset
    test: AnomalyDataset
    normal_classes: tuple
    anomalous_classes: tuple

    def __iter__(self):                    # train, val, test = split
        return iter((self.train, self.val, self.test))

    def __str__(self):
        def count(part):
            return f"{int(np.sum(~part.is_anomaly))} normal + {int(np.sum(part.is_anomaly))} anomalous"
        return (f"normal classes {list(self.normal_classes)}, anomalous {list(self.anomalous_classes)}: "
                f"train {len(self.train)} normal; validation {count(self.val)}; test {count(self.test)}")


def _class_ids(dataset, func) -> np.ndarray:
    if not isinstance(dataset, Dataset):
        _fail("dataset", func, "a dlhelpers.data.Dataset", type(dataset).__name__,
              "Load one first, e.g. dlhelpers.data.mnist_5k().", exc=TypeError)
    y = as_array(dataset.y, "dataset.y", func, ndim=1, shape_hint="(N,) class ids", dtype=np.float64)
    if y.size and np.any(y != np.round(y)):
        _fail("dataset.y", func, "whole class ids", "fractional labels",
              "Use a classification dataset such as mnist_5k() or digits().")
    if len(y) != len(dataset):
        _fail("dataset.y", func, f"one label per sample ({len(dataset)})", f"{len(y)} labels")
    return y.astype(np.int64)


def _anomalous_ids(anomalous, present, func) -> tuple:
    if isinstance(anomalous, np.ndarray) and anomalous.ndim == 0:
        anomalous = anomalous.item()
    if isinstance(anomalous, numbers.Integral):
        ids = [anomalous]
    elif isinstance(anomalous, (str, bytes)) or not hasattr(anomalous, "__iter__"):
        _fail("anomalous", func, "a class id or a sequence of class ids", repr(anomalous),
              "Pass e.g. anomalous=(9,) or anomalous=[3, 5].", exc=TypeError)
    else:
        ids = list(anomalous)
    for c in ids:
        if isinstance(c, (bool, np.bool_)) or not isinstance(c, numbers.Integral):
            _fail("anomalous", func, "whole class ids", repr(c), "Pass e.g. anomalous=(9,).", exc=TypeError)
    missing = sorted({int(c) for c in ids} - set(present))
    if not ids or missing:
        _fail("anomalous", func, f"one or more of the dataset's classes {sorted(present)}",
              f"{list(ids)!r}" + (f" ({missing} not present)" if missing else ""), "Pass e.g. anomalous=(9,).")
    if set(int(c) for c in ids) >= set(present):
        _fail("anomalous", func, "some of the classes, not all of them", repr(list(ids)),
              "Leave at least one class normal: the model is trained on the normal classes.")
    return tuple(sorted({int(c) for c in ids}))


def anomaly_split(dataset, anomalous=(9,), val_size=0.2, test_size=0.2, rng=None) -> AnomalySplit:
    """Train on the normal classes only; validate and test on normal and anomalous samples.

    Each normal class is split on its own (stratified): a share ``val_size`` of its samples to validation,
    ``test_size`` to test, the rest to training. Every sample of an anomalous class goes to validation or test,
    in the ratio val_size : test_size. Each part is shuffled, and the per-sample arrays of the dataset (``X``,
    ``y``, ``images``) travel with their rows (the extra fields of a Dataset subclass are not kept).

    Args:
        dataset: a classification :class:`~dlhelpers.data.Dataset` with whole class ids ``y`` (e.g. ``mnist_5k()``).
        anomalous: the anomalous class id(s), e.g. ``(9,)``; the other classes are normal.
        val_size, test_size: in (0, 1), with val_size + test_size < 1: the shares of each normal class.
        rng: a ``np.random.Generator``, an int seed or None.

    Returns:
        An :class:`AnomalySplit` of three :class:`AnomalyDataset` parts (``train, val, test = split``).

    Example:
        >>> from dlhelpers.data import digits
        >>> split = anomaly_split(digits(), anomalous=(9,), rng=0)
        >>> bool(split.train.is_anomaly.any()), bool(split.test.is_anomaly.any())
        (False, True)
    """
    func = "anomaly_split"
    y = _class_ids(dataset, func)
    present = [int(c) for c in np.unique(y)]
    bad = _anomalous_ids(anomalous, present, func)
    check_in_range(val_size, "val_size", func, 0.0, 1.0, inclusive=(False, False))
    check_in_range(test_size, "test_size", func, 0.0, 1.0, inclusive=(False, False))
    if val_size + test_size >= 1:
        _fail("val_size + test_size", func, "< 1 (the rest of the normal samples is the training set)",
              f"{val_size!r} + {test_size!r}", "Pass e.g. val_size=0.2, test_size=0.2.")
    rng = check_rng(rng, func)
    parts = {"train": [], "val": [], "test": []}
    for c in present:
        idx = rng.permutation(np.flatnonzero(y == c))
        if c in bad:                                                     # all to validation and test
            n_test = int(round(len(idx) * test_size / (val_size + test_size)))
            parts["test"].append(idx[:n_test])
            parts["val"].append(idx[n_test:])
        else:
            n_test, n_val = int(round(len(idx) * test_size)), int(round(len(idx) * val_size))
            parts["test"].append(idx[:n_test])
            parts["val"].append(idx[n_test:n_test + n_val])
            parts["train"].append(idx[n_test + n_val:])
    is_bad = np.isin(y, bad)
    normal = tuple(c for c in present if c not in bad)
    out = {}
    for tag, chunks in parts.items():
        ix = rng.permutation(np.concatenate(chunks))
        flags = is_bad[ix]
        need = ("normal",) if tag == "train" else ("normal", "anomalous")
        for kind in need:
            if not np.any(flags == (kind == "anomalous")):
                _fail("dataset", func, f"enough samples for {kind} samples in the {tag} part",
                      f"none (normal classes {list(normal)}, anomalous {list(bad)}, {len(y)} samples)",
                      "Pass a larger dataset, or larger val_size/test_size.")
        out[tag] = _part(dataset, ix, flags, tag, normal, bad)
    return AnomalySplit(out["train"], out["val"], out["test"], normal, bad)


def _part(dataset, ix, flags, tag, normal, bad) -> AnomalyDataset:
    rows = {f.name: getattr(dataset, f.name)[ix] for f in dataclasses.fields(dataset)
            if isinstance(getattr(dataset, f.name), np.ndarray) and len(getattr(dataset, f.name)) == len(dataset)}
    base = {f.name: rows.get(f.name, getattr(dataset, f.name)) for f in dataclasses.fields(Dataset)}
    what = {"train": "training (normal only)", "val": "validation", "test": "test"}[tag]
    base["name"] = f"{dataset.name} (anomaly {tag})"
    base["description"] = (f"{dataset.description}; {what} part of an anomaly split: normal classes "
                           f"{list(normal)}, anomalous {list(bad)}")
    return AnomalyDataset(**base, is_anomaly=flags)


# --- baselines ------------------------------------------------------------------------------------------

def _rows(x, name, func) -> np.ndarray:
    a = as_array(x, name, func, ndim=(2, 3, 4), shape_hint="(N, D), (N, H, W) or (N, H, W, C)", dtype=np.float64,
                 fix="Pass a batch of images or of flat rows; a single image as image[None].")
    return check_nonempty(a, name, func)


#: principal directions of recently seen training sets: (shape, SHA-1 of the pixels) → (mean (D,), Vᵀ (r, D))
_PCA_CACHE: dict = {}
_PCA_CACHE_SIZE = 4


def _pca_basis(rows) -> tuple[np.ndarray, np.ndarray]:
    """The mean (D,) and every principal direction (min(N, D), D) of the rows (N, D), by falling variance.

    One SVD per training set (cached), so a curve over k or a slider over bottleneck sizes fits once.
    """
    from .._blas import single_thread_blas
    rows = np.ascontiguousarray(rows)
    key = (rows.shape, hashlib.sha1(rows.tobytes()).hexdigest())
    if key not in _PCA_CACHE:
        mean = rows.mean(axis=0)                                         # (D,)
        centred = rows - mean
        if not np.all(np.isfinite(centred)):
            _fail("train", "pca_reconstruct", "pixels whose mean is finite in float64", "an overflow",
                  "Rescale the images, e.g. to [0, 1], first.")
        with single_thread_blas():                                       # far faster than threads on a busy machine
            _, _, vt = np.linalg.svd(centred, full_matrices=False)       # (r, D), r = min(N, D)
        while len(_PCA_CACHE) >= _PCA_CACHE_SIZE:
            _PCA_CACHE.pop(next(iter(_PCA_CACHE)))
        _PCA_CACHE[key] = (mean, vt)
    return _PCA_CACHE[key]


def pca_reconstruct(train, images, k) -> np.ndarray:
    """x̂ = μ + V_k V_kᵀ (x − μ): project onto the top-k principal components of the training images and back.

    μ (D,) is the training images' mean and V_k (D, k) their first k principal directions: the right singular
    vectors of the centred training matrix (the same subspace as scikit-learn's ``PCA(n_components=k)`` fitted on
    ``train``; the tests check the reconstructions are equal). This is the best linear code of k numbers (the
    smallest mean squared reconstruction error on the training images), the baseline of an autoencoder with a
    k-unit bottleneck. With k = D every image is reconstructed exactly. The decomposition of a training set is
    computed once and kept (the last four sets), so calls for several k cost one SVD.

    Args:
        train: (N, D), (N, H, W) or (N, H, W, C) training images (flattened to N rows of D pixels).
        images: (M, …) images with the same per-image shape, to reconstruct.
        k: a whole number, 1 ≤ k ≤ min(N, D).

    Returns:
        (M, …) float64 reconstructions, the shape of ``images`` (not clipped to the pixel range).

    Example:
        >>> x = np.random.default_rng(0).random((50, 4, 4))
        >>> bool(np.allclose(pca_reconstruct(x, x[:3], k=16), x[:3]))
        True
    """
    func = "pca_reconstruct"
    tr = _rows(train, "train", func)
    im = _rows(images, "images", func)
    if tr.shape[1:] != im.shape[1:]:
        _fail("images", func, f"the training images' per-image shape {tr.shape[1:]}", f"{im.shape[1:]}",
              "Reconstruct images of the same size (and layout) as the training images.")
    n, d = len(tr), int(np.prod(tr.shape[1:]))
    check_number(k, "k", func, low=1, high=min(n, d), integer=True,
                 fix=f"Pass a whole number of components between 1 and min(N, D) = {min(n, d)}.")
    with np.errstate(over="ignore", invalid="ignore"):                   # pixels near 1e308 overflow: refused below
        mean, vt = _pca_basis(tr.reshape(n, d))
        v_k = vt[:int(k)]                                                # (k, D)
        codes = (im.reshape(len(im), d) - mean) @ v_k.T                  # (M, k) the k numbers per image
        out = (mean + codes @ v_k).reshape(im.shape)
    return check_finite_result(out, "the reconstruction", func, "Rescale the images, e.g. to [0, 1], first.")


def median_filter_denoise(images, size=3) -> np.ndarray:
    """Replace every pixel with the median of the ``size`` × ``size`` window around it, image by image.

    ``scipy.ndimage.median_filter`` with a (1, size, size[, 1]) window, so images and channels never mix;
    edges are reflected (``mode="reflect"``). A median ignores a few outliers in the window, so it removes
    salt-and-pepper noise well and Gaussian noise less well; it also rounds off thin strokes.

    Args:
        images: (N, H, W) or (N, H, W, C).
        size: a whole number, 1 ≤ size ≤ max(H, W) (1 returns the images unchanged).

    Returns:
        The filtered images, the same shape; float32 for float32 input, else float64.

    Example:
        >>> x = np.zeros((1, 5, 5)); x[0, 2, 2] = 1.0                  # one white speck
        >>> float(median_filter_denoise(x).max())
        0.0
    """
    from scipy.ndimage import median_filter
    func = "median_filter_denoise"
    x = _pixels(images, func, ndim=(3, 4), shape_hint="(N, H, W) or (N, H, W, C)",
                fix="Pass a batch of images; a single image as image[None].")
    check_number(size, "size", func, low=1, high=max(x.shape[1:3]), integer=True,
                 fix=f"Pass a small odd window, e.g. size=3 (at most max(H, W) = {max(x.shape[1:3])}).")
    window = (1, int(size), int(size)) + ((1,) if x.ndim == 4 else ())
    return median_filter(x, size=window, mode="reflect")
