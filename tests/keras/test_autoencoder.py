"""scratch.autoencoder ↔ keras.autoencoder: with the same weights, the same reconstructions, loss and gradients
(tf.GradientTape) in float64, tied weights included; weights copied both ways; one training step gives the same
weights; the Keras builders train."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
import keras  # noqa: E402
from dlhelpers.keras import autoencoder as KA  # noqa: E402
from dlhelpers.scratch import autoencoder as SA  # noqa: E402
from dlhelpers.scratch.layers import Dense, Reshape  # noqa: E402
from dlhelpers.scratch.network import Sequential  # noqa: E402
from dlhelpers.scratch.optim import SGD  # noqa: E402
from tests.scratch.test_autoencoder import SATURATED, saturated_bce  # noqa: E402

F64 = dict(rtol=1e-10, atol=1e-13)
F32 = dict(rtol=1e-5, atol=1e-6)
DENSE_CASES = [("mse", "sigmoid"), ("mse", "tanh"), ("binary_crossentropy", "sigmoid"),
               ("binary_crossentropy", "linear")]


def _dense(tied, loss, out, **kwargs):
    return SA.dense_autoencoder(6, hidden=(5,), latent_dim=3, activation="tanh", output_activation=out, tied=tied,
                                loss=loss, rng=1, **kwargs)


def _assert_twins(ae, km, x, y=None):
    """Reconstructions, codes, loss, per-sample errors and every gradient agree in float64."""
    np.testing.assert_allclose(np.asarray(km(x)), ae.forward(x), **F64)
    np.testing.assert_allclose(np.asarray(km.reconstruct(x)), ae.reconstruct(x), **F64)
    z = ae.encode(x)
    np.testing.assert_allclose(np.asarray(km.encode(x)), z, **F64)
    np.testing.assert_allclose(np.asarray(km.decode(z)), ae.decode(z), **F64)
    target = x if y is None else y
    np.testing.assert_allclose(np.asarray(KA.reconstruction_errors(target, km(x), ae.loss, ae.from_logits)),
                               ae.reconstruction_errors(x, y), **F64)
    loss, grads = ae.loss_and_grads(x, y)
    k_loss, k_grads = km.loss_and_grads(x, y)
    assert k_loss == pytest.approx(loss, rel=1e-12)
    assert list(k_grads) == list(grads)                                # the same keys, in the same order
    for key in grads:
        np.testing.assert_allclose(k_grads[key], grads[key], err_msg=key, **F64)


@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("loss, out", DENSE_CASES)
def test_dense_autoencoder_twin(tied, loss, out):
    ae = _dense(tied, loss, out)
    km = KA.autoencoder_from_scratch(ae, dtype="float64")
    assert [l.name for l in km.decoder.layers] == ["dec_hidden", "reconstruction"]
    assert all(isinstance(l, KA.TiedDense) == tied for l in km.decoder.layers)
    assert km.count_params() == ae.count_params() and len(km.trainable_weights) == len(ae.params)
    _assert_twins(ae, km, np.random.default_rng(0).uniform(0.05, 0.95, (4, 6)))


@pytest.mark.parametrize("upsampling", ["transpose", "nearest"])
def test_conv_autoencoder_twin(upsampling):
    ae = SA.conv_autoencoder((8, 8, 1), filters=(2, 3), latent_dim=3, activation="tanh", upsampling=upsampling, rng=2)
    km = KA.autoencoder_from_scratch(ae, dtype="float64")
    assert [l.name for l in km.encoder.layers] == [l.name for l in ae.encoder.layers]
    assert [l.name for l in km.decoder.layers] == [l.name for l in ae.decoder.layers]
    _assert_twins(ae, km, np.random.default_rng(1).uniform(0, 1, (3, 8, 8, 1)))


@pytest.mark.parametrize("kind, tied", SATURATED)
def test_saturated_sigmoid_output_twin(kind, tied):
    """Keras's cross-entropy reads a sigmoid output's logits on TensorFlow; the scratch model does the same, so
    the loss and every gradient agree where 28–83 % of the pixels saturate (clipped, they would get no gradient)."""
    ae, x = saturated_bce(kind, tied)
    km = KA.autoencoder_from_scratch(ae, dtype="float64")
    p = np.asarray(km.reconstruct(x))
    assert np.mean((p <= 1e-7) | (p >= 1 - 1e-7)) > 0.25
    _assert_twins(ae, km, x)
    assert float(KA.reconstruction_loss(x, km(x), ae.loss)) == pytest.approx(ae.evaluate(x), rel=1e-12)
    assert float(KA.reconstruction_loss(x, p, ae.loss)) < 0.8 * ae.evaluate(x)    # a plain tensor: clipped


def test_sigmoid_before_a_reshape_is_clipped_on_both_sides():
    """Keras's Reshape output no longer carries the logits, so Keras clips: the scratch model too."""
    enc = Sequential([Reshape((6,), name="flat"), Dense(3, "tanh", name="latent")], input_shape=(2, 3, 1), rng=0)
    dec = Sequential([Dense(6, "sigmoid", name="reconstruction"), Reshape((2, 3, 1), name="reshape")], input_dim=3,
                     rng=0)
    dec.layers[0].params["bias"][:] = np.linspace(-30.0, 30.0, 6)
    ae = SA.Autoencoder(enc, dec, loss="binary_crossentropy")
    x = np.random.default_rng(10).uniform(0, 1, (4, 2, 3, 1))
    _assert_twins(ae, KA.autoencoder_from_scratch(ae, dtype="float64"), x)
    assert ae.evaluate(x) == pytest.approx(SA.reconstruction_loss(x, ae.reconstruct(x), ae.loss), rel=1e-14)


def test_plain_probabilities_are_clipped_as_keras_does():
    """On a plain array or tensor of probabilities, 0 and 1 included, the functions clip to [1e-7, 1 − 1e-7]."""
    import tensorflow as tf
    x = np.array([[0.0, 1.0, 0.0, 1.0, 1.0, 0.0]])
    p = np.array([[1.0, 0.0, 0.0, 1.0, 0.3, 0.9]])                # two confident mistakes, two hits, two in between
    bce = keras.losses.BinaryCrossentropy(dtype="float64")
    pt = tf.constant(p)
    with tf.GradientTape() as tape:
        tape.watch(pt)
        k_loss = bce(x, pt)
    assert SA.reconstruction_loss(x, p, "binary_crossentropy") == pytest.approx(float(k_loss), rel=1e-13)
    assert float(KA.reconstruction_loss(x, p, "binary_crossentropy")) == pytest.approx(float(k_loss), rel=1e-13)
    grad = SA.reconstruction_loss_grad(x, p, "binary_crossentropy")
    np.testing.assert_allclose(grad, np.asarray(tape.gradient(k_loss, pt)), **F64)
    assert np.all(grad[0, :4] == 0) and np.all(grad[0, 4:] != 0)        # no gradient where p is clipped
    np.testing.assert_allclose(np.asarray(KA.reconstruction_errors(x, p, "binary_crossentropy")),
                               SA.reconstruction_errors(x, p, "binary_crossentropy"), **F64)


def test_denoising_targets_twin():
    rng = np.random.default_rng(2)
    ae = _dense(True, "binary_crossentropy", "linear")
    clean = rng.uniform(0, 1, (5, 6))
    noisy = np.clip(clean + rng.normal(0, 0.3, clean.shape), 0, 1)
    _assert_twins(ae, KA.autoencoder_from_scratch(ae, dtype="float64"), noisy, clean)


def test_tied_layer_owns_only_its_bias_and_reads_the_encoder_kernel():
    ae = _dense(True, "mse", "sigmoid")
    km = KA.autoencoder_from_scratch(ae, dtype="float64")
    tied = km.decoder.get_layer("reconstruction")
    assert tied.tied_to is km.encoder.get_layer("enc_hidden")
    assert [w.name for w in tied.weights] == ["bias"] and tied.get_weights()[0].shape == (6,)
    paths = [v.path for v in km.trainable_weights]
    assert len(paths) == len(set(paths)) == 6                   # 2 encoder kernels, 2 + 2 biases: W once each
    assert list(KA.named_variables(km)) == list(ae.params)
    z = np.random.default_rng(3).standard_normal((2, 3))
    dense = km.encoder.get_layer("enc_hidden")
    dense.kernel.assign(2 * np.asarray(dense.kernel))            # change W: the decoder follows
    ae.set_params({"encoder/enc_hidden/kernel": 2 * ae.params["encoder/enc_hidden/kernel"]})
    np.testing.assert_allclose(np.asarray(km.decode(z)), ae.decode(z), **F64)


def test_weights_copied_both_ways():
    ae = _dense(True, "mse", "sigmoid")
    km = KA.autoencoder_from_scratch(ae, dtype="float64", copy_weights=False)
    x = np.random.default_rng(4).uniform(0, 1, (3, 6))
    assert not np.allclose(np.asarray(km.reconstruct(x)), ae.reconstruct(x))     # Keras's own initial weights
    KA.keras_to_scratch(km, ae)
    np.testing.assert_allclose(np.asarray(km.reconstruct(x)), ae.reconstruct(x), **F64)
    ae.set_params({k: v + 0.1 for k, v in ae.params.items()})
    KA.scratch_to_keras(ae, km)
    np.testing.assert_allclose(np.asarray(km.reconstruct(x)), ae.reconstruct(x), **F64)
    assert ae.params["encoder/latent/kernel"].dtype == np.float64


@pytest.mark.slow                                                   # Keras traces its train step: seconds
@pytest.mark.parametrize("tied, saturated", [(False, False), (True, False), (False, True)])
def test_one_training_step_gives_the_same_weights(tied, saturated):
    ae = _dense(tied, "binary_crossentropy", "sigmoid", optimizer=SGD(0.5, momentum=0.5), learning_rate=None)
    if saturated:                       # the traced step reads the sigmoid's logits too (from the Sigmoid op)
        ae.decoder.layers[-1].params["bias"][:] = np.linspace(-30.0, 30.0, 6)
    km = KA.autoencoder_from_scratch(ae, dtype="float64")          # compiled with the twin of SGD(0.5, 0.5)
    x = np.random.default_rng(5).uniform(0.05, 0.95, (8, 6))
    for batch in (x[:4], x[4:]):                                    # two steps: the momentum counts too
        loss = ae.train_step(batch)
        k_loss = km.train_on_batch(batch, batch)
        assert float(k_loss) == pytest.approx(loss, rel=1e-6)           # Keras logs through a float32 metric
    k_params = {k: np.asarray(v) for k, v in KA.named_variables(km).items()}
    for key, value in ae.params.items():
        np.testing.assert_allclose(k_params[key], value, err_msg=key, **F64)


def test_keras_losses_equal_the_scratch_losses():
    rng = np.random.default_rng(6)
    x = rng.uniform(0, 1, (3, 4, 4, 1))
    cases = [("mse", False, rng.normal(0.5, 0.5, x.shape)),
             ("binary_crossentropy", False, rng.uniform(0.01, 0.99, x.shape)),
             ("binary_crossentropy", True, rng.normal(0, 3, x.shape))]
    for loss, logits, x_hat in cases:
        assert float(KA.reconstruction_loss(x, x_hat, loss, logits)) == pytest.approx(
            SA.reconstruction_loss(x, x_hat, loss, logits), rel=1e-13)
        np.testing.assert_allclose(np.asarray(KA.reconstruction_errors(x, x_hat, loss, logits)),
                                   SA.reconstruction_errors(x, x_hat, loss, logits), **F64)
    assert isinstance(KA.keras_loss("binary_crossentropy", True), keras.losses.BinaryCrossentropy)


@pytest.mark.slow
def test_keras_builders_start_from_the_scratch_weights_and_train():
    km = KA.dense_autoencoder(784, hidden=(32,), latent_dim=4, tied=True, learning_rate=3e-3, rng=0)
    ae = SA.dense_autoencoder(784, hidden=(32,), latent_dim=4, tied=True, rng=0, dtype=np.float32)
    x = np.random.default_rng(7).uniform(0, 1, (64, 784)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(km.reconstruct(x)), ae.reconstruct(x), **F32)
    history = km.fit(x, x, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    conv = KA.conv_autoencoder(filters=(4, 8), latent_dim=8, upsampling="nearest", rng=0)
    assert conv.decoder.output_shape == (None, 28, 28, 1) and conv.count_params() == SA.conv_autoencoder(
        filters=(4, 8), latent_dim=8, upsampling="nearest", rng=0).count_params()


@pytest.mark.parametrize("call, exc, match", [
    (lambda: KA.TiedDense(keras.layers.Conv2D(2, 3)), TypeError, r"tied_to must be a keras.layers.Dense layer"),
    (lambda: KA.TiedDense(keras.layers.Dense(3)), ValueError, r"tied_to must be a built Dense layer"),
    (lambda: KA.autoencoder_from_scratch("ae"), TypeError, r"scratch_ae must be a dlhelpers.scratch.autoencoder"),
    (lambda: KA.keras_loss("mae"), ValueError, r"loss must be one of 'mse', 'binary_crossentropy'"),
    (lambda: KA.keras_loss("mse", from_logits=True), ValueError, r"from_logits must be False for loss='mse'"),
    (lambda: KA.scratch_to_keras(_dense(False, "mse", "sigmoid"), "model"), TypeError,
     r"keras_ae must be a dlhelpers.keras.autoencoder.Autoencoder"),
    (lambda: KA.dense_autoencoder(latent_dim=0), ValueError, r"latent_dim must be in"),
    (lambda: KA.dense_autoencoder(dtype="float16"), ValueError, r"dtype must be one of 'float32', 'float64'"),
    (lambda: KA.Autoencoder(keras.layers.Dense(2), keras.layers.Dense(2)), TypeError, r"encoder must be a keras.Model"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_a_decoder_built_on_the_wrong_width_is_refused():
    enc = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="code")])
    tied = KA.TiedDense(enc.get_layer("code"))
    with pytest.raises(ValueError, match=r"the input of TiedDense layer .* must be \(N, 2\)"):
        keras.Sequential([keras.Input((3,)), tied])
