"""The LSTM gate stepper: a thin shell over :class:`dlhelpers.widgets.lstm_state.LSTMStepperState`.

Nothing here imports TensorFlow: the numbers come from :mod:`dlhelpers.scratch`, the pictures
from :mod:`dlhelpers.viz.recurrent`.
"""
from __future__ import annotations

import ipywidgets as W

from ..viz.recurrent import recurrent_backward_html, recurrent_frame_html
from ..viz.steppers import problem_html
from .lstm_state import CELLS, DEFAULT_TEXT, FORCEABLE, MODES, PARTS, TYPED, LSTMStepperState
from .stepper import StepperShell

__all__ = ["LSTMStepper"]


class LSTMStepper(StepperShell):
    """Step a sequence through an LSTM (or GRU, SimpleRNN) gate by gate; force a gate; watch gradients go back.

    Args: as :class:`~dlhelpers.widgets.lstm_state.LSTMStepperState` (``x`` and ``name`` for your own
    (T, D) array, ``params`` for your own weights, e.g. a trained layer's), plus ``presenter``.

    Controls: the sequence (with a text box for a typed list such as "1, 0, 0, 0, 0"), the cell,
    forward / backward view, and the override: a gate (f, i or o, or "off") and its forced value.

    Example:
        >>> w = LSTMStepper()          # doctest: +SKIP
        >>> w                          # doctest: +SKIP
    """

    title = "LSTM gate stepper"

    def __init__(self, sequence="memory task: 1, then 19 small values", x=None, name=None, cell="LSTM",
                 params=None, text=DEFAULT_TEXT, force=None, force_value=0.0, mode="forward",
                 presenter: bool = False):
        super().__init__(LSTMStepperState(sequence, x, name, cell, params, text, force, force_value, mode),
                         presenter=presenter, interval_ms=600)
        s = self.state
        self.sequence = W.Dropdown(options=s.sequence_names, value=s.sequence_name, description="sequence",
                                   layout=W.Layout(width="420px"))
        self.text = W.Text(value=s.text, description="typed", placeholder="e.g. 1, 0, 0, 0, 0",
                           continuous_update=False)
        self.text_help = W.HTML('<span style="color:#555">numbers separated by commas (time steps by ; for several '
                                "features), then press Enter</span>")
        self.typed_box = W.HBox([self.text, self.text_help])
        self.cell = W.ToggleButtons(options=list(CELLS), value=s.cell, description="cell")
        self.mode = W.ToggleButtons(options=list(MODES), value=s.mode, description="view")
        self.force_gate = W.Dropdown(options=["off", *FORCEABLE], value=s.force or "off", description="force gate",
                                     tooltip="replace one LSTM gate by a fixed value at every step")
        self.force_value = W.FloatSlider(value=s.force_value, min=0.0, max=1.0, step=0.05, description="to value",
                                         continuous_update=False, readout_format=".2f")
        self.force_box = W.HBox([self.force_gate, self.force_value])
        for w in (self.sequence, self.text, self.cell, self.mode, self.force_gate, self.force_value):
            w.observe(lambda _: self._reconfigure(), names="value")
        self.build(W.VBox([W.HBox([self.sequence, self.mode]), self.typed_box, self.cell, self.force_box]))

    def _reconfigure(self):
        if self._syncing:
            return
        self.pause()
        self.state.configure(sequence=self.sequence.value, text=self.text.value, cell=self.cell.value,
                             mode=self.mode.value, force=self.force_gate.value, force_value=self.force_value.value)
        self.refresh()

    def render(self) -> str:
        s = self.state
        if s.error:
            return problem_html(s.error, self.scale)
        if s.mode == "backward":
            return recurrent_backward_html(s.cell, s.current, s.position, len(s.frames), s.T, s.grad_h, s.grad_c,
                                           s.grad_norms, s.forced, s.describe(), scale=self.scale)
        t_last, states = s.history()
        return recurrent_frame_html(s.cell, PARTS[s.cell], s.current, s.position, len(s.frames), s.T, s.shown(),
                                    states, t_last, s.x, s.forced, s.describe(), scale=self.scale)

    def _after_refresh(self):
        self.typed_box.layout.display = None if self.sequence.value == TYPED else "none"
        self.force_box.layout.display = None if self.cell.value == "LSTM" else "none"
        self.force_value.disabled = self.force_gate.value == "off"
