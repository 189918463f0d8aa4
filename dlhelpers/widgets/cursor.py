"""The position of a stepper in its list of frames: the one base every step model shares (no ipywidgets)."""
from __future__ import annotations

__all__ = ["StepCursor"]


class StepCursor:
    """A position in ``self.frames`` (a list of steps): −1 before the first, ``len − 1`` at the last.

    Step models (``*_state`` modules) subclass it and fill ``frames`` with plain data (numbers,
    arrays, dataclasses); turning a frame into a picture is :mod:`dlhelpers.viz`'s job.

    Example:
        >>> c = StepCursor(["a", "b"])
        >>> c.next(), c.next(), c.next(), c.back()
        ('a', 'b', 'b', 'a')
    """

    def __init__(self, frames=()):
        self.frames = list(frames)
        self.position = -1

    @property
    def current(self):
        """The frame at ``position`` (None before the first step)."""
        return self.frames[self.position] if self.frames and self.position >= 0 else None

    @property
    def at_end(self) -> bool:
        return bool(self.frames) and self.position == len(self.frames) - 1

    def next(self):
        """One step forward (stays on the last frame)."""
        if self.frames and not self.at_end:
            self.position += 1
        return self.current

    def back(self):
        """One step back (stays before the first frame)."""
        if self.position > -1:
            self.position -= 1
        return self.current

    def reset(self):
        """Back to before the first frame."""
        self.position = -1
        return self.current

    def goto(self, k: int):
        """Jump to frame ``k`` (clipped to −1 … len − 1)."""
        if self.frames:
            self.position = max(-1, min(int(k), len(self.frames) - 1))
        return self.current
