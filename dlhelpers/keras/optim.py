"""Keras twins of the scratch optimizers and schedules, built from the scratch objects' settings."""
from __future__ import annotations

import keras

from .._checks import _fail
from ..scratch import optim as S

__all__ = ["optimizer_from_scratch", "schedule_from_scratch", "KERAS_OPTIMIZERS"]

#: scratch optimizer class → builder(scratch optimizer, Keras learning rate) -> Keras optimizer
KERAS_OPTIMIZERS = {
    S.SGD: lambda o, lr: keras.optimizers.SGD(lr, momentum=o.momentum, nesterov=o.nesterov, **_clipping(o)),
    S.RMSprop: lambda o, lr: keras.optimizers.RMSprop(lr, rho=o.rho, epsilon=o.epsilon, **_clipping(o)),
    S.Adam: lambda o, lr: keras.optimizers.Adam(lr, beta_1=o.beta_1, beta_2=o.beta_2, epsilon=o.epsilon,
                                                **_clipping(o)),
}


def _clipping(opt):
    """The scratch optimizer's gradient clipping as Keras keyword arguments (clipvalue/clipnorm/global_clipnorm)."""
    return {"clipvalue": opt.clipvalue, "clipnorm": opt.clipnorm, "global_clipnorm": opt.global_clipnorm}


def schedule_from_scratch(learning_rate):
    """The Keras learning rate (a float or a schedule) for a scratch learning rate.

    Args:
        learning_rate: a positive float, or a scratch ``ExponentialDecay`` / ``StepDecay``
            (``StepDecay`` is a staircase ``ExponentialDecay``).

    Returns:
        The float unchanged, or a ``keras.optimizers.schedules.ExponentialDecay`` with the same settings.

    Raises:
        ValueError: any other callable schedule (Keras cannot read a Python function's formula).
    """
    lr = learning_rate
    if isinstance(lr, S.ExponentialDecay):
        return keras.optimizers.schedules.ExponentialDecay(
            lr.initial_learning_rate, lr.decay_steps, lr.decay_rate, staircase=lr.staircase)
    if callable(lr):
        _fail("learning_rate", "schedule_from_scratch", "a float or a scratch ExponentialDecay/StepDecay",
              repr(lr), "Wrap custom schedules in a keras.optimizers.schedules.LearningRateSchedule yourself.")
    return lr


def optimizer_from_scratch(opt):
    """The Keras optimizer with the same update rule and hyperparameters as a scratch optimizer.

    Args:
        opt: a scratch ``SGD`` (with momentum/nesterov), ``RMSprop`` or ``Adam``; its learning rate may
            be a float or an ``ExponentialDecay``/``StepDecay``; its gradient clipping (``clipvalue``,
            ``clipnorm`` or ``global_clipnorm``) is carried over.

    Returns:
        A fresh ``keras.optimizers.Optimizer``: the same steps as ``opt.step`` from the same gradients
        (clipped the same way).

    Raises:
        TypeError: ``opt`` is not one of the supported optimizers (the message lists them).
    """
    for cls in type(opt).__mro__:
        if cls in KERAS_OPTIMIZERS:
            return KERAS_OPTIMIZERS[cls](opt, schedule_from_scratch(opt.learning_rate))
    supported = ", ".join(c.__name__ for c in KERAS_OPTIMIZERS)
    _fail("opt", "optimizer_from_scratch", f"a scratch optimizer ({supported})", type(opt).__name__,
          "Build one from dlhelpers.scratch.optim, e.g. SGD(0.1).", exc=TypeError)
