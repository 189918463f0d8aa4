"""The question banks and the quiz state: house rules for questions, and the worked numbers checked by the package."""
import numpy as np
import pytest

from dlhelpers.data.course import worked_example
from dlhelpers.scratch.conv import conv2d_forward, conv_output_size
from dlhelpers.scratch.pooling import average_pool2d_forward, max_pool2d_forward
from dlhelpers.widgets.quiz_bank import QUIZZES
from dlhelpers.widgets.quiz_state import Question, QuizState


def _find(bank, words):
    hits = [q for q in QUIZZES[bank] if words in q.prompt]
    assert len(hits) == 1, words
    return hits[0]


def _right(q):
    return q.options[q.answer]


@pytest.mark.parametrize("bank", sorted(QUIZZES))
def test_banks_follow_the_house_rules(bank):
    qs = QUIZZES[bank]
    assert len(qs) >= 10
    assert len({q.prompt for q in qs}) == len(qs)
    for q in qs:
        assert q.explanation.strip(), q.prompt
        others = [len(o) for i, o in enumerate(q.options) if i != q.answer]
        # the right answer is never the conspicuously long one
        assert len(_right(q)) <= 1.25 * max(others) + 2, (q.prompt, q.options)
    positions = [q.answer for q in qs]
    assert max(positions.count(i) for i in set(positions)) <= 0.6 * len(qs)


def test_unit2_covers_the_unit_topics():
    text = " ".join(q.prompt + " " + q.explanation for q in QUIZZES["unit2"]).lower()
    for topic in ("stride", "padding", "parameters", "max pooling", "average pooling", "dropout", "batch norm",
                  "augmentation", "lenet", "vgg", "inception", "resnet", "receptive field"):
        assert topic in text, topic


def test_unit2_output_sizes_match_the_package():
    assert _right(_find("unit2", "28 × 28 image is convolved")) == "{0} × {0}".format(conv_output_size(28, 5))
    assert _right(_find("unit2", "32 × 32 input, a 3 × 3 kernel")) == "{0} × {0}".format(
        conv_output_size(32, 3, stride=2, padding=1))
    assert conv_output_size(7, 5, padding=int(_right(_find("unit2", "How many zeros")))) == 7


def test_unit2_worked_examples_match_the_package():
    ex = worked_example("conv_5x5")
    out, _ = conv2d_forward(ex["image"][None, :, :, None], ex["kernel"][:, :, None, None], np.zeros(1))
    n, top_left = out.shape[1], int(out[0, 0, 0, 0])
    assert _right(_find("unit2", "5 × 5 binary image")) == f"{n} × {n}, top-left value {top_left}"

    pool = worked_example("pool_4x4")["image"][None, :, :, None]
    mx, _ = max_pool2d_forward(pool)
    rows = "; ".join(" ".join(f"{v:g}" for v in row) for row in mx[0, :, :, 0])
    assert _right(_find("unit2", "Max pooling (2 × 2, stride 2)")) == f"[{rows}]"
    avg, _ = average_pool2d_forward(pool)
    assert _right(_find("unit2", "Average pooling of the bottom-left")) == f"{avg[0, 1, 0, 0]:g}"
    assert f"[13 8; 79 {avg[0, 1, 1, 0]:g}]" in _find("unit2", "Max pooling (2 × 2, stride 2)").options


def test_unit2_parameter_counts_match_the_package():
    from dlhelpers.scratch.network import Conv2D, Sequential
    rgb = Sequential([Conv2D(16, 3)], input_shape=(32, 32, 3), rng=0)
    assert _right(_find("unit2", "16 filters of size 3 × 3")) == str(rgb.count_params())
    two = Sequential([Conv2D(32, 3), Conv2D(64, 3)], input_shape=(16, 16, 3), rng=0)
    added = two.count_params() - Sequential([Conv2D(32, 3)], input_shape=(16, 16, 3), rng=0).count_params()
    assert _right(_find("unit2", "64 filters of 3 × 3")) == f"{added:,}"
    lenet = Sequential([Conv2D(6, 5)], input_shape=(32, 32, 1), rng=0)
    assert _right(_find("unit2", "LeNet-5's first layer")) == f"28 × 28 × 6, {lenet.count_params()} params"


def test_unit2_dropout_and_batchnorm_numbers():
    assert _right(_find("unit2", "Inverted dropout")) == f"{2.0 / (1 - 0.25):.2f}"
    b = np.array([1.0, 2.0, 3.0])
    assert _right(_find("unit2", "Batch norm on the batch")) == f"{(3 - b.mean()) / b.std():.2f}"


def test_state_counts_first_tries_and_resets():
    st = QuizState([Question("1 + 1?", ("1", "2"), 1, "two"), {"prompt": "2 + 2?", "options": ("4", "5"),
                                                               "answer": 0}])
    fb = st.answer(0, "1")
    assert (fb.chosen, fb.correct, fb.attempt) == (0, False, 1)
    assert st.answer(0, 1).correct and st.answer(1, "4").correct
    assert st.score() == (2, 2) and st.summary() == "2 of 2 correct (1 on the first try)."
    assert st.answer(1, None).chosen is None and st.attempts[1] == 1     # nothing picked: nothing recorded
    st.reset()
    assert st.score() == (0, 2) and st.is_correct(0) is None


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(prompt="?", options=("a",), answer=0), ValueError, "at least two"),
    (dict(prompt="?", options="ab", answer=0), TypeError, "tuple of strings"),
    (dict(prompt="?", options=("a", "b"), answer=2), ValueError, "answer must index"),
    (dict(prompt="?", options=("a", "b"), answer=True), ValueError, "answer must index"),
    (dict(prompt="", options=("a", "b"), answer=0), TypeError, "prompt"),
    (dict(prompt="?", options=("a", "a"), answer=0), ValueError, "must all differ"),
])
def test_bad_questions_are_refused(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Question(**kwargs)


def test_bad_states_are_refused():
    with pytest.raises(ValueError, match="non-empty"):
        QuizState([])
    with pytest.raises(TypeError, match="Question objects"):
        QuizState(["What?"])
    st = QuizState([Question("?", ("a", "b"), 0)])
    with pytest.raises(ValueError, match="question index"):
        st.answer(3, 0)
