"""How good are generated samples? Scores for generated digits and for generated 2-D points.

Digits are scored with a small CNN trained on MNIST 5k (:func:`digit_classifier`, loaded into the scratch
twin from ``data/checkpoints/digit_classifier.npz``, made by ``scripts/train_digit_classifier.py``):

* **digit FD** (:func:`digit_fd`) — the Fréchet distance (:func:`frechet_distance`) between the
  classifier's penultimate features of two sets of images, as FID does with Inception features: small when
  the generated digits look like real ones *and* vary as much;
* **class coverage** (:func:`class_coverage`) — how many of the 10 digits appear, and each one's share;
* **inception score** (:func:`inception_score`) — exp E KL(p(y|x) ‖ p(y)): high when every image is
  clearly one digit and all digits appear (1 ≤ IS ≤ 10).

A figure means little alone, so :func:`digit_reference_values` computes the same scores for real digits, real
digits blurred, a single class only (full mode collapse) and uniform noise, to print beside every result.

2-D samples are scored against a :class:`dlhelpers.data.targets.GanTarget`: :func:`modes_covered` (how many
modes received enough samples within 3σ of their centre) and :func:`high_quality_share` (the share of
samples within 3σ of some centre).

Reconstructions are scored against their originals with :func:`psnr` and :func:`ssim` (equal to
scikit-image's; :func:`mean_psnr` / :func:`mean_ssim` over a batch), and anomaly scores with
:func:`anomaly_summary` (AUROC, average precision, the ROC and precision–recall curves),
:func:`choose_threshold` (on validation data) and :func:`precision_recall_at` (on test data).

NumPy, SciPy and scikit-learn only: TensorFlow is needed just to re-train the classifier (in the script).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._checks import _fail, as_array, check_choice, check_nonempty, check_number, check_rng

__all__ = ["frechet_distance", "DIGIT_CLASSIFIER_CHECKPOINT", "digit_classifier_network", "DigitClassifier",
           "digit_classifier", "digit_fd", "ClassCoverage", "class_coverage", "inception_score", "mode_counts",
           "modes_covered", "high_quality_share", "DigitScore", "DigitReference", "digit_reference_values",
           # Unit V: image quality and anomaly scores
           "psnr", "ssim", "mean_psnr", "mean_ssim", "AnomalySummary", "anomaly_summary", "THRESHOLD_RULES",
           "choose_threshold", "ThresholdReport", "precision_recall_at"]

#: the checkpoint under the course's data folder (``dlhelpers.data.course.data_dir()``)
DIGIT_CLASSIFIER_CHECKPOINT = "checkpoints/digit_classifier.npz"

#: a pixel may lie this far outside [−1, 1] (float32 rounding of a tanh output) and still count as inside
_RANGE_SLACK = 1e-5


# --- Fréchet distance ---------------------------------------------------------------------------------

def _features(x, name, func) -> np.ndarray:
    x = as_array(x, name, func, ndim=2, shape_hint="(N, features)", dtype=np.float64,
                 fix="Pass one row of features per sample, e.g. x.reshape(len(x), -1).")
    if len(x) < 2:
        _fail(name, func, "at least 2 rows (samples) to estimate a covariance", f"shape {x.shape}",
              "Pass more samples (rows); a few hundred give a stable figure.")
    check_nonempty(x, name, func)
    return x


def _stats(x) -> tuple[np.ndarray, np.ndarray]:
    """The mean (D,) and the covariance (D, D) of the rows of x, ddof = 1 (as FID)."""
    return x.mean(axis=0), np.atleast_2d(np.cov(x, rowvar=False))


def _psd_eigvals(c) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending) and eigenvectors of a symmetric PSD matrix; rounding noise (below
    D·eps·largest, negative or not) is set to 0, so a singular matrix's square root stays exact."""
    w, v = np.linalg.eigh((c + c.T) / 2)
    tol = len(w) * np.finfo(np.float64).eps * max(float(w[-1]), 0.0)
    return np.where(w > tol, w, 0.0), v


def _psd_sqrt(c) -> np.ndarray:
    """The symmetric square root V diag(√w) Vᵀ of a symmetric positive semi-definite matrix."""
    w, v = _psd_eigvals(c)
    return (v * np.sqrt(w)) @ v.T


def _fd_from_stats(mu_a, cov_a, mu_b, cov_b) -> float:
    # Tr (Ca Cb)^½ = Tr (Ca^½ Cb Ca^½)^½: the second matrix is symmetric PSD, so its eigenvalues are real, ≥ 0
    root_a = _psd_sqrt(cov_a)
    tr_sqrt = np.sum(np.sqrt(_psd_eigvals(root_a @ cov_b @ root_a)[0]))
    fd = np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * tr_sqrt
    return float(max(fd, 0.0))                                           # ≥ 0; a −1e-13 is rounding


def frechet_distance(features_a, features_b) -> float:
    """FD = ‖μa − μb‖² + Tr(Ca + Cb − 2 (Ca Cb)^½), the Fréchet distance of two Gaussians fitted to the rows.

    The means are ``a.mean(0)``, the covariances ``np.cov(a, rowvar=False)`` (ddof = 1), as in FID.
    ``Tr (Ca Cb)^½`` is computed as ``Tr (Ca^½ Cb Ca^½)^½`` with symmetric eigendecompositions, which stays
    real and stable when the covariances are singular (fewer samples than features, dead units).

    Args:
        features_a: (Na, D), one row per sample.
        features_b: (Nb, D), the same D; Na, Nb ≥ 2.

    Returns:
        float ≥ 0; 0 for identical rows. Shifting every row of one set by v adds ‖v‖².

    Example:
        >>> a = np.random.default_rng(0).normal(size=(500, 3))
        >>> round(frechet_distance(a, a + [1.0, 2.0, 0.0]), 6)
        5.0
    """
    func = "frechet_distance"
    a = _features(features_a, "features_a", func)
    b = _features(features_b, "features_b", func)
    if a.shape[1] != b.shape[1]:
        _fail("features_a and features_b", func, "the same number of features (columns)",
              f"{a.shape[1]} and {b.shape[1]}", "Compute both with the same feature extractor.")
    return _fd_from_stats(*_stats(a), *_stats(b))


# --- the digit classifier -------------------------------------------------------------------------------

def digit_classifier_network(rng=0, dtype=np.float32, num_classes=10):
    """The classifier's architecture as a scratch ``Sequential`` (untrained), input (28, 28, 1) in [−1, 1].

    Conv2D(16, 3, relu) → MaxPooling2D(2) → Conv2D(32, 3, relu) → MaxPooling2D(2) → Flatten →
    Dense(64, relu) (the features) → Dense(num_classes, softmax); 56,714 parameters for 10 classes. The
    training script builds its Keras twin from this same network, and :func:`digit_classifier` loads the
    checkpoint into it.

    Args:
        rng: seed of the (unused once loaded) initial weights.
        dtype: the parameters' dtype (float32: the checkpoint's).
        num_classes: the number of outputs: 10 for the course's classifier, fewer for one trained on the
            normal digits of an anomaly split (``scripts/train_digit_classifier.py --anomalous 9``).

    Returns:
        A built ``dlhelpers.scratch.network.Sequential``.
    """
    from .scratch.network import Conv2D, Dense, Flatten, MaxPooling2D, Sequential
    num_classes = int(check_number(num_classes, "num_classes", "digit_classifier_network", integer=True, low=2,
                                   high=10, fix="Pass a whole number of digits from 2 to 10, e.g. num_classes=10."))
    return Sequential([Conv2D(16, 3, activation="relu"), MaxPooling2D(2), Conv2D(32, 3, activation="relu"),
                       MaxPooling2D(2), Flatten(), Dense(64, "relu"), Dense(num_classes, "softmax")],
                      input_shape=(28, 28, 1), rng=rng, dtype=dtype)


def _images(images, func, name="images") -> np.ndarray:
    """(N, 28, 28) or (N, 28, 28, 1) pixels in [−1, 1] → float32 (N, 28, 28, 1), with fixes for the usual mistakes."""
    x = as_array(images, name, func, ndim=(3, 4), shape_hint="(N, 28, 28) or (N, 28, 28, 1)",
                 fix="Pass a batch of 28×28 images: a single image as image[None], flat rows as x.reshape(-1, 28, 28).")
    if x.shape[1:3] != (28, 28) or (x.ndim == 4 and x.shape[3] != 1):
        _fail(name, func, "28×28 grey images (N, 28, 28) or (N, 28, 28, 1)", f"shape {x.shape}",
              "The classifier reads MNIST-sized digits: resize 8×8 digits first, or put the one channel last.")
    check_nonempty(x, name, func)
    low, high = float(x.min()), float(x.max())
    if low < -1 - _RANGE_SLACK or high > 1 + _RANGE_SLACK:
        _fail(name, func, "pixels in [−1, 1]", f"values from {low:.4g} to {high:.4g}",
              "Scale to [−1, 1] with images / 127.5 - 1 (from 0–255) or 2 * images - 1 (from [0, 1]).")
    if low >= 0:
        _fail(name, func, "pixels in [−1, 1] with a dark background at −1", f"no negative pixel (values from "
              f"{low:.4g} to {high:.4g}), as images in [0, 1] would have",
              "Scale to [−1, 1] with 2 * images - 1 (from [0, 1]) or images / 127.5 - 1 (from 0–255).")
    return x.reshape(len(x), 28, 28, 1).astype(np.float32)


def _shown(arr) -> str:
    """A short display of a 1-D array: all its values, or the first 12 and a count."""
    values = arr.tolist()
    return str(values) if len(values) <= 12 else f"{str(values[:12])[:-1]}, ...] ({len(values)} values)"


def _count(arr) -> str:
    return f"{len(arr)} digit{'' if len(arr) == 1 else 's'} {_shown(arr)}"


def _digit_classes(classes, name, func, outputs=None, fix="") -> np.ndarray:
    """``classes`` → (K,) int64: distinct whole-number digits 0–9, K = ``outputs`` (or 2 ≤ K ≤ 10 if None)."""
    try:
        arr = np.asarray(classes)
    except Exception:                                   # ragged nesting and the like
        arr = np.asarray(None, dtype=object)
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.astype(np.int64)                      # an empty list: refused below for its length
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        got = (f"{type(classes).__name__} {classes!r}" if arr.dtype == object or arr.ndim != 1
               else f"{'text' if arr.dtype.kind in 'US' else arr.dtype} values {_shown(arr)}")
        _fail(name, func, "whole numbers (the digits 0–9 as ints)", got, fix, exc=TypeError)
    if arr.ndim != 1:
        _fail(name, func, "a 1-D sequence of digits", f"shape {arr.shape}", fix)
    if outputs is not None and len(arr) != outputs:
        _fail(name, func, f"one digit per output of the network ({outputs})", _count(arr), fix)
    if outputs is None and not 2 <= len(arr) <= 10:
        _fail(name, func, "2 to 10 digits (one per output of the network)", _count(arr), fix)
    bad = [int(c) for c in arr if not 0 <= c <= 9]
    if bad:
        _fail(name, func, "digits in 0–9", f"{bad} in {_shown(arr)}", fix)
    values, counts = np.unique(arr, return_counts=True)
    if np.any(counts > 1):
        _fail(name, func, "distinct digits (one output per digit)",
              f"{values[counts > 1].tolist()} more than once in {_shown(arr)}", fix)
    return arr.astype(np.int64)


class DigitClassifier:
    """A trained digit classifier (scratch CNN) with the three views the metrics need.

    Every method takes images (N, 28, 28) or (N, 28, 28, 1) in [−1, 1] (background −1) and runs the network
    in batches of ``batch_size``.

    Attributes:
        network: the scratch ``Sequential`` (see :func:`digit_classifier_network`).
        source: where its weights came from (shown on screen).
        classes: the digit each output stands for, (K,) ints: 0 … 9 for the course's classifier, the normal
            digits only (e.g. 0 … 8) for one trained on an anomaly split.
    """

    def __init__(self, network, source="", batch_size=500, classes=None):
        self.network = network
        self.source = source
        self.batch_size = batch_size
        outputs = network.layers[-1].units
        self.classes = np.arange(outputs) if classes is None else _digit_classes(
            classes, "classes", "DigitClassifier", outputs=outputs,
            fix="Pass the digits the outputs stand for, in order, e.g. classes=[0, 1, 2, 4, 5, 6, 7, 8, 9] for a "
                "classifier without the 3s.")

    def __repr__(self):
        return f"DigitClassifier({self.network.count_params()} parameters; {self.source})"

    def _run(self, x, layers, float64=True):
        from ._blas import single_thread_blas
        outs = []
        with single_thread_blas():        # small products: one BLAS thread is as fast idle, far faster when busy
            for start in range(0, len(x), self.batch_size):
                out = x[start:start + self.batch_size]
                for layer in layers:
                    out = layer.forward(out)
                outs.append(out)
        out = np.concatenate(outs)
        return out.astype(np.float64) if float64 else out

    def predict_proba(self, images) -> np.ndarray:
        """p(y | x): the softmax outputs, (N, K) for the K digits of :attr:`classes`, each row summing to 1."""
        return self._run(_images(images, "DigitClassifier.predict_proba"), self.network.layers)

    def predict(self, images) -> np.ndarray:
        """The most probable digit of each image, (N,) ints from :attr:`classes`."""
        return self.classes[np.argmax(self.predict_proba(images), axis=1)]

    def features(self, images) -> np.ndarray:
        """The penultimate layer's activations (N, 64): the features behind :func:`digit_fd`."""
        return self._run(_images(images, "DigitClassifier.features"), self.network.layers[:-1])

    def features_and_proba(self, images) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`features` and :meth:`predict_proba` from one pass: ((N, 64), (N, K)) for the K digits of
        :attr:`classes` (K = 10 for the course's classifier), the same numbers as the two calls (the softmax
        layer reads the same features in the same batches)."""
        x = _images(images, "DigitClassifier.features_and_proba")
        feats = self._run(x, self.network.layers[:-1], float64=False)
        return feats.astype(np.float64), self._run(feats, self.network.layers[-1:])

    def accuracy(self, images, labels) -> float:
        """The share of images whose predicted digit equals ``labels`` (N,)."""
        pred = self.predict(images)
        y = _labels(labels, "labels", "DigitClassifier.accuracy")
        if len(y) != len(pred):
            _fail("labels", "DigitClassifier.accuracy", f"one label per image ({len(pred)})", f"{len(y)} labels")
        return float(np.mean(pred == y))


def _remake(path: Path) -> str:
    return (f"Re-create it with python scripts/train_digit_classifier.py [--anomalous D ...] --out {path} "
            "(--anomalous for a classifier of the other digits only).")


def _load_classifier(path: Path) -> DigitClassifier:
    func = "digit_classifier"
    with np.load(path, allow_pickle=False) as weights:
        params = {k: weights[k] for k in weights.files if k != "classes"}
        classes = weights["classes"] if "classes" in weights.files else None
    if classes is not None:            # checked here: a count outside 2..10 must not reach the network's own check
        classes = _digit_classes(classes, f"the classes saved in the checkpoint {path}", func, fix=_remake(path))
    net = digit_classifier_network(num_classes=10 if classes is None else len(classes))
    if sorted(params) != sorted(net.params):
        missing, extra = sorted(set(net.params) - set(params)), sorted(set(params) - set(net.params))
        _fail(f"the checkpoint {path}", func, f"the keys {sorted(net.params)} (and 'classes' for fewer than 10 "
              "digits)", f"missing {missing}, unexpected {extra}", _remake(path))
    wrong = [f"{k}: expected {v.shape}, got {params[k].shape}" for k, v in net.params.items()
             if params[k].shape != v.shape]
    if wrong:
        outputs = ("10 outputs (no 'classes' saved)" if classes is None
                   else f"{len(classes)} outputs ('classes' {classes.tolist()})")
        _fail(f"the checkpoint {path}", func, f"the network's shapes for {outputs}",
              "mismatching shapes " + "; ".join(wrong), _remake(path))
    net.set_params(params)
    return DigitClassifier(net, f"scratch CNN, weights from {path.name} (scripts/train_digit_classifier.py, "
                                "MNIST 5k)", classes=classes)


@functools.lru_cache(maxsize=4)
def _cached_classifier(path: str) -> DigitClassifier:
    return _load_classifier(Path(path))


def digit_classifier(path=None) -> DigitClassifier:
    """The course's digit classifier, loaded once (cached) from its checkpoint into the scratch twin.

    Args:
        path: a checkpoint made by ``scripts/train_digit_classifier.py``; None (default) is
            ``data/checkpoints/digit_classifier.npz`` of the course's data folder.

    Returns:
        A :class:`DigitClassifier` (the same object on every call with the same path).

    Raises:
        FileNotFoundError: the checkpoint is missing (the message says how to make it).
        ValueError: the checkpoint does not fit the network (keys, shapes or its ``classes``), or the default
            checkpoint is not the 10-digit classifier (outputs 0, 1, …, 9) that :func:`digit_fd`,
            :func:`class_coverage` and :func:`inception_score` rely on.
    """
    default = path is None
    if default:
        from .data.course import data_path
        path = data_path(DIGIT_CLASSIFIER_CHECKPOINT)
    path = Path(path)
    if not path.is_file():
        _fail("path", "digit_classifier", "an existing checkpoint file", str(path),
              "Make one with python scripts/train_digit_classifier.py --out PATH.", exc=FileNotFoundError)
    clf = _cached_classifier(str(path.resolve()))
    if default and not np.array_equal(clf.classes, np.arange(10)):
        _fail(f"the default checkpoint {path}", "digit_classifier", "the 10-digit classifier (outputs 0, 1, …, 9), "
              "the one behind digit_fd, class_coverage and inception_score", f"a classifier of the digits "
              f"{clf.classes.tolist()}", "Re-create it with python scripts/train_digit_classifier.py (without "
              "--anomalous), and load a classifier of fewer digits with digit_classifier(path).")
    return clf


def digit_fd(images_a, images_b, classifier=None) -> float:
    """Digit FD: :func:`frechet_distance` of the classifier's features of two sets of digit images.

    Args:
        images_a, images_b: (N, 28, 28) or (N, 28, 28, 1) in [−1, 1], at least 2 images each.
        classifier: a :class:`DigitClassifier`; None uses :func:`digit_classifier`.

    Returns:
        float ≥ 0: about 0 for two samples of the same digits; larger the less alike the two sets are.
        Compare samples of equal sizes (the estimate shrinks as the samples grow).
    """
    clf = digit_classifier() if classifier is None else classifier
    return frechet_distance(clf.features(images_a), clf.features(images_b))


# --- class coverage and inception score ------------------------------------------------------------------

def _labels(labels, name, func, num_classes=10) -> np.ndarray:
    y = as_array(labels, name, func, ndim=1, shape_hint="(N,) class ids", dtype=np.float64,
                 fix="Pass one integer label per sample, e.g. probs.argmax(axis=1).")
    if y.size and (np.any(y != np.round(y)) or y.min() < 0 or y.max() >= num_classes):
        _fail(name, func, f"whole class ids 0 … {num_classes - 1}", f"values from {y.min():g} to {y.max():g}",
              "Pass digits 0–9, e.g. classifier.predict(images).")
    return y.astype(int)


@dataclass(frozen=True, eq=False)
class ClassCoverage:
    """Which classes a sample covers.

    Attributes:
        classes_present: how many classes hold at least ``threshold`` of the sample.
        shares: (10,) each class's share of the sample (summing to 1).
        counts: (10,) each class's number of samples.
        threshold: the smallest share that counts as present.
    """

    classes_present: int
    shares: np.ndarray
    counts: np.ndarray
    threshold: float

    def __str__(self):
        low = int(np.argmin(self.shares))
        return (f"{self.classes_present} of {len(self.shares)} digits present (share ≥ {self.threshold:.0%}); "
                f"smallest share {self.shares[low]:.1%} (digit {low})")


def class_coverage(images_or_labels, threshold=0.05, classifier=None) -> ClassCoverage:
    """How many of the 10 digits appear: a class is present when its share of the sample is ≥ ``threshold``.

    Args:
        images_or_labels: digit images (N, 28, 28) or (N, 28, 28, 1) in [−1, 1], labelled by the classifier,
            or labels (N,) 0–9 already.
        threshold: the smallest share (in [0, 1]) that counts; a class with no sample never counts.
        classifier: a :class:`DigitClassifier` for images; None uses :func:`digit_classifier`.

    Returns:
        A :class:`ClassCoverage`; a sample of a single class only gives ``classes_present == 1``.

    Example:
        >>> class_coverage(np.repeat(np.arange(10), 10)).classes_present
        10
    """
    func = "class_coverage"
    check_number(threshold, "threshold", func, low=0, high=1, fix="Pass e.g. threshold=0.05 (5 %).")
    arr = as_array(images_or_labels, "images_or_labels", func, ndim=(1, 3, 4),
                   shape_hint="(N,) labels or (N, 28, 28[, 1]) images", fix="Pass labels 0–9 or a batch of images.")
    if arr.ndim == 1:
        y = _labels(arr, "images_or_labels", func)
        check_nonempty(y, "images_or_labels", func)
    else:
        clf = digit_classifier() if classifier is None else classifier
        y = clf.predict(_images(arr, func, "images_or_labels"))
    counts = np.bincount(y, minlength=10)
    shares = counts / counts.sum()
    present = int(np.sum((counts > 0) & (shares >= threshold)))
    return ClassCoverage(present, shares, counts, float(threshold))


def _probabilities(probs, func) -> np.ndarray:
    p = as_array(probs, "probs_or_images", func, ndim=2, dtype=np.float64)
    check_nonempty(p, "probs_or_images", func)
    sums = p.sum(axis=1)
    if p.min() < 0 or np.max(np.abs(sums - 1)) > 1e-3:
        _fail("probs_or_images", func, "class probabilities (N, K): non-negative rows summing to 1",
              f"values from {p.min():.4g} to {p.max():.4g}, row sums from {sums.min():.4g} to {sums.max():.4g}",
              "Pass softmax outputs (classifier.predict_proba(images)), not logits, or the images themselves.")
    return p / sums[:, None]


def inception_score(probs_or_images, classifier=None) -> float:
    """IS = exp( mean over x of KL(p(y|x) ‖ p(y)) ), with p(y) the mean of p(y|x) over the sample.

    High when each image is confidently one class (p(y|x) peaked) and the classes are balanced (p(y) flat):
    1 ≤ IS ≤ K (10 for digits). One score over the whole sample (no splits).

    Args:
        probs_or_images: class probabilities (N, K), rows summing to 1, or digit images (N, 28, 28[, 1]) in
            [−1, 1] that the classifier turns into probabilities.
        classifier: a :class:`DigitClassifier` for images; None uses :func:`digit_classifier`.

    Returns:
        float in [1, K].

    Example:
        >>> round(inception_score(np.eye(10)), 6)          # ten confident, different classes
        10.0
    """
    func = "inception_score"
    arr = as_array(probs_or_images, "probs_or_images", func, ndim=(2, 3, 4),
                   shape_hint="(N, K) probabilities or (N, 28, 28[, 1]) images",
                   fix="Pass classifier.predict_proba(images) or the images.")
    if arr.ndim == 2:
        p = _probabilities(arr, func)
    else:
        clf = digit_classifier() if classifier is None else classifier
        p = clf.predict_proba(_images(arr, func, "probs_or_images"))
    p_y = p.mean(axis=0)                                                 # (K,) the marginal
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (np.log(p) - np.log(p_y)), 0.0)      # (N, K); 0 · log 0 = 0
    mean_kl = float(np.mean(terms.sum(axis=1)))
    return float(np.exp(min(max(mean_kl, 0.0), math.log(p.shape[1]))))  # the mutual information is in [0, log K]


# --- 2-D targets ------------------------------------------------------------------------------------------

def _target(target, func):
    from .data.targets import GanTarget
    if not isinstance(target, GanTarget):
        _fail("target", func, "a GanTarget", type(target).__name__,
              "Make one with dlhelpers.data.targets.gan_target('ring', n, rng=0).", exc=TypeError)
    return target


def _samples(samples, func) -> np.ndarray:
    x = as_array(samples, "samples", func, ndim=2, shape_hint="(n, 2)", dtype=np.float64,
                 fix="Pass one (x, y) point per row.")
    if x.shape[1] != 2:
        _fail("samples", func, "2-D points (n, 2)", f"shape {x.shape}", "Pass one (x, y) point per row.")
    check_nonempty(x, "samples", func)
    return x


def _distances(x, centers):
    """(n, M) distances from every sample to every centre, in chunks of 100,000 rows."""
    return np.concatenate([np.linalg.norm(x[i:i + 100_000, None, :] - centers[None], axis=2)
                           for i in range(0, len(x), 100_000)])


def mode_counts(samples, target) -> np.ndarray:
    """How many samples lie within 3σ (``target.std``) of each mode's centre.

    Args:
        samples: (n, 2) generated points.
        target: a :class:`~dlhelpers.data.targets.GanTarget`.

    Returns:
        (M,) ints, one per centre (a sample near two overlapping discs counts for both).
    """
    target = _target(target, "mode_counts")
    x = _samples(samples, "mode_counts")
    return np.sum(_distances(x, target.centers) <= 3 * target.std, axis=0)


def modes_covered(samples, target, min_count=None) -> int:
    """The number of modes with at least ``min_count`` samples within 3σ of their centre.

    Args:
        samples: (n, 2) generated points.
        target: a :class:`~dlhelpers.data.targets.GanTarget` (its ``centers`` and ``std``).
        min_count: the samples a mode needs; None (default) is a fifth of a fair share,
            ``ceil(0.2 · n / M)`` (at least 1): 25 of 1,000 samples on the 8-mode ring, in the spirit of
            PacGAN's "fewer than 20 of 2,500 samples within 3σ" for a lost mode of the 25-mode grid.

    Returns:
        int in [0, M]: M for samples of the target itself, 1 when every sample sits on one mode.

    Example:
        >>> from dlhelpers.data.targets import gan_target
        >>> t = gan_target("ring", 1000, rng=0)
        >>> modes_covered(t.points, t), modes_covered(np.repeat(t.centers[:1], 1000, axis=0), t)
        (8, 1)
    """
    func = "modes_covered"
    counts = mode_counts(samples, target)
    n = len(np.asarray(samples))
    if min_count is None:
        need = max(1, math.ceil(0.2 * n / len(counts)))
    else:
        need = int(check_number(min_count, "min_count", func, low=1, integer=True,
                                fix="Pass a whole number ≥ 1, or None for a fifth of a fair share."))
    return int(np.sum(counts >= need))


def high_quality_share(samples, target) -> float:
    """The share of samples within 3σ (``target.std``) of the nearest mode's centre.

    Args:
        samples: (n, 2) generated points.
        target: a :class:`~dlhelpers.data.targets.GanTarget`.

    Returns:
        float in [0, 1]; about 0.99 for the target's own points (3σ holds 98.9 % of a 2-D Gaussian).
    """
    target = _target(target, "high_quality_share")
    x = _samples(samples, "high_quality_share")
    return float(np.mean(_distances(x, target.centers).min(axis=1) <= 3 * target.std))


# --- reference values for generated digits -----------------------------------------------------------------

@dataclass(frozen=True)
class DigitScore:
    """The scores of one sample of digit images against a reference set.

    Attributes:
        name: what the sample is ("real vs real", "generated", …).
        n: number of images.
        fd: digit FD against the reference set.
        coverage: the :class:`ClassCoverage` (threshold 5 %).
        inception_score: IS of the sample.
    """

    name: str
    n: int
    fd: float
    coverage: ClassCoverage
    inception_score: float

    @property
    def classes_present(self) -> int:
        return self.coverage.classes_present

    def row(self) -> str:
        c = self.coverage
        return (f"{self.name:<22}{self.n:>6}{self.fd:>11.2f}{c.classes_present:>10}/{len(c.shares)}"
                f"{c.shares.min():>13.1%}{self.inception_score:>8.2f}")


_HEADER = f"{'sample':<22}{'n':>6}{'digit FD':>11}{'classes':>13}{'min share':>13}{'IS':>8}"


@dataclass(frozen=True, eq=False)
class DigitReference:
    """Reference scores for digit images, and a way to score new samples against the same reference set.

    Attributes:
        rows: the reference :class:`DigitScore` rows: real vs real, real blurred, one class only, uniform noise.
        n_reference: the size of the reference set (the second half of the real images).
        description: which data and classifier the figures come from.
    """

    rows: tuple
    n_reference: int
    description: str
    classifier: DigitClassifier = field(repr=False)
    _mu: np.ndarray = field(repr=False)
    _cov: np.ndarray = field(repr=False)

    def __getitem__(self, name) -> DigitScore:
        for r in self.rows:
            if r.name == name:
                return r
        names = [r.name for r in self.rows]
        _fail("name", "DigitReference[...]", f"one of {names}", repr(name), exc=KeyError)

    def score(self, images, name="generated") -> DigitScore:
        """Digit FD (against the same reference set), class coverage (5 %) and IS of ``images``.

        Args:
            images: (N, 28, 28) or (N, 28, 28, 1) in [−1, 1]; use as many as the reference rows (``n``)
                for a fair comparison, since the FD estimate shrinks with the sample size.
            name: the row's label in :meth:`table`.

        Returns:
            A :class:`DigitScore`.
        """
        x = _images(images, "DigitReference.score")
        if len(x) < 2:
            _fail("images", "DigitReference.score", "at least 2 images", f"{len(x)}", "Generate more samples.")
        feats, probs = self.classifier.features_and_proba(x)
        return DigitScore(str(name), len(x), _fd_from_stats(*_stats(feats), self._mu, self._cov),
                          class_coverage(probs.argmax(axis=1)), inception_score(probs))

    def table(self, *scores) -> str:
        """The reference rows and then ``scores`` (:class:`DigitScore` objects) as one text table."""
        for s in scores:
            if not isinstance(s, DigitScore):
                _fail("scores", "DigitReference.table", "DigitScore objects (from reference.score(images))",
                      type(s).__name__, exc=TypeError)
        lines = [self.description, _HEADER, "-" * len(_HEADER), *(r.row() for r in self.rows)]
        if scores:
            lines += ["-" * len(_HEADER), *(s.row() for s in scores)]
        return "\n".join(lines)

    def __str__(self):
        return self.table()


def digit_reference_values(real_images, rng=None, blur_sigma=1.0, data_name="real digits",
                           classifier=None) -> DigitReference:
    """Reference scores to print beside every generated-digit result.

    The real images are shuffled with ``rng`` and split into two disjoint halves A and B. B is the
    reference set; each row scores a sample of A's size against it:

    * **real vs real** — A itself (the best a generator can hope for at this sample size);
    * **real blurred** — A with a Gaussian blur of ``blur_sigma`` pixels (scipy.ndimage.gaussian_filter);
    * **one class only** — the images of A the classifier puts in its most frequent class, drawn with
      replacement up to A's size (a generator in full mode collapse);
    * **uniform noise** — pixels uniform in [−1, 1].

    Args:
        real_images: (N, 28, 28) or (N, 28, 28, 1) real digits in [−1, 1], N ≥ 100 (e.g. 1,000 of
            ``mnist_5k(value_range=(-1, 1)).images``).
        rng: a ``np.random.Generator``, an int seed or None (the split, the resampling, the noise).
        blur_sigma: the blur's standard deviation in pixels (> 0).
        data_name: what the real images are, for the table's heading.
        classifier: a :class:`DigitClassifier`; None uses :func:`digit_classifier`.

    Returns:
        A :class:`DigitReference`: ``print(ref)`` shows the table, ``ref.score(images)`` scores a generated
        sample against the same reference set, ``ref.table(score, ...)`` prints it below the references.
    """
    from scipy.ndimage import gaussian_filter
    func = "digit_reference_values"
    x = _images(real_images, func, "real_images")
    if len(x) < 100:
        _fail("real_images", func, "at least 100 images (two halves of 50)", f"{len(x)}",
              "Pass e.g. 1,000 real digits: mnist_5k(value_range=(-1, 1)).images[:1000] shuffled.")
    check_number(blur_sigma, "blur_sigma", func, low=1e-3, high=28, fix="Pass e.g. blur_sigma=1.0 (pixels).")
    rng = check_rng(rng, func)
    clf = digit_classifier() if classifier is None else classifier
    order = rng.permutation(len(x))
    half = len(x) // 2
    a, b = x[order[:half]], x[order[half:2 * half]]                      # (half, 28, 28, 1) each
    mu, cov = _stats(clf.features(b))
    blurred = gaussian_filter(a, sigma=(0, blur_sigma, blur_sigma, 0), mode="nearest")   # stays in [−1, 1]
    pred_a = clf.predict(a)
    top = int(np.bincount(pred_a, minlength=10).argmax())
    one_class = a[rng.choice(np.flatnonzero(pred_a == top), size=half, replace=True)]
    noise = rng.uniform(-1.0, 1.0, size=a.shape).astype(np.float32)
    ref = DigitReference((), half, "", clf, mu, cov)
    rows = (ref.score(a, "real vs real"), ref.score(blurred, f"real blurred (σ={blur_sigma:g})"),
            ref.score(one_class, f"one class only ({top})"), ref.score(noise, "uniform noise"))
    desc = (f"Digit scores against {half} held-back {data_name} ({clf.source}); classes: digits with ≥ 5 % "
            "of the sample; IS in [1, 10]")
    return DigitReference(rows, half, desc, clf, mu, cov)


# --- image quality: PSNR and SSIM -------------------------------------------------------------------------

_DATA_RANGE_FIX = ("Pass the width of the pixel scale: 1.0 for images in [0, 1], 2.0 for [−1, 1], 255 for grey "
                   "levels 0–255.")


def _data_range(data_range, func) -> np.float64:
    check_number(data_range, "data_range", func, fix=_DATA_RANGE_FIX)
    if data_range <= 0:
        _fail("data_range", func, "> 0 (the width of the pixel scale)", repr(data_range), _DATA_RANGE_FIX)
    return np.float64(data_range)              # NumPy's float: R² of a huge range is inf (checked), not an OverflowError


def _image_pair(reference, image, func) -> tuple[np.ndarray, np.ndarray]:
    """Two grey images (H, W) of the same shape, any real dtype, → float64 copies."""
    fix = ("Pass one grey image (H, W): drop a channel axis with image[..., 0]; for a batch (N, H, W) use "
           f"mean_{func}.")
    ref = as_array(reference, "reference", func, ndim=2, shape_hint="(H, W) grey image", dtype=np.float64, fix=fix)
    img = as_array(image, "image", func, ndim=2, shape_hint="(H, W) grey image", dtype=np.float64, fix=fix)
    check_nonempty(ref, "reference", func)
    check_nonempty(img, "image", func)
    _same_image_shape(ref, img, func)
    return ref, img


def _same_image_shape(ref, img, func):
    if ref.shape != img.shape:
        _fail("reference and image", func, "images of the same shape", f"shapes {ref.shape} and {img.shape}",
              "Compare an image with its own reconstruction (same size); resize or crop one of them first.")


def _image_batch(references, images, func) -> tuple[np.ndarray, np.ndarray]:
    """Two batches (N, H, W) or (N, H, W, 1) of the same shape → float64 (N, H, W) each."""
    fix = "Pass a batch of grey images (N, H, W) or (N, H, W, 1); a single image as image[None]."
    out = []
    for arr, name in ((references, "references"), (images, "images")):
        x = as_array(arr, name, func, ndim=(3, 4), shape_hint="(N, H, W) or (N, H, W, 1)", dtype=np.float64,
                     fix=fix)
        if x.ndim == 4 and x.shape[3] != 1:
            _fail(name, func, "grey images (N, H, W) or (N, H, W, 1)", f"shape {x.shape} ({x.shape[3]} channels)",
                  "Convert colour images to grey first, or score each channel separately.")
        check_nonempty(x, name, func)
        out.append(x.reshape(x.shape[:3]))
    if out[0].shape != out[1].shape:
        _fail("references and images", func, "batches of the same shape", f"shapes {np.shape(references)} and "
              f"{np.shape(images)}", "Pass each image with its own reconstruction, in the same order.")
    return out[0], out[1]


def _psnr_value(diff, data_range) -> float:
    """10 · log10(R² / MSE) of the pixel differences ``diff`` (float64); inf when they are all 0.

    The plain formula (scikit-image's) when every step stays a normal float64; otherwise the same value as
    20·log10(R) − 20·log10(m) − 10·log10(mean((diff / m)²)), m = max |diff|, which never under- or overflows.
    """
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        mse = np.mean(diff ** 2, dtype=np.float64)
        if _TINY <= mse < np.inf and _TINY <= data_range ** 2 < np.inf:
            value = 10 * np.log10((data_range ** 2) / mse)
            if np.isfinite(value):
                return float(value)
        m = float(np.max(np.abs(diff)))
        if m == 0:
            return math.inf                                              # identical images, as scikit-image
        return float(20 * np.log10(data_range) - 20 * np.log10(m) - 10 * np.log10(np.mean((diff / m) ** 2)))


_TINY = np.finfo(np.float64).tiny                                        # the smallest normal float64


def psnr(reference, image, data_range) -> float:
    """PSNR = 10 · log10(data_range² / MSE), MSE = mean((reference − image)²), in dB; higher is better.

    Equal to ``skimage.metrics.peak_signal_noise_ratio(reference, image, data_range=data_range)`` for the images
    converted to float64 (scikit-image keeps two float32 images in float32), and to ``tf.image.psnr(a, b,
    max_val=data_range)`` for a grey image (H, W, 1) up to float32 rounding: TensorFlow converts to float32
    first. Every 10 dB is a tenfold smaller MSE; +6.02 dB halves the typical pixel error.

    Args:
        reference: (H, W) the original image, any real dtype (computed in float64).
        image: (H, W) the image to score (a reconstruction, a noisy copy).
        data_range: > 0, the width of the pixel scale: 1.0 for [0, 1], 2.0 for [−1, 1], 255 for 0–255.

    Returns:
        float in dB; ``inf`` when the images are identical (MSE 0), as scikit-image. Differences so small (or
        large) that their squares under- (over-)flow still give the finite value, where scikit-image gives ±inf.

    Example:
        >>> round(psnr(np.zeros((4, 4)), np.full((4, 4), 0.1), data_range=1.0), 6)     # MSE 0.01
        20.0
    """
    func = "psnr"
    ref, img = _image_pair(reference, image, func)
    return _psnr_value(ref - img, _data_range(data_range, func))


def _check_win_size(win_size, shape, func) -> int:
    fix = "Pass an odd window of at least 3, e.g. win_size=7 (the default) or 3 for tiny images."
    check_number(win_size, "win_size", func, integer=True, fix=fix)
    if win_size < 3 or win_size % 2 == 0:
        _fail("win_size", func, "an odd whole number ≥ 3", repr(win_size), fix)
    if win_size > min(shape):
        _fail("win_size", func, f"at most the image's smaller side, min(H, W) = {min(shape)}",
              f"win_size={win_size} for images of shape {tuple(shape)}",
              "Pass a smaller odd window, e.g. win_size=3, or larger images (SSIM needs at least 3×3 pixels).")
    return int(win_size)


def _ssim(ref, img, r, win_size, func) -> float:
    """Mean SSIM of two float64 images (checked) with a uniform win_size × win_size window, as scikit-image."""
    from scipy.ndimage import uniform_filter
    n_px = win_size ** 2
    cov_norm = n_px / (n_px - 1)                                         # sample covariance (scikit-image's default)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        ux = uniform_filter(ref, size=win_size)                          # (H, W) local means, reflected edges
        uy = uniform_filter(img, size=win_size)
        uxx = uniform_filter(ref * ref, size=win_size)
        uyy = uniform_filter(img * img, size=win_size)
        uxy = uniform_filter(ref * img, size=win_size)
        vx = cov_norm * (uxx - ux * ux)                                  # local variances and covariance
        vy = cov_norm * (uyy - uy * uy)
        vxy = cov_norm * (uxy - ux * uy)
        c1, c2 = (0.01 * r) ** 2, (0.03 * r) ** 2
        a1, a2 = 2 * ux * uy + c1, 2 * vxy + c2
        b1, b2 = ux ** 2 + uy ** 2 + c1, vx + vy + c2
        s = (a1 * a2) / (b1 * b2)                                        # (H, W) the SSIM map
        pad = (win_size - 1) // 2
        h, w = s.shape
        value = s[pad:h - pad, pad:w - pad].mean(dtype=np.float64)       # only windows inside the image
    if not np.isfinite(value):
        _fail("reference and image", func, "pixel values whose SSIM is finite in float64",
              f"a non-finite SSIM (an overflow, or data_range={r:.3g} too small for pixels up to "
              f"{max(np.max(np.abs(ref)), np.max(np.abs(img))):.3g})",
              "Rescale the images to a range such as [0, 1] and pass its width as data_range.")
    return float(value)


def ssim(reference, image, data_range, win_size=7) -> float:
    """Mean structural similarity: SSIM = (2μxμy + C1)(2σxy + C2) / ((μx² + μy² + C1)(σx² + σy² + C2)).

    μ, σ², σxy are the means, variances and covariance of the pixels in a ``win_size`` × ``win_size`` window
    (uniform weights, sample covariance: × n/(n − 1) with n = win_size²) around every pixel, the image
    reflected at its edges; C1 = (0.01 · data_range)², C2 = (0.03 · data_range)². The map is averaged over
    the pixels whose window lies inside the image (a border of (win_size − 1)/2 is left out). 1 for
    identical images; it compares local brightness, contrast and structure, where MSE counts errors alone.

    Equal to ``skimage.metrics.structural_similarity(reference, image, data_range=data_range,
    win_size=win_size)`` (its defaults) for the images converted to float64. ``tf.image.ssim`` differs: an
    11 × 11 Gaussian window (σ = 1.5) instead of a uniform one, population covariance (no n/(n − 1)), only
    windows inside the image, float32; it equals scikit-image's ``gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False`` variant up to float32 rounding, not this function.

    Args:
        reference: (H, W) the original image, any real dtype (computed in float64).
        image: (H, W) the image to score.
        data_range: > 0, the width of the pixel scale: 1.0 for [0, 1], 2.0 for [−1, 1], 255 for 0–255.
        win_size: odd, 3 ≤ win_size ≤ min(H, W).

    Returns:
        float ≤ 1 (negative when the structure is inverted).

    Example:
        >>> x = np.random.default_rng(0).random((16, 16))
        >>> ssim(x, x, data_range=1.0), ssim(x, 1 - x, data_range=1.0) < 0
        (1.0, True)
    """
    func = "ssim"
    ref, img = _image_pair(reference, image, func)
    r = _data_range(data_range, func)
    return _ssim(ref, img, r, _check_win_size(win_size, ref.shape, func), func)


def mean_psnr(references, images, data_range) -> tuple[float, np.ndarray]:
    """The mean over a batch of :func:`psnr` (each image with its own reference) and the per-image values.

    Args:
        references: (N, H, W) or (N, H, W, 1) the originals (e.g. held-out digits).
        images: the same shape: their reconstructions, in the same order.
        data_range: > 0, the width of the pixel scale (1.0 for [0, 1]).

    Returns:
        ``(mean, values)``: the mean in dB (a float) and the (N,) per-image PSNRs. The mean of the
        dB values, not the PSNR of the mean MSE (the notebooks report this one, as most papers do); ``inf``
        when some image equals its reference.
    """
    func = "mean_psnr"
    refs, imgs = _image_batch(references, images, func)
    r = _data_range(data_range, func)
    values = np.array([_psnr_value(a - b, r) for a, b in zip(refs, imgs)])     # (N,)
    return float(np.mean(values)), values


def mean_ssim(references, images, data_range, win_size=7) -> tuple[float, np.ndarray]:
    """The mean over a batch of :func:`ssim` (each image with its own reference) and the per-image values.

    Args:
        references: (N, H, W) or (N, H, W, 1) the originals.
        images: the same shape: their reconstructions, in the same order.
        data_range: > 0, the width of the pixel scale (1.0 for [0, 1]).
        win_size: odd, 3 ≤ win_size ≤ min(H, W).

    Returns:
        ``(mean, values)``: the mean SSIM (a float) and the (N,) per-image values.
    """
    func = "mean_ssim"
    refs, imgs = _image_batch(references, images, func)
    r = _data_range(data_range, func)
    w = _check_win_size(win_size, refs.shape[1:], func)
    values = np.array([_ssim(a, b, r, w, func) for a, b in zip(refs, imgs)])
    return float(np.mean(values)), values


# --- anomaly scores ---------------------------------------------------------------------------------------

def _scores_and_flags(scores, is_anomaly, func) -> tuple[np.ndarray, np.ndarray]:
    s = as_array(scores, "scores", func, ndim=1, shape_hint="(N,) one score per sample", dtype=np.float64,
                 fix="Pass one anomaly score per sample (higher = more anomalous), e.g. errors.reshape(-1).")
    check_nonempty(s, "scores", func)
    flags = as_array(is_anomaly, "is_anomaly", func, ndim=1, shape_hint="(N,) True/False or 1/0 per sample",
                     dtype=np.float64, fix="Pass one flag per sample, e.g. np.isin(labels, [9]).")
    if np.any((flags != 0) & (flags != 1)):
        bad = flags[(flags != 0) & (flags != 1)][0]
        _fail("is_anomaly", func, "True/False or 1/0 per sample", f"the value {bad:g}",
              "Pass a boolean mask, e.g. labels == 9 or np.isin(labels, anomalous_classes).")
    if len(flags) != len(s):
        _fail("is_anomaly", func, f"one flag per score ({len(s)})", f"{len(flags)} flags",
              "Pass the scores and the flags of the same samples, in the same order.")
    return s, flags.astype(bool)


def _need_both(flags, func, what):
    if flags.all() or not flags.any():
        _fail("is_anomaly", func, "True for some samples and False for others", f"only {flags.any()} values "
              f"({len(flags)} samples)", f"{what} needs normal and anomalous samples: score both kinds.")


@dataclass(frozen=True, eq=False)
class AnomalySummary:
    """How well anomaly scores (higher = more anomalous) separate anomalous samples from normal ones.

    Attributes:
        auroc: the area under the ROC curve: the probability that a random anomalous sample scores higher
            than a random normal one (ties count one half); 0.5 is chance, 1 a perfect ranking.
        average_precision: AP = Σ (Rₙ − Rₙ₋₁) Pₙ over the thresholds (scikit-learn's step-wise area under
            the precision–recall curve); chance is the share of anomalies.
        fpr, tpr: the ROC curve (false- and true-positive rates as the threshold falls), from (0, 0) to (1, 1).
        precision, recall: the precision–recall curve (scikit-learn's order: recall falling to 0).
        n_normal, n_anomalous: how many samples of each kind were scored.
    """

    auroc: float
    average_precision: float
    fpr: np.ndarray = field(repr=False)
    tpr: np.ndarray = field(repr=False)
    precision: np.ndarray = field(repr=False)
    recall: np.ndarray = field(repr=False)
    n_normal: int
    n_anomalous: int

    @property
    def anomaly_share(self) -> float:
        """The share of anomalous samples: the average precision of random scores."""
        return self.n_anomalous / (self.n_normal + self.n_anomalous)

    def __str__(self):
        return (f"AUROC {self.auroc:.3f}, average precision {self.average_precision:.3f} (chance "
                f"{self.anomaly_share:.3f}) on {self.n_normal} normal and {self.n_anomalous} anomalous samples")


def anomaly_summary(scores, is_anomaly) -> AnomalySummary:
    """AUROC, average precision and the ROC and precision–recall curves of anomaly scores.

    scikit-learn computes them (``roc_auc_score``, ``average_precision_score``, ``roc_curve``,
    ``precision_recall_curve``) with the anomalies as the positive class; none of them needs a threshold.

    Args:
        scores: (N,) finite anomaly scores, higher = more anomalous (e.g. reconstruction errors).
        is_anomaly: (N,) bool or 0/1, True for the anomalous samples; both kinds must be present.

    Returns:
        An :class:`AnomalySummary`; ``print(summary)`` gives a one-line report.

    Example:
        >>> s = anomaly_summary([0.1, 0.4, 0.35, 0.8], [False, False, True, True])
        >>> s.auroc                   # pairs (anomaly, normal) ranked right: 0.35>0.1, 0.8>0.1, 0.8>0.4 → 3 of 4
        0.75
    """
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve
    func = "anomaly_summary"
    s, flags = _scores_and_flags(scores, is_anomaly, func)
    _need_both(flags, func, "AUROC")
    fpr, tpr, _ = roc_curve(flags, s)
    precision, recall, _ = precision_recall_curve(flags, s)
    return AnomalySummary(float(roc_auc_score(flags, s)), float(average_precision_score(flags, s)),
                          fpr, tpr, precision, recall, int(np.sum(~flags)), int(np.sum(flags)))


def _counts_by_threshold(s, flags):
    """Every distinct score t, descending, with the true and false positives of the rule score ≥ t."""
    order = np.argsort(-s, kind="mergesort")
    s_sorted, y_sorted = s[order], flags[order]
    ends = np.r_[np.flatnonzero(s_sorted[1:] != s_sorted[:-1]), len(s) - 1]   # last index of each distinct value
    return s_sorted[ends], np.cumsum(y_sorted)[ends], np.cumsum(~y_sorted)[ends]


THRESHOLD_RULES = ("f1", "fpr")


def choose_threshold(scores, is_anomaly, rule="f1", max_fpr=0.05) -> float:
    """A threshold on anomaly scores, chosen on validation data: a sample is flagged when score ≥ threshold.

    Rules:

    * ``"f1"`` — the observed score with the highest F1 = 2·TP / (2·TP + FP + FN) (the highest such score on
      ties: fewest false alarms); needs anomalous samples;
    * ``"fpr"`` — the lowest threshold whose false-positive rate FP / (FP + TN) is ≤ ``max_fpr``: the most
      anomalies caught for at most that share of false alarms; it needs normal samples only (anomalies may be
      absent), and when even the highest score is too many false alarms it is just above the highest score.

    Choose it on validation scores and report it with :func:`precision_recall_at` on test scores: choosing on
    the test data would overstate precision and recall.

    Args:
        scores: (N,) finite anomaly scores, higher = more anomalous.
        is_anomaly: (N,) bool or 0/1.
        rule: "f1" or "fpr".
        max_fpr: in [0, 1], used by ``rule="fpr"``.

    Returns:
        float: the threshold.

    Example:
        >>> choose_threshold([0.1, 0.2, 0.3, 0.9], [False, False, True, True])       # F1 = 1 at 0.3
        0.3
    """
    func = "choose_threshold"
    check_choice(rule, "rule", func, THRESHOLD_RULES)
    check_number(max_fpr, "max_fpr", func, low=0, high=1, fix="Pass a share of false alarms, e.g. max_fpr=0.05.")
    s, flags = _scores_and_flags(scores, is_anomaly, func)
    thresholds, tp, fp = _counts_by_threshold(s, flags)
    n_anomalous = int(flags.sum())
    if rule == "f1":
        if n_anomalous == 0:
            _fail("is_anomaly", func, "True for some samples when rule='f1'", "no anomalous sample",
                  "Score some anomalous validation samples, or use rule='fpr', which needs normal samples only.")
        f1 = 2 * tp / (2 * tp + fp + (n_anomalous - tp))
        return float(thresholds[int(np.argmax(f1))])                     # the first maximum: the highest threshold
    n_normal = len(flags) - n_anomalous
    if n_normal == 0:
        _fail("is_anomaly", func, "False for some samples when rule='fpr'", "only anomalous samples",
              "Score some normal validation samples: the false-positive rate is counted on them.")
    ok = fp / n_normal <= max_fpr                                        # True for a prefix of the thresholds
    if not ok[0]:
        return float(np.nextafter(thresholds[0], np.inf))                # flags nothing
    return float(thresholds[int(np.flatnonzero(ok)[-1])])


@dataclass(frozen=True)
class ThresholdReport:
    """Precision and recall of the rule "anomalous when score ≥ threshold" on some scored samples.

    Attributes:
        threshold: the threshold used.
        precision: TP / (TP + FP), the share of flagged samples that are anomalous (0 when nothing is flagged).
        recall: TP / (TP + FN), the share of anomalies flagged (the true-positive rate; 0 without anomalies).
        f1: 2 · precision · recall / (precision + recall) (0 when both are 0).
        false_positive_rate: FP / (FP + TN), the share of normal samples flagged (0 without normal samples).
        tp, fp, tn, fn: the four counts.
    """

    threshold: float
    precision: float
    recall: float
    f1: float
    false_positive_rate: float
    tp: int
    fp: int
    tn: int
    fn: int

    def __str__(self):
        return (f"threshold {self.threshold:.4g}: precision {self.precision:.3f}, recall {self.recall:.3f}, "
                f"F1 {self.f1:.3f}, false alarms {self.false_positive_rate:.1%} (TP {self.tp}, FP {self.fp}, "
                f"TN {self.tn}, FN {self.fn})")


def precision_recall_at(scores, is_anomaly, threshold) -> ThresholdReport:
    """Precision = TP / (TP + FP) and recall = TP / (TP + FN) of the rule score ≥ threshold (and F1, FPR).

    The same figures as scikit-learn's ``precision_score`` / ``recall_score`` / ``f1_score`` with
    ``zero_division=0`` on the predictions ``scores >= threshold``.

    Args:
        scores: (N,) finite anomaly scores (the test data's, for a threshold chosen on validation data).
        is_anomaly: (N,) bool or 0/1.
        threshold: a finite number, e.g. from :func:`choose_threshold`.

    Returns:
        A :class:`ThresholdReport`.

    Example:
        >>> r = precision_recall_at([0.1, 0.5, 0.4, 0.9], [False, False, True, True], threshold=0.45)
        >>> r.precision, r.recall                       # flagged 0.5 (normal) and 0.9 (anomaly); 0.4 missed
        (0.5, 0.5)
    """
    func = "precision_recall_at"
    s, flags = _scores_and_flags(scores, is_anomaly, func)
    check_number(threshold, "threshold", func, fix="Pass a finite score, e.g. from choose_threshold(...).")
    flagged = s >= threshold
    tp, fp = int(np.sum(flagged & flags)), int(np.sum(flagged & ~flags))
    fn, tn = int(np.sum(~flagged & flags)), int(np.sum(~flagged & ~flags))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    fpr = fp / (fp + tn) if fp + tn else 0.0
    return ThresholdReport(float(threshold), precision, recall, f1, fpr, tp, fp, tn, fn)
