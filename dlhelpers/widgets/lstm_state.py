"""Pure state of the LSTM gate stepper: numbers only (no ipywidgets, no HTML; tested in plain pytest).

One sequence (T, D) runs through one recurrent cell (LSTM, GRU or SimpleRNN, Keras's layouts). The
forward view steps through time **and** through the parts of each step (LSTM: inputs → f → i → g →
c → o → h); the backward view steps ∂L/∂h_t and ∂L/∂c_t back through time for L = Σ h_T (the sum of
the last output's units), next to the same numbers for a SimpleRNN and a GRU on the same sequence.

The numbers come from :mod:`dlhelpers.scratch` (``lstm_gate_trace``, ``lstm_cell_forward``,
``lstm_cell_backward``, ``gru_forward``, ``gru_cell_backward``, ``simple_rnn_forward``,
``simple_rnn_cell_backward``); the only arithmetic added here is the gate override: a forced gate
replaces its σ(·) value and the step's c = f⊙c_{t−1} + i⊙g, h = o⊙tanh(c) are recomputed with it.

:func:`dlhelpers.viz.recurrent.recurrent_frame_html` draws it; :mod:`dlhelpers.widgets.lstm` wires the controls.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import _fail, as_array, check_choice, check_number
from ..scratch.gru import GRUCellCache, gru_cell_backward, gru_forward
from ..scratch.lstm import LSTMCellCache, lstm_cell_backward, lstm_cell_forward, lstm_gate_trace
from ..scratch.rnn import SimpleRNNCellCache, simple_rnn_cell_backward, simple_rnn_forward
from .cursor import StepCursor

__all__ = ["LSTMStepperState", "RecurrentFrame", "SEQUENCES", "CELLS", "PARTS", "FORCEABLE", "MODES",
           "TYPED", "DEFAULT_TEXT", "MAX_STEPS", "parse_sequence", "default_params"]

#: the cells the stepper knows, and the parts of one time step it shows one by one
CELLS = ("LSTM", "GRU", "SimpleRNN")
PARTS = {"LSTM": ("inputs", "f", "i", "g", "c", "o", "h"),
         "GRU": ("inputs", "z", "r", "hh", "h"),
         "SimpleRNN": ("inputs", "a", "h")}
#: the LSTM gates the override can force
FORCEABLE = ("f", "i", "o")
MODES = ("forward", "backward")
#: the name of the sequence typed as text (see :func:`parse_sequence`)
TYPED = "typed list"
DEFAULT_TEXT = "1, 0, 0, 0, 0, 0, 0, 0, 0, 0"
#: the longest sequence the stepper draws
MAX_STEPS = 60
_LSTM_BLOCK = {"i": 0, "f": 1, "o": 3}          # Keras's gate order i, f, c, o
_PRE = {("LSTM", "f"): ("a_f",), ("LSTM", "i"): ("a_i",), ("LSTM", "g"): ("a_g",), ("LSTM", "o"): ("a_o",),
        ("GRU", "z"): ("a_z",), ("GRU", "r"): ("a_r",), ("GRU", "hh"): ("x_h", "rh_h")}


def _memory_task():
    rng = np.random.default_rng(0)
    x = np.round(rng.uniform(-0.1, 0.1, size=(20, 1)), 2)     # (T, D) = (20, 1): small distractors
    x[0, 0] = 1.0                                               # the value to remember
    return x


def _co2_like():
    rng = np.random.default_rng(1)
    t = np.arange(24)
    v = 0.04 * t + 0.5 * np.sin(2 * np.pi * t / 12) + 0.05 * rng.normal(size=24)   # trend + yearly cycle
    v = v - v.mean()
    return np.round(v / np.abs(v).max(), 3)[:, None]            # (24, 1) scaled to [−1, 1]


def _digit():
    from ..data import digits
    return digits(scale=True).images[0]                        # (8, 8): 8 rows of 8 pixels in [0, 1], a "0"


#: name → function returning a (T, D) sequence (no network, no TensorFlow)
SEQUENCES = {
    "memory task: 1, then 19 small values": _memory_task,
    "CO₂-like window (24 months, scaled)": _co2_like,
    "digit '0' read row by row (8 rows × 8 pixels)": _digit,
}


def parse_sequence(text: str) -> np.ndarray:
    """'1, 0, 0, 0' → a (T, 1) sequence; '1 0; 0 1; 0 0' → (T, D) with one time step per ';'.

    Raises:
        TypeError: text is not a string.
        ValueError: empty text, something that is not a number, steps of different lengths, or more than
            :data:`MAX_STEPS` steps.

    Example:
        >>> parse_sequence("1, 0, 0").tolist()
        [[1.0], [0.0], [0.0]]
    """
    func = "parse_sequence"
    if not isinstance(text, str):
        _fail("sequence text", func, "a string", type(text).__name__, "Type numbers, e.g. '1, 0, 0, 0, 0'.",
              exc=TypeError)
    if ";" in text or "\n" in text:
        rows = [r for r in text.replace("\n", ";").split(";") if r.strip()]
    else:
        rows = [v for v in text.replace(",", " ").split()]
    if not rows:
        _fail("sequence text", func, "at least one number", "an empty box", "Type numbers separated by commas, "
              "e.g. 1, 0, 0, 0, 0")
    try:
        values = [[float(v) for v in r.replace(",", " ").split()] for r in rows]
    except ValueError:
        _fail("sequence text", func, "numbers separated by commas (or time steps separated by ';')", repr(text),
              "Example: 1, 0, 0, 0, 0")
    if len({len(r) for r in values}) != 1:
        _fail("sequence text", func, "time steps with the same number of features", f"lengths "
              f"{[len(r) for r in values]} in {text!r}", "Give every step (between ';') as many numbers.")
    x = np.array(values, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        _fail("sequence text", func, "finite numbers", repr(text), "Replace inf/nan by numbers.")
    if len(x) > MAX_STEPS:
        _fail("sequence text", func, f"at most {MAX_STEPS} time steps", f"{len(x)} steps",
              "The stepper draws every step; use lstm_gate_trace for longer sequences.")
    return x


def default_params(cell: str, D: int) -> dict:
    """Hand-set weights (U = 2 units) that make the lesson visible; each input feature gets 1/D of the weight.

    LSTM unit 0 **remembers**: its input gate opens only for a large input (σ(10·x − 5)), its forget
    gate stays ≈ 1 (σ(6) ≈ 0.998), so c holds what came in at t = 0. Unit 1 **follows** the input: input
    gate open (σ(4)), forget gate shut (σ(−4)). GRU: the same two roles through the update gate
    z = σ(6 − 12·x) (keep) and σ(−4) (follow). SimpleRNN: h = tanh(2·x + h_{t−1}·diag(1, 0.5)), the
    largest recurrent weight a plain tanh cell can use without its state running away.

    Args:
        cell: one of :data:`CELLS`; D: features per step.

    Returns:
        params in Keras's layout: LSTM kernel (D, 8), recurrent_kernel (2, 8), bias (8,); GRU (D, 6),
        (2, 6), (2, 6); SimpleRNN (D, 2), (2, 2), (2,).
    """
    check_choice(cell, "cell", "default_params", CELLS)
    w = np.ones((D, 1)) / D                                      # the mean of the features
    if cell == "LSTM":                                           # blocks i, f, c, o; two columns each
        kernel = w * np.array([[10.0, 0.0, 0.0, 0.0, 2.0, 2.0, 0.0, 0.0]])
        recurrent = np.zeros((2, 8))
        recurrent[[0, 1], [4, 5]] = 0.5                          # each candidate hears its own h a little
        bias = np.array([-5.0, 4.0, 6.0, -4.0, 0.0, 0.0, 2.0, 2.0])
    elif cell == "GRU":                                          # blocks z, r, h
        kernel = w * np.array([[-12.0, 0.0, 0.0, 0.0, 2.0, 2.0]])
        recurrent = np.zeros((2, 6))
        recurrent[[0, 1], [4, 5]] = 0.5
        bias = np.array([[6.0, -4.0, 0.0, 0.0, 0.0, 0.0], np.zeros(6)])
    else:
        kernel = w * np.array([[2.0, 2.0]])
        recurrent = np.diag([1.0, 0.5])
        bias = np.zeros(2)
    return {"kernel": kernel, "recurrent_kernel": recurrent, "bias": bias}


@dataclass(frozen=True)
class RecurrentFrame:
    """One step of the stepper: time index ``t`` and the ``part`` of the step (backward: part "backward")."""
    t: int
    part: str


def _l2(a):
    return np.sqrt(np.sum(a * a, axis=-1))


class LSTMStepperState(StepCursor):
    """One sequence through one recurrent cell, part by part (forward) or step by step back in time (backward).

    Args:
        sequence: a name from :data:`SEQUENCES`, or :data:`TYPED` (then ``text`` is parsed).
        x: any (T, D) array (T ≤ :data:`MAX_STEPS`) instead of a built-in sequence; ``name`` labels it.
        cell: "LSTM", "GRU" or "SimpleRNN".
        params: weights of ``cell`` in Keras's layout (e.g. from a model trained in the notebook);
            None: :func:`default_params`.
        force: None, or the LSTM gate to force: "f", "i" or "o"; ``force_value`` in [0, 1] replaces it
            at every step, and the rest of the sequence is recomputed with it.
        mode: "forward" (through time and the gates) or "backward" (∂L/∂h_t, ∂L/∂c_t for L = Σ h_T).

    Arrays after :meth:`configure` (T rows each): ``trace`` (name → (T, U): for the LSTM
    i, f, g, o, c, h, c_prev, h_prev and the pre-activations a_i, a_f, a_g, a_o); ``grad_h``, ``grad_c``
    (T, U) of the chosen cell (``grad_c`` only for the LSTM); ``grad_norms`` name → (T,) for the
    chart: "LSTM ‖∂L/∂c_t‖", "LSTM ‖∂L/∂h_t‖", "GRU ‖∂L/∂h_t‖", "SimpleRNN ‖∂L/∂h_t‖" (the cells not
    chosen run with :func:`default_params`). A setting that cannot be computed (params of the wrong
    shape) keeps no frames and says why in ``error``.

    Example:
        >>> s = LSTMStepperState()
        >>> s.next().part, s.next().part
        ('inputs', 'f')
    """

    def __init__(self, sequence="memory task: 1, then 19 small values", x=None, name=None, cell="LSTM",
                 params=None, text=DEFAULT_TEXT, force=None, force_value=0.0, mode="forward"):
        super().__init__()
        self.sequence_name, self.x, self.text = None, None, DEFAULT_TEXT
        self.cell, self.mode, self.force, self.force_value = "LSTM", "forward", None, 0.0
        self.custom = {}                   # name → (T, D) arrays given as x
        self.user_params = {}              # cell → params given by the user
        self.trace, self.grad_h, self.grad_c, self.grad_norms = {}, None, None, {}
        self.params = None
        self.error = ""
        self.configure(sequence=sequence, x=x, name=name, cell=cell, params=params, text=text, force=force,
                       force_value=force_value, mode=mode, _first=True)

    # settings
    def configure(self, sequence=None, x=None, name=None, cell=None, params=None, text=None, force=None,
                  force_value=None, mode=None, _first=False) -> str:
        """Change any setting (None keeps it; ``force="off"`` removes the override); recomputes everything.

        Returns ``error`` ("" when it works). A change that keeps the number of frames (a forced gate, new
        weights) keeps the position, so its effect shows at once.
        """
        func = "LSTMStepperState.configure"
        if x is not None:
            x = as_array(x, "x", func, ndim=2, shape_hint="(T, D): time steps, features per step",
                         fix="Pass one sequence, e.g. x[0] of a batch, or x[:, None] for one feature per step.")
            if not 1 <= len(x) <= MAX_STEPS or x.shape[1] < 1:
                _fail("x", func, f"1 to {MAX_STEPS} time steps with at least one feature", f"shape {x.shape}",
                      "The stepper draws every step; cut the sequence, e.g. x[:20].")
            if name is None:
                name = "your sequence"
            if not isinstance(name, str):
                _fail("name", func, "a string", type(name).__name__, "Pass e.g. name='my series'.", exc=TypeError)
            sequence = name
        elif sequence is not None:
            check_choice(sequence, "sequence", func, [*SEQUENCES, TYPED, *self.custom])
        if cell is not None:
            check_choice(cell, "cell", func, CELLS)
        if mode is not None:
            check_choice(mode, "mode", func, MODES)
        if force is not None:
            check_choice(force, "force", func, (*FORCEABLE, "off"))
        if force_value is not None:
            check_number(force_value, "force_value", func, low=0.0, high=1.0, fix="Pick a gate value in [0, 1].")
        if text is not None and not isinstance(text, str):
            _fail("text", func, "a string", type(text).__name__, "Type numbers, e.g. '1, 0, 0, 0, 0'.",
                  exc=TypeError)
        if params is not None and not isinstance(params, dict):
            _fail("params", func, "a dict with keys 'kernel', 'recurrent_kernel', 'bias'", type(params).__name__,
                  "Pass e.g. model.layers[0]'s weights as {'kernel': W, 'recurrent_kernel': U, 'bias': b}.",
                  exc=TypeError)
        old = (len(self.frames), self.position, self.sequence_name, self.cell, self.mode)
        if x is not None:
            self.custom[sequence] = np.array(x, dtype=np.float64)
        if sequence is not None:
            self.sequence_name = sequence
        if text is not None:
            self.text = text
        if cell is not None:
            self.cell = cell
        if mode is not None:
            self.mode = mode
        if force is not None:
            self.force = None if force == "off" else force
        if force_value is not None:
            self.force_value = float(force_value)
        if params is not None:
            self.user_params[self.cell] = dict(params)        # checked by the scratch functions below
        self.error = ""
        try:
            self.x = self._sequence()
            self._compute()
            frames = self._frames()
        except (ValueError, TypeError) as exc:
            frames, self.error = [], str(exc)
            self.trace, self.grad_h, self.grad_c, self.grad_norms = {}, None, None, {}
        keep = (not _first and not self.error and len(frames) == old[0] and
                (self.sequence_name, self.cell, self.mode) == old[2:])
        self.frames = frames
        self.position = old[1] if keep else -1
        return self.error

    def _sequence(self):
        if self.sequence_name == TYPED:
            return parse_sequence(self.text)
        if self.sequence_name in self.custom:
            return self.custom[self.sequence_name]
        return SEQUENCES[self.sequence_name]()

    @property
    def sequence_names(self) -> list:
        """The built-in sequences, the arrays given as ``x``, and the typed list."""
        return [*SEQUENCES, *self.custom, TYPED]

    @property
    def T(self) -> int:
        return 0 if self.x is None else len(self.x)

    @property
    def units(self) -> int:
        return self.trace["h"].shape[1] if self.trace else 0

    @property
    def forced(self):
        """(gate, value) while an LSTM gate is forced, else None."""
        return (self.force, self.force_value) if self.force and self.cell == "LSTM" else None

    def params_for(self, cell: str) -> dict:
        """The weights ``cell`` runs with: the user's for that cell, else :func:`default_params`."""
        return self.user_params.get(cell) or default_params(cell, self.x.shape[1])

    # the numbers
    def _compute(self):
        x = self.x
        self.params = self.params_for(self.cell)
        runs = {"LSTM": self._lstm, "GRU": self._gru, "SimpleRNN": self._rnn}
        self.trace, self.grad_h, self.grad_c = runs[self.cell](x, self.params, self.forced)
        norms = {}
        for cell in CELLS:                       # the comparison chart: every cell on the same sequence
            if cell == self.cell:
                gh, gc = self.grad_h, self.grad_c
            else:
                _, gh, gc = runs[cell](x, self.params_for(cell), None)
            if gc is not None:
                norms[f"{cell} ‖∂L/∂c_t‖"] = _l2(gc)
            norms[f"{cell} ‖∂L/∂h_t‖"] = _l2(gh)
        self.grad_norms = norms

    @staticmethod
    def _lstm(x, params, forced):
        """Forward (scratch lstm_gate_trace, or cell by cell with a forced gate), then ∂L/∂h_t, ∂L/∂c_t."""
        if forced is None:
            tr = lstm_gate_trace(x, params)
            trace = {k: getattr(tr, k) for k in ("i", "f", "g", "o", "c", "h", "c_prev", "h_prev")}
        else:
            gate, value = forced
            U = np.shape(params["recurrent_kernel"])[0]
            h, c = np.zeros((1, U)), np.zeros((1, U))
            rows = {k: [] for k in ("i", "f", "g", "o", "c", "h", "c_prev", "h_prev")}
            for t in range(len(x)):
                _, _, cache = lstm_cell_forward(x[t:t + 1], h, c, params)
                gates = {"i": cache.i, "f": cache.f, "g": cache.g, "o": cache.o}
                gates[gate] = np.full_like(cache.f, value)                  # the override
                c_new = gates["f"] * c + gates["i"] * gates["g"]            # c_t = f⊙c_{t−1} + i⊙g
                h_new = gates["o"] * np.tanh(c_new)                        # h_t = o⊙tanh(c_t)
                for k, v in (*gates.items(), ("c", c_new), ("h", h_new), ("c_prev", c), ("h_prev", h)):
                    rows[k].append(v[0])
                h, c = h_new, c_new
            trace = {k: np.array(v) for k, v in rows.items()}
        kernel = np.asarray(params["kernel"], np.float64)
        recurrent = np.asarray(params["recurrent_kernel"], np.float64)
        bias = np.asarray(params["bias"], np.float64)
        U = recurrent.shape[0]
        a = x @ kernel + trace["h_prev"] @ recurrent + bias                  # (T, 4U) pre-activations
        for k, name in enumerate(("a_i", "a_f", "a_g", "a_o")):
            trace[name] = a[:, k * U:(k + 1) * U]
        # backward: a forced gate is a constant, so h_{t−1} reaches nothing through its block
        rec_back = recurrent.copy()
        if forced is not None:
            b = _LSTM_BLOCK[forced[0]]
            rec_back[:, b * U:(b + 1) * U] = 0.0
        T = len(x)
        grad_h, grad_c = np.zeros((T, U)), np.zeros((T, U))
        dh, dc = np.ones((1, U)), np.zeros((1, U))                          # L = Σ h_{T−1}
        for t in range(T - 1, -1, -1):
            cache = LSTMCellCache(x[t:t + 1], trace["h_prev"][t:t + 1], trace["c_prev"][t:t + 1],
                                  trace["i"][t:t + 1], trace["f"][t:t + 1], trace["g"][t:t + 1],
                                  trace["o"][t:t + 1], trace["c"][t:t + 1], kernel, rec_back)
            tc = np.tanh(trace["c"][t])
            grad_h[t] = dh[0]
            grad_c[t] = dc[0] + dh[0] * trace["o"][t] * (1.0 - tc * tc)    # all of ∂L/∂c_t: via h_t and c_{t+1}
            _, grads = lstm_cell_backward(dh, dc, cache)
            dh, dc = grads["h_prev"], grads["c_prev"]
        return trace, grad_h, grad_c

    @staticmethod
    def _gru(x, params, forced):
        h_seq, cache = gru_forward(x[None], params)
        U = cache.z.shape[2]
        bias = np.asarray(params["bias"], np.float64)                        # (2, 3U), checked by gru_forward
        xb = x @ cache.kernel + bias[0]                                      # (T, 3U) input parts
        trace = {"z": cache.z[0], "r": cache.r[0], "hh": cache.hh[0], "h": h_seq[0], "h_prev": cache.h_prev[0],
                 "a_z": xb[:, :U] + (cache.h_prev[0] @ cache.recurrent_kernel + bias[1])[:, :U],
                 "a_r": xb[:, U:2 * U] + (cache.h_prev[0] @ cache.recurrent_kernel + bias[1])[:, U:2 * U],
                 "x_h": xb[:, 2 * U:], "rh_h": cache.rh_h[0]}
        T = len(x)
        grad_h = np.zeros((T, U))
        dh = np.ones((1, U))
        for t in range(T - 1, -1, -1):
            step = GRUCellCache(cache.x[:, t], cache.h_prev[:, t], cache.z[:, t], cache.r[:, t], cache.hh[:, t],
                                cache.rh_h[:, t], cache.kernel, cache.recurrent_kernel)
            grad_h[t] = dh[0]
            _, grads = gru_cell_backward(dh, step)
            dh = grads["h_prev"]
        return trace, grad_h, None

    @staticmethod
    def _rnn(x, params, forced):
        h_seq, cache = simple_rnn_forward(x[None], params)
        U = cache.z.shape[2]
        trace = {"a": cache.z[0], "h": h_seq[0], "h_prev": cache.h_prev[0]}
        T = len(x)
        grad_h = np.zeros((T, U))
        dh = np.ones((1, U))
        for t in range(T - 1, -1, -1):
            step = SimpleRNNCellCache(cache.x[:, t], cache.h_prev[:, t], cache.z[:, t], cache.h_new[:, t],
                                      cache.kernel, cache.recurrent_kernel, cache.activation)
            grad_h[t] = dh[0]
            _, grads = simple_rnn_cell_backward(dh, step)
            dh = grads["h_prev"]
        return trace, grad_h, None

    def _frames(self):
        if self.mode == "backward":
            return [RecurrentFrame(t, "backward") for t in range(self.T - 1, -1, -1)]
        return [RecurrentFrame(t, p) for t in range(self.T) for p in PARTS[self.cell]]

    # what the picture shows
    def shown(self) -> dict:
        """Values known at the current step (forward view): name → (U,) or (D,) array, in computing order.

        "x" (D,), "h_prev" (and for the LSTM "c_prev") from the inputs part, then every part up to the
        current one. Empty before the first step and in the backward view.
        """
        f = self.current
        if f is None or f.part == "backward":
            return {}
        out = {"x": self.x[f.t], "h_prev": self.trace["h_prev"][f.t]}
        if self.cell == "LSTM":
            out["c_prev"] = self.trace["c_prev"][f.t]
        parts = PARTS[self.cell]
        for p in parts[1:parts.index(f.part) + 1]:
            for extra in _PRE.get((self.cell, p), ()):          # what the equation needs besides the value
                out[extra] = self.trace[extra][f.t]
            out[p] = self.trace[p][f.t]
        return out

    def history(self):
        """(t_last, states): how far the states are known, and name → (T, U) arrays ("c" only for the LSTM).

        Forward: up to the current time step (its h counts once the "h" part is reached). Backward: all.
        """
        f = self.current
        names = ("c", "h") if self.cell == "LSTM" else ("h",)
        states = {k: self.trace[k] for k in names} if self.trace else {}
        if f is None:
            return (-1 if self.mode == "forward" else self.T - 1), states
        if f.part == "backward":
            return self.T - 1, states
        return (f.t if f.part == "h" else f.t - 1), states

    def describe(self) -> str:
        """One line on what runs: sequence, shape, cell, units, whose weights, the override."""
        if self.error:
            return ""
        who = "your weights" if self.cell in self.user_params else "hand-set weights"
        force = f"; {self.force} forced to {self.force_value:g} at every step" if self.forced else ""
        return (f"{self.sequence_name}: T = {self.T} steps × D = {self.x.shape[1]} features · {self.cell} with "
                f"U = {self.units} units ({who}){force}")
