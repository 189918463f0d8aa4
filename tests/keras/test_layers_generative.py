"""The generator layers through model_from_scratch: Keras's Conv2DTranspose, UpSampling2D, Reshape and LeakyReLU with
the scratch weights give the same outputs and the same gradients (tf.GradientTape), key by key."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
from dlhelpers.keras.gradtape import forward_and_grads  # noqa: E402
from dlhelpers.keras.network import model_from_scratch  # noqa: E402
from dlhelpers.keras.weights import keras_to_scratch, named_variables  # noqa: E402
from dlhelpers.scratch.layers import (BatchNormalization, Conv2DTranspose, Dense, LeakyReLU, Reshape,  # noqa: E402
                                      UpSampling2D)
from dlhelpers.scratch.network import Sequential  # noqa: E402


def _generator(slope, dtype=np.float64):
    """Dense → Reshape → UpSampling2D → Conv2DTranspose → LeakyReLU → Conv2DTranspose (tanh), DCGAN-style."""
    return Sequential([Dense(3 * 3 * 4), Reshape((3, 3, -1)), UpSampling2D(), LeakyReLU(slope),
                       Conv2DTranspose(5, 4, strides=2, padding="same"), BatchNormalization(), LeakyReLU(slope),
                       Conv2DTranspose(2, 3, strides=(1, 2), padding="valid", use_bias=False),
                       LeakyReLU(slope), Conv2DTranspose(1, 2, strides=3, activation="tanh")],
                      input_dim=6, rng=0, dtype=dtype)


def _twin_check(net, km, z, tol):
    """Same output, and the same gradients of Σ out·dout for the noise and every parameter."""
    rng = np.random.default_rng(3)
    out = net.forward(z, training=False)
    dout = rng.standard_normal(out.shape).astype(out.dtype)
    dz = net.backward(dout)
    kout, kdz, kgrads = forward_and_grads(lambda t: km(t, training=False), z, dout, named_variables(km))
    np.testing.assert_allclose(out, kout, **tol)
    np.testing.assert_allclose(dz, kdz, **tol)
    assert set(net.grads) == set(kgrads) == set(net.params)
    for key, g in net.grads.items():
        np.testing.assert_allclose(g, kgrads[key], err_msg=key, **tol)


def test_generator_twin_float64():
    # a slope exact in float32 (TensorFlow takes LeakyReLU's slope as a float32 attribute even in float64)
    net = _generator(0.25)
    rng = np.random.default_rng(1)
    for l in net.layers:                                  # a non-zero bias and moving statistics
        for k, v in l.params.items():
            l.params[k] = v + rng.uniform(-0.3, 0.3, v.shape)
    net.layers[5].state = {"moving_mean": rng.standard_normal(5) * 0.1, "moving_variance": rng.uniform(0.5, 2, 5)}
    km = model_from_scratch(net, dtype="float64")
    assert [type(l).__name__ for l in km.layers] == [type(l).__name__ for l in net.layers]
    assert [l.name for l in km.layers] == [l.name for l in net.layers]
    # 3 → 6 (upsampling) → 12 ("same", stride 2) → (12 − 1)·(1, 2) + max(3, (1, 2)) = (14, 25) ("valid")
    # → (14 − 1)·3 + max(2, 3) = 42 rows, (25 − 1)·3 + 3 = 75 columns ("valid", k = 2 < s = 3)
    assert km.output_shape[1:] == net.output_shape == (42, 75, 1)
    assert set(named_variables(km)) == set(net.params)
    assert "conv2d_transpose_1/bias" not in net.params                       # use_bias=False on both sides
    _twin_check(net, km, rng.standard_normal((4, 6)), dict(rtol=1e-10, atol=1e-12))


def test_generator_twin_float32_with_the_default_slope():
    net = _generator(0.3, np.float32)
    km = model_from_scratch(net)
    z = np.random.default_rng(2).standard_normal((3, 6)).astype(np.float32)
    _twin_check(net, km, z, dict(rtol=1e-5, atol=1e-5))


def test_weights_copy_both_ways():
    net = _generator(0.25)
    km = model_from_scratch(net, dtype="float64", copy_weights=False)         # Keras's own initial weights
    other = _generator(0.25)
    keras_to_scratch(km, other)
    z = np.random.default_rng(4).standard_normal((2, 6))
    np.testing.assert_allclose(other.predict(z), km(z, training=False).numpy(), rtol=1e-10, atol=1e-12)
    kernel = km.get_layer("conv2d_transpose").kernel.numpy()
    np.testing.assert_array_equal(other.params["conv2d_transpose/kernel"], kernel)
    assert kernel.shape == (4, 4, 5, 4)                                       # (KH, KW, F_out, C_in) on both sides
