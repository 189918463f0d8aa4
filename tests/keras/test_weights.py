"""keras.weights: copying parameters both ways and naming the Keras variables like the scratch params."""
import re

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


@pytest.mark.parametrize("case, builder", [(0, "dlhelpers.keras.autoencoder.autoencoder_from_scratch"),
                                           (1, "dlhelpers.keras.vae.vae_from_scratch"),
                                           (2, "dlhelpers.keras.gan.gan_from_scratch")],
                         ids=["tied autoencoder", "VAE", "GAN"])
def test_the_wrong_partner_message_names_the_right_builder(case, builder):
    _, build, _, _ = _two_network_models()[case]
    plain = model_from_scratch(Sequential([Dense(2)], input_dim=3, rng=0))     # a Keras model without the parts
    for copy in (lambda: scratch_to_keras(build(0), plain), lambda: keras_to_scratch(plain, build(0))):
        with pytest.raises(TypeError, match=f"Build the twin from the scratch model with {re.escape(builder)}"):
            copy()


def _mismatched_partner(case):
    """A scratch model and the twin of a model whose second part has other widths: only the first part fits."""
    from dlhelpers.keras.autoencoder import autoencoder_from_scratch
    from dlhelpers.keras.gan import gan_from_scratch
    from dlhelpers.scratch.autoencoder import Autoencoder, dense_autoencoder
    from dlhelpers.scratch.gan import build_mlp_gan
    if case == "autoencoder":
        model = dense_autoencoder(12, hidden=(6,), latent_dim=3, rng=0)
        other = Autoencoder(dense_autoencoder(12, hidden=(6,), latent_dim=3, rng=1).encoder,
                            Sequential([Dense(7, "relu"), Dense(12, "sigmoid")], input_dim=3, rng=1))
        return model, autoencoder_from_scratch(other, dtype="float64"), "decoder"
    model = build_mlp_gan(data_dim=3, noise_dim=2, hidden=(4,), rng=0)
    other = build_mlp_gan(data_dim=3, noise_dim=2, hidden=(4,), d_hidden=(5,), rng=1)
    return model, gan_from_scratch(other, dtype="float64"), "discriminator"


@pytest.mark.parametrize("case", ["autoencoder", "GAN"])
def test_a_failed_copy_names_the_part_and_changes_nothing(case):
    model, twin, part = _mismatched_partner(case)
    first = "encoder" if part == "decoder" else "generator"
    before = {p: {k: v.copy() for k, v in getattr(model, p).params.items()} for p in (first, part)}
    with pytest.raises(ValueError, match=f"in the {part}: Keras shapes .* must match the scratch layer"):
        keras_to_scratch(twin, model)
    for p, params in before.items():                          # the fitting first part was not copied either
        for key, value in params.items():
            np.testing.assert_array_equal(getattr(model, p).params[key], value)
    assert any(not np.array_equal(v, before[first][k])         # while a copy would have changed it
               for k, v in named_variables(getattr(twin, first)).items() if k in before[first])
    keras_before = [w.copy() for w in twin.get_weights()]
    with pytest.raises(ValueError, match=f"in the {part}: scratch shapes .* must match the Keras layer"):
        scratch_to_keras(model, twin)
    for w, old in zip(twin.get_weights(), keras_before):
        np.testing.assert_array_equal(w, old)


def test_a_failed_copy_of_one_network_changes_nothing():
    net = Sequential([Dense(3, "tanh"), Dense(2)], input_dim=4, rng=0)
    before = {k: v.copy() for k, v in net.params.items()}
    other = model_from_scratch(Sequential([Dense(3, "tanh"), Dense(5)], input_dim=4, rng=1))   # first layer fits
    with pytest.raises(ValueError, match=r"layer 'dense_\d+': Keras shapes"):
        keras_to_scratch(other, net)
    for key, value in before.items():
        np.testing.assert_array_equal(net.params[key], value)


def test_a_different_layer_count_names_the_part():
    from dlhelpers.keras.gan import gan_from_scratch
    from dlhelpers.scratch.gan import build_mlp_gan
    model = build_mlp_gan(data_dim=3, noise_dim=2, hidden=(4,), rng=0)
    other = build_mlp_gan(data_dim=3, noise_dim=2, hidden=(4,), d_hidden=(4, 4), rng=1)
    with pytest.raises(ValueError, match="same number of layers with weights in the discriminator"):
        keras_to_scratch(gan_from_scratch(other), model)
