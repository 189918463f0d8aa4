"""Small arrays as HTML tables with a highlighted window: what the steppers show."""
from __future__ import annotations

import html

import numpy as np

__all__ = ["grid_html"]

_HL = "#ffd166"


def _shade(v, lo, hi):
    if not np.isfinite(v):
        return "#ffffff"
    t = 0.5 if hi == lo else (v - lo) / (hi - lo)
    g = int(255 - 120 * t)
    return f"rgb({g},{g},255)"


def grid_html(a, highlight=None, title="", fmt="{:.3g}", cell=26, shade=True, pad=None, show_values=True):
    """An HTML table of a 2-D array.

    Args:
        highlight: ((r0, r1), (c0, c1)) half-open ranges to mark (the current window), or None.
        pad: ((top, bottom), (left, right)) rows/columns drawn hatched as zero padding.
        fmt: number format; NaN shows as an empty cell (not computed yet).
    """
    a = np.asarray(a, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"a must be 2-D for grid_html; got shape {a.shape}. Pass one channel, e.g. x[:, :, 0].")
    finite = a[np.isfinite(a)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    (t, b), (l, r) = pad if pad else ((0, 0), (0, 0))
    rows = []
    for i in range(a.shape[0]):
        tds = []
        for j in range(a.shape[1]):
            v = a[i, j]
            in_pad = i < t or i >= a.shape[0] - b or j < l or j >= a.shape[1] - r
            inside = highlight is not None and highlight[0][0] <= i < highlight[0][1] and highlight[1][0] <= j < highlight[1][1]
            bg = _HL if inside else ("#eeeeee" if in_pad else (_shade(v, lo, hi) if shade else "#ffffff"))
            border = "2px solid #e4572e" if inside else "1px solid #ccc"
            text = "" if not np.isfinite(v) or not show_values else html.escape(fmt.format(v))
            tds.append(f'<td style="width:{cell}px;height:{cell}px;text-align:center;border:{border};'
                       f'background:{bg};font-size:11px;padding:0">{text}</td>')
        rows.append("<tr>" + "".join(tds) + "</tr>")
    cap = f'<caption style="caption-side:top;font-weight:bold">{html.escape(title)}</caption>' if title else ""
    return f'<table style="border-collapse:collapse;margin:4px">{cap}{"".join(rows)}</table>'
