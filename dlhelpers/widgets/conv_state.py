"""Pure state of the convolution and pooling steppers (no ipywidgets; tested in plain pytest)."""
from __future__ import annotations

import html

import numpy as np

from ..scratch.conv import KERNELS, conv2d_forward, conv2d_steps, pad_amounts
from ..scratch.pooling import pool2d_steps
from ..viz.grids import grid_html
from .cursor import StepCursor

__all__ = ["ConvStepperState", "PoolStepperState", "INPUTS", "parse_kernel"]

def _course_rgb():
    from ..data import COURSE_RGB_IMAGE
    return COURSE_RGB_IMAGE


def _digit():
    from ..data import digits
    return digits(scale=False).images[0][:, :, None]                # grey levels 0..16, a "0"


def _photo():
    from ..data import photo_patch
    return np.round(photo_patch("china", 16, top=180, left=300), 2)[:, :, None]


def _rgb_patch():
    from ..data import photo_patch
    return np.round(photo_patch("flower", 6, top=200, left=300, gray=False), 2)


def _course():
    from ..data import COURSE_IMAGE
    return COURSE_IMAGE[:, :, None]


#: name → function returning an (H, W, C) image
INPUTS = {
    "course 5×5 binary image": _course,
    "course RGB corner (5×5×3)": _course_rgb,
    "handwritten digit (8×8)": _digit,
    "photo patch (16×16, grey)": _photo,
    "photo patch (6×6, RGB)": _rgb_patch,
}


def parse_kernel(text: str) -> np.ndarray:
    """'1 0 1; 0 1 0; 1 0 1' → a 2-D array (rows separated by ';' or new lines)."""
    rows = [r for r in text.replace("\n", ";").split(";") if r.strip()]
    try:
        k = np.array([[float(v) for v in r.replace(",", " ").split()] for r in rows])
    except ValueError:
        raise ValueError(f"kernel text must be numbers, rows separated by ';'; got {text!r}. "
                         "Example: 1 0 1; 0 1 0; 1 0 1") from None
    if k.ndim != 2 or k.size == 0:
        raise ValueError(f"kernel rows must all have the same length for parse_kernel; got {text!r}.")
    return k


class ConvStepperState(StepCursor):
    """One image, one filter, moved one output position at a time."""

    def __init__(self, image="course 5×5 binary image", kernel="course X", bias=0.0, strides=1, padding="valid"):
        self.frames, self.position, self.error, self.note = [], -1, "", ""
        self.configure(image=image, kernel=kernel, bias=bias, strides=strides, padding=padding)

    def configure(self, image=None, kernel=None, bias=None, strides=None, padding=None, kernel_text=None):
        """Change any setting; recomputes the frames or sets ``error`` (and keeps no frames)."""
        if image is not None:
            if image not in INPUTS:
                self.error = f"image must be one of {list(INPUTS)}; got {image!r}."
                return self.error
            self.image_name, self.image = image, INPUTS[image]()
        if kernel is not None:
            self.kernel_name = kernel
        if kernel_text is not None:
            self.kernel_name = "typed"
            self.kernel_text = kernel_text
        if bias is not None:
            self.bias = float(bias)
        if strides is not None:
            self.strides = int(strides)
        if padding is not None:
            self.padding = padding if padding in ("valid", "same") else int(padding)
        self.error, self.note = "", ""
        try:
            self.kernel = self._kernel()
            self.frames = list(conv2d_steps(self.image, self.kernel, self.bias, self.strides, self.padding))
        except (ValueError, TypeError) as exc:
            self.frames, self.error = [], str(exc)
        self.position = -1
        if not self.error:
            self.note = self._uneven_note()
        return self.error

    def _kernel(self):
        C = self.image.shape[2]
        if self.kernel_name == "course RGB kernels":
            from ..data import COURSE_RGB_KERNELS as RGB_KERNELS
            if C != 3:
                raise ValueError(f"the course RGB kernels need a 3-channel image; the chosen image has {C} "
                                 "channel(s). Pick 'course RGB corner (5×5×3)' or a 2-D kernel.")
            return RGB_KERNELS
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

    # explanations and rendering
    def output_shape(self):
        return self.frames[0].output.shape if self.frames else None

    def size_text(self) -> str:
        if self.error:
            return ""
        H, W, C = self.image.shape
        KH, KW = self.kernel.shape[:2]
        (t, b), (l, r) = pad_amounts(H, W, KH, KW, (self.strides, self.strides), self.padding, "stepper")
        Ho, Wo = self.output_shape()
        return (f"output size = ⌊(n + padding − k) / stride⌋ + 1: rows ⌊({H} + {t + b} − {KH}) / {self.strides}⌋ + 1 = {Ho}, "
                f"columns ⌊({W} + {l + r} − {KW}) / {self.strides}⌋ + 1 = {Wo}"
                + (f" (padding='same' keeps ⌈n / stride⌉)" if self.padding == "same" else ""))

    def keras_check(self):
        """(max |scratch − Keras Conv2D|, Keras's map) for the full output; imports TensorFlow on first use."""
        from ..keras.conv import conv2d_layer
        model = conv2d_layer(self.kernel[..., None], np.array([self.bias]), self.strides, self.padding)
        theirs = model(self.image[None].astype("float64")).numpy()[0, :, :, 0]
        ours = conv2d_forward(self.image[None], self.kernel[..., None], np.array([self.bias]),
                              self.strides, self.padding)[0][0, :, :, 0]
        return float(np.max(np.abs(ours - theirs))), theirs

    def render_html(self) -> str:
        if self.error:
            return f'<div style="color:#b00020"><b>⚠ This combination does not work:</b> {html.escape(self.error)}</div>'
        f = self.current or (self.frames[0] if self.frames else None)
        H, W, C = self.image.shape
        KH, KW = self.kernel.shape[:2]
        (t, b), (l, r) = pad_amounts(H, W, KH, KW, (self.strides, self.strides), self.padding, "stepper")
        hl = (f.rows, f.cols) if self.current else None
        fmt = "{:.0f}" if np.all(self.image == np.round(self.image)) else "{:.2f}"
        ins = "".join(grid_html(f.padded[:, :, c], hl, f"input{'' if C == 1 else ' channel ' + 'RGB'[c] if C == 3 else c}",
                                fmt, pad=((t, b), (l, r))) for c in range(C))
        kers = "".join(grid_html(self.kernel[:, :, c], None, "kernel" if C == 1 else f"kernel {'RGB'[c] if C == 3 else c}",
                                 "{:.3g}") for c in range(min(C, 3)) if C == 1 or self.kernel_name == "course RGB kernels" or c == 0)
        out = grid_html(f.output if self.current else np.full(f.output.shape, np.nan), None,
                        f"output {f.output.shape[0]}×{f.output.shape[1]}", "{:.3g}")
        if self.current:
            prods = "".join(grid_html(f.products[:, :, c], None, "window × kernel" if C == 1 else f"× kernel, {'RGB'[c] if C == 3 else c}",
                                      "{:.3g}", shade=False) for c in range(C))
            per_channel = "" if C == 1 else " = " + " + ".join(f"{f.products[:, :, c].sum():.4g}" for c in range(C))
            calc = (f"<b>position {f.position}</b> (step {self.position + 1} of {len(self.frames)}): "
                    f"sum of products{per_channel} = {f.total:.4g}; + bias {f.bias:g} = <b>{f.value:.4g}</b>")
        else:
            prods = ""
            calc = f"Press <b>Next</b> to place the kernel on the first window ({len(self.frames)} positions in all)."
        tail = ""
        if self.at_end:
            diff, _ = self.keras_check()
            tail = (f'<div style="color:#2a7d2a">Done. Keras Conv2D with the same kernel and bias gives the same feature '
                    f"map: max |difference| = {diff:.1e}.</div>")
        note = f'<div style="color:#a05a00">Note: {html.escape(self.note)}</div>' if self.note else ""
        return (f'<div class="dl-conv">{calc}<div style="display:flex;flex-wrap:wrap;align-items:flex-start">'
                f"{ins}{kers}{prods}{out}</div><div>{html.escape(self.size_text())}</div>{note}{tail}</div>")


class PoolStepperState(StepCursor):
    """Max or average pooling of one 2-D map, window by window."""

    def __init__(self, image="course 4×4", pool_size=2, strides=None, padding="valid", mode="max"):
        self.frames, self.position, self.error = [], -1, ""
        self.configure(image=image, pool_size=pool_size, strides=strides, padding=padding, mode=mode)

    IMAGES = {"course 4×4": lambda: np.array([[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12.]]),
              "course 5×5": lambda: np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2],
                                             [2, 0, 0, 0, 1.]]),
              "handwritten digit (8×8)": lambda: _digit()[:, :, 0]}

    def configure(self, image=None, pool_size=None, strides=None, padding=None, mode=None):
        if image is not None:
            self.image_name, self.image = image, self.IMAGES[image]()
        if pool_size is not None:
            self.pool_size = int(pool_size)
        if strides is not None or not hasattr(self, "strides"):
            self.strides = None if strides in (None, 0, "pool size") else int(strides)
        if padding is not None:
            self.padding = padding
        if mode is not None:
            self.mode = mode
        self.error = ""
        try:
            self.frames = list(pool2d_steps(self.image, self.pool_size, self.strides, self.padding, self.mode))
        except (ValueError, TypeError) as exc:
            self.frames, self.error = [], str(exc)
        self.position = -1
        return self.error

    def render_html(self) -> str:
        if self.error:
            return f'<div style="color:#b00020"><b>⚠ This combination does not work:</b> {html.escape(self.error)}</div>'
        f = self.current
        first = self.frames[0]
        hl = (f.rows, f.cols) if f else None
        inp = grid_html(first.padded, hl, "input", "{:.3g}")
        out = grid_html(f.output if f else np.full(first.output.shape, np.nan), None, f"{self.mode} pooled", "{:.3g}")
        if f:
            win = f.window
            how = f"max{win[np.isfinite(win)].tolist()}" if self.mode == "max" else \
                f"mean of {win[np.isfinite(win)].tolist()}"
            calc = f"<b>window {f.position}</b>: {html.escape(how)} = <b>{f.value:.4g}</b>"
        else:
            calc = f"Press <b>Next</b> ({len(self.frames)} windows)."
        return f'<div class="dl-pool">{calc}<div style="display:flex;align-items:flex-start">{inp}{out}</div></div>'
