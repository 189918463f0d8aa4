"""scratch.network ↔ keras.network: model_from_scratch gives the same outputs and the same gradients, key by key."""
import inspect

import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
from dlhelpers.keras import losses as KL  # noqa: E402
from dlhelpers.keras.gradtape import forward_and_grads  # noqa: E402
from dlhelpers.keras.network import KERAS_BUILDERS, build_mlp, model_from_scratch  # noqa: E402
from dlhelpers.keras.weights import named_variables  # noqa: E402
from dlhelpers.scratch import layers as scratch_layers  # noqa: E402
from dlhelpers.scratch.layers import (BatchNormalization, Conv2D, Dense, Dropout, Flatten,  # noqa: E402
                                      GlobalAveragePooling2D, Layer, MaxPooling2D, PReLU)
from dlhelpers.scratch.network import Sequential  # noqa: E402


def _check_twin(net, km, x, y, loss, tol):
    """Scratch forward + backward against Keras forward + GradientTape, with the same loss."""
    keras_loss = KL.get(loss, dtype=str(x.dtype))       # Keras losses compute in float32 unless told
    out = net.forward(x, training=False)
    net.backward(net.loss.grad(net._prepare_y(y, len(x), "test"), out))
    sgrads = net.grads
    kE, _, kgrads = forward_and_grads(lambda t: keras_loss(y, km(t, training=False)), x, 1.0, named_variables(km))
    np.testing.assert_allclose(net.predict(x), km(x, training=False).numpy(), **tol)
    assert float(kE) == pytest.approx(net.loss.fn(net._prepare_y(y, len(x), "test"), out), rel=tol["rtol"])
    assert set(sgrads) == set(net.params) == set(kgrads)
    for key in sgrads:
        np.testing.assert_allclose(sgrads[key], kgrads[key], err_msg=key, **tol)
    # the training path (the loss from the logits of a sigmoid/softmax output, as Keras's) gives the same here
    loss, grads = net.loss_and_grads(x, y, training=False)
    assert loss == pytest.approx(float(kE), rel=tol["rtol"])
    for key in grads:
        np.testing.assert_allclose(grads[key], kgrads[key], err_msg=key, **tol)


@pytest.mark.parametrize("loss, out_units, out_act", [
    ("sparse_categorical_crossentropy", 3, "softmax"), ("binary_crossentropy", 1, "sigmoid"), ("mse", 2, "linear")])
def test_mlp_twin_outputs_and_gradients(loss, out_units, out_act):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((8, 5))
    y = {"sparse_categorical_crossentropy": rng.integers(0, 3, 8),
         "binary_crossentropy": rng.integers(0, 2, (8, 1)).astype(float),
         "mse": rng.standard_normal((8, 2))}[loss]
    net = Sequential([Dense(6, "relu"), PReLU(), Dense(4, "elu"), Dropout(0.3), Dense(5, "tanh"),
                      Dense(out_units, out_act)], input_dim=5, rng=0)
    net.layers[1].params["alpha"][:] = 0.2
    net.compile(loss)
    _check_twin(net, model_from_scratch(net, dtype="float64"), x, y, loss, dict(rtol=1e-10, atol=1e-12))
    _check_twin(net, model_from_scratch(net), x.astype(np.float32), y, loss, dict(rtol=1e-4, atol=1e-6))


def test_leaky_relu_and_sign_layers():
    # Keras rounds leaky_relu's slope 0.3 to float32 (0.30000001) even in float64: float32 tolerance here
    rng = np.random.default_rng(8)
    x, y = rng.standard_normal((6, 3)).astype(np.float32), rng.standard_normal((6, 2))
    net = Sequential([Dense(4, "leaky_relu"), Dense(2, "linear")], input_dim=3, rng=2)
    net.compile("mse")
    _check_twin(net, model_from_scratch(net), x, y, "mse", dict(rtol=1e-5, atol=1e-6))
    net = Sequential([Dense(4, "sign"), Dense(2, "sigmoid")], input_dim=3, rng=3)   # no gradient into layer 1
    net.compile("mse")
    _check_twin(net, model_from_scratch(net, dtype="float64"), x.astype(np.float64), y, "mse",
                dict(rtol=1e-10, atol=1e-12))


def test_cnn_twin_outputs_and_gradients():
    rng = np.random.default_rng(5)
    net = Sequential([Conv2D(4, 3, padding="same", activation="relu"), BatchNormalization(), MaxPooling2D(2),
                      Conv2D(6, 2, strides=1, padding=1, activation="tanh"), GlobalAveragePooling2D(),
                      Dense(8, "relu"), Dense(3, "softmax")], input_shape=(8, 8, 2), rng=0)
    net.layers[1].state = {"moving_mean": rng.standard_normal(4) * 0.1, "moving_variance": rng.uniform(0.5, 2, 4)}
    net.compile("sparse_categorical_crossentropy")
    x = rng.standard_normal((5, 8, 8, 2))
    y = rng.integers(0, 3, 5)
    km = model_from_scratch(net, dtype="float64")
    assert [type(l).__name__ for l in km.layers][3:5] == ["ZeroPadding2D", "Conv2D"]    # padding=1
    _check_twin(net, km, x, y, "sparse_categorical_crossentropy", dict(rtol=1e-9, atol=1e-12))
    assert len(net.grads) == 10                        # kernels and biases, gamma and beta


def test_flatten_and_average_pooling_twin():
    from dlhelpers.scratch.network import AveragePooling2D
    rng = np.random.default_rng(7)
    net = Sequential([Conv2D(3, 2, activation="elu"), AveragePooling2D(2, strides=1), Flatten(), Dense(2, "softplus")],
                     input_shape=(5, 5, 1), rng=1)
    net.compile("mse")
    x, y = rng.standard_normal((4, 5, 5, 1)), rng.standard_normal((4, 2))
    _check_twin(net, model_from_scratch(net, dtype="float64"), x, y, "mse", dict(rtol=1e-10, atol=1e-12))


def test_every_scratch_layer_type_has_a_builder():
    layer_types = {cls for _, cls in inspect.getmembers(scratch_layers, inspect.isclass)
                   if issubclass(cls, Layer) and cls is not Layer and not cls.__name__.startswith("_")}
    assert layer_types and layer_types <= set(KERAS_BUILDERS)


def test_copy_weights_false_keeps_the_layers_and_names():
    net = Sequential([Dense(3, "tanh", name="hidden"), Dense(1, "sigmoid", name="out")], input_dim=2, rng=0)
    km = model_from_scratch(net, copy_weights=False)
    assert [l.name for l in km.layers] == ["hidden", "out"] and km.count_params() == net.count_params() == 13
    assert not np.allclose(km.get_layer("hidden").get_weights()[0], net.layers[0].params["kernel"])


def test_unsupported_layer_lists_every_supported_type():
    class Square(Layer):
        def _forward(self, x, training):
            return x ** 2, x

        def _backward(self, dout):
            return 2 * self._cache * dout, {}

    net = Sequential([Dense(2), Square()], input_dim=3, rng=0)
    with pytest.raises(TypeError, match="must be one of the supported layer types") as info:
        model_from_scratch(net)
    assert "got Square" in str(info.value)
    for cls in KERAS_BUILDERS:
        assert cls.__name__ in str(info.value)


def test_a_subclass_of_a_supported_layer_needs_its_own_builder():
    class MyDense(Dense):                                      # a student's Dense with a changed forward
        def _forward(self, x, training):
            out, cache = super()._forward(x, training)
            return 2 * out, cache

    net = Sequential([MyDense(2, name="mine")], input_dim=3, rng=0)
    with pytest.raises(TypeError, match=r"layer 'mine' must be one of the supported layer types \(.*Dense.*\) for "
                                        r"model_from_scratch; got MyDense\. Subclasses of supported layers need "
                                        r"their own builder: MyDense extends Dense.*KERAS_BUILDERS\[MyDense\] = "
                                        r"builder") as info:
        model_from_scratch(net)                                # was: a plain Keras Dense, twice too small
    for cls in KERAS_BUILDERS:
        assert cls.__name__ in str(info.value)

    def my_dense(layer, dtype):                                 # the fix the message names
        import keras
        return [keras.layers.Dense(layer.units, name=layer.name, dtype=dtype),
                keras.layers.Rescaling(2.0, name=f"{layer.name}_times_2", dtype=dtype)]

    KERAS_BUILDERS[MyDense] = my_dense
    try:
        km = model_from_scratch(net, dtype="float64")
    finally:
        del KERAS_BUILDERS[MyDense]
    x = np.random.default_rng(3).standard_normal((4, 3))
    np.testing.assert_allclose(km(x).numpy(), net.predict(x), rtol=1e-12, atol=1e-12)


def test_bad_models():
    with pytest.raises(ValueError, match="model must be built for model_from_scratch"):
        model_from_scratch(Sequential([Dense(2)]))
    with pytest.raises(TypeError, match="model must be a dlhelpers.scratch.network.Sequential"):
        model_from_scratch(build_mlp(3))


def test_build_mlp_counts():
    # 64·32 + 32 = 2,080 and 32·10 + 10 = 330
    assert build_mlp(64, hidden=(32,), output_units=10, output_activation="softmax").count_params() == 2410
    m = build_mlp(4, hidden=(8, 8), dropout=0.2)
    assert [l.name for l in m.layers] == ["dense", "dropout", "dense_1", "dropout_1", "dense_2"]
