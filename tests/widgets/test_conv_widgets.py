"""The convolution stepper: its state in plain pytest, its shell clicked headlessly."""
import subprocess
import sys

import numpy as np
import pytest

from dlhelpers.data.course import worked_example
from dlhelpers.widgets.conv_state import KERNEL_CHOICES, MAX_PADDING, ConvStepperState, parse_kernel

pytest.importorskip("ipywidgets")
from dlhelpers.widgets import ConvStepper  # noqa: E402


def test_state_walks_the_course_example():
    s = ConvStepperState()
    assert s.output_shape() == (3, 3) and len(s.frames) == 9
    values = []
    while not s.at_end:
        values.append(s.next().value)
    np.testing.assert_array_equal(np.reshape(values, (3, 3)), worked_example("conv_5x5")["output"])
    assert s.back().position == (2, 1)
    assert "⌊(5 + 0 − 3) / 1⌋ + 1 = 3" in s.size_text()


def test_rgb_defaults_reproduce_the_notes():
    s = ConvStepperState("course RGB corner (5×5×3)")          # the course kernels, padding 1, bias 1
    assert (s.kernel_name, s.padding, s.bias) == ("course RGB kernels", 1, 1.0)
    s.goto(len(s.frames) - 1)
    np.testing.assert_array_equal(s.current.output[:2, :4], worked_example("conv_rgb")["output_top_left"])


def test_state_messages_for_combinations_that_do_not_work():
    s = ConvStepperState("course RGB corner (5×5×3)")
    assert s.configure(image="course 5×5 binary image") and "3-channel image" in s.error and s.frames == []
    s.configure(image="course 5×5 binary image", kernel="typed", kernel_text="1 1 1 1 1 1;" * 6, padding="valid")
    assert "must fit inside" in s.error
    s.configure(kernel_text="1 0; 0 1", strides=2, padding="valid")
    assert "not a whole number" in s.note and s.kernel_name == "typed"
    s.configure(kernel_text="   ")
    assert "empty box" in s.error and "got ''" not in s.error


def _assert_nothing_to_show(s):
    assert s.error and s.kernel is None and s.frames == [] and s.current is None
    assert s.pads() is None and s.output_shape() is None and s.size_text() == "" and s.note == ""
    with pytest.raises(ValueError, match="settings must work before the Keras check"):
        s.keras_check()


def test_a_first_configure_that_fails_leaves_no_kernel():
    s = ConvStepperState(image="handwritten digit (8×8)", kernel="course RGB kernels")   # a grey image
    assert "3-channel image" in s.error
    _assert_nothing_to_show(s)                                  # pads() was an AttributeError on None
    s.configure(kernel="course X")                              # and it recovers
    assert s.error == "" and s.kernel.shape == (3, 3, 1) and s.pads() == ((0, 0), (0, 0))


def test_a_later_failure_drops_the_previous_kernel():
    s = ConvStepperState()
    assert s.kernel is not None and s.size_text()
    s.configure(kernel="typed", kernel_text="1 1 1 1 1 1;" * 6)  # 6×6 kernel on the 5×5 image
    assert "must fit inside" in s.error
    _assert_nothing_to_show(s)                                  # the old 3×3 kernel stayed behind
    s.configure(kernel_text="1 a")
    assert "must be numbers" in s.error
    _assert_nothing_to_show(s)
    s.configure(kernel_text="0 1; 1 0")
    assert s.error == "" and s.kernel.shape == (2, 2, 1) and s.output_shape() == (4, 4)


def test_typed_kernel_works_from_the_constructor():
    s = ConvStepperState(kernel="typed")                        # was an AttributeError
    assert s.kernel_name == "typed" and len(s.frames) == 9 and s.next().value == 4


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(kernel="blurry"), ValueError, "kernel must be one of 'course X'.*'typed'"),
    (dict(image="cat"), ValueError, "image must be one of 'course 5×5 binary image'"),
    (dict(strides="2"), TypeError, "strides must be a whole number.*not text"),
    (dict(strides=0), ValueError, "strides must be from 1"),
    (dict(padding="2"), ValueError, "padding must be one of 'valid', 'same'"),
    (dict(padding=1.5), TypeError, "padding must be 'valid', 'same' or a whole number"),
    (dict(padding=10 ** 9), ValueError, f"padding must be from 0 to {MAX_PADDING}"),
    (dict(bias="1"), TypeError, "bias must be a finite number"),
])
def test_bad_arguments_give_clear_errors(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ConvStepperState(**kwargs)
    s = ConvStepperState()
    with pytest.raises(exc, match=match):
        s.configure(**kwargs)
    assert s.output_shape() == (3, 3) and s.error == ""         # unchanged


def test_parse_kernel():
    np.testing.assert_array_equal(parse_kernel("1, 2; 3 4"), [[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="numbers"):
        parse_kernel("1 a; 0 1")
    with pytest.raises(ValueError, match="same length"):
        parse_kernel("1 2; 3")
    assert "typed" in KERNEL_CHOICES


def test_bias_change_shows_at_once():
    w = ConvStepper()
    w.next_button.click()
    assert "= <b>4</b>" in w.html.value
    w.bias.value = 1.5
    assert w.state.position == 0 and "+ bias 1.5 = <b>5.5</b>" in w.html.value


def test_conv_stepper_buttons_and_controls():
    w = ConvStepper()
    assert w.back_button.disabled and "Press <b>Next</b>" in w.html.value and "step 0 of 9" in w.html.value
    w.next_button.click()
    assert "position (0, 0)" in w.html.value and "= <b>4</b>" in w.html.value
    w.next_button.click()
    assert "position (0, 1)" in w.html.value and "= <b>3</b>" in w.html.value
    w.back_button.click()
    assert "position (0, 0)" in w.html.value
    w.padding.value = "same"
    assert "rows ⌊(5 + 2 − 3) / 1⌋ + 1 = 5" in w.html.value and w.state.output_shape() == (5, 5)
    w.strides.value = 2
    assert w.state.output_shape() == (3, 3)
    w.kernel.value = "course RGB kernels"
    assert "3-channel image" in w.html.value and w.next_button.disabled     # a message, not a traceback
    assert w.typed_box.layout.display == "none"                            # the text box only for "typed"
    w.kernel.value = "typed"
    assert w.typed_box.layout.display is None and w.kernel_text.continuous_update is False
    w.kernel_text.value = "0 0 0; 0 2 0; 0 0 0"
    w.reset_button.click()
    w.next_button.click()
    assert w.state.current.value == 2 * w.state.current.window[1, 1, 0]


def test_choosing_the_rgb_image_brings_its_course_settings():
    w = ConvStepper()
    w.image.value = "course RGB corner (5×5×3)"
    assert (w.kernel.value, w.padding.value, w.bias.value) == ("course RGB kernels", 1, 1.0)
    w.state.goto(8)
    w.refresh()
    assert "= 161 − 9 + 659 = 811; + bias 1 = <b>812</b>" in w.html.value


def test_kernel_values_do_not_run_together():
    w = ConvStepper(kernel="box blur")
    assert "0.111" in w.html.value and "0.1110.111" not in w.html.value
    assert "min-width:34px" in w.html.value


def test_clicking_to_the_end_never_imports_tensorflow():
    code = ("import sys\nfrom dlhelpers.widgets import ConvStepper\nw = ConvStepper()\n"
            "for _ in range(20): w.next_button.click()\n"
            "w.play_button.click()\nw.image.value = 'course RGB corner (5×5×3)'\n"
            "for _ in range(30): w.next_button.click()\n"
            "assert w.state.at_end and w.next_button.disabled\n"
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_keras_check_is_a_button():
    w = ConvStepper()
    assert "Keras" not in w.html.value
    w.check_button.click()
    assert w.state.keras_diff == 0.0 and "max |difference| = 0.0e+00" in w.html.value and w.status.value == ""
