"""keras.gan's digit GANs: the DCGAN and conditional-GAN builders (shapes, parameter counts, scratch ↔ Keras
parity with copied weights), the conditional GAN's train step against the same step written out in NumPy, and
saving, loading and sampling generators."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
import keras  # noqa: E402
from dlhelpers.keras import gan as KG  # noqa: E402
from dlhelpers.keras.network import model_from_scratch  # noqa: E402
from dlhelpers.scratch import gan as SG  # noqa: E402

F64 = dict(rtol=1e-10, atol=1e-12)
F32 = dict(rtol=1e-5, atol=1e-5)


def _conv_params(k, c_in, c_out):
    return k * k * c_in * c_out + c_out


@pytest.mark.parametrize("num_classes", [0, 10])
def test_generator_shapes_and_parameter_count(num_classes):
    g = KG.dcgan_generator_network(num_classes=num_classes, filters=(64, 32), kernel_size=4)
    d_in = KG.NOISE_DIM + num_classes
    assert g.input_shape == (d_in,) and g.output_shape == (28, 28, 1)
    assert g.shapes == [(d_in,), (3136,), (3136,), (3136,), (7, 7, 64), (14, 14, 32), (14, 14, 32), (14, 14, 32),
                        (28, 28, 1)]                                            # 7 → 14 → 28 by strided upsampling
    expected = (d_in * 7 * 7 * 64 + 7 * 7 * 64) + 2 * 3136 + _conv_params(4, 64, 32) + 2 * 32 + _conv_params(4, 32, 1)
    assert g.count_params() == expected                                  # 243,489 unconditional, 274,849 conditional
    km = model_from_scratch(g)
    assert sum(int(np.prod(w.shape)) for w in km.trainable_weights) == expected
    assert km.count_params() == expected + 2 * 3136 + 2 * 32              # Keras counts the moving statistics too


@pytest.mark.parametrize("num_classes", [0, 10])
def test_discriminator_shapes_and_parameter_count(num_classes):
    d = KG.dcgan_discriminator_network(num_classes=num_classes, filters=(32, 64), kernel_size=4)
    assert d.input_shape == (28, 28, 1 + num_classes) and d.output_shape == (1,)
    assert d.shapes[1] == (14, 14, 32) and d.shapes[3] == (7, 7, 64)            # strided convolutions, no pooling
    expected = _conv_params(4, 1 + num_classes, 32) + _conv_params(4, 32, 64) + (7 * 7 * 64 + 1)
    assert d.count_params() == expected                                  # 36,513 unconditional, 41,633 conditional
    assert model_from_scratch(d).count_params() == expected
    dropped = KG.dcgan_discriminator_network(num_classes=num_classes, dropout=0.3)
    assert dropped.count_params() == expected and len(dropped.layers) == len(d.layers) + 2


def test_dcgan_guidelines_in_the_layer_stack():
    g_types = [type(l).__name__ for l in KG.dcgan_generator_network().layers]
    d_types = [type(l).__name__ for l in KG.dcgan_discriminator_network().layers]
    assert "MaxPooling2D" not in d_types and "AveragePooling2D" not in d_types
    assert g_types.count("BatchNormalization") == 2 and g_types.count("Conv2DTranspose") == 2
    assert KG.dcgan_generator_network().layers[-1].activation == "tanh"
    assert d_types.count("LeakyReLU") == 2 and KG.dcgan_discriminator_network().layers[-1].activation == "linear"


@pytest.mark.parametrize("training", [False, True])
@pytest.mark.parametrize("num_classes", [0, 10])
def test_scratch_and_keras_networks_agree_with_copied_weights(num_classes, training):
    rng = np.random.default_rng(0)
    g = KG.dcgan_generator_network(num_classes=num_classes, filters=(8, 4), rng=3, dtype=np.float64)
    d = KG.dcgan_discriminator_network(num_classes=num_classes, filters=(4, 8), rng=4, dtype=np.float64)
    for layer in g.layers + d.layers:
        if type(layer).__name__ == "LeakyReLU":   # TF keeps a slope as float32 (0.2 → 0.2 + 3e-9): use an exact one
            layer.negative_slope = 0.25
        if type(layer).__name__ == "BatchNormalization":             # moving statistics away from 0 and 1
            layer.state = {"moving_mean": rng.normal(0, 0.3, layer.state["moving_mean"].shape),
                           "moving_variance": rng.uniform(0.5, 2.0, layer.state["moving_variance"].shape)}
    kg, kd = model_from_scratch(g, dtype="float64"), model_from_scratch(d, dtype="float64")
    labels = np.arange(5) % 10
    z = rng.standard_normal((5, KG.NOISE_DIM))
    z_in = SG.conditional_noise(z, labels) if num_classes else z
    x = g.forward(z_in, training=training)
    np.testing.assert_allclose(np.asarray(kg(z_in, training=training)), x, **F64)
    assert x.shape == (5, 28, 28, 1) and np.all(np.abs(x) <= 1)                  # tanh output
    d_in = SG.label_channels(x, labels) if num_classes else x
    np.testing.assert_allclose(np.asarray(kd(d_in, training=training)), d.forward(d_in, training=training), **F64)
    if num_classes:                                                              # the Keras label maps
        np.testing.assert_array_equal(np.asarray(KG._with_label_maps(x, KG._one_hot(labels, 10, "float64"))), d_in)


def test_build_dcgan_copies_the_scratch_initial_weights():
    gan, g, d = KG.build_dcgan(rng=5, seed=0)
    assert isinstance(gan, KG.GAN) and not isinstance(gan, KG.ConditionalGAN) and gan.gan_loss == "non_saturating"
    for s, k in ((g, gan.generator), (d, gan.discriminator)):
        for a, b in zip(s.get_weights(), k.get_weights()):
            np.testing.assert_array_equal(a, b)
    for opt in (gan.d_optimizer, gan.g_optimizer):                               # Radford et al.'s Adam
        assert float(opt.learning_rate) == pytest.approx(2e-4) and opt.beta_1 == 0.5
    cgan, _, _ = KG.build_dcgan(conditional=True, loss="least_squares", rng=5)
    assert isinstance(cgan, KG.ConditionalGAN) and cgan.noise_dim == KG.NOISE_DIM and cgan.gan_loss == "least_squares"
    assert cgan.generator.input_shape == (None, 74) and cgan.discriminator.input_shape == (None, 28, 28, 11)


def _sgd_step(net, grads, lr):
    net.set_params({k: v - lr * grads[k] for k, v in net.params.items()})


@pytest.mark.parametrize("loss", ["non_saturating", "least_squares"])
def test_conditional_train_step_matches_the_step_written_out_in_numpy(loss):
    """One D step on (x, y) and (G(z, y), y), then one G step through D: the same weights on both sides."""
    lr_d, lr_g = 0.0625, 0.125
    g = KG.dcgan_generator_network(num_classes=10, filters=(4, 2), rng=0, dtype=np.float64)
    d = KG.dcgan_discriminator_network(num_classes=10, filters=(2, 4), rng=1, dtype=np.float64)
    for layer in g.layers + d.layers:
        if type(layer).__name__ == "LeakyReLU":   # TF keeps a slope as float32 (0.2 → 0.2 + 3e-9): use an exact one
            layer.negative_slope = 0.25
    kg, kd = model_from_scratch(g, dtype="float64"), model_from_scratch(d, dtype="float64")
    gan = KG.ConditionalGAN(kg, kd, num_classes=10)
    gan.compile(d_optimizer=keras.optimizers.SGD(lr_d), g_optimizer=keras.optimizers.SGD(lr_g), loss=loss,
                run_eagerly=True)
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (6, 28, 28, 1))
    y = np.array([0, 3, 9, 3, 1, 7])
    z_d, z_g = rng.standard_normal((6, KG.NOISE_DIM)), rng.standard_normal((6, KG.NOISE_DIM))
    logs = gan.train_step((x, y, z_d, z_g))

    # the same step by hand with the scratch networks
    x_fake = g.forward(SG.conditional_noise(z_d, y), training=True)
    a = d.forward(np.concatenate([SG.label_channels(x, y), SG.label_channels(x_fake, y)]), training=True)[:, 0]
    d_real, d_fake = SG.discriminator_loss_grad(a[:6], a[6:], loss)
    d.backward(np.concatenate([d_real, d_fake])[:, None])
    d_loss = SG.discriminator_loss(a[:6], a[6:], loss)
    _sgd_step(d, d.grads, lr_d)
    x_fake = g.forward(SG.conditional_noise(z_g, y), training=True)
    a = d.forward(SG.label_channels(x_fake, y), training=True)
    dx = d.backward(SG.generator_loss_grad(a, loss))[..., :1]          # the label maps are constants
    g.backward(dx)
    g_loss = SG.generator_loss(a, loss)
    _sgd_step(g, g.grads, lr_g)

    assert float(logs["d_loss"]) == pytest.approx(d_loss, rel=1e-6)      # the logs' running means are float32
    assert float(logs["g_loss"]) == pytest.approx(g_loss, rel=1e-6)
    for s_net, k_net in ((g, kg), (d, kd)):
        for i, (a_w, b_w) in enumerate(zip(s_net.get_weights(), k_net.get_weights())):
            np.testing.assert_allclose(b_w, a_w, err_msg=f"{k_net.name} weight {i}", **F64)


def test_conditional_gan_fits_on_labels_and_draws_on_request():
    gan, _, _ = KG.build_dcgan(conditional=True, g_filters=(4, 2), d_filters=(2, 4), rng=0, seed=0)
    x = np.random.default_rng(0).uniform(-1, 1, (8, 28, 28, 1)).astype(np.float32)
    history = gan.fit(x, np.arange(8) % 10, batch_size=4, epochs=1, verbose=0)
    assert set(history.history) == set(KG.LOG_KEYS) and all(np.isfinite(v[0]) for v in history.history.values())
    z = np.random.default_rng(1).standard_normal((3, KG.NOISE_DIM)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(gan((z, np.array([1, 2, 3])))),
                               np.asarray(gan.generator(SG.conditional_noise(z, [1, 2, 3]))), **F32)


@pytest.mark.parametrize("name", sorted(KG.GAN_CHECKPOINTS))
def test_save_load_and_sample_roundtrip(name, tmp_path):
    conditional = KG.GAN_CHECKPOINTS[name][1]
    g = KG.dcgan_generator_network(num_classes=10 if conditional else 0, rng=7)
    g.forward(np.random.default_rng(0).standard_normal((16, g.input_dim)).astype(np.float32), training=True)
    path = KG.save_generator(g, tmp_path / f"{name}.npz")
    stored = np.load(path)
    assert all(stored[k].dtype == np.float32 for k in stored.files)
    assert "batch_normalization/moving_mean" in stored.files                 # the moving statistics travel too
    scratch = KG.load_generator(name, framework="scratch", path=path)
    twin = KG.load_generator(name, framework="keras", path=path)
    labels = np.arange(12) % 10 if conditional else None
    want = KG.sample_digits(g, 12, rng=3, labels=labels)
    np.testing.assert_array_equal(KG.sample_digits(scratch, 12, rng=3, labels=labels), want)
    np.testing.assert_allclose(KG.sample_digits(twin, 12, rng=3, labels=labels), want, **F32)
    assert want.shape == (12, 28, 28, 1) and want.dtype == np.float32


def test_sample_digits_noise_and_labels():
    g = KG.dcgan_generator_network(num_classes=10, rng=0)
    z = np.random.default_rng(4).standard_normal((10, KG.NOISE_DIM)).astype(np.float32)
    by_z = KG.sample_digits(g, labels=np.arange(10), z=z)
    np.testing.assert_array_equal(by_z, KG.sample_digits(g, 10, rng=4, labels=np.arange(10)))   # rng draws z
    np.testing.assert_allclose(by_z, g.forward(SG.conditional_noise(z, np.arange(10))), **F32)   # BLAS threads
    assert not np.allclose(by_z, KG.sample_digits(g, labels=np.zeros(10, int), z=z))           # the label matters


@pytest.mark.parametrize("call, exc, match", [
    (lambda: KG.sample_digits(KG.dcgan_generator_network(), 4, labels=[0, 1, 2, 3]), ValueError,
     r"labels must be None for an unconditional generator"),
    (lambda: KG.sample_digits(KG.dcgan_generator_network(num_classes=10), 4), ValueError,
     r"labels must be one digit per image for a conditional generator"),
    (lambda: KG.sample_digits(KG.dcgan_generator_network(num_classes=10), 4, labels=[0, 1]), ValueError,
     r"labels must be one digit per image \(4\)"),
    (lambda: KG.sample_digits(KG.dcgan_generator_network(), 2, z=np.zeros((2, 3))), ValueError,
     r"z must be noise of shape \(2, 64\)"),
    (lambda: KG.sample_digits(KG.dcgan_generator_network(), 2, noise_dim=50), ValueError,
     r"noise_dim must be the generator's input width 64"),
    (lambda: KG.sample_digits("dcgan", 2), TypeError, r"generator must be a Keras model or a built scratch"),
    (lambda: KG.load_generator("wgan"), ValueError, r"name must be one of"),
    (lambda: KG.load_generator("dcgan", framework="torch"), ValueError, r"framework must be one of"),
    (lambda: KG.load_generator("dcgan", path="/nonexistent/dcgan.npz"), FileNotFoundError,
     r"python scripts/train_dcgan.py --model dcgan --out PATH"),
    (lambda: KG.dcgan_generator_network(filters=64), TypeError, r"filters must be a pair of channel counts"),
    (lambda: KG.dcgan_discriminator_network(dropout=1.5), ValueError, r"dropout must be in \[0, 0.9\]"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_a_checkpoint_of_the_other_kind_is_refused(tmp_path):
    path = KG.save_generator(KG.dcgan_generator_network(), tmp_path / "plain.npz")
    with pytest.raises(ValueError, match=r"path must be a cgan checkpoint, dense/kernel of shape \(74, 6272\) "
                       r"for load_generator; got shape \(64, 6272\). Re-create it with python scripts/train_dcgan"):
        KG.load_generator("cgan", path=path)            # same keys, but Dense takes 74 inputs: the shape is named
