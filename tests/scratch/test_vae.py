"""scratch.vae: the reparameterization trick, the Gaussian KL term and −ELBO (hand values, float64 gradient checks,
bad input), and the VAE of two Sequential networks (gradients end to end, steps, training on digits)."""
import numpy as np
import pytest

from dlhelpers.scratch import vae as V
from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from dlhelpers.scratch.layers import Dense
from dlhelpers.scratch.network import Sequential
from dlhelpers.scratch.optim import SGD
from tests.helpers import TOL

LOG2, LOG3, LOG4 = np.log(2.0), np.log(3.0), np.log(4.0)
LIKELIHOODS = list(V.LIKELIHOODS)


# --- hand-worked values ------------------------------------------------------------------------------------

def test_reparameterize_by_hand():
    # σ = exp(log_var / 2): log_var = 0 → σ = 1, log_var = log 4 → σ = 2
    # z = mu + σ·ε = [1 + 1·0.5, 0 + 2·(−1)] = [1.5, −2];  second row: 3 + exp(−1)·0 = 3, −1 + 1·2 = 1
    mu = np.array([[1.0, 0.0], [3.0, -1.0]])
    log_var = np.array([[0.0, LOG4], [-2.0, 0.0]])
    eps = np.array([[0.5, -1.0], [0.0, 2.0]])
    z, cache = V.reparameterize(mu, log_var, eps)
    np.testing.assert_allclose(z, [[1.5, -2.0], [3.0, 1.0]], rtol=1e-15)
    np.testing.assert_allclose(cache.std, [[1.0, 2.0], [np.exp(-1.0), 1.0]], rtol=1e-15)
    # backward: dmu = dz, dlog_var = dz·ε·σ/2 = [1·0.5·1/2, 2·(−1)·2/2] = [0.25, −2]; row 2: [0, 3·2·1/2] = [0, 3]
    dz = np.array([[1.0, 2.0], [5.0, 3.0]])
    dmu, dlog_var = V.reparameterize_backward(dz, cache)
    np.testing.assert_array_equal(dmu, dz)
    assert dmu is not dz                                     # a new array: changing it leaves dz alone
    np.testing.assert_allclose(dlog_var, [[0.25, -2.0], [0.0, 3.0]], rtol=1e-15)


def test_reparameterize_with_zero_noise_is_the_mean():
    mu = np.array([[0.3, -7.0, 2.0]])
    z, _ = V.reparameterize(mu, np.array([[5.0, -5.0, 0.0]]), np.zeros((1, 3)))
    np.testing.assert_array_equal(z, mu)


def test_gaussian_kl_by_hand():
    # row 1: mu = [1, 0], log σ² = [0, log 4]: ½(1 + 1 − 1 − 0) + ½(4 + 0 − 1 − log 4) = ½ + 3/2 − log 2
    # row 2: the prior itself (mu = 0, σ² = 1): 0.  Mean over the batch of 2: (2 − log 2)/2
    mu = np.array([[1.0, 0.0], [0.0, 0.0]])
    log_var = np.array([[0.0, LOG4], [0.0, 0.0]])
    assert V.gaussian_kl(mu[:1], log_var[:1]) == pytest.approx(2.0 - LOG2, rel=1e-15)       # 1.3069
    assert V.gaussian_kl(mu, log_var) == pytest.approx((2.0 - LOG2) / 2, rel=1e-15)
    assert V.gaussian_kl(mu[1:], log_var[1:]) == 0.0
    # σ² = e⁻² (log σ² = −2), mu = 0: ½(e⁻² + 0 − 1 + 2) = ½(1 + e⁻²)
    assert V.gaussian_kl([[0.0]], [[-2.0]]) == pytest.approx(0.5 * (1 + np.exp(-2.0)), rel=1e-15)
    # tiny log σ²: σ² − 1 − log σ² ≈ (log σ²)²/2, which exp(·) − 1 would lose to rounding
    assert V.gaussian_kl([[0.0]], [[1e-9]]) == pytest.approx(0.25e-18, rel=1e-6)


def test_gaussian_kl_grad_by_hand():
    # N = 2: dmu = mu/2; dlog_var = ½(σ² − 1)/2: σ² = 4 → ¾, σ² = 1 → 0, σ² = e⁻² → (e⁻² − 1)/4
    mu = np.array([[1.0, 0.0], [-3.0, 2.0]])
    log_var = np.array([[0.0, LOG4], [-2.0, 0.0]])
    dmu, dlog_var = V.gaussian_kl_grad(mu, log_var)
    np.testing.assert_allclose(dmu, [[0.5, 0.0], [-1.5, 1.0]], rtol=1e-15)
    np.testing.assert_allclose(dlog_var, [[0.0, 0.75], [(np.exp(-2.0) - 1) / 4, 0.0]], rtol=1e-15)


def test_reconstruction_nll_by_hand():
    # Bernoulli on logits: a = 0 → σ = ½, each pixel costs log 2, whatever x
    assert V.reconstruction_nll([[1.0, 0.0]], [[0.0, 0.0]]) == pytest.approx(2 * LOG2, rel=1e-15)
    # a = log 3 → σ = ¾: x = 1 costs −log ¾ = log(4/3), x = 0 costs −log ¼ = log 4: sum log(16/3)
    assert V.reconstruction_nll([[1.0, 0.0]], [[LOG3, LOG3]]) == pytest.approx(np.log(16 / 3), rel=1e-14)
    # x = ½ at a = 0: softplus(0) − ½·0 = log 2 (the cross-entropy of a grey pixel)
    assert V.reconstruction_nll([[0.5]], [[0.0]]) == pytest.approx(LOG2, rel=1e-15)
    # images (N, H, W, C): summed over all pixels, averaged over the 2 samples: (4·log 2 + 4·log 2)/2
    assert V.reconstruction_nll(np.ones((2, 2, 2, 1)), np.zeros((2, 2, 2, 1))) == pytest.approx(4 * LOG2, rel=1e-15)
    # Gaussian, σ = ½: ((1 − ½)² + (0 − ½)²)/(2·¼) = 1; σ = 1: ½·(¼ + ¼) = ¼
    assert V.reconstruction_nll([[1.0, 0.0]], [[0.5, 0.5]], "gaussian", sigma=0.5) == pytest.approx(1.0, rel=1e-15)
    assert V.reconstruction_nll([[1.0, 0.0]], [[0.5, 0.5]], "gaussian") == pytest.approx(0.25, rel=1e-15)
    # the Gaussian takes any real x (no [0, 1] rule): (3 − (−1))²/2 = 8
    assert V.reconstruction_nll([[3.0]], [[-1.0]], "gaussian") == pytest.approx(8.0, rel=1e-15)


def test_reconstruction_nll_grad_by_hand():
    # Bernoulli: (σ(a) − x)/N with N = 2: a = log 3 → (¾ − 1)/2 = −⅛, (¾ − 0)/2 = ⅜; a = 0, x = ½ → 0
    g = V.reconstruction_nll_grad([[1.0, 0.0], [0.5, 0.5]], [[LOG3, LOG3], [0.0, 0.0]])
    np.testing.assert_allclose(g, [[-0.125, 0.375], [0.0, 0.0]], atol=1e-16)
    # Gaussian: (m − x)/(σ²·N), σ = ½, N = 1: (½ − 1)/¼ = −2, (½ − 0)/¼ = 2
    g = V.reconstruction_nll_grad([[1.0, 0.0]], [[0.5, 0.5]], "gaussian", sigma=0.5)
    np.testing.assert_allclose(g, [[-2.0, 2.0]], rtol=1e-15)


def test_vae_loss_is_reconstruction_plus_beta_kl():
    x, a = np.array([[1.0, 0.0]]), np.zeros((1, 2))                       # reconstruction 2·log 2
    mu, log_var = np.array([[1.0, 0.0]]), np.array([[0.0, LOG4]])         # KL 2 − log 2
    logs = V.vae_loss(x, a, mu, log_var)
    assert logs["reconstruction"] == pytest.approx(2 * LOG2, rel=1e-15)
    assert logs["kl"] == pytest.approx(2 - LOG2, rel=1e-15)
    assert logs["loss"] == pytest.approx(2 + LOG2, rel=1e-15)               # 2·log 2 + 2 − log 2
    assert V.vae_loss(x, a, mu, log_var, beta=0.5)["loss"] == pytest.approx(2 * LOG2 + (2 - LOG2) / 2, rel=1e-15)
    assert V.vae_loss(x, a, mu, log_var, beta=0)["loss"] == logs["reconstruction"]


# --- float64 gradient checks --------------------------------------------------------------------------------

def _latents(seed, shape=(4, 3)):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape), rng.uniform(-2, 2, shape), rng.standard_normal(shape)


def test_reparameterize_gradient_check():
    mu, log_var, eps = _latents(0)
    dz = np.random.default_rng(1).standard_normal(mu.shape)
    _, cache = V.reparameterize(mu, log_var, eps)
    dmu, dlog_var = V.reparameterize_backward(dz, cache)
    f = lambda: float(np.sum(V.reparameterize(mu, log_var, eps)[0] * dz))
    assert relative_error(dmu, numerical_gradient(f, mu)) < TOL
    assert relative_error(dlog_var, numerical_gradient(f, log_var)) < TOL


def test_gaussian_kl_gradient_check():
    mu, log_var, _ = _latents(2)
    dmu, dlog_var = V.gaussian_kl_grad(mu, log_var)
    f = lambda: V.gaussian_kl(mu, log_var)
    assert relative_error(dmu, numerical_gradient(f, mu)) < TOL
    assert relative_error(dlog_var, numerical_gradient(f, log_var)) < TOL


@pytest.mark.parametrize("likelihood", LIKELIHOODS)
def test_reconstruction_nll_gradient_check(likelihood):
    rng = np.random.default_rng(3)
    x, out = rng.uniform(size=(3, 2, 2, 1)), 2 * rng.standard_normal((3, 2, 2, 1))
    grad = V.reconstruction_nll_grad(x, out, likelihood, sigma=0.7)
    num = numerical_gradient(lambda: V.reconstruction_nll(x, out, likelihood, sigma=0.7), out)
    assert relative_error(grad, num) < TOL


def _vaes(likelihood, beta):
    """A dense VAE and a conv VAE on 4×4 images, smooth (tanh) so central differences are exact."""
    dense = V.build_dense_vae(input_shape=(4, 4, 1), latent_dim=2, hidden=(5, 3), activation="tanh",
                              likelihood=likelihood, beta=beta, sigma=0.8, rng=0)
    conv = V.build_conv_vae(input_shape=(4, 4, 2), latent_dim=2, filters=(2,), kernel_size=3, dense_units=3,
                            activation="tanh", likelihood=likelihood, beta=beta, sigma=0.8, rng=1)
    return {"dense": dense, "conv": conv}


@pytest.mark.parametrize("kind", ["dense", "conv"])
@pytest.mark.parametrize("likelihood, beta", [("bernoulli", 1.0), ("gaussian", 0.5), ("bernoulli", 3.0)])
def test_elbo_gradient_check_end_to_end(kind, likelihood, beta):
    vae = _vaes(likelihood, beta)[kind]
    rng = np.random.default_rng(4)
    x = rng.uniform(0.05, 0.95, size=(3, *vae.data_shape))
    eps = rng.standard_normal((3, vae.latent_dim))
    vae.forward(x, eps)
    dx = vae.backward()
    grads = {k: g.copy() for k, g in vae.grads.items()}
    assert sorted(grads) == sorted(vae.params) and len(grads) >= 8
    loss = lambda: vae.forward(x, eps)["loss"]
    errors = {k: relative_error(grads[k], numerical_gradient(loss, p)) for k, p in vae.params.items()}
    errors["x"] = relative_error(dx, numerical_gradient(loss, x))
    assert max(errors.values()) < TOL, errors
    # every parameter gets a gradient signal: the encoder through both the KL term and z, the decoder through z
    assert all(np.any(g != 0) for g in grads.values())


def test_the_kl_gradient_reaches_the_encoder_when_the_decoder_ignores_the_code():
    # with eps = 0 and a decoder whose kernel is zero, dL/dlog_var is only the KL part ½(σ² − 1)/N·β
    vae = V.build_dense_vae(input_shape=3, latent_dim=2, hidden=(), beta=2.0, rng=0)
    for k in ("dec_output/kernel",):
        vae.decoder.set_params({k: np.zeros_like(vae.decoder.params[k])})
    x = np.full((2, 3), 0.5)
    vae.forward(x, np.zeros((2, 2)))
    vae.backward()
    mu, log_var = vae.encode(x)
    kl_mu, kl_log_var = V.gaussian_kl_grad(mu, log_var)
    # the encoder's last layer: dL/dh = [β·mu/N | β·½(σ² − 1)/N], and dL/dbias = Σ_n dL/dh
    np.testing.assert_allclose(vae.grads["encoder/z_mean_log_var/bias"],
                               2.0 * np.concatenate([kl_mu, kl_log_var], axis=1).sum(axis=0), rtol=1e-12)


# --- the VAE ---------------------------------------------------------------------------------------------

def test_train_step_is_one_optimizer_step_on_the_gradients():
    vae = V.build_dense_vae(input_shape=(2, 3), latent_dim=2, hidden=(4,), optimizer="sgd", learning_rate=0.5,
                            rng=0)
    x = np.random.default_rng(5).uniform(size=(4, 2, 3))
    eps = vae.noise(4, rng=6)
    logs, grads = vae.gradients(x, eps)
    expected = {k: p - 0.5 * grads[k] for k, p in vae.params.items()}
    step_logs = vae.train_step(x, eps=eps)
    assert step_logs == logs                                              # measured before the update
    for k, p in vae.params.items():
        np.testing.assert_allclose(p, expected[k], rtol=1e-14, atol=1e-15, err_msg=k)
    assert vae.steps == 1 and vae.forward(x, eps)["loss"] < logs["loss"]


def test_methods_and_shapes():
    vae = V.build_conv_vae(input_shape=(4, 4, 1), latent_dim=3, filters=(2,), dense_units=None, rng=0)
    x = np.random.default_rng(7).uniform(size=(5, 4, 4, 1))
    mu, log_var = vae.encode(x)
    assert mu.shape == log_var.shape == (5, 3)
    assert vae.noise(6, rng=0).shape == (6, 3)
    for images in (vae.decode(mu), vae.reconstruct(x), vae.sample(5, rng=1)):
        assert images.shape == (5, 4, 4, 1) and images.min() >= 0 and images.max() <= 1   # σ(logits)
    np.testing.assert_allclose(vae.reconstruct(x), vae.decode(mu))
    np.testing.assert_array_equal(vae.sample(2, rng=3), vae.sample(2, rng=3))         # reproducible
    assert set(vae.evaluate(x, rng=0)) == {"loss", "reconstruction", "kl"}
    assert vae.count_params() == sum(p.size for p in vae.params.values())
    assert all(k.startswith(("encoder/", "decoder/")) for k in vae.params)


def test_gaussian_decode_is_the_decoder_output():
    vae = V.build_dense_vae(input_shape=3, latent_dim=2, hidden=(4,), likelihood="gaussian", rng=0)
    z = vae.noise(3, rng=0)
    np.testing.assert_array_equal(vae.decode(z), vae.decoder.forward(z))
    x = np.array([[-2.0, 5.0, 0.5]])                                # any real values for the Gaussian
    assert np.isfinite(vae.train_step(x, rng=0)["loss"])


def test_fit_records_every_epoch_and_calls_back():
    vae = V.build_dense_vae(input_shape=4, latent_dim=2, hidden=(3,), rng=0)
    x = np.random.default_rng(8).uniform(size=(10, 4))
    seen = []
    history = vae.fit(x, epochs=3, batch_size=4, rng=0, validation_data=x[:3],
                      on_batch_end=lambda step, logs: seen.append((step, logs["loss"])))
    assert sorted(history) == ["kl", "loss", "reconstruction", "val_kl", "val_loss", "val_reconstruction"]
    assert all(len(v) == 3 for v in history.values())
    assert [s for s, _ in seen] == list(range(9)) and vae.steps == 9            # 3 batches (4, 4, 2) per epoch
    for h in range(3):
        assert history["loss"][h] == pytest.approx(history["reconstruction"][h] + history["kl"][h])
    same = V.build_dense_vae(input_shape=4, latent_dim=2, hidden=(3,), rng=0)
    assert same.fit(x, epochs=3, batch_size=4, rng=0, validation_data=x[:3]) == history   # reproducible


def test_beta_zero_leaves_the_reconstruction():
    vae = V.build_dense_vae(input_shape=4, latent_dim=2, hidden=(3,), beta=0.0, rng=0)
    x = np.random.default_rng(9).uniform(size=(3, 4))
    logs = vae.forward(x, vae.noise(3, rng=0))
    assert logs["loss"] == logs["reconstruction"] and logs["kl"] > 0


def test_set_params_round_trip_and_optimizer_instance():
    vae = V.build_dense_vae(input_shape=4, latent_dim=2, hidden=(3,), rng=0)
    other = V.VAE(Sequential([Dense(3, "relu", name="enc_hidden"), Dense(4, name="z_mean_log_var")], input_dim=4,
                             rng=5),
                  Sequential([Dense(3, "relu", name="dec_hidden"), Dense(4, name="dec_output")], rng=6),
                  optimizer=SGD(0.1))
    other.set_params(vae.params)
    x = np.random.default_rng(10).uniform(size=(2, 4))
    eps = vae.noise(2, rng=1)
    assert other.forward(x, eps) == vae.forward(x, eps)
    assert isinstance(other.optimizer, SGD)


@pytest.mark.slow
def test_training_on_mnist_digits_lowers_the_test_loss():
    from dlhelpers.data import mnist_5k
    d = mnist_5k()
    rng = np.random.default_rng(0)
    order = rng.permutation(len(d.X))
    train, test = d.X[order[:4000]], d.X[order[4000:4500]]
    vae = V.build_dense_vae(input_shape=784, latent_dim=8, hidden=(128,), learning_rate=2e-3, rng=0,
                            dtype=np.float32)
    eps = vae.noise(len(test), rng=1)
    before = vae.evaluate(test, eps=eps)
    history = vae.fit(train, epochs=4, batch_size=64, rng=0)                    # 4 × 63 = 252 steps
    after = vae.evaluate(test, eps=eps)
    # an untrained decoder pays about 784·log 2 ≈ 543 nats per digit; a few hundred Adam steps must cut the
    # held-out −ELBO by more than half, and the training loss must fall from epoch to epoch
    assert before["loss"] > 500 and after["loss"] < 0.5 * before["loss"], (before, after)
    assert history["loss"] == sorted(history["loss"], reverse=True)
    assert after["kl"] > 1.0                                                    # the codes carry information


# --- bad input ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("func", [V.reparameterize, V.gaussian_kl, V.gaussian_kl_grad])
def test_log_var_of_the_wrong_shape_is_refused(func):
    mu, log_var, eps = _latents(0)
    args = (mu, log_var[:, :2], eps) if func is V.reparameterize else (mu, log_var[:, :2])
    with pytest.raises(ValueError, match=r"mu and log_var must be the same shape .*got \(4, 3\) and \(4, 2\)"):
        func(*args)


def test_eps_of_the_wrong_shape_is_refused():
    mu, log_var, eps = _latents(0)
    with pytest.raises(ValueError, match="mu and eps must be the same shape"):
        V.reparameterize(mu, log_var, eps[:3])
    with pytest.raises(ValueError, match="mu and eps must be the same shape"):
        V.reparameterize(mu, log_var, eps.T)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("position", [0, 1, 2])
def test_non_finite_values_are_refused(bad, position):
    args = list(_latents(0))
    args[position] = args[position].copy()
    args[position][1, 2] = bad
    name = ["mu", "log_var", "eps"][position]
    with pytest.raises(ValueError, match=rf"{name} must be finite \(no NaN or inf\) for reparameterize"):
        V.reparameterize(*args)
    if position < 2:
        for func in (V.gaussian_kl, V.gaussian_kl_grad):
            with pytest.raises(ValueError, match=rf"{name} must be finite"):
                func(*args[:2])


def test_a_latent_vector_without_batch_axis_is_refused():
    with pytest.raises(ValueError, match=r"mu must be 2-D \(N, latent_dim\) for gaussian_kl; got shape \(2,\)\. "
                                         r"Add a batch axis"):
        V.gaussian_kl([1.0, 0.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="mu must be non-empty"):
        V.reparameterize(np.zeros((0, 2)), np.zeros((0, 2)), np.zeros((0, 2)))


def test_overflowing_log_var_is_a_clear_error():
    big = np.array([[2000.0]])
    with pytest.raises(ValueError, match=r"must be finite for reparameterize.*log_var is far too large"):
        V.reparameterize([[0.0]], big, [[1.0]])
    with pytest.raises(ValueError, match="log_var is far too large"):
        V.gaussian_kl([[0.0]], big)
    with pytest.raises(ValueError, match="log_var is far too large"):
        V.gaussian_kl_grad([[0.0]], big)


def test_reparameterize_backward_checks_dz_and_cache():
    mu, log_var, eps = _latents(0)
    _, cache = V.reparameterize(mu, log_var, eps)
    with pytest.raises(ValueError, match=r"dz must be the forward output's shape \(4, 3\)"):
        V.reparameterize_backward(np.ones((4, 2)), cache)
    with pytest.raises(ValueError, match="dz must be finite"):
        V.reparameterize_backward(np.full((4, 3), np.nan), cache)
    with pytest.raises(TypeError, match="cache must be the ReparameterizeCache returned by reparameterize"):
        V.reparameterize_backward(np.ones((4, 3)), (eps, log_var))


def test_reconstruction_inputs_are_checked():
    x = np.full((2, 28, 28, 1), 0.5)
    with pytest.raises(ValueError, match=r"x and decoder_out must be the same shape .*\(2, 28, 28, 1\) and "
                                         r"\(2, 28, 27, 1\)"):
        V.reconstruction_nll(x, np.zeros((2, 28, 27, 1)))               # wrong image width
    with pytest.raises(ValueError, match=r"x must be pixel values in \[0, 1\] for likelihood='bernoulli'"):
        V.reconstruction_nll(x * 255, np.zeros_like(x))
    with pytest.raises(ValueError, match="sigma must be > 0"):
        V.reconstruction_nll(x, x, "gaussian", sigma=0.0)
    with pytest.raises(ValueError, match="likelihood must be one of 'bernoulli', 'gaussian'"):
        V.reconstruction_nll_grad(x, x, "poisson")
    with pytest.raises(ValueError, match="decoder_out must be finite"):
        V.reconstruction_nll(x, np.full_like(x, np.inf))
    with pytest.raises(ValueError, match="mu must be one row per sample of x"):
        V.vae_loss(x, x, np.zeros((3, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"beta must be in \[0, inf\]"):
        V.vae_loss(x, x, np.zeros((2, 2)), np.zeros((2, 2)), beta=-1.0)


def test_the_vae_refuses_images_of_the_wrong_size_and_bad_noise():
    vae = V.build_dense_vae(input_shape=(4, 4, 1), latent_dim=2, hidden=(3,), rng=0)
    x = np.full((2, 4, 4, 1), 0.5)
    with pytest.raises(ValueError, match=r"x must be samples of shape \(4, 4, 1\) \(the encoder's input\) for "
                                         r"VAE.forward; got shape \(4, 5, 1\)"):
        vae.forward(np.full((2, 4, 5, 1), 0.5), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"x must be 4-D \(N, 4, 4, 1\) for VAE.train_step"):
        vae.train_step(np.full((4, 4, 1), 0.5))
    with pytest.raises(ValueError, match=r"eps must be shape \(N, latent_dim\) = \(2, 2\)"):
        vae.forward(x, np.zeros((3, 2)))
    with pytest.raises(ValueError, match="eps must be finite"):
        vae.train_step(x, eps=np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match=r"x must be pixel values in \[0, 1\]"):
        vae.evaluate(x * 255, rng=0)
    with pytest.raises(ValueError, match="forward must be run before backward"):
        V.build_dense_vae(input_shape=3, latent_dim=1, hidden=(), rng=0).backward()


def test_the_vae_refuses_networks_that_do_not_fit():
    enc = lambda out: Sequential([Dense(out)], input_dim=4, rng=0)
    with pytest.raises(ValueError, match="encoder must be a network with an even number 2L of outputs"):
        V.VAE(enc(3), Sequential([Dense(4)]))
    with pytest.raises(ValueError, match=r"decoder must be a network back to the data shape \(4,\)"):
        V.VAE(enc(4), Sequential([Dense(5)]))
    with pytest.raises(ValueError, match=r"decoder must be a network of codes, input_shape \(2,\)"):
        V.VAE(enc(4), Sequential([Dense(4)], input_dim=3))
    with pytest.raises(ValueError, match="decoder must be a network ending in a linear layer \\(logits\\)"):
        V.VAE(enc(4), Sequential([Dense(4, "sigmoid")]))
    V.VAE(enc(4), Sequential([Dense(4, "sigmoid")]), likelihood="gaussian")      # a sigmoid mean is a choice
    with pytest.raises(ValueError, match="encoder must be built"):
        V.VAE(Sequential([Dense(4)]), Sequential([Dense(4)]))
    with pytest.raises(TypeError, match="decoder must be a dlhelpers.scratch.network.Sequential"):
        V.VAE(enc(4), [Dense(4)])
    with pytest.raises(ValueError, match="decoder must be of the encoder's dtype"):
        V.VAE(enc(4), Sequential([Dense(4)], dtype=np.float32))
    with pytest.raises(ValueError, match="sigma must be > 0"):
        V.VAE(enc(4), Sequential([Dense(4)]), sigma=-1.0)


def test_fit_checks_its_settings():
    vae = V.build_dense_vae(input_shape=3, latent_dim=1, hidden=(), rng=0)
    x = np.full((4, 3), 0.5)
    with pytest.raises(ValueError, match=r"epochs must be a whole number in \[1, 10000\]"):
        vae.fit(x, epochs=0)
    with pytest.raises(ValueError, match=r"epochs must be a whole number in \[1, 10000\]"):
        vae.fit(x, epochs=2.5)
    with pytest.raises(TypeError, match="epochs must be a whole number"):
        vae.fit(x, epochs="3")
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        vae.fit(x, shuffle="yes")
    with pytest.raises(TypeError, match="on_batch_end must be callable"):
        vae.fit(x, on_batch_end=3)
    with pytest.raises(ValueError, match=r"validation_data must be samples of shape \(3,\)"):
        vae.fit(x, validation_data=np.full((2, 4), 0.5))
    assert vae.steps == 0                                          # nothing was trained


def test_builders_check_their_settings():
    with pytest.raises(ValueError, match=r"input_shape must be H and W divisible by 2\^len\(filters\) = 4"):
        V.build_conv_vae(input_shape=(6, 6, 1), filters=(2, 2))
    with pytest.raises(ValueError, match=r"input_shape must be \(H, W, C\) images"):
        V.build_conv_vae(input_shape=784)
    with pytest.raises(ValueError, match="input_shape must be at most 1,000,000 numbers per sample"):
        V.build_dense_vae(input_shape=10 ** 12)
    with pytest.raises(ValueError, match="latent_dim must be at most 10000"):
        V.build_dense_vae(latent_dim=10 ** 5)
    with pytest.raises(TypeError, match="hidden must be a tuple of layer sizes"):
        V.build_dense_vae(hidden=256)
    with pytest.raises(ValueError, match="filters must be at least one filter count"):
        V.build_conv_vae(filters=())
