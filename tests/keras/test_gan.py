"""scratch.gan ↔ keras.gan: the same losses, and one D step + one G step give the same weights (Model.train_step
and the plain GradientTape loop)."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from dlhelpers.keras import gan as KG  # noqa: E402
from dlhelpers.keras.gradtape import forward_and_grads  # noqa: E402
from dlhelpers.scratch import gan as SG  # noqa: E402
from dlhelpers.scratch.optim import SGD, Adam  # noqa: E402

LOSSES = list(SG.GAN_LOSSES)
F64, F32 = dict(rtol=1e-9, atol=1e-12), dict(rtol=1e-5, atol=1e-6)
# Keras keeps the learning rate in a float32 variable and casts beta_1/beta_2 through float32: these values are
# exact in float32, so the float64 twins agree to rounding
OPTIMIZERS = {"sgd": lambda lr: SGD(lr), "adam": lambda lr: Adam(lr, beta_1=0.875, beta_2=0.9921875)}


def _logits(rng, dtype=np.float64):
    return {"real": 3 * rng.standard_normal(7).astype(dtype), "fake": 3 * rng.standard_normal((5, 1)).astype(dtype)}


@pytest.mark.parametrize("loss", LOSSES)
def test_losses_match_scratch(loss):
    a = _logits(np.random.default_rng(0))
    assert float(KG.discriminator_loss(a["real"], a["fake"], loss)) == pytest.approx(
        SG.discriminator_loss(a["real"], a["fake"], loss), rel=1e-14)
    assert float(KG.generator_loss(a["fake"], loss)) == pytest.approx(SG.generator_loss(a["fake"], loss), rel=1e-14)
    assert float(KG.value_function(a["real"], a["fake"])) == pytest.approx(
        SG.value_function(a["real"], a["fake"]), rel=1e-14)


@pytest.mark.parametrize("loss", LOSSES)
def test_loss_gradients_from_the_tape_match_scratch(loss):
    a = _logits(np.random.default_rng(1))
    _, d_real, _ = forward_and_grads(lambda t: KG.discriminator_loss(t, a["fake"], loss), a["real"], 1.0)
    _, d_fake, _ = forward_and_grads(lambda t: KG.discriminator_loss(a["real"], t, loss), a["fake"], 1.0)
    _, g_fake, _ = forward_and_grads(lambda t: KG.generator_loss(t, loss), a["fake"], 1.0)
    s_real, s_fake = SG.discriminator_loss_grad(a["real"], a["fake"], loss)
    np.testing.assert_allclose(d_real, s_real, rtol=1e-12)
    np.testing.assert_allclose(d_fake, s_fake, rtol=1e-12)
    np.testing.assert_allclose(g_fake, SG.generator_loss_grad(a["fake"], loss), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_losses_at_extreme_logits_are_finite_on_both_sides(dtype):
    big = np.array([-1e4, 0.0, 1e4], dtype)
    for loss in LOSSES:
        k, s = float(KG.discriminator_loss(big, big, loss)), SG.discriminator_loss(big, big, loss)
        assert np.isfinite(k) and k == pytest.approx(s, rel=1e-6)
        k, s = float(KG.generator_loss(big, loss)), SG.generator_loss(big, loss)
        assert np.isfinite(k) and k == pytest.approx(s, rel=1e-6)
        _, grad, _ = forward_and_grads(lambda t: KG.generator_loss(t, loss), big, 1.0)
        np.testing.assert_allclose(grad, SG.generator_loss_grad(big, loss), rtol=1e-6)


def _scratch_gan(loss, opt, k=1, dtype=np.float64):
    net = SG.build_mlp_gan(data_dim=2, noise_dim=3, hidden=(5, 4), d_hidden=(6,), activation="tanh", rng=0,
                           dtype=dtype)
    return SG.GAN(net.generator, net.discriminator, loss=loss, k=k, d_optimizer=OPTIMIZERS[opt](0.0625),
                  g_optimizer=OPTIMIZERS[opt](0.125))


def _batch(k, dtype):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 2)).astype(dtype)
    z_d = rng.standard_normal((k, 6, 3) if k > 1 else (6, 3)).astype(dtype)
    return x, z_d, rng.standard_normal((4, 3)).astype(dtype)                     # G's batch: M = 4 ≠ N = 6


def _assert_same_weights(sgan, kgan, tol):
    for s_net, k_net in ((sgan.generator, kgan.generator), (sgan.discriminator, kgan.discriminator)):
        s_w, k_w = s_net.get_weights(), k_net.get_weights()
        assert len(s_w) == len(k_w)
        for i, (a, b) in enumerate(zip(s_w, k_w)):
            np.testing.assert_allclose(a, b, err_msg=f"{k_net.name} weight {i}", **tol)


@pytest.mark.parametrize("dtype, tol", [(np.float64, F64), (np.float32, F32)], ids=["float64", "float32"])
@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
@pytest.mark.parametrize("loss", LOSSES)
def test_model_train_step_matches_scratch(loss, opt, dtype, tol):
    sgan = _scratch_gan(loss, opt, dtype=dtype)
    kgan = KG.gan_from_scratch(sgan, dtype=np.dtype(dtype).name)
    w0 = [w.copy() for w in sgan.generator.get_weights()]
    x, z_d, z_g = _batch(1, dtype)
    s_logs = sgan.train_step(x, z=(z_d, z_g))
    k_logs = kgan.train_step((x, z_d, z_g))
    _assert_same_weights(sgan, kgan, tol)
    assert not np.allclose(w0[0], sgan.generator.get_weights()[0])              # the step did move G
    for key in KG.LOG_KEYS:                                                     # Keras's running means are float32
        assert float(k_logs[key]) == pytest.approx(s_logs[key], rel=1e-6, abs=1e-7), key


@pytest.mark.parametrize("dtype, tol", [(np.float64, F64), (np.float32, F32)], ids=["float64", "float32"])
@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
@pytest.mark.parametrize("loss", LOSSES)
def test_gradient_tape_loop_matches_scratch(loss, opt, dtype, tol):
    sgan = _scratch_gan(loss, opt, dtype=dtype)
    kgan = KG.gan_from_scratch(sgan, dtype=np.dtype(dtype).name)
    x, z_d, z_g = _batch(1, dtype)
    s_logs = sgan.train_step(x, z=(z_d, z_g))
    k_logs = KG.tape_train_step(kgan.generator, kgan.discriminator, kgan.d_optimizer, kgan.g_optimizer,
                                x, z_d, z_g, loss=loss)
    _assert_same_weights(sgan, kgan, tol)
    assert k_logs["d_loss"] == pytest.approx(s_logs["d_loss"], rel=tol["rtol"])
    assert k_logs["g_loss"] == pytest.approx(s_logs["g_loss"], rel=tol["rtol"], abs=tol["atol"])


@pytest.mark.parametrize("loss", LOSSES)
def test_k_discriminator_steps_match_scratch(loss):
    sgan = _scratch_gan(loss, "adam", k=3)
    model, loop = KG.gan_from_scratch(sgan, dtype="float64"), KG.gan_from_scratch(sgan, dtype="float64")
    x, z_d, z_g = _batch(3, np.float64)
    sgan.train_step(x, z=(z_d, z_g))
    model.train_step((x, z_d, z_g))
    KG.tape_train_step(loop.generator, loop.discriminator, loop.d_optimizer, loop.g_optimizer, x, z_d, z_g, loss)
    _assert_same_weights(sgan, model, F64)
    _assert_same_weights(sgan, loop, F64)
    assert int(model.d_optimizer.iterations) == 3 and int(model.g_optimizer.iterations) == 1


def test_tape_steps_update_only_their_own_network():
    kgan = KG.gan_from_scratch(_scratch_gan("non_saturating", "adam"), dtype="float64")
    x, z, _ = _batch(1, np.float64)
    g0, d0 = kgan.generator.get_weights(), kgan.discriminator.get_weights()
    KG.tape_generator_step(kgan.generator, kgan.discriminator, kgan.g_optimizer, z)
    assert all(np.array_equal(a, b) for a, b in zip(d0, kgan.discriminator.get_weights()))
    assert not any(np.array_equal(a, b) for a, b in zip(g0, kgan.generator.get_weights()))
    g1 = kgan.generator.get_weights()
    KG.tape_discriminator_step(kgan.generator, kgan.discriminator, kgan.d_optimizer, x, z)
    assert all(np.array_equal(a, b) for a, b in zip(g1, kgan.generator.get_weights()))


def test_fit_trains_with_its_own_noise():
    sgan = SG.build_mlp_gan(hidden=(8,), k=2, rng=0)
    kgan = KG.gan_from_scratch(sgan, seed=0)
    x = np.random.default_rng(4).standard_normal((128, 2)).astype("float32")
    g0 = kgan.generator.get_weights()[0].copy()
    history = kgan.fit(x, batch_size=32, epochs=2, verbose=0)
    assert set(history.history) == set(KG.LOG_KEYS)
    assert all(len(v) == 2 and np.all(np.isfinite(v)) for v in history.history.values())
    assert int(kgan.d_optimizer.iterations) == 2 * 4 * 2 and int(kgan.g_optimizer.iterations) == 2 * 4
    assert not np.allclose(g0, kgan.generator.get_weights()[0])
    assert kgan(np.zeros((3, 2), "float32")).shape == (3, 2)                   # call(z) = G(z)


def test_bad_input():
    with pytest.raises(ValueError, match=r"loss must be one of 'minimax', 'non_saturating', 'least_squares' for "
                                         r"dlhelpers.keras.gan.generator_loss; got 'wgan'"):
        KG.generator_loss(np.zeros(3), "wgan")
    with pytest.raises(ValueError, match=r"fake_logits must be \(N,\) or \(N, 1\), one logit per sample"):
        KG.discriminator_loss(np.zeros(3), np.zeros((3, 2)))
    kgan = KG.gan_from_scratch(SG.build_mlp_gan(rng=0))
    with pytest.raises(ValueError, match="loss must be one of .* for dlhelpers.keras.gan.GAN.compile"):
        kgan.compile(loss="hinge")
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="d_optimizer and g_optimizer must be two different optimizer objects"):
        kgan.compile(d_optimizer=opt, g_optimizer=opt)
    with pytest.raises(TypeError, match="d_optimizer must be a Keras optimizer, its name"):
        kgan.compile(d_optimizer="adamw2")
    with pytest.raises(ValueError, match=r"k must be in \[1, 100\] for dlhelpers.keras.gan.GAN; got 0"):
        KG.GAN(kgan.generator, kgan.discriminator, k=0)
    with pytest.raises(TypeError, match="scratch_gan must be a dlhelpers.scratch.gan.GAN for gan_from_scratch"):
        KG.gan_from_scratch(kgan)
    x = tf.zeros((4, 2))
    with pytest.raises(ValueError, match=r"data must be x_real or \(x_real, z_d, z_g\) for "
                                         r"dlhelpers.keras.gan.GAN.train_step; got a tuple of length 2"):
        kgan.train_step((x, x))
