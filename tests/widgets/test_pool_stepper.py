"""The pooling stepper: its state in plain pytest, its shell clicked headlessly."""
import numpy as np
import pytest

from dlhelpers.data.course import worked_example
from dlhelpers.widgets.pool_state import PoolStepperState

pytest.importorskip("ipywidgets")
from dlhelpers.widgets import PoolStepper  # noqa: E402


@pytest.mark.parametrize("image", ["course 4×4", "course 5×5"])
def test_state_reproduces_the_course_examples(image):
    ex = worked_example("pool_4x4" if image == "course 4×4" else "pool_5x5")
    s = PoolStepperState(image)                              # the example's window and stride by default
    assert (s.pool_size, s.stride) == (ex["pool_size"], ex["stride"])
    s.goto(len(s.frames) - 1)
    np.testing.assert_array_equal(s.current.output, ex["max"])
    if "average" in ex:
        s.configure(mode="average")
        assert s.position == len(s.frames) - 1               # max ↔ average keeps the place
        np.testing.assert_array_equal(s.current.output, ex["average"])


def test_state_output_size_formula():
    s = PoolStepperState()
    assert "rows ⌊(4 − 2) / 2⌋ + 1 = 2" in s.size_text()
    s.configure(padding="same", pool_size=3, strides=2)
    assert "⌈4 / 2⌉ = 2" in s.size_text()


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(image="cat"), ValueError, "image must be one of 'course 4×4'"),
    (dict(pool_size="2"), TypeError, "pool_size must be a whole number"),
    (dict(pool_size=100), ValueError, "pool_size must be from 1 to 6"),
    (dict(strides="two"), TypeError, "strides must be a whole number"),
    (dict(padding=3), TypeError, "padding must be 'valid' or 'same'"),
    (dict(mode="min"), ValueError, "mode must be one of 'max', 'average'"),
])
def test_bad_arguments_give_clear_errors(kwargs, exc, match):
    s = PoolStepperState()
    with pytest.raises(exc, match=match):
        s.configure(**kwargs)
    assert s.output_shape() == (2, 2)


def test_pool_stepper_marks_the_winner():
    w = PoolStepper()
    w.next_button.click()
    assert "max(12, 20, 8, 12) = <b>20</b>" in w.html.value
    assert "winner (ringed) is at row 0, column 1" in w.html.value and "border-radius:50%" in w.html.value
    assert "output size = ⌊(n − pool) / stride⌋ + 1" in w.html.value
    w.mode.value = "average"
    assert "border-radius:50%" not in w.html.value and "(12 + 20 + 8 + 12) / 4 = <b>13</b>" in w.html.value
    w.image.value = "course 5×5"
    assert w.pool_size.value == 3 and w.strides.value == 1 and len(w.state.frames) == 9
    w.pool_size.value = 6
    assert "does not work" in w.html.value and w.next_button.disabled
