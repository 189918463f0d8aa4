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


def _minus(x, digits):
    """A number as the questions print it: fixed digits, a true minus sign."""
    return f"{x:.{digits}f}".replace("-", "−")


def test_unit4_covers_the_unit_topics():
    text = " ".join(q.prompt + " " + q.explanation + " " + " ".join(q.options) for q in QUIZZES["unit4"]).lower()
    for topic in ("p(y | x)", "p(x, y)", "generator", "discriminator", "v(d, g)", "d*", "k = 3", "frozen",
                  "minimax", "non-saturating", "lsgan", "mode collapse", "modes covered", "oscillate",
                  "dcgan", "strided", "pooling", "batch norm", "leakyrelu", "tanh", "[−1, 1]",
                  "conv2dtranspose", "conditional", "acgan", "cyclegan", "cycle-consistency", "srgan", "infogan",
                  "fréchet", "application"):
        assert topic in text, topic


def test_unit4_bayes_rule_number():
    q = _find("unit4", "generative and a discriminative classifier")
    assert _right(q) == "Generative p(x, y); discriminative p(y | x)"
    prior, like1, like0 = 0.3, 0.4, 0.1
    joint1, joint0 = prior * like1, (1 - prior) * like0
    assert f"p(y=1) = {prior}, p(x | y=1) = {like1} and p(x | y=0) = {like0}" in q.explanation
    assert f"= {joint1:.2f} / ({joint1:.2f} + {joint0:.2f}) ≈ {joint1 / (joint1 + joint0):.2f}" in q.explanation


def test_unit4_value_function_numbers_match_the_package():
    from dlhelpers.scratch.gan import discriminator_loss, value_function
    half = np.zeros(5)                                             # logit 0: D = 0.5 on every input
    q = _find("unit4", "What is V when D outputs 0.5")
    v = value_function(half, half[:3])
    assert _right(q) == _minus(v, 3) and np.isclose(v, -np.log(4))
    assert _minus(np.log(0.5), 3) in q.options                     # one term only
    assert f"−log 4 ≈ {_minus(v, 3)}" in q.explanation
    assert f"2·log 2 ≈ {discriminator_loss(half, half):.3f}" in q.explanation
    q = _find("unit4", "a falling generator loss")
    assert f"2·log 2 ≈ {discriminator_loss(half, half):.3f}" in q.explanation


def test_unit4_optimal_discriminator_maximises_the_value():
    q = _find("unit4", "the best discriminator is D*(x)")
    p_data, p_g = 0.3, 0.1
    assert f"p_data = {p_data} and p_g = {p_g}" in q.prompt
    d = np.linspace(1e-4, 1 - 1e-4, 99_999)
    best = d[np.argmax(p_data * np.log(d) + p_g * np.log(1 - d))]  # the pointwise value D maximises
    assert abs(best - p_data / (p_data + p_g)) < 1e-4
    assert _right(q) == f"{best:.2f}"
    assert f"{p_g / (p_data + p_g):.2f}" in q.options and f"{p_g / (p_data + p_g):.2f} is" in q.explanation


def test_unit4_training_procedure_matches_the_package():
    from dlhelpers.data.targets import gan_target
    from dlhelpers.scratch.gan import build_mlp_gan
    q = _find("unit4", "original GAN training algorithm with k = 3")
    gan = build_mlp_gan(k=3, rng=0)
    x = gan_target("ring", 32, rng=1).points
    gan.train_step(x, rng=2)
    assert _right(q) == f"{gan.d_optimizer.iterations} D steps, then {gan.g_optimizer.iterations} G step with D frozen"
    d_before = {k: v.copy() for k, v in gan.discriminator.params.items()}
    g_before = {k: v.copy() for k, v in gan.generator.params.items()}
    gan.generator_step(gan.noise(32, rng=3))                        # G's step: the gradient passes through D
    assert all(np.array_equal(gan.discriminator.params[k], v) for k, v in d_before.items())
    assert any(not np.array_equal(gan.generator.params[k], v) for k, v in g_before.items())


def test_unit4_generator_gradients_match_the_package():
    from dlhelpers.scratch.activations import sigmoid
    from dlhelpers.scratch.gan import generator_loss_grad
    q = _find("unit4", "D(G(z)) = σ(a) = 0.01")
    a = np.array([np.log(0.01 / 0.99)])                            # the logit with σ(a) = 0.01
    assert np.isclose(sigmoid(a)[0], 0.01)
    minimax = generator_loss_grad(a, "minimax")[0]
    non_saturating = generator_loss_grad(a, "non_saturating")[0]
    assert minimax < 0 and non_saturating < 0                       # both push the logit up
    assert _right(q) == f"{_minus(minimax, 2)} and {_minus(non_saturating, 2)}"
    assert f"{_minus(non_saturating, 2)} and {_minus(minimax, 2)}" in q.options
    assert f"−σ(a) = {_minus(minimax, 2)}" in q.explanation and f"= {_minus(non_saturating, 2)}" in q.explanation
    assert f"{non_saturating / minimax:.0f} times stronger" in q.explanation


def test_unit4_lsgan_numbers_match_the_package():
    from dlhelpers.scratch.gan import discriminator_loss, generator_loss
    q = _find("unit4", "An LSGAN discriminator outputs")
    real, fake = [0.6], [0.2]
    assert f"a = {real[0]} on a real sample and a = {fake[0]} on a fake" in q.prompt
    d = discriminator_loss(real, fake, "least_squares")
    g = generator_loss(fake, "least_squares")
    assert _right(q) == f"D {d:.2f}, G {g:.2f}"
    assert f"D {2 * d:.2f}, G {2 * g:.2f}" in q.options                # the ½ left out
    assert f"{0.5 * (real[0] - 1) ** 2:.2f} + {0.5 * fake[0] ** 2:.2f} = {d:.2f}" in q.explanation


def test_unit4_mode_collapse_numbers_match_the_package():
    from dlhelpers.data.targets import gan_target
    from dlhelpers.metrics import modes_covered
    q = _find("unit4", "ring of 8 Gaussians puts all 1,000")
    target = gan_target("ring", 1000, rng=0)
    n, m = 1000, len(target.centers)
    rng = np.random.default_rng(0)
    collapsed = target.centers[rng.choice([0, 3], n)] + 0.5 * target.std * rng.standard_normal((n, 2))
    assert _right(q) == f"Mode collapse; {modes_covered(collapsed, target)} of {m} modes covered"
    assert modes_covered(target.points, target) == m == 8                  # the target itself covers all
    need = int(np.ceil(0.2 * n / m))
    assert f"⌈0.2·1,000 / {m}⌉ = {need} samples" in q.explanation
    two = np.repeat(target.centers[:2], [n - need, need], axis=0)           # the 2nd mode just reaches it
    one = np.repeat(target.centers[:2], [n - need + 1, need - 1], axis=0)   # one sample short
    assert modes_covered(two, target) == 2 and modes_covered(one, target) == 1


def test_unit4_pixel_scaling_matches_the_data():
    from dlhelpers.data import mnist_5k
    q = _find("unit4", "A DCGAN generator ends in tanh")
    assert _right(q) == "To [−1, 1], the same range as G's output"
    assert (0 / 127.5 - 1, 255 / 127.5 - 1) == (-1.0, 1.0)
    levels = (mnist_5k(value_range=(-1, 1)).X + 1) * 127.5                 # back to grey levels 0 … 255
    assert np.allclose(levels, np.round(levels)) and levels.min() == 0 and np.isclose(levels.max(), 255)
    assert "mnist_5k(value_range=(−1, 1))" in q.explanation


def test_unit4_transposed_conv_size_matches_the_package():
    from dlhelpers.scratch.conv import conv2d_transpose_forward, conv_transpose_output_size
    q = _find("unit4", "Keras Conv2DTranspose with a 4 × 4 kernel")
    x, kernel = np.ones((1, 7, 7, 1)), np.ones((4, 4, 1, 1))
    valid = conv2d_transpose_forward(x, kernel, strides=2, padding="valid")[0].shape[1]
    same = conv2d_transpose_forward(x, kernel, strides=2, padding="same")[0].shape[1]
    assert valid == conv_transpose_output_size(7, 4, 2) == (7 - 1) * 2 + max(4, 2)
    assert _right(q) == f"{valid} × {valid}"
    assert f"{same} × {same}" in q.options and f"n·s = {same}" in q.explanation
    assert f"6·2 + 4 = {valid}" in q.explanation
    small = conv_output_size(7, 4, stride=2)                              # an ordinary convolution
    assert f"{small} × {small}" in q.options
    grow = [7]
    for _ in range(2):
        grow.append(conv_transpose_output_size(grow[-1], 4, 2, "same"))
    assert " → ".join(map(str, grow)) in q.explanation                     # 7 → 14 → 28
    assert f"gives {conv_transpose_output_size(3, 1, 2)}, not {(3 - 1) * 2 + 1}" in q.explanation


def test_unit4_transposed_conv_size_matches_keras():
    pytest.importorskip("tensorflow")
    import dlhelpers.keras  # noqa: F401  (quiet TF start-up)
    import keras
    q = _find("unit4", "Keras Conv2DTranspose with a 4 × 4 kernel")
    for padding in ("valid", "same"):
        layer = keras.layers.Conv2DTranspose(1, 4, strides=2, padding=padding)
        h = layer.compute_output_shape((None, 7, 7, 1))[1]
        assert f"{h} × {h}" in q.options
        if padding == "valid":
            assert _right(q) == f"{h} × {h}"


def test_unit4_conditional_input_width():
    q = _find("unit4", "conditional GAN produce a digit")
    z, y = np.zeros((1, 100)), np.eye(10)[[7]]                             # noise and a one-hot label
    assert f"a one-hot vector of {y.shape[1]} appended to {z.shape[1]} noise numbers: " \
           f"{np.concatenate([z, y], axis=1).shape[1]} inputs" in q.explanation


def test_unit4_frechet_distance_matches_the_package():
    from dlhelpers.metrics import frechet_distance
    q = _find("unit4", "The Fréchet distance between Gaussians")
    rng = np.random.default_rng(0)

    def exact(mean, var):                             # samples whose mean and variance (ddof = 1) are exact
        s = rng.standard_normal(500)
        return (mean + np.sqrt(var) * (s - s.mean()) / s.std(ddof=1))[:, None]

    fd = frechet_distance(exact(0.0, 1.0), exact(1.0, 4.0))
    assert abs(fd - 2.0) < 1e-9
    assert _right(q) == f"{fd:.0f}"
    assert f"1 + 1 + 4 − 2·1·2 = {fd:.0f}" in q.explanation
    assert f"{1 + 1 + 4}" in q.options and f"{(0 - 1) ** 2}" in q.options   # no cross term; the means only


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
