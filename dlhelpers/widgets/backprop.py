"""The backprop stepper: Next / Back / Play through the 2-2-2 worked example, then update or train."""
from __future__ import annotations

import ipywidgets as W

from ..viz.network import backprop_svg
from ..viz.plots import figure_to_png, plot_error_curve
from ..viz.steppers import backprop_history_html, backprop_step_html
from .backprop_state import MAX_TRAIN_STEPS, BackpropStepperState
from .stepper import StepperShell

__all__ = ["BackpropStepper"]


class BackpropStepper(StepperShell):
    """Step through one forward pass, the loss, every chain-rule factor and the update.

    Args:
        example: a :class:`~dlhelpers.scratch.backprop_example.BackpropExample` (default: the notes' numbers).
        presenter: start in presenter mode (large fonts for a projector).

    Example (in a notebook):
        >>> stepper = BackpropStepper()
        >>> stepper            # doctest: +SKIP
    """

    title = "Backpropagation stepper (2-2-2 example)"

    def __init__(self, example=None, presenter: bool = False):
        super().__init__(BackpropStepperState(example), presenter=presenter)
        s = self.state.example
        self.update_button = W.Button(description="Apply update", tooltip="take the gradient step, start over")
        self.restart_button = W.Button(description="Notes' weights", tooltip="back to the notes' starting weights")
        self.lr = W.FloatText(value=s.learning_rate, step=0.1, description="η", continuous_update=False)
        self.x1 = W.FloatText(value=s.x[0], description="x1", continuous_update=False)
        self.x2 = W.FloatText(value=s.x[1], description="x2", continuous_update=False)
        self.n_steps = W.IntText(value=10000, description="steps", continuous_update=False)
        self.train_button = W.Button(description="Train N steps", tooltip=f"1 … {MAX_TRAIN_STEPS:,} gradient steps")
        self.diagram = W.HTML()
        self.table = W.HTML()
        self.curve = W.Image(format="png", layout=W.Layout(display="none"))   # shown after training
        self.update_button.on_click(lambda _: self._edit(self.state.apply_update))
        self.restart_button.on_click(lambda _: self._edit(self.state.restart))
        self.train_button.on_click(lambda _: self._train())
        self.lr.observe(lambda ch: self._edit(lambda: self.state.set_learning_rate(ch["new"])), names="value")
        for box in (self.x1, self.x2):
            box.observe(lambda ch: self._edit(lambda: self.state.set_inputs(self.x1.value, self.x2.value)),
                        names="value")
        # diagram and step side by side, the step below the diagram when the page is too narrow (presenter mode)
        self.stage.children = (*self.stage.children[:3], W.Box([self.diagram, self.html], layout=W.Layout(
            display="flex", flex_flow="row wrap", align_items="flex-start")))
        self.html.layout.flex = "1 1 280px"                 # beside the diagram while 280 px are left
        self.history = W.Accordion([self.table], titles=("values so far",))
        self.history.observe(lambda ch: ch["new"] is not None and self._fill_table(), names="selected_index")
        self.build(W.HBox([self.x1, self.x2, self.lr]),
                   below=[W.HBox([self.update_button, self.restart_button, self.n_steps, self.train_button]),
                          self.curve, self.history])

    def _edit(self, fn):
        self.pause()
        fn()
        if self.state.errors is None:              # "Notes' weights" forgets the training curve
            self.curve.layout.display = "none"
        self.refresh()

    def _train(self):
        self.pause()
        self.status.value = '<span style="color:#555">training…</span>'
        errors = self.state.train(self.n_steps.value)
        if errors is not None:
            self.curve.value = figure_to_png(plot_error_curve(
                self.state.errors, title=f"E_total over {len(self.state.errors) - 1} steps"))
            self.curve.layout.display = None
        self.status.value = ""
        self.refresh()

    def render(self) -> str:
        s = self.state
        return backprop_step_html(s.current, s.position, len(s.frames), s.iteration, s.example.x,
                                  s.example.learning_rate, s.message, scale=self.scale)

    def render_diagram(self) -> str:
        s = self.state
        return backprop_svg(s.example, highlight=s.highlight, values=s.known_values(),
                            gradients=s.known_gradients(), error=s.known_error(), scale=self.scale)

    def _buttons(self):
        return [*super()._buttons(), self.update_button, self.restart_button, self.train_button]

    def _after_refresh(self):
        self.diagram.value = self.render_diagram()
        if self.history.selected_index is not None:      # the table is drawn only while it is open
            self._fill_table()

    def _fill_table(self):
        self.table.value = backprop_history_html(self.state.steps[: self.state.position + 1], scale=self.scale)

    def snapshot_body(self) -> str:
        return f'<div style="display:flex;flex-wrap:wrap">{self.render_diagram()}{self.render()}</div>'
