"""Convolution and pooling steppers, clicked headlessly."""
import numpy as np
import pytest

from dlhelpers.widgets.conv_state import ConvStepperState, PoolStepperState, parse_kernel

pytest.importorskip("ipywidgets")
from dlhelpers.widgets import ConvStepper, PoolStepper  # noqa: E402


def test_state_walks_the_course_example():
    s = ConvStepperState()
    assert s.output_shape() == (3, 3) and len(s.frames) == 9
    values = []
    while not s.at_end:
        values.append(s.next().value)
    assert values == [4, 3, 4, 2, 4, 3, 2, 3, 4]
    assert s.back().position == (2, 1)
    assert "⌊(5 + 0 − 3) / 1⌋ + 1 = 3" in s.size_text()


def test_state_rgb_example_and_messages():
    s = ConvStepperState("course RGB corner (5×5×3)", "course RGB kernels", bias=1, padding=1)
    assert s.goto(8).value == 812
    assert "161 + -9 + 659" in s.render_html()
    assert s.configure(image="course 5×5 binary image") and "3-channel image" in s.error
    assert "does not work" in s.render_html()
    s.configure(image="course 5×5 binary image", kernel_text="1 1 1 1 1 1;" * 6, padding="valid")
    assert "must fit inside" in s.error
    s.configure(kernel_text="1 0; 0 1", strides=2, padding="valid")
    assert "not a whole number" in s.note
    assert "typed" == s.kernel_name
    with pytest.raises(ValueError, match="numbers"):
        parse_kernel("1 a; 0 1")


def test_conv_stepper_buttons_and_controls():
    w = ConvStepper()
    assert w.back_button.disabled and "Press <b>Next</b>" in w.html.value
    w.next_button.click()
    assert "position (0, 0)" in w.html.value and "= <b>4</b>" in w.html.value
    w.next_button.click()
    assert "position (0, 1)" in w.html.value and "= <b>3</b>" in w.html.value
    w.back_button.click()
    assert "position (0, 0)" in w.html.value
    w.play.value = 9                                        # what Play does, frame by frame
    assert w.next_button.disabled and "Keras Conv2D" in w.html.value and "0.0e+00" in w.html.value
    w.padding.value = "same"
    assert "rows ⌊(5 + 2 − 3) / 1⌋ + 1 = 5" in w.html.value and w.state.output_shape() == (5, 5)
    w.strides.value = 2
    assert w.state.output_shape() == (3, 3)
    w.image.value = "course 5×5 binary image"
    w.kernel.value = "course RGB kernels"
    assert "3-channel image" in w.html.value and w.next_button.disabled     # a message, not a traceback
    w.kernel.value = "typed"
    w.kernel_text.value = "0 0 0; 0 2 0; 0 0 0"
    w.reset_button.click()
    w.next_button.click()
    assert w.state.current.value == 2 * w.state.current.window[1, 1, 0]


def test_pool_stepper():
    s = PoolStepperState()
    while not s.at_end:
        s.next()
    np.testing.assert_array_equal(s.current.output, [[20, 30], [112, 37]])
    w = PoolStepper()
    w.next_button.click()
    assert "max[12.0, 20.0, 8.0, 12.0] = <b>20</b>" in w.html.value
    w.mode.value = "average"
    w.play.value = 4
    assert "= <b>19.5</b>" in w.html.value
    w.pool_size.value = 3
    w.strides.value = 1
    assert w.state.current is None and len(w.state.frames) == 4
    w.image.value = "course 4×4"
    w.pool_size.value = 4
    w.padding.value = "valid"
    w.pool_size.value = 1
    assert len(w.state.frames) == 16
