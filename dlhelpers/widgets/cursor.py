"""The position of a stepper in its list of frames: the one base every step model shares (no ipywidgets)."""
from __future__ import annotations

import numpy as np

__all__ = ["StepCursor"]


class StepCursor:
    """A position in ``self.frames`` (a list of steps): −1 before the first, ``len − 1`` at the last."""
    frames: list = []
    position: int = -1

    @property
    def current(self):
        return self.frames[self.position] if self.frames and self.position >= 0 else None

    @property
    def at_end(self):
        return bool(self.frames) and self.position == len(self.frames) - 1

    def next(self):
        if self.frames and not self.at_end:
            self.position += 1
        return self.current

    def back(self):
        if self.position > -1:
            self.position -= 1
        return self.current

    def reset(self):
        self.position = -1
        return self.current

    def goto(self, k):
        if self.frames:
            self.position = int(np.clip(k, -1, len(self.frames) - 1))
        return self.current
