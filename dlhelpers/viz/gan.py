"""What the GAN playground shows: pure functions from a :class:`~dlhelpers.widgets.gan_state.GANFrame` to a
matplotlib Figure, PNG bytes and HTML (inline styles, no scripts).

The picture: on the left D's answer over the plane as a heat map (σ(logit) for the cross-entropy losses,
the raw output for least squares), the real points, the generated points, and an arrow on some generated
points: −∂ℓ_G/∂x, the way G's loss pushes that point, drawn :data:`ARROW_SCALE` × its true size, so a
vanishing gradient shows as a vanishing arrow; on the right the two losses and the modes covered, one
point per move.

Speed: Play redraws several times a second. A full matplotlib draw spends most of its time on text
(ticks, labels, titles), which does not change from one frame to the next. So :func:`gan_frame_png`
draws the unchanging parts once per layout (axes limits, fonts, colour scale) and then only the moving
parts on top of a saved copy (blitting). The output depends on the frame and the scale only: a layout is
kept for the next frame with the same axes, never for anything else.
"""
from __future__ import annotations

import base64
import html
import math
from collections import OrderedDict

import numpy as np

from ._png import canvas_png

__all__ = ["gan_figure", "gan_frame_png", "gan_frame_html", "gan_snapshot_html", "ARROW_SCALE", "ARROW_CAP"]

#: an arrow is drawn ARROW_SCALE × the gradient −∂ℓ_G/∂x (data units) ...
ARROW_SCALE = 0.5
#: ... and never longer than ARROW_CAP (longer ones are cut to it)
ARROW_CAP = 0.5

_REAL, _FAKE, _ARROW, _D, _G, _MODES = "#1b7837", "#d95f02", "#222222", "#4c72b0", "#c44e52", "#2a7d2a"
_NICE = (1, 2, 5)


def _nice_ceil(v: float, smallest: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, … (times a power of 10) that is ≥ v, and at least ``smallest``."""
    v = max(float(v), smallest)
    e = math.floor(math.log10(v))
    for m in _NICE + (10,):
        if m * 10 ** e >= v * (1 - 1e-12):
            return m * 10 ** e
    return 10 ** (e + 1)      # pragma: no cover


def _layout_key(frame, scale):
    """Everything that fixes the unchanging part of the picture."""
    h = frame.history
    losses = np.concatenate([h["d_loss"], h["g_loss"]])
    losses = losses[np.isfinite(losses)]
    hi = _nice_ceil(float(losses.max()) if losses.size else 1.0, 1.0)
    lo = 0.0 if not losses.size or losses.min() >= 0 else -_nice_ceil(-float(losses.min()), 1.0)
    return (round(float(scale), 3), frame.loss == "least_squares", tuple(round(b, 6) for b in frame.bounds),
            int(frame.n_modes), _nice_ceil(int(h["steps"][-1]), 100), lo, hi, frame.surface_label)


def _arrows(frame):
    """Arrow vectors in data units: ARROW_SCALE × gradient, cut to ARROW_CAP."""
    v = ARROW_SCALE * np.asarray(frame.arrows, dtype=float)
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return np.where(n > ARROW_CAP, v * (ARROW_CAP / np.maximum(n, 1e-300)), v)


class _Picture:
    """One layout: the figure, its unchanging part and the moving artists (heat map, points, arrows, curves)."""

    def __init__(self, frame, key, animated=True):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.colors import Normalize, TwoSlopeNorm
        from matplotlib.figure import Figure

        scale, least_squares, bounds, n_modes, xmax, lo, hi, label = key
        fs = 9                                      # points: a larger dpi (presenter mode) enlarges everything
        fig = Figure(figsize=(10.5, 4.5), dpi=72 * scale)
        self.canvas = FigureCanvasAgg(fig)
        self.fig = fig
        ax = fig.add_axes((0.04, 0.07, 0.42, 0.79))
        cax = fig.add_axes((0.465, 0.07, 0.012, 0.79))
        ax_loss = fig.add_axes((0.57, 0.57, 0.41, 0.29))
        ax_modes = fig.add_axes((0.57, 0.15, 0.41, 0.27))
        x0, x1, y0, y1 = bounds
        norm = (TwoSlopeNorm(vcenter=0.5, vmin=-0.5, vmax=1.5) if least_squares else Normalize(0.0, 1.0))
        P = frame.surface.shape[0]
        self.image = ax.imshow(np.zeros((P, P)), origin="lower", extent=(x0, x1, y0, y1), cmap="PiYG", norm=norm,
                               interpolation="bilinear", alpha=0.8, zorder=0)
        cb = fig.colorbar(self.image, cax=cax)
        cb.ax.tick_params(labelsize=fs * 0.85)
        cb.set_label(label + ("  (clipped to [−0.5, 1.5])" if least_squares else ""), fontsize=fs * 0.9)
        empty = np.zeros((0, 2))
        self.real = ax.scatter(empty[:, 0], empty[:, 1], s=6, c=_REAL, alpha=0.6, lw=0, zorder=2)
        self.fake = ax.scatter(empty[:, 0], empty[:, 1], s=7, c=_FAKE, alpha=0.85, lw=0, zorder=3)
        A = len(frame.arrow_at)
        self.quiver = ax.quiver(np.zeros(A), np.zeros(A), np.zeros(A), np.zeros(A), angles="xy", scale_units="xy",
                                scale=1.0, width=0.003, color=_ARROW, alpha=0.8, zorder=4)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        ax.tick_params(labelsize=fs * 0.85)
        ax.set_title(f"D's answer, real points (green), generated points (orange)\nand −∂ℓ_G/∂x on "
                     f"{A} of them (arrows, × {ARROW_SCALE:g}, cut at {ARROW_CAP:g})", fontsize=fs)
        last = dict(marker="o", markersize=4, markevery=[-1])              # a dot on the newest value
        (self.d_line,) = ax_loss.plot([], [], color=_D, lw=1.2, **last)
        (self.g_line,) = ax_loss.plot([], [], color=_G, lw=1.2, **last)
        ax_loss.set_ylim(lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo))
        ax_loss.set_title("D's loss (blue) and G's loss (red), on a fixed evaluation set", fontsize=fs)
        (self.m_line,) = ax_modes.plot([], [], color=_MODES, lw=1.4, drawstyle="steps-post", **last)
        ax_modes.axhline(n_modes, color="#888", lw=0.8, ls="--")
        ax_modes.set_ylim(-0.3, n_modes + 0.6)
        ax_modes.set_title(f"modes covered (of {n_modes}) by 1,000 generated points", fontsize=fs)
        ax_modes.set_xlabel("moves (Step D, Step G or Step both)", fontsize=fs)
        for a in (ax_loss, ax_modes):
            a.tick_params(labelsize=fs * 0.85)
            a.grid(alpha=0.3)
            a.set_xlim(0, xmax)
        self.moving = [(ax, self.image), (ax, self.real), (ax, self.fake), (ax, self.quiver),
                       (ax_loss, self.d_line), (ax_loss, self.g_line), (ax_modes, self.m_line)]
        self.spines = [(ax, s) for s in ax.spines.values()]
        self.background = None
        if animated:
            for _, artist in self.moving + self.spines:
                artist.set_animated(True)
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(fig.bbox)

    def update(self, frame):
        """Put the frame's numbers into the moving artists."""
        self.image.set_data(frame.surface)
        self.real.set_offsets(frame.real)
        self.fake.set_offsets(frame.fake)
        v = _arrows(frame)
        self.quiver.set_offsets(frame.arrow_at)
        self.quiver.set_UVC(v[:, 0], v[:, 1])
        h = frame.history
        self.d_line.set_data(h["steps"], h["d_loss"])
        self.g_line.set_data(h["steps"], h["g_loss"])
        self.m_line.set_data(h["steps"], h["modes"])

    def png(self, frame) -> bytes:
        """The frame drawn on the saved unchanging part, as PNG bytes."""
        self.update(frame)
        self.canvas.restore_region(self.background)
        for ax, artist in self.moving + self.spines:
            ax.draw_artist(artist)
        return canvas_png(self.canvas)


_PICTURES: OrderedDict = OrderedDict()
_KEEP = 4


def gan_figure(frame, scale: float = 1.0):
    """The playground's picture of one frame, as an ordinary matplotlib Figure (for a notebook or a file).

    Args:
        frame: a :class:`~dlhelpers.widgets.gan_state.GANFrame`.
        scale: size scale (presenter mode uses 1.6): the figure's dpi is 72 × scale.

    Returns:
        a matplotlib ``Figure`` (not registered with pyplot: nothing to close).
    """
    picture = _Picture(frame, _layout_key(frame, scale), animated=False)
    picture.update(frame)
    return picture.fig


def gan_frame_png(frame, scale: float = 1.0) -> bytes:
    """The picture of one frame as PNG bytes, fast enough for Play (unchanging parts drawn once per layout).

    Args:
        frame: a :class:`~dlhelpers.widgets.gan_state.GANFrame`; scale: size scale (dpi 72 × scale).

    Returns:
        PNG bytes (the same bytes for the same frame and scale, whatever was drawn before).
    """
    key = _layout_key(frame, scale)
    picture = _PICTURES.get(key)
    if picture is None or len(picture.quiver.U) != len(frame.arrow_at) \
            or picture.image.get_array().shape != frame.surface.shape:
        picture = _Picture(frame, key)
        _PICTURES[key] = picture
        while len(_PICTURES) > _KEEP:
            _PICTURES.popitem(last=False)
    _PICTURES.move_to_end(key)
    return picture.png(frame)


def _num(v: float) -> str:
    return f"{v:.3f}".replace("-", "−")


def gan_frame_html(frame, png: bytes | None = None, message: str = "", scale: float = 1.0) -> str:
    """The playground's frame as HTML: a status line (moves, updates, modes, losses) above the picture.

    Args:
        frame: a :class:`~dlhelpers.widgets.gan_state.GANFrame`.
        png: the picture (None: drawn here with :func:`gan_frame_png`).
        message: a line in orange under the status (a preset's note, a stopped run).
        scale: size scale (presenter mode): text and picture.

    Returns:
        HTML text (``<div class="dl-gan">``), no scripts.
    """
    if png is None:
        png = gan_frame_png(frame, scale)
    data = base64.b64encode(png).decode("ascii")
    outside = f" · {frame.outside} generated points outside the view" if frame.outside else ""
    status = (f"<b>step {frame.steps}</b> · D updates {frame.d_steps} · G updates {frame.g_steps} · "
              f"<b>modes covered {frame.modes} of {frame.n_modes}</b> · D's loss {_num(frame.d_loss)} · "
              f"G's loss {_num(frame.g_loss)}{outside}")
    msg = f'<div style="color:#8a4b00">{html.escape(message)}</div>' if message else ""
    width = round(756 * scale)
    return (f'<div class="dl-gan" style="font-size:{round(15 * scale)}px;line-height:1.45;color:#222;'
            f'font-family:sans-serif"><div class="dl-gan-status">{status}</div>'
            f'<div style="color:#555">{html.escape(frame.last)} — {html.escape(frame.title)}</div>{msg}'
            f'<img alt="GAN playground: D\'s answer, real and generated points, losses and modes covered" '
            f'style="width:{width}px;max-width:100%" src="data:image/png;base64,{data}"></div>')


def gan_snapshot_html(body: str) -> str:
    """A saved notebook's static picture of the playground: a caption, then the frame."""
    return ('<div style="border:1px solid #ccc;border-radius:6px;padding:8px;max-width:100%;overflow-x:auto">'
            '<div style="color:#555;font-size:13px;margin-bottom:6px">GAN playground — a static picture of its '
            "first frame; run the notebook to train it (Step D / Step G / Step both / Play).</div>"
            f"{body}</div>")
