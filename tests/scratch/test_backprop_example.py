"""The course's 2-2-2 worked example, number by number."""
import numpy as np
import pytest

from dlhelpers.scratch.backprop_example import NOTES_ERRATA, NOTES_VALUES, BackpropExample, backprop_steps
from dlhelpers.scratch.dense import dense_backward, dense_forward
from dlhelpers.scratch.activations import sigmoid


def values(ex):
    return {**ex.forward(), **ex.gradients()}


@pytest.mark.parametrize("name", ["net_h1", "out_h1", "net_h2", "out_h2", "net_y1", "out_y1", "net_y2", "out_y2",
                                  "E_total", "dE/dout_y1", "dout_y1/dnet_y1", "delta_y1", "dE/dw5",
                                  "dout_y2/dnet_y2", "delta_y2", "dE/dout_h1", "dout_h1/dnet_h1", "dE/dw1"])
def test_forward_and_gradients_match_the_notes(name):
    assert values(BackpropExample())[name] == pytest.approx(NOTES_VALUES[name], abs=1e-8)


def test_updated_weights_match_the_notes():
    new = BackpropExample().step().w
    printed = [NOTES_VALUES[f"w{i}_new"] for i in range(1, 9)]
    np.testing.assert_allclose(new, printed, atol=1e-8)
    assert BackpropExample().step().b == (0.35, 0.60)          # the notes keep the biases fixed


def test_partial_terms_hand_computed():
    # E1 = ½(0.01 − 0.75136507)² = 0.274811083 ; E2 = ½(0.99 − 0.772928465)² = 0.023560026
    v = BackpropExample().forward()
    assert v["E1"] == pytest.approx(0.274811083, abs=1e-9)
    assert v["E2"] == pytest.approx(0.0235600257, abs=1e-9)
    g = BackpropExample().gradients()
    # ∂E/∂out_h1 = δ_y1·w5 + δ_y2·w7 = 0.138498562·0.40 − 0.0380982366·0.50 = 0.0553994248 − 0.0190491183
    assert g["dE/dout_h1"] == pytest.approx(0.0553994248 - 0.0190491183, abs=1e-9)


def matrix_training(steps):
    """The same network with the generic dense layers, biases frozen (as in the notes)."""
    ex = BackpropExample()
    Wh, bh, Wo, bo = ex.keras_weights()
    x = np.array([ex.x])
    t = np.array([ex.t])
    errors = []
    for _ in range(steps + 1):
        zh, ch = dense_forward(x, Wh, bh)
        h = sigmoid(zh)
        zo, co = dense_forward(h, Wo, bo)
        o = sigmoid(zo)
        errors.append(float(0.5 * np.sum((t - o) ** 2)))
        do = (o - t) * o * (1 - o)
        dh, go = dense_backward(do, co)
        _, gh = dense_backward(dh * h * (1 - h), ch)
        assert set(go) == set(gh) == {"kernel", "bias"}
        Wo = Wo - 0.5 * go["kernel"]
        Wh = Wh - 0.5 * gh["kernel"]
    return np.array(errors), o


def test_step_model_equals_matrix_form_for_10000_steps():
    final, errors = BackpropExample().train(10000)
    m_errors, m_out = matrix_training(10000)
    np.testing.assert_allclose(errors, m_errors, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose([final.forward()["out_y1"], final.forward()["out_y2"]], m_out[0], atol=1e-12)


def test_training_results_against_the_notes():
    final, errors = BackpropExample().train(10000)
    # the notes print 0.291027924 after one step; the exact computation gives 0.291027774
    # (same to 6 decimals; the notebook points this out)
    assert errors[1] == pytest.approx(0.291027774, abs=1e-9)
    assert errors[1] == pytest.approx(NOTES_VALUES["E_after_1"], abs=2e-7)
    assert errors[-1] == pytest.approx(NOTES_VALUES["E_after_10000"], rel=1e-3)
    out = final.forward()
    assert out["out_y1"] == pytest.approx(NOTES_VALUES["out_y1_after_10000"], abs=2e-6)
    assert out["out_y2"] == pytest.approx(NOTES_VALUES["out_y2_after_10000"], abs=2e-6)
    assert out["out_y1"] != pytest.approx(0.159121960, abs=0.1)           # the misprint


def test_gradients_match_numerical():
    from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
    from dataclasses import replace
    ex = BackpropExample()
    p = np.array(list(ex.w) + list(ex.b))
    f = lambda: replace(ex, w=tuple(p[:8]), b=tuple(p[8:])).error()
    assert relative_error(ex.gradient_vector(), numerical_gradient(f, p)) < 1e-7


def test_steps_cover_everything_in_order():
    steps = backprop_steps()
    phases = [s.phase for s in steps]
    assert phases[0] == "forward" and phases[-1] == "update"
    assert phases.index("loss") < phases.index("backward (output)") < phases.index("backward (hidden)") \
        < phases.index("update")
    names = {s.name for s in steps}
    assert {f"dE/dw{i}" for i in range(1, 9)} <= names and {f"w{i}_new" for i in range(1, 9)} <= names
    assert [s.index for s in steps] == list(range(len(steps)))
    by_name = {s.name: s.value for s in steps}
    assert by_name["E_total"] == pytest.approx(0.298371109, abs=1e-9)
    assert "w5" in next(s for s in steps if s.name == "dE/dw5").highlight


def test_errata_listed():
    assert any("0.159121960" in e[1] for e in NOTES_ERRATA)
    assert any("408666186" in e[1] for e in NOTES_ERRATA)


def test_bad_input():
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        BackpropExample(learning_rate=0)
    with pytest.raises(ValueError, match="w must have 8 numbers"):
        BackpropExample(w=(0.1, 0.2))
    with pytest.raises(ValueError, match="finite"):
        BackpropExample(x=(np.nan, 0.1))


def test_defaults_and_notes_come_from_the_course_data_file():
    from dlhelpers.data.course import worked_example
    data = worked_example("backprop_222")
    ex = BackpropExample()
    assert ex.x == tuple(data["x"]) and ex.w == tuple(data["w"]) and ex.b == tuple(data["b"])
    assert ex.t == tuple(data["t"]) and ex.learning_rate == data["learning_rate"]
    assert NOTES_VALUES == data["notes_values"]
    assert NOTES_ERRATA == [tuple(e) for e in data["errata"]]
    assert all(len(e) == 3 and all(isinstance(part, str) for part in e) for e in NOTES_ERRATA)


@pytest.mark.parametrize("steps, exc, match", [
    (float("inf"), ValueError, r"steps must be a whole number in \[1, 100000\] for BackpropExample.train; got inf"),
    (float("nan"), ValueError, "steps must be a whole number in"),
    (-1, ValueError, "steps must be a whole number in"),
    (0, ValueError, "steps must be a whole number in"),
    (10 ** 12, ValueError, "more than 100000 would run for a very long time"),
    (2.5, ValueError, "steps must be a whole number in"),
    ("10", TypeError, "steps must be a whole number"),
    (None, TypeError, "steps must be a whole number"),
])
def test_train_rejects_bad_step_counts(steps, exc, match):
    with pytest.raises(exc, match=match):
        BackpropExample().train(steps)


def test_overflow_is_a_clear_error_and_other_bad_input():
    with pytest.raises(ValueError, match="must stay finite for BackpropExample.forward"):
        BackpropExample(w=(1e308,) * 8, x=(10.0, 10.0)).forward()
    with pytest.raises(ValueError, match="must stay finite for BackpropExample.step"):
        BackpropExample(learning_rate=1e308, t=(-1e10, 1e10)).step()
    with pytest.raises(TypeError, match="update_biases must be True or False"):
        BackpropExample(update_biases="yes")
    with pytest.raises(TypeError, match="example must be a BackpropExample or None for backprop_steps"):
        backprop_steps({"w": 1})
