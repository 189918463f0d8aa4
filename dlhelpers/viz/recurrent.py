"""What the recurrent (LSTM / GRU / SimpleRNN) gate stepper shows: pure functions from numbers to HTML and SVG.

No ipywidgets and no scripts: inline styles only, so the same strings serve the live widget and
the static picture in a saved notebook. The numbers come from
:class:`dlhelpers.widgets.lstm_state.LSTMStepperState`; ``scale`` enlarges everything for a projector.

Colour bars: gates (f, i, o, z, r) live in [0, 1]; candidates, cell states and outputs (g, h̃, c, h)
in [−1, 1] (values outside are clipped for the colour, never for the number).
"""
from __future__ import annotations

import html

import numpy as np

from .grids import format_number
from .steppers import _box, step_header_html

__all__ = ["recurrent_frame_html", "recurrent_backward_html", "cell_diagram_svg", "values_table_html",
           "history_svg", "gradient_chart_svg", "PART_NAMES"]

#: what each part of a step is called on screen
PART_NAMES = {
    "inputs": "inputs x_t and the states from step t−1",
    "f": "forget gate f", "i": "input gate i", "g": "candidate g", "c": "cell state c_t", "o": "output gate o",
    "h": "output h_t", "z": "update gate z", "r": "reset gate r", "hh": "candidate h̃", "a": "pre-activation a",
}
_SYMBOL = {"x": "x_t", "h_prev": "h_{t−1}", "c_prev": "c_{t−1}", "f": "f", "i": "i", "g": "g", "c": "c_t",
           "o": "o", "h": "h_t", "z": "z", "r": "r", "hh": "h̃", "a": "a"}
_GATES = ("f", "i", "o", "z", "r")                 # values in [0, 1]
_UNIT_COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c")
_HL, _HL_EDGE, _DONE, _TODO = "#ffd166", "#e4572e", "#dbe8f6", "#f6f6f6"
_MAX_UNITS_IN_TEXT = 4


def _num(v, digits=3) -> str:
    """A number for the text: 3 significant digits, tiny values in e-notation (never a bare 0 for 1e-5)."""
    v = float(v)
    if v == 0 or abs(v) >= 1e-3:
        return format_number(round(v, 6), digits)
    return f"{v:.1e}".replace("-", "−")


def _vec(a, digits=3) -> str:
    a = np.ravel(a)
    shown = ", ".join(_num(v, digits) for v in a[:_MAX_UNITS_IN_TEXT])
    return f"[{shown}{', …' if a.size > _MAX_UNITS_IN_TEXT else ''}]"


def _bar(v, lo, hi, scale) -> str:
    """A small horizontal bar for one value: the filled part shows where v sits in [lo, hi] (clipped)."""
    w, h = round(60 * scale), round(10 * scale)
    t = (min(max(float(v), lo), hi) - lo) / (hi - lo)
    if lo < 0:                                     # signed: fill from the middle, blue up, red down
        mid = w / 2
        x0, x1 = sorted((mid, t * w))
        colour = "#4c72b0" if v >= 0 else "#c44e52"
    else:
        x0, x1, colour = 0, t * w, "#2a7d2a"
    return (f'<span style="display:inline-block;position:relative;width:{w}px;height:{h}px;background:#eee;'
            f'border:1px solid #bbb;vertical-align:middle;margin-left:4px">'
            f'<span style="position:absolute;left:{x0:.1f}px;width:{max(x1 - x0, 1):.1f}px;top:0;height:{h}px;'
            f'background:{colour}"></span></span>')


def values_table_html(shown: dict, current: str, scale: float = 1.0) -> str:
    """Every value known at this step, one row per quantity, one number and colour bar per unit.

    Args:
        shown: name → (U,) array (or (D,) for "x"), in computing order (pre-activations ``a_*`` are skipped).
        current: the part computed in this step (its row is highlighted).
    """
    rows = []
    for name, v in shown.items():
        if name not in _SYMBOL:
            continue
        lo, hi = (0.0, 1.0) if name in _GATES else (-1.0, 1.0)
        cells = "".join(f'<td style="padding:1px 6px;white-space:nowrap;font-family:monospace">{_num(u)}'
                        f'{_bar(u, lo, hi, scale) if name != "x" else ""}</td>' for u in np.ravel(v)[:8])
        more = "<td>…</td>" if np.size(v) > 8 else ""
        bg = f"background:{_HL}" if name == current else ""
        rows.append(f'<tr style="{bg}"><th style="text-align:left;padding:1px 6px">{html.escape(_SYMBOL[name])}</th>'
                    f"{cells}{more}</tr>")
    if not rows:
        return ""
    return f'<table class="dl-values" style="border-collapse:collapse;margin:4px 0">{"".join(rows)}</table>'


# --- the cell diagram ---------------------------------------------------------------------------------

# node: (x, y, label, part that computes it); edge: (from, to) straight, or (from, to, dx) drawn along the
# input bus: across at the source's height, then up into the target (dx shifts the upward leg)
_LAYOUT = {
    "LSTM": ({"c_prev": (45, 30, "c_{t−1}", "inputs"), "h_prev": (45, 170, "h_{t−1}", "inputs"),
              "x": (45, 210, "x_t", "inputs"), "mf": (150, 30, "⊗", "c"), "plus": (262, 30, "+", "c"),
              "mi": (262, 75, "⊗", "c"), "f": (150, 122, "f σ", "f"), "i": (225, 122, "i σ", "i"),
              "g": (300, 122, "g tanh", "g"), "o": (385, 122, "o σ", "o"), "c": (385, 30, "c_t", "c"),
              "tanh": (470, 75, "tanh", "h"), "mo": (470, 122, "⊗", "h"), "h": (540, 170, "h_t", "h")},
             [("c_prev", "mf"), ("mf", "plus"), ("plus", "c"), ("f", "mf"), ("i", "mi"), ("g", "mi"), ("mi", "plus"),
              ("h_prev", "f", -6), ("h_prev", "i", -6), ("h_prev", "g", -6), ("h_prev", "o", -6), ("x", "f", 6),
              ("x", "i", 6), ("x", "g", 6), ("x", "o", 6), ("c", "tanh"), ("tanh", "mo"), ("o", "mo"), ("mo", "h")]),
    "GRU": ({"h_prev": (45, 40, "h_{t−1}", "inputs"), "hp2": (45, 170, "h_{t−1}", "inputs"),
             "x": (45, 210, "x_t", "inputs"), "z": (170, 122, "z σ", "z"), "r": (260, 122, "r σ", "r"),
             "hh": (360, 122, "h̃ tanh", "hh"), "mz": (170, 40, "⊗", "h"), "m1z": (360, 75, "⊗ 1−z", "h"),
             "plus": (450, 40, "+", "h"), "h": (540, 40, "h_t", "h")},
            [("h_prev", "mz"), ("z", "mz"), ("mz", "plus"), ("hh", "m1z"), ("m1z", "plus"), ("plus", "h"),
             ("hp2", "z", -6), ("hp2", "r", -6), ("hp2", "hh", -6), ("r", "hh"), ("x", "z", 6), ("x", "r", 6),
             ("x", "hh", 6)]),
    "SimpleRNN": ({"h_prev": (60, 60, "h_{t−1}", "inputs"), "x": (60, 170, "x_t", "inputs"),
                   "a": (280, 115, "a = x_t·W + h_{t−1}·U + b", "a"), "h": (490, 115, "h_t = tanh(a)", "h")},
                  [("h_prev", "a"), ("x", "a"), ("a", "h")]),
}
_SMALL = ("⊗", "+", "tanh", "⊗ 1−z")


def _node_size(label):
    if label in ("⊗", "+"):
        return 30, 24
    if label in _SMALL:
        return 48, 24
    return max(62, 7 * len(label) + 16), 40


def _clip(x0, y0, x1, y1, half_w, half_h):
    """The point where the segment from (x0, y0) to the centre (x1, y1) enters the box around (x1, y1)."""
    dx, dy = x1 - x0, y1 - y0
    if dx == dy == 0:
        return x1, y1
    t = min(half_w / abs(dx) if dx else np.inf, half_h / abs(dy) if dy else np.inf)
    return x1 - t * dx, y1 - t * dy


def cell_diagram_svg(cell: str, parts: tuple, current: str | None, shown: dict, forced=None,
                     scale: float = 1.0) -> str:
    """The cell drawn as boxes and arrows; the part being computed is yellow, the parts already done blue.

    Args:
        cell: "LSTM", "GRU" or "SimpleRNN"; parts: the order of the step's parts.
        current: the part computed now (None: nothing yet).
        shown: name → (U,) values known so far (the first unit's value is written in its box).
        forced: (gate, value) when an LSTM gate is forced (its box gets a red dashed edge and "forced").
    """
    nodes, edges = _LAYOUT[cell]
    done = set(parts[:parts.index(current) + 1]) if current in parts else set()
    W, H = 590, 235
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{round(W * scale)}" height="{round(H * scale)}" '
           f'viewBox="0 0 {W} {H}" style="font-family:sans-serif;font-size:12px">',
           '<defs><marker id="dl-arr" markerWidth="8" markerHeight="8" refX="7" refY="3" orient="auto" '
           'markerUnits="userSpaceOnUse">'
           '<path d="M0,0 L7,3 L0,6 z" fill="#777"/></marker></defs>']
    for edge in edges:
        a, b = edge[:2]
        (x0, y0, *_), (x1, y1, label, part) = nodes[a], nodes[b]
        hot = part == current
        style = f'fill="none" stroke="{_HL_EDGE if hot else "#999"}" stroke-width="{2.5 if hot else 1.2}"'
        w, h = _node_size(label)
        if len(edge) == 3:                       # along the bus: across, then up into the box
            xe = x1 + edge[2]
            out.append(f'<polyline points="{x0 + _node_size(nodes[a][2])[0] / 2},{y0} {xe},{y0} {xe},{y1 + h / 2}" '
                       f'{style} marker-end="url(#dl-arr)"/>')
        else:
            xe, ye = _clip(x0, y0, x1, y1, w / 2, h / 2)
            out.append(f'<line x1="{x0}" y1="{y0}" x2="{xe:.1f}" y2="{ye:.1f}" {style} marker-end="url(#dl-arr)"/>')
    for name, (x, y, label, part) in nodes.items():
        small = label in _SMALL
        w, h = _node_size(label)
        fill = _HL if part == current else (_DONE if part in done else _TODO)
        edge = _HL_EDGE if part == current else "#777"
        dash = ""
        if forced is not None and name == forced[0]:
            edge, dash = "#b00020", ' stroke-dasharray="4 2"'
        out.append(f'<rect x="{x - w / 2}" y="{y - h / 2}" width="{w}" height="{h}" rx="6" fill="{fill}" '
                   f'stroke="{edge}" stroke-width="{2.5 if part == current else 1}"{dash}/>')
        value = shown.get("h_prev" if name == "hp2" else name)
        text_y = y - 4 if value is not None and not small else y + 4
        out.append(f'<text x="{x}" y="{text_y}" text-anchor="middle">{html.escape(label)}</text>')
        if value is not None and not small:
            v = np.ravel(value)[0]
            extra = " forced" if forced is not None and name == forced[0] else ""
            out.append(f'<text x="{x}" y="{y + 12}" text-anchor="middle" font-size="11" fill="#333">'
                       f'{f"{v:.2f}".replace("-", "−")}{"…" if np.size(value) > 1 else ""}{extra}</text>')
    out.append(f'<text x="{W - 4}" y="{H - 4}" text-anchor="end" font-size="10" fill="#777">numbers in the boxes: '
               "unit 0 (… more units in the table)</text>")
    out.append("</svg>")
    return "".join(out)


# --- charts ---------------------------------------------------------------------------------------------

def _axes(W, H, left, right, top, bottom, T, y_lo, y_hi, y_label, log=False):
    def px(t):
        return left + (W - left - right) * (t / max(T - 1, 1))

    def py(v):
        return top + (H - top - bottom) * (1 - (v - y_lo) / (y_hi - y_lo))
    ticks = [y_lo, (y_lo + y_hi) / 2, y_hi] if not log else list(range(int(np.floor(y_lo)), int(np.ceil(y_hi)) + 1))
    parts = [f'<line x1="{left}" y1="{py(y_lo)}" x2="{W - right}" y2="{py(y_lo)}" stroke="#999"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{py(y_lo)}" stroke="#999"/>']
    for v in ticks:
        lab = f"1e{v}" if log else format_number(v, 2)
        parts.append(f'<line x1="{left}" y1="{py(v):.1f}" x2="{W - right}" y2="{py(v):.1f}" stroke="#eee"/>'
                     f'<text x="{left - 4}" y="{py(v) + 4:.1f}" text-anchor="end" font-size="10">{lab}</text>')
    step = max(1, T // 10)
    for t in range(0, T, step):
        parts.append(f'<text x="{px(t):.1f}" y="{H - bottom + 13}" text-anchor="middle" font-size="10">{t}</text>')
    parts.append(f'<text x="{W - right}" y="{H - 3}" text-anchor="end" font-size="10">time step t</text>'
                 f'<text x="{left}" y="{top - 5}" font-size="10">{html.escape(y_label)}</text>')
    return px, py, parts


def _polyline(points, colour, dash=""):
    if len(points) == 1:
        (x, y), = points
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>'
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.8"{dash}/>'


def history_svg(states: dict, t_last: int, T: int, x=None, marker: int | None = None, scale: float = 1.0) -> str:
    """The states over time: c (solid) and h (dashed) for every unit, up to step ``t_last``; x_t in grey.

    Args:
        states: name ("c", "h") → (T, U); t_last: the last step drawn (−1: none yet).
        x: (T, D) the sequence (its feature mean drawn as grey dots), or None.
        marker: the time step being computed (a vertical line), or None.
    """
    W, H = 580, 170
    arrays = [np.asarray(a)[:max(t_last + 1, 0)] for a in states.values()]
    top = max([1.0, *[float(np.abs(a).max()) for a in arrays if a.size]])
    if x is not None:
        xm = np.asarray(x).mean(axis=1)
        top = max(top, float(np.abs(xm).max()))
    px, py, out = _axes(W, H, 38, 10, 16, 22, T, -top, top, "states c (solid), h (dashed); x_t grey")
    if x is not None:
        out += [f'<circle cx="{px(t):.1f}" cy="{py(v):.1f}" r="2" fill="#aaa"/>' for t, v in enumerate(xm)]
    if marker is not None and 0 <= marker < T:
        out.append(f'<line x1="{px(marker):.1f}" y1="16" x2="{px(marker):.1f}" y2="{H - 22}" stroke="{_HL_EDGE}" '
                   'stroke-dasharray="3 3"/>')
    for name, a in zip(states, arrays):
        dash = "" if name == "c" else ' stroke-dasharray="5 3"'
        for u in range(a.shape[1] if a.ndim == 2 and a.size else 0):
            colour = _UNIT_COLOURS[u % len(_UNIT_COLOURS)]
            out.append(_polyline([(px(t), py(v)) for t, v in enumerate(a[:, u])], colour, dash))
    units = next((np.asarray(a).shape[1] for a in states.values()), 0)
    legend = " ".join(f'<tspan fill="{_UNIT_COLOURS[u % len(_UNIT_COLOURS)]}">■ unit {u}</tspan>'
                      for u in range(min(units, 8)))
    out.append(f'<text x="{W - 10}" y="10" text-anchor="end" font-size="10">{legend}</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{round(W * scale)}" height="{round(H * scale)}" '
            f'viewBox="0 0 {W} {H}" style="font-family:sans-serif">{"".join(out)}</svg>')


_NORM_COLOURS = {"LSTM ‖∂L/∂c_t‖": "#2a7d2a", "LSTM ‖∂L/∂h_t‖": "#55a868", "GRU ‖∂L/∂h_t‖": "#4c72b0",
                 "SimpleRNN ‖∂L/∂h_t‖": "#c44e52"}


def gradient_chart_svg(norms: dict, t_from: int, T: int, highlight: str = "", scale: float = 1.0) -> str:
    """Gradient norms against time on a log scale, drawn from the last step back to ``t_from``.

    Args:
        norms: name → (T,) norms, e.g. "LSTM ‖∂L/∂c_t‖", "SimpleRNN ‖∂L/∂h_t‖".
        t_from: the earliest step reached so far (T: none yet).
        highlight: the name drawn thicker (the chosen cell's).
    """
    W, H = 580, 190
    floor = 1e-12
    logs = {k: np.log10(np.maximum(np.asarray(v, float), floor)) for k, v in norms.items()}
    lo = min([-2.0, *[float(v.min()) for v in logs.values()]])
    hi = max([0.5, *[float(v.max()) for v in logs.values()]])
    px, py, out = _axes(W, H, 42, 150, 16, 22, T, np.floor(lo), np.ceil(hi), "‖gradient‖ (log scale)", log=True)
    for k, (name, v) in enumerate(logs.items()):
        colour = _NORM_COLOURS.get(name, _UNIT_COLOURS[k % len(_UNIT_COLOURS)])
        pts = [(px(t), py(v[t])) for t in range(max(t_from, 0), T)]
        if pts:
            dashed = name.startswith("LSTM") and "∂c_t" not in name         # the LSTM's h next to its c
            line = _polyline(pts, colour, ' stroke-dasharray="5 3"' if dashed else "")
            if name == highlight:
                line = line.replace('stroke-width="1.8"', 'stroke-width="3.5"')
            out.append(line)
        bold = ' font-weight="bold"' if name == highlight else ""
        out.append(f'<text x="{W - 145}" y="{30 + 16 * k}" font-size="11" fill="{colour}"{bold}>'
                   f"■ {html.escape(name)}</text>")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{round(W * scale)}" height="{round(H * scale)}" '
            f'viewBox="0 0 {W} {H}" style="font-family:sans-serif">{"".join(out)}</svg>')


# --- formulas with the numbers filled in ----------------------------------------------------------------

def _per_unit(template, *arrays):
    """One 'template' line per unit (at most a few): template receives the unit's numbers as strings."""
    U = np.size(arrays[0])
    lines = [template(*[_num(np.ravel(a)[u]) for a in arrays]) for u in range(min(U, _MAX_UNITS_IN_TEXT))]
    suffix = f" (units 0–{_MAX_UNITS_IN_TEXT - 1} of {U})" if U > _MAX_UNITS_IN_TEXT else ""
    return "; ".join(f"unit {u}: {s}" for u, s in enumerate(lines)) + suffix


def _formula(cell: str, part: str, s: dict, forced) -> str:
    """The current part's equation, then the same with this step's numbers."""
    sigma = "σ"
    if part == "inputs":
        extra = f", c_{{t−1}} = {_vec(s['c_prev'])}" if "c_prev" in s else ""
        return f"x_t = {_vec(s['x'])}, h_{{t−1}} = {_vec(s['h_prev'])}{extra}"
    if cell == "LSTM":
        if part in ("f", "i", "o"):
            eq = f"{part} = {sigma}(x_t·W_{part} + h_{{t−1}}·U_{part} + b_{part})"
            if forced is not None and forced[0] == part:
                return (f"{eq} would be {_vec(1 / (1 + np.exp(-s['a_' + part])))}, but {part} is <b>forced to "
                        f"{forced[1]:g}</b> by the slider")
            return f"{eq} = {sigma}({_vec(s['a_' + part])}) = <b>{_vec(s[part])}</b>"
        if part == "g":
            return f"g = tanh(x_t·W_c + h_{{t−1}}·U_c + b_c) = tanh({_vec(s['a_g'])}) = <b>{_vec(s['g'])}</b>"
        if part == "c":
            return "c_t = f⊙c_{t−1} + i⊙g: " + _per_unit(lambda f, cp, i, g, c: f"{f}×{cp} + {i}×{g} = <b>{c}</b>",
                                                         s["f"], s["c_prev"], s["i"], s["g"], s["c"])
        return "h_t = o⊙tanh(c_t): " + _per_unit(lambda o, c, h: f"{o}×tanh({c}) = <b>{h}</b>", s["o"],
                                                 s["c"], s["h"])
    if cell == "GRU":
        if part in ("z", "r"):
            return (f"{part} = σ(x_t·W_{part} + b_{part} + h_{{t−1}}·U_{part} + b′_{part}) = σ({_vec(s['a_' + part])}) "
                    f"= <b>{_vec(s[part])}</b>")
        if part == "hh":
            return ("h̃ = tanh(x_t·W_h + b_h + r⊙(h_{t−1}·U_h + b′_h)): "
                    + _per_unit(lambda xh, r, rh, hh: f"tanh({xh} + {r}×{rh}) = <b>{hh}</b>", s["x_h"], s["r"],
                                s["rh_h"], s["hh"]))
        return "h_t = z⊙h_{t−1} + (1 − z)⊙h̃: " + _per_unit(
            lambda z, hp, hh, h: f"{z}×{hp} + (1 − {z})×{hh} = <b>{h}</b>", s["z"], s["h_prev"], s["hh"], s["h"])
    if part == "a":
        return f"a = x_t·W + h_{{t−1}}·U + b = <b>{_vec(s['a'])}</b>"
    return f"h_t = tanh(a) = tanh({_vec(s['a'])}) = <b>{_vec(s['h'])}</b>"


def recurrent_frame_html(cell: str, parts: tuple, frame, position: int, total: int, T: int, shown: dict,
                         states: dict, t_last: int, x, forced=None, describe: str = "", scale: float = 1.0) -> str:
    """One part of one time step (forward view): header, equation with numbers, diagram, values, history.

    Args:
        cell: "LSTM", "GRU" or "SimpleRNN"; parts: that cell's parts of a step, in order.
        frame: the current frame (``t``, ``part``), or None before the first step.
        position, total: the cursor and the number of frames; T: time steps.
        shown: name → values known at this part (pre-activations ``a_*`` included for the equation).
        states, t_last: the history chart's arrays (name → (T, U)) and the last step to draw.
        x: (T, D) the sequence; forced: (gate, value) or None; describe: one line on what runs.
    """
    if frame is None:
        head = (f"{step_header_html(position, total)} · Press <b>Next</b> (or →) to feed x_0 into the {cell}: "
                f"{T} time steps × {len(parts)} parts ({' → '.join(_SYMBOL.get(p, p) for p in parts[1:])}).")
        current, calc = None, ""
    else:
        current = frame.part
        head = (f"{step_header_html(position, total)} · <b>time t = {frame.t}</b> of {T - 1} · "
                f"<b>{html.escape(PART_NAMES[frame.part])}</b>")
        calc = f'<div style="font-family:\'DejaVu Sans Mono\',Menlo,Consolas,monospace;font-size:0.9em">' \
               f"{_formula(cell, frame.part, shown, forced)}</div>"
    info = f'<div style="color:#555;font-size:0.85em">{html.escape(describe)}</div>' if describe else ""
    body = (f'<div class="dl-recurrent">{head}{calc}{info}'
            f'<div style="display:flex;flex-wrap:wrap;align-items:flex-start;gap:8px">'
            f"{cell_diagram_svg(cell, parts, current, shown, forced, scale)}"
            f"{values_table_html(shown, current or '', scale)}</div>"
            f"{history_svg(states, t_last, T, x, frame.t if frame is not None else None, scale)}</div>")
    return _box(body, "dl-recurrent-box", scale)


def recurrent_backward_html(cell: str, frame, position: int, total: int, T: int, grad_h, grad_c, norms: dict,
                            forced=None, describe: str = "", scale: float = 1.0) -> str:
    """One time step of the backward view: ∂L/∂h_t (and ∂L/∂c_t) for L = Σ h_{T−1}, and every cell's norms.

    Args:
        cell: the chosen cell; frame: current frame (``t``), or None before the first step.
        grad_h, grad_c: (T, U) the chosen cell's gradients (grad_c None unless LSTM).
        norms: name → (T,) gradient norms of every cell on the same sequence (the chart).
    """
    key = f"{cell} ‖∂L/∂c_t‖" if grad_c is not None else f"{cell} ‖∂L/∂h_t‖"
    if frame is None:
        head = (f"{step_header_html(position, total)} · Backward: the loss L = Σ h_{{T−1}} (the last output's units "
                f"added up). Press <b>Next</b> to send ∂L/∂h back from t = {T - 1} to t = 0.")
        lines, t_from = "", T
    else:
        t = frame.t
        t_from = t
        head = f"{step_header_html(position, total)} · <b>backward, time t = {t}</b> of {T - 1}"
        rule = ("∂L/∂h_{T−1} = 1 (L = Σ h_{T−1})" if t == T - 1 else
                "∂L/∂h_t comes from step t+1 through the recurrent kernel"
                + (" and the gates" if cell != "SimpleRNN" else " and tanh′"))
        lines = f"<div>{rule}: ∂L/∂h_t = {_vec(grad_h[t])}, ‖·‖ = {_num(np.linalg.norm(grad_h[t]))}</div>"
        if grad_c is not None:
            f_note = ("∂L/∂c_t = ∂L/∂c_{t+1}⊙f_{t+1} + ∂L/∂h_t⊙o_t⊙(1 − tanh²c_t)" if t < T - 1 else
                      "∂L/∂c_{T−1} = ∂L/∂h_{T−1}⊙o⊙(1 − tanh²c)")
            lines += (f"<div>{f_note} = {_vec(grad_c[t])}, ‖·‖ = <b>{_num(np.linalg.norm(grad_c[t]))}</b> "
                      "— along the cell state only ⊙f: no weight matrix, no tanh′</div>")
        others = [f"{html.escape(k)} = {_num(v[t])}" for k, v in norms.items() if not k.startswith(cell + " ")]
        if others:
            lines += f'<div style="color:#555">same step, other cells: {"; ".join(others)}</div>'
        if forced is not None:
            lines += (f'<div style="color:#8a4b00">{forced[0]} is forced to {forced[1]:g}: a constant, so no '
                      "gradient flows through its weights.</div>")
    info = f'<div style="color:#555;font-size:0.85em">{html.escape(describe)}</div>' if describe else ""
    body = (f'<div class="dl-recurrent-backward">{head}{lines}{info}'
            f"{gradient_chart_svg(norms, t_from, T, key, scale)}</div>")
    return _box(body, "dl-recurrent-box", scale)
