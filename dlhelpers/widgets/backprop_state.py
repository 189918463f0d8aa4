"""Pure state of the backprop stepper: numbers only (no ipywidgets, no HTML; tested in plain pytest).

:mod:`dlhelpers.viz.steppers` and :func:`dlhelpers.viz.network.backprop_svg` turn it into pictures;
:mod:`dlhelpers.widgets.backprop` wires the buttons.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import replace

import numpy as np

from ..scratch.backprop_example import BackpropExample, backprop_steps
from .cursor import StepCursor

__all__ = ["BackpropStepperState", "MAX_TRAIN_STEPS"]

#: The most gradient steps one "Train" asks for (10,000 take well under a second; a million would freeze the page).
MAX_TRAIN_STEPS = 100_000


def notes_example() -> BackpropExample:
    """The course's 2-2-2 example with the notes' numbers (``data/course/worked_examples.json``)."""
    from ..data.course import worked_example
    ex = worked_example("backprop_222")
    return BackpropExample(x=tuple(ex["x"]), w=tuple(ex["w"]), b=tuple(ex["b"]), t=tuple(ex["t"]),
                           learning_rate=float(ex["learning_rate"]))


class BackpropStepperState(StepCursor):
    """Walks through :func:`backprop_steps` one number at a time.

    ``position`` is −1 before the first step and ``len(steps) − 1`` at the last. Edits that are
    not valid (η ≤ 0, NaN inputs, a step count that is not a whole number) leave the example as
    it was and say why in ``message``.

    Example:
        >>> s = BackpropStepperState()
        >>> s.next().name, round(s.current.value, 4)
        ('net_h1', 0.3775)
    """

    def __init__(self, example: BackpropExample | None = None):
        super().__init__()
        self.example = example or notes_example()
        self.iteration = 0
        self.message = ""
        self.errors = None          # E_total after each trained step, or None before training
        self._rebuild()

    def _rebuild(self):
        self.frames = backprop_steps(self.example)
        self.position = -1

    @property
    def steps(self):
        return self.frames

    def reset(self):
        """Back to the start of this iteration (the weights are kept)."""
        self.message = ""
        return super().reset()

    def restart(self):
        """Back to the notes' starting weights, keeping the chosen inputs and learning rate; forgets training."""
        self.example = replace(notes_example(), x=self.example.x, learning_rate=self.example.learning_rate)
        self.iteration = 0
        self.errors = None
        self.message = "Back to the notes' starting weights."
        self._rebuild()

    def apply_update(self):
        """Take the gradient step and start the next iteration with the new weights."""
        self.example = self.example.step()
        self.iteration += 1
        self._rebuild()
        self.message = f"Weights updated: iteration {self.iteration}, E_total = {self.example.error():.9f}."

    # edits
    def _edit(self, done: str, **changes) -> str:
        """Apply changes to the example; on bad values keep the old one and return the message."""
        try:
            self.example = replace(self.example, **changes)
        except (TypeError, ValueError) as exc:
            self.message = f"⚠ Not applied: {exc}"
            return self.message
        self._rebuild()
        self.message = done.format(ex=self.example)
        return ""

    def set_learning_rate(self, lr) -> str:
        """Set η (must be > 0); returns "" or the message saying why it was refused."""
        return self._edit("Learning rate set to {ex.learning_rate:g}.", learning_rate=lr)

    def set_inputs(self, x1, x2) -> str:
        """Set the inputs x1, x2 (finite numbers); returns "" or the refusal message."""
        return self._edit("Inputs set to ({ex.x[0]:g}, {ex.x[1]:g}).", x=(x1, x2))

    def train(self, n) -> np.ndarray | None:
        """Run ``n`` gradient steps from the current weights; keeps the error curve in ``errors``.

        Returns the errors of this run (before each step and after the last), or None when ``n``
        is not a whole number in 1 … :data:`MAX_TRAIN_STEPS` (``message`` says why).
        """
        bad = (isinstance(n, bool) or not isinstance(n, numbers.Real) or not math.isfinite(n)
               or n != int(n) or not 1 <= n <= MAX_TRAIN_STEPS)
        if bad:
            self.message = (f"⚠ steps must be a whole number from 1 to {MAX_TRAIN_STEPS:,} for "
                            f"BackpropStepperState.train; got {n!r}. Type e.g. 10000.")
            return None
        n = int(n)
        self.example, errors = self.example.train(n)
        self.iteration += n
        self.errors = errors if self.errors is None else np.concatenate([self.errors, errors[1:]])
        self._rebuild()
        out = self.example.forward()
        self.message = (f"Trained {n} steps: E_total {errors[0]:.9f} → {errors[-1]:.9f}; "
                        f"outputs now ({out['out_y1']:.6f}, {out['out_y2']:.6f}).")
        return errors

    # what the diagram shows at this position
    def _done(self):
        return self.steps[: self.position + 1]

    def known_values(self) -> dict:
        """Node outputs already computed at this position (shown under the diagram's nodes)."""
        vals = {"x1": self.example.x[0], "x2": self.example.x[1]}
        for s in self._done():
            if s.name.startswith("out_"):
                vals[s.name[4:]] = s.value
        return vals

    def known_gradients(self) -> dict:
        """∂E/∂w for the weights whose gradient is already computed (``{"w5": 0.0822, ...}``)."""
        return {s.name[4:]: s.value for s in self._done() if s.name.startswith("dE/dw")}

    def known_error(self) -> float | None:
        """E_total once the loss step is reached (None before)."""
        found = [s.value for s in self._done() if s.name == "E_total"]
        return found[-1] if found else None

    @property
    def highlight(self) -> tuple:
        """Diagram ids to highlight for the current step."""
        return self.current.highlight if self.current else ()
