"""scratch.vae ↔ keras.vae: the same reparameterization, KL and −ELBO, and with the same weights and the same noise the
same loss, parts and gradients (dense and convolutional VAEs, both likelihoods); one train_step gives the same
weights; weights copy both ways."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
import keras  # noqa: E402
from dlhelpers.keras import vae as KV  # noqa: E402
from dlhelpers.keras.gradtape import forward_and_grads  # noqa: E402
from dlhelpers.scratch import vae as SV  # noqa: E402
from dlhelpers.scratch.optim import SGD, Adam  # noqa: E402

LIKELIHOODS = list(SV.LIKELIHOODS)
F64, F32 = dict(rtol=1e-10, atol=1e-12), dict(rtol=1e-5, atol=1e-6)


def _latents(seed=0, shape=(4, 3)):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape), rng.uniform(-2, 2, shape), rng.standard_normal(shape)


def test_latent_functions_match_scratch():
    mu, log_var, eps = _latents()
    np.testing.assert_allclose(KV.reparameterize(mu, log_var, eps), SV.reparameterize(mu, log_var, eps)[0],
                               rtol=1e-14)
    assert float(KV.gaussian_kl(mu, log_var)) == pytest.approx(SV.gaussian_kl(mu, log_var), rel=1e-14)


def test_latent_gradients_from_the_tape_match_scratch():
    mu, log_var, eps = _latents(1)
    dz = np.random.default_rng(2).standard_normal(mu.shape)
    _, cache = SV.reparameterize(mu, log_var, eps)
    s_mu, s_log_var = SV.reparameterize_backward(dz, cache)
    _, k_mu, _ = forward_and_grads(lambda t: KV.reparameterize(t, log_var, eps), mu, dz)
    _, k_log_var, _ = forward_and_grads(lambda t: KV.reparameterize(mu, t, eps), log_var, dz)
    np.testing.assert_allclose(k_mu, s_mu, rtol=1e-14)
    np.testing.assert_allclose(k_log_var, s_log_var, rtol=1e-13)
    s_mu, s_log_var = SV.gaussian_kl_grad(mu, log_var)
    _, k_mu, _ = forward_and_grads(lambda t: KV.gaussian_kl(t, log_var), mu, 1.0)
    _, k_log_var, _ = forward_and_grads(lambda t: KV.gaussian_kl(mu, t), log_var, 1.0)
    np.testing.assert_allclose(k_mu, s_mu, rtol=1e-13)
    np.testing.assert_allclose(k_log_var, s_log_var, rtol=1e-13)


@pytest.mark.parametrize("likelihood", LIKELIHOODS)
def test_reconstruction_and_loss_match_scratch(likelihood):
    rng = np.random.default_rng(3)
    x, out = rng.uniform(size=(3, 4, 4, 1)), 3 * rng.standard_normal((3, 4, 4, 1))
    assert float(KV.reconstruction_nll(x, out, likelihood, sigma=0.6)) == pytest.approx(
        SV.reconstruction_nll(x, out, likelihood, sigma=0.6), rel=1e-14)
    _, k_grad, _ = forward_and_grads(lambda t: KV.reconstruction_nll(x, t, likelihood, 0.6), out, 1.0)
    np.testing.assert_allclose(k_grad, SV.reconstruction_nll_grad(x, out, likelihood, 0.6), rtol=1e-12, atol=1e-16)
    mu, log_var, _ = _latents(4, (3, 2))
    k = KV.vae_loss(x, out, mu, log_var, beta=0.3, likelihood=likelihood, sigma=0.6)
    s = SV.vae_loss(x, out, mu, log_var, beta=0.3, likelihood=likelihood, sigma=0.6)
    assert {key: float(v) for key, v in k.items()} == pytest.approx(s, rel=1e-14)


def test_bernoulli_loss_at_extreme_logits_is_finite_on_both_sides():
    x = np.array([[0.0, 1.0, 0.5, 1.0]])
    logits = np.array([[-1e4, 1e4, 1e4, -1e4]])
    # softplus(a) − x·a per pixel: 0, 0, ½·10⁴, 10⁴
    assert SV.reconstruction_nll(x, logits) == pytest.approx(1.5e4, rel=1e-12)
    assert float(KV.reconstruction_nll(x, logits)) == pytest.approx(1.5e4, rel=1e-12)


def _scratch(kind, likelihood, dtype=np.float64, optimizer="adam", beta=0.7):
    """A smooth dense VAE or a ReLU conv VAE, with an optimizer whose settings are exact in float32 (Keras keeps
    the learning rate and β₁, β₂ in float32, so the float64 twins then agree to rounding)."""
    opt = {"adam": Adam(0.0625, beta_1=0.875, beta_2=0.9921875), "sgd": SGD(0.125)}[optimizer]
    if kind == "dense":
        base = SV.build_dense_vae(input_shape=(4, 4, 1), latent_dim=2, hidden=(6, 5), activation="tanh", rng=0,
                                  dtype=dtype)
    else:
        base = SV.build_conv_vae(input_shape=(8, 8, 1), latent_dim=2, filters=(2, 3), kernel_size=3, dense_units=4,
                                 activation="relu", rng=1, dtype=dtype)
    return SV.VAE(*_nets(base), likelihood=likelihood, beta=beta, sigma=0.75, optimizer=opt)


def _nets(vae):
    return vae.encoder, vae.decoder


def _batch(vae, n=3, seed=5):
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, *vae.data_shape)).astype(vae.dtype)
    return x, rng.standard_normal((n, vae.latent_dim)).astype(vae.dtype)


@pytest.mark.parametrize("dtype, tol", [(np.float64, F64), (np.float32, F32)], ids=["float64", "float32"])
@pytest.mark.parametrize("likelihood", LIKELIHOODS)
@pytest.mark.parametrize("kind", ["dense", "conv"])
def test_same_weights_and_noise_give_the_same_loss_and_gradients(kind, likelihood, dtype, tol):
    svae = _scratch(kind, likelihood, dtype)
    kvae = KV.vae_from_scratch(svae, dtype=np.dtype(dtype).name)
    x, eps = _batch(svae)
    s_logs, s_grads = svae.gradients(x, eps)
    k_logs, k_grads = KV.vae_gradients(kvae, x, eps)
    assert sorted(k_grads) == sorted(s_grads) and len(s_grads) >= 10
    for key in KV.LOG_KEYS:
        assert k_logs[key] == pytest.approx(s_logs[key], rel=tol["rtol"], abs=tol["atol"]), key
    for key, g in s_grads.items():
        np.testing.assert_allclose(k_grads[key], g, err_msg=key, rtol=tol["rtol"],
                                   atol=tol["atol"] * max(1.0, float(np.max(np.abs(g)))))
    assert s_logs["kl"] > 0 and s_logs["reconstruction"] > 0


def _assert_same_weights(svae, kvae, tol):
    for s_net, k_net in ((svae.encoder, kvae.encoder), (svae.decoder, kvae.decoder)):
        s_w, k_w = s_net.get_weights(), k_net.get_weights()
        assert len(s_w) == len(k_w)
        for i, (a, b) in enumerate(zip(s_w, k_w)):
            np.testing.assert_allclose(a, b, err_msg=f"{k_net.name} weight {i}", **tol)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("likelihood", LIKELIHOODS)
def test_train_step_with_the_same_noise_gives_the_same_weights(likelihood, optimizer):
    svae = _scratch("dense", likelihood, optimizer=optimizer)
    kvae = KV.vae_from_scratch(svae, dtype="float64")
    w0 = svae.encoder.get_weights()[0].copy()
    for seed in (5, 6):                                             # two steps: Adam's moments matter too
        x, eps = _batch(svae, seed=seed)
        s_logs = svae.train_step(x, eps=eps)
        k_logs = kvae.train_step((x, eps))
    _assert_same_weights(svae, kvae, F64)
    assert not np.allclose(w0, svae.encoder.get_weights()[0])             # the steps did move the encoder
    for key in KV.LOG_KEYS:                                                # Keras's running means: over 2 steps
        assert float(k_logs[key]) > 0 and np.isfinite(s_logs[key])


def test_weights_copy_both_ways():
    svae = _scratch("conv", "bernoulli")
    kvae = KV.vae_from_scratch(svae, dtype="float64")
    x, eps = _batch(svae)
    other = SV.build_conv_vae(input_shape=(8, 8, 1), latent_dim=2, filters=(2, 3), kernel_size=3, dense_units=4,
                              activation="relu", rng=9)
    parts = lambda logs: (logs["reconstruction"], logs["kl"])              # other has β = 1, svae β = 0.7
    assert parts(other.forward(x, eps)) != parts(svae.forward(x, eps))
    KV.keras_vae_to_scratch(kvae, other)
    assert parts(other.forward(x, eps)) == parts(svae.forward(x, eps))
    fresh = KV.vae_from_scratch(SV.build_conv_vae(input_shape=(8, 8, 1), latent_dim=2, filters=(2, 3),
                                                  kernel_size=3, dense_units=4, activation="relu", rng=7),
                                dtype="float64")
    KV.scratch_vae_to_keras(svae, fresh)
    assert parts(KV.vae_gradients(fresh, x, eps)[0]) == pytest.approx(parts(svae.forward(x, eps)), rel=1e-12)
    with pytest.raises(TypeError, match="keras_vae must be a dlhelpers.keras.vae.VAE"):
        KV.keras_vae_to_scratch(kvae.encoder, other)


def test_model_methods_and_fit_with_its_own_noise():
    svae = SV.build_dense_vae(input_shape=(4, 4, 1), latent_dim=2, hidden=(8,), rng=0, dtype=np.float32)
    kvae = KV.vae_from_scratch(svae, seed=0)
    x = np.random.default_rng(8).uniform(size=(32, 4, 4, 1)).astype(np.float32)
    recon = np.asarray(kvae(x))
    np.testing.assert_allclose(recon, svae.reconstruct(x), **F32)                    # decode(mu(x))
    assert recon.min() >= 0 and recon.max() <= 1
    mu, log_var = kvae.encode(x)
    s_mu, s_log_var = svae.encode(x)
    np.testing.assert_allclose(np.asarray(mu), s_mu, **F32)
    np.testing.assert_allclose(np.asarray(log_var), s_log_var, **F32)
    history = kvae.fit(x, batch_size=8, epochs=25, verbose=0)
    loss = history.history["loss"]
    assert sorted(history.history) == sorted(KV.LOG_KEYS) and len(loss) == 25
    # each epoch's loss carries the noise of its own ε (±0.1 here): compare the first and last three epochs,
    # which measured 11.71–11.82 against 11.23–11.29 over four runs
    assert np.mean(loss[-3:]) < np.mean(loss[:3]) - 0.2
    logs = kvae.evaluate(x, batch_size=32, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["reconstruction"] + logs["kl"], rel=1e-5)


def test_bad_networks_are_refused():
    svae = SV.build_dense_vae(input_shape=4, latent_dim=2, hidden=(3,), rng=0)
    kvae = KV.vae_from_scratch(svae)
    odd = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match="encoder must be a model with an even number 2L of outputs"):
        KV.VAE(odd, kvae.decoder)
    wide = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
    with pytest.raises(ValueError, match=r"decoder must be a model of codes \(2,\)"):
        KV.VAE(kvae.encoder, wide)
    with pytest.raises(TypeError, match="scratch_vae must be a dlhelpers.scratch.vae.VAE"):
        KV.vae_from_scratch(svae.encoder)
    with pytest.raises(ValueError, match="likelihood must be one of"):
        KV.reconstruction_nll(np.zeros((1, 2)), np.zeros((1, 2)), "laplace")
