"""Widgets driven headlessly: click the buttons, read what the widgets show."""
import numpy as np
import pytest

from dlhelpers.widgets.quiz_state import Question, QuizState

pytest.importorskip("ipywidgets")
from dlhelpers.widgets import BackpropStepper, HyperparameterExplorer, Quiz  # noqa: E402
from dlhelpers.widgets.quiz_bank import QUIZZES  # noqa: E402


def test_quiz_feedback_and_score():
    q = Quiz(QUIZZES["unit1"], title="Unit I")
    q.buttons[0].click()
    assert "Pick an answer" in q.feedback[0].value
    q.choices[0].value = "Sigmoid"
    q.buttons[0].click()
    assert q.feedback[0].value.startswith("❌")
    q.choices[0].value = "Mean squared error"
    q.buttons[0].click()
    assert q.feedback[0].value.startswith("✅") and "0 on the first try" in q.score.value
    q.choices[2].value = "One complete pass through the training set"
    q.buttons[2].click()
    assert "2 of 10 correct (1 on the first try)" in q.score.value


def test_quiz_state_and_questions():
    st = QuizState([Question("1 + 1?", ("1", "2"), 1, "two")])
    assert st.answer(0, 1) == (True, "✅ Correct. two")
    assert st.score() == (1, 1)
    with pytest.raises(ValueError, match="answer must index"):
        Question("?", ("a",), 3)
    assert len(QUIZZES["unit1"]) >= 10


def test_explorer_trains_and_draws():
    from dlhelpers.data import moons
    e = HyperparameterExplorer(moons(120, rng=0), epochs=30)
    e.units.value = 6
    e.train_button.click()
    assert e.image.value[:4] == b"\x89PNG"
    assert "test accuracy" in e.report.value and "moons" in e.report.value
    assert e.state.units == 6
