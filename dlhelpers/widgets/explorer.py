"""Hyperparameter explorer: sliders → retrain a small scratch MLP → redraw the decision boundary.

Three layers: :class:`~dlhelpers.widgets.explorer_state.ExplorerState` holds and validates the
settings and trains; :mod:`dlhelpers.viz.explorer` draws; :class:`HyperparameterExplorer` wires
the controls. The shell says what is on screen: a moved slider dims the picture with "settings
changed — press Train to update"; while training, Train is disabled and shows what it trains
and the epoch it is at; an error is shown in the widget, never raised into the notebook.
"""
from __future__ import annotations

import ipywidgets as W

from ..viz.explorer import explorer_html, explorer_png, plot_html, report_html, settings_text, status_html
from .base import WidgetShell
from .explorer_state import EXPLORER_ACTIVATIONS, EXPLORER_INITIALIZERS, SETTING_NAMES, ExplorerState

__all__ = ["HyperparameterExplorer"]

_LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
_DROPOUTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def _choice_slider(values, value, description):
    """A slider over fixed values that always holds ``value`` exactly.

    A float slider rounds to its step in the browser (a log slider turns 0.05 into 0.0501), which
    would change the setting, and so mark the picture stale, the moment the widget appears.
    """
    values = sorted(set(values) | {value})
    return W.SelectionSlider(options=[(f"{v:g}", v) for v in values], value=value, description=description)


class HyperparameterExplorer(WidgetShell):
    """Sliders for the settings of a small MLP on a 2-D data set, a Train button, and the result.

    Args:
        dataset: a 2-D binary data set, e.g. ``dlhelpers.data.moons(300, rng=0)``.
        **settings: starting values (``hidden_layers``, ``units``, ``activation``, ``learning_rate``,
            ``epochs``, ``batch_size``, ``initializer``, ``dropout``, ``seed``).

    Example (in a notebook):
        >>> from dlhelpers.data import moons
        >>> explorer = HyperparameterExplorer(moons(300, rng=0), epochs=60)   # doctest: +SKIP
        >>> explorer.train(); explorer                                        # doctest: +SKIP
    """

    def __init__(self, dataset, **settings):
        self.state = ExplorerState(dataset, **settings)
        self.title = "Hyperparameter explorer"
        s = self.state
        self.hidden_layers = W.IntSlider(value=s.hidden_layers, min=0, max=4, description="hidden layers")
        self.units = W.IntSlider(value=s.units, min=1, max=64, description="units")
        self.activation = W.Dropdown(options=list(EXPLORER_ACTIVATIONS), value=s.activation, description="activation")
        self.learning_rate = _choice_slider(_LEARNING_RATES, s.learning_rate, "learn. rate")
        self.epochs = W.IntSlider(value=s.epochs, min=1, max=max(400, s.epochs), description="epochs")
        self.batch_size = W.Dropdown(options=[("1", 1), ("8", 8), ("32", 32), ("128", 128), ("full", None)]
                                     + ([] if s.batch_size in (1, 8, 32, 128, None) else [(str(s.batch_size), s.batch_size)]),
                                     value=s.batch_size, description="batch size")
        self.initializer = W.Dropdown(options=list(EXPLORER_INITIALIZERS), value=s.initializer, description="init")
        self.dropout = _choice_slider(_DROPOUTS, s.dropout, "dropout")
        self.train_button = W.Button(description="Train", button_style="primary", icon="play",
                                     tooltip="fit a fresh network with these settings")
        self.status = W.HTML()
        self.report = W.HTML()
        self.plot = W.HTML(plot_html(None))
        self.png: bytes | None = None
        self.error: str | None = None
        self.busy = False
        self.train_button.on_click(lambda _: self.train())
        controls = [getattr(self, name) for name in SETTING_NAMES]
        for control in controls:
            control.style.description_width = "7em"      # "hidden layers" in full, not "hidden la…"
        for name, control in zip(SETTING_NAMES, controls):
            control.observe(lambda change, name=name: self._changed(name, change["new"]), names="value")
        self.widget = W.VBox([W.HBox([W.VBox(controls[:4]), W.VBox(controls[4:])]),
                              W.HBox([self.train_button, self.status]), self.report, self.plot])

    def _changed(self, name, value):
        try:
            self.state.update(**{name: value})
            self.error = None
        except (ValueError, TypeError) as exc:
            self.error = str(exc)
        self.refresh()

    def refresh(self):
        """Redraw the status line and the plot area from the state (no training)."""
        stale = self.state.is_stale
        if self.error:
            self.status.value = status_html("error", self.error)
        elif self.busy:
            self.status.value = status_html("busy", settings_text(self.state.settings()))
        elif stale:
            self.status.value = status_html("stale", "the picture shows the last training; press Train to update.")
        else:
            self.status.value = ""
        self.plot.value = plot_html(self.png, stale=stale, busy=self.busy)

    def _progress(self, epoch, epochs):
        every = max(1, epochs // 20)
        if epoch % every == 0 or epoch == epochs:
            self.status.value = status_html("busy", f"epoch {epoch}/{epochs} · {settings_text(self.state.settings())}")

    def train(self):
        """What Train does: fit with the slider settings, redraw, report.

        While it runs the button is disabled and the status line names what is trained and the
        epoch it has reached. Errors (a bad setting, a loss that blows up) are shown in the status
        line, not raised.

        Returns:
            the result dict of :meth:`ExplorerState.train`, or None when training failed.
        """
        self.busy = True
        self.error = None
        self.train_button.disabled = True
        self.train_button.description = "Training…"
        self.train_button.icon = "hourglass-half"
        self.refresh()
        result = None
        try:
            result = self.state.train(on_epoch=self._progress)
            self.png = explorer_png(result, self.state.dataset)
            self.report.value = report_html(result, self.state.dataset.describe())
        except Exception as exc:   # a widget callback must not raise into the notebook: show it instead
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.busy = False
            self.train_button.disabled = False
            self.train_button.description = "Train"
            self.train_button.icon = "play"
            self.refresh()
        return result

    def snapshot_html(self) -> str:
        return explorer_html(self.state.settings(), self.png, self.report.value, stale=self.state.is_stale)
