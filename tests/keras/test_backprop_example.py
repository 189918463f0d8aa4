"""The 2-2-2 worked example: Keras + GradientTape give the hand-derived E_total and ∂E/∂w1 … ∂E/∂w8."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
from dlhelpers.keras.backprop_example import backprop_model, gradients  # noqa: E402
from dlhelpers.scratch.backprop_example import NOTES_VALUES, BackpropExample  # noqa: E402

KEYS = {"E_total"} | {f"dE/dw{i}" for i in range(1, 9)}


@pytest.mark.parametrize("example", [
    BackpropExample(),                                                        # the notes' numbers
    BackpropExample(x=(0.3, -0.7), w=(0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8), b=(-0.1, 0.2), t=(0.9, 0.2)),
    BackpropExample().train(3)[0],                                            # after three steps
], ids=["notes", "other_numbers", "after_3_steps"])
def test_keras_gradients_equal_the_chain_rule(example):
    keras_g = gradients(example)
    hand = example.gradients()
    assert set(keras_g) == KEYS and set(keras_g) - {"E_total"} <= set(hand)
    assert keras_g["E_total"] == pytest.approx(example.error(), abs=1e-12)
    for key in KEYS - {"E_total"}:
        assert keras_g[key] == pytest.approx(hand[key], rel=1e-10, abs=1e-15), key


def test_the_notes_numbers():
    g = gradients(BackpropExample())
    assert g["E_total"] == pytest.approx(NOTES_VALUES["E_total"], abs=1e-9)       # 0.298371109
    assert g["dE/dw5"] == pytest.approx(NOTES_VALUES["dE/dw5"], abs=1e-9)         # 0.0821670407
    assert g["dE/dw1"] == pytest.approx(NOTES_VALUES["dE/dw1"], abs=1e-9)         # 0.000438568


def test_backprop_model_layout():
    ex = BackpropExample()
    model = backprop_model(ex)
    kernel = model.get_layer("hidden").get_weights()[0]
    np.testing.assert_array_equal(kernel, [[0.15, 0.25], [0.20, 0.30]])     # [[w1, w3], [w2, w4]]: w1, w2 feed h1
    out = model(np.array([ex.x])).numpy()[0]
    v = ex.forward()
    np.testing.assert_allclose(out, [v["out_y1"], v["out_y2"]], rtol=1e-12)   # 0.75136507, 0.772928465
    with pytest.raises(TypeError, match="example must be a dlhelpers.scratch.backprop_example.BackpropExample"):
        gradients({"w": ex.w})
