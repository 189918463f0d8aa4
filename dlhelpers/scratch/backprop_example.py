"""The course's 2-2-2 backpropagation example, as a pure step model.

Two inputs, two sigmoid hidden units, two sigmoid outputs, squared error
E = ½(t1 − o1)² + ½(t2 − o2)². Weight names follow the notes:

    net_h1 = w1·x1 + w2·x2 + b1      net_y1 = w5·out_h1 + w6·out_h2 + b2
    net_h2 = w3·x1 + w4·x2 + b1      net_y2 = w7·out_h1 + w8·out_h2 + b2

:func:`backprop_steps` lists every number of one forward pass, the loss, each chain-rule
factor of the backward pass and the weight updates, in the order a teacher writes them on
the board; :class:`BackpropExample` computes them and takes gradient steps. In Keras terms
the hidden kernel is [[w1, w3], [w2, w4]] (inputs × units) and the output kernel
[[w5, w7], [w6, w8]]; see :meth:`BackpropExample.keras_weights`.

As in the notes, the biases are held fixed by default (``update_biases=False``).

The default numbers (x, w, b, t, η), the values the notes print (:data:`NOTES_VALUES`) and their
misprints (:data:`NOTES_ERRATA`) are read from the course's one data file,
``data/course/worked_examples.json`` (entry ``"backprop_222"``), through
:func:`dlhelpers.data.course.worked_example`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from .._checks import as_array, check_bool, check_count, check_positive
from ..data.course import worked_example
from .activations import sigmoid

__all__ = ["BackpropExample", "Step", "backprop_steps", "NOTES_VALUES", "NOTES_ERRATA", "MAX_TRAIN_STEPS"]

_COURSE = worked_example("backprop_222")     # data/course/worked_examples.json, the notes' UNIT-I example

#: Numbers as printed in the course notes (with their misprints corrected where marked).
NOTES_VALUES: dict = {k: float(v) for k, v in _COURSE["notes_values"].items()}

#: Where the printed notes are wrong, and what the right number is: (where, what is printed, the right value).
NOTES_ERRATA: list = [tuple(entry) for entry in _COURSE["errata"]]

#: The most steps :meth:`BackpropExample.train` takes in one call (the notes train for 10,000).
MAX_TRAIN_STEPS = 100_000


@dataclass(frozen=True)
class Step:
    """One number on the board: what it is, how it is computed, and which part of the diagram it touches."""
    index: int
    phase: str            # "forward" | "loss" | "backward (output)" | "backward (hidden)" | "update"
    name: str             # e.g. "net_h1", "dE/dw5", "w5_new"
    formula: str          # with symbols
    numbers: str          # the same with the numbers substituted
    value: float
    highlight: tuple = ()  # diagram element ids: "x1", "h1", "y2", "w5", "E", ...

    def text(self) -> str:
        """One line for the board: ``name = formula = numbers = value``."""
        return f"{self.name} = {self.formula} = {self.numbers} = {self.value:.9f}"


@dataclass(frozen=True)
class BackpropExample:
    """State of the 2-2-2 network: inputs, the eight weights, the two biases, targets, learning rate."""
    x: tuple = tuple(float(v) for v in _COURSE["x"])            # (0.05, 0.10)
    w: tuple = tuple(float(v) for v in _COURSE["w"])            # w1..w8 = 0.15, 0.20, ..., 0.55
    b: tuple = tuple(float(v) for v in _COURSE["b"])            # (b1, b2) = (0.35, 0.60)
    t: tuple = tuple(float(v) for v in _COURSE["t"])            # targets (0.01, 0.99)
    learning_rate: float = float(_COURSE["learning_rate"])      # η = 0.5
    update_biases: bool = False

    def __post_init__(self):
        for name, n in (("x", 2), ("w", 8), ("b", 2), ("t", 2)):
            arr = as_array(getattr(self, name), name, "BackpropExample", ndim=1, shape_hint=f"({n},)",
                           dtype=np.float64)
            if arr.shape != (n,):
                raise ValueError(f"{name} must have {n} numbers for BackpropExample; got {arr.shape[0]}.")
            object.__setattr__(self, name, tuple(float(v) for v in arr))
        check_positive(self.learning_rate, "learning_rate", "BackpropExample")
        check_bool(self.update_biases, "update_biases", "BackpropExample")

    # --- the numbers ------------------------------------------------------------------------
    def forward(self) -> dict:
        """The forward pass and the loss: net_h1, out_h1, …, out_y2, E1, E2, E_total (floats).

        Raises ValueError when a value overflows (weights or inputs around 1e300).
        """
        x1, x2 = self.x
        w1, w2, w3, w4, w5, w6, w7, w8 = self.w
        b1, b2 = self.b
        t1, t2 = self.t
        v = {}
        v["net_h1"] = w1 * x1 + w2 * x2 + b1
        v["out_h1"] = float(sigmoid(v["net_h1"]))
        v["net_h2"] = w3 * x1 + w4 * x2 + b1
        v["out_h2"] = float(sigmoid(v["net_h2"]))
        v["net_y1"] = w5 * v["out_h1"] + w6 * v["out_h2"] + b2
        v["out_y1"] = float(sigmoid(v["net_y1"]))
        v["net_y2"] = w7 * v["out_h1"] + w8 * v["out_h2"] + b2
        v["out_y2"] = float(sigmoid(v["net_y2"]))
        v["E1"] = 0.5 * (t1 - v["out_y1"]) * (t1 - v["out_y1"])
        v["E2"] = 0.5 * (t2 - v["out_y2"]) * (t2 - v["out_y2"])
        v["E_total"] = v["E1"] + v["E2"]
        _finite(v, "forward")
        return v

    def error(self) -> float:
        """E_total = ½(t1 − out_y1)² + ½(t2 − out_y2)² for the current weights."""
        return self.forward()["E_total"]

    def gradients(self) -> dict:
        """Every chain-rule factor and ∂E/∂w for w1..w8, b1, b2."""
        v = self.forward()
        x1, x2 = self.x
        w1, w2, w3, w4, w5, w6, w7, w8 = self.w
        t1, t2 = self.t
        g = {}
        g["dE/dout_y1"] = -(t1 - v["out_y1"])
        g["dout_y1/dnet_y1"] = v["out_y1"] * (1 - v["out_y1"])
        g["delta_y1"] = g["dE/dout_y1"] * g["dout_y1/dnet_y1"]
        g["dE/dout_y2"] = -(t2 - v["out_y2"])
        g["dout_y2/dnet_y2"] = v["out_y2"] * (1 - v["out_y2"])
        g["delta_y2"] = g["dE/dout_y2"] * g["dout_y2/dnet_y2"]
        g["dE/dw5"] = g["delta_y1"] * v["out_h1"]
        g["dE/dw6"] = g["delta_y1"] * v["out_h2"]
        g["dE/dw7"] = g["delta_y2"] * v["out_h1"]
        g["dE/dw8"] = g["delta_y2"] * v["out_h2"]
        g["dE/dout_h1"] = g["delta_y1"] * w5 + g["delta_y2"] * w7
        g["dout_h1/dnet_h1"] = v["out_h1"] * (1 - v["out_h1"])
        g["delta_h1"] = g["dE/dout_h1"] * g["dout_h1/dnet_h1"]
        g["dE/dout_h2"] = g["delta_y1"] * w6 + g["delta_y2"] * w8
        g["dout_h2/dnet_h2"] = v["out_h2"] * (1 - v["out_h2"])
        g["delta_h2"] = g["dE/dout_h2"] * g["dout_h2/dnet_h2"]
        g["dE/dw1"] = g["delta_h1"] * x1
        g["dE/dw2"] = g["delta_h1"] * x2
        g["dE/dw3"] = g["delta_h2"] * x1
        g["dE/dw4"] = g["delta_h2"] * x2
        g["dE/db1"] = g["delta_h1"] + g["delta_h2"]     # b1 is shared by both hidden units
        g["dE/db2"] = g["delta_y1"] + g["delta_y2"]
        _finite(g, "gradients")
        return g

    def gradient_vector(self):
        """(∂E/∂w1..∂E/∂w8, ∂E/∂b1, ∂E/∂b2) as an array."""
        g = self.gradients()
        return np.array([g[f"dE/dw{i}"] for i in range(1, 9)] + [g["dE/db1"], g["dE/db2"]])

    def step(self) -> "BackpropExample":
        """One gradient-descent step, all weights updated from the same (old) gradients."""
        g = self.gradients()
        w = tuple(wi - self.learning_rate * g[f"dE/dw{i}"] for i, wi in enumerate(self.w, start=1))
        b = self.b
        if self.update_biases:
            b = (self.b[0] - self.learning_rate * g["dE/db1"], self.b[1] - self.learning_rate * g["dE/db2"])
        _finite(dict(zip(("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"), w), b1=b[0], b2=b[1]), "step")
        return replace(self, w=w, b=b)

    def train(self, steps: int):
        """Take ``steps`` gradient steps.

        Args:
            steps: a whole number in [1, MAX_TRAIN_STEPS]; NaN, inf, negative or larger values raise ValueError.

        Returns:
            ``(final example, errors)`` with errors (steps + 1,): E before each step and after the last.
        """
        steps = check_count(steps, "steps", "BackpropExample.train", maximum=MAX_TRAIN_STEPS)
        ex, errors = self, [self.error()]
        for _ in range(steps):
            ex = ex.step()
            errors.append(ex.error())
        return ex, np.array(errors)

    def keras_weights(self):
        """[hidden kernel (2, 2), hidden bias (2,), output kernel (2, 2), output bias (2,)] in Keras layout."""
        w1, w2, w3, w4, w5, w6, w7, w8 = self.w
        b1, b2 = self.b
        return [np.array([[w1, w3], [w2, w4]]), np.array([b1, b1]),
                np.array([[w5, w7], [w6, w8]]), np.array([b2, b2])]


def _finite(values: dict, func: str):
    bad = [k for k, v in values.items() if not math.isfinite(v)]
    if bad:
        raise ValueError(f"every value must stay finite for BackpropExample.{func}; got inf or NaN in {bad}. "
                         "Use smaller weights, inputs or learning_rate (the notes' numbers are below 1).")


def _f(v):
    return f"{v:.9g}"


def backprop_steps(example: BackpropExample | None = None) -> list[Step]:
    """The whole worked example as a list of :class:`Step` (forward, loss, backward, update).

    Args:
        example: a :class:`BackpropExample` (default: the notes' numbers).

    Returns:
        The steps in board order; ``steps[i].index == i``.
    """
    if example is not None and not isinstance(example, BackpropExample):
        raise TypeError(f"example must be a BackpropExample or None for backprop_steps; got {type(example).__name__}. "
                        "Build one, e.g. BackpropExample(learning_rate=0.1).")
    ex = example or BackpropExample()
    v, g = ex.forward(), ex.gradients()
    x1, x2 = ex.x
    w = dict(zip([f"w{i}" for i in range(1, 9)], ex.w))
    b1, b2 = ex.b
    t1, t2 = ex.t
    eta = ex.learning_rate
    steps: list[Step] = []

    def add(phase, name, formula, numbers, value, *hl):
        steps.append(Step(len(steps), phase, name, formula, numbers, float(value), tuple(hl)))

    # forward pass
    for h, (wa, wb) in (("h1", ("w1", "w2")), ("h2", ("w3", "w4"))):
        add("forward", f"net_{h}", f"{wa}·x1 + {wb}·x2 + b1",
            f"{_f(w[wa])}×{_f(x1)} + {_f(w[wb])}×{_f(x2)} + {_f(b1)}", v[f"net_{h}"], "x1", "x2", wa, wb, h)
        add("forward", f"out_{h}", f"σ(net_{h}) = 1 / (1 + e^(−net_{h}))", f"σ({_f(v[f'net_{h}'])})",
            v[f"out_{h}"], h)
    for y, (wa, wb) in (("y1", ("w5", "w6")), ("y2", ("w7", "w8"))):
        add("forward", f"net_{y}", f"{wa}·out_h1 + {wb}·out_h2 + b2",
            f"{_f(w[wa])}×{_f(v['out_h1'])} + {_f(w[wb])}×{_f(v['out_h2'])} + {_f(b2)}", v[f"net_{y}"],
            "h1", "h2", wa, wb, y)
        add("forward", f"out_{y}", f"σ(net_{y})", f"σ({_f(v[f'net_{y}'])})", v[f"out_{y}"], y)
    # loss
    add("loss", "E1", "½(t1 − out_y1)²", f"½({_f(t1)} − {_f(v['out_y1'])})²", v["E1"], "y1", "E")
    add("loss", "E2", "½(t2 − out_y2)²", f"½({_f(t2)} − {_f(v['out_y2'])})²", v["E2"], "y2", "E")
    add("loss", "E_total", "E1 + E2", f"{_f(v['E1'])} + {_f(v['E2'])}", v["E_total"], "E")
    # backward, output layer
    for k, y, t, (wa, wb) in ((1, "y1", t1, ("w5", "w6")), (2, "y2", t2, ("w7", "w8"))):
        add("backward (output)", f"dE/dout_{y}", f"−(t{k} − out_{y})", f"−({_f(t)} − {_f(v[f'out_{y}'])})",
            g[f"dE/dout_{y}"], "E", y)
        add("backward (output)", f"dout_{y}/dnet_{y}", f"out_{y}·(1 − out_{y})",
            f"{_f(v[f'out_{y}'])}×(1 − {_f(v[f'out_{y}'])})", g[f"dout_{y}/dnet_{y}"], y)
        add("backward (output)", f"delta_{y}", f"∂E/∂out_{y} · ∂out_{y}/∂net_{y}",
            f"{_f(g[f'dE/dout_{y}'])}×{_f(g[f'dout_{y}/dnet_{y}'])}", g[f"delta_{y}"], y)
        for wn, h in ((wa, "h1"), (wb, "h2")):
            add("backward (output)", f"dE/d{wn}", f"delta_{y} · ∂net_{y}/∂{wn} = delta_{y} · out_{h}",
                f"{_f(g[f'delta_{y}'])}×{_f(v[f'out_{h}'])}", g[f"dE/d{wn}"], wn, h, y)
    # backward, hidden layer
    for h, (wy1, wy2), (wa, wb) in (("h1", ("w5", "w7"), ("w1", "w2")), ("h2", ("w6", "w8"), ("w3", "w4"))):
        add("backward (hidden)", f"dE/dout_{h}", f"delta_y1·{wy1} + delta_y2·{wy2}",
            f"{_f(g['delta_y1'])}×{_f(w[wy1])} + {_f(g['delta_y2'])}×{_f(w[wy2])}", g[f"dE/dout_{h}"],
            h, wy1, wy2, "y1", "y2")
        add("backward (hidden)", f"dout_{h}/dnet_{h}", f"out_{h}·(1 − out_{h})",
            f"{_f(v[f'out_{h}'])}×(1 − {_f(v[f'out_{h}'])})", g[f"dout_{h}/dnet_{h}"], h)
        add("backward (hidden)", f"delta_{h}", f"∂E/∂out_{h} · ∂out_{h}/∂net_{h}",
            f"{_f(g[f'dE/dout_{h}'])}×{_f(g[f'dout_{h}/dnet_{h}'])}", g[f"delta_{h}"], h)
        for wn, xn, xv in ((wa, "x1", x1), (wb, "x2", x2)):
            add("backward (hidden)", f"dE/d{wn}", f"delta_{h} · ∂net_{h}/∂{wn} = delta_{h} · {xn}",
                f"{_f(g[f'delta_{h}'])}×{_f(xv)}", g[f"dE/d{wn}"], wn, xn, h)
    # updates
    for i in range(1, 9):
        wn = f"w{i}"
        add("update", f"{wn}_new", f"{wn} − η·∂E/∂{wn}", f"{_f(w[wn])} − {_f(eta)}×{_f(g[f'dE/d{wn}'])}",
            w[wn] - eta * g[f"dE/d{wn}"], wn)
    if ex.update_biases:
        add("update", "b1_new", "b1 − η·∂E/∂b1", f"{_f(b1)} − {_f(eta)}×{_f(g['dE/db1'])}",
            b1 - eta * g["dE/db1"], "h1", "h2")
        add("update", "b2_new", "b2 − η·∂E/∂b2", f"{_f(b2)} − {_f(eta)}×{_f(g['dE/db2'])}",
            b2 - eta * g["dE/db2"], "y1", "y2")
    nxt = ex.step()
    add("update", "E_total after the step", "forward pass again with the new weights", "…", nxt.error(), "E")
    return steps
