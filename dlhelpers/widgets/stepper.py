"""The shell every stepper shares: Next / Back / Reset / Play, the keyboard, and presenter mode.

A stepper is three pieces (see ``DESIGN.md`` § 5): a step model holding numbers only (a
:class:`~dlhelpers.widgets.cursor.StepCursor` subclass in a ``*_state`` module), a pure renderer
in :mod:`dlhelpers.viz.steppers`, and a shell built on :class:`StepperShell` that only wires
controls. A subclass sets ``self.state`` (via ``super().__init__``), implements
:meth:`StepperShell.render` (current frame → HTML) and passes its own controls to
:meth:`StepperShell.build`.

What every stepper gets from here:

* **Back / Next / Reset** buttons, and **Play / Pause**: Play steps on automatically *from the
  current step* and stops at the end; Pause keeps the position; Next, Back, Reset and any
  change of settings stop it.
* **Keyboard** (through ``ipyevents``): with the mouse pointer over the stepper's framed area,
  → (or Page Down) = Next, ← (or Page Up) = Back, space = Play/Pause, Home = Reset. This also
  works inside a live jupyterlab-deck presentation: with the pointer over the stepper the keys step
  it and the deck stays on its slide (tests/browser/test_deck.py).
* **Presenter mode** (``presenter=True`` or the toggle): fonts, grids and diagrams about 1.6×
  larger, for a projector.
* A static picture of the first step for saved notebooks (GitHub, nbviewer), from
  :meth:`StepperShell.snapshot_html`.
"""
from __future__ import annotations

import ipywidgets as W

from ..viz.steppers import snapshot_frame_html
from .base import WidgetShell

__all__ = ["StepperShell", "PRESENTER_SCALE", "KEY_HINT"]

#: How much presenter mode enlarges text, grids and diagrams.
PRESENTER_SCALE = 1.6

KEY_HINT = ("⌨ Keyboard: point the mouse at this framed area, then <b>→</b> next · <b>←</b> back · "
            "<b>space</b> play/pause · <b>Home</b> reset")


def _keyboard_source(source, handler):
    """An ipyevents ``Event`` watching key presses over ``source`` (None when ipyevents is missing)."""
    try:
        from ipyevents import Event
    except ImportError:          # keyboard control is a convenience; the buttons still work
        return None
    event = Event(source=source, watched_events=["keydown"], ignore_modifier_key_events=True,
                  prevent_default_action=True)
    event.on_dom_event(handler)
    return event


class StepperShell(WidgetShell):
    """Base of the steppers: shared controls around a ``state`` (a StepCursor) and a ``render()``.

    Args:
        state: the step model.
        presenter: start in presenter mode (large fonts for a projector).
        interval_ms: time between two steps while playing.

    Attributes (for tests and notebooks): ``back_button``, ``next_button``, ``reset_button``,
    ``play_button``, ``presenter_toggle``, ``html`` (the frame), ``status`` (busy sign, messages),
    ``keys`` (the ipyevents source), ``playing``.
    """

    title = "stepper"

    def __init__(self, state, presenter: bool = False, interval_ms: int = 800):
        self.state = state
        self.scale = PRESENTER_SCALE if presenter else 1.0
        self.playing = False
        self._syncing = False      # True while set_controls fills in several controls at once
        self.back_button = W.Button(description="◀ Back", tooltip="one step back (← key)")
        self.next_button = W.Button(description="Next ▶", button_style="primary", tooltip="one step forward (→ key)")
        self.reset_button = W.Button(description="⟲ Reset", tooltip="back to the start (Home key)")
        self.play_button = W.Button(description="▶ Play", tooltip="step on automatically from here (space); "
                                                                  "press again to pause")
        self.presenter_toggle = W.ToggleButton(value=bool(presenter), description="Presenter mode",
                                               tooltip="larger text and pictures for a projector")
        # the timer behind Play; hidden, its own unlabelled buttons are not shown
        self.play = W.Play(value=0, min=0, max=1, interval=interval_ms, show_repeat=False,
                           layout=W.Layout(display="none"))
        self.html = W.HTML()
        self.status = W.HTML()
        self.hint = W.HTML(self._hint_html())
        self.nav = W.HBox([self.back_button, self.next_button, self.reset_button, self.play_button,
                           self.presenter_toggle, self.play])
        self.stage = W.VBox([self.nav, self.hint, self.status, self.html],
                            layout=W.Layout(border="2px dashed #9ab", padding="6px"))
        self.keys = _keyboard_source(self.stage, self._on_key)
        self.widget = None
        self.back_button.on_click(lambda _: self.step_back())
        self.next_button.on_click(lambda _: self.step_next())
        self.reset_button.on_click(lambda _: self.step_reset())
        self.play_button.on_click(lambda _: self.toggle_play())
        self.play.observe(self._on_tick, names="value")
        self.play.observe(self._on_timer_stopped, names="playing")
        self.presenter_toggle.observe(lambda ch: self.set_presenter(ch["new"]), names="value")

    def build(self, *settings, below=()):
        """Assemble ``self.widget``: the settings rows, the framed stage (controls + frame), then ``below``."""
        self.widget = W.VBox([*settings, self.stage, *below])
        self._style_buttons()
        self.refresh()
        return self.widget

    def set_controls(self, values):
        """Set several settings controls at once (a preset), then reconfigure the state once.

        ``values`` is a list of (control, value) pairs. Without this, each control's observer would
        reconfigure the state on its own, with a half-applied mix of old and new settings.
        """
        self._syncing = True
        try:
            for control, value in values:
                control.value = value
        finally:
            self._syncing = False
        self._reconfigure()

    def _reconfigure(self):
        """Subclasses with settings controls: read them into the state and refresh."""

    # what subclasses provide
    def render(self) -> str:
        """HTML of the current frame at ``self.scale`` (a call to a pure function in :mod:`dlhelpers.viz`)."""
        raise NotImplementedError

    def _after_refresh(self):
        """Hook for subclasses: update their own outputs after a step."""

    def snapshot_body(self) -> str:
        """What the static picture shows (default: :meth:`render`); called with the first step current."""
        return self.render()

    # navigation
    def step_next(self):
        """Next (→): one step forward; stops Play."""
        self.pause()
        self.state.next()
        self.refresh()

    def step_back(self):
        """Back (←): one step back; stops Play."""
        self.pause()
        self.state.back()
        self.refresh()

    def step_reset(self):
        """Reset (Home): before the first step; stops Play."""
        self.pause()
        self.state.reset()
        self.refresh()

    def toggle_play(self):
        """Play from the current step, or Pause where it is."""
        if self.playing:
            self.pause()
        else:
            self.start_play()

    def start_play(self):
        """Step on automatically from the current step until the end (the timer runs in the browser)."""
        remaining = len(self.state.frames) - 1 - self.state.position
        if remaining <= 0:
            return
        self.playing = True
        self.play.value = 0
        self.play.max = remaining
        self.play.playing = True
        self.play_button.description = "❚❚ Pause"
        self.play_button.button_style = "warning"

    def pause(self):
        """Stop playing and stay on the current step."""
        if self.playing:
            self.playing = False
            self.play.playing = False
        self.play_button.description = "▶ Play"
        self.play_button.button_style = ""

    def _on_tick(self, change):
        if not self.playing or change["new"] <= 0:      # ticks that arrive after a pause are ignored
            return
        self.state.next()
        if self.state.at_end:
            self.pause()
        self.refresh()

    def _on_timer_stopped(self, change):
        if not change["new"] and self.playing:           # the browser's timer reached its end
            self.pause()
            self.refresh()

    def _on_key(self, event):
        key = event.get("key")
        actions = {"ArrowRight": self.step_next, "PageDown": self.step_next, "ArrowLeft": self.step_back,
                   "PageUp": self.step_back, " ": self.toggle_play, "Home": self.step_reset}
        if key in actions:
            actions[key]()

    # presenter mode
    def set_presenter(self, on: bool):
        """Presenter mode on or off: scale fonts, grids, diagrams and buttons."""
        self.scale = PRESENTER_SCALE if on else 1.0
        if self.presenter_toggle.value != bool(on):
            self.presenter_toggle.value = bool(on)
        self._style_buttons()
        self.hint.value = self._hint_html()
        self.refresh()

    def _hint_html(self):
        return f'<span style="color:#555;font-size:{round(13 * self.scale)}px">{KEY_HINT}</span>'

    def _buttons(self):
        return [self.back_button, self.next_button, self.reset_button, self.play_button, self.presenter_toggle]

    def _style_buttons(self):
        for b in self._buttons():
            b.style.font_size = f"{round(15 * self.scale)}px"
            b.layout.height = f"{round(34 * self.scale)}px"
            b.layout.width = "auto"

    # display
    def refresh(self):
        """Show the current frame and enable the buttons that can do something."""
        self.html.value = self.render()
        n = len(self.state.frames)
        self.next_button.disabled = n == 0 or self.state.at_end
        self.back_button.disabled = self.state.position < 0
        self.play_button.disabled = not self.playing and (n == 0 or self.state.at_end)
        self._after_refresh()

    def snapshot_html(self) -> str:
        """The first step (or the current one, once stepped), drawn as static HTML for a saved notebook."""
        saved, scale = self.state.position, self.scale
        try:
            if saved < 0 and self.state.frames:
                self.state.goto(0)
            self.scale = 1.0
            body = self.snapshot_body()
        finally:
            self.state.position, self.scale = saved, scale
        return snapshot_frame_html(self.title, body)
