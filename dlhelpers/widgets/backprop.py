"""The backprop stepper: Next / Back / Reset through the 2-2-2 worked example."""
from __future__ import annotations

import ipywidgets as W

from ..viz.plots import figure_to_png, plot_error_curve
from .backprop_state import BackpropStepperState

__all__ = ["BackpropStepper"]


class BackpropStepper:
    """Step through one forward pass, the loss, every chain-rule factor and the update.

    Example (in a notebook):
        >>> stepper = BackpropStepper()
        >>> stepper            # doctest: +SKIP
    """

    def __init__(self, example=None):
        self.state = BackpropStepperState(example)
        s = self.state.example
        self.next_button = W.Button(description="Next ▶", button_style="primary")
        self.back_button = W.Button(description="◀ Back")
        self.reset_button = W.Button(description="⟲ Reset")
        self.update_button = W.Button(description="Apply update", tooltip="take the gradient step, start over")
        self.restart_button = W.Button(description="Notes' weights", tooltip="back to the notes' starting weights")
        self.lr = W.BoundedFloatText(value=s.learning_rate, min=1e-6, max=100.0, step=0.1, description="η")
        self.x1 = W.FloatText(value=s.x[0], description="x1")
        self.x2 = W.FloatText(value=s.x[1], description="x2")
        self.n_steps = W.BoundedIntText(value=10000, min=1, max=100000, description="steps")
        self.train_button = W.Button(description="Train N steps")
        self.diagram = W.HTML()
        self.html = W.HTML()
        self.table = W.HTML()
        self.curve = W.Image(format="png", layout=W.Layout(display="none"))   # shown after training
        self.next_button.on_click(lambda _: self._do(self.state.next))
        self.back_button.on_click(lambda _: self._do(self.state.back))
        self.reset_button.on_click(lambda _: self._do(self.state.reset))
        self.update_button.on_click(lambda _: self._do(self.state.apply_update))
        self.restart_button.on_click(lambda _: self._do(self.state.restart))
        self.train_button.on_click(lambda _: self._train())
        self.lr.observe(lambda ch: self._do(lambda: self.state.set_learning_rate(ch["new"])), names="value")
        for box in (self.x1, self.x2):
            box.observe(lambda ch: self._do(lambda: self.state.set_inputs(self.x1.value, self.x2.value)), names="value")
        self.widget = W.VBox([
            W.HBox([self.back_button, self.next_button, self.reset_button, self.update_button, self.restart_button]),
            W.HBox([self.diagram, self.html]),
            W.HBox([self.x1, self.x2, self.lr]),
            W.HBox([self.n_steps, self.train_button]),
            self.curve,
            W.Accordion([self.table], titles=("values so far",)),
        ])
        self.refresh()

    def _do(self, fn):
        fn()
        self.refresh()

    def _train(self):
        errors = self.state.train(self.n_steps.value)
        if errors is not None:
            self.curve.value = figure_to_png(plot_error_curve(self.state.errors,
                                                              title=f"E_total over {len(self.state.errors) - 1} steps"))
            self.curve.layout.display = None
        self.refresh()

    def refresh(self):
        self.diagram.value = self.state.diagram_svg()
        self.html.value = self.state.step_html()
        self.table.value = self.state.history_html()
        self.next_button.disabled = self.state.at_end
        self.back_button.disabled = self.state.position < 0

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
