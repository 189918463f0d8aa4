"""scratch.conv ↔ keras.conv: outputs and gradients for strides, paddings and dtypes."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
from dlhelpers.data.course import worked_example  # noqa: E402
from dlhelpers.keras.conv import conv2d_forward_and_grads, conv2d_layer  # noqa: E402
from dlhelpers.scratch.conv import conv2d_backward, conv2d_forward  # noqa: E402

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-4, atol=1e-4)}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("strides, padding", [(1, "valid"), (2, "valid"), (1, "same"), (2, "same"), (1, 2),
                                              ((2, 1), "same")])
def test_conv2d_twin(strides, padding, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 9, 8, 3)).astype(dtype)
    k = rng.standard_normal((3, 3, 3, 5)).astype(dtype)
    b = rng.standard_normal(5).astype(dtype)
    out, cache = conv2d_forward(x, k, b, strides, padding)
    dout = rng.standard_normal(out.shape).astype(dtype)
    dx, grads = conv2d_backward(dout, cache)
    kout, kdx, kgrads = conv2d_forward_and_grads(x, k, b, dout, strides, padding)
    assert set(grads) == set(kgrads) == {"kernel", "bias"}
    np.testing.assert_allclose(out, kout, **TOL[dtype])
    np.testing.assert_allclose(dx, kdx, **TOL[dtype])
    for key in grads:
        np.testing.assert_allclose(grads[key], kgrads[key], **TOL[dtype])


def test_course_5x5_example_in_keras():
    ex = worked_example("conv_5x5")                     # the notes' 5×5 image ⊛ 3×3 kernel, stride 1, valid
    out = conv2d_layer(ex["kernel"][:, :, None, None])(ex["image"][None, :, :, None]).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(out, ex["output"])
    # top-left window [[1,1,1],[0,1,1],[0,0,1]]: corners 1 + 1 + 0 + 1, centre 1 → 4
    assert out[0, 0] == 4


def test_int_padding_adds_zero_padding():
    model = conv2d_layer(np.ones((3, 3, 1, 2)), padding=1)
    assert [type(l).__name__ for l in model.layers] == ["ZeroPadding2D", "Conv2D"]
    assert model(np.ones((1, 5, 5, 1))).shape == (1, 5, 5, 2)
