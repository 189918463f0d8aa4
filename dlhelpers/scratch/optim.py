"""Optimizers and learning-rate schedules, with Keras 3's update rules.

An optimizer updates a dict of parameter arrays from a dict of gradients with the same
keys: ``opt.step(params, grads)`` returns new arrays (the inputs are not mutated), so a
notebook can keep every step's weights. ``learning_rate`` may be a float or a schedule
(any callable of the step number, e.g. :class:`ExponentialDecay`).
"""
from __future__ import annotations

import math

import numpy as np

from .._checks import check_in_range, check_positive

__all__ = ["SGD", "RMSprop", "Adam", "ExponentialDecay", "StepDecay", "get_optimizer", "OPTIMIZERS"]


class ExponentialDecay:
    """lr(step) = initial · rate^(step / decay_steps); with ``staircase`` the exponent is floored.

    Same formula as ``keras.optimizers.schedules.ExponentialDecay``.
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        check_positive(initial_learning_rate, "initial_learning_rate", "ExponentialDecay")
        check_positive(decay_steps, "decay_steps", "ExponentialDecay")
        check_positive(decay_rate, "decay_rate", "ExponentialDecay")
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase

    def __call__(self, step):
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate ** p

    def __repr__(self):
        return (f"ExponentialDecay({self.initial_learning_rate}, decay_steps={self.decay_steps}, "
                f"decay_rate={self.decay_rate}, staircase={self.staircase})")


class StepDecay(ExponentialDecay):
    """Step decay: multiply the rate by ``drop`` every ``every`` steps (a staircase exponential decay)."""

    def __init__(self, initial_learning_rate, drop=0.5, every=10):
        super().__init__(initial_learning_rate, every, drop, staircase=True)

    def __repr__(self):
        return f"StepDecay({self.initial_learning_rate}, drop={self.decay_rate}, every={self.decay_steps})"


class _Optimizer:
    name = "optimizer"

    def __init__(self, learning_rate):
        if not callable(learning_rate):
            check_positive(learning_rate, "learning_rate", type(self).__name__)
        self.learning_rate = learning_rate
        self.iterations = 0
        self.state: dict = {}

    def current_learning_rate(self):
        lr = self.learning_rate
        return float(lr(self.iterations)) if callable(lr) else float(lr)

    def step(self, params: dict, grads: dict) -> dict:
        """Return updated parameters; ``grads`` must have the same keys and shapes as ``params``."""
        missing = set(params) - set(grads)
        if missing:
            raise ValueError(f"grads must have a gradient for every parameter for {type(self).__name__}.step; "
                             f"missing {sorted(missing)}. Check the backward pass returns them all.")
        lr = self.current_learning_rate()
        new = {}
        for key, p in params.items():
            g = np.asarray(grads[key])
            if g.shape != np.shape(p):
                raise ValueError(f"grads[{key!r}] must have shape {np.shape(p)} for {type(self).__name__}.step; "
                                 f"got {g.shape}.")
            new[key] = self._update(key, np.asarray(p), g, lr)
        self.iterations += 1
        return new

    def _slot(self, key, name, like):
        return self.state.setdefault((key, name), np.zeros_like(like, dtype=np.result_type(like, np.float32)))

    def reset(self):
        self.iterations = 0
        self.state = {}


class SGD(_Optimizer):
    """Plain gradient descent, optionally with (Nesterov) momentum, as Keras 3:

    v ← momentum·v − lr·g;  p ← p + v   (Nesterov: p ← p + momentum·v − lr·g)
    """
    name = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        super().__init__(learning_rate)
        check_in_range(momentum, "momentum", "SGD", 0.0, 1.0)
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

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-7):
        super().__init__(learning_rate)
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

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate)
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
        alpha = lr * np.sqrt(1.0 - self.beta_2 ** t) / (1.0 - self.beta_1 ** t)
        return p - alpha * m / (np.sqrt(v) + self.epsilon)


OPTIMIZERS = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def get_optimizer(optimizer, **kwargs):
    """An optimizer instance from a name ('sgd', 'rmsprop', 'adam') or an instance (returned as is)."""
    if isinstance(optimizer, _Optimizer):
        return optimizer
    from .._checks import check_choice
    check_choice(optimizer, "optimizer", "get_optimizer", OPTIMIZERS)
    return OPTIMIZERS[optimizer](**kwargs)
