"""The hyperparameter explorer's pictures: pure functions from settings and results to PNG/HTML.

:func:`explorer_figure` draws a trained result (decision boundary and loss curves);
:func:`plot_html` wraps that picture with what the viewer must know about it: a placeholder
before the first training, a dimmed picture with "settings changed — press Train to update"
when the sliders no longer match it, and "training…" while a run is under way.
"""
from __future__ import annotations

import base64
import html

__all__ = ["settings_text", "explorer_figure", "explorer_png", "plot_html", "status_html", "report_html",
           "explorer_html"]

_BUSY = "#8a5a00"
_ERROR = "#c62828"
_STALE = "#8a5a00"


def settings_text(settings: dict) -> str:
    """One line naming what is (or will be) trained, e.g.
    ``"1 hidden layer × 8 tanh units, Adam lr 0.05, 100 epochs, batch 32, glorot_uniform, no dropout"``."""
    s = settings
    n = s["hidden_layers"]
    body = ("no hidden layer (logistic regression)" if n == 0 else
            f"{n} hidden layer{'s' if n != 1 else ''} × {s['units']} {s['activation']} units")
    batch = "full batch" if s["batch_size"] is None else f"batch {s['batch_size']}"
    drop = "no dropout" if not s["dropout"] else f"dropout {s['dropout']:g}"
    return (f"{body}, Adam lr {s['learning_rate']:.3g}, {s['epochs']} epoch{'s' if s['epochs'] != 1 else ''}, "
            f"{batch}, {s['initializer']}, {drop}")


def explorer_figure(result: dict, dataset):
    """Decision boundary over the whole data set (left) and train/test loss per epoch (right).

    Args:
        result: what :meth:`~dlhelpers.widgets.explorer_state.ExplorerState.train` returns.
        dataset: the 2-D data set (``.X`` (N, 2), ``.y``).

    Returns:
        a matplotlib Figure (close it or pass it to :func:`~dlhelpers.viz.plots.figure_to_png`).
    """
    import matplotlib.pyplot as plt

    from .plots import plot_decision_boundary
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(9, 3.6))
    plot_decision_boundary(result["model"].predict, dataset.X, dataset.y, ax=a0,
                           title=f"test accuracy {result['test_accuracy']:.2f}")
    h = result["history"]
    epochs = range(1, len(h["loss"]) + 1)
    a1.plot(epochs, h["loss"], label="train")
    a1.plot(epochs, h["val_loss"], label="test")
    a1.set_xlabel("epoch")
    a1.set_ylabel("binary cross-entropy")
    a1.set_title(f"loss · {result['params']} parameters")
    a1.legend()
    fig.tight_layout()
    return fig


def explorer_png(result: dict, dataset) -> bytes:
    """:func:`explorer_figure` as PNG bytes (the figure is closed)."""
    from .plots import figure_to_png
    return figure_to_png(explorer_figure(result, dataset))


def _banner(text: str, colour: str) -> str:
    return (f'<div style="position:absolute;top:40%;left:50%;transform:translate(-50%,-50%);'
            f'background:#fffbe6;border:2px solid {colour};border-radius:6px;padding:0.4em 0.9em;'
            f'font-size:16px;font-weight:bold;color:{colour};box-shadow:0 1px 4px #0003;white-space:nowrap">{html.escape(text)}</div>')


def plot_html(png: bytes | None, *, stale: bool = False, busy: bool = False, width: int = 760) -> str:
    """The plot area: the picture plus, when it is not current, a dimmed look and a banner.

    Args:
        png: the last picture, or None before the first training.
        stale: the settings changed since ``png`` was drawn.
        busy: a training run is under way.
        width: display width in px.
    """
    if png is None:
        text = "training…" if busy else "No picture yet: press Train to fit the network and draw it."
        return (f'<div style="width:{width}px;height:120px;display:flex;align-items:center;justify-content:center;'
                f'border:2px dashed #bbb;color:#555;font-size:15px">{html.escape(text)}</div>')
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    dim = busy or stale
    img = (f'<img src="{src}" alt="decision boundary and loss curves" '
           f'style="width:{width}px;max-width:100%;opacity:{0.35 if dim else 1};filter:{"grayscale(60%)" if dim else "none"}">')
    banner = ""
    if busy:
        banner = _banner("training…", _BUSY)
    elif stale:
        banner = _banner("settings changed — press Train to update", _STALE)
    return f'<div style="position:relative;display:inline-block">{img}{banner}</div>'


def status_html(kind: str, text: str = "") -> str:
    """A one-line status: ``kind`` is ``"busy"``, ``"stale"``, ``"error"`` or ``""`` (nothing to say).

    Each kind carries a word as well as a colour (not colour alone).
    """
    if kind == "":
        return ""
    word, colour = {"busy": ("Training…", _BUSY), "stale": ("Settings changed:", _STALE),
                    "error": ("Error:", _ERROR)}[kind]
    return (f'<div style="font-size:14px;color:{colour};padding:0.2em 0"><b>{word}</b> {html.escape(text)}</div>')


def report_html(result: dict, dataset_text: str) -> str:
    """What the last training gave: data set, settings, accuracies, parameter count and time."""
    return (f'<div style="font-size:14px;line-height:1.5">{html.escape(dataset_text)}<br>'
            f'<b>trained:</b> {html.escape(settings_text(result["settings"]))}<br>'
            f'train accuracy {result["train_accuracy"]:.3f}, test accuracy {result["test_accuracy"]:.3f}, '
            f'{result["params"]} parameters, {result["seconds"]:.2f} s</div>')


def explorer_html(settings: dict, png: bytes | None, report: str = "", *, stale: bool = False) -> str:
    """A static picture of the whole explorer (settings table, report, plot) for a saved notebook."""
    rows = "".join(f'<tr><td style="padding:1px 10px 1px 0;color:#555">{html.escape(k.replace("_", " "))}</td>'
                   f'<td style="padding:1px 0"><b>{html.escape(str(v))}</b></td></tr>' for k, v in settings.items())
    return (f'<div style="font-family:sans-serif">'
            f'<table style="border-collapse:collapse;font-size:14px;margin-bottom:4px">{rows}</table>'
            f'{report}{plot_html(png, stale=stale)}'
            f'<div style="font-size:12px;color:#555">Static picture: run the notebook to move the sliders and '
            f'press Train.</div></div>')
