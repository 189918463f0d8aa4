"""What every stepper shares (StepperShell): Play/Pause, the keyboard, presenter mode, the saved picture."""
import pytest

from dlhelpers.widgets.cursor import StepCursor

pytest.importorskip("ipywidgets")
from dlhelpers.widgets import BackpropStepper, ConvStepper, PoolStepper  # noqa: E402

STEPPERS = [BackpropStepper, ConvStepper, PoolStepper]


def test_cursor_sets_its_attributes_per_instance():
    a, b = StepCursor(), StepCursor([1, 2])
    assert "frames" not in vars(StepCursor) and a.frames == [] and a.frames is not b.frames
    assert b.goto(5) == 2 and b.at_end and b.goto(-7) is None


@pytest.mark.parametrize("cls", STEPPERS)
def test_play_continues_from_the_current_step_and_pauses_in_place(cls):
    w = cls()
    w.next_button.click()
    w.next_button.click()
    w.play_button.click()                       # what the browser's timer then does: value 1, 2, ...
    assert w.playing and w.play.playing and w.play_button.description == "❚❚ Pause"
    w.play.value = 1
    assert w.state.position == 2                # from step 2 to step 3, not back to step 1
    w.play_button.click()                       # Pause
    assert not w.playing and not w.play.playing and w.play_button.description == "▶ Play"
    w.play.value = 2                            # a late tick after Pause changes nothing
    assert w.state.position == 2


@pytest.mark.parametrize("cls", STEPPERS)
def test_next_back_and_settings_stop_play(cls):
    w = cls()
    w.play_button.click()
    w.next_button.click()
    assert not w.playing and w.state.position == 0
    w.play_button.click()
    w.back_button.click()
    assert not w.playing and w.state.position == -1


def test_play_stops_when_the_image_changes_and_at_the_end():
    w = ConvStepper()
    w.play_button.click()
    w.image.value = "handwritten digit (8×8)"
    assert not w.playing and w.state.position == -1
    w.play_button.click()
    for k in range(1, len(w.state.frames) + 1):
        w.play.value = k
    assert w.state.at_end and not w.playing and w.play_button.disabled


@pytest.mark.parametrize("cls", STEPPERS)
def test_keyboard_drives_the_stepper(cls):
    w = cls()
    assert w.keys is not None and w.keys.source is w.stage and "keydown" in w.keys.watched_events
    w._on_key({"type": "keydown", "key": "ArrowRight"})
    w._on_key({"type": "keydown", "key": "ArrowRight"})
    assert w.state.position == 1
    w._on_key({"type": "keydown", "key": "ArrowLeft"})
    assert w.state.position == 0
    w._on_key({"type": "keydown", "key": " "})
    assert w.playing
    w._on_key({"type": "keydown", "key": " "})
    assert not w.playing
    w._on_key({"type": "keydown", "key": "Home"})
    assert w.state.position == -1
    assert "point the mouse at this framed area" in w.hint.value


@pytest.mark.parametrize("cls", STEPPERS)
def test_presenter_mode_scales_text_and_buttons(cls):
    w = cls()
    w.next_button.click()
    assert "font-size:16px" in w.html.value and w.next_button.style.font_size == "15px"
    w.presenter_toggle.value = True
    assert "font-size:26px" in w.html.value and w.next_button.style.font_size == "24px"
    assert cls(presenter=True).scale == w.scale > 1


@pytest.mark.parametrize("cls", STEPPERS)
def test_saved_notebook_shows_a_static_first_step(cls):
    w = cls()
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].endswith("(run the cell to use it)") and "VBox" not in bundle["text/plain"]
    page = bundle["text/html"]
    assert "step 1 of" in page and "<script" not in page and "<style" not in page and "class=\"dl-" in page
    assert w.state.position == -1                  # the picture does not move the live widget
