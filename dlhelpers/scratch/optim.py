"""Optimizers, learning-rate schedules and gradient clipping, with Keras 3's rules.

An optimizer updates a dict of parameter arrays from a dict of gradients with the same
keys: ``opt.step(params, grads)`` returns new arrays (the inputs are not mutated), so a
notebook can keep every step's weights. ``learning_rate`` may be a float or a schedule
(any callable of the step number, e.g. :class:`ExponentialDecay`). Each optimizer can clip
the gradients before its update (``clipvalue``, ``clipnorm`` or ``global_clipnorm``, at most
one), exactly as Keras's optimizers do; the three clipping rules are also public functions.
"""
from __future__ import annotations

import math

import numpy as np

import inspect
import numbers

from .._checks import _fail, as_array, check_bool, check_choice, check_in_range, check_number, check_positive

__all__ = ["SGD", "RMSprop", "Adam", "ExponentialDecay", "StepDecay", "get_optimizer", "OPTIMIZERS",
           "clip_by_value", "clip_by_norm", "clip_by_global_norm"]


# --- gradient clipping (Keras 3: BaseOptimizer._clip_gradients) ---------------------------------------------

def _grad_arrays(grads, func):
    """``grads`` checked: a dict of numeric, finite arrays → a new dict of float arrays (same keys)."""
    if not isinstance(grads, dict):
        _fail("grads", func, "a dict {name: array}", type(grads).__name__,
              "Pass the gradients keyed like the parameters, e.g. {'kernel': dW, 'bias': db}.", exc=TypeError)
    return {key: as_array(g, f"grads[{key!r}]", func) for key, g in grads.items()}


def _l2_norm(arrays):
    """√(Σ x²) over every element of every array, as a Python float (rescaled if the plain sum overflows)."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    with np.errstate(over="ignore"):
        total = sum(float(np.sum(np.square(a))) for a in arrays)
    if math.isfinite(total):
        return math.sqrt(total)
    big = max(float(np.max(np.abs(a))) for a in arrays if a.size)       # overflowed: factor out the largest |x|
    return big * math.sqrt(sum(float(np.sum(np.square(a / big))) for a in arrays))


def _scaled(g, c, norm):
    """Keras's g·c / max(norm, c) in g's dtype; g·(c / max(norm, c)) where g·c alone would overflow."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = g * c / max(norm, c)
    if not np.all(np.isfinite(out)):
        out = g * (c / max(norm, c))
    return out


def clip_by_value(grads: dict, clipvalue) -> dict:
    """g ← clip(g, −clipvalue, clipvalue) elementwise, for every gradient (Keras's ``clipvalue``).

    Args:
        grads: ``{name: array}`` of finite gradients (any shapes).
        clipvalue: a positive finite number.

    Returns:
        A new dict with the same keys: each array of the same shape with every element in
        [−clipvalue, clipvalue] (``grads`` is not mutated).

    Example:
        >>> clip_by_value({"w": np.array([-3.0, 0.5, 2.0])}, 1.0)["w"]
        array([-1. ,  0.5,  1. ])
    """
    check_positive(clipvalue, "clipvalue", "clip_by_value")
    v = float(clipvalue)
    return {key: np.clip(g, -v, v) for key, g in _grad_arrays(grads, "clip_by_value").items()}


def clip_by_norm(grads: dict, clipnorm) -> dict:
    """g ← g·clipnorm / max(‖g‖₂, clipnorm) for each array on its own (Keras's ``clipnorm``).

    ‖g‖₂ is the L2 norm of all of one array's elements. An array with ‖g‖₂ <= clipnorm is unchanged
    (a zero gradient stays zero: there is no epsilon, the max keeps the divisor >= clipnorm); a
    longer one is scaled to norm clipnorm, keeping its direction.

    Args:
        grads: ``{name: array}`` of finite gradients (any shapes).
        clipnorm: a positive finite number, the largest allowed norm of each array.

    Returns:
        A new dict with the same keys and shapes (``grads`` is not mutated).

    Example:
        >>> clip_by_norm({"w": np.array([3.0, 4.0])}, 1.0)["w"]
        array([0.6, 0.8])
    """
    check_positive(clipnorm, "clipnorm", "clip_by_norm")
    c = float(clipnorm)
    return {key: _scaled(g, c, _l2_norm([g])) for key, g in _grad_arrays(grads, "clip_by_norm").items()}


def clip_by_global_norm(grads: dict, global_clipnorm) -> tuple[dict, float]:
    """g ← g·c·min(1/N, 1/c) for every array, N = √(Σ over all arrays of Σ g²) (Keras's ``global_clipnorm``).

    All gradients are scaled by the same factor c·min(1/N, 1/c) = min(c/N, 1) (c = global_clipnorm),
    so the direction of the whole gradient is kept and its global norm becomes at most c. N = 0
    (all gradients zero) gives the factor 1: zero stays zero.

    Args:
        grads: ``{name: array}`` of finite gradients (any shapes).
        global_clipnorm: a positive finite number, the largest allowed global norm.

    Returns:
        ``(clipped, norm)``: a new dict with the same keys and shapes (``grads`` is not mutated), and
        the global norm N before clipping (a float).

    Example:
        >>> clipped, norm = clip_by_global_norm({"a": np.array([3.0, 4.0]), "b": np.array([0.0, 12.0])}, 6.5)
        >>> norm, clipped["a"], clipped["b"]
        (13.0, array([1.5, 2. ]), array([0., 6.]))
    """
    check_positive(global_clipnorm, "global_clipnorm", "clip_by_global_norm")
    c = float(global_clipnorm)
    arrays = _grad_arrays(grads, "clip_by_global_norm")
    norm = _l2_norm(arrays.values()) if arrays else 0.0
    scale = c * min(1.0 / norm if norm > 0 else math.inf, 1.0 / c)
    return {key: g * scale for key, g in arrays.items()}, norm


_CLIPPERS = {"clipvalue": clip_by_value, "clipnorm": clip_by_norm,
             "global_clipnorm": lambda grads, c: clip_by_global_norm(grads, c)[0]}


class ExponentialDecay:
    """lr(step) = initial · rate^(step / decay_steps); with ``staircase`` the exponent is floored.

    Same formula as ``keras.optimizers.schedules.ExponentialDecay``.

    Args:
        initial_learning_rate: the rate at step 0, > 0.
        decay_steps: how many steps one factor of ``decay_rate`` takes, > 0.
        decay_rate: the factor, > 0 (below 1 decays, above 1 grows).
        staircase: floor step / decay_steps (the rate changes in jumps).
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        check_positive(initial_learning_rate, "initial_learning_rate", "ExponentialDecay")
        check_positive(decay_steps, "decay_steps", "ExponentialDecay")
        check_positive(decay_rate, "decay_rate", "ExponentialDecay")
        check_bool(staircase, "staircase", "ExponentialDecay")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase

    def __call__(self, step):
        """The learning rate at ``step`` (a number >= 0, usually the optimizer's iteration count)."""
        check_number(step, "step", type(self).__name__, low=0)
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        try:
            lr = self.initial_learning_rate * self.decay_rate ** p
        except OverflowError:
            lr = math.inf
        if not math.isfinite(lr):
            raise ValueError(f"the learning rate must stay finite for {self!r}; got inf at step {step}. "
                             "Use decay_rate <= 1 (decay) or fewer steps.")
        return lr

    def __repr__(self):
        return (f"ExponentialDecay({self.initial_learning_rate}, decay_steps={self.decay_steps}, "
                f"decay_rate={self.decay_rate}, staircase={self.staircase})")


class StepDecay(ExponentialDecay):
    """Step decay: multiply the rate by ``drop`` every ``every`` steps (a staircase exponential decay).

    Args:
        initial_learning_rate: the rate at step 0, > 0.
        drop: the factor applied every ``every`` steps, > 0.
        every: a positive integer number of steps.
    """

    def __init__(self, initial_learning_rate, drop=0.5, every=10):
        check_positive(every, "every", "StepDecay", integer=True)
        super().__init__(initial_learning_rate, every, drop, staircase=True)

    def __repr__(self):
        return f"StepDecay({self.initial_learning_rate}, drop={self.decay_rate}, every={self.decay_steps})"


class _Optimizer:
    """Shared bookkeeping: the learning rate (a number or a schedule), gradient clipping, the step counter,
    the slots.

    Clipping (at most one of the three, as in Keras; each a positive number or None) happens in
    :meth:`step` before the update: ``clipvalue`` → :func:`clip_by_value`, ``clipnorm`` →
    :func:`clip_by_norm` (each parameter's gradient on its own), ``global_clipnorm`` →
    :func:`clip_by_global_norm` (all gradients of the step together).
    """
    name = "optimizer"

    def __init__(self, learning_rate, clipvalue=None, clipnorm=None, global_clipnorm=None):
        func = type(self).__name__
        if not callable(learning_rate):
            check_positive(learning_rate, "learning_rate", func)
        settings = {"clipvalue": clipvalue, "clipnorm": clipnorm, "global_clipnorm": global_clipnorm}
        for arg, value in settings.items():
            if value is not None:
                check_positive(value, arg, func)
        chosen = [f"{arg}={value!r}" for arg, value in settings.items() if value is not None]
        if len(chosen) > 1:
            _fail("the clipping arguments", func, "at most one of clipvalue, clipnorm and global_clipnorm",
                  ", ".join(chosen), "Keep one of them (Keras allows only one too).")
        self.learning_rate = learning_rate
        self.clipvalue, self.clipnorm, self.global_clipnorm = clipvalue, clipnorm, global_clipnorm
        self.iterations = 0
        self.state: dict = {}

    def clip_gradients(self, grads: dict) -> dict:
        """The gradients after this optimizer's clipping (Keras's ``_clip_gradients``); unchanged if none is set.

        Args:
            grads: ``{name: array}`` of finite gradients.

        Returns:
            A new dict with the same keys and shapes.
        """
        for arg, clip in _CLIPPERS.items():
            value = getattr(self, arg)
            if value is not None:
                return clip(grads, value)
        return dict(_grad_arrays(grads, f"{type(self).__name__}.clip_gradients"))

    def current_learning_rate(self):
        """The rate for the next step: the number, or the schedule evaluated at ``iterations``.

        A schedule must return a finite number >= 0; anything else (NaN, inf, a string, a
        negative rate) raises ValueError/TypeError instead of silently spoiling the weights.
        """
        lr = self.learning_rate
        if not callable(lr):
            return float(lr)
        value = lr(self.iterations)
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        fix = "Check the schedule: it must return a finite, non-negative number for every step."
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            _fail("the learning-rate schedule's value", type(self).__name__, "a number",
                  f"{value!r} ({type(value).__name__}) at step {self.iterations}", fix, exc=TypeError)
        if not math.isfinite(value) or value < 0:
            _fail("the learning-rate schedule's value", type(self).__name__, "a finite number >= 0",
                  f"{value!r} at step {self.iterations}", fix)
        return float(value)

    def step(self, params: dict, grads: dict) -> dict:
        """One update: new arrays for every parameter (``params`` and ``grads`` are not mutated).

        The gradients are clipped first when ``clipvalue``, ``clipnorm`` or ``global_clipnorm`` is set
        (the global norm is taken over the gradients of ``params``'s keys).

        Args:
            params: ``{name: array}``, finite numbers.
            grads: ``{name: dL/dparam}`` with the same keys and each the shape of its parameter.

        Returns:
            ``{name: updated array}``, the same keys and shapes as ``params``.
        """
        func = f"{type(self).__name__}.step"
        for arg, value in (("params", params), ("grads", grads)):
            if not isinstance(value, dict):
                _fail(arg, func, "a dict {name: array}", type(value).__name__,
                      "Pass e.g. model.params and the matching gradients.", exc=TypeError)
        missing = set(params) - set(grads)
        if missing:
            raise ValueError(f"grads must have a gradient for every parameter for {type(self).__name__}.step; "
                             f"missing {sorted(missing, key=str)}. Check the backward pass returns them all.")
        lr = self.current_learning_rate()
        checked_p, checked_g = {}, {}
        for key, p in params.items():
            checked_p[key] = p = as_array(p, f"params[{key!r}]", func)
            checked_g[key] = g = as_array(grads[key], f"grads[{key!r}]", func)
            if g.shape != p.shape:
                raise ValueError(f"grads[{key!r}] must have shape {p.shape} for {type(self).__name__}.step; "
                                 f"got {g.shape}.")
        checked_g = self.clip_gradients(checked_g)       # Keras clips the gradients of the step, then updates
        new = {}
        for key, p in checked_p.items():
            g = checked_g[key]
            with np.errstate(over="ignore", invalid="ignore"):
                new[key] = self._update(key, p, g, lr)
            if not np.all(np.isfinite(new[key])):
                raise ValueError(f"the update of {key!r} must stay finite for {func}; got inf or NaN "
                                 f"(learning rate {lr:g}, largest |gradient| {np.max(np.abs(g)):.3g}). "
                                 "Lower the learning rate or scale the inputs.")
        self.iterations += 1
        return new

    def _slot(self, key, name, like):
        return self.state.setdefault((key, name), np.zeros_like(like, dtype=np.result_type(like, np.float32)))

    def reset(self):
        """Forget the step count and the slots (velocity, moments), e.g. before training again."""
        self.iterations = 0
        self.state = {}


class SGD(_Optimizer):
    """Plain gradient descent, optionally with (Nesterov) momentum, as Keras 3:

    v ← momentum·v − lr·g;  p ← p + v   (Nesterov: p ← p + momentum·v − lr·g)
    """
    name = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, clipvalue=None, clipnorm=None,
                 global_clipnorm=None):
        super().__init__(learning_rate, clipvalue, clipnorm, global_clipnorm)
        check_in_range(momentum, "momentum", "SGD", 0.0, 1.0)
        check_bool(nesterov, "nesterov", "SGD")
        self.momentum = momentum
        self.nesterov = nesterov

    def _update(self, key, p, g, lr):
        if self.momentum == 0:
            return p - lr * g
        v = self._slot(key, "velocity", p)
        v[...] = self.momentum * v - lr * g
        if self.nesterov:
            return p + self.momentum * v - lr * g
        return p + v


class RMSprop(_Optimizer):
    """Divide the step by a running RMS of recent gradients (Keras 3 rule, eps inside the root):

    s ← ρ·s + (1 − ρ)·g²;  p ← p − lr·g / √(s + ε)
    """
    name = "rmsprop"

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-7, clipvalue=None, clipnorm=None,
                 global_clipnorm=None):
        super().__init__(learning_rate, clipvalue, clipnorm, global_clipnorm)
        check_in_range(rho, "rho", "RMSprop", 0.0, 1.0)
        check_positive(epsilon, "epsilon", "RMSprop")
        self.rho, self.epsilon = rho, epsilon

    def _update(self, key, p, g, lr):
        s = self._slot(key, "velocity", p)
        s[...] = self.rho * s + (1.0 - self.rho) * g * g
        return p - lr * g / np.sqrt(s + self.epsilon)


class Adam(_Optimizer):
    """Momentum plus RMS scaling with bias correction (Keras 3 rule):

    m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ);  p ← p − α·m/(√v + ε)
    """
    name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, clipvalue=None,
                 clipnorm=None, global_clipnorm=None):
        super().__init__(learning_rate, clipvalue, clipnorm, global_clipnorm)
        check_in_range(beta_1, "beta_1", "Adam", 0.0, 1.0)
        check_in_range(beta_2, "beta_2", "Adam", 0.0, 1.0)
        check_positive(epsilon, "epsilon", "Adam")
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def _update(self, key, p, g, lr):
        t = self.iterations + 1
        m = self._slot(key, "m", p)
        v = self._slot(key, "v", p)
        m[...] = m + (g - m) * (1.0 - self.beta_1)
        v[...] = v + (g * g - v) * (1.0 - self.beta_2)
        alpha = float(lr * np.sqrt(1.0 - self.beta_2 ** t) / (1.0 - self.beta_1 ** t))  # float: float32 stays
        return p - alpha * m / (np.sqrt(v) + self.epsilon)


OPTIMIZERS = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def get_optimizer(optimizer, **kwargs):
    """An optimizer instance from a name (``"sgd"``, ``"rmsprop"``, ``"adam"``) or an instance (returned as is).

    Args:
        optimizer: a key of :data:`OPTIMIZERS` or an optimizer object.
        **kwargs: passed to the optimizer's constructor, e.g. ``learning_rate=0.01``.

    Example:
        >>> get_optimizer("sgd", learning_rate=0.1, momentum=0.9).momentum
        0.9
    """
    if isinstance(optimizer, _Optimizer):
        return optimizer
    check_choice(optimizer, "optimizer", "get_optimizer", OPTIMIZERS)
    cls = OPTIMIZERS[optimizer]
    allowed = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        _fail("the keyword arguments", "get_optimizer", f"among {', '.join(allowed)} for {optimizer!r}",
              ", ".join(unknown), "Check the spelling.", exc=TypeError)
    return cls(**kwargs)
