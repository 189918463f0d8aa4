"""The convolution stepper: a thin shell over :class:`dlhelpers.widgets.conv_state.ConvStepperState`."""
from __future__ import annotations

import ipywidgets as W

from ..viz.steppers import conv_frame_html, problem_html
from .conv_state import DEFAULT_KERNEL_TEXT, INPUTS, KERNEL_CHOICES, PRESETS, ConvStepperState
from .stepper import StepperShell

__all__ = ["ConvStepper"]


class ConvStepper(StepperShell):
    """Pick an image, a kernel, stride and padding; Next / Back / Play move the kernel over the image.

    Args: as :class:`~dlhelpers.widgets.conv_state.ConvStepperState` (None = the image's course
    setting), plus ``presenter`` (large fonts for a projector).

    The Keras comparison is a button ("Check with Keras"): TensorFlow is imported only then.
    """

    title = "Convolution stepper"

    def __init__(self, image="course 5×5 binary image", kernel=None, bias=None, strides=None, padding=None,
                 kernel_text=DEFAULT_KERNEL_TEXT, presenter: bool = False):
        super().__init__(ConvStepperState(image, kernel, bias, strides, padding, kernel_text), presenter=presenter)
        s = self.state
        self.image = W.Dropdown(options=list(INPUTS), value=s.image_name, description="image")
        self.kernel = W.Dropdown(options=list(KERNEL_CHOICES), value=s.kernel_name, description="kernel")
        self.kernel_text = W.Text(value=s.kernel_text, description="typed", placeholder="e.g. 1 0 1; 0 1 0; 1 0 1",
                                  continuous_update=False,
                                  tooltip="rows separated by ';' — press Enter (or click elsewhere) to apply")
        self.kernel_help = W.HTML('<span style="color:#555">rows separated by ;, then press Enter</span>')
        self.typed_box = W.HBox([self.kernel_text, self.kernel_help])
        self.bias = W.FloatText(value=s.bias, description="bias", continuous_update=False)
        self.strides = W.Dropdown(options=[1, 2, 3], value=s.strides, description="stride")
        self.padding = W.Dropdown(options=["valid", "same", 1, 2], value=s.padding, description="padding")
        self.check_button = W.Button(description="Check with Keras", icon="check",
                                     tooltip="compare the whole feature map with Keras's Conv2D (loads TensorFlow)")
        self.image.observe(self._image_chosen, names="value")
        for w in (self.kernel, self.kernel_text, self.bias, self.strides, self.padding):
            w.observe(lambda _: self._reconfigure(), names="value")
        self.check_button.on_click(lambda _: self.keras_check())
        self.build(W.HBox([W.VBox([self.image, self.kernel, self.typed_box]),
                           W.VBox([self.bias, self.strides, self.padding])]),
                   below=[W.HBox([self.check_button])])

    def _image_chosen(self, change):
        """A course image brings the course's settings (the RGB corner: its kernels, padding 1, bias 1)."""
        preset = PRESETS.get(change["new"])
        self.set_controls([(self.kernel, preset["kernel"]), (self.bias, preset["bias"]),
                           (self.strides, preset["strides"]), (self.padding, preset["padding"])] if preset else [])

    def _reconfigure(self):
        if self._syncing:
            return
        self.pause()
        typed = self.kernel.value == "typed"
        self.state.configure(image=self.image.value, kernel=self.kernel.value,
                             kernel_text=self.kernel_text.value if typed else None, bias=self.bias.value,
                             strides=self.strides.value, padding=self.padding.value)
        self.refresh()

    def keras_check(self):
        """Run the Keras comparison (shows "loading TensorFlow…" while it works)."""
        self.pause()
        self.check_button.disabled = True
        self.status.value = ('<span style="color:#555">⏳ loading TensorFlow and running Keras Conv2D… '
                             "(a few seconds the first time)</span>")
        try:
            self.state.keras_check()
        except ValueError as exc:
            self.status.value = f'<span style="color:#b00020">⚠ {exc}</span>'
        else:
            self.status.value = ""
        self.refresh()

    def render(self) -> str:
        s = self.state
        if s.error:
            return problem_html(s.error, self.scale)
        return conv_frame_html(s.current, s.frames[0], s.kernel, s.pads(), s.position, len(s.frames), s.size_text(),
                               s.note, s.check_text(), show_all_kernels=s.kernel_name == "course RGB kernels"
                               or s.channels == 1, scale=self.scale)

    def _buttons(self):
        return [*super()._buttons(), self.check_button]

    def _after_refresh(self):
        self.typed_box.layout.display = None if self.kernel.value == "typed" else "none"
        self.check_button.disabled = bool(self.state.error)
