"""scratch.perceptron ↔ keras.perceptron: the same decisions; neither gives a gradient through the threshold."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
from dlhelpers.data import logic_gate  # noqa: E402
from dlhelpers.keras.gradtape import forward_and_grads  # noqa: E402
from dlhelpers.keras.perceptron import perceptron_model  # noqa: E402
from dlhelpers.scratch.activations import sign_derivative, step_derivative  # noqa: E402
from dlhelpers.scratch.perceptron import Perceptron  # noqa: E402


@pytest.mark.parametrize("gate", ["and", "or", "nand", "xor"])
@pytest.mark.parametrize("outputs", ["bipolar", "binary"])
def test_perceptron_twin_predictions(gate, outputs):
    d = logic_gate(gate, bipolar=outputs == "bipolar")
    p = Perceptron(0.1, outputs, rng=0)
    p.fit(d.X, d.y, epochs=20)
    grid = np.random.default_rng(0).uniform(-0.5, 1.5, (200, 2))
    np.testing.assert_array_equal(p.predict(grid), perceptron_model(p.weights, outputs).predict(grid, verbose=0)[:, 0])


@pytest.mark.parametrize("outputs, derivative", [("bipolar", sign_derivative), ("binary", step_derivative)])
def test_no_gradient_through_the_threshold(outputs, derivative):
    # w = (−0.5, 1, 1): z = x1 + x2 − 0.5, so (0, 0) → z = −0.5 and (1, 1) → z = 1.5
    model = perceptron_model([-0.5, 1.0, 1.0], outputs)
    dense = model.get_layer("net_input")
    x = np.array([[0.0, 0.0], [1.0, 1.0]])
    out, dx, grads = forward_and_grads(model, x, np.ones((2, 1)), {"kernel": dense.kernel, "bias": dense.bias})
    np.testing.assert_array_equal(out[:, 0], [-1.0, 1.0] if outputs == "bipolar" else [0.0, 1.0])
    z = x.sum(1) - 0.5
    assert not derivative(z).any()                       # the scratch derivative of the threshold is 0 ...
    assert set(grads) == {"kernel", "bias"}
    assert not dx.any() and not grads["kernel"].any() and not grads["bias"].any()   # ... and so is Keras's


def test_bad_input():
    with pytest.raises(ValueError, match="outputs must be 'bipolar' or 'binary'"):
        perceptron_model([0.0, 1.0], "ternary")
    with pytest.raises(ValueError, match=r"weights must be \[w0, w1, ..., wd\]"):
        perceptron_model([1.0])
