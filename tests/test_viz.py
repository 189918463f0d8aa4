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


def test_backprop_svg_draws_labels_over_lines_and_shows_gradients():
    b = viz.backprop_svg(BackpropExample(), highlight=("w5",), gradients={"w5": 0.0822, "w6": -0.5}, error=0.298)
    assert b.rfind("<line") < b.index("w5=0.4")                 # every label after every line
    assert "∂E/∂w5=0.0822" in b and "∂E/∂w6=−0.5" in b and "0.298000" in b
    big = viz.backprop_svg(BackpropExample(), scale=2)
    assert 'width="1360"' in big and 'viewBox="0 0 680 320"' in big


def test_step_text_uses_one_notation():
    from dlhelpers.viz.steppers import pretty_arithmetic, pretty_quantity, signed_sum
    assert pretty_quantity("dE/dout_h1") == "∂E/∂out_h1"
    assert pretty_quantity("dout_y2/dnet_y2") == "∂out_y2/∂net_y2"
    assert pretty_arithmetic("delta_y1·w5 + delta_y2·w7") == "δ_y1·w5 + δ_y2·w7"
    assert pretty_arithmetic("0.1×0.4 + -0.038×0.5") == "0.1×0.4 − 0.038×0.5"
    assert pretty_arithmetic("0.4 − 0.5×-0.08") == "0.4 − 0.5×(−0.08)"
    assert pretty_arithmetic("0.4 − -0.08") == "0.4 + 0.08"
    assert pretty_arithmetic("-(0.01 − 0.75)") == "−(0.01 − 0.75)"
    assert signed_sum([161, -9, 659]) == "161 − 9 + 659"
    from dlhelpers.scratch.backprop_example import backprop_steps
    from dlhelpers.viz.steppers import step_text
    for step in backprop_steps():
        line = step_text(step)
        assert "+ -" not in line and "dE/" not in line and "delta_" not in line and line.endswith(f"{abs(step.value):.9f}")


def test_grid_cells_stay_readable():
    assert [viz.format_number(v) for v in (4.0, 1 / 9, -9.0, 19.5, np.nan)] == ["4", "0.111", "−9", "19.5", ""]
    g = viz.grid_html(np.full((3, 3), 1 / 9), highlight=((0, 2), (0, 2)), mark=(1, 1), scale=2)
    assert g.count("min-width:68px") == 9 and g.count("#ffd166") == 4 and g.count("border-radius:50%") == 1
    assert "font-size:30px" in g
    with pytest.raises(ValueError, match="a must be 2-D"):
        viz.grid_html(np.zeros((2, 2, 2)))


def test_pool_and_conv_frames():
    from dlhelpers.scratch.conv import conv2d_steps
    from dlhelpers.scratch.pooling import pool2d_steps
    frames = list(pool2d_steps(np.array([[1, 5], [3, 2.]]), 2))
    page = viz.pool_frame_html(frames[0], frames[0], "max", 0, 1, "size")
    assert "max(1, 5, 3, 2) = <b>5</b>" in page and "row 0, column 1" in page and "step 1 of 1" in page
    assert "Press <b>Next</b>" in viz.pool_frame_html(None, frames[0], "max", -1, 1, "size")
    frames = list(conv2d_steps(np.ones((3, 3, 2)), np.ones((2, 2, 2)), bias=-1))
    page = viz.conv_frame_html(frames[1], frames[0], np.ones((2, 2, 2)), ((0, 0), (0, 0)), 1, 4, "size")
    assert "= 4 + 4 = 8; + bias −1 = <b>7</b>" in page and "step 2 of 4" in page and "output 2×2" in page
