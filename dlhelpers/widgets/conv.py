"""Convolution and pooling steppers: thin ipywidgets shells over :mod:`dlhelpers.widgets.conv_state`."""
from __future__ import annotations

import ipywidgets as W

from ..scratch.conv import KERNELS
from .conv_state import INPUTS, ConvStepperState, PoolStepperState

__all__ = ["ConvStepper", "PoolStepper"]


class _Stepper:
    def _nav(self):
        self.back_button = W.Button(description="◀ Back")
        self.next_button = W.Button(description="Next ▶", button_style="primary")
        self.reset_button = W.Button(description="⟲ Reset")
        self.play = W.Play(value=0, min=0, max=1, step=1, interval=600, description="play")
        self.html = W.HTML()
        self.back_button.on_click(lambda _: self._move(self.state.back))
        self.next_button.on_click(lambda _: self._move(self.state.next))
        self.reset_button.on_click(lambda _: self._move(self.state.reset))
        self.play.observe(lambda ch: self._move(lambda: self._goto(ch["new"] - 1)), names="value")
        return W.HBox([self.back_button, self.next_button, self.reset_button, self.play])

    def _goto(self, k):
        self.state.position = max(-1, min(k, len(self.state.frames) - 1))

    def _move(self, fn):
        fn()
        self.refresh()

    def refresh(self):
        self.html.value = self.state.render_html()
        n = len(self.state.frames)
        self.next_button.disabled = n == 0 or self.state.at_end
        self.back_button.disabled = self.state.position < 0
        self.play.max = max(n, 1)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class ConvStepper(_Stepper):
    """Pick an image, a kernel, stride and padding; Next / Back / Play move the kernel over the image."""

    def __init__(self, image="course 5×5 binary image", kernel="course X", bias=0.0, strides=1, padding="valid"):
        self.state = ConvStepperState(image, kernel, bias, strides, padding)
        self.image = W.Dropdown(options=list(INPUTS), value=image, description="image")
        self.kernel = W.Dropdown(options=list(KERNELS) + ["course RGB kernels", "typed"], value=kernel,
                                 description="kernel")
        self.kernel_text = W.Text(value="1 0 1; 0 1 0; 1 0 1", description="typed", placeholder="rows separated by ;")
        self.bias = W.FloatText(value=bias, description="bias")
        self.strides = W.IntSlider(value=strides, min=1, max=3, description="stride")
        self.padding = W.Dropdown(options=["valid", "same", 1, 2], value=padding, description="padding")
        for w in (self.image, self.kernel, self.kernel_text, self.bias, self.strides, self.padding):
            w.observe(lambda _: self._reconfigure(), names="value")
        nav = self._nav()
        self.widget = W.VBox([W.HBox([W.VBox([self.image, self.kernel, self.kernel_text]),
                                      W.VBox([self.bias, self.strides, self.padding])]), nav, self.html])
        self.refresh()

    def _reconfigure(self):
        typed = self.kernel.value == "typed"
        self.state.configure(image=self.image.value, kernel=None if typed else self.kernel.value,
                             kernel_text=self.kernel_text.value if typed else None, bias=self.bias.value,
                             strides=self.strides.value, padding=self.padding.value)
        self.play.value = 0
        self.refresh()


class PoolStepper(_Stepper):
    """Max or average pooling, window by window."""

    def __init__(self, image="course 4×4", pool_size=2, strides=None, padding="valid", mode="max"):
        self.state = PoolStepperState(image, pool_size, strides, padding, mode)
        self.image = W.Dropdown(options=list(PoolStepperState.IMAGES), value=image, description="image")
        self.mode = W.ToggleButtons(options=["max", "average"], value=mode, description="pooling")
        self.pool_size = W.IntSlider(value=pool_size, min=1, max=4, description="pool size")
        self.strides = W.Dropdown(options=["pool size", 1, 2, 3], value=strides or "pool size", description="stride")
        self.padding = W.Dropdown(options=["valid", "same"], value=padding, description="padding")
        for w in (self.image, self.mode, self.pool_size, self.strides, self.padding):
            w.observe(lambda _: self._reconfigure(), names="value")
        nav = self._nav()
        self.widget = W.VBox([W.HBox([W.VBox([self.image, self.mode]), W.VBox([self.pool_size, self.strides,
                                                                               self.padding])]), nav, self.html])
        self.refresh()

    def _reconfigure(self):
        self.state.configure(image=self.image.value, pool_size=self.pool_size.value, strides=self.strides.value,
                             padding=self.padding.value, mode=self.mode.value)
        self.play.value = 0
        self.refresh()
