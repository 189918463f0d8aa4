"""The layer classes one by one: gradients of every input and parameter, dout checks, settings checks."""
import gc
import inspect

import numpy as np
import pytest

import dlhelpers.scratch.autoencoder  # noqa: F401  (defines TiedDense, a layer outside layers.py)
import dlhelpers.scratch.callbacks as callbacks_module
import dlhelpers.scratch.layers as layers_module
from dlhelpers.scratch import network
from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from dlhelpers.scratch.layers import (AveragePooling2D, BatchNormalization, Conv2D, Dense, Dropout, Flatten,
                                      GlobalAveragePooling2D, Layer, MaxPooling2D, PReLU, layer_type_names)
from tests.helpers import TOL

ALL_LAYERS = ["Dense", "PReLU", "Dropout", "Conv2D", "GlobalAveragePooling2D", "Flatten", "BatchNormalization",
              "MaxPooling2D", "AveragePooling2D", "Masking", "SimpleRNN", "LSTM", "GRU", "Bidirectional",
              "Conv2DTranspose", "UpSampling2D", "Reshape", "LeakyReLU", "TiedDense"]


def _distinct(rng, shape):
    # distinct values keep max pooling away from ties, where it has no derivative
    return rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1 + rng.uniform(0, 0.01, shape)


# (layer factory, one sample's input shape, training mode)
CASES = {
    "Dense-tanh": (lambda: Dense(3, "tanh"), (4,), False),
    "Dense-softmax": (lambda: Dense(3, "softmax"), (4,), False),
    "PReLU": (lambda: PReLU(), (5,), False),
    "Dropout": (lambda: Dropout(0.4), (6,), True),
    "Conv2D-same": (lambda: Conv2D(3, 3, padding="same", activation="tanh"), (5, 4, 2), False),
    "Conv2D-strided": (lambda: Conv2D(2, (2, 3), strides=2, padding=1, activation="elu"), (5, 6, 2), False),
    "MaxPooling2D": (lambda: MaxPooling2D(2, 1, padding="same"), (4, 5, 2), False),
    "AveragePooling2D": (lambda: AveragePooling2D(3, 2, padding=1), (5, 5, 2), False),
    "GlobalAveragePooling2D": (lambda: GlobalAveragePooling2D(), (3, 4, 2), False),
    "Flatten": (lambda: Flatten(), (3, 2, 2), False),
    "BatchNormalization-train": (lambda: BatchNormalization(), (3, 3, 2), True),
    "BatchNormalization-infer": (lambda: BatchNormalization(), (4,), False),
}


def _built(case, seed=0):
    factory, shape, training = CASES[case]
    layer = factory()
    layer.name = "layer"
    out_shape = layer.build(shape, np.random.default_rng(seed), np.float64)
    rng = np.random.default_rng(seed + 1)
    for k, v in layer.params.items():            # move away from the symmetric starting values
        layer.params[k] = v + rng.uniform(0.1, 0.5, v.shape)
    if isinstance(layer, BatchNormalization):
        layer.state = {"moving_mean": rng.standard_normal(shape[-1]),
                       "moving_variance": rng.uniform(0.5, 2, shape[-1])}
    x = _distinct(rng, (3, *shape)) * (10 / np.prod((3, *shape)))      # in [0, 1): no saturated tanh
    return layer, x, training, out_shape


@pytest.mark.parametrize("case", CASES)
def test_layer_gradients_for_input_and_every_parameter(case):
    layer, x, training, out_shape = _built(case)
    rng = np.random.default_rng(2)

    def run(x_):
        if isinstance(layer, Dropout):                # the same mask on every call
            layer._rng = np.random.default_rng(3)
        state = dict(getattr(layer, "state", {}))
        out = layer.forward(x_, training=training)
        if state:
            layer.state = state                       # keep the moving statistics fixed between calls
        return out

    out = run(x)
    assert out.shape == (3, *out_shape)
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    assert set(layer.grads) == set(layer.params)
    grads = {k: v.copy() for k, v in layer.grads.items()}
    f = lambda: float(np.sum(run(x) * dout))
    assert relative_error(dx, numerical_gradient(f, x)) < TOL, "x"
    for name, p in layer.params.items():
        err = relative_error(grads[name], numerical_gradient(f, p))
        assert err < TOL, (name, err)


@pytest.mark.parametrize("case", CASES)
def test_layer_backward_checks_dout(case):
    layer, x, training, _ = _built(case)
    cls = type(layer).__name__
    with pytest.raises(ValueError, match=f"forward must run before backward for {cls}.backward"):
        layer.backward(np.ones((3, 2)))
    out = layer.forward(x, training=training)
    shape = str(out.shape).replace("(", "\\(").replace(")", "\\)")
    for bad in (np.ones(out.shape[1:]), np.ones((4, *out.shape[1:])), np.ones((*out.shape, 1))):
        with pytest.raises(ValueError, match=f"dout must be the forward output's shape {shape} for {cls}.backward"):
            layer.backward(bad)


def test_layer_type_names_are_generated_from_the_classes():
    assert sorted(layer_type_names()) == sorted(ALL_LAYERS)
    assert "Layer" not in layer_type_names() and "_Pool" not in layer_type_names()

    class StudentLayer(Layer):                     # written in a notebook: not one of the package's types
        pass

    class Custom(Layer):
        pass
    Custom.__module__ = "dlhelpers.scratch.rnn"   # as if a later unit's module defined it
    try:
        assert "Custom" in layer_type_names()        # a new package layer appears in the messages by itself
        assert "StudentLayer" not in layer_type_names()
    finally:
        del Custom, StudentLayer
        gc.collect()                                # classes sit in reference cycles: free them now
    assert sorted(layer_type_names()) == sorted(ALL_LAYERS)
    with pytest.raises(TypeError, match="layers\\[1\\] must be a layer \\(" + ".*".join(["Dense", "PReLU", "Dropout",
                                                                                              "Conv2D", "Flatten"])):
        network.Sequential([Dense(2), "dense"])


def test_network_module_reexports_layers_and_callbacks():
    for name in [n for n in ALL_LAYERS if n != "TiedDense"] + ["Layer"]:
        assert getattr(network, name) is getattr(layers_module, name)
    for name in ("Callback", "LambdaCallback", "WeightHistory", "History", "ProgressBar"):
        assert getattr(network, name) is getattr(callbacks_module, name)
    # every layer class is defined in layers.py and nowhere else
    defined = {n for n, c in inspect.getmembers(network, inspect.isclass) if c.__module__ == network.__name__}
    assert defined == {"Sequential"}


def test_no_class_level_mutable_state():
    classes = [c for m in (layers_module, callbacks_module, network) for _, c in inspect.getmembers(m, inspect.isclass)
               if c.__module__ == m.__name__]
    assert len(classes) >= 15
    for cls in classes:
        for klass in cls.__mro__[:-1]:
            for attr, value in vars(klass).items():
                if attr == "__slotnames__":     # copyreg's cache, written on the class by copy.deepcopy(instance)
                    continue
                assert not isinstance(value, (list, dict, set, np.ndarray)), (cls.__name__, attr)
    a, b = Dense(2), Dense(2)
    assert a.params is not b.params and a.grads is not b.grads


@pytest.mark.parametrize("make, exc, match", [
    (lambda: Dropout(1.0), ValueError, "rate must be in \\[0.0, 1.0\\) for Dropout"),
    (lambda: Dropout("0.5"), TypeError, "rate must be a number for Dropout"),
    (lambda: BatchNormalization(epsilon=-1e-3), ValueError, "epsilon must be >= 0 for BatchNormalization"),
    (lambda: BatchNormalization(momentum=1.5), ValueError, "momentum must be in"),
    (lambda: BatchNormalization(momentum="0.9"), TypeError, "momentum must be a number"),
    (lambda: MaxPooling2D(0), ValueError, "pool_size must be > 0 for MaxPooling2D"),
    (lambda: AveragePooling2D(2, strides="1"), TypeError, "strides must be an integer for AveragePooling2D"),
    (lambda: MaxPooling2D(2, padding=2.0), TypeError, "padding must be .* for MaxPooling2D"),
    (lambda: Conv2D(4, 3, padding="full"), ValueError, "padding must be 'valid', 'same' .* for Conv2D"),
    (lambda: Conv2D(4.0), TypeError, "filters must be an integer for Conv2D"),
    (lambda: Conv2D(4, activation="softmax"), ValueError, "activation must be elementwise for Conv2D"),
    (lambda: Conv2D(4, activation="relu6"), ValueError, "activation must be one of .* for Conv2D; got 'relu6'"),
    (lambda: Dense(2, activation=np.array([np.nan, 1.0])), ValueError,
     r"activation must be one of .* for Dense; got array\(\[nan,  1.\]\)"),
    (lambda: Dense("3"), TypeError, "units must be an integer for Dense"),
    (lambda: Dense(3, name=5), TypeError, "name must be a string or None for Dense"),
    (lambda: network.Sequential([Conv2D(2, 5)], input_shape=(3, 3, 1)), ValueError, "kernel \\(5×5\\) must fit"),
    (lambda: network.Sequential([MaxPooling2D(2, padding=2)], input_shape=(4, 4, 1)), ValueError,
     "padding must be smaller than pool_size"),
    (lambda: network.Sequential(Dense(2)), TypeError, "layers must be a list of layers for Sequential"),
    (lambda: network.Sequential([Dense(2)], dtype=np.int64), ValueError, "dtype must be np.float32 or np.float64"),
    (lambda: network.Sequential([Dense(2)], dtype="double precision"), ValueError, "dtype must be np.float32"),
])
def test_bad_settings(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


@pytest.mark.parametrize("case", CASES)
def test_layers_never_change_their_inputs(case):
    layer, x, training, _ = _built(case)
    x_copy = x.copy()
    out = layer.forward(x, training=training)
    dout = np.ones_like(out)
    layer.backward(dout)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(dout, np.ones_like(out))
