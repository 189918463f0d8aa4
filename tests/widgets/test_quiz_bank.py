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


def test_unit3_covers_the_unit_topics():
    text = " ".join(q.prompt + " " + q.explanation for q in QUIZZES["unit3"]).lower()
    for topic in ("many-to-one", "one-to-many", "unrolled", "parameters", "bptt", "truncat", "vanishing",
                  "exploding", "clip", "forget gate", "lstm", "gru", "update gate", "reset gate", "bidirectional",
                  "baseline", "bits per character"):
        assert topic in text, topic


def _model(layer, D, T=5):
    from dlhelpers.scratch.network import Sequential
    return Sequential([layer], input_shape=(T, D), rng=0)


def test_unit3_parameter_counts_match_the_package():
    from dlhelpers.scratch.network import GRU, LSTM, Bidirectional, SimpleRNN
    rnn = _model(SimpleRNN(4), 3)
    q = _find("unit3", "SimpleRNN layer with 4 units")
    assert _right(q) == str(rnn.count_params())
    assert str(rnn.count_params() - rnn.layers[0].params["bias"].size) in q.options      # 28: no biases

    lstm = _model(LSTM(32), 8)
    q = _find("unit3", "An LSTM layer with U = 32")
    assert _right(q) == f"{lstm.count_params():,}"
    params = lstm.layers[0].params
    assert params["kernel"].shape == (8, 128) and params["recurrent_kernel"].shape == (32, 128)
    assert f"{lstm.count_params() - params['bias'].size:,}" in q.options                # 5,120: no biases
    assert f"{lstm.count_params() // 4:,}" in q.options                                  # 1,312: one gate

    gru = _model(GRU(32), 8)
    q = _find("unit3", "Keras GRU layer (reset_after=True")
    assert gru.layers[0].params["bias"].shape == (2, 96)
    assert _right(q) == f"{gru.count_params():,}"
    assert f"{gru.count_params() - 96:,}" in q.options                                  # one bias row
    assert f"{gru.count_params():,}" in _find("unit3", "An LSTM layer with U = 32").options

    bi = _model(Bidirectional(LSTM(32)), 8)
    assert _right(_find("unit3", "Bidirectional(LSTM(32))")) == f"{bi.shapes[-1][0]} wide, {bi.count_params():,} params"


def test_unit3_parameter_counts_match_keras():
    pytest.importorskip("tensorflow")
    import dlhelpers.keras  # noqa: F401  (quiet TF start-up)
    import keras

    def count(layer, D):
        model = keras.Sequential([keras.Input((5, D)), layer])
        return model.count_params()

    assert _right(_find("unit3", "SimpleRNN layer with 4 units")) == str(count(keras.layers.SimpleRNN(4), 3))
    assert _right(_find("unit3", "An LSTM layer with U = 32")) == f"{count(keras.layers.LSTM(32), 8):,}"
    assert _right(_find("unit3", "Keras GRU layer (reset_after=True")) == f"{count(keras.layers.GRU(32), 8):,}"
    assert f"{count(keras.layers.GRU(32, reset_after=False), 8):,}" in \
        _find("unit3", "Keras GRU layer (reset_after=True").options
    bi = keras.Sequential([keras.Input((5, 8)), keras.layers.Bidirectional(keras.layers.LSTM(32))])
    assert _right(_find("unit3", "Bidirectional(LSTM(32))")) == \
        f"{bi.output_shape[-1]} wide, {bi.count_params():,} params"


def test_unit3_clipping_and_gradient_numbers():
    from dlhelpers.scratch.optim import clip_by_global_norm, clip_by_norm
    grads = {"kernel": np.array([6.0, 8.0]), "bias": np.array([24.0])}
    clipped, norm = clip_by_global_norm(grads, 13)
    q = _find("unit3", "Global-norm clipping with global_clipnorm = 13")
    assert _right(q) == "[" + ", ".join(f"{v:g}" for v in clipped["kernel"]) + "]"
    assert f"√676 = {norm:g}" in q.explanation and f"bias [{clipped['bias'][0]:g}]" in q.explanation
    per_array = clip_by_norm(grads, 13)["kernel"]                                         # its norm 10 < 13
    assert "[" + ", ".join(f"{v:g}" for v in per_array) + "]" in q.options

    q = _find("unit3", "shrinks its norm by a factor 0.9")
    assert _right(q) == f"about {100 * 0.9 ** 50:.1f} %"
    assert f"1.1⁵⁰ ≈ {1.1 ** 50:.0f}" in q.explanation

    q = _find("unit3", "1.386 nats per character")
    assert _right(q) == f"{1.386 / np.log(2):.2f}"
    assert f"log₂ 27 ≈ {np.log2(27):.2f}" in q.explanation


def test_unit3_gate_answers_match_the_package():
    from dlhelpers.scratch.gru import gru_cell_forward
    from dlhelpers.scratch.lstm import lstm_cell_forward
    rng = np.random.default_rng(0)
    D, U = 3, 2
    x, h_prev, c_prev = rng.standard_normal((4, D)), rng.standard_normal((4, U)), rng.standard_normal((4, U))
    p = {"kernel": rng.standard_normal((D, 4 * U)), "recurrent_kernel": rng.standard_normal((U, 4 * U)),
         "bias": rng.standard_normal(4 * U)}
    assert _right(_find("unit3", "four gate blocks stored")) == "i, f, c, o"
    p["bias"][U:2 * U] = -60.0                                    # block 2 of 4 is the forget gate: f ≈ 0
    h, c, cache = lstm_cell_forward(x, h_prev, c_prev, p)
    assert np.allclose(c, cache.i * cache.g, atol=1e-12)          # c_prev has been dropped
    assert _right(_find("unit3", "forget gate is f ≈ 0")) == "It drops c_prev: c ≈ i⊙g"

    pg = {"kernel": rng.standard_normal((D, 3 * U)), "recurrent_kernel": rng.standard_normal((U, 3 * U)),
          "bias": rng.standard_normal((2, 3 * U))}
    pg["bias"][0, :U] = 60.0                                      # update gate z ≈ 1
    h, _ = gru_cell_forward(x, h_prev, pg)
    assert np.allclose(h, h_prev, atol=1e-12)
    assert _right(_find("unit3", "update gate z ≈ 1")) == "Keeps the previous state"


def test_unit3_forecasting_numbers_match_the_data():
    from dlhelpers.data import co2, split_windows
    _, _, (X, y) = split_windows(co2().values, lookback=24)
    last_value = np.mean(np.abs(y[:, 0] - X[:, -1, 0]))
    same_month = np.mean(np.abs(y[:, 0] - X[:, -12, 0]))
    yearly_rise = np.mean(y[:, 0] - X[:, -12, 0])
    q = _find("unit3", "A trained LSTM scores 1.30 ppm")
    assert f"MAE of {last_value:.2f} ppm" in q.prompt and 1.30 > last_value
    assert _right(q) == "The LSTM is not useful yet"
    q = _find("unit3", "same-month-last-year forecast")
    assert f"scores {same_month:.2f} ppm" in q.prompt and f"value's {last_value:.2f}" in q.prompt
    assert f"about {yearly_rise:.1f} ppm a year" in q.explanation


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
