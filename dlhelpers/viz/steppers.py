"""What the steppers show: pure functions from a step's numbers to HTML (inline styles, no scripts).

The step models (``dlhelpers.widgets.*_state``) hold numbers only; the widget shells put the
strings made here into ``ipywidgets.HTML`` values, and :meth:`WidgetShell.snapshot_html` stores
the same picture in a saved notebook. ``scale`` enlarges every font and cell for a projector
(presenter mode).
"""
from __future__ import annotations

import html
import re

import numpy as np

from .grids import format_number, grid_html

__all__ = ["pretty_quantity", "pretty_arithmetic", "step_text", "signed_sum", "step_header_html", "backprop_step_html",
           "backprop_history_html", "conv_frame_html", "pool_frame_html", "problem_html", "snapshot_frame_html"]

_PHASE_COLOUR = {"forward": "#4c72b0", "loss": "#555", "backward (output)": "#c44e52",
                 "backward (hidden)": "#b35c00", "update": "#2a7d2a"}


# a named monospace font first: a bare "monospace" shrinks the text to the browser's 13 px
_CODE = ' style="font-family:\'DejaVu Sans Mono\',Menlo,Consolas,monospace;font-size:0.95em"'


def pretty_quantity(name: str) -> str:
    """One notation for every derivative: ``dE/dout_h1`` → ``∂E/∂out_h1``, ``delta_y1`` → ``δ_y1``.

    Example:
        >>> pretty_quantity("dout_y1/dnet_y1"), pretty_quantity("delta_h2")
        ('∂out_y1/∂net_y1', 'δ_h2')
    """
    name = re.sub(r"\bd(E|out_\w\d|net_\w\d)/d(\w+)", r"∂\1/∂\2", name)
    return re.sub(r"\bdelta_", "δ_", name)


def pretty_arithmetic(text: str) -> str:
    """Numbers substituted into a formula, with the signs written as on the board.

    ``a + -b`` → ``a − b``, ``a − -b`` → ``a + b``, ``a×-b`` → ``a×(−b)``, a leading ``-`` → ``−``.

    Example:
        >>> pretty_arithmetic("0.13×0.4 + -0.038×0.5")
        '0.13×0.4 − 0.038×0.5'
    """
    text = re.sub(r"\+ -(?=\d)", "− ", text)
    text = re.sub(r"[−-] -(?=\d)", "+ ", text)
    text = re.sub(r"([×(·]) ?-(\d[\d.e+-]*)", r"\1(−\2)", text)
    text = re.sub(r"(^|[\s(])-(?=[\d(])", r"\1−", text)
    return pretty_quantity(text.replace("delta_", "δ_"))


def step_text(step) -> str:
    """One backprop :class:`~dlhelpers.scratch.backprop_example.Step` as a line of text, in board notation.

    Example:
        >>> from dlhelpers.scratch.backprop_example import backprop_steps
        >>> step_text(backprop_steps()[21])
        '∂E/∂out_h1 = δ_y1·w5 + δ_y2·w7 = 0.138498562×0.4 − 0.0380982365×0.5 = 0.036350306'
    """
    return (f"{pretty_quantity(step.name)} = {pretty_arithmetic(step.formula)} = {pretty_arithmetic(step.numbers)} = "
            f"{step.value:.9f}".replace("= -", "= −"))


def signed_sum(values, digits: int = 4) -> str:
    """``[161, -9, 659]`` → ``'161 − 9 + 659'`` (no ``+ -``)."""
    parts = []
    for k, v in enumerate(values):
        s = format_number(abs(v), digits)
        parts.append((("−" if v < 0 else "") + s) if k == 0 else ((" − " if v < 0 else " + ") + s))
    return "".join(parts)


def _box(inner: str, cls: str, scale: float) -> str:
    return (f'<div class="dl-stepper {cls}" style="font-size:{round(16 * scale)}px;line-height:1.45;'
            f'color:#222;font-family:sans-serif">{inner}</div>')


def step_header_html(position: int, total: int, prefix: str = "") -> str:
    """'step k of n' (k = position + 1), the line every stepper starts with."""
    return f"{prefix}<b>step {position + 1} of {total}</b>"


def problem_html(message: str, scale: float = 1.0) -> str:
    """A configuration that cannot be stepped through, said in words (no traceback)."""
    return _box(f'<div style="color:#b00020"><b>⚠ This combination does not work:</b> {html.escape(message)}</div>',
                "dl-problem", scale)


def backprop_step_html(step, position: int, total: int, iteration: int, x, learning_rate: float,
                       message: str = "", scale: float = 1.0) -> str:
    """The current number of the backprop example: phase, formula, numbers substituted, value.

    Args:
        step: a :class:`dlhelpers.scratch.backprop_example.Step`, or None before the first step.
        position, total: the step's index and the number of steps (shown as "step k of n").
        iteration: how many updates the weights have had.
        x, learning_rate: shown in the start message.
        message: a line under the step (the last edit, or why an edit was refused).
    """
    head = step_header_html(position, total, f"Iteration {iteration} · ")
    if step is None:
        body = ("Press <b>Next</b> (or →) to start the forward pass: x = "
                f"({x[0]:g}, {x[1]:g}), η = {learning_rate:g}.")
    else:
        colour = _PHASE_COLOUR.get(step.phase, "#333")
        value = f"{step.value:.9f}".replace("-", "−")
        body = (f'<span style="color:{colour};font-weight:bold">{html.escape(step.phase)}</span><br>'
                f"<code{_CODE}>{html.escape(pretty_quantity(step.name))} = "
                f"{html.escape(pretty_arithmetic(step.formula))}</code><br>"
                f"<code{_CODE}>= {html.escape(pretty_arithmetic(step.numbers))}</code><br>"
                f'<span style="font-size:1.3em"><b>= {value}</b></span>')
    msg = f'<div style="color:#8a4b00;margin-top:0.3em">{html.escape(message)}</div>' if message else ""
    return _box(f'<div class="dl-step">{head}<br>{body}{msg}</div>', "dl-backprop", scale)


def backprop_history_html(steps, scale: float = 1.0) -> str:
    """Every number computed so far as a table (# · phase · quantity · value)."""
    rows = "".join(f"<tr><td>{s.index + 1}</td><td>{html.escape(s.phase)}</td>"
                   f"<td>{html.escape(pretty_quantity(s.name))}</td>"
                   f"<td style='text-align:right;font-family:monospace'>{s.value:.9f}</td></tr>" for s in steps)
    return (f'<table style="font-size:{round(14 * scale)}px"><tr><th>#</th><th>phase</th><th>quantity</th>'
            f"<th>value</th></tr>{rows}</table>")


def _channel(c: int, C: int) -> str:
    return "" if C == 1 else (" " + "RGB"[c] if C == 3 else f" {c}")


def conv_frame_html(frame, first, kernel, pad, position: int, total: int, size_text: str, note: str = "",
                    check: str = "", show_all_kernels: bool = True, scale: float = 1.0) -> str:
    """One position of a single-filter convolution: padded input with the window, kernel, products, output.

    Args:
        frame: the current :class:`dlhelpers.scratch.conv.ConvFrame`, or None before the first step.
        first: the first frame (its ``padded`` input and the output's shape are drawn before step 1).
        kernel: (KH, KW, C).
        pad: ((top, bottom), (left, right)) padding, drawn grey.
        position, total: the cursor (−1 … total − 1) and the number of positions.
        size_text: the output-size formula with the numbers filled in.
        note: a remark in orange (e.g. rows a stride never reaches); check: the Keras comparison, if run.
        show_all_kernels: draw one kernel slice per channel (False: the same 2-D kernel on every channel).
    """
    C = first.padded.shape[2]
    hl = (frame.rows, frame.cols) if frame is not None else None
    grids = [grid_html(first.padded[:, :, c], hl, f"input{_channel(c, C)}", pad=pad, scale=scale) for c in range(C)]
    slices = range(C) if show_all_kernels else range(1)
    grids += [grid_html(kernel[:, :, c], None, f"kernel{_channel(c, C) if show_all_kernels else ''}", scale=scale)
              for c in slices]
    if frame is not None:
        grids += [grid_html(frame.products[:, :, c], None, f"window × kernel{_channel(c, C)}", shade=False, scale=scale)
                  for c in range(C)]
        sums = [float(frame.products[:, :, c].sum()) for c in range(C)]
        per_channel = "" if C == 1 else f" = {signed_sum(sums)}"
        calc = (f"{step_header_html(position, total)} · <b>position {frame.position}</b>: "
                f"sum of products{per_channel} = {format_number(frame.total, 4)}; "
                f"+ bias {format_number(frame.bias, 4)} = <b>{format_number(frame.value, 4)}</b>")
        out = frame.output
    else:
        calc = (f"{step_header_html(position, total)} · Press <b>Next</b> (or →) to place the kernel on the first "
                f"window ({total} positions in all).")
        out = np.full(first.output.shape, np.nan)
    grids.append(grid_html(out, None, f"output {out.shape[0]}×{out.shape[1]}", scale=scale))
    extra = f'<div style="color:#a05a00">Note: {html.escape(note)}</div>' if note else ""
    if check:
        extra += f'<div style="color:#2a7d2a">{html.escape(check)}</div>'
    return _box(f'<div class="dl-conv">{calc}<div style="display:flex;flex-wrap:wrap;align-items:flex-start">'
                f"{''.join(grids)}</div><div>{html.escape(size_text)}</div>{extra}</div>", "dl-conv-box", scale)


def pool_frame_html(frame, first, mode: str, position: int, total: int, size_text: str, scale: float = 1.0) -> str:
    """One window of a pooling pass: the input with the window (and, for max, the winner ringed), the output.

    Args:
        frame: the current :class:`dlhelpers.scratch.pooling.PoolFrame`, or None before the first step.
        first: the first frame (for the padded input and the output's shape).
        mode: "max" or "average".
        position, total: the cursor and the number of windows; size_text: the output-size formula.
    """
    hl = (frame.rows, frame.cols) if frame is not None else None
    mark = frame.winner if frame is not None and mode == "max" else None
    inp = grid_html(first.padded, hl, "input", mark=mark, scale=scale)
    out = grid_html(frame.output if frame is not None else np.full(first.output.shape, np.nan), None,
                    f"{mode} pooled {first.output.shape[0]}×{first.output.shape[1]}", scale=scale)
    if frame is not None:
        cells = [format_number(v) for v in frame.window.ravel() if np.isfinite(v)]
        how = (f"max({', '.join(cells)})" if mode == "max" else
               f"({' + '.join(cells)}) / {len(cells)}")
        where = (f" — the winner (ringed) is at row {frame.winner[0]}, column {frame.winner[1]}; only it gets "
                 "the gradient in the backward pass" if mode == "max" else
                 f" — each of the {len(cells)} cells gets 1/{len(cells)} of the gradient in the backward pass")
        calc = (f"{step_header_html(position, total)} · <b>window {frame.position}</b>: {html.escape(how)} = "
                f"<b>{format_number(frame.value, 4)}</b>{where}")
    else:
        calc = f"{step_header_html(position, total)} · Press <b>Next</b> (or →): {total} windows."
    return _box(f'<div class="dl-pool">{calc}<div style="display:flex;flex-wrap:wrap;align-items:flex-start">'
                f"{inp}{out}</div><div>{html.escape(size_text)}</div></div>", "dl-pool-box", scale)


def snapshot_frame_html(title: str, body: str) -> str:
    """A saved notebook's static picture of a stepper: a caption, then what the widget showed."""
    return (f'<div style="border:1px solid #ccc;border-radius:6px;padding:8px;max-width:100%;overflow-x:auto">'
            f'<div style="color:#555;font-size:13px;margin-bottom:6px">{html.escape(title)} — a static picture of '
            f"its first frame; run the notebook to step through it (Next / Back / Play, or → ← space).</div>"
            f"{body}</div>")
