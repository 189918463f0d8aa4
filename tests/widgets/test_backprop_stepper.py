"""The backprop stepper: its state in plain pytest, its shell clicked headlessly."""
import math

import pytest

from dlhelpers.widgets.backprop_state import MAX_TRAIN_STEPS, BackpropStepperState

pytest.importorskip("ipywidgets")
from dlhelpers.widgets import BackpropStepper  # noqa: E402


def test_state_walks_forward_and_back():
    s = BackpropStepperState()
    assert s.current is None and s.frames is not BackpropStepperState().frames     # no shared class-level list
    first = s.next()
    assert first.name == "net_h1" and first.value == pytest.approx(0.3775)
    s.next()
    assert s.back().name == "net_h1"
    s.back()
    assert s.back() is None                     # cannot go before the start
    while not s.at_end:
        s.next()
    assert s.next().name == "E_total after the step"     # stays at the end


def test_state_knows_gradients_and_error_as_they_appear():
    s = BackpropStepperState()
    assert s.known_error() is None and s.known_gradients() == {}
    while s.current is None or s.current.name != "dE/dw5":
        s.next()
    assert s.known_error() == pytest.approx(0.298371109, abs=1e-9)
    assert s.known_gradients() == {"w5": pytest.approx(0.0821670407, abs=1e-9)}


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
    w.history.selected_index = 0                        # open "values so far"
    for _ in range(100):
        w.next_button.click()
    assert w.next_button.disabled and "w8_new" in w.table.value
    assert "∂E/∂w5=0.0822" in w.diagram.value and "0.298371" in w.diagram.value     # gradients and E drawn


def test_one_notation_and_no_plus_minus():
    w = BackpropStepper()
    for _ in range(100):
        w.next_button.click()
        text = w.html.value
        assert "+ -" not in text and "×-" not in text and "dE/d" not in text and "delta_" not in text
        if w.state.current.name == "dE/dout_h1":
            assert "∂E/∂out_h1 = δ_y1·w5 + δ_y2·w7" in text and "− 0.0380982365×0.5" in text
    assert w.state.at_end


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
    w.restart_button.click()                            # the notes' weights forget the old curve
    assert w.curve.layout.display == "none" and w.state.errors is None
    w.lr.value = 2.0
    assert w.state.example.learning_rate == 2.0
    w.x1.value = 1.0
    assert w.state.example.x == (1.0, 0.1) and "net_h1" not in w.html.value
    w.next_button.click()
    assert "0.15×1 + 0.2×0.1 + 0.35" in w.html.value and "0.520000000" in w.html.value


def test_negative_learning_rate_is_refused_not_clamped():
    w = BackpropStepper()
    w.lr.value = -1.0
    assert w.state.example.learning_rate == 0.5                    # kept, not turned into 1e-06
    assert "Not applied" in w.html.value and "learning_rate must be &gt; 0" in w.html.value


def test_state_reports_bad_values_instead_of_raising():
    s = BackpropStepperState()
    msg = s.set_learning_rate(-1)
    assert "learning_rate must be > 0" in msg and s.example.learning_rate == 0.5
    assert s.set_inputs(float("nan"), 0.1).startswith("⚠")
    for bad in (0, -3, math.inf, math.nan, 2.5, "10", True, MAX_TRAIN_STEPS + 1):
        assert s.train(bad) is None, bad
        assert "steps must be a whole number" in s.message and s.iteration == 0
    assert s.train(10.0) is not None and s.iteration == 10
