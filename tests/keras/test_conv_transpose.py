"""scratch.conv's transposed convolution ↔ Keras's Conv2DTranspose, and scratch.upsampling ↔ Keras's UpSampling2D:
outputs and gradients (tf.GradientTape) with the same weights."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
import keras  # noqa: E402
from dlhelpers.keras.conv import conv2d_transpose_forward_and_grads, conv2d_transpose_layer  # noqa: E402
from dlhelpers.keras.gradtape import forward_and_grads  # noqa: E402
from dlhelpers.scratch.conv import conv2d_transpose_backward, conv2d_transpose_forward  # noqa: E402
from dlhelpers.scratch.upsampling import up_sampling2d_backward, up_sampling2d_forward  # noqa: E402

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-5)}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("kernel_hw, strides, padding", [
    ((3, 3), 1, "valid"), ((3, 3), 2, "valid"), ((3, 3), 1, "same"), ((3, 3), 2, "same"), ((4, 4), 2, "same"),
    ((4, 4), 2, "valid"), ((5, 5), 2, "same"), ((2, 2), 3, "valid"), ((2, 2), 3, "same"), ((1, 1), 2, "same"),
    ((3, 2), (2, 3), "same"), ((5, 3), (1, 2), "valid")])
def test_conv2d_transpose_twin(kernel_hw, strides, padding, with_bias, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 5, 3)).astype(dtype)
    k = rng.standard_normal((*kernel_hw, 2, 3)).astype(dtype)          # (KH, KW, F_out, C_in)
    b = rng.standard_normal(2).astype(dtype) if with_bias else None
    out, cache = conv2d_transpose_forward(x, k, b, strides, padding)
    dout = rng.standard_normal(out.shape).astype(dtype)
    dx, grads = conv2d_transpose_backward(dout, cache)
    kout, kdx, kgrads = conv2d_transpose_forward_and_grads(x, k, b, dout, strides, padding)
    assert out.shape == kout.shape and out.dtype == kout.dtype
    assert set(grads) == set(kgrads) == ({"kernel", "bias"} if with_bias else {"kernel"})
    np.testing.assert_allclose(out, kout, **TOL[dtype])
    np.testing.assert_allclose(dx, kdx, **TOL[dtype])
    for key in grads:
        np.testing.assert_allclose(grads[key], kgrads[key], err_msg=key, **TOL[dtype])


def test_keras_layer_holds_the_given_weights():
    k = np.arange(8.0).reshape(2, 2, 1, 2)
    model = conv2d_transpose_layer(k, np.array([0.5]), strides=2, activation="relu")
    layer = model.get_layer("conv_transpose")
    assert type(layer).__name__ == "Conv2DTranspose" and layer.use_bias and layer.activation.__name__ == "relu"
    np.testing.assert_array_equal(layer.kernel.numpy(), k)
    assert model(np.ones((1, 3, 3, 2))).shape == (1, 6, 6, 1)
    assert not conv2d_transpose_layer(k).get_layer("conv_transpose").use_bias


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("size", [2, (1, 3), (3, 2)])
def test_up_sampling2d_twin(size, dtype):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 4, 2)).astype(dtype)
    out, cache = up_sampling2d_forward(x, size)
    dout = rng.standard_normal(out.shape).astype(dtype)
    dx, grads = up_sampling2d_backward(dout, cache)
    layer = keras.layers.UpSampling2D(size, interpolation="nearest", dtype=str(np.dtype(dtype)))
    kout, kdx, kgrads = forward_and_grads(layer, x, dout)
    assert grads == kgrads == {}
    np.testing.assert_array_equal(out, kout)                    # copies: exact
    np.testing.assert_allclose(dx, kdx, **TOL[dtype])           # sums of dout: up to the order of the additions
