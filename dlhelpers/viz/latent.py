"""What the latent-space explorer shows: pure functions from a :class:`~dlhelpers.widgets.latent_state.LatentFrame`
to a matplotlib Figure, PNG bytes and HTML (inline styles, no scripts).

Two pictures:

* the **main picture** (:func:`latent_frame_png`, :func:`latent_figure`): on the left the digits' codes
  scattered in the plane, coloured by class, with the interpolation line (dashed, its points as dots) and the
  current point (a red ✕); on the right the image decoded at the current point, large; along the bottom the
  line decoded step by step, the two original digits at its ends and the current step framed in red;
* the **manifold grid** (:func:`latent_grid_png`): the images decoded at the centres of a G × G grid of cells
  over the same range (z1 from left to right, z2 from bottom to top), the cell of the current point framed and
  the point itself as a red dot. Every cell is exactly 1/G of the picture's width and height, so a click at a
  fraction (fx, fy) of the picture is cell (⌊fy·G⌋, ⌊fx·G⌋)
  (:meth:`~dlhelpers.widgets.latent_state.LatentState.cell_at`).

Speed: a slider redraws many times a second. The scatter, its axes and the legend do not change, so
:func:`latent_frame_png` draws them once per data set and layout and then only the moving parts on top of a
saved copy (blitting), as :mod:`dlhelpers.viz.gan` does. The grid picture is put together from the decoded
images with Pillow, without matplotlib.
"""
from __future__ import annotations

import base64
import html
import io
from collections import OrderedDict

import numpy as np

from ._png import canvas_png

__all__ = ["latent_figure", "latent_frame_png", "latent_grid_png", "latent_frame_html", "latent_snapshot_html",
           "grid_caption_html",
           "strip_image", "MAX_SCATTER"]

#: at most this many codes are drawn (evenly spaced through the data); all of them set the view
MAX_SCATTER = 3000
_POINT, _LINE = "#d62728", "#222222"
_CMAP = "gray_r"          # dark ink on white, as dlhelpers.viz.plots.plot_images


def _fmt(v: float) -> str:
    return f"{v:.2f}".replace("-", "−")


def _z_text(z) -> str:
    return f"z = ({_fmt(z[0])}, {_fmt(z[1])})"


def _digit(index, labels, k) -> str:
    return f"#{index}" + ("" if labels is None else f" (a {labels[k]})")


def strip_image(frame) -> np.ndarray:
    """The bottom row as one array: [digit a] gap [step 0 | step 1 | … | step n−1] gap [digit b].

    Gaps are NaN (drawn white); without the original digits the row holds the steps only.

    Args:
        frame: a :class:`~dlhelpers.widgets.latent_state.LatentFrame`.

    Returns:
        (H, total width) float64.
    """
    strip = frame.strip                                                    # (n, H, W)
    n, h, w = strip.shape
    thin = np.full((h, 2), np.nan)
    parts = []
    for k in range(n):
        parts += [strip[k], thin] if k < n - 1 else [strip[k]]
    row = np.concatenate(parts, axis=1)
    if frame.endpoint_images is not None:
        wide = np.full((h, max(4, w // 2)), np.nan)
        row = np.concatenate([frame.endpoint_images[0], wide, row, wide, frame.endpoint_images[1]], axis=1)
    return row


def _step_box(frame):
    """(x0, width) of the current step's tile in :func:`strip_image`'s columns."""
    n, h, w = frame.strip.shape
    offset = (w + max(4, w // 2)) if frame.endpoint_images is not None else 0
    return offset + frame.step * (w + 2), w


def _layout_key(frame, scale):
    return (round(float(scale), 3), frame.data_key, frame.strip.shape, frame.endpoint_images is not None,
            tuple(round(v, 9) for v in frame.value_range), tuple(round(b, 9) for b in frame.bounds))


class _Picture:
    """One layout: the figure, its unchanging part (scatter, axes, legend) and the moving artists."""

    def __init__(self, frame, key, animated=True):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D
        from matplotlib.patches import Rectangle

        scale = key[0]
        fs = 9
        fig = Figure(figsize=(8.0, 5.0), dpi=72 * scale)
        self.canvas = FigureCanvasAgg(fig)
        self.fig = fig
        ax = fig.add_axes((0.07, 0.36, 0.40, 0.55))
        ax_img = fig.add_axes((0.53, 0.36, 0.26, 0.55))
        ax_leg = fig.add_axes((0.82, 0.36, 0.17, 0.55))
        ax_strip = fig.add_axes((0.01, 0.02, 0.98, 0.21))
        x0, x1, y0, y1 = frame.bounds
        codes, labels = frame.codes, frame.labels
        shown = np.unique(np.linspace(0, len(codes) - 1, min(len(codes), MAX_SCATTER)).astype(int))
        ax_leg.axis("off")
        if labels is not None:
            from matplotlib import colormaps
            cmap = colormaps["tab10"]
            colours = cmap(labels[shown] % 10)
            ax.scatter(codes[shown, 0], codes[shown, 1], s=5, c=colours, alpha=0.55, lw=0, rasterized=True)
            classes = np.unique(labels)
            if len(classes) <= 12:
                handles = [Line2D([], [], ls="", marker="o", ms=6, color=cmap(c % 10), label=str(c)) for c in classes]
                ax_leg.legend(handles=handles, loc="center left", fontsize=fs, title="class", title_fontsize=fs,
                              frameon=False, ncols=2 if len(classes) > 6 else 1)
        else:
            ax.scatter(codes[shown, 0], codes[shown, 1], s=5, c="#4c72b0", alpha=0.5, lw=0, rasterized=True)
        what = f"codes of {len(codes):,} digits" + (", colour = class" if labels is not None else "")
        if frame.outside:
            what += f"\n({frame.outside} outside the view)"
        ax.set_title(what, fontsize=fs)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_xlabel("z1", fontsize=fs)
        ax.set_ylabel("z2", fontsize=fs)
        ax.tick_params(labelsize=fs * 0.85)
        ax.grid(alpha=0.25)
        (self.line,) = ax.plot([], [], ls="--", lw=1.0, color=_LINE, marker="o", ms=3, zorder=3)
        (self.ends,) = ax.plot([], [], ls="", marker="s", ms=6, mfc="white", mec=_LINE, mew=1.2, zorder=4)
        (self.point,) = ax.plot([], [], ls="", marker="X", ms=12, color=_POINT, mec="white", mew=1.2, zorder=5)
        lo, hi = frame.value_range
        self.image = ax_img.imshow(np.zeros(frame.image.shape), cmap=_CMAP, vmin=lo, vmax=hi, interpolation="nearest")
        ax_img.set_xticks([])
        ax_img.set_yticks([])
        self.image_title = ax_img.set_title("", fontsize=fs)
        row = strip_image(frame)
        cmap_strip = _strip_cmap()
        self.strip = ax_strip.imshow(np.zeros_like(row), cmap=cmap_strip, vmin=lo, vmax=hi, interpolation="nearest",
                                     aspect="equal")
        ax_strip.axis("off")
        n, h, w = frame.strip.shape
        self.box = Rectangle((-0.5, -0.5), w, h, fill=False, ec=_POINT, lw=2.0)
        ax_strip.add_patch(self.box)
        self.strip_title = fig.text(0.5, 0.245, "", ha="center", va="bottom", fontsize=fs)
        self.moving = [(ax, self.line), (ax, self.ends), (ax, self.point), (ax_img, self.image),
                       (ax_img, self.image_title), (ax_strip, self.strip), (ax_strip, self.box),
                       (None, self.strip_title)]
        self.spines = [(ax, s) for s in ax.spines.values()] + [(ax_img, s) for s in ax_img.spines.values()]
        self.background = None
        if animated:
            for _, artist in self.moving + self.spines:
                artist.set_animated(True)
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(fig.bbox)

    def update(self, frame):
        """Put the frame's numbers into the moving artists."""
        self.line.set_data(frame.line[:, 0], frame.line[:, 1])
        self.ends.set_data(frame.line[[0, -1], 0], frame.line[[0, -1], 1])
        self.point.set_data([frame.z[0]], [frame.z[1]])
        self.image.set_data(frame.image)
        where = f"step {frame.step} of the line" if frame.mode == "line" else "the point"
        self.image_title.set_text(f"decoded at {where}\n{_z_text(frame.z)}")
        self.strip.set_data(strip_image(frame))
        x, w = _step_box(frame)
        self.box.set_x(x - 0.5)
        self.box.set_visible(frame.mode == "line")
        a, b = frame.endpoints
        labs = frame.endpoint_labels
        ends = "the two digits at the ends, " if frame.endpoint_images is not None else ""
        self.strip_title.set_text(f"straight line from digit {_digit(a, labs, 0)} to digit {_digit(b, labs, 1)}, "
                                  f"decoded in {len(frame.strip)} steps ({ends}t = 0 … 1)")

    def png(self, frame) -> bytes:
        """The frame drawn on the saved unchanging part, as PNG bytes."""
        self.update(frame)
        self.canvas.restore_region(self.background)
        for ax, artist in self.moving + self.spines:
            if ax is None:
                self.fig.draw_artist(artist)
            else:
                ax.draw_artist(artist)
        return canvas_png(self.canvas)


def _strip_cmap():
    from matplotlib import colormaps
    return colormaps[_CMAP].with_extremes(bad="white")


_PICTURES: OrderedDict = OrderedDict()
_KEEP = 4


def latent_figure(frame, scale: float = 1.0):
    """The explorer's main picture of one frame as an ordinary matplotlib Figure (for a notebook or a file).

    Args:
        frame: a :class:`~dlhelpers.widgets.latent_state.LatentFrame`.
        scale: size scale (presenter mode uses 1.6): the figure's dpi is 72 × scale.

    Returns:
        a matplotlib ``Figure`` (not registered with pyplot: nothing to close).
    """
    picture = _Picture(frame, _layout_key(frame, scale), animated=False)
    picture.update(frame)
    return picture.fig


def latent_frame_png(frame, scale: float = 1.0) -> bytes:
    """The main picture as PNG bytes; the unchanging part is drawn once per data set, layout and scale.

    Args:
        frame: a :class:`~dlhelpers.widgets.latent_state.LatentFrame`; scale: size scale (dpi 72 × scale).

    Returns:
        PNG bytes (the same bytes for the same frame and scale, whatever was drawn before).
    """
    key = _layout_key(frame, scale)
    picture = _PICTURES.get(key)
    if picture is None:
        picture = _Picture(frame, key)
        _PICTURES[key] = picture
        while len(_PICTURES) > _KEEP:
            _PICTURES.popitem(last=False)
    _PICTURES.move_to_end(key)
    return picture.png(frame)


def _grey(values, value_range) -> np.ndarray:
    """Pixel values → uint8 grey levels, dark ink on white (``gray_r`` over ``value_range``)."""
    lo, hi = value_range
    t = np.clip((np.asarray(values, dtype=np.float64) - lo) / (hi - lo), 0.0, 1.0)
    return np.round(255 * (1 - t)).astype(np.uint8)


def latent_grid_png(frame, scale: float = 1.0) -> bytes:
    """The manifold grid as PNG bytes: G × G decoded images, the current cell framed, the point as a red dot.

    Every cell is (H + 1) × (W + 1) pixels (a one-pixel light line right and below), times ``scale``, so a
    fraction of the picture's width or height maps to a cell without knowing its size.

    Args:
        frame: a :class:`~dlhelpers.widgets.latent_state.LatentFrame`; scale: size scale (presenter mode 1.6).

    Returns:
        PNG bytes.
    """
    from PIL import Image, ImageDraw

    g = frame.grid.shape[0]
    h, w = frame.grid.shape[2:]
    tiles = _grey(frame.grid, frame.value_range)                          # (G, G, H, W)
    canvas = np.full((g, h + 1, g, w + 1), 215, dtype=np.uint8)           # light lines between cells
    canvas[:, :h, :, :w] = tiles.transpose(0, 2, 1, 3)                    # (G, H, G, W)
    canvas = canvas.reshape(g * (h + 1), g * (w + 1))
    k = max(1, int(round(2 * scale))) if h <= 16 else 1                  # tiny images: blow them up
    img = Image.fromarray(canvas).convert("RGB")
    size = (round(img.width * scale * k), round(img.height * scale * k))
    img = img.resize(size, Image.NEAREST)
    draw = ImageDraw.Draw(img)
    cw, ch = img.width / g, img.height / g
    width = max(2, round(2 * scale))
    if frame.cell is not None:
        r, c = frame.cell
        draw.rectangle((c * cw, r * ch, (c + 1) * cw - 1, (r + 1) * ch - 1), outline=(214, 39, 40), width=width)
    x0, x1, y0, y1 = frame.bounds
    fx, fy = (frame.z[0] - x0) / (x1 - x0), (y1 - frame.z[1]) / (y1 - y0)
    if 0 <= fx <= 1 and 0 <= fy <= 1:
        px, py, rad = fx * img.width, fy * img.height, max(3, round(3 * scale))
        draw.ellipse((px - rad, py - rad, px + rad, py + rad), fill=(214, 39, 40), outline=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, format="png", compress_level=1)
    return buf.getvalue()


def _img(png: bytes, alt: str, width: int | None = None) -> str:
    data = base64.b64encode(png).decode("ascii")
    style = f' style="width:{width}px;max-width:100%"' if width else ""
    return f'<img alt="{html.escape(alt)}"{style} src="data:image/png;base64,{data}">'


def grid_caption_html(frame, scale: float = 1.0) -> str:
    """The line above the manifold grid: what it is and how to use it."""
    g = frame.grid.shape[0]
    x0, x1, y0, y1 = frame.bounds
    return (f'<div style="font-size:{round(13 * scale)}px;color:#444;max-width:{round(360 * scale)}px">'
            f"<b>Manifold</b>: decoded at the centres of a {g} × {g} grid, z1 from {_fmt(x0)} (left) to {_fmt(x1)} "
            f"(right), z2 from {_fmt(y0)} (bottom) to {_fmt(y1)} (top). <b>Click a cell</b> to move the point there."
            "</div>")


def latent_frame_html(frame, png: bytes | None = None, message: str = "", scale: float = 1.0) -> str:
    """The explorer's main frame as HTML: a status line (the point, the mode, the line) above the picture.

    Args:
        frame: a :class:`~dlhelpers.widgets.latent_state.LatentFrame`.
        png: the picture (None: drawn here with :func:`latent_frame_png`).
        message: a line in orange under the status (e.g. why a request was refused).
        scale: size scale (presenter mode): text and picture.

    Returns:
        HTML text (``<div class="dl-latent">``), no scripts.
    """
    if png is None:
        png = latent_frame_png(frame, scale)
    a, b = frame.endpoints
    labs = frame.endpoint_labels
    where = (f"step <b>{frame.step}</b> of {len(frame.strip) - 1} on the line from {_digit(a, labs, 0)} to "
             f"{_digit(b, labs, 1)}" if frame.mode == "line" else "moved with the sliders or the grid")
    status = f"<b>{html.escape(_z_text(frame.z))}</b> · {where}"
    model = (f'<div class="dl-latent-model" style="color:#555;font-size:{round(13 * scale)}px">'
             f"{html.escape(frame.description)}</div>" if frame.description else "")
    msg = f'<div style="color:#8a4b00">{html.escape(message)}</div>' if message else ""
    width = round(576 * scale)
    return (f'<div class="dl-latent" style="font-size:{round(15 * scale)}px;line-height:1.45;color:#222;'
            f'font-family:sans-serif;max-width:{width}px"><div class="dl-latent-status">{status}</div>{model}{msg}'
            + _img(png, "codes scattered by class with the current point, the image decoded there, and the "
                        "interpolation strip", width) + "</div>")


def latent_snapshot_html(body: str, grid_png: bytes, caption: str = "") -> str:
    """A saved notebook's static picture of the explorer: a caption, the manifold grid, then the main frame."""
    return ('<div style="border:1px solid #ccc;border-radius:6px;padding:8px;max-width:100%;overflow-x:auto">'
            '<div style="color:#555;font-size:13px;margin-bottom:6px">Latent-space explorer — a static picture of '
            "its first frame; run the notebook to move the point (sliders, a click on the grid) and to walk along "
            "the line between two digits.</div>"
            '<div style="display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start">'
            f"<div>{caption}{_img(grid_png, 'manifold grid of decoded images')}</div><div>{body}</div></div></div>")
