"""The checker itself can fail: each kind of broken promise is caught by :func:`contract.attempt`."""
import numpy as np
import pytest

from tests.property.contract import Refused, all_finite, attempt, attempt_or_none, same


def _index_error(x):
    return [][1]


def _nan_from_finite(x):
    return np.asarray(x) * np.nan


def _mutates(x):
    x[0] = 99.0
    return x


def _numpy_message(x):
    return np.ones((2, 3)) + np.ones((3, 2))


def _warns(x):
    return np.asarray(x) / 0.0


def _our_error(x):
    raise ValueError(f"x must be positive for f; got {x!r}. Pass e.g. x=1.")


@pytest.mark.parametrize("fn, text", [
    (_index_error, "raised IndexError"),
    (_nan_from_finite, "made NaN/inf from finite input"),
    (_mutates, "changed its input"),
    (_numpy_message, "message that is not ours"),
    (_warns, "raised RuntimeWarning"),
])
def test_broken_promises_are_caught(fn, text):
    with pytest.raises(AssertionError, match=text):
        attempt(fn, np.array([1.0, 2.0]))


def test_expectations_and_allowed_refusals():
    with pytest.raises(Refused):
        attempt(_our_error, 3)
    assert attempt_or_none(_our_error, 3) is None
    with pytest.raises(AssertionError, match="refused valid input"):
        attempt(_our_error, 3, expect="ok")
    with pytest.raises(AssertionError, match="accepted bad input"):
        attempt(lambda x: x, 3, expect="error")
    assert attempt(lambda x: x + 1, np.array([np.nan])) is not None      # NaN in: NaN out is allowed


def test_helpers():
    assert all_finite({"a": (1.0, np.array([2.0]))}) and not all_finite([np.array([np.inf])])
    assert same({"a": [np.array([np.nan])]}, {"a": [np.array([np.nan])]})
    assert not same(np.zeros(2), np.zeros(3))
