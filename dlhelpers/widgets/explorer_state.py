"""Pure state of the hyperparameter explorer (no ipywidgets, no drawing; tested in plain pytest).

The state holds the settings of a small scratch MLP on a 2-D data set, validates every change
(a clear ValueError/TypeError names the setting, what it accepts and what it got), remembers
which settings the last result was trained with, and so knows when the picture on screen is
out of date (:attr:`ExplorerState.is_stale`). Drawing is :mod:`dlhelpers.viz.explorer`'s job.
"""
from __future__ import annotations

import numbers
import time

import numpy as np

from .._checks import check_choice, check_in_range, check_positive
from ..scratch.activations import ACTIVATIONS
from ..scratch.initializers import INITIALIZERS

__all__ = ["ExplorerState", "validate_setting", "EXPLORER_ACTIVATIONS", "EXPLORER_INITIALIZERS", "SETTING_NAMES"]

# step and sign have a zero derivative almost everywhere: gradient descent cannot train them
EXPLORER_ACTIVATIONS = tuple(name for name in ACTIVATIONS if name not in ("step", "sign"))
EXPLORER_INITIALIZERS = tuple(INITIALIZERS)
SETTING_NAMES = ("hidden_layers", "units", "activation", "learning_rate", "epochs", "batch_size",
                 "initializer", "dropout")

_DEFAULTS = {"hidden_layers": 1, "units": 8, "activation": "tanh", "learning_rate": 0.05, "epochs": 100,
             "batch_size": 32, "initializer": "glorot_uniform", "dropout": 0.0}


def _check_int(value, name, func, low):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer for {func}; got {value!r} ({type(value).__name__}). "
                        f"Pass a whole number, e.g. {name}={max(low, 1)}.")
    if value < low:
        raise ValueError(f"{name} must be >= {low} for {func}; got {value}. Pick a whole number of at least {low}.")
    return int(value)


def validate_setting(name: str, value):
    """Check one setting and return it in canonical form (ints as int, rates as float).

    Raises:
        ValueError: unknown setting name, unknown activation/initializer, non-positive epochs,
            units or learning rate, dropout outside [0, 1).
        TypeError: a value of the wrong type (a string for epochs, ...).
    """
    func = "ExplorerState"
    if name == "hidden_layers":
        return _check_int(value, name, func, 0)
    if name in ("units", "epochs"):
        return _check_int(value, name, func, 1)
    if name == "batch_size":
        return None if value is None else _check_int(value, name, func, 1)
    if name == "learning_rate":
        return float(check_positive(value, name, func))
    if name == "dropout":
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"dropout must be a number in [0, 1) for {func}; got {value!r} ({type(value).__name__}). "
                            "Pass e.g. dropout=0.2.")
        return float(check_in_range(value, name, func, 0.0, 1.0))
    if name == "activation":
        return check_choice(value, name, func, EXPLORER_ACTIVATIONS)
    if name == "initializer":
        return check_choice(value, name, func, EXPLORER_INITIALIZERS)
    check_choice(name, "setting name", func, SETTING_NAMES)
    raise AssertionError("unreachable")   # pragma: no cover


class ExplorerState:
    """Settings of a small MLP on a 2-D data set; :meth:`train` fits it and returns a result dict.

    Args:
        dataset: a 2-D binary data set from :mod:`dlhelpers.data` (``.X`` of shape (N, 2), ``.y`` 0/1).
        hidden_layers, units, activation, learning_rate, epochs, batch_size, initializer, dropout:
            the starting settings (validated as by :meth:`update`).
        seed: seeds the split, the initial weights, the shuffling and dropout.

    Example:
        >>> from dlhelpers.data import moons
        >>> st = ExplorerState(moons(100, rng=0), epochs=5)
        >>> st.update(units=4)
        >>> st.is_stale, st.result is None
        (False, True)
    """

    def __init__(self, dataset, seed: int = 0, **settings):
        X = getattr(dataset, "X", None)
        if X is None or getattr(dataset, "y", None) is None or np.ndim(X) != 2 or np.shape(X)[1] != 2:
            raise ValueError(f"dataset must be a 2-D data set with .X of shape (N, 2) and .y for ExplorerState; "
                             f"got {type(dataset).__name__}{'' if X is None else f' with X of shape {np.shape(X)}'}. "
                             "Use e.g. dlhelpers.data.moons(300, rng=0).")
        self.dataset = dataset
        self.seed: int = _check_int(seed, "seed", "ExplorerState", 0)
        self.hidden_layers: int = _DEFAULTS["hidden_layers"]
        self.units: int = _DEFAULTS["units"]
        self.activation: str = _DEFAULTS["activation"]
        self.learning_rate: float = _DEFAULTS["learning_rate"]
        self.epochs: int = _DEFAULTS["epochs"]
        self.batch_size: int | None = _DEFAULTS["batch_size"]
        self.initializer: str = _DEFAULTS["initializer"]
        self.dropout: float = _DEFAULTS["dropout"]
        self.result: dict | None = None
        self.trained_settings: dict | None = None
        self.update(**settings)

    def settings(self) -> dict:
        """The current settings, name → value."""
        return {name: getattr(self, name) for name in SETTING_NAMES}

    def update(self, **changes) -> None:
        """Validate and apply some settings, e.g. ``update(units=16, dropout=0.2)``; all or none are applied."""
        checked = {name: validate_setting(name, value) for name, value in changes.items()}
        for name, value in checked.items():
            setattr(self, name, value)

    @property
    def is_stale(self) -> bool:
        """True when a result exists but the settings changed since it was trained."""
        return self.result is not None and self.settings() != self.trained_settings

    def build(self):
        """A compiled scratch :class:`~dlhelpers.scratch.network.Sequential` for the current settings."""
        from ..scratch.network import Dense, Dropout, Sequential
        layers = []
        for _ in range(self.hidden_layers):
            layers.append(Dense(self.units, self.activation, kernel_initializer=self.initializer))
            if self.dropout:
                layers.append(Dropout(self.dropout))
        layers.append(Dense(1, "sigmoid", kernel_initializer=self.initializer))
        net = Sequential(layers, input_dim=self.dataset.X.shape[1], rng=self.seed)
        net.compile("binary_crossentropy", "adam", learning_rate=self.learning_rate)
        return net

    def train(self, on_epoch=None) -> dict:
        """Fit a fresh network with the current settings (70/30 split) and keep the result.

        Args:
            on_epoch: optional ``f(epoch, epochs)`` called after every epoch (1-based), e.g. to show progress.

        Returns:
            dict with ``model``, ``history`` (Keras-style dict of lists), ``seconds``, ``train_accuracy``,
            ``test_accuracy``, ``params``, ``train``/``test`` (the split) and ``settings``.

        Raises:
            ValueError/TypeError: a setting was assigned directly with an invalid value.
            FloatingPointError: the loss became NaN or inf (e.g. a learning rate far too high).
        """
        current = {name: validate_setting(name, value) for name, value in self.settings().items()}
        from ..data import train_test_split
        tr, te = train_test_split(self.dataset, test_size=0.3, rng=self.seed)
        net = self.build()
        callbacks = ()
        if on_epoch is not None:
            callbacks = (_epoch_callback(lambda e: on_epoch(e + 1, current["epochs"])),)
        t0 = time.perf_counter()
        hist = net.fit(tr.X, tr.y, epochs=current["epochs"], batch_size=current["batch_size"], rng=self.seed,
                       validation_data=(te.X, te.y), callbacks=callbacks)     # on one BLAS thread, as every fit
        seconds = time.perf_counter() - t0
        h = hist.history
        if not np.all(np.isfinite(h["loss"])):
            raise FloatingPointError(f"the training loss became {h['loss'][-1]} for ExplorerState.train "
                                     f"(learning rate {current['learning_rate']:g}). Lower the learning rate.")
        self.result = {"model": net, "history": h, "seconds": seconds,
                       "train_accuracy": h["accuracy"][-1], "test_accuracy": h["val_accuracy"][-1],
                       "params": net.count_params(), "train": tr, "test": te, "settings": current}
        self.trained_settings = current
        return self.result


def _epoch_callback(fn):
    """A scratch-network callback that calls ``fn(epoch)`` at the end of every epoch."""
    try:
        from ..scratch.callbacks import LambdaCallback
    except ImportError:          # callbacks still live in scratch.network
        from ..scratch.network import LambdaCallback
    return LambdaCallback(on_epoch_end=lambda epoch, logs=None: fn(epoch))
