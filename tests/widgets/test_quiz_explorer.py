"""The quiz and the hyperparameter explorer driven headlessly: click the buttons, set values, read what shows."""
import re

import pytest

pytest.importorskip("ipywidgets")
from dlhelpers.data import moons  # noqa: E402
from dlhelpers.viz.quiz import RIGHT_COLOUR, WRONG_COLOUR  # noqa: E402
from dlhelpers.widgets import HyperparameterExplorer, Quiz  # noqa: E402
from dlhelpers.widgets.quiz_bank import QUIZZES  # noqa: E402
from dlhelpers.widgets.quiz_state import Question  # noqa: E402

EMOJI = re.compile("[\u2600-\u27bf\U0001f300-\U0001faff]")   # ✅ ❌ and friends need an emoji font


# --- quiz ----------------------------------------------------------------------------------------

def test_quiz_clicks_give_feedback_and_score():
    q = Quiz(QUIZZES["unit1"], title="Unit I")
    q.buttons[0].click()
    assert "Pick an answer" in q.feedback[0].value and "0 of 10" in q.score.value
    q.select(0, "Logistic sigmoid")
    q.buttons[0].click()
    assert "Not quite" in q.feedback[0].value and "Logistic sigmoid" in q.feedback[0].value
    q.choices[0].value = 3                      # radio values are option indices
    q.buttons[0].click()
    assert "Correct." in q.feedback[0].value and "loss" in q.feedback[0].value
    assert "1 of 10 correct (0 on the first try)" in q.score.value
    q.select(2, "One pass over the whole training set")
    q.buttons[2].click()
    assert "2 of 10 correct (1 on the first try)" in q.score.value
    assert q.choices[2].label == "One pass over the whole training set"


def test_right_and_wrong_differ_in_word_mark_and_colour_without_emoji():
    q = Quiz([Question("1 + 1?", ("1", "2", "3"), 1, "Count them.")])
    q.select(0, "3")
    q.buttons[0].click()
    wrong = q.feedback[0].value
    q.select(0, "2")
    q.buttons[0].click()
    right = q.feedback[0].value
    assert 'aria-label="correct"' in right and "<svg" in right and "Correct." in right and RIGHT_COLOUR in right
    assert 'aria-label="wrong"' in wrong and "<svg" in wrong and "Not quite" in wrong and WRONG_COLOUR in wrong
    assert RIGHT_COLOUR not in wrong and WRONG_COLOUR not in right
    assert "solid" in right and "dashed" in wrong            # the border differs too, not colour alone
    for html in (right, wrong, q.snapshot_html()):
        assert not EMOJI.search(html), EMOJI.search(html)


def test_check_by_index_is_robust():
    q = Quiz([Question("Which?", ("a", "b"), 0)])
    with pytest.raises(ValueError, match="one of 'a', 'b'"):
        q.select(0, "c")
    with pytest.raises(ValueError, match=r"index in \[0, 1\]"):
        q.state.answer(0, 2)
    with pytest.raises(TypeError, match="index"):
        q.state.answer(0, True)
    with pytest.raises(ValueError, match="question index"):
        q.select(1, "a")
    with pytest.raises(ValueError, match="must all differ"):
        Question("Twice?", ("same", "other", "same"), 0)
    assert q.state.chosen == {}                 # nothing recorded by the failed calls


def test_quiz_large_mode_and_saved_notebook_picture():
    q = Quiz(QUIZZES["unit2"], title="Unit II", large=True)
    assert "dl-quiz-large" in q.widget._dom_classes and "font-size:22px" in q.prompts[0].value
    assert q.buttons[0].style.font_size == "22px"
    q.select(0, "24 × 24")
    q.buttons[0].click()
    assert "font-size:22px" in q.feedback[0].value
    bundle = q._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "VBox(" not in bundle["text/plain"] and "run the cell" in bundle["text/plain"]
    html = bundle["text/html"]
    assert "Unit II" in html and "28 × 28" in html and "Correct." in html and "1 of 21 correct" in html
    small = Quiz(QUIZZES["unit2"])
    assert "font-size:15px" in small.prompts[0].value and "dl-quiz-large" not in small.widget._dom_classes


# --- hyperparameter explorer -------------------------------------------------------------------------

@pytest.fixture
def explorer():
    return HyperparameterExplorer(moons(120, rng=0), epochs=15)


def test_explorer_trains_and_draws(explorer):
    assert "press Train" in explorer.plot.value and explorer.png is None
    explorer.units.value = 6
    explorer.train_button.click()
    assert explorer.png[:4] == b"\x89PNG" and "data:image/png;base64," in explorer.plot.value
    assert "test accuracy" in explorer.report.value and "moons" in explorer.report.value
    assert "6 tanh units" in explorer.report.value and explorer.state.units == 6
    assert "settings changed" not in explorer.plot.value and explorer.status.value == ""


def test_moving_a_slider_marks_the_plot_stale(explorer):
    explorer.train_button.click()
    explorer.learning_rate.value = 0.2
    assert explorer.state.is_stale
    assert "settings changed — press Train to update" in explorer.plot.value and "opacity:0.35" in explorer.plot.value
    assert "Settings changed" in explorer.status.value
    explorer.learning_rate.value = 0.05                       # back to what the picture shows
    assert not explorer.state.is_stale and "settings changed" not in explorer.plot.value
    explorer.activation.value = "relu"
    assert "settings changed" in explorer.plot.value
    explorer.train_button.click()
    assert "settings changed" not in explorer.plot.value and "opacity:1" in explorer.plot.value
    assert "relu" in explorer.report.value


def test_train_is_disabled_and_says_what_it_trains_while_running(explorer):
    seen = []
    explorer.status.observe(lambda ch: seen.append((explorer.train_button.disabled,
                                                    explorer.train_button.description, ch["new"])), names="value")
    explorer.hidden_layers.value = 2
    explorer.train_button.click()
    busy = [s for s in seen if s[0]]
    assert busy and all(desc == "Training…" for _, desc, _ in busy)
    assert any("2 hidden layers × 8 tanh units" in text for _, _, text in busy)
    assert any("epoch 15/15" in text for _, _, text in busy)
    assert not explorer.train_button.disabled and explorer.train_button.description == "Train"


def test_plot_says_training_while_busy(explorer, monkeypatch):
    shown = {}
    real_train = explorer.state.train

    def spy(on_epoch=None):
        shown["plot"], shown["disabled"] = explorer.plot.value, explorer.train_button.disabled
        return real_train(on_epoch=on_epoch)
    monkeypatch.setattr(explorer.state, "train", spy)
    explorer.train_button.click()
    assert shown["disabled"] and "training…" in shown["plot"]
    assert "training…" not in explorer.plot.value


def test_errors_are_shown_not_raised(explorer, monkeypatch):
    explorer.state.epochs = 0                    # bypasses the sliders and update()
    assert explorer.train() is None
    assert "Error" in explorer.status.value and "epochs must be &gt;= 1" in explorer.status.value
    assert not explorer.train_button.disabled
    explorer.epochs.value = 10
    assert "Error" not in explorer.status.value

    def boom(on_epoch=None):
        raise FloatingPointError("the training loss became nan")
    monkeypatch.setattr(explorer.state, "train", boom)
    explorer.train_button.click()                # must not raise
    assert "FloatingPointError" in explorer.status.value and not explorer.train_button.disabled


def test_explorer_saved_notebook_picture(explorer):
    explorer.train()
    bundle = explorer._repr_mimebundle_()
    html = bundle["text/html"]
    assert "data:image/png;base64," in html and "learning rate" in html and "test accuracy" in html
    assert "VBox(" not in html and "VBox(" not in bundle["text/plain"]


def test_controls_hold_the_state_values_exactly():
    # a float slider would round 0.05 to its step in the browser and mark a fresh picture stale
    e = HyperparameterExplorer(moons(60, rng=0), learning_rate=0.037, dropout=0.25, epochs=650, batch_size=50)
    for name, value in e.state.settings().items():
        assert getattr(e, name).value == value, name
    e.learning_rate.value = 0.1
    e.dropout.value = 0.5
    assert (e.state.learning_rate, e.state.dropout) == (0.1, 0.5)
