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
