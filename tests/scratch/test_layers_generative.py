"""The generator layers (Conv2DTranspose, UpSampling2D, Reshape, LeakyReLU): gradients, shapes, settings, a generator."""
import numpy as np
import pytest

from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from dlhelpers.scratch.layers import (Conv2DTranspose, Dense, LeakyReLU, Reshape, UpSampling2D, layer_type_names)
from dlhelpers.scratch.network import Sequential
from tests.helpers import TOL

# (layer factory, one sample's input shape, expected output shape)
CASES = {
    "Conv2DTranspose-valid": (lambda: Conv2DTranspose(3, 3, activation="tanh"), (3, 4, 2), (5, 6, 3)),
    "Conv2DTranspose-strided-same": (lambda: Conv2DTranspose(2, 4, strides=2, padding="same", activation="elu"),
                                     (3, 2, 2), (6, 4, 2)),
    "Conv2DTranspose-k<s-no-bias": (lambda: Conv2DTranspose(2, (2, 1), strides=(3, 2), use_bias=False),
                                    (2, 3, 1), (6, 6, 2)),
    "UpSampling2D": (lambda: UpSampling2D(), (2, 3, 2), (4, 6, 2)),
    "UpSampling2D-tuple": (lambda: UpSampling2D((1, 3)), (2, 2, 1), (2, 6, 1)),
    "Reshape": (lambda: Reshape((2, 3, -1)), (12,), (2, 3, 2)),
    "Reshape-flat": (lambda: Reshape([-1]), (2, 2, 3), (12,)),
    "LeakyReLU": (lambda: LeakyReLU(), (3, 4), (3, 4)),
    "LeakyReLU-0.2": (lambda: LeakyReLU(negative_slope=0.2), (2, 2, 3), (2, 2, 3)),
}


def _built(case, seed=0):
    factory, shape, expected = CASES[case]
    layer = factory()
    layer.name = "layer"
    out_shape = layer.build(shape, np.random.default_rng(seed), np.float64)
    rng = np.random.default_rng(seed + 1)
    for k, v in layer.params.items():                    # away from the starting values (zero bias)
        layer.params[k] = v + rng.uniform(-0.5, 0.5, v.shape)
    x = rng.standard_normal((3, *shape))
    x[np.abs(x) < 1e-3] = 0.5                            # LeakyReLU has no derivative at 0
    return layer, x, out_shape, expected


@pytest.mark.parametrize("case", CASES)
def test_gradients_for_input_and_every_parameter(case):
    layer, x, out_shape, expected = _built(case)
    assert tuple(out_shape) == expected
    out = layer.forward(x, training=True)
    assert out.shape == (3, *expected)
    dout = np.random.default_rng(2).standard_normal(out.shape)
    dx = layer.backward(dout)
    assert set(layer.grads) == set(layer.params)
    grads = {k: v.copy() for k, v in layer.grads.items()}
    f = lambda: float(np.sum(layer.forward(x, training=True) * dout))
    assert relative_error(dx, numerical_gradient(f, x)) < TOL, "x"
    for name, p in layer.params.items():
        err = relative_error(grads[name], numerical_gradient(f, p))
        assert err < TOL, (name, err)


@pytest.mark.parametrize("case", CASES)
def test_backward_checks_dout(case):
    layer, x, _, _ = _built(case)
    cls = type(layer).__name__
    with pytest.raises(ValueError, match=f"forward must run before backward for {cls}.backward"):
        layer.backward(np.ones((3, 2)))
    out = layer.forward(x)
    for bad in (np.ones(out.shape[1:]), np.ones((4, *out.shape[1:])), np.ones((*out.shape, 1))):
        with pytest.raises(ValueError, match=f"dout must be the forward output's shape .* for {cls}.backward"):
            layer.backward(bad)


def test_params_have_keras_names_and_layouts():
    layer = Conv2DTranspose(5, (3, 2), name="up")
    assert layer.build((4, 4, 7), np.random.default_rng(0), np.float32) == (6, 5, 5)
    assert list(layer.params) == ["kernel", "bias"]
    assert layer.params["kernel"].shape == (3, 2, 5, 7) and layer.params["kernel"].dtype == np.float32  # (KH, KW, F, C)
    np.testing.assert_array_equal(layer.params["bias"], np.zeros(5))
    no_bias = Conv2DTranspose(5, 3, use_bias=False)
    no_bias.build((4, 4, 7), np.random.default_rng(0), np.float64)
    assert list(no_bias.params) == ["kernel"] and no_bias.count_params() == 3 * 3 * 5 * 7
    for l in (UpSampling2D(), Reshape((4,)), LeakyReLU()):
        assert l.params == {} and l.count_params() == 0


def test_leaky_relu_values_and_derivative_at_zero():
    layer = LeakyReLU(negative_slope=0.2)
    out = layer.forward(np.array([[-2.0, 0.0, 3.0]]))
    np.testing.assert_allclose(out, [[-0.4, 0.0, 3.0]])
    # the derivative at exactly 0 is the slope, as TensorFlow's LeakyReluGrad (features > 0 ? 1 : slope)
    np.testing.assert_allclose(layer.backward(np.ones((1, 3))), [[0.2, 0.2, 1.0]])
    assert LeakyReLU().negative_slope == 0.3                      # Keras 3's default


def test_reshape_is_row_major_like_keras_and_works_out_minus_one():
    layer = Reshape((2, -1, 2))
    assert layer.build((12,), None, np.float64) == (2, 3, 2)
    x = np.arange(24.0).reshape(2, 12)
    out = layer.forward(x)
    assert out.shape == (2, 2, 3, 2) and out[1, 0, 1, 0] == 12 + 2          # sample 1, flat index 0·6 + 1·2 + 0
    np.testing.assert_array_equal(layer.backward(out), x)


def test_a_small_generator_trains():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((8, 4))
    images = rng.uniform(-1, 1, (8, 8 * 8))              # Sequential.fit takes (N, outputs) targets: 8×8 flattened
    net = Sequential([Dense(2 * 2 * 8), LeakyReLU(0.2), Reshape((2, 2, 8)), UpSampling2D(),
                      Conv2DTranspose(4, 3, strides=2, padding="same"), LeakyReLU(0.2),
                      Conv2DTranspose(1, 3, padding="same", activation="tanh"), Reshape((-1,))], input_dim=4, rng=1)
    assert net.shapes[-2] == (8, 8, 1) and net.output_shape == (64,)
    assert [l.name for l in net.layers] == ["dense", "leaky_re_lu", "reshape", "up_sampling2d", "conv2d_transpose",
                                            "leaky_re_lu_1", "conv2d_transpose_1", "reshape_1"]   # Keras's names
    net.compile("mse", "adam", learning_rate=0.01)
    before = net.evaluate(z, images)["loss"]
    net.fit(z, images, epochs=30, batch_size=None)
    assert net.evaluate(z, images)["loss"] < 0.9 * before


def test_layer_type_names_list_the_new_layers():
    names = layer_type_names()
    for name in ("Conv2DTranspose", "UpSampling2D", "Reshape", "LeakyReLU"):
        assert name in names


@pytest.mark.parametrize("make, exc, match", [
    (lambda: Conv2DTranspose(0, 3), ValueError, "filters must be > 0 for Conv2DTranspose"),
    (lambda: Conv2DTranspose(2.0, 3), TypeError, "filters must be an integer for Conv2DTranspose"),
    (lambda: Conv2DTranspose(2, 3, padding="full"), ValueError, "padding must be 'valid' or 'same' for Conv2DTranspose"),
    (lambda: Conv2DTranspose(2, 3, padding=1), ValueError, "padding must be 'valid' or 'same'.*no int padding"),
    (lambda: Conv2DTranspose(2, 3, strides=0), ValueError, "strides must be > 0 for Conv2DTranspose"),
    (lambda: Conv2DTranspose(2, (3, 3, 3)), ValueError, "kernel_size must be an int or a pair"),
    (lambda: Conv2DTranspose(2, 3, activation="softmax"), ValueError, "activation must be elementwise for "
                                                                      "Conv2DTranspose"),
    (lambda: Conv2DTranspose(2, 3, use_bias="yes"), TypeError, "use_bias must be True or False for Conv2DTranspose"),
    (lambda: Conv2DTranspose(2, 3, kernel_initializer="glorot"), ValueError, "kernel_initializer must be one of"),
    (lambda: UpSampling2D(0), ValueError, "size must be > 0 for UpSampling2D"),
    (lambda: UpSampling2D(2, interpolation="bilinear"), ValueError, "interpolation must be 'nearest' for UpSampling2D"),
    (lambda: Reshape(12), TypeError, "target_shape must be a non-empty tuple of ints for Reshape"),
    (lambda: Reshape(()), TypeError, "target_shape must be a non-empty tuple of ints for Reshape"),
    (lambda: Reshape((2, 2.5)), TypeError, "target_shape must be a tuple of ints for Reshape"),
    (lambda: Reshape((0, 4)), ValueError, "target_shape must be positive sizes"),
    (lambda: Reshape((-1, -1)), ValueError, "target_shape must be positive sizes with at most one −1"),
    (lambda: LeakyReLU(-0.1), ValueError, "negative_slope must be in \\[0, inf\\] for LeakyReLU"),
    (lambda: LeakyReLU("0.2"), TypeError, "negative_slope must be a number for LeakyReLU"),
    (lambda: LeakyReLU(np.nan), ValueError, "negative_slope must be a number, finite for LeakyReLU"),
    (lambda: Sequential([Reshape((5, -1))], input_dim=12), ValueError,
     r"target_shape must be a shape holding the 12 values of one input sample \(12,\) for Sequential.build of "
     r"Reshape layer 'reshape'; got \(5, -1\), which cannot split them into blocks of 5"),
    (lambda: Sequential([Reshape((5, 2))], input_dim=12), ValueError, r"got \(5, 2\), which holds 10"),
    (lambda: Sequential([Conv2DTranspose(2, 3)], input_dim=12), ValueError,
     "the input of Conv2DTranspose layer 'conv2d_transpose' must be \\(H, W, C\\) images.*Reshape"),
    (lambda: Sequential([UpSampling2D()], input_dim=12), ValueError, "the input of UpSampling2D layer"),
])
def test_bad_settings(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_reshape_forward_checks_the_size():
    layer = Reshape((2, 3))
    with pytest.raises(ValueError, match="target_shape must be a shape holding the 4 values .* for Reshape.forward"):
        layer.forward(np.ones((2, 4)))
