import numpy as np
import pytest

from dlhelpers.data import logic_gate
from dlhelpers.scratch.perceptron import Perceptron


def test_and_first_epoch_by_hand():
    # binary outputs, η = 0.1, w = [w0, w1, w2] = 0, samples in order (0,0),(0,1),(1,0),(1,1):
    # (0,0) t=0: z=0 → o=step(0)=0, no change
    # (0,1) t=0: z=0 → o=0, no change
    # (1,0) t=0: z=0 → o=0, no change
    # (1,1) t=1: z=0 → o=0, error 1 → w += 0.1·[1,1,1] = [0.1, 0.1, 0.1]
    p = Perceptron(learning_rate=0.1, outputs="binary")
    hist = p.fit(*logic_gate("and"), epochs=1)
    np.testing.assert_allclose(hist.weights[1], [0.1, 0.1, 0.1])
    assert hist.errors == [1]


@pytest.mark.parametrize("gate", ["and", "or", "nand", "nor"])
@pytest.mark.parametrize("bipolar", [False, True])
def test_learns_linearly_separable_gates(gate, bipolar):
    d = logic_gate(gate, bipolar=bipolar)
    p = Perceptron(learning_rate=0.1, outputs="bipolar" if bipolar else "binary")
    hist = p.fit(d.X, d.y, epochs=50)
    assert hist.converged and hist.errors[-1] == 0
    np.testing.assert_array_equal(p.predict(d.X), d.y)


@pytest.mark.parametrize("bipolar", [False, True])
def test_never_learns_xor(bipolar):
    d = logic_gate("xor", bipolar=bipolar)
    p = Perceptron(learning_rate=0.1, outputs="bipolar" if bipolar else "binary")
    hist = p.fit(d.X, d.y, epochs=200, shuffle=True, rng=0)
    assert not hist.converged
    assert min(hist.errors) >= 1
    assert np.mean(p.predict(d.X) == d.y) <= 0.75     # at most 3 of 4 right: no line separates XOR


def test_history_table():
    p = Perceptron(0.5, "binary", initial_weights=[0.0, 0.2, -0.1])
    hist = p.fit(*logic_gate("or"), epochs=10)
    rows = hist.table()
    assert rows[0][:4] == (0, 0.0, 0.2, -0.1)
    assert len(rows) == hist.epochs_run + 1


def test_bad_input():
    with pytest.raises(ValueError, match="y must contain only \\[-1.0, 1.0\\]"):
        Perceptron(outputs="bipolar").fit(*logic_gate("and"))
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        Perceptron(learning_rate=0)
    with pytest.raises(ValueError, match="outputs must be one of"):
        Perceptron(outputs="ternary")
    with pytest.raises(ValueError, match="initial_weights must have 1 \\+ 2 entries"):
        Perceptron(outputs="binary", initial_weights=[0, 0]).fit(*logic_gate("and"))
    with pytest.raises(ValueError, match="must be fitted"):
        Perceptron().predict(np.zeros((1, 2)))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: Perceptron(outputs="binary").fit(np.zeros((0, 2)), np.zeros(0)), ValueError,
     r"X must be non-empty for Perceptron.fit; got shape \(0, 2\)"),
    (lambda: Perceptron(outputs="binary").fit(*logic_gate("xor"), epochs=10 ** 9), ValueError,
     r"epochs must be a whole number in \[1, 100000\]"),
    (lambda: Perceptron(outputs="binary").fit(*logic_gate("and"), epochs=float("inf")), ValueError,
     "epochs must be a whole number"),
    (lambda: Perceptron(outputs="binary").fit(*logic_gate("and"), shuffle="yes"), TypeError,
     "shuffle must be True or False"),
    (lambda: Perceptron(learning_rate=1e308, outputs="binary").fit(np.array([[1e4, 1e4], [0.0, 0.0]]),
                                                                   np.array([1.0, 0.0]), epochs=5),
     ValueError, "the weights must stay finite for Perceptron.fit"),
])
def test_more_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
