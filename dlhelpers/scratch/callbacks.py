"""Callbacks for :meth:`~dlhelpers.scratch.network.Sequential.fit`, as in Keras.

``fit`` calls every callback's hooks at fixed points of the loop; a callback reads the model
(``self.model``) and the numbers of the moment (``logs``) and records or shows them. That keeps
printing, plotting and bookkeeping out of the training loop:

* :class:`History` — per-epoch metrics (``fit`` returns one);
* :class:`WeightHistory` — copies of every parameter after each epoch or batch;
* :class:`LambdaCallback` — a callback made of plain functions;
* :class:`ProgressBar` — a tqdm bar over epochs (``fit(progress=True)`` adds one). In a notebook
  the live widget is replaced by a one-line text summary when training ends, so a saved notebook
  (on GitHub, nbviewer) shows the final state instead of a bar frozen at 0 %.
"""
from __future__ import annotations

import sys

import numpy as np

from .._checks import check_callable, check_choice

__all__ = ["Callback", "LambdaCallback", "WeightHistory", "History", "ProgressBar", "HOOKS"]

#: The hook names ``fit`` calls, in the order of a training run.
HOOKS = ("on_train_begin", "on_epoch_begin", "on_batch_end", "on_epoch_end", "on_train_end")


class Callback:
    """Hook points, as in Keras: override the ones you need. ``logs`` is a dict of floats.

    ``fit`` sets ``model`` (the network being trained) and ``params`` (``{"epochs": ...,
    "steps": batches per epoch, "batch_size": ...}``) before ``on_train_begin``.
    """

    def __init__(self):
        self.model = None
        self.params: dict = {}

    def on_train_begin(self, logs=None):
        """Called once before the first epoch."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of epoch ``epoch`` (0-based)."""

    def on_batch_end(self, batch, logs=None):
        """Called after each optimizer step; ``logs = {"loss": batch loss}``."""

    def on_epoch_end(self, epoch, logs=None):
        """Called after each epoch; ``logs`` holds loss, accuracy (and val_loss, val_accuracy), seconds, ..."""

    def on_train_end(self, logs=None):
        """Called once after the last epoch; ``logs`` holds the last epoch's numbers."""


class LambdaCallback(Callback):
    """A callback made of plain functions, e.g. ``LambdaCallback(on_epoch_end=lambda epoch, logs: ...)``.

    Args:
        **hooks: hook name (one of :data:`HOOKS`) → function with that hook's arguments.
    """

    def __init__(self, **hooks):
        super().__init__()
        for name, fn in hooks.items():
            check_choice(name, "hook names", "LambdaCallback", HOOKS)
            check_callable(fn, name, "LambdaCallback", f"Pass a function, e.g. {name}=lambda *args, **kw: None.")
            setattr(self, name, fn)


class WeightHistory(Callback):
    """Keeps a copy of every parameter at the start and after each epoch (or each batch with ``every="batch"``).

    Args:
        every: "epoch" or "batch".

    Attributes:
        snapshots: list of ``{param name: array}`` dicts, the first one before training.
    """

    def __init__(self, every="epoch"):
        super().__init__()
        check_choice(every, "every", "WeightHistory", ("epoch", "batch"))
        self.every = every
        self.snapshots: list[dict[str, np.ndarray]] = []

    def _snapshot(self):
        self.snapshots.append({k: v.copy() for k, v in self.model.params.items()})

    def on_train_begin(self, logs=None):
        """Record the starting weights."""
        self._snapshot()

    def on_batch_end(self, batch, logs=None):
        """Record the weights after a batch (``every="batch"``)."""
        if self.every == "batch":
            self._snapshot()

    def on_epoch_end(self, epoch, logs=None):
        """Record the weights after an epoch (``every="epoch"``)."""
        if self.every == "epoch":
            self._snapshot()


class History(Callback):
    """Per-epoch metrics, like the object Keras's ``fit`` returns: ``history.history["loss"]``.

    Attributes:
        history: ``{metric name: [one float per epoch]}``.
        epoch: the epoch indices seen.
    """

    def __init__(self):
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch, logs=None):
        """Append this epoch's numbers."""
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(float(v))


def _in_notebook_kernel() -> bool:
    """True inside a Jupyter kernel (where tqdm.auto shows a widget), False in a terminal or script."""
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return bool(shell) and "IPKernelApp" in getattr(shell, "config", {})


class ProgressBar(Callback):
    """A tqdm.auto progress bar over epochs, with the loss and accuracy after each epoch.

    In a terminal it is tqdm's text bar. In a notebook it is tqdm's widget while training runs;
    when training ends the widget's output is replaced, through an IPython display handle, by one
    line of text with the final state (``epochs: 100%|…| 30/30 [00:01, loss=0.0312, acc=0.990]``),
    which is what a saved notebook keeps.

    Args:
        desc: the bar's label.

    Attributes:
        summary: that final line, once training has ended ("" before).
    """

    def __init__(self, desc="epochs"):
        super().__init__()
        if not isinstance(desc, str):
            raise TypeError(f"desc must be a string for ProgressBar; got {desc!r} ({type(desc).__name__}). "
                            "Pass e.g. desc='epochs'.")
        self.desc = desc
        self.summary = ""
        self._bar = None
        self._handle = None

    def on_train_begin(self, logs=None):
        """Open the bar (and, in a notebook, a display that can be replaced later)."""
        from tqdm.auto import tqdm
        total = self.params.get("epochs")
        self.summary = ""
        if _in_notebook_kernel() and "tqdm.notebook" in sys.modules and \
                issubclass(tqdm, sys.modules["tqdm.notebook"].tqdm):
            from IPython.display import display
            self._bar = tqdm(total=total, desc=self.desc, leave=True, display=False)
            self._handle = display(self._bar.container, display_id=True)
        else:
            self._bar = tqdm(total=total, desc=self.desc, leave=True)
            self._handle = None

    def on_epoch_end(self, epoch, logs=None):
        """Advance by one epoch and show the epoch's loss and accuracy."""
        logs = logs or {}
        shown = {k: f"{logs[k]:.4f}" for k in ("loss", "val_loss") if k in logs}
        shown.update({k.replace("accuracy", "acc"): f"{logs[k]:.3f}" for k in ("accuracy", "val_accuracy") if k in logs})
        self._bar.set_postfix(shown, refresh=False)
        self._bar.update(1)

    def on_train_end(self, logs=None):
        """Close the bar; in a notebook, replace the widget by the one-line summary."""
        from tqdm import tqdm as text_tqdm
        bar = self._bar
        self.summary = text_tqdm.format_meter(**{**bar.format_dict, "ncols": 100})
        if self._handle is not None:
            from IPython.display import Pretty
            bar.disp = lambda *args, **kwargs: None         # the widget is about to leave the page
            bar.close()
            bar.container.close()
            self._handle.update(Pretty(self.summary))
        else:
            bar.close()
        self._bar = None
