"""Pure state of the convolution stepper: numbers only (no ipywidgets, no HTML; tested in plain pytest).

:func:`dlhelpers.viz.steppers.conv_frame_html` draws it; :mod:`dlhelpers.widgets.conv` wires the controls.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import check_choice
from ..scratch.conv import KERNELS, conv2d_forward, conv2d_steps, pad_amounts
from .cursor import StepCursor

__all__ = ["ConvStepperState", "INPUTS", "KERNEL_CHOICES", "PRESETS", "MAX_PADDING", "MAX_STRIDE", "parse_kernel",
           "check_stepper_padding", "check_stepper_stride", "DEFAULT_KERNEL_TEXT"]

#: The largest zero padding (per side) and stride the stepper accepts: it draws every cell.
MAX_PADDING = 10
MAX_STRIDE = 8
DEFAULT_KERNEL_TEXT = "1 0 1; 0 1 0; 1 0 1"


def _course_image():
    from ..data.course import worked_example
    return worked_example("conv_5x5")["image"][:, :, None]


def _course_rgb():
    from ..data.course import worked_example
    return worked_example("conv_rgb")["image_channels"]


def _digit():
    from ..data import digits
    return digits(scale=False).images[0][:, :, None]                # grey levels 0..16, a "0"


def _photo():
    from ..data import photo_patch
    return np.round(photo_patch("china", 16, top=180, left=300), 2)[:, :, None]


def _rgb_patch():
    from ..data import photo_patch
    return np.round(photo_patch("flower", 6, top=200, left=300, gray=False), 2)


#: name → function returning an (H, W, C) image
INPUTS = {
    "course 5×5 binary image": _course_image,
    "course RGB corner (5×5×3)": _course_rgb,
    "handwritten digit (8×8)": _digit,
    "photo patch (16×16, grey)": _photo,
    "photo patch (6×6, RGB)": _rgb_patch,
}

#: the kernel names the stepper knows: the 2-D filters of :data:`dlhelpers.scratch.conv.KERNELS`,
#: the course's three RGB kernels, and "typed" (rows typed as text, see :func:`parse_kernel`)
KERNEL_CHOICES = (*KERNELS, "course RGB kernels", "typed")

#: settings that reproduce the course notes for an image (used when the image is chosen)
PRESETS = {
    "course 5×5 binary image": {"kernel": "course X", "bias": 0.0, "strides": 1, "padding": "valid"},
    "course RGB corner (5×5×3)": {"kernel": "course RGB kernels", "bias": 1.0, "strides": 1, "padding": 1},
}
_GENERIC = {"kernel": "course X", "bias": 0.0, "strides": 1, "padding": "valid"}


def parse_kernel(text: str) -> np.ndarray:
    """'1 0 1; 0 1 0; 1 0 1' → a 2-D array (rows separated by ';' or new lines, values by spaces or commas).

    Raises:
        ValueError: empty text, something that is not a number, or rows of different lengths.
    """
    if not isinstance(text, str):
        raise TypeError(f"kernel text must be a string for parse_kernel; got {type(text).__name__}. "
                        "Type the rows, e.g. '1 0 1; 0 1 0; 1 0 1'.")
    rows = [r for r in text.replace("\n", ";").split(";") if r.strip()]
    if not rows:
        raise ValueError("kernel text must hold at least one number for parse_kernel; got an empty box. "
                         "Type the kernel's rows separated by ';', e.g. 1 0 1; 0 1 0; 1 0 1")
    try:
        values = [[float(v) for v in r.replace(",", " ").split()] for r in rows]
    except ValueError:
        raise ValueError(f"kernel text must be numbers, rows separated by ';', for parse_kernel; got {text!r}. "
                         "Example: 1 0 1; 0 1 0; 1 0 1") from None
    if len({len(r) for r in values}) != 1:
        raise ValueError(f"kernel rows must all have the same length for parse_kernel; got lengths "
                         f"{[len(r) for r in values]} in {text!r}. Give every row as many numbers.")
    k = np.array(values)
    if not np.all(np.isfinite(k)):
        raise ValueError(f"kernel values must be finite for parse_kernel; got {text!r}. Replace inf/nan by numbers.")
    return k


def check_stepper_stride(strides, func: str, limit: int = MAX_STRIDE, name: str = "strides") -> int:
    """A stride (or window size, ``name``) for a stepper: a whole number 1 … ``limit`` (not a string, not a bool)."""
    if isinstance(strides, bool) or not isinstance(strides, numbers.Integral):
        raise TypeError(f"{name} must be a whole number for {func}; got {strides!r} ({type(strides).__name__}). "
                        f"Pass e.g. {name}=2 (a number, not text).")
    if not 1 <= strides <= limit:
        raise ValueError(f"{name} must be from 1 to {limit} for {func}; got {strides}. Pick a value in that range.")
    return int(strides)


def check_stepper_padding(padding, func: str, limit: int = MAX_PADDING, allow_int: bool = True):
    """'valid', 'same', or (``allow_int``) a whole number 0 … ``limit`` of zeros per side."""
    if isinstance(padding, str):
        return check_choice(padding, "padding", func, ("valid", "same"))
    if not allow_int or isinstance(padding, bool) or not isinstance(padding, numbers.Integral):
        expected = "'valid', 'same' or a whole number of zeros per side" if allow_int else "'valid' or 'same'"
        raise TypeError(f"padding must be {expected} for {func}; got {padding!r} ({type(padding).__name__}). "
                        "Pass e.g. padding='same'" + (" or padding=1." if allow_int else "."))
    if not 0 <= padding <= limit:
        raise ValueError(f"padding must be from 0 to {limit} zeros per side for {func}; got {padding}. "
                         "The stepper draws every cell; use conv2d_forward for larger padding.")
    return int(padding)


class ConvStepperState(StepCursor):
    """One image, one filter, moved one output position at a time.

    Args:
        image: a name from :data:`INPUTS`.
        kernel: a name from :data:`KERNEL_CHOICES` (None: the image's course setting, see :data:`PRESETS`).
        bias, strides, padding: None takes the image's course setting (the RGB corner: bias 1, padding 1).
        kernel_text: the rows of the "typed" kernel, e.g. "1 0 1; 0 1 0; 1 0 1".

    Bad arguments raise ValueError/TypeError at once and leave the state unchanged; a combination
    that cannot be computed (a 3-channel kernel on a grey image, a kernel larger than the padded
    image, a typed kernel that does not parse) keeps no frames and no ``kernel`` (None) and says why
    in ``error``; while ``error`` is set, :meth:`output_shape` and :meth:`pads` return None and the
    text methods "".

    Example:
        >>> s = ConvStepperState()
        >>> float(s.next().value), s.output_shape()
        (4.0, (3, 3))
    """

    def __init__(self, image="course 5×5 binary image", kernel=None, bias=None, strides=None, padding=None,
                 kernel_text=DEFAULT_KERNEL_TEXT):
        super().__init__()
        check_choice(image, "image", "ConvStepperState", INPUTS)
        preset = PRESETS.get(image, _GENERIC)
        self.image_name = image
        self.image = INPUTS[image]()
        self.kernel_name = preset["kernel"]
        self.kernel_text = DEFAULT_KERNEL_TEXT
        self.bias = float(preset["bias"])
        self.strides = preset["strides"]
        self.padding = preset["padding"]
        self.kernel = None
        self.error = ""
        self.note = ""
        self.keras_diff = None          # max |scratch − Keras| once the Keras check has run
        self.configure(kernel=kernel, bias=bias, strides=strides, padding=padding, kernel_text=kernel_text)

    def configure(self, image=None, kernel=None, bias=None, strides=None, padding=None, kernel_text=None) -> str:
        """Change any setting (None keeps it); recomputes the frames. Returns ``error`` ("" when it works).

        A change of bias or kernel keeps the current position, so its effect shows at once.
        """
        func = "ConvStepperState.configure"
        if image is not None:
            check_choice(image, "image", func, INPUTS)
        if kernel is not None:
            check_choice(kernel, "kernel", func, KERNEL_CHOICES)
        if bias is not None:
            if isinstance(bias, bool) or not isinstance(bias, numbers.Real) or not np.isfinite(bias):
                raise TypeError(f"bias must be a finite number for {func}; got {bias!r}. Pass e.g. bias=1.")
        if strides is not None:
            strides = check_stepper_stride(strides, func)
        if padding is not None:
            padding = check_stepper_padding(padding, func)
        if kernel_text is not None and not isinstance(kernel_text, str):
            raise TypeError(f"kernel_text must be a string for {func}; got {type(kernel_text).__name__}. "
                            "Type the rows, e.g. '1 0 1; 0 1 0; 1 0 1'.")
        layout_same = image in (None, self.image_name) and strides in (None, self.strides) and \
            padding in (None, self.padding)
        old_position = self.position
        if image is not None and image != self.image_name:
            self.image_name, self.image = image, INPUTS[image]()
        if kernel is not None:
            self.kernel_name = kernel
        if kernel_text is not None:
            self.kernel_text = kernel_text
        if bias is not None:
            self.bias = float(bias)
        if strides is not None:
            self.strides = strides
        if padding is not None:
            self.padding = padding
        self.error, self.note, self.keras_diff = "", "", None
        try:
            self.kernel = self._kernel()
            frames = list(conv2d_steps(self.image, self.kernel, self.bias, self.strides, self.padding))
        except (ValueError, TypeError) as exc:
            frames, self.error = [], str(exc)
            self.kernel = None              # no half-valid state: nothing reads a kernel while error is set
        keep = layout_same and self.error == "" and len(frames) == len(self.frames)
        self.frames = frames
        self.position = old_position if keep else -1
        if not self.error:
            self.note = self._uneven_note()
        return self.error

    def _kernel(self):
        C = self.image.shape[2]
        if self.kernel_name == "course RGB kernels":
            if C != 3:
                raise ValueError(f"the course RGB kernels need a 3-channel image; the chosen image has {C} "
                                 "channel(s). Pick 'course RGB corner (5×5×3)' or a 2-D kernel.")
            from ..data.course import worked_example
            return worked_example("conv_rgb")["kernel_channels"]
        k = parse_kernel(self.kernel_text) if self.kernel_name == "typed" else KERNELS[self.kernel_name]
        return np.repeat(k[:, :, None], C, axis=2)           # the same 2-D kernel on every channel

    def _uneven_note(self):
        if self.padding != "valid" or not self.frames:
            return ""
        H, W, _ = self.image.shape
        KH, KW = self.kernel.shape[:2]
        notes = []
        for axis, n, k in (("rows", H, KH), ("columns", W, KW)):
            rest = (n - k) % self.strides
            if rest:
                notes.append(f"(n − k) / stride = ({n} − {k}) / {self.strides} is not a whole number: the last {rest} "
                             f"{axis} of the input are never covered (Keras skips them too). Pad, or change the stride.")
        return " ".join(notes)

    # numbers the picture needs
    @property
    def channels(self) -> int:
        return self.image.shape[2]

    def output_shape(self):
        """(rows, cols) of the feature map, or None when the settings do not work."""
        return self.frames[0].output.shape if self.frames else None

    def pads(self):
        """((top, bottom), (left, right)) zeros added around the image, or None when the settings do not work."""
        if self.error:
            return None
        H, W, _ = self.image.shape
        KH, KW = self.kernel.shape[:2]
        return pad_amounts(H, W, KH, KW, (self.strides, self.strides), self.padding, "ConvStepperState")

    def size_text(self) -> str:
        """The output-size formula with this image's numbers filled in ("" when the settings do not work)."""
        if self.error:
            return ""
        H, W, _ = self.image.shape
        KH, KW = self.kernel.shape[:2]
        (t, b), (l, r) = self.pads()
        Ho, Wo = self.output_shape()
        return (f"output size = ⌊(n + padding − k) / stride⌋ + 1: rows ⌊({H} + {t + b} − {KH}) / {self.strides}⌋ + 1 "
                f"= {Ho}, columns ⌊({W} + {l + r} − {KW}) / {self.strides}⌋ + 1 = {Wo}"
                + (" (padding='same' keeps ⌈n / stride⌉)" if self.padding == "same" else ""))

    def check_text(self) -> str:
        """The Keras comparison in words, once :meth:`keras_check` has run ("" before)."""
        if self.keras_diff is None:
            return ""
        return (f"Keras Conv2D with the same kernel and bias gives the same feature map: "
                f"max |difference| = {self.keras_diff:.1e}.")

    def keras_check(self):
        """(max |scratch − Keras Conv2D|, Keras's map) for the full output. Imports TensorFlow (seconds, once).

        Only called when asked for (the widget's "Check with Keras" button), never while stepping.
        """
        if self.error:
            raise ValueError(f"the settings must work before the Keras check in ConvStepperState.keras_check; "
                             f"got the problem: {self.error}")
        from ..keras.conv import conv2d_layer
        model = conv2d_layer(self.kernel[..., None], np.array([self.bias]), self.strides, self.padding)
        theirs = np.asarray(model(self.image[None].astype("float64")))[0, :, :, 0]
        ours = conv2d_forward(self.image[None], self.kernel[..., None], np.array([self.bias]),
                              self.strides, self.padding)[0][0, :, :, 0]
        self.keras_diff = float(np.max(np.abs(ours - theirs)))
        return self.keras_diff, theirs
