"""One step of a transposed convolution drawn with matplotlib: a pixel stamps its scaled kernel.

:func:`transpose_frame_figure` draws a :class:`dlhelpers.scratch.conv.ConvTransposeFrame` (numbers only,
from :func:`~dlhelpers.scratch.conv.conv2d_transpose_steps`): the input with the current pixel ringed,
the kernel, the stamp ``pixel × kernel``, the canvas with the stamp's place, and the running output with
the part of the stamp that lands inside it. No model code lives here.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from .._checks import _fail, as_array

__all__ = ["transpose_frame_figure"]


def _panel(ax, values, title, numbers, cmap="RdBu_r"):
    """A heat map of a 2-D array, symmetric colours around 0, with the numbers written in when asked."""
    values = np.asarray(values, dtype=float)
    top = float(np.max(np.abs(values))) if values.size else 1.0
    ax.imshow(values, cmap=cmap, vmin=-(top or 1.0), vmax=top or 1.0)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    if numbers:
        for (r, c), v in np.ndenumerate(values):
            ax.text(c, r, f"{v:.3g}", ha="center", va="center", fontsize=7,
                    color="white" if abs(v) > 0.6 * top else "black")          # readable on the dark cells


def _box(ax, rows, cols, colour, style="-"):
    """Outline cells rows[0] … rows[1] − 1 × cols[0] … cols[1] − 1 (nothing when the range is empty)."""
    if rows[1] > rows[0] and cols[1] > cols[0]:
        ax.add_patch(Rectangle((cols[0] - 0.5, rows[0] - 0.5), cols[1] - cols[0], rows[1] - rows[0], fill=False,
                               edgecolor=colour, linewidth=2, linestyle=style))


def transpose_frame_figure(frame, x=None, kernel=None, numbers=None):
    """Draw one frame of :func:`~dlhelpers.scratch.conv.conv2d_transpose_steps`.

    Args:
        frame: a :class:`~dlhelpers.scratch.conv.ConvTransposeFrame`.
        x: the (H, W) input (one channel; a multi-channel input shows its sum over channels), or None to leave
            the input panel out.
        kernel: the (KH, KW) kernel (one input channel), or None to leave it out.
        numbers: write each cell's value (default: when the canvas has at most 12 × 12 cells).

    Returns:
        The matplotlib Figure: [input], [kernel], the stamp, the canvas (the stamp's place solid, the
        output's part of the canvas dashed), the running output (the stamp's part inside it solid).

    Example:
        >>> from dlhelpers.scratch.conv import conv2d_transpose_steps
        >>> x, k = np.arange(4.0).reshape(2, 2), np.ones((3, 3))
        >>> frame = list(conv2d_transpose_steps(x, k, strides=2))[-1]
        >>> len(transpose_frame_figure(frame, x, k).axes)
        5
    """
    from ..scratch.conv import ConvTransposeFrame
    func = "transpose_frame_figure"
    if not isinstance(frame, ConvTransposeFrame):
        _fail("frame", func, "a ConvTransposeFrame", type(frame).__name__,
              "Take one from dlhelpers.scratch.conv.conv2d_transpose_steps(x, kernel).", exc=TypeError)
    panels = []
    if x is not None:
        x = as_array(x, "x", func, ndim=(2, 3), shape_hint="(H, W) or (H, W, C)")
        panels.append(("input", x if x.ndim == 2 else x.sum(axis=2)))
    if kernel is not None:
        kernel = as_array(kernel, "kernel", func, ndim=2, shape_hint="(KH, KW)")
        panels.append(("kernel", kernel))
    numbers = frame.canvas.shape[0] <= 12 and frame.canvas.shape[1] <= 12 if numbers is None else bool(numbers)
    stamp = (f"stamp = {frame.pixel[0]:.3g} × kernel" if frame.pixel.size == 1 else "stamp = Σ_c pixel[c] · kernel[c]")
    panels += [(stamp, frame.stamp),
               (f"canvas {frame.canvas.shape[0]}×{frame.canvas.shape[1]}", frame.canvas),
               (f"output {frame.output.shape[0]}×{frame.output.shape[1]}", frame.output)]
    fig, axes = plt.subplots(1, len(panels), figsize=(2.6 * len(panels), 2.9), squeeze=False)
    for ax, (title, values) in zip(axes[0], panels):
        _panel(ax, values, title, numbers)
        if title == "input":
            i, j = frame.position
            _box(ax, (i, i + 1), (j, j + 1), "black")
        elif title.startswith("canvas"):
            _box(ax, frame.rows, frame.cols, "black")
            t, l = frame.crop
            _box(ax, (t, t + frame.output.shape[0]), (l, l + frame.output.shape[1]), "grey", "--")
        elif title.startswith("output"):
            _box(ax, frame.out_rows, frame.out_cols, "black")
    fig.suptitle(f"pixel {frame.position} (step {frame.index + 1}) stamps its scaled kernel", fontsize=10)
    fig.tight_layout()
    return fig
