"""What the bottleneck/denoising explorer shows: pure functions from a
:class:`~dlhelpers.widgets.denoise_state.DenoiseFrame` to HTML (inline styles, no scripts) or a matplotlib Figure.

The HTML (:func:`denoise_frame_html`, what the widget shows) has three parts:

* one line: the models, the noise level and the bottleneck size, and the mean scores of the noisy input and of
  the reconstruction over the digits shown;
* a small table: every bottleneck size's mean PSNR and SSIM at the current noise level, the current size
  highlighted, the noisy input's as the first column (what a reconstruction must beat);
* the digits in three rows (clean, noisy, reconstruction), each noisy and reconstructed digit with its own PSNR
  and SSIM under it.

The digits are small PNGs made with Pillow (no matplotlib), so a move costs milliseconds once the numbers are
cached. :func:`denoise_figure` draws the same frame as a matplotlib Figure for a notebook or a file.
"""
from __future__ import annotations

import base64
import html
import io
import math

import numpy as np

__all__ = ["denoise_frame_html", "denoise_figure", "denoise_snapshot_html", "format_psnr", "noise_text"]

_GOOD, _BAD, _HIGHLIGHT = "#1b7837", "#b2182b", "#fff3c4"


def format_psnr(value: float) -> str:
    """A PSNR in dB for people: one decimal, "∞" for an exact copy."""
    return "∞" if math.isinf(value) and value > 0 else f"{value:.1f}".replace("-", "−")


def noise_text(sigma: float, amount: float) -> str:
    """The noise level in words, e.g. "Gaussian σ = 0.2 + salt-and-pepper 5 %" or "no noise"."""
    parts = []
    if sigma:
        parts.append(f"Gaussian σ = {sigma:g}")
    if amount:
        parts.append(f"salt-and-pepper {100 * amount:g} %")
    return " + ".join(parts) if parts else "no noise"


def _tile(image, value_range, zoom) -> str:
    """One digit as an inline PNG (dark ink on white, clipped to ``value_range``), ``zoom`` × its pixels."""
    from PIL import Image

    lo, hi = value_range
    t = np.clip((np.asarray(image, dtype=np.float64) - lo) / (hi - lo), 0.0, 1.0)
    grey = np.round(255 * (1 - t)).astype(np.uint8)
    img = Image.fromarray(grey)
    img = img.resize((img.width * zoom, img.height * zoom), Image.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="png", compress_level=1)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="digit" style="display:block;image-rendering:pixelated" src="data:image/png;base64,{data}">'


def _better(value, reference) -> str:
    return _GOOD if value > reference else _BAD


def _score_cell(p, s, ref_p, ref_s, fs) -> str:
    if ref_p is None:
        return f'<div style="font-size:{fs}px;color:#333">{format_psnr(p)} dB<br>SSIM {s:.2f}</div>'
    return (f'<div style="font-size:{fs}px"><span style="color:{_better(p, ref_p)}">{format_psnr(p)} dB</span><br>'
            f'<span style="color:{_better(s, ref_s)}">SSIM {s:.2f}</span></div>')


def denoise_frame_html(frame, message: str = "", scale: float = 1.0) -> str:
    """The explorer's frame as HTML: the scores line, the table by bottleneck size, the three rows of digits.

    Scores of a reconstruction are green where they beat the noisy input's, red where they do not.

    Args:
        frame: a :class:`~dlhelpers.widgets.denoise_state.DenoiseFrame`.
        message: a line in orange (e.g. why a request was refused).
        scale: size scale (presenter mode 1.6): text and digits.

    Returns:
        HTML text (``<div class="dl-denoise">``), no scripts.
    """
    fs, small = round(15 * scale), round(12 * scale)
    zoom = max(1, round(2 * scale * 28 / max(frame.clean.shape[1:])))
    np_mean, ns_mean = float(np.mean(frame.noisy_psnr)), float(np.mean(frame.noisy_ssim))
    p_mean, s_mean = float(np.mean(frame.psnr)), float(np.mean(frame.ssim))
    n = len(frame.clean)
    status = (f"<b>{html.escape(frame.label)}</b> · noise: <b>{html.escape(noise_text(frame.sigma, frame.amount))}</b>"
              f" · mean over {n} digits: noisy input {format_psnr(np_mean)} dB, SSIM {ns_mean:.3f} → "
              f'reconstruction <b style="color:{_better(p_mean, np_mean)}">{format_psnr(p_mean)} dB</b>, '
              f'<b style="color:{_better(s_mean, ns_mean)}">SSIM {s_mean:.3f}</b>')
    desc = (f'<div style="color:#555;font-size:{round(13 * scale)}px">{html.escape(frame.description)}</div>'
            if frame.description else "")
    msg = f'<div style="color:#8a4b00">{html.escape(message)}</div>' if message else ""
    cell = f"padding:{round(2 * scale)}px {round(6 * scale)}px;text-align:center;border:1px solid #ddd"
    head = [f'<th style="{cell};text-align:left">bottleneck k</th>', f'<th style="{cell};color:#555">noisy input</th>']
    psnr_row = [f'<td style="{cell};text-align:left">mean PSNR (dB)</td>',
                f'<td style="{cell};color:#555">{format_psnr(np_mean)}</td>']
    ssim_row = [f'<td style="{cell};text-align:left">mean SSIM</td>',
                f'<td style="{cell};color:#555">{ns_mean:.3f}</td>']
    for k, p, s in frame.by_size:
        mark = f";background:{_HIGHLIGHT};font-weight:bold" if k == frame.size else ""
        head.append(f'<th style="{cell}{mark}">{k}</th>')
        psnr_row.append(f'<td style="{cell}{mark};color:{_better(p, np_mean)}">{format_psnr(p)}</td>')
        ssim_row.append(f'<td style="{cell}{mark};color:{_better(s, ns_mean)}">{s:.3f}</td>')
    table = (f'<table style="border-collapse:collapse;font-size:{small}px;margin:{round(6 * scale)}px 0">'
             f'<tr>{"".join(head)}</tr><tr>{"".join(psnr_row)}</tr><tr>{"".join(ssim_row)}</tr></table>')
    rows = []
    pad = f"padding:{round(2 * scale)}px {round(3 * scale)}px;vertical-align:top"
    for name, images, scores in (("clean", frame.clean, None),
                                 ("noisy input", frame.noisy, (frame.noisy_psnr, frame.noisy_ssim, None, None)),
                                 (f"reconstruction ({frame.label})", frame.reconstruction,
                                  (frame.psnr, frame.ssim, frame.noisy_psnr, frame.noisy_ssim))):
        cells = [f'<td style="{pad};font-size:{small}px;text-align:right;max-width:{round(90 * scale)}px">'
                 f"{html.escape(name)}</td>"]
        for i, img in enumerate(images):
            under = ""
            if scores is not None:
                p, s, rp, rs = scores
                under = _score_cell(p[i], s[i], None if rp is None else rp[i], None if rs is None else rs[i],
                                    round(11 * scale))
            cells.append(f'<td style="{pad};text-align:center">{_tile(img, frame.value_range, zoom)}{under}</td>')
        rows.append(f'<tr>{"".join(cells)}</tr>')
    digits = f'<table style="border-collapse:collapse">{"".join(rows)}</table>'
    return (f'<div class="dl-denoise" style="font-size:{fs}px;line-height:1.4;color:#222;font-family:sans-serif">'
            f'<div class="dl-denoise-status">{status}</div>{desc}{msg}{table}{digits}</div>')


def denoise_figure(frame, scale: float = 1.0):
    """The frame as a matplotlib Figure: the three rows of digits (scores in the titles) and mean PSNR by size.

    Args:
        frame: a :class:`~dlhelpers.widgets.denoise_state.DenoiseFrame`; scale: size scale (dpi 72 × scale).

    Returns:
        a matplotlib ``Figure`` (not registered with pyplot: nothing to close).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    n = len(frame.clean)
    fig = Figure(figsize=(1.0 * n + 3.6, 4.2), dpi=72 * scale)
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(3, n + 1, width_ratios=[1] * n + [3.2], wspace=0.15, hspace=0.55)
    lo, hi = frame.value_range
    for r, (name, images) in enumerate((("clean", frame.clean), ("noisy", frame.noisy),
                                        (frame.label, frame.reconstruction))):
        for i in range(n):
            ax = fig.add_subplot(grid[r, i])
            ax.imshow(images[i], cmap="gray_r", vmin=lo, vmax=hi, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 1:
                ax.set_title(f"{format_psnr(frame.noisy_psnr[i])} dB\n{frame.noisy_ssim[i]:.2f}", fontsize=7)
            elif r == 2:
                ax.set_title(f"{format_psnr(frame.psnr[i])} dB\n{frame.ssim[i]:.2f}", fontsize=7)
            if i == 0:
                ax.set_ylabel(name, fontsize=8)
    ax = fig.add_subplot(grid[:, n])
    ks = [k for k, _, _ in frame.by_size]
    ps = [p for _, p, _ in frame.by_size]
    ax.plot(ks, ps, marker="o", color="#4c72b0", label="reconstruction")
    noisy = float(np.mean(frame.noisy_psnr))
    if math.isfinite(noisy):
        ax.axhline(noisy, color="#888", ls="--", lw=1, label="noisy input")
    ax.plot([frame.size], [float(np.mean(frame.psnr))], marker="o", ms=10, mfc="none", mec="#d62728", mew=2)
    if len(ks) > 1 and min(ks) > 0 and max(ks) / min(ks) > 8:
        ax.set_xscale("log", base=2)
    ax.set_xlabel("bottleneck size k", fontsize=8)
    ax.set_ylabel("mean PSNR (dB)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    ax.set_title(noise_text(frame.sigma, frame.amount), fontsize=8)
    return fig


def denoise_snapshot_html(body: str) -> str:
    """A saved notebook's static picture of the explorer: a caption, then the frame."""
    return ('<div style="border:1px solid #ccc;border-radius:6px;padding:8px;max-width:100%;overflow-x:auto">'
            '<div style="color:#555;font-size:13px;margin-bottom:6px">Bottleneck/denoising explorer — a static '
            "picture of its first frame; run the notebook to change the bottleneck size and the noise level.</div>"
            f"{body}</div>")
