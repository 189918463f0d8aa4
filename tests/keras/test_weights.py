"""keras.weights: copying parameters both ways and naming the Keras variables like the scratch params."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
from dlhelpers.keras.network import build_mlp, model_from_scratch  # noqa: E402
from dlhelpers.keras.weights import keras_to_scratch, named_variables, scratch_to_keras  # noqa: E402
from dlhelpers.scratch.network import BatchNormalization, Dense, Sequential  # noqa: E402

F32 = dict(rtol=1e-5, atol=1e-6)


def test_weights_copy_both_ways():
    net = Sequential([Dense(3, "tanh"), Dense(2, "softmax")], input_dim=4, rng=0)
    km = build_mlp(4, hidden=(3,), activation="tanh", output_units=2, output_activation="softmax")
    keras_to_scratch(km, net)
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_allclose(net.predict(x), km(x.astype(np.float32)).numpy(), **F32)
    net2 = Sequential([Dense(3, "tanh"), Dense(2, "softmax")], input_dim=4, rng=9)
    scratch_to_keras(net2, km)
    np.testing.assert_allclose(net2.predict(x), km(x.astype(np.float32)).numpy(), **F32)
    bad = build_mlp(4, hidden=(5,), output_units=2)
    with pytest.raises(ValueError, match="must match the Keras layer"):
        scratch_to_keras(net, bad)
    with pytest.raises(ValueError, match="must match the scratch layer"):
        keras_to_scratch(bad, net)
    with pytest.raises(ValueError, match="same number of layers with weights.*model_from_scratch"):
        scratch_to_keras(net, build_mlp(4, hidden=(3, 3), output_units=2))


def test_batchnorm_moving_statistics_are_copied():
    net = Sequential([Dense(3), BatchNormalization()], input_dim=2, rng=0)
    net.layers[1].state = {"moving_mean": np.array([1.0, 2.0, 3.0]), "moving_variance": np.array([4.0, 5.0, 6.0])}
    km = model_from_scratch(net, dtype="float64")
    bn = km.get_layer(net.layers[1].name)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(bn.moving_variance.numpy(), [4.0, 5.0, 6.0])
    net2 = Sequential([Dense(3), BatchNormalization()], input_dim=2, rng=1)
    keras_to_scratch(km, net2)
    np.testing.assert_array_equal(net2.layers[1].state["moving_variance"], [4.0, 5.0, 6.0])


def test_named_variables_use_the_scratch_keys():
    net = Sequential([Dense(3, "relu"), BatchNormalization(), Dense(1)], input_dim=2, rng=0)
    named = named_variables(model_from_scratch(net))
    assert list(named) == list(net.params)            # same keys, same order
    for key, v in named.items():
        np.testing.assert_allclose(v.numpy(), net.params[key], rtol=1e-6)
