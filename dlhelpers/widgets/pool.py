"""The pooling stepper: a thin shell over :class:`dlhelpers.widgets.pool_state.PoolStepperState`."""
from __future__ import annotations

import ipywidgets as W

from ..viz.steppers import pool_frame_html, problem_html
from .pool_state import MAX_POOL_SIZE, POOL_INPUTS, POOL_PRESETS, PoolStepperState
from .stepper import StepperShell

__all__ = ["PoolStepper"]


class PoolStepper(StepperShell):
    """Max or average pooling, window by window; max pooling rings the winning cell.

    Args: as :class:`~dlhelpers.widgets.pool_state.PoolStepperState`, plus ``presenter``.
    """

    title = "Pooling stepper"

    def __init__(self, image="course 4×4", pool_size=None, strides=None, padding="valid", mode="max",
                 presenter: bool = False):
        super().__init__(PoolStepperState(image, pool_size, strides, padding, mode), presenter=presenter)
        s = self.state
        self.image = W.Dropdown(options=list(POOL_INPUTS), value=s.image_name, description="image")
        self.mode = W.ToggleButtons(options=["max", "average"], value=s.mode, description="pooling")
        self.pool_size = W.IntSlider(value=s.pool_size, min=1, max=MAX_POOL_SIZE, description="pool size")
        self.strides = W.Dropdown(options=["pool size", 1, 2, 3], value=s.strides or "pool size", description="stride")
        self.padding = W.Dropdown(options=["valid", "same"], value=s.padding, description="padding")
        self.image.observe(self._image_chosen, names="value")
        for w in (self.mode, self.pool_size, self.strides, self.padding):
            w.observe(lambda _: self._reconfigure(), names="value")
        self.build(W.HBox([W.VBox([self.image, self.mode]), W.VBox([self.pool_size, self.strides, self.padding])]))

    def _image_chosen(self, change):
        """A course map brings its course settings (window size and stride)."""
        preset = POOL_PRESETS.get(change["new"])
        self.set_controls([(self.pool_size, preset["pool_size"]),
                           (self.strides, preset["strides"] or "pool size")] if preset else [])

    def _reconfigure(self):
        if self._syncing:
            return
        self.pause()
        self.state.configure(image=self.image.value, pool_size=self.pool_size.value, strides=self.strides.value,
                             padding=self.padding.value, mode=self.mode.value)
        self.refresh()

    def render(self) -> str:
        s = self.state
        if s.error:
            return problem_html(s.error, self.scale)
        return pool_frame_html(s.current, s.frames[0], s.mode, s.position, len(s.frames), s.size_text(),
                               scale=self.scale)
