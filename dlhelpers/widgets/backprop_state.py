"""Pure state of the backprop stepper (no ipywidgets; tested in plain pytest)."""
from __future__ import annotations

import html
from dataclasses import replace

import numpy as np

from ..scratch.backprop_example import BackpropExample, backprop_steps
from .cursor import StepCursor

__all__ = ["BackpropStepperState"]


_PHASE_COLOUR = {"forward": "#4c72b0", "loss": "#555", "backward (output)": "#c44e52",
                 "backward (hidden)": "#dd8452", "update": "#55a868"}


class BackpropStepperState(StepCursor):
    """Walks through :func:`backprop_steps` one number at a time.

    ``position`` is −1 before the first step and ``len(steps) − 1`` at the last.
    """

    def __init__(self, example: BackpropExample | None = None):
        self.example = example or BackpropExample()
        self.iteration = 0
        self.message = ""
        self.errors = None
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
        """Back to the notes' starting weights, keeping the chosen inputs and learning rate."""
        self.example = replace(BackpropExample(), x=self.example.x, learning_rate=self.example.learning_rate)
        self.iteration = 0
        self.errors = None
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
            self.message = f"⚠ {exc}"
            return self.message
        self._rebuild()
        self.message = done.format(ex=self.example)
        return ""

    def set_learning_rate(self, lr) -> str:
        return self._edit("Learning rate set to {ex.learning_rate:g}.", learning_rate=lr)

    def set_inputs(self, x1, x2) -> str:
        return self._edit("Inputs set to ({ex.x[0]:g}, {ex.x[1]:g}).", x=(x1, x2))

    def train(self, n) -> np.ndarray | None:
        """Run ``n`` gradient steps from the current weights; keeps the error curve for plotting."""
        try:
            n = int(n)
            self.example, errors = self.example.train(n)
        except (TypeError, ValueError) as exc:
            self.message = f"⚠ {exc}"
            return None
        self.iteration += n
        self.errors = errors if self.errors is None else np.concatenate([self.errors, errors[1:]])
        self._rebuild()
        self.message = (f"Trained {n} steps: E_total {errors[0]:.9f} → {errors[-1]:.9f}; "
                        f"outputs now ({self.example.forward()['out_y1']:.6f}, {self.example.forward()['out_y2']:.6f}).")
        return errors

    # rendering
    def known_values(self) -> dict:
        """Node values already computed at this position (shown under the diagram's nodes)."""
        vals = {"x1": self.example.x[0], "x2": self.example.x[1]}
        for s in self.steps[: self.position + 1]:
            if s.name.startswith("out_"):
                vals[s.name[4:]] = s.value
        return vals

    def diagram_svg(self) -> str:
        from ..viz.network import backprop_svg
        hl = self.current.highlight if self.current else ()
        return backprop_svg(self.example, highlight=hl, values=self.known_values())

    def step_html(self) -> str:
        total = len(self.steps)
        head = f"<b>Iteration {self.iteration}</b> · step {self.position + 1} of {total}"
        if self.current is None:
            body = ("Press <b>Next</b> to start the forward pass: x = "
                    f"({self.example.x[0]:g}, {self.example.x[1]:g}), η = {self.example.learning_rate:g}.")
        else:
            s = self.current
            colour = _PHASE_COLOUR.get(s.phase, "#333")
            body = (f'<span style="color:{colour};font-weight:bold">{html.escape(s.phase)}</span><br>'
                    f"<code>{html.escape(s.name)} = {html.escape(s.formula)}</code><br>"
                    f"<code>= {html.escape(s.numbers)}</code><br>"
                    f'<span style="font-size:1.3em"><b>= {s.value:.9f}</b></span>')
        msg = f'<div style="color:#555">{html.escape(self.message)}</div>' if self.message else ""
        return f'<div class="dl-step">{head}<br>{body}{msg}</div>'

    def history_html(self) -> str:
        rows = "".join(f"<tr><td>{s.index + 1}</td><td>{html.escape(s.phase)}</td><td>{html.escape(s.name)}</td>"
                       f"<td style='text-align:right'>{s.value:.9f}</td></tr>" for s in self.steps[: self.position + 1])
        return ("<table><tr><th>#</th><th>phase</th><th>quantity</th><th>value</th></tr>" + rows + "</table>")
