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


def _two_network_models():
    from dlhelpers.keras.autoencoder import autoencoder_from_scratch
    from dlhelpers.keras.gan import gan_from_scratch
    from dlhelpers.keras.vae import vae_from_scratch
    from dlhelpers.scratch.autoencoder import dense_autoencoder
    from dlhelpers.scratch.gan import build_mlp_gan
    from dlhelpers.scratch.vae import build_dense_vae
    return [("tied autoencoder", lambda seed: dense_autoencoder(12, hidden=(6,), latent_dim=3, tied=True, rng=seed),
             autoencoder_from_scratch, ("encoder", "decoder")),
            ("VAE", lambda seed: build_dense_vae(12, latent_dim=2, hidden=(5,), rng=seed), vae_from_scratch,
             ("encoder", "decoder")),
            ("GAN", lambda seed: build_mlp_gan(data_dim=3, noise_dim=2, hidden=(4,), rng=seed), gan_from_scratch,
             ("generator", "discriminator"))]


@pytest.mark.parametrize("case", range(3), ids=["tied autoencoder", "VAE", "GAN"])
def test_two_network_models_copy_part_by_part(case):
    _, build, twin_of, parts = _two_network_models()[case]
    a, b = build(0), build(1)
    twin = twin_of(a, dtype="float64")                     # a's weights
    scratch_to_keras(b, twin)                              # now b's, through keras.weights
    for part in parts:
        keras_params = named_variables(getattr(twin, part))
        scratch_params = getattr(b, part).params
        assert set(keras_params) >= set(scratch_params)
        for key, value in scratch_params.items():
            np.testing.assert_array_equal(keras_params[key], value)
    c = build(2)
    keras_to_scratch(twin, c)                              # and back into a third scratch model
    for part in parts:
        for key, value in getattr(b, part).params.items():
            np.testing.assert_array_equal(getattr(c, part).params[key], value)
    first = getattr(c, parts[0]).params
    assert any(not np.array_equal(v, getattr(a, parts[0]).params[k]) for k, v in first.items())   # b's, not a's


def test_two_network_models_refuse_the_wrong_partner():
    _, build_ae, ae_twin, _ = _two_network_models()[0]
    _, build_gan, _, _ = _two_network_models()[2]
    with pytest.raises(TypeError, match=r"keras_model must have the parts \('generator', 'discriminator'\)"):
        scratch_to_keras(build_gan(0), ae_twin(build_ae(0)))
    with pytest.raises(TypeError, match="scratch_model must be a scratch Sequential, autoencoder, VAE or GAN"):
        keras_to_scratch(ae_twin(build_ae(0)), object())
