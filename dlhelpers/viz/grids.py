"""Small arrays as HTML tables with a highlighted window: what the steppers show."""
from __future__ import annotations

import html

import numpy as np

__all__ = ["grid_html", "format_number"]

_HL = "#ffd166"        # the current window
_WIN = "#e4572e"       # its border, and the winning cell of max pooling


def _shade(v, lo, hi):
    if not np.isfinite(v):
        return "#ffffff"
    t = 0.5 if hi == lo else (v - lo) / (hi - lo)
    g = int(255 - 120 * t)
    return f"rgb({g},{g},255)"


def format_number(v: float, digits: int = 3) -> str:
    """A short, readable form of one number for a grid cell or a sum.

    Whole numbers print without decimals (``4``, ``-25``), others with ``digits`` significant
    digits (``0.111``, ``19.5``); the minus sign is the typographic one (``−9``).

    Example:
        >>> format_number(4.0), format_number(1 / 9), format_number(-9.0)
        ('4', '0.111', '−9')
    """
    v = float(v)
    if not np.isfinite(v):
        return ""
    text = f"{v:.0f}" if v == round(v) and abs(v) < 1e9 else f"{v:.{digits}g}"
    return text.replace("-", "−")


def grid_html(a, highlight=None, title="", fmt=None, cell=34, shade=True, pad=None, show_values=True,
              mark=None, scale=1.0):
    """An HTML table of a 2-D array (inline styles only, so it also shows in a saved notebook).

    Args:
        a: the 2-D array; NaN shows as an empty cell (not computed yet, or padding of a pooled map).
        highlight: ((r0, r1), (c0, c1)) half-open ranges to mark (the current window), or None.
        title: caption above the table.
        fmt: a format string such as ``"{:.2f}"``; default :func:`format_number`.
        cell: the smallest cell size in pixels at ``scale`` 1 (cells grow to fit their number, so
            neighbouring values never run together).
        shade: colour cells by value (light → dark blue).
        pad: ((top, bottom), (left, right)) rows/columns drawn grey as zero padding.
        mark: (row, col) of one cell to ring in red (the winner of a max-pooling window).
        scale: 1 for a notebook, about 1.6 for a projector.

    Returns:
        The ``<table>`` as a string.
    """
    a = np.asarray(a, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"a must be 2-D for grid_html; got shape {a.shape}. Pass one channel, e.g. x[:, :, 0].")
    finite = a[np.isfinite(a)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    (t, b), (l, r) = pad if pad else ((0, 0), (0, 0))
    size, font = round(cell * scale), round(15 * scale)
    show = (lambda v: fmt.format(v)) if fmt else format_number
    (r0, r1), (c0, c1) = highlight if highlight is not None else ((0, 0), (0, 0))
    rows = []
    for i in range(a.shape[0]):
        tds = []
        for j in range(a.shape[1]):
            v = a[i, j]
            in_pad = i < t or i >= a.shape[0] - b or j < l or j >= a.shape[1] - r
            inside = r0 <= i < r1 and c0 <= j < c1
            bg = _HL if inside else ("#eeeeee" if in_pad else (_shade(v, lo, hi) if shade else "#ffffff"))
            border = f"2px solid {_WIN}" if inside else "1px solid #bbb"
            text = html.escape(show(v)) if show_values and np.isfinite(v) else ""
            if mark is not None and (i, j) == tuple(mark):
                text = (f'<span style="display:inline-block;padding:0 3px;border:{max(2, round(2 * scale))}px solid '
                        f'{_WIN};border-radius:50%;font-weight:bold;color:{_WIN}">{text}</span>')
            tds.append(f'<td style="min-width:{size}px;height:{size}px;text-align:center;border:{border};'
                       f'background:{bg};padding:0 3px">{text}</td>')
        rows.append("<tr>" + "".join(tds) + "</tr>")
    cap = (f'<caption style="caption-side:top;font-weight:bold;white-space:nowrap">{html.escape(title)}</caption>'
           if title else "")
    return (f'<table style="border-collapse:collapse;margin:{round(4 * scale)}px {round(8 * scale)}px;'
            f'font-size:{font}px;color:#222">{cap}{"".join(rows)}</table>')
