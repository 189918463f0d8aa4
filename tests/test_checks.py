import numpy as np
import pytest

from dlhelpers import _checks as C


def test_message_names_argument_expected_got_and_fix():
    with pytest.raises(ValueError) as e:
        C.as_array(np.zeros(4), "x", "dense_forward", ndim=2, shape_hint="(N, in)", fix="Add a batch axis.")
    msg = str(e.value)
    assert msg.startswith("x must be 2-D (N, in) for dense_forward; got shape (4,).")
    assert msg.endswith("Add a batch axis.")


@pytest.mark.parametrize("bad, exc, text", [
    (["a", "b"], TypeError, "numeric"),
    (np.array([1.0, np.nan]), ValueError, "finite"),
    (np.array([1 + 2j]), TypeError, "real-valued"),
    ([[1, 2], [3]], TypeError, "array of numbers"),
])
def test_as_array_rejects(bad, exc, text):
    with pytest.raises(exc, match=text):
        C.as_array(bad, "x", "f")


@pytest.mark.parametrize("value, exc", [(0, ValueError), (-0.1, ValueError), ("0.1", TypeError),
                                        (float("nan"), ValueError), (True, TypeError)])
def test_check_positive(value, exc):
    with pytest.raises(exc, match="learning_rate"):
        C.check_positive(value, "learning_rate", "SGD")


def test_check_rng_accepts_seed_generator_none():
    assert isinstance(C.check_rng(3), np.random.Generator)
    g = np.random.default_rng(0)
    assert C.check_rng(g) is g
    with pytest.raises(TypeError, match="rng must be"):
        C.check_rng("seed")


@pytest.mark.parametrize("value, kwargs, exc, match", [
    ("0.3", {}, TypeError, r"alpha must be a number for f; got '0.3' \(str\)"),
    (True, {}, TypeError, "alpha must be a number"),
    (None, {}, TypeError, "alpha must be a number"),
    (float("nan"), {}, ValueError, "alpha must be a number, finite for f; got nan"),
    (float("-inf"), {}, ValueError, "alpha must be a number, finite"),
    (2.0, {"integer": True}, TypeError, "alpha must be an integer"),
    (5, {"low": 0, "high": 1}, ValueError, r"alpha must be in \[0, 1\] for f; got 5"),
    (-1, {"low": 0}, ValueError, r"alpha must be in \[0, inf\]"),
])
def test_check_number_rejects(value, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        C.check_number(value, "alpha", "f", **kwargs)


def test_check_number_and_count_accept():
    assert C.check_number(np.float32(0.5), "a", "f", low=0, high=1) == np.float32(0.5)
    assert C.check_number(3, "a", "f", integer=True) == 3
    assert C.check_count(np.int64(7), "steps", "f", maximum=10) == 7 and C.check_count(3.0, "s", "f", maximum=5) == 3
    assert C.check_count(0, "s", "f", maximum=5, allow_zero=True) == 0


@pytest.mark.parametrize("value, exc", [(float("inf"), ValueError), (float("nan"), ValueError), (-3, ValueError),
                                        (0, ValueError), (11, ValueError), (2.5, ValueError), ("3", TypeError),
                                        (None, TypeError), (True, TypeError)])
def test_check_count_rejects(value, exc):
    with pytest.raises(exc, match=r"steps must be a whole number"):
        C.check_count(value, "steps", "train", maximum=10)


def test_check_bool_axis_nonempty_callable_finite_result():
    assert C.check_bool(np.bool_(True), "flag", "f") is True
    with pytest.raises(TypeError, match="flag must be True or False for f; got 'False'"):
        C.check_bool("False", "flag", "f")
    assert C.check_axis(-1, 3, "axis", "f") == 2
    with pytest.raises(ValueError, match=r"axis must be an axis in \[-2, 1\] for a 2-D array for f; got 2"):
        C.check_axis(2, 2, "axis", "f")
    with pytest.raises(TypeError, match="axis must be an integer axis"):
        C.check_axis(1.0, 2, "axis", "f")
    C.check_nonempty(np.zeros((2, 3)), "x", "f")
    with pytest.raises(ValueError, match=r"x must be non-empty for f; got shape \(2, 0\)"):
        C.check_nonempty(np.zeros((2, 0)), "x", "f")
    with pytest.raises(ValueError, match="x must be non-empty"):
        C.check_nonempty(np.zeros((0, 3)), "x", "f", axes=0)
    with pytest.raises(TypeError, match="fn must be callable for f; got 3"):
        C.check_callable(3, "fn", "f")
    with pytest.raises(ValueError, match="out must be finite for f; got 1 non-finite value"):
        C.check_finite_result(np.array([1.0, np.inf]), "out", "f", "Lower the rate.")


def test_check_pair_and_dout():
    assert C.check_pair(2, "strides", "f") == (2, 2) and C.check_pair((1, 3), "strides", "f") == (1, 3)
    with pytest.raises(ValueError, match=r"strides must be an int or a pair \(rows, cols\) for f; got \(1, 2, 3\)"):
        C.check_pair((1, 2, 3), "strides", "f")
    with pytest.raises(ValueError, match="strides must be > 0"):
        C.check_pair(0, "strides", "f")
    np.testing.assert_array_equal(C.check_dout(np.ones((2, 3)), (2, 3), "g"), 1.0)
    with pytest.raises(ValueError, match=r"dout must be the forward output's shape \(2, 3\) for g; got shape \(3, 2\)"):
        C.check_dout(np.ones((3, 2)), (2, 3), "g")


def test_check_rng_and_check_choice_reject_odd_values_with_our_messages():
    with pytest.raises(ValueError, match="rng must be a non-negative int seed for f; got -1"):
        C.check_rng(-1, "f")
    with pytest.raises(ValueError, match="activation must be one of 'relu', 'tanh' for f; got array"):
        C.check_choice(np.array([1.0, 2.0]), "activation", "f", ["relu", "tanh"])
    with pytest.raises(ValueError, match="activation must be one of"):
        C.check_choice(["relu"], "activation", "f", ["relu", "tanh"])
    assert C.check_choice("tanh", "activation", "f", ("relu", "tanh")) == "tanh"
    assert C.check_choice(None, "padding", "f", [None, "same"]) is None


def test_check_interval_accepts_pairs_and_returns_floats():
    assert C.check_interval((-1, 1), "value_range", "f") == (-1.0, 1.0)
    out = C.check_interval(np.array([0, 255], dtype=np.uint8), "clip", "f")
    assert out == (0.0, 255.0) and all(type(v) is float for v in out)
    assert C.check_interval([np.float32(0.25), 3], "r", "f") == (0.25, 3.0)
    assert C.check_interval(None, "clip", "f", allow_none=True) is None


@pytest.mark.parametrize("value, kwargs, exc, match", [
    # not a pair at all: TypeError naming the expected form; the caller's fix, else "Pass e.g. name=example."
    (-1, {}, TypeError, r"r must be a pair \(low, high\) for f; got -1\. Pass e.g\. r=\(0, 1\)\.$"),
    ("01", {}, TypeError, r"r must be a pair \(low, high\) for f; got '01'"),
    ((0, 1, 2), {}, TypeError, r"r must be a pair \(low, high\) for f; got \(0, 1, 2\)"),
    (np.zeros((2, 2)), {}, TypeError, r"r must be a pair \(low, high\) for f; got array"),
    ({0, 1}, {}, TypeError, r"r must be a pair \(low, high\) for f"),
    (None, {}, TypeError, r"r must be a pair \(low, high\) for f; got None"),
    (1, dict(bounds=("lo", "hi"), allow_none=True, fix="Pass clip=None for no clipping."), TypeError,
     r"r must be a pair \(lo, hi\) or None for f; got 1\. Pass clip=None for no clipping\.$"),
    # ends that are not finite numbers
    (("a", 1), {}, TypeError, r"r must be a number for f; got 'a' \(str\)\. Pass e\.g\. r=\(0, 1\)\.$"),
    ((True, 2), {}, TypeError, r"r must be a number for f; got True"),
    ((0, float("inf")), dict(example=(-1, 1)), ValueError, r"r must be a number, finite for f; got inf\. "
                                                           r"Pass e\.g\. r=\(-1, 1\)\.$"),
    ((float("nan"), 1), {}, ValueError, r"r must be a number, finite for f; got nan"),
    # in the wrong order, or empty: the message shows the swapped pair
    ((1, -1), {}, ValueError, r"r must be \(low, high\) with low < high for f; got \(1, -1\)\. "
                              r"Put the smaller value first: r=\(-1, 1\)\.$"),
    (np.array([1.0, 0.0]), dict(bounds=("lo", "hi")), ValueError,
     r"r must be \(lo, hi\) with lo < hi for f; got \(1\.0, 0\.0\)\. Put the smaller value first: r=\(0\.0, 1\.0\)\.$"),
    ((0.5, 0.5), {}, ValueError, r"r must be \(low, high\) with low < high for f; got \(0\.5, 0\.5\)\. "
                                 r"Pass two different values, e\.g\. r=\(0, 1\)\.$"),
])
def test_check_interval_rejects(value, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        C.check_interval(value, "r", "f", **kwargs)
