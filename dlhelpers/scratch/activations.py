"""Activation functions and their derivatives, in NumPy.

Every elementwise activation ``f`` has ``f_derivative(z)`` = df/dz evaluated at the
pre-activation ``z``. ``ACTIVATIONS`` maps a name (the Keras name where Keras has one)
to an :class:`Activation` record holding both.

Conventions (the course notes use both, so we name them apart):

* ``step(z)``  = 1 if z > 0 else 0   (Heaviside; the perceptron's 0/1 output)
* ``sign(z)``  = +1 if z >= 0 else -1 (the perceptron's ±1 decision function)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .._checks import as_array, check_cache, check_axis, check_choice, check_dout, check_nonempty, check_number, check_positive

__all__ = [
    "sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative",
    "leaky_relu", "leaky_relu_derivative", "elu", "elu_derivative", "softplus", "softplus_derivative",
    "step", "step_derivative", "sign", "sign_derivative", "linear", "linear_derivative",
    "softmax", "softmax_backward", "softmax_jacobian",
    "prelu_forward", "prelu_backward", "maxout_forward", "maxout_backward", "PReLUCache", "MaxoutCache",
    "Activation", "ACTIVATIONS", "get_activation",
]


def _z(z, func):
    """Any numeric array (NaN passes through, as in NumPy); strings and objects are refused."""
    return as_array(z, "z", func, allow_nan=True)


def _alpha(alpha, func):
    """A slope or scale: a finite real number."""
    return check_number(alpha, "alpha", func, fix="Pass a finite number, e.g. alpha=0.3.")


# --- the S-shaped ones -------------------------------------------------------------------

def sigmoid(z):
    """Logistic sigmoid σ(z) = 1 / (1 + e^−z), stable for any z (no overflow warning at |z| = 1e4).

    Args:
        z: pre-activations, any shape.

    Returns:
        σ(z), same shape as ``z``, in [0, 1].
    """
    z = _z(z, "sigmoid")
    e = np.exp(-np.abs(z))                    # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(z):
    """dσ/dz = σ(z)·(1 − σ(z)); at most 0.25 (at z = 0), which is why deep sigmoid nets learn slowly.

    Shapes: z any → same shape.
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    """Hyperbolic tangent, output in (−1, 1), zero-centred. Shapes: z any → same shape."""
    return np.tanh(_z(z, "tanh"))


def tanh_derivative(z):
    """d tanh/dz = 1 − tanh(z)². Shapes: z any → same shape."""
    t = tanh(z)
    return 1.0 - t * t


# --- rectifiers ----------------------------------------------------------------------------

def relu(z):
    """ReLU: max(0, z). Shapes: z any → same shape."""
    z = _z(z, "relu")
    return np.maximum(z, 0.0).astype(z.dtype, copy=False)


def relu_derivative(z):
    """d relu/dz = 1 if z > 0 else 0 (we take 0 at z = 0, as TensorFlow does). Shapes: z any → same shape."""
    z = _z(z, "relu_derivative")
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha: float = 0.3):
    """z for z > 0, alpha·z otherwise (Keras's LeakyReLU default slope is 0.3).

    Args:
        z: pre-activations, any shape.
        alpha: the slope for z ≤ 0, a finite number.

    Returns:
        An array of ``z``'s shape.
    """
    z = _z(z, "leaky_relu")
    alpha = _alpha(alpha, "leaky_relu")
    with np.errstate(invalid="ignore"):          # 0·inf in the branch np.where discards
        return np.where(z > 0, z, alpha * z).astype(z.dtype, copy=False)


def leaky_relu_derivative(z, alpha: float = 0.3):
    """d/dz leaky_relu = 1 if z > 0 else alpha. Shapes: z any → same shape."""
    z = _z(z, "leaky_relu_derivative")
    alpha = _alpha(alpha, "leaky_relu_derivative")
    return np.where(z > 0, 1.0, alpha).astype(z.dtype)


def elu(z, alpha: float = 1.0):
    """ELU: z for z > 0, alpha·(e^z − 1) otherwise: smooth, with negative outputs down to −alpha.

    Args:
        z: pre-activations, any shape.
        alpha: the scale of the negative part, a finite number (Keras's default 1.0).

    Returns:
        An array of ``z``'s shape.
    """
    z = _z(z, "elu")
    alpha = _alpha(alpha, "elu")
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0))).astype(z.dtype, copy=False)


def elu_derivative(z, alpha: float = 1.0):
    """d elu/dz = 1 if z > 0 else alpha·e^z. Shapes: z any → same shape."""
    z = _z(z, "elu_derivative")
    alpha = _alpha(alpha, "elu_derivative")
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0))).astype(z.dtype)


def softplus(z):
    """softplus(z) = log(1 + e^z), a smooth ReLU; computed as logaddexp(0, z) so it never overflows.

    Shapes: z any → same shape.
    """
    z = _z(z, "softplus")
    with np.errstate(invalid="ignore"):          # NaN in, NaN out, as every activation here (no warning)
        return np.logaddexp(0.0, z)


def softplus_derivative(z):
    """d softplus/dz = σ(z) = 1 / (1 + e^−z). Shapes: z any → same shape."""
    return sigmoid(z)


# --- hard thresholds and the identity ------------------------------------------------------

def step(z):
    """Heaviside step: 1 if z > 0 else 0. Shapes: z any → same shape."""
    z = _z(z, "step")
    return (z > 0).astype(z.dtype)


def step_derivative(z):
    """d step/dz = 0 (everywhere it exists): gradient descent gets no signal through a step.

    Shapes: z any → same shape.
    """
    return np.zeros_like(_z(z, "step_derivative"))


def sign(z):
    """+1 if z >= 0 else −1 (unlike np.sign, 0 maps to +1, the perceptron's convention).

    Shapes: z any → same shape.
    """
    z = _z(z, "sign")
    return np.where(z >= 0, 1.0, -1.0).astype(z.dtype)


def sign_derivative(z):
    """d sign/dz = 0 (everywhere it exists). Shapes: z any → same shape."""
    return np.zeros_like(_z(z, "sign_derivative"))


def linear(z):
    """Identity f(z) = z (a copy): used on regression outputs. Shapes: z any → same shape."""
    return _z(z, "linear").copy()


def linear_derivative(z):
    """d linear/dz = 1. Shapes: z any → same shape."""
    return np.ones_like(_z(z, "linear_derivative"))


# --- softmax (not elementwise) ------------------------------------------------------------

def softmax(z, axis: int = -1):
    """e^z_i / Σ_j e^z_j along ``axis``; the max is subtracted first, so large z are safe.

    Args:
        z: scores (logits), at least 1-D, non-empty along ``axis``.
        axis: the axis that sums to 1 (default the last).

    Returns:
        Probabilities of ``z``'s shape.

    Example (the course notes' example):
        >>> np.round(softmax(np.array([1, 2, 3, 4, 1, 2, 3.])), 3)
        array([0.024, 0.064, 0.175, 0.475, 0.024, 0.064, 0.175])
    """
    z = _z(z, "softmax")
    if z.ndim == 0:
        raise ValueError("z must be at least 1-D (a vector of scores) for softmax; got a scalar. Wrap it: [z].")
    axis = check_axis(axis, z.ndim, "axis", "softmax")
    check_nonempty(z, "z", "softmax", axes=axis)
    with np.errstate(invalid="ignore"):          # NaN or inf in z gives NaN (no warning), as the other activations
        shifted = z - np.max(z, axis=axis, keepdims=True)
        e = np.exp(shifted)
        return e / np.sum(e, axis=axis, keepdims=True)


def softmax_jacobian(z):
    """The full Jacobian ∂s_i/∂z_j = s_i (δ_ij − s_j) of s = softmax(z).

    Shapes: z (K,) → (K, K).
    """
    z = as_array(z, "z", "softmax_jacobian", ndim=1, shape_hint="(K,)")
    check_nonempty(z, "z", "softmax_jacobian")
    s = softmax(z)
    return np.diag(s) - np.outer(s, s)


def softmax_backward(dout, s, axis: int = -1):
    """Vector–Jacobian product through softmax: dL/dz_j = s_j (dL/ds_j − Σ_i dL/ds_i s_i).

    Computed without building the K×K Jacobian.

    Args:
        dout: dL/ds, the same shape as ``s``.
        s: the softmax output ``softmax(z, axis)``.
        axis: the axis softmax was taken over.

    Returns:
        dL/dz, the shape of ``s``.
    """
    s = as_array(s, "s", "softmax_backward")
    if s.ndim == 0:
        raise ValueError("s must be at least 1-D (softmax's output) for softmax_backward; got a scalar.")
    dout = check_dout(dout, s.shape, "softmax_backward")
    axis = check_axis(axis, s.ndim, "axis", "softmax_backward")
    return s * (dout - np.sum(dout * s, axis=axis, keepdims=True))


# --- activations with parameters ----------------------------------------------------------

@dataclass(frozen=True)
class PReLUCache:
    """What :func:`prelu_backward` needs from :func:`prelu_forward`."""
    z: np.ndarray            # (N, ...), the input
    alpha: np.ndarray        # broadcastable to z.shape[1:]


@dataclass(frozen=True)
class MaxoutCache:
    """What :func:`maxout_backward` needs from :func:`maxout_forward`."""
    z_shape: tuple           # (N, num_units·k), the input's shape
    idx: np.ndarray          # (N, num_units): which of the k pieces won in each group
    k: int                   # pieces per unit


def prelu_forward(z, alpha):
    """Parametric ReLU: z for z > 0, alpha·z otherwise, with a *learned* alpha per feature.

    Args:
        z: inputs (N, ...), at least 2-D.
        alpha: slopes broadcastable to ``z.shape[1:]`` (Keras's PReLU layer keeps one alpha per
            feature, initialised to 0).

    Returns:
        ``(out, cache)``: out has ``z``'s shape; cache is a :class:`PReLUCache` for :func:`prelu_backward`.
    """
    z = as_array(z, "z", "prelu_forward", ndim=(2, 3, 4, 5), shape_hint="(N, ...)",
                 fix="Add a batch axis, e.g. z[None, :].")
    alpha = as_array(alpha, "alpha", "prelu_forward")
    try:
        ok = np.broadcast_shapes(alpha.shape, z.shape[1:]) == z.shape[1:]
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"alpha must be broadcastable to z.shape[1:] = {z.shape[1:]} for prelu_forward; "
                         f"got shape {alpha.shape}. Use one slope per feature, e.g. np.zeros(z.shape[1:]).")
    out = np.where(z > 0, z, alpha * z)
    return out, PReLUCache(z, alpha)


def prelu_backward(dout, cache):
    """dL/dz = dout if z > 0 else alpha·dout;  dL/dalpha = Σ over the batch (and broadcast axes) of z·dout where z ≤ 0.

    Args:
        dout: dL/dout, the forward output's shape (N, ...).
        cache: the :class:`PReLUCache` from :func:`prelu_forward`.

    Returns:
        ``(dz, {"alpha": dalpha})`` with dz of z's shape and dalpha of alpha's shape.
    """
    cache = check_cache(cache, PReLUCache, "prelu_backward", "prelu_forward")
    z, alpha = cache.z, cache.alpha
    dout = check_dout(dout, z.shape, "prelu_backward")
    dz = np.where(z > 0, dout, alpha * dout)
    dalpha_full = np.where(z > 0, 0.0, z * dout)
    dalpha = dalpha_full.sum(axis=0)
    # sum over axes where alpha was broadcast (size 1 in alpha, larger in z)
    alpha_shape = (1,) * (dalpha.ndim - alpha.ndim) + alpha.shape
    axes = tuple(i for i, (a, d) in enumerate(zip(alpha_shape, dalpha.shape)) if a == 1 and d != 1)
    dalpha = dalpha.sum(axis=axes, keepdims=True).reshape(alpha.shape)
    return dz, {"alpha": dalpha}


def maxout_forward(z, num_units: int):
    """Maxout over groups: the max of each group of k *contiguous* features.

    The layout of the classic Maxout layer: reshape to (N, units, k). Put a Dense layer with
    ``num_units·k`` outputs in front of it to get max(w_1ᵀx + b_1, …, w_kᵀx + b_k) per unit, as in the notes.

    Shapes: z (N, num_units·k) → out (N, num_units).

    Returns:
        ``(out, cache)``: out (N, num_units) and a :class:`MaxoutCache` for :func:`maxout_backward`.
    """
    z = as_array(z, "z", "maxout_forward", ndim=2, shape_hint="(N, features)")
    check_positive(num_units, "num_units", "maxout_forward", integer=True)
    if z.shape[1] == 0 or z.shape[1] % num_units:
        raise ValueError(
            f"z.shape[1] must be a positive multiple of num_units for maxout_forward; got {z.shape[1]} features "
            f"and num_units={num_units}. Give the layer before it num_units·k outputs.")
    k = z.shape[1] // num_units
    grouped = z.reshape(z.shape[0], num_units, k)          # (N, units, k)
    idx = np.argmax(grouped, axis=-1)                        # (N, units)
    out = np.take_along_axis(grouped, idx[..., None], axis=-1)[..., 0]
    return out, MaxoutCache(z.shape, idx, k)


def maxout_backward(dout, cache):
    """dL/dz = dout at the winning piece of each group, 0 elsewhere.

    Shapes: dout (N, num_units) → dz (N, num_units·k). Returns ``(dz, {})`` (maxout has no parameters).
    ``cache`` is the :class:`MaxoutCache` from :func:`maxout_forward`.
    """
    cache = check_cache(cache, MaxoutCache, "maxout_backward", "maxout_forward")
    shape, idx, k = cache.z_shape, cache.idx, cache.k
    dout = check_dout(dout, idx.shape, "maxout_backward")
    dgrouped = np.zeros((shape[0], dout.shape[1], k), dtype=dout.dtype)
    np.put_along_axis(dgrouped, idx[..., None], dout[..., None], axis=-1)
    return dgrouped.reshape(shape), {}


# --- the registry ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Activation:
    """A named elementwise activation and its derivative."""
    name: str
    fn: Callable
    derivative: Callable
    output_range: str
    typical_use: str

    def __call__(self, z):
        """Apply the activation: ``self.fn(z)``."""
        return self.fn(z)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a for a in [
        Activation("step", step, step_derivative, "{0, 1}", "the original perceptron (0/1 output)"),
        Activation("sign", sign, sign_derivative, "{-1, +1}", "the perceptron's ±1 decision function"),
        Activation("linear", linear, linear_derivative, "(-inf, inf)", "regression outputs"),
        Activation("sigmoid", sigmoid, sigmoid_derivative, "(0, 1)", "binary-classification outputs, gates"),
        Activation("tanh", tanh, tanh_derivative, "(-1, 1)", "hidden layers of small nets, RNN states"),
        Activation("relu", relu, relu_derivative, "[0, inf)", "the default for hidden layers"),
        Activation("leaky_relu", leaky_relu, leaky_relu_derivative, "(-inf, inf)", "hidden layers; avoids dead ReLUs"),
        Activation("elu", elu, elu_derivative, "(-alpha, inf)", "hidden layers; smooth, mean closer to 0"),
        Activation("softplus", softplus, softplus_derivative, "(0, inf)", "smooth ReLU; positive outputs (e.g. a scale)"),
    ]
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name; a clear error lists the known names.

    Args:
        name: a key of :data:`ACTIVATIONS`, an :class:`Activation` (returned as is) or None ("linear").

    Returns:
        The :class:`Activation` record.
    """
    if isinstance(name, Activation):
        return name
    if isinstance(name, str) and name in ACTIVATIONS:      # the common case, inside every layer's forward/backward
        return ACTIVATIONS[name]
    if name is None:
        name = "linear"
    check_choice(name, "activation", "get_activation", list(ACTIVATIONS) + ["softmax"])
    if name == "softmax":
        raise ValueError(
            "activation must be elementwise for get_activation; got 'softmax', which mixes the features. "
            "Use dlhelpers.scratch.activations.softmax and softmax_backward, or a Dense layer with activation='softmax'.")
    return ACTIVATIONS[name]
