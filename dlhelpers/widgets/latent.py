"""The latent-space explorer: a thin shell over :class:`dlhelpers.widgets.latent_state.LatentState`.

Controls: two sliders move the point (z1, z2); a click on the manifold grid moves it to that cell's centre
(through ``ipyevents``; without it the sliders still work); two digit numbers or "random pair" choose a line,
and the step slider (or ▶, or the keyboard) walks along it. Pictures come from :mod:`dlhelpers.viz.latent`.
Nothing here imports TensorFlow: the default model is a PCA stand-in and any model passed in is only called.
"""
from __future__ import annotations

import time

import ipywidgets as W

from ..viz.latent import (grid_caption_html, latent_frame_html, latent_grid_png, latent_snapshot_html)
from .base import WidgetShell
from .latent_state import MAX_STEPS, make_latent_state
from .stepper import PRESENTER_SCALE, _keyboard_source

__all__ = ["LatentExplorer"]

_HINT = ("⌨ Keyboard: point the mouse at this framed area, then <b>→</b> / <b>←</b> a step along the line · "
         "<b>Home</b> its start · <b>r</b> a random pair")


class LatentExplorer(WidgetShell):
    """Move a point in a 2-D latent space and see the digit decoded there; walk the line between two digits.

    Args:
        model: an autoencoder or VAE with a 2-unit code (``encode(x)`` → (N, 2) or (mu, log_var),
            ``decode(z)`` → images); None: a PCA-2 stand-in, said so on screen
            (:func:`~dlhelpers.widgets.latent_state.make_latent_state`).
        images: (N, …) the digits to encode and scatter; None: the 4,000 training digits of MNIST 5k.
        labels: (N,) their classes (the scatter's colours), or None.
        grid_size: cells per side of the manifold grid; steps: points on the line.
        presenter: start in presenter mode (larger text and pictures for a projector).
        **options: more options of :class:`~dlhelpers.widgets.latent_state.LatentState` (``endpoints``,
            ``value_range``, ``rng``, ``description``).

    Attributes (for tests and notebooks): ``state``, ``z1``, ``z2`` (sliders), ``grid_image`` (the manifold,
    clickable), ``index_a``, ``index_b``, ``random_button``, ``step`` (slider), ``steps`` (points on the line),
    ``play`` (walks the step slider in the browser), ``presenter_toggle``, ``html`` (the main picture),
    ``message`` (why the last request was refused, or ""), ``seconds`` (the last update's time).

    Example:
        >>> w = LatentExplorer()              # doctest: +SKIP
        >>> w.z1.value = 1.5                  # doctest: +SKIP
        >>> w.random_button.click()           # doctest: +SKIP
    """

    title = "Latent-space explorer"

    def __init__(self, model=None, images=None, labels=None, *, grid_size=12, steps=9, presenter=False, **options):
        self.state = make_latent_state(model, images, labels, grid_size=grid_size, steps=steps, **options)
        s = self.state
        self.scale = PRESENTER_SCALE if presenter else 1.0
        self.message = ""
        self.seconds = 0.0
        self._syncing = False
        x0, x1, y0, y1 = s.bounds
        g = s.grid_size
        # a step of 1/10 cell: every cell's centre is a slider position
        self.z1 = W.FloatSlider(value=s.z[0], min=x0, max=x1, step=(x1 - x0) / (10 * g), description="z1",
                                readout_format=".2f")
        self.z2 = W.FloatSlider(value=s.z[1], min=y0, max=y1, step=(y1 - y0) / (10 * g), description="z2",
                                readout_format=".2f")
        n = len(s.codes)
        a, b = s.endpoints
        self.index_a = W.BoundedIntText(value=a, min=0, max=n - 1, description="digit a",
                                        layout=W.Layout(width="180px"))
        self.index_b = W.BoundedIntText(value=b, min=0, max=n - 1, description="digit b",
                                        layout=W.Layout(width="180px"))
        self.random_button = W.Button(description="🎲 random pair", tooltip="two digits of different classes (r key)")
        self.step = W.IntSlider(value=s.step, min=0, max=s.steps - 1, description="step", continuous_update=True)
        self.steps = W.IntSlider(value=s.steps, min=2, max=MAX_STEPS, description="points", continuous_update=False)
        self.play = W.Play(value=s.step, min=0, max=s.steps - 1, interval=400, show_repeat=False,
                           tooltip="walk along the line")
        W.jslink((self.play, "value"), (self.step, "value"))
        self.presenter_toggle = W.ToggleButton(value=bool(presenter), description="Presenter mode",
                                               tooltip="larger text and pictures for a projector")
        self.grid_caption = W.HTML()
        self.grid_image = W.Image(format="png")
        self.clicks = _click_source(self.grid_image, self._on_grid_event)
        self.html = W.HTML()
        self.hint = W.HTML()
        for control in (self.z1, self.z2, self.step, self.steps):
            control.style.description_width = "4em"
        self.z1.observe(lambda ch: self._act(lambda: self.state.move(z1=ch["new"])), names="value")
        self.z2.observe(lambda ch: self._act(lambda: self.state.move(z2=ch["new"])), names="value")
        self.index_a.observe(lambda ch: self._act(self._set_endpoints), names="value")
        self.index_b.observe(lambda ch: self._act(self._set_endpoints), names="value")
        self.random_button.on_click(lambda _: self._act(self.state.random_pair))
        self.step.observe(lambda ch: self._act(lambda: self.state.set_step(ch["new"])), names="value")
        self.steps.observe(lambda ch: self._act(lambda: self.state.set_steps(ch["new"])), names="value")
        self.presenter_toggle.observe(lambda ch: self.set_presenter(ch["new"]), names="value")
        row = W.Layout(flex_flow="row wrap", align_items="center")
        point = W.HBox([self.z1, self.z2, self.presenter_toggle], layout=row)
        line = W.HBox([self.index_a, self.index_b, self.random_button, self.step, self.play, self.steps], layout=row)
        # the keys act over the pictures only: typing a digit's number or using a slider's own arrow keys stays free
        self.stage = W.VBox([self.hint, W.HBox([W.VBox([self.grid_caption, self.grid_image]), self.html],
                                               layout=W.Layout(flex_flow="row wrap", align_items="flex-start"))],
                            layout=W.Layout(border="2px dashed #9ab", padding="6px"))
        self.keys = _keyboard_source(self.stage, self._on_key)
        self.widget = W.VBox([point, line, self.stage])
        self._style()
        self.refresh()

    # --- actions ----------------------------------------------------------------------------------------
    def _set_endpoints(self):
        self.state.set_endpoints(self.index_a.value, self.index_b.value)

    def _act(self, move):
        """Run one state change from a control; a refused request is shown, never raised into the notebook."""
        if self._syncing:
            return
        start = time.perf_counter()
        try:
            move()
            self.message = ""
        except (ValueError, TypeError) as exc:
            self.message = str(exc)
        self.refresh()
        self.seconds = time.perf_counter() - start

    def click_grid(self, fx, fy):
        """What a click on the manifold grid does: move the point to the cell under (fx, fy).

        Args:
            fx, fy: the click's position as fractions of the grid picture's width (from the left) and height
                (from the top).
        """
        def move():
            row, col = self.state.cell_at(fx, fy)
            self.state.pick_cell(row, col)
        self._act(move)

    def _on_grid_event(self, event):
        if event.get("type") != "click":
            return
        width, height = self._grid_px
        if "dataX" in event and "dataY" in event:                        # ipyevents: the image's own pixels
            fx, fy = event["dataX"] / width, event["dataY"] / height
        elif event.get("boundingRectWidth") and event.get("boundingRectHeight"):
            fx = event["relativeX"] / event["boundingRectWidth"]
            fy = event["relativeY"] / event["boundingRectHeight"]
        else:
            return
        self.click_grid(fx, fy)

    def step_next(self):
        """→: one step further along the line (from the point mode: its first step)."""
        s = self.state
        self._act(lambda: s.set_step(min(s.step + 1, s.steps - 1) if s.mode == "line" else 0))

    def step_back(self):
        """←: one step back along the line."""
        s = self.state
        self._act(lambda: s.set_step(max(s.step - 1, 0) if s.mode == "line" else 0))

    def _on_key(self, event):
        key = str(event.get("key", ""))
        if key in ("ArrowRight", "PageDown"):
            self.step_next()
        elif key in ("ArrowLeft", "PageUp"):
            self.step_back()
        elif key == "Home":
            self._act(lambda: self.state.set_step(0))
        elif key.lower() == "r":
            self._act(self.state.random_pair)

    # --- presenter mode ---------------------------------------------------------------------------------
    def set_presenter(self, on: bool):
        """Presenter mode on or off: larger text, pictures and controls."""
        self.scale = PRESENTER_SCALE if on else 1.0
        if self.presenter_toggle.value != bool(on):
            self.presenter_toggle.value = bool(on)
        self._style()
        self.refresh()

    def _style(self):
        px = f"{round(15 * self.scale)}px"
        for b in (self.random_button, self.presenter_toggle):
            b.style.font_size = px
            b.layout.height = f"{round(34 * self.scale)}px"
            b.layout.width = "auto"
        for slider in (self.z1, self.z2, self.step, self.steps):
            slider.layout.width = f"{round(330 * self.scale)}px"
        self.hint.value = f'<span style="color:#555;font-size:{round(13 * self.scale)}px">{_HINT}</span>'

    # --- display ----------------------------------------------------------------------------------------
    def refresh(self):
        """Draw the current frame and set every control to the state (without acting on those changes)."""
        frame = self.state.frame()
        self.html.value = latent_frame_html(frame, message=self.message, scale=self.scale)
        png = latent_grid_png(frame, self.scale)
        self._grid_px = _png_size(png)
        self.grid_image.value = png
        self.grid_image.layout.width = f"{self._grid_px[0]}px"
        self.grid_caption.value = grid_caption_html(frame, self.scale)
        s = self.state
        self._syncing = True
        try:
            self.z1.value, self.z2.value = float(s.z[0]), float(s.z[1])   # clamped to the sliders' range
            self.index_a.value, self.index_b.value = s.endpoints
            self.steps.value = s.steps
            self.step.max = self.play.max = s.steps - 1
            self.step.value = s.step
        finally:
            self._syncing = False

    def snapshot_html(self) -> str:
        frame = self.state.frame()
        return latent_snapshot_html(latent_frame_html(frame, message=self.message), latent_grid_png(frame),
                                    grid_caption_html(frame))


def _png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _click_source(image, handler):
    """An ipyevents ``Event`` reporting clicks on ``image`` (None when ipyevents is missing)."""
    try:
        from ipyevents import Event
    except ImportError:          # clicking the grid is a convenience; the sliders still work
        return None
    event = Event(source=image, watched_events=["click"])
    event.on_dom_event(handler)
    return event
