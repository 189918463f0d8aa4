"""Golden tests: every worked example in data/course/worked_examples.json, recomputed with the scratch code.

The file holds the numbers the course notes print; here each one is computed again from its inputs
with ``dlhelpers.scratch`` (the same code the notebooks show), so a wrong number in the file or a
regression in the code fails a test.
"""
import numpy as np
import pytest

from dlhelpers import data as D
from dlhelpers.data import course
from dlhelpers.data.course import EXAMPLES, data_dir, data_path, worked_example
from dlhelpers.scratch.activations import sigmoid, softmax
from dlhelpers.scratch.conv import conv2d_forward, conv2d_forward_loop
from dlhelpers.scratch.dense import dense_forward
from dlhelpers.scratch.pooling import average_pool2d_forward, max_pool2d_forward


def test_every_example_loads_with_its_source():
    for name in EXAMPLES:
        ex = worked_example(name)
        assert "001_" in ex["source"] or "002_" in ex["source"], name      # names the file of the notes
        assert isinstance(ex["errata"], list)


def test_conv_5x5_matches_conv2d_forward():
    ex = worked_example("conv_5x5")
    x = ex["image"][None, :, :, None]                                      # (1, 5, 5, 1)
    k = ex["kernel"][:, :, None, None]                                     # (3, 3, 1, 1)
    for forward in (conv2d_forward, conv2d_forward_loop):
        out, _ = forward(x, k, np.zeros(1), strides=ex["stride"], padding=ex["padding"])
        np.testing.assert_array_equal(out[0, :, :, 0], ex["output"])
    # by hand, top-left: the kernel's five 1s sit on image cells 1, 1, 1, 0, 1 → 4
    assert ex["output"][0, 0] == 4 and ex["output"][2, 2] == 4


def test_conv_rgb_reproduces_the_top_left_outputs():
    ex = worked_example("conv_rgb")
    assert ex["image_channels"].shape == (5, 5, 3) and ex["kernel_channels"].shape == (3, 3, 3)
    x = ex["image_channels"][None]                                         # (1, 5, 5, 3)
    k = ex["kernel_channels"][:, :, :, None]                               # (3, 3, 3, 1)
    out, _ = conv2d_forward(x, k, np.array([ex["bias"]]), strides=ex["stride"], padding=int(ex["padding"]))
    assert out.shape == (1, 5, 5, 1)
    np.testing.assert_array_equal(out[0, :2, :4, 0], ex["output_top_left"])
    np.testing.assert_array_equal(ex["output_top_left"], [[-25, 466, 466, 475], [295, 787, 798, 812]])
    # the slide's per-channel sums for 812 (output row 1, column 3): window rows 0-2, columns 2-4
    win = x[0, 0:3, 2:5, :]
    sums = [float(np.sum(win[:, :, c] * ex["kernel_channels"][:, :, c])) for c in range(3)]
    pc = ex["per_channel_last"]
    assert sums == [pc["R"], pc["G"], pc["B"]] and sum(sums) + ex["bias"] == 812


def test_course_arrays_are_the_file_s():
    np.testing.assert_array_equal(D.COURSE_IMAGE, worked_example("conv_5x5")["image"])
    np.testing.assert_array_equal(D.COURSE_RGB_IMAGE, worked_example("conv_rgb")["image_channels"])
    np.testing.assert_array_equal(D.COURSE_RGB_KERNELS, worked_example("conv_rgb")["kernel_channels"])


def test_pool_4x4_max_and_average():
    ex = worked_example("pool_4x4")
    x = ex["image"][None, :, :, None]
    mx, _ = max_pool2d_forward(x, ex["pool_size"], ex["stride"])
    av, _ = average_pool2d_forward(x, ex["pool_size"], ex["stride"])
    np.testing.assert_array_equal(mx[0, :, :, 0], ex["max"])
    np.testing.assert_array_equal(av[0, :, :, 0], ex["average"])
    assert av[0, 1, 1, 0] == (37 + 4 + 25 + 12) / 4 == 19.5                 # the notes print 20
    assert any("19.5" in e for e in ex["errata"])


def test_pool_5x5_three_by_three_stride_one():
    ex = worked_example("pool_5x5")
    out, _ = max_pool2d_forward(ex["image"][None, :, :, None], ex["pool_size"], ex["stride"])
    np.testing.assert_array_equal(out[0, :, :, 0], ex["max"])


def test_logistic_neuron():
    ex = worked_example("logistic_neuron")
    z = float(ex["x"] @ ex["w"])                                           # 0.4 + 0.42 + 1.25
    assert z == pytest.approx(ex["z"], abs=1e-12)
    assert round(float(sigmoid(z)), 3) == ex["output_printed"] == 0.888


def test_softmax_rounded():
    ex = worked_example("softmax")
    p = softmax(ex["z"])
    np.testing.assert_array_equal(np.round(p, 3), ex["output_rounded"])
    assert p.sum() == pytest.approx(1.0)


def test_backprop_222_first_forward_and_backward():
    ex = worked_example("backprop_222")
    v = ex["notes_values"]
    w1, w2, w3, w4, w5, w6, w7, w8 = ex["w"]
    b1, b2 = ex["b"]
    x, t = ex["x"][None], ex["t"][None]
    net_h, _ = dense_forward(x, np.array([[w1, w3], [w2, w4]]), np.array([b1, b1]))
    out_h = sigmoid(net_h)
    net_y, _ = dense_forward(out_h, np.array([[w5, w7], [w6, w8]]), np.array([b2, b2]))
    out_y = sigmoid(net_y)
    E = float(0.5 * np.sum((t - out_y) ** 2))
    got = {"net_h1": net_h[0, 0], "net_h2": net_h[0, 1], "out_h1": out_h[0, 0], "out_h2": out_h[0, 1],
           "net_y1": net_y[0, 0], "net_y2": net_y[0, 1], "out_y1": out_y[0, 0], "out_y2": out_y[0, 1],
           "E_total": E}
    for key, value in got.items():
        assert value == pytest.approx(v[key], abs=1e-8), key
    delta_y = (out_y - t) * out_y * (1 - out_y)                            # dE/dnet_y
    assert delta_y[0, 0] == pytest.approx(v["delta_y1"], abs=1e-8)
    assert delta_y[0, 1] == pytest.approx(v["delta_y2"], abs=1e-8)
    assert delta_y[0, 0] * out_h[0, 0] == pytest.approx(v["dE/dw5"], abs=1e-8)
    assert w5 - ex["learning_rate"] * delta_y[0, 0] * out_h[0, 0] == pytest.approx(v["w5_new"], abs=1e-8)
    dout_h1 = delta_y[0, 0] * w5 + delta_y[0, 1] * w7
    assert dout_h1 == pytest.approx(v["dE/dout_h1"], abs=1e-8)            # the corrected 0.0363503065
    assert dout_h1 * out_h[0, 0] * (1 - out_h[0, 0]) * x[0, 0] == pytest.approx(v["dE/dw1"], abs=1e-8)


def test_worked_example_is_a_fresh_copy_and_checks_its_name():
    a = worked_example("pool_4x4")
    a["image"][0, 0] = -1.0
    a["errata"].append("scribble")
    b = worked_example("pool_4x4")
    assert b["image"][0, 0] == 12 and "scribble" not in b["errata"]
    with pytest.raises(ValueError, match="name must be one of.*conv_5x5.*got 'conv5x5'"):
        worked_example("conv5x5")


def test_data_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("DLHELPERS_DATA", raising=False)
    assert (data_dir() / "course" / "worked_examples.json").is_file()
    assert data_path("course/worked_examples.json") == data_dir() / "course" / "worked_examples.json"
    monkeypatch.setenv("DLHELPERS_DATA", str(tmp_path))
    assert data_dir() == tmp_path


def test_a_missing_file_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("DLHELPERS_DATA", str(tmp_path))                   # an empty data folder
    with pytest.raises(FileNotFoundError) as info:
        data_path("course/worked_examples.json")
    msg = str(info.value)
    assert "course/worked_examples.json must exist" in msg and str(tmp_path) in msg
    assert "DLHELPERS_DATA" in msg and "pip install -e ." in msg and "data/README.md" in msg
    with pytest.raises(FileNotFoundError, match="worked_examples.json must exist"):
        worked_example("conv_5x5")                                         # not hidden by the parse cache
    with pytest.raises(FileNotFoundError, match="worked_examples.json must exist"):
        D.COURSE_IMAGE


def test_a_copied_data_folder_is_used(tmp_path, monkeypatch):
    import json
    raw = json.loads(data_path("course/worked_examples.json").read_text(encoding="utf-8"))
    raw["softmax"]["z"] = [0, 0]
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "worked_examples.json").write_text(json.dumps(raw), encoding="utf-8")
    monkeypatch.setenv("DLHELPERS_DATA", str(tmp_path))
    np.testing.assert_array_equal(worked_example("softmax")["z"], [0, 0])
    monkeypatch.delenv("DLHELPERS_DATA")
    assert len(worked_example("softmax")["z"]) == 7
    assert course._read.cache_info().currsize >= 2                         # each file parsed once
