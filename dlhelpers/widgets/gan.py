"""The GAN playground: a thin shell over :class:`dlhelpers.widgets.gan_state.GANPlaygroundState`.

Nothing here imports TensorFlow: the GAN is :mod:`dlhelpers.scratch.gan`, the picture
:mod:`dlhelpers.viz.gan`. The shared stepper shell gives the Reset / Play buttons, the keyboard and
presenter mode; this class adds Step D, Step G and the settings, and makes Play run several training
steps per tick.
"""
from __future__ import annotations

import ipywidgets as W

from ..viz.gan import gan_frame_html, gan_snapshot_html
from ..viz.steppers import problem_html
from .gan_state import (ACTIVATIONS, LOSSES, OPTIMIZERS, PRESETS, TARGETS, GANPlaygroundState, preset_of,
                        preset_settings)
from .stepper import StepperShell

__all__ = ["GANPlayground", "TICK_SECONDS"]

#: Play's training time per tick (then one picture): keeps each tick near a quarter of a second
TICK_SECONDS = 0.15

_RATES = (0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
_RATES = tuple(sorted(set(_RATES) | {p["settings"][k] for p in PRESETS.values()
                                     for k in ("d_learning_rate", "g_learning_rate") if k in p["settings"]}))
_WIDTHS = tuple(sorted({4, 8, 16, 32, 64, 128} | {p["settings"]["hidden_width"] for p in PRESETS.values()
                                                   if "hidden_width" in p["settings"]}))
_CUSTOM = "(your own settings)"
_CONTROLS = ("target", "loss", "optimizer", "d_learning_rate", "g_learning_rate", "k", "noise_dim",
             "hidden_width", "hidden_depth", "activation")
_HINT = ("⌨ Keyboard: point the mouse at this framed area, then <b>→</b> step both · <b>d</b> step D · "
         "<b>g</b> step G · <b>space</b> play/pause · <b>Home</b> reset")


def _choices(values, value, description):
    """A slider over fixed values that always holds ``value`` exactly."""
    values = sorted(set(values) | {value})
    return W.SelectionSlider(options=[(f"{v:g}", v) for v in values], value=value, description=description,
                             continuous_update=False)


class GANPlayground(StepperShell):
    """A 2-D GAN trained by hand: Step D, Step G, Step both, Play, Reset; settings and presets.

    Args:
        preset: a name in :data:`~dlhelpers.widgets.gan_state.PRESETS`, or None.
        steps_per_tick: the most Step-both moves per tick of Play (fewer when they take longer than
            :data:`TICK_SECONDS`).
        presenter: start in presenter mode.
        **settings: starting settings, as :class:`~dlhelpers.widgets.gan_state.GANPlaygroundState`
            (``target``, ``loss``, ``optimizer``, ``d_learning_rate``, ``g_learning_rate``, ``k``,
            ``noise_dim``, ``hidden_width``, ``hidden_depth``, ``activation``, ``batch_size``, ``seed``).

    Attributes (for tests and notebooks): ``state``, ``step_d_button``, ``step_g_button``,
    ``step_both_button``, ``reset_button``, ``play_button``, ``presenter_toggle``, ``preset`` and one
    control per setting (``target``, ``loss``, ...), ``speed`` (moves per tick), ``html`` (the frame).

    Example:
        >>> w = GANPlayground()                 # doctest: +SKIP
        >>> w.step_both_button.click()         # doctest: +SKIP
    """

    title = "GAN playground"

    def __init__(self, preset=None, steps_per_tick: int = 20, presenter: bool = False, **settings):
        if preset is not None:
            settings = {**preset_settings(preset), **settings}
        super().__init__(GANPlaygroundState(**settings), presenter=presenter, interval_ms=300)
        s = self.state.settings
        preset = preset_of(self.state.settings)
        self.message = PRESETS[preset]["note"] if preset else ""
        self.preset = W.Dropdown(options=[_CUSTOM, *PRESETS], value=preset or _CUSTOM, description="preset",
                                 layout=W.Layout(width="520px"))
        self.target = W.Dropdown(options=list(TARGETS), value=s["target"], description="target")
        self.loss = W.Dropdown(options=list(LOSSES), value=s["loss"], description="loss")
        self.optimizer = W.Dropdown(options=list(OPTIMIZERS), value=s["optimizer"], description="optimizer")
        self.d_learning_rate = _choices(_RATES, s["d_learning_rate"], "lr of D")
        self.g_learning_rate = _choices(_RATES, s["g_learning_rate"], "lr of G")
        self.k = W.IntSlider(value=s["k"], min=1, max=max(10, s["k"]), description="k (D:G)", continuous_update=False)
        self.noise_dim = W.IntSlider(value=s["noise_dim"], min=1, max=16, description="noise dim",
                                     continuous_update=False)
        self.hidden_width = _choices(_WIDTHS, s["hidden_width"], "width")
        self.hidden_depth = W.IntSlider(value=s["hidden_depth"], min=1, max=4, description="depth",
                                        continuous_update=False)
        self.activation = W.Dropdown(options=list(ACTIVATIONS), value=s["activation"], description="activation")
        self.speed = W.IntSlider(value=steps_per_tick, min=1, max=50, description="steps/tick",
                                 tooltip="at most this many Step-both moves per tick of Play (fewer when they "
                                         "take longer than 0.15 s)")
        self.step_d_button = W.Button(description="Step D", tooltip="one update of D (d key)")
        self.step_g_button = W.Button(description="Step G", tooltip="one update of G through D (g key)")
        self.step_both_button = self.next_button
        self.step_both_button.description = "Step both ▶"
        self.step_both_button.tooltip = "k updates of D, then one of G (→ key)"
        self.play_button.tooltip = "train on, several steps per tick (space); press again to pause"
        self.back_button.layout.display = "none"          # a GAN step cannot be undone; Reset starts again
        self.nav.children = [self.step_d_button, self.step_g_button, self.step_both_button, self.reset_button,
                             self.play_button, self.presenter_toggle, self.play]
        self.step_d_button.on_click(lambda _: self._act(self.state.step_d))
        self.step_g_button.on_click(lambda _: self._act(self.state.step_g))
        self.preset.observe(lambda ch: self.apply_preset(ch["new"]), names="value")
        for name in _CONTROLS:
            control = getattr(self, name)
            control.style.description_width = "6em"
            control.observe(lambda _: self._reconfigure(), names="value")
        grid = W.GridBox([getattr(self, n) for n in _CONTROLS] + [self.speed],
                         layout=W.Layout(grid_template_columns="repeat(3, 330px)"))
        self.build(self.preset, grid)

    # --- settings -------------------------------------------------------------------------------------
    def apply_preset(self, name):
        """Set every setting to a preset's (the defaults for those it does not name), rebuild once, show its note."""
        if self._syncing or name == _CUSTOM:
            return
        self.pause()
        values = preset_settings(name)                                  # all of them, batch size and seed too
        self._syncing = True
        try:
            for n in _CONTROLS:
                getattr(self, n).value = values[n]
        finally:
            self._syncing = False
        self.state.configure(**values)
        self.message = PRESETS[name]["note"]
        self.refresh()

    def _reconfigure(self):
        if self._syncing:
            return
        self.pause()
        self.state.configure(**{n: getattr(self, n).value for n in _CONTROLS})
        match = preset_of(self.state.settings)
        self._syncing = True
        try:
            if self.preset.value != (match or _CUSTOM):
                self.preset.value = match or _CUSTOM
                self.message = PRESETS[match]["note"] if match else ""
        finally:
            self._syncing = False
        self.refresh()

    # --- moves ----------------------------------------------------------------------------------------
    def _act(self, move):
        self.pause()
        move()
        self.refresh()

    def step_next(self):
        """Step both (→): k updates of D, then one of G."""
        self._act(self.state.step_both)

    def step_back(self):
        """No Back in a GAN: the keyboard's ← does nothing."""

    def step_reset(self):
        """Reset (Home): the same untrained networks and random stream as at the start."""
        self.pause()
        self.state.reset()
        self.refresh()

    def start_play(self):
        """Train on: up to ``speed`` Step-both moves per tick (within TICK_SECONDS) until Pause or a diverged run."""
        if self.state.error:
            return
        self.playing = True
        self.play.value = 0
        self.play.max = 1_000_000
        self.play.playing = True
        self.play_button.description = "❚❚ Pause"
        self.play_button.button_style = "warning"

    def _on_tick(self, change):
        if not self.playing or change["new"] <= 0:
            return
        self.state.run(self.speed.value, seconds=TICK_SECONDS)
        if self.state.error:
            self.pause()
        self.refresh()

    def _on_key(self, event):
        key = str(event.get("key", "")).lower()
        if key == "d":
            self._act(self.state.step_d)
        elif key == "g":
            self._act(self.state.step_g)
        else:
            super()._on_key(event)

    # --- display --------------------------------------------------------------------------------------
    def _hint_html(self):
        return f'<span style="color:#555;font-size:{round(13 * self.scale)}px">{_HINT}</span>'

    def _buttons(self):
        return [self.step_d_button, self.step_g_button, self.step_both_button, self.reset_button, self.play_button,
                self.presenter_toggle]

    def render(self) -> str:
        frame = self.state.frame()
        body = gan_frame_html(frame, message=self.message, scale=self.scale)
        return (problem_html(self.state.error, self.scale) + body) if self.state.error else body

    def refresh(self):
        """Show the current frame; the move buttons are off once a run has diverged (Reset starts again)."""
        self.html.value = self.render()
        stopped = bool(self.state.error)
        for b in (self.step_d_button, self.step_g_button, self.step_both_button):
            b.disabled = stopped
        self.play_button.disabled = stopped and not self.playing

    def snapshot_html(self) -> str:
        scale = self.scale
        try:
            self.scale = 1.0
            body = self.render()
        finally:
            self.scale = scale
        return gan_snapshot_html(body)
