"""Pure state of the pooling stepper: numbers only (no ipywidgets, no HTML; tested in plain pytest).

:func:`dlhelpers.viz.steppers.pool_frame_html` draws it; :mod:`dlhelpers.widgets.pool` wires the controls.
"""
from __future__ import annotations

import math

from .._checks import check_choice
from ..scratch.pooling import pool2d_steps
from .conv_state import check_stepper_padding, check_stepper_stride
from .cursor import StepCursor

__all__ = ["PoolStepperState", "POOL_INPUTS", "POOL_PRESETS", "MAX_POOL_SIZE"]

#: the largest window the stepper offers
MAX_POOL_SIZE = 6


def _course(name):
    def load():
        from ..data.course import worked_example
        return worked_example(name)["image"]
    return load


def _digit():
    from ..data import digits
    return digits(scale=False).images[0]                 # 8×8 grey levels 0..16, a "0"


#: name → function returning a 2-D map
POOL_INPUTS = {
    "course 4×4": _course("pool_4x4"),
    "course 5×5": _course("pool_5x5"),
    "handwritten digit (8×8)": _digit,
}

#: the window and stride of each course example (data/course/worked_examples.json)
POOL_PRESETS = {"course 4×4": {"pool_size": 2, "strides": 2}, "course 5×5": {"pool_size": 3, "strides": 1}}


class PoolStepperState(StepCursor):
    """Max or average pooling of one 2-D map, window by window.

    Args:
        image: a name from :data:`POOL_INPUTS`.
        pool_size: window size 1 … :data:`MAX_POOL_SIZE` (None: the course example's).
        strides: None or "pool size" (= the window, Keras's default) or a whole number.
        padding: "valid" or "same"; mode: "max" or "average".

    Example:
        >>> s = PoolStepperState()
        >>> f = s.next()
        >>> f.value, f.winner
        (20.0, (0, 1))
    """

    def __init__(self, image="course 4×4", pool_size=None, strides=None, padding="valid", mode="max"):
        super().__init__()
        check_choice(image, "image", "PoolStepperState", POOL_INPUTS)
        preset = POOL_PRESETS.get(image, {"pool_size": 2, "strides": None})
        self.image_name = image
        self.image = POOL_INPUTS[image]()
        self.pool_size = preset["pool_size"]
        self.strides = preset["strides"]
        self.padding = "valid"
        self.mode = "max"
        self.error = ""
        self.configure(pool_size=pool_size, strides=strides if strides is not None else self.strides,
                       padding=padding, mode=mode)

    def configure(self, image=None, pool_size=None, strides=None, padding=None, mode=None) -> str:
        """Change any setting (None keeps it; ``strides="pool size"`` = the window). Returns ``error``."""
        func = "PoolStepperState.configure"
        if image is not None:
            check_choice(image, "image", func, POOL_INPUTS)
        if pool_size is not None:
            pool_size = check_stepper_stride(pool_size, func, MAX_POOL_SIZE, name="pool_size")
        if strides is not None and strides != "pool size":
            strides = check_stepper_stride(strides, func)
        if padding is not None:
            padding = check_stepper_padding(padding, func, allow_int=False)
        if mode is not None:
            check_choice(mode, "mode", func, ("max", "average"))
        old_position, same_layout = self.position, image in (None, self.image_name) and pool_size in (None, self.pool_size)
        if image is not None and image != self.image_name:
            self.image_name, self.image = image, POOL_INPUTS[image]()
        if pool_size is not None:
            self.pool_size = pool_size
        if strides is not None:
            self.strides = None if strides == "pool size" else strides
        if padding is not None:
            self.padding = padding
        if mode is not None:
            self.mode = mode
        self.error = ""
        try:
            frames = list(pool2d_steps(self.image, self.pool_size, self.strides, self.padding, self.mode))
        except (ValueError, TypeError) as exc:
            frames, self.error = [], str(exc)
        keep = same_layout and not self.error and len(frames) == len(self.frames)   # only max ↔ average
        self.frames = frames
        self.position = old_position if keep else -1
        return self.error

    @property
    def stride(self) -> int:
        """The stride in use (the window size when ``strides`` is None)."""
        return self.strides or self.pool_size

    def output_shape(self):
        return self.frames[0].output.shape if self.frames else None

    def size_text(self) -> str:
        """The output-size formula with this map's numbers filled in."""
        if self.error:
            return ""
        H, W = self.image.shape
        k, s = self.pool_size, self.stride
        Ho, Wo = self.output_shape()
        if self.padding == "same":
            return (f"output size with padding='same' = ⌈n / stride⌉: rows ⌈{H} / {s}⌉ = {math.ceil(H / s)}, "
                    f"columns ⌈{W} / {s}⌉ = {math.ceil(W / s)} (padding cells are ignored, not zeros)")
        return (f"output size = ⌊(n − pool) / stride⌋ + 1: rows ⌊({H} − {k}) / {s}⌋ + 1 = {Ho}, "
                f"columns ⌊({W} − {k}) / {s}⌋ + 1 = {Wo}")
