"""Loss functions and their gradients, equal to Keras's losses with the default reduction.

Keras computes a per-sample loss (a mean or sum over the last axis) and then averages
over the samples ("sum_over_batch_size"). Each ``name(y_true, y_pred)`` here returns that
float; ``name_grad(y_true, y_pred)`` returns dL/dy_pred for the same scalar L, with the
shape of ``y_pred``.

Probabilities are clipped to [EPSILON, 1 − EPSILON] as Keras does (EPSILON = 1e-7), so
logs never see 0; outside that band the clipped loss is flat and its gradient is 0. The three
cross-entropies also take raw scores (``from_logits=True``), computed in a stable form with no clip:
what Keras reads from a sigmoid or softmax output layer (see :mod:`~dlhelpers.scratch.network`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .._checks import as_array, check_bool, check_choice, check_nonempty, check_same_shape
from .activations import sigmoid, softmax

EPSILON = 1e-7

__all__ = [
    "mse", "mse_grad", "mae", "mae_grad", "msle", "msle_grad",
    "binary_crossentropy", "binary_crossentropy_grad", "hinge", "hinge_grad",
    "squared_hinge", "squared_hinge_grad", "categorical_crossentropy", "categorical_crossentropy_grad",
    "sparse_categorical_crossentropy", "sparse_categorical_crossentropy_grad",
    "kl_divergence", "kl_divergence_grad", "Loss", "LOSSES", "get_loss", "EPSILON",
]


def _pair(y_true, y_pred, func):
    y_true = as_array(y_true, "y_true", func)
    y_pred = as_array(y_pred, "y_pred", func)
    if y_pred.ndim == 0:
        raise ValueError(f"y_pred must have at least 1 dimension for {func}; got a scalar. Wrap it: [y_pred].")
    check_same_shape(y_true, y_pred, "y_true", "y_pred", func)
    check_nonempty(y_pred, "y_pred", func)
    dtype = np.result_type(y_pred.dtype, np.float32)
    return y_true.astype(dtype, copy=False), y_pred.astype(dtype, copy=False)


def _probabilities(p, func):
    """The categorical losses renormalise each row of y_pred: it must be non-negative with a positive sum."""
    sums = np.sum(p, axis=-1)
    if np.any(p < 0) or np.any(sums <= 0):
        raise ValueError(
            f"y_pred must hold probabilities (non-negative, each row with a positive sum) for {func}; "
            f"got values from {p.min():.3g} to {p.max():.3g} and row sums from {sums.min():.3g}. "
            "Apply softmax to raw scores (logits) first.")


def _n_samples(y):
    """How many per-sample losses are averaged: everything but the last axis (1 for 1-D)."""
    return int(np.prod(y.shape[:-1])) if y.ndim > 1 else 1


# --- regression -------------------------------------------------------------------------

def mse(y_true, y_pred):
    """Mean squared error: mean((y_true − y_pred)²).

    Args:
        y_true: targets; y_pred: predictions of the same shape (at least 1-D, non-empty).

    Returns:
        A float.
    """
    t, p = _pair(y_true, y_pred, "mse")
    return float(np.mean((t - p) ** 2))


def mse_grad(y_true, y_pred):
    """dL/dŷ = 2(ŷ − y)/n, n = y_pred.size. Shapes: y_true, y_pred (N, ...) → y_pred's shape."""
    t, p = _pair(y_true, y_pred, "mse_grad")
    return 2.0 * (p - t) / p.size


def mae(y_true, y_pred):
    """Mean absolute error: mean(|y_true − y_pred|); robust to outliers.

    Shapes: y_true, y_pred (N, ...) of the same shape → float.
    """
    t, p = _pair(y_true, y_pred, "mae")
    return float(np.mean(np.abs(t - p)))


def mae_grad(y_true, y_pred):
    """dL/dŷ = sign(ŷ − y)/n, n = y_pred.size (0 where ŷ = y). Shapes: → y_pred's shape."""
    t, p = _pair(y_true, y_pred, "mae_grad")
    return np.sign(p - t) / p.size


def msle(y_true, y_pred):
    """Mean squared logarithmic error: mean((log(1 + y_pred) − log(1 + y_true))²), inputs floored at EPSILON.

    Shapes: y_true, y_pred (N, ...) of the same shape → float.
    """
    t, p = _pair(y_true, y_pred, "msle")
    d = np.log(np.maximum(p, EPSILON) + 1.0) - np.log(np.maximum(t, EPSILON) + 1.0)
    return float(np.mean(d * d))


def msle_grad(y_true, y_pred):
    """dL/dŷ = 2(log(1 + ŷ) − log(1 + y)) / ((1 + ŷ)·n), 0 where ŷ ≤ EPSILON (floored). Shapes: → y_pred's shape."""
    t, p = _pair(y_true, y_pred, "msle_grad")
    pc = np.maximum(p, EPSILON)
    d = np.log(pc + 1.0) - np.log(np.maximum(t, EPSILON) + 1.0)
    return np.where(p > EPSILON, 2.0 * d / (pc + 1.0), 0.0) / p.size


# --- binary classification --------------------------------------------------------------

def binary_crossentropy(y_true, y_pred, from_logits: bool = False):
    """Binary cross-entropy −mean(t·log p + (1 − t)·log(1 − p)); y_true and y_pred of the same shape.

    With ``from_logits=True`` ``y_pred`` holds raw scores z and p = σ(z) is applied inside,
    using the stable form max(z, 0) − z·t + log(1 + e^−|z|).

    Args:
        y_true: 0/1 (or soft) targets; y_pred: probabilities in [0, 1], or logits with ``from_logits``.
        from_logits: True or False.

    Shapes: y_true, y_pred (N, ...) of the same shape → float.
    """
    t, p = _pair(y_true, y_pred, "binary_crossentropy")
    check_bool(from_logits, "from_logits", "binary_crossentropy")
    if from_logits:
        z = p
        return float(np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))))
    pc = np.clip(p, EPSILON, 1.0 - EPSILON)
    return float(np.mean(-(t * np.log(pc) + (1.0 - t) * np.log(1.0 - pc))))


def binary_crossentropy_grad(y_true, y_pred, from_logits: bool = False):
    """dL/dp = (p − t) / (p(1 − p)·n) (0 outside the clip band); with logits dL/dz = (σ(z) − t)/n.

    n = y_pred.size. Shapes: → y_pred's shape.
    """
    check_bool(from_logits, "from_logits", "binary_crossentropy_grad")
    t, p = _pair(y_true, y_pred, "binary_crossentropy_grad")
    if from_logits:
        return (sigmoid(p) - t) / p.size
    inside = (p > EPSILON) & (p < 1.0 - EPSILON)
    pc = np.clip(p, EPSILON, 1.0 - EPSILON)
    return np.where(inside, (pc - t) / (pc * (1.0 - pc)), 0.0) / p.size


def _hinge_labels(t):
    """Keras turns 0/1 labels into −1/+1 for the hinge losses."""
    if np.all((t == 0) | (t == 1)):
        return 2.0 * t - 1.0
    return t


def hinge(y_true, y_pred):
    """Hinge loss mean(max(0, 1 − t·y)) with labels t in {−1, +1} (0/1 labels are converted).

    Shapes: y_true, y_pred (N, ...) of the same shape → float.
    """
    t, p = _pair(y_true, y_pred, "hinge")
    t = _hinge_labels(t)
    return float(np.mean(np.maximum(1.0 - t * p, 0.0)))


def hinge_grad(y_true, y_pred):
    """dL/dŷ = −t/n where 1 − t·ŷ > 0, else 0 (t in {−1, +1}, n = y_pred.size). Shapes: → y_pred's shape."""
    t, p = _pair(y_true, y_pred, "hinge_grad")
    t = _hinge_labels(t)
    return np.where(1.0 - t * p > 0, -t, 0.0) / p.size


def squared_hinge(y_true, y_pred):
    """Squared hinge loss mean(max(0, 1 − t·y)²), labels as :func:`hinge`.

    Shapes: y_true, y_pred (N, ...) of the same shape → float.
    """
    t, p = _pair(y_true, y_pred, "squared_hinge")
    t = _hinge_labels(t)
    m = np.maximum(1.0 - t * p, 0.0)
    return float(np.mean(m * m))


def squared_hinge_grad(y_true, y_pred):
    """dL/dŷ = −2·max(0, 1 − t·ŷ)·t/n (t in {−1, +1}, n = y_pred.size). Shapes: → y_pred's shape."""
    t, p = _pair(y_true, y_pred, "squared_hinge_grad")
    t = _hinge_labels(t)
    m = np.maximum(1.0 - t * p, 0.0)
    return -2.0 * m * t / p.size


# --- multi-class classification ----------------------------------------------------------

def _logsumexp(z):
    """log Σ_k e^z_k over the last axis, the max taken out first (no overflow): (..., K) → (..., 1)."""
    m = np.max(z, axis=-1, keepdims=True)
    return m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False):
    """−mean over samples of Σ_k t_k log p_k, with one-hot (or soft) targets t.

    Like Keras, y_pred is first renormalised to sum to 1 along the last axis, then clipped;
    it must be non-negative with a positive sum in every row (apply softmax to logits first).
    With ``from_logits=True`` y_pred holds raw scores z, p = softmax(z) inside, with no clip:
    each sample's loss is Σ_k t_k (logsumexp(z) − z_k) (TensorFlow's softmax_cross_entropy_with_logits).

    Args:
        y_true: one-hot or soft targets; y_pred: probabilities, or logits with ``from_logits``.
        from_logits: True or False.

    Shapes: y_true, y_pred (N, K) (or (N, T, K): every step is a sample) → float.
    """
    t, p = _pair(y_true, y_pred, "categorical_crossentropy")
    from_logits = check_bool(from_logits, "from_logits", "categorical_crossentropy")
    if from_logits:
        return float(np.sum(t * (_logsumexp(p) - p)) / _n_samples(p))
    _probabilities(p, "categorical_crossentropy")
    q = p / np.sum(p, axis=-1, keepdims=True)
    q = np.clip(q, EPSILON, 1.0 - EPSILON)
    return float(np.sum(-t * np.log(q)) / _n_samples(p))


def categorical_crossentropy_grad(y_true, y_pred, from_logits: bool = False):
    """dL/dp_j = (−t_j/q_j + Σ_i t_i) / (s·n) with q = p/s, s = Σ_k p_k, n samples (0 where q is clipped).

    With ``from_logits=True``: dL/dz = (softmax(z)·Σ_k t_k − t) / n, the derivative of the logits loss above
    (softmax(z) − t for targets that sum to 1; TensorFlow's op returns softmax(z) − t for any targets).

    Shapes: y_true, y_pred (N, K) → (N, K).
    """
    from_logits = check_bool(from_logits, "from_logits", "categorical_crossentropy_grad")
    t, p = _pair(y_true, y_pred, "categorical_crossentropy_grad")
    if from_logits:
        return (softmax(p) * np.sum(t, axis=-1, keepdims=True) - t) / _n_samples(p)
    _probabilities(p, "categorical_crossentropy_grad")
    s = np.sum(p, axis=-1, keepdims=True)
    q = p / s
    inside = (q > EPSILON) & (q < 1.0 - EPSILON)
    dq = np.where(inside, -t / np.clip(q, EPSILON, 1.0), 0.0)           # dL/dq (per sample)
    # back through q = p / s: dL/dp_j = (dq_j − Σ_i dq_i q_i) / s
    dp = (dq - np.sum(dq * q, axis=-1, keepdims=True)) / s
    return dp / _n_samples(p)


def _sparse_to_onehot(y_true, y_pred, func):
    y_pred = as_array(y_pred, "y_pred", func)
    if y_pred.ndim == 0:
        raise ValueError(f"y_pred must be at least 1-D (class probabilities on the last axis) for {func}; "
                         "got a scalar. Pass shape (N, K), e.g. [[0.2, 0.8]].")
    check_nonempty(y_pred, "y_pred", func)
    labels = as_array(y_true, "y_true", func)
    if labels.ndim == y_pred.ndim and labels.ndim > 0 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError(
            f"y_true must have shape {y_pred.shape[:-1]} (one integer label per sample) for {func}; "
            f"got shape {labels.shape}. For one-hot targets use categorical_crossentropy instead.")
    if np.any(labels != np.round(labels)) or np.any(labels < 0) or np.any(labels >= y_pred.shape[-1]):
        raise ValueError(
            f"y_true must hold integer class labels in [0, {y_pred.shape[-1] - 1}] for {func}; "
            f"got values from {labels.min()} to {labels.max()}. Encode classes as 0..K-1.")
    onehot = np.eye(y_pred.shape[-1], dtype=y_pred.dtype)[labels.astype(int)]
    return onehot, y_pred


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False):
    """Categorical cross-entropy with integer labels (shape (N,) or (N, 1)) instead of one-hot rows.

    With ``from_logits=True`` y_pred holds raw scores z: each sample's loss is logsumexp(z) − z_label.

    Shapes: y_true (N,) or (N, 1) integers in [0, K); y_pred (N, K) probabilities or logits → float.
    """
    from_logits = check_bool(from_logits, "from_logits", "sparse_categorical_crossentropy")
    onehot, p = _sparse_to_onehot(y_true, y_pred, "sparse_categorical_crossentropy")
    return categorical_crossentropy(onehot, p, from_logits=from_logits)


def sparse_categorical_crossentropy_grad(y_true, y_pred, from_logits: bool = False):
    """dL/dp = categorical_crossentropy_grad(one_hot(y_true), p); with logits dL/dz = (softmax(z) − one_hot)/n.

    Shapes: y_true (N,) or (N, 1), y_pred (N, K) → (N, K).
    """
    from_logits = check_bool(from_logits, "from_logits", "sparse_categorical_crossentropy_grad")
    onehot, p = _sparse_to_onehot(y_true, y_pred, "sparse_categorical_crossentropy_grad")
    return categorical_crossentropy_grad(onehot, p, from_logits=from_logits)


def kl_divergence(y_true, y_pred):
    """Kullback–Leibler divergence Σ_k t_k log(t_k / p_k), averaged over samples (both clipped to [EPSILON, 1]).

    Shapes: y_true, y_pred (N, K) distributions on the last axis → float.
    """
    t, p = _pair(y_true, y_pred, "kl_divergence")
    tc = np.clip(t, EPSILON, 1.0)
    pc = np.clip(p, EPSILON, 1.0)
    return float(np.sum(tc * np.log(tc / pc)) / _n_samples(p))


def kl_divergence_grad(y_true, y_pred):
    """dL/dp_k = −t_k/(p_k·n) inside the clip band (EPSILON, 1), else 0 (n samples). Shapes: → y_pred's shape."""
    t, p = _pair(y_true, y_pred, "kl_divergence_grad")
    tc = np.clip(t, EPSILON, 1.0)
    inside = (p > EPSILON) & (p < 1.0)
    return np.where(inside, -tc / np.clip(p, EPSILON, 1.0), 0.0) / _n_samples(p)


# --- the registry ------------------------------------------------------------------------

@dataclass(frozen=True)
class Loss:
    """A named loss, its gradient dL/dy_pred and the task it suits."""
    name: str
    fn: Callable
    grad: Callable
    task: str

    def __call__(self, y_true, y_pred):
        """The loss value ``self.fn(y_true, y_pred)``."""
        return self.fn(y_true, y_pred)


LOSSES: dict[str, Loss] = {
    l.name: l for l in [
        Loss("mse", mse, mse_grad, "regression"),
        Loss("mae", mae, mae_grad, "regression"),
        Loss("msle", msle, msle_grad, "regression"),
        Loss("binary_crossentropy", binary_crossentropy, binary_crossentropy_grad, "binary classification"),
        Loss("hinge", hinge, hinge_grad, "binary classification"),
        Loss("squared_hinge", squared_hinge, squared_hinge_grad, "binary classification"),
        Loss("categorical_crossentropy", categorical_crossentropy, categorical_crossentropy_grad,
             "multi-class classification"),
        Loss("sparse_categorical_crossentropy", sparse_categorical_crossentropy,
             sparse_categorical_crossentropy_grad, "multi-class classification"),
        Loss("kl_divergence", kl_divergence, kl_divergence_grad, "multi-class classification"),
    ]
}


def get_loss(name) -> Loss:
    """Look up a loss by name (Keras's snake_case names), or return a :class:`Loss` as is."""
    if isinstance(name, Loss):
        return name
    check_choice(name, "loss", "get_loss", LOSSES)
    return LOSSES[name]
