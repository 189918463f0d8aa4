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


def backprop_svg(example, highlight=(), values=None, width=560, height=300):
    """The 2-2-2 network of the course example with every weight labelled (w1..w8 and their values).

    ``highlight`` holds ids from :class:`dlhelpers.scratch.backprop_example.Step`: "x1", "h2", "y1", "E", "w5", ...
    ``values`` optionally maps node ids to numbers shown under the nodes (e.g. out_h1).
    """
    hl = set(highlight)
    values = values or {}
    X, H, Y, E = 70, 250, 430, 525
    nodes = {"x1": (X, 90), "x2": (X, 210), "h1": (H, 90), "h2": (H, 210), "y1": (Y, 90), "y2": (Y, 210)}
    # (weight name, from, to, label position along the line)
    edges = [("w1", "x1", "h1", 0.25), ("w2", "x2", "h1", 0.25), ("w3", "x1", "h2", 0.25), ("w4", "x2", "h2", 0.25),
             ("w5", "h1", "y1", 0.25), ("w6", "h2", "y1", 0.25), ("w7", "h1", "y2", 0.25), ("w8", "h2", "y2", 0.25)]
    wval = dict(zip([f"w{i}" for i in range(1, 9)], example.w))
    p = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
         f'font-family="sans-serif" font-size="12">']
    for name, a, b, frac in edges:
        (x0, y0), (x1, y1) = nodes[a], nodes[b]
        on = name in hl
        p.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="{_HL if on else "#999"}" '
                 f'stroke-width="{4 if on else 1.5}"/>')
        lx, ly = x0 + frac * (x1 - x0), y0 + frac * (y1 - y0) - 4
        p.append(f'<text x="{lx:.0f}" y="{ly:.0f}" fill="{_HL if on else "#333"}" '
                 f'font-weight="{"bold" if on else "normal"}">{name}={wval[name]:.4g}</text>')
    for yname in ("y1", "y2"):
        x0, y0 = nodes[yname]
        on = "E" in hl and yname in hl
        p.append(f'<line x1="{x0}" y1="{y0}" x2="{E}" y2="150" stroke="{_HL if on else "#bbb"}" stroke-dasharray="4 3"/>')
    for nid, (x, y) in nodes.items():
        on = nid in hl
        p.append(f'<circle cx="{x}" cy="{y}" r="22" fill="{_HL if on else _NODE}"/>'
                 f'<text x="{x}" y="{y + 4}" text-anchor="middle" fill="white" font-weight="bold">{nid}</text>')
        if nid in values:
            p.append(f'<text x="{x}" y="{y + 38}" text-anchor="middle">{values[nid]:.6f}</text>')
    on = "E" in hl
    p.append(f'<rect x="{E - 22}" y="128" width="44" height="44" rx="6" fill="{_HL if on else "#555"}"/>'
             f'<text x="{E}" y="155" text-anchor="middle" fill="white" font-weight="bold">E</text>')
    b1, b2 = example.b
    p.append(f'<text x="{H}" y="30" text-anchor="middle">hidden (σ), bias b1={b1:.4g}</text>')
    p.append(f'<text x="{Y}" y="30" text-anchor="middle">output (σ), bias b2={b2:.4g}</text>')
    p.append(f'<text x="{X}" y="30" text-anchor="middle">inputs</text>')
    p.append(f'<text x="{X}" y="{height - 15}" text-anchor="middle">x=({example.x[0]:.4g}, {example.x[1]:.4g})</text>')
    p.append(f'<text x="{E}" y="{height - 15}" text-anchor="end">targets t=({example.t[0]:.4g}, {example.t[1]:.4g})</text>')
    p.append("</svg>")
    return "".join(p)
