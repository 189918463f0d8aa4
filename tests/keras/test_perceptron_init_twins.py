import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401
import keras  # noqa: E402
from dlhelpers.data import logic_gate  # noqa: E402
from dlhelpers.keras.perceptron import perceptron_model  # noqa: E402
from dlhelpers.scratch.initializers import initialize  # noqa: E402
from dlhelpers.scratch.perceptron import Perceptron  # noqa: E402


@pytest.mark.parametrize("gate", ["and", "or", "nand", "xor"])
@pytest.mark.parametrize("outputs", ["bipolar", "binary"])
def test_perceptron_twin_predictions(gate, outputs):
    d = logic_gate(gate, bipolar=outputs == "bipolar")
    p = Perceptron(0.1, outputs, rng=0)
    p.fit(d.X, d.y, epochs=20)
    grid = np.random.default_rng(0).uniform(-0.5, 1.5, (200, 2))
    np.testing.assert_array_equal(p.predict(grid), perceptron_model(p.weights, outputs).predict(grid, verbose=0)[:, 0])
    with pytest.raises(ValueError, match="outputs must be"):
        perceptron_model(p.weights, "ternary")


@pytest.mark.parametrize("name, keras_cls", [("glorot_uniform", keras.initializers.GlorotUniform),
                                             ("glorot_normal", keras.initializers.GlorotNormal),
                                             ("he_normal", keras.initializers.HeNormal),
                                             ("he_uniform", keras.initializers.HeUniform),
                                             ("random_normal", keras.initializers.RandomNormal),
                                             ("random_uniform", keras.initializers.RandomUniform)])
def test_initializer_distributions_match_keras(name, keras_cls):
    """Different random streams, same distribution: compare spread and range on large draws."""
    shape = (400, 300)
    ours = initialize(name, shape, rng=0)
    theirs = keras_cls(seed=0)(shape).numpy()
    assert ours.std() == pytest.approx(theirs.std(), rel=0.03)
    assert abs(ours.mean()) < 0.01 and abs(theirs.mean()) < 0.01
    assert np.abs(ours).max() <= np.abs(theirs).max() * 1.05 + 1e-6
