"""Initializers: Keras's formulas (limits, standard deviations, truncation), shapes, seeds, bad input."""
import numpy as np
import pytest

from dlhelpers.scratch.initializers import INITIALIZERS, MAX_SIZE, fans, initialize

# Keras's VarianceScaling: scale s, mode fan_in / fan_avg;
#   uniform → U(−l, l) with l = √(3·s / n);  truncated normal → std √(s / n) after the cut at 2σ
SPEC = {  # name: (distribution, s, n as a function of (fan_in, fan_out))
    "glorot_uniform": ("uniform", 1.0, lambda i, o: (i + o) / 2),
    "glorot_normal": ("truncated", 1.0, lambda i, o: (i + o) / 2),
    "he_uniform": ("uniform", 2.0, lambda i, o: i),
    "he_normal": ("truncated", 2.0, lambda i, o: i),
    "lecun_uniform": ("uniform", 1.0, lambda i, o: i),
    "lecun_normal": ("truncated", 1.0, lambda i, o: i),
}


def test_fans_as_keras_computes_them():
    assert fans(7) == (7, 7)
    assert fans((7,)) == (7, 7)
    assert fans((3, 5)) == (3, 5)
    # conv kernel (KH, KW, C, F) = (3, 3, 2, 8): receptive field 9 → fan_in 9·2 = 18, fan_out 9·8 = 72
    assert fans((3, 3, 2, 8)) == (18, 72)
    assert fans((5, 3, 4)) == (15, 20)          # Conv1D kernel (K, C, F)


def test_hand_worked_limits():
    # glorot_uniform (3, 5): l = √(6 / 8) = 0.8660 ; he_uniform: l = √(6 / 3) = 1.4142 ; lecun_uniform: √(3 / 3) = 1
    for name, lim in (("glorot_uniform", 0.8660254), ("he_uniform", 1.4142136), ("lecun_uniform", 1.0)):
        w = initialize(name, (3, 5), rng=0)
        assert np.abs(w).max() <= lim
    big = {name: initialize(name, (3, 50_000), rng=1) for name in ("glorot_uniform", "he_uniform", "lecun_uniform")}
    # with 150,000 draws the largest |w| comes within 1e-3 of the limit; glorot here is √(6 / 50,003)
    assert np.abs(big["glorot_uniform"]).max() == pytest.approx(np.sqrt(6 / 50_003), rel=1e-3)
    assert np.abs(big["he_uniform"]).max() == pytest.approx(np.sqrt(2.0), rel=1e-3)
    assert np.abs(big["lecun_uniform"]).max() == pytest.approx(1.0, rel=1e-3)


@pytest.mark.parametrize("name", list(SPEC))
@pytest.mark.parametrize("shape", [(200, 300), (5, 5, 16, 40)])
def test_distribution_matches_keras_formula(name, shape):
    kind, s, n_of = SPEC[name]
    fan_in, fan_out = fans(shape)
    n = n_of(fan_in, fan_out)
    std = np.sqrt(s / n)
    w = initialize(name, shape, rng=7)
    assert w.shape == shape and w.dtype == np.float64
    # 60,000 draws: the sample std is within about 0.6 % of the true one (3 standard errors)
    assert w.std() == pytest.approx(std, rel=0.02)
    assert abs(w.mean()) < 0.02 * std
    if kind == "uniform":
        assert np.abs(w).max() <= np.sqrt(3 * s / n)
    else:  # truncated at two standard deviations of the underlying normal (std / 0.8796)
        assert np.abs(w).max() <= 2 * std / 0.87962566103423978
        assert np.abs(w).max() > 0.95 * 2 * std / 0.87962566103423978


def test_fixed_and_small_random_initializers():
    np.testing.assert_array_equal(initialize("zeros", (2, 3)), 0.0)
    np.testing.assert_array_equal(initialize("ones", 4), 1.0)
    w = initialize("random_normal", (300, 200), rng=0)
    assert w.std() == pytest.approx(0.05, rel=0.02)
    u = initialize("random_uniform", (300, 200), rng=0)
    assert np.abs(u).max() <= 0.05 and u.std() == pytest.approx(0.05 / np.sqrt(3), rel=0.02)


@pytest.mark.parametrize("name", INITIALIZERS)
def test_seeded_draws_repeat_and_dtype_is_kept(name):
    a = initialize(name, (3, 3, 2, 4), rng=3, dtype=np.float32)
    b = initialize(name, (3, 3, 2, 4), rng=np.random.default_rng(3), dtype=np.float32)
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32 and a.shape == (3, 3, 2, 4)
    if name not in ("zeros", "ones"):
        assert not np.array_equal(a, initialize(name, (3, 3, 2, 4), rng=4, dtype=np.float32))


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"shape": ()}, ValueError, r"shape must be a non-empty tuple of positive ints for initialize; got \(\)"),
    ({"shape": (0, 3)}, ValueError, "shape must be a non-empty tuple of positive ints"),
    ({"shape": (-1, 3)}, ValueError, "shape must be a non-empty tuple of positive ints"),
    ({"shape": (2.5, 3)}, TypeError, "shape must be a tuple of positive ints"),
    ({"shape": "ab"}, TypeError, "shape must be an int or a tuple of positive ints"),
    ({"shape": None}, TypeError, "shape must be an int or a tuple"),
    ({"shape": (10 ** 6, 10 ** 6)}, ValueError, "shape must be at most 100,000,000 values"),
    ({"shape": (2, 2), "dtype": np.int32}, TypeError, "dtype must be a floating-point dtype"),
    ({"shape": (2, 2), "dtype": "banana"}, TypeError, "dtype must be a floating-point dtype"),
    ({"shape": (2, 2), "rng": "seed"}, TypeError, "rng must be"),
    ({"name": "xavier", "shape": (2, 2)}, ValueError, "kernel_initializer must be one of"),
])
def test_bad_input(kwargs, exc, match):
    kwargs = {"name": "glorot_uniform", **kwargs}
    with pytest.raises(exc, match=match):
        initialize(**kwargs)
    assert MAX_SIZE == 10 ** 8


@pytest.mark.parametrize("shape", [np.array(1.5), {"a": 1}, 3.0, b"ab"])
def test_fans_rejects_odd_shapes_with_our_message(shape):
    with pytest.raises(TypeError, match="shape must be an int or a tuple of positive ints for fans"):
        fans(shape)


@pytest.mark.parametrize("shape", [(4, 16), (16, 4), (5, 5), (3, 3, 2, 4), (7,)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    w = initialize("orthogonal", shape, rng=0)
    assert w.shape == shape
    m = w.reshape(-1, shape[-1]) if len(shape) > 1 else w.reshape(1, -1)   # Keras's (prod(shape[:-1]), shape[-1])
    small = min(m.shape)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


def test_orthogonal_sign_fix_makes_it_unbiased():
    # without multiplying by sign(diag(R)), NumPy's QR gives w[0, 0] < 0 on every draw
    first = np.array([initialize("orthogonal", (3, 3), rng=seed)[0, 0] for seed in range(200)])
    assert 60 < np.sum(first > 0) < 140
    # a recurrent kernel (U, 4U) of an LSTM: U orthonormal rows of length 4U
    r = initialize("orthogonal", (3, 12), rng=1, dtype=np.float32)
    assert r.dtype == np.float32
    np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-6)
