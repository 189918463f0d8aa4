"""Keras twins of the scratch optimizers and schedules, built from the scratch objects' settings."""
from __future__ import annotations

import keras

from ..scratch import optim as S

__all__ = ["from_scratch"]


def _lr(lr):
    if isinstance(lr, S.ExponentialDecay):
        return keras.optimizers.schedules.ExponentialDecay(
            lr.initial_learning_rate, lr.decay_steps, lr.decay_rate, staircase=lr.staircase)
    if callable(lr):
        raise ValueError("learning_rate must be a float or ExponentialDecay/StepDecay for the Keras twin; "
                         f"got {lr!r}. Wrap custom schedules in a keras LearningRateSchedule yourself.")
    return lr


def from_scratch(opt):
    """The Keras optimizer with the same rule and hyperparameters as scratch optimizer ``opt``."""
    if isinstance(opt, S.SGD):
        return keras.optimizers.SGD(_lr(opt.learning_rate), momentum=opt.momentum, nesterov=opt.nesterov)
    if isinstance(opt, S.RMSprop):
        return keras.optimizers.RMSprop(_lr(opt.learning_rate), rho=opt.rho, epsilon=opt.epsilon)
    if isinstance(opt, S.Adam):
        return keras.optimizers.Adam(_lr(opt.learning_rate), beta_1=opt.beta_1, beta_2=opt.beta_2,
                                     epsilon=opt.epsilon)
    raise TypeError(f"opt must be a scratch SGD, RMSprop or Adam for from_scratch; got {type(opt).__name__}.")
