import numpy as np
import pytest
from matplotlib.figure import Figure

from dlhelpers import viz
from dlhelpers.data import moons
from dlhelpers.scratch.backprop_example import BackpropExample
from dlhelpers.scratch.perceptron import Perceptron


def test_plots_return_figures():
    d = moons(50, rng=0)
    assert isinstance(viz.plot_decision_boundary(lambda X: X[:, :1] > 0, d.X, d.y), Figure)
    assert isinstance(viz.plot_decision_boundary(lambda X: np.c_[X[:, 0], -X[:, 0], X[:, 1]], d.X, d.y), Figure)
    assert isinstance(viz.plot_activations(["relu", "tanh"]), Figure)
    assert isinstance(viz.plot_history({"loss": [1, 0.5], "val_loss": [1.1, 0.7]}, metrics=("loss",)), Figure)
    assert isinstance(viz.plot_loss_surface(lambda a, b: a * a + b * b, {"gd": np.array([[1, 1], [0.5, 0.5]])}), Figure)
    p = Perceptron(0.1, "binary")
    from dlhelpers.data import logic_gate
    g = logic_gate("or")
    h = p.fit(g.X, g.y)
    assert isinstance(viz.plot_perceptron_history(g.X, g.y, h), Figure)
    png = viz.figure_to_png(viz.plot_error_curve([1.0, 0.5, 0.1]))
    assert png[:4] == b"\x89PNG"


def test_confusion_matrix_and_image_grid():
    fig = viz.plot_confusion_matrix([0, 1, 1, 2], [0, 2, 1, 2])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["1", "0", "0", "0", "1", "1", "0", "0", "1"]          # row 1: one right, one called 2
    fig = viz.plot_images(np.zeros((5, 8, 8, 1)), titles=list("abcde"), ncols=3)
    assert len(fig.axes) == 6 and fig.axes[4].get_title() == "e"
    with pytest.raises(ValueError, match="same length"):
        viz.plot_confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match=r"images must be \(n, H, W\)"):
        viz.plot_images(np.zeros((8, 8)))


def test_svg_diagrams():
    svg = viz.network_svg((2, 3, 1), weights=[np.ones((2, 3)), -np.ones((3, 1))], highlight=("L0N1-N2",))
    assert svg.startswith("<svg") and svg.count("<circle") == 6 and svg.count("<line") == 9 and "#e4572e" in svg
    b = viz.backprop_svg(BackpropExample(), highlight=("w5", "y1"), values={"h1": 0.5932})
    assert "w5=0.4" in b and "0.593200" in b and b.count("#e4572e") >= 2


def test_bad_input():
    with pytest.raises(ValueError, match="X must have 2 features"):
        viz.plot_decision_boundary(lambda X: X, np.zeros((3, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"weights\[0\] must have shape \(2, 3\)"):
        viz.network_svg((2, 3, 1), weights=[np.ones((3, 2)), np.ones((3, 1))])
    with pytest.raises(ValueError, match="layer_sizes"):
        viz.network_svg((2,))
