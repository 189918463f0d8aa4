"""Pure UI state for the widgets: no ipywidgets here, so all of it is testable in plain pytest.

Each ``*State`` class holds what the widget shows and answers the buttons; the shells in
:mod:`dlhelpers.widgets` only forward clicks and copy the returned HTML/PNG into widgets.
"""
from __future__ import annotations

import html
import time
from dataclasses import dataclass, field, replace

import numpy as np

from ..scratch.backprop_example import BackpropExample, backprop_steps

__all__ = ["StepCursor", "BackpropStepperState", "Question", "QuizState", "ExplorerState"]


class StepCursor:
    """A position in ``self.frames`` (a list of steps): −1 before the first, ``len − 1`` at the last."""
    frames: list = []
    position: int = -1

    @property
    def current(self):
        return self.frames[self.position] if self.frames and self.position >= 0 else None

    @property
    def at_end(self):
        return bool(self.frames) and self.position == len(self.frames) - 1

    def next(self):
        if self.frames and not self.at_end:
            self.position += 1
        return self.current

    def back(self):
        if self.position > -1:
            self.position -= 1
        return self.current

    def reset(self):
        self.position = -1
        return self.current

    def goto(self, k):
        if self.frames:
            self.position = int(np.clip(k, -1, len(self.frames) - 1))
        return self.current


# --- backprop stepper -----------------------------------------------------------------------------

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


# --- quiz -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Question:
    prompt: str
    options: tuple
    answer: int                 # index into options
    explanation: str = ""

    def __post_init__(self):
        if not 0 <= self.answer < len(self.options):
            raise ValueError(f"answer must index one of the {len(self.options)} options for Question; "
                             f"got {self.answer}.")


@dataclass
class QuizState:
    """Answers given so far and the feedback for each; ``score()`` counts correct first tries too."""
    questions: list
    title: str = "Self-check"
    chosen: dict = field(default_factory=dict)
    attempts: dict = field(default_factory=dict)

    def answer(self, q: int, option) -> tuple[bool, str]:
        """Record an answer (an option index or its text) and return (correct, feedback HTML)."""
        if not 0 <= q < len(self.questions):
            raise ValueError(f"q must be in [0, {len(self.questions) - 1}] for QuizState.answer; got {q}.")
        question = self.questions[q]
        if option is None:
            return False, "Pick an answer first."
        idx = question.options.index(option) if isinstance(option, str) else int(option)
        self.chosen[q] = idx
        self.attempts[q] = self.attempts.get(q, 0) + 1
        ok = idx == question.answer
        if ok:
            fb = f"✅ Correct. {question.explanation}"
        else:
            fb = f"❌ Not quite: “{question.options[idx]}” is not it. Try again."
        return ok, fb

    def score(self) -> tuple[int, int]:
        right = sum(1 for q, i in self.chosen.items() if i == self.questions[q].answer)
        return right, len(self.questions)

    def summary(self) -> str:
        r, n = self.score()
        first = sum(1 for q, i in self.chosen.items() if i == self.questions[q].answer and self.attempts[q] == 1)
        return f"{r} of {n} correct ({first} on the first try)."


# --- hyperparameter explorer ----------------------------------------------------------------------------

@dataclass
class ExplorerState:
    """Settings of a small MLP on a 2-D data set; ``train()`` fits it and returns a result dict."""
    dataset: object
    hidden_layers: int = 1
    units: int = 8
    activation: str = "tanh"
    learning_rate: float = 0.05
    epochs: int = 100
    batch_size: int = 32
    initializer: str = "glorot_uniform"
    dropout: float = 0.0
    seed: int = 0

    def build(self):
        from ..scratch.network import Dense, Dropout, Sequential
        layers = []
        for i in range(int(self.hidden_layers)):
            layers.append(Dense(int(self.units), self.activation, kernel_initializer=self.initializer))
            if self.dropout:
                layers.append(Dropout(float(self.dropout)))
        layers.append(Dense(1, "sigmoid", kernel_initializer=self.initializer))
        net = Sequential(layers, input_dim=self.dataset.X.shape[1], rng=self.seed)
        net.compile("binary_crossentropy", "adam", learning_rate=float(self.learning_rate))
        return net

    def train(self):
        from ..data import train_test_split
        tr, te = train_test_split(self.dataset, test_size=0.3, rng=self.seed)
        net = self.build()
        t0 = time.perf_counter()
        hist = net.fit(tr.X, tr.y, epochs=int(self.epochs), batch_size=int(self.batch_size), rng=self.seed,
                       validation_data=(te.X, te.y))
        return {"model": net, "history": hist.history, "seconds": time.perf_counter() - t0,
                "train_accuracy": hist.history["accuracy"][-1], "test_accuracy": hist.history["val_accuracy"][-1],
                "params": net.count_params(), "train": tr, "test": te}

    def render_png(self, result) -> bytes:
        import matplotlib.pyplot as plt

        from ..viz.plots import figure_to_png, plot_decision_boundary
        fig, (a0, a1) = plt.subplots(1, 2, figsize=(9, 3.6))
        plot_decision_boundary(result["model"].predict, self.dataset.X, self.dataset.y, ax=a0,
                               title=f"test accuracy {result['test_accuracy']:.2f}")
        h = result["history"]
        a1.plot(h["loss"], label="train")
        a1.plot(h["val_loss"], label="test")
        a1.set_xlabel("epoch")
        a1.set_title(f"loss · {result['params']} parameters")
        a1.legend()
        fig.tight_layout()
        return figure_to_png(fig)
