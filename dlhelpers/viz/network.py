"""Network diagrams as SVG text (cheap, crisp, and shown by a notebook or an HTML widget)."""
from __future__ import annotations

import html

import numpy as np

__all__ = ["network_svg", "backprop_svg"]

_HL = "#e4572e"      # highlight colour
_NODE = "#4c72b0"


def network_svg(layer_sizes, weights=None, layer_names=None, width=520, height=260, highlight=()):
    """A layered diagram: circles per unit, lines per weight, line width ∝ |weight|, colour by sign.

    Args:
        layer_sizes: e.g. (2, 3, 1).
        weights: optional list of kernels, ``weights[l]`` of shape (layer_sizes[l], layer_sizes[l+1]).
        highlight: ids to colour, "L{l}N{i}" for a node or "L{l}N{i}-N{j}" for an edge.
    """
    sizes = [int(s) for s in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"layer_sizes must list at least two positive sizes for network_svg; got {layer_sizes}.")
    if weights is not None:
        for l, w in enumerate(weights):
            if np.shape(w) != (sizes[l], sizes[l + 1]):
                raise ValueError(f"weights[{l}] must have shape {(sizes[l], sizes[l + 1])} for network_svg; "
                                 f"got {np.shape(w)}.")
    hl = set(highlight)
    xs = np.linspace(60, width - 60, len(sizes))
    pos = [[(x, (i + 1) * height / (n + 1)) for i in range(n)] for x, n in zip(xs, sizes)]
    wmax = max((np.abs(w).max() for w in weights), default=1.0) if weights is not None else 1.0
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">']
    for l in range(len(sizes) - 1):
        for i, (x0, y0) in enumerate(pos[l]):
            for j, (x1, y1) in enumerate(pos[l + 1]):
                eid = f"L{l}N{i}-N{j}"
                w = None if weights is None else float(weights[l][i, j])
                colour = _HL if eid in hl else ("#888" if w is None else ("#2a9d8f" if w >= 0 else "#c0392b"))
                lw = 1.2 if w is None else 0.5 + 3.5 * abs(w) / (wmax or 1.0)
                parts.append(f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" '
                             f'stroke="{colour}" stroke-width="{lw + (2 if eid in hl else 0):.2f}"/>')
    for l, layer in enumerate(pos):
        for i, (x, y) in enumerate(layer):
            nid = f"L{l}N{i}"
            fill = _HL if nid in hl else _NODE
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="13" fill="{fill}"/>')
        if layer_names:
            parts.append(f'<text x="{xs[l]:.1f}" y="{height - 6}" text-anchor="middle">'
                         f'{html.escape(str(layer_names[l]))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def backprop_svg(example, highlight=(), values=None, gradients=None, error=None, width=680, height=320, scale=1.0):
    """The 2-2-2 network of the course example with every weight labelled (w1..w8 and their values).

    Args:
        example: a :class:`dlhelpers.scratch.backprop_example.BackpropExample`.
        highlight: ids from :class:`dlhelpers.scratch.backprop_example.Step`: "x1", "h2", "y1", "E", "w5", ...
        values: optional map node id → number shown under the node (e.g. out_h1 under "h1").
        gradients: optional map weight name → ∂E/∂w, shown in red under the weight's label once known.
        error: E_total, shown under the E box once known (None: not computed yet).
        width, height: the drawing's size at ``scale`` 1; ``scale`` enlarges everything (presenter mode).

    Returns:
        SVG text. Labels are drawn after the lines, on a white halo, so a highlighted edge never
        covers its own label.
    """
    hl = set(highlight)
    values = values or {}
    gradients = gradients or {}
    X, H, Y, E = 60, 290, 520, 625
    nodes = {"x1": (X, 100), "x2": (X, 225), "h1": (H, 100), "h2": (H, 225), "y1": (Y, 100), "y2": (Y, 225)}
    # (weight name, from, to, where its label sits along the line, where its gradient sits, gradient's offset):
    # gradients of the straight edges go under the line, those of the crossing edges past the crossing
    edges = [("w1", "x1", "h1", 0.3, 0.6, 16), ("w2", "x2", "h1", 0.22, 0.58, -6), ("w3", "x1", "h2", 0.22, 0.58, -6),
             ("w4", "x2", "h2", 0.3, 0.6, 16), ("w5", "h1", "y1", 0.3, 0.6, 16), ("w6", "h2", "y1", 0.22, 0.58, -6),
             ("w7", "h1", "y2", 0.22, 0.58, -6), ("w8", "h2", "y2", 0.3, 0.6, 16)]
    wval = dict(zip([f"w{i}" for i in range(1, 9)], example.w))
    halo = 'paint-order="stroke" stroke="white" stroke-width="4" stroke-linejoin="round"'
    p = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * scale:.0f}" height="{height * scale:.0f}" '
         f'viewBox="0 0 {width} {height}" style="max-width:100%;height:auto" '   # shrinks to fit, never clipped
         f'font-family="sans-serif" font-size="13">']
    labels = []
    for name, a, b, frac, gfrac, gdy in sorted(edges, key=lambda e: e[0] in hl):      # highlighted edges on top
        (x0, y0), (x1, y1) = nodes[a], nodes[b]
        on = name in hl
        p.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="{_HL if on else "#aaa"}" '
                 f'stroke-width="{4 if on else 1.5}"/>')
        lx, ly = x0 + frac * (x1 - x0), y0 + frac * (y1 - y0) - 6
        labels.append(f'<text x="{lx:.0f}" y="{ly:.0f}" text-anchor="middle" fill="{_HL if on else "#333"}" '
                      f'font-weight="{"bold" if on else "normal"}" {halo}>{name}={wval[name]:.4g}</text>')
        if name in gradients:
            g = f"{gradients[name]:.3g}".replace("-", "−")
            gx, gy = x0 + gfrac * (x1 - x0), y0 + gfrac * (y1 - y0) + gdy
            labels.append(f'<text x="{gx:.0f}" y="{gy:.0f}" text-anchor="middle" fill="#b00020" font-size="12" '
                          f'{halo}>∂E/∂{name}={g}</text>')
    for yname in ("y1", "y2"):
        x0, y0 = nodes[yname]
        on = "E" in hl and yname in hl
        p.append(f'<line x1="{x0}" y1="{y0}" x2="{E}" y2="162" stroke="{_HL if on else "#bbb"}" stroke-dasharray="4 3"/>')
    p.extend(labels)
    for nid, (x, y) in nodes.items():
        on = nid in hl
        p.append(f'<circle cx="{x}" cy="{y}" r="22" fill="{_HL if on else _NODE}"/>'
                 f'<text x="{x}" y="{y + 5}" text-anchor="middle" fill="white" font-weight="bold">{nid}</text>')
        if nid in values:
            p.append(f'<text x="{x}" y="{y + 40}" text-anchor="middle" {halo}>{values[nid]:.6f}</text>')
    on = "E" in hl
    p.append(f'<rect x="{E - 22}" y="140" width="44" height="44" rx="6" fill="{_HL if on else "#555"}"/>'
             f'<text x="{E}" y="167" text-anchor="middle" fill="white" font-weight="bold">E</text>')
    if error is not None:
        p.append(f'<text x="{E}" y="202" text-anchor="middle" font-weight="bold">{error:.6f}</text>')
    b1, b2 = example.b
    p.append(f'<text x="{H}" y="30" text-anchor="middle">hidden (σ), bias b1={b1:.4g}</text>')
    p.append(f'<text x="{Y}" y="30" text-anchor="middle">output (σ), bias b2={b2:.4g}</text>')
    p.append(f'<text x="{X}" y="30" text-anchor="middle">inputs</text>')
    p.append(f'<text x="{X}" y="{height - 15}" text-anchor="middle">x=({example.x[0]:.4g}, {example.x[1]:.4g})</text>')
    p.append(f'<text x="{width - 8}" y="{height - 15}" text-anchor="end">targets t=({example.t[0]:.4g}, '
             f'{example.t[1]:.4g})</text>')
    p.append("</svg>")
    return "".join(p)
