"""Widgets driven headlessly: click the buttons, read what the widgets show."""
import numpy as np
import pytest

from dlhelpers.widgets.backprop_state import BackpropStepperState

pytest.importorskip("ipywidgets")
from dlhelpers.widgets import BackpropStepper, HyperparameterExplorer, Quiz  # noqa: E402
from dlhelpers.widgets.quiz_bank import QUIZZES  # noqa: E402


def test_state_walks_forward_and_back():
    s = BackpropStepperState()
    assert s.current is None
    first = s.next()
    assert first.name == "net_h1" and first.value == pytest.approx(0.3775)
    s.next()
    assert s.back().name == "net_h1"
    s.back()
    assert s.back() is None                     # cannot go before the start
    while not s.at_end:
        s.next()
    assert s.next().name == "E_total after the step"     # stays at the end


def test_stepper_buttons_change_the_display():
    w = BackpropStepper()
    assert w.back_button.disabled
    before = w.html.value
    w.next_button.click()
    assert w.html.value != before and "net_h1" in w.html.value and "0.377500000" in w.html.value
    assert "#e4572e" in w.diagram.value                 # something is highlighted
    w.next_button.click()
    assert "out_h1" in w.html.value and "0.593269992" in w.html.value
    assert "0.593270" in w.diagram.value                # the node value appears under h1
    w.back_button.click()
    assert "net_h1" in w.html.value
    w.reset_button.click()
    assert "Press <b>Next</b>" in w.html.value
    for _ in range(100):
        w.next_button.click()
    assert w.next_button.disabled and "w8_new" in w.table.value


def test_stepper_update_train_and_inputs():
    w = BackpropStepper()
    w.update_button.click()
    assert "Iteration 1" in w.html.value and "0.291027774" in w.html.value
    w.restart_button.click()
    assert w.curve.layout.display == "none"            # no empty image before training
    w.n_steps.value = 100
    w.train_button.click()
    assert "Trained 100 steps" in w.html.value
    assert w.curve.value[:4] == b"\x89PNG" and w.curve.layout.display is None
    w.lr.value = 2.0
    assert w.state.example.learning_rate == 2.0
    w.restart_button.click()                    # the notes' weights, inputs kept
    w.x1.value = 1.0
    assert w.state.example.x == (1.0, 0.1) and "net_h1" not in w.html.value
    w.next_button.click()
    assert "0.15×1 + 0.2×0.1 + 0.35" in w.html.value and "0.520000000" in w.html.value


def test_stepper_reports_bad_values_instead_of_raising():
    s = BackpropStepperState()
    msg = s.set_learning_rate(-1)
    assert "learning_rate must be > 0" in msg and s.example.learning_rate == 0.5
    assert s.set_inputs(float("nan"), 0.1).startswith("⚠")
    assert s.train(0) is None and "steps must be > 0" in s.message
