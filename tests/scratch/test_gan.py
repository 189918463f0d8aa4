"""scratch.gan: the GAN losses on logits (hand values, gradients, extremes) and the GAN's alternating steps."""
import warnings

import numpy as np
import pytest

from dlhelpers.scratch import gan as G
from dlhelpers.scratch.gan import GAN, build_mlp_gan
from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from dlhelpers.scratch.layers import Dense
from dlhelpers.scratch.network import Sequential
from dlhelpers.scratch.optim import SGD, Adam
from tests.helpers import TOL

LOSSES = list(G.GAN_LOSSES)
LOG2, LOG3 = np.log(2.0), np.log(3.0)


# --- hand-worked values ------------------------------------------------------------------------------------

def test_losses_at_logit_zero():
    # a = 0 → D = σ(0) = ½: −log ½ = log 2 for every cross-entropy term
    z = np.zeros(3)
    assert G.discriminator_loss(z, z[:2]) == pytest.approx(2 * LOG2, abs=1e-15)                 # log 2 + log 2
    assert G.discriminator_loss(z, z, "non_saturating") == pytest.approx(2 * LOG2, abs=1e-15)    # D's loss is the same
    assert G.generator_loss(z) == pytest.approx(LOG2, abs=1e-15)                                # −log ½
    assert G.generator_loss(z, "minimax") == pytest.approx(-LOG2, abs=1e-15)                    # log(1 − ½)
    assert G.value_function(z, z) == pytest.approx(-np.log(4.0), abs=1e-15)                     # log ½ + log ½
    # least squares on the raw output: ½·(0 − 1)² + ½·0² = ½ for D, ½·(0 − 1)² = ½ for G
    assert G.discriminator_loss(z, z, "least_squares") == pytest.approx(0.5, abs=1e-15)
    assert G.generator_loss(z, "least_squares") == pytest.approx(0.5, abs=1e-15)


def test_losses_at_logits_log3():
    # a_real = log 3 → σ = 3/4;  a_fake = −log 3 → σ = 1/4, 1 − σ = 3/4
    real, fake = np.array([LOG3]), np.array([[-LOG3]])
    assert G.discriminator_loss(real, fake) == pytest.approx(-2 * np.log(0.75), rel=1e-14)     # 0.5754
    assert G.value_function(real, fake) == pytest.approx(2 * np.log(0.75), rel=1e-14)
    assert G.generator_loss(fake) == pytest.approx(-np.log(0.25), rel=1e-14)                   # log 4 = 1.3863
    assert G.generator_loss(fake, "minimax") == pytest.approx(np.log(0.75), rel=1e-14)        # −0.2877
    # least squares, two real logits 3 and −1 and one fake 2: ½·((2)² + (−2)²)/2 + ½·2² = 2 + 2 = 4
    assert G.discriminator_loss([3.0, -1.0], [2.0], "least_squares") == pytest.approx(4.0)
    assert G.generator_loss([3.0, -1.0], "least_squares") == pytest.approx(2.0)                 # ½·(4 + 4)/2


def test_gradients_by_hand():
    # N = 2 real, M = 4 fake at a = 0: ∂/∂a_real = −σ(0)/2 = −¼, ∂/∂a_fake = σ(0)/4 = ⅛
    d_real, d_fake = G.discriminator_loss_grad(np.zeros(2), np.zeros((4, 1)))
    np.testing.assert_allclose(d_real, [-0.25, -0.25])
    np.testing.assert_allclose(d_fake, np.full((4, 1), 0.125))
    # G at a = 0, M = 4: non-saturating −σ(0)/4 = −⅛ and minimax −σ(0)/4 = −⅛: the same slope at 0 ...
    np.testing.assert_allclose(G.generator_loss_grad(np.zeros(4)), np.full(4, -0.125))
    np.testing.assert_allclose(G.generator_loss_grad(np.zeros(4), "minimax"), np.full(4, -0.125))
    # ... but where D rejects the fake (a = −log 3, σ = ¼): non-saturating −¾/1, minimax only −¼/1
    assert G.generator_loss_grad([-LOG3])[0] == pytest.approx(-0.75)
    assert G.generator_loss_grad([-LOG3], "minimax")[0] == pytest.approx(-0.25)
    # least squares, a_real = 3 (N = 1), a_fake = 2 (M = 2): (3 − 1)/1 = 2, 2/2 = 1; G: (2 − 1)/2 = ½
    d_real, d_fake = G.discriminator_loss_grad([3.0], [2.0, 2.0], "least_squares")
    np.testing.assert_allclose(d_real, [2.0])
    np.testing.assert_allclose(d_fake, [1.0, 1.0])
    np.testing.assert_allclose(G.generator_loss_grad([2.0, 2.0], "least_squares"), [0.5, 0.5])


def test_value_function_is_minus_the_cross_entropy_discriminator_loss():
    rng = np.random.default_rng(0)
    for _ in range(5):
        real, fake = 3 * rng.standard_normal(7), 3 * rng.standard_normal((4, 1))
        assert G.value_function(real, fake) == pytest.approx(-G.discriminator_loss(real, fake, "minimax"), rel=1e-14)
        assert G.value_function(real, fake) <= 0


def test_minimax_generator_loss_is_the_fake_term_of_the_value():
    rng = np.random.default_rng(1)
    fake = 2 * rng.standard_normal(5)
    # V(D, G) − mean log σ(a_real) = mean log(1 − σ(a_fake)) = G's minimax loss, whatever the real logits
    real = rng.standard_normal(3)
    assert G.value_function(real, fake) - G.value_function(real, np.full(1, -700.0)) == pytest.approx(
        G.generator_loss(fake, "minimax"), rel=1e-12)


# --- gradient checks -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("shapes", [((5,), (3,)), ((4, 1), (6, 1)), ((2,), (7, 1))])
def test_discriminator_loss_grad_matches_central_differences(loss, shapes):
    rng = np.random.default_rng(2)
    real, fake = 2 * rng.standard_normal(shapes[0]), 2 * rng.standard_normal(shapes[1])
    d_real, d_fake = G.discriminator_loss_grad(real, fake, loss)
    assert d_real.shape == real.shape and d_fake.shape == fake.shape
    assert relative_error(d_real, numerical_gradient(lambda: G.discriminator_loss(real, fake, loss), real)) < TOL
    assert relative_error(d_fake, numerical_gradient(lambda: G.discriminator_loss(real, fake, loss), fake)) < TOL


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("shape", [(6,), (4, 1)])
def test_generator_loss_grad_matches_central_differences(loss, shape):
    fake = 2 * np.random.default_rng(3).standard_normal(shape)
    grad = G.generator_loss_grad(fake, loss)
    assert grad.shape == shape
    assert relative_error(grad, numerical_gradient(lambda: G.generator_loss(fake, loss), fake)) < TOL


# --- numerical stability at |a| = 1e4 ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_logits_are_finite_with_the_right_limits(dtype):
    big = np.array([1e4], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                         # an overflow warning would fail here
        # D right with certainty: loss 0, no gradient
        assert G.discriminator_loss(big, -big) == 0.0
        d_real, d_fake = G.discriminator_loss_grad(big, -big)
        assert d_real[0] == 0.0 and d_fake[0] == 0.0
        # D wrong with certainty: softplus(1e4) = 1e4 for each term, gradients −1 and +1
        assert G.discriminator_loss(-big, big) == pytest.approx(2e4)
        d_real, d_fake = G.discriminator_loss_grad(-big, big)
        assert (d_real[0], d_fake[0]) == (-1.0, 1.0) and d_real.dtype == dtype
        assert G.value_function(-big, big) == pytest.approx(-2e4)
        # G's fakes rejected (a = −1e4): the minimax loss saturates (≈ 0, gradient ≈ 0), the non-saturating
        # loss is 1e4 with gradient −1
        # (e^−1e4 underflows to 0 in float64 and float32)
        assert G.generator_loss(-big, "minimax") == 0.0
        assert G.generator_loss_grad(-big, "minimax")[0] == 0.0
        assert G.generator_loss(-big) == pytest.approx(1e4)
        assert G.generator_loss_grad(-big)[0] == -1.0
        # G's fakes accepted (a = +1e4): the minimax loss is −1e4 with gradient −1, the non-saturating one 0
        assert G.generator_loss(big, "minimax") == pytest.approx(-1e4)
        assert G.generator_loss_grad(big, "minimax")[0] == -1.0
        assert G.generator_loss(big) == 0.0
        # least squares: ½·(1e4 − 1)² and (1e4 − 1)
        assert G.generator_loss(big, "least_squares") == pytest.approx(0.5 * (1e4 - 1) ** 2)
        assert G.generator_loss_grad(big, "least_squares")[0] == pytest.approx(1e4 - 1)
        for loss in LOSSES:
            mixed = np.array([-1e4, -30.0, 0.0, 30.0, 1e4], dtype)
            assert np.isfinite(G.discriminator_loss(mixed, mixed, loss)) and np.isfinite(G.generator_loss(mixed, loss))
            assert all(np.all(np.isfinite(g)) for g in G.discriminator_loss_grad(mixed, mixed, loss))
            assert np.all(np.isfinite(G.generator_loss_grad(mixed, loss)))


# --- bad input ------------------------------------------------------------------------------------------------

def test_loss_functions_refuse_bad_input():
    with pytest.raises(ValueError, match=r"loss must be one of 'minimax', 'non_saturating', 'least_squares' for "
                                         r"discriminator_loss; got 'wasserstein'"):
        G.discriminator_loss([0.0], [0.0], "wasserstein")
    with pytest.raises(ValueError, match="loss must be one of .* for generator_loss_grad"):
        G.generator_loss_grad([0.0], "saturating")
    with pytest.raises(ValueError, match=r"fake_logits must be \(N,\) or \(N, 1\), one logit per sample for "
                                         r"generator_loss; got shape \(3, 2\)"):
        G.generator_loss(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"real_logits must be 1-D or 2-D .* for value_function; got shape \(\)"):
        G.value_function(0.0, [0.0])
    with pytest.raises(ValueError, match="real_logits must be non-empty for discriminator_loss_grad"):
        G.discriminator_loss_grad(np.zeros(0), [0.0])
    with pytest.raises(ValueError, match="fake_logits must be finite"):
        G.discriminator_loss([0.0], [np.nan])


# --- the GAN ---------------------------------------------------------------------------------------------------

def _gan(loss="non_saturating", k=1, d_opt=None, g_opt=None, activation="tanh", seed=0):
    """A small float64 GAN (2-D data, 3-D noise) with smooth activations, for the gradient checks."""
    net = build_mlp_gan(data_dim=2, noise_dim=3, hidden=(5, 4), activation=activation, d_hidden=(6,), rng=seed)
    return GAN(net.generator, net.discriminator, loss=loss, k=k, d_optimizer=d_opt or SGD(0.1),
               g_optimizer=g_opt or SGD(0.1), rng=seed)


def _copy(params):
    return {k: v.copy() for k, v in params.items()}


def test_build_mlp_gan_layers_and_shapes():
    gan = build_mlp_gan(data_dim=3, noise_dim=2, hidden=(8, 4), d_hidden=(5,), activation="relu", rng=0)
    assert [l.name for l in gan.generator.layers] == ["g_hidden", "g_hidden_1", "g_output"]
    assert [l.name for l in gan.discriminator.layers] == ["d_hidden", "d_logit"]
    assert gan.generator.output_shape == (3,) and gan.discriminator.output_shape == (1,)
    assert gan.discriminator.layers[-1].activation == "linear"                     # D outputs a logit
    assert gan.noise(5).shape == (5, 2) and gan.sample(4).shape == (4, 3)
    assert gan.logits(np.zeros((6, 3))).shape == (6,)
    assert gan.d_optimizer is not gan.g_optimizer and gan.d_optimizer.learning_rate == 1e-3
    # the same seed gives the same networks and the same noise
    again = build_mlp_gan(data_dim=3, noise_dim=2, hidden=(8, 4), d_hidden=(5,), activation="relu", rng=0)
    for a, b in zip(gan.generator.get_weights(), again.generator.get_weights()):
        np.testing.assert_array_equal(a, b)
    third = build_mlp_gan(data_dim=3, noise_dim=2, hidden=(8, 4), d_hidden=(5,), activation="relu", rng=0)
    np.testing.assert_array_equal(again.noise(3), third.noise(3))


def test_noise_is_standard_normal():
    z = _gan().noise(20000, rng=1)
    assert z.shape == (20000, 3)
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02


@pytest.mark.parametrize("loss", LOSSES)
def test_generator_gradient_through_d_matches_central_differences(loss):
    gan = _gan(loss)
    z = gan.noise(7, rng=4)
    g_loss, grads, fake_logits = gan.generator_gradients(z)
    assert set(grads) == set(gan.generator.params)
    assert g_loss == pytest.approx(G.generator_loss(fake_logits, loss), rel=1e-14)

    def loss_of_g():          # G's loss as a function of G's parameters (perturbed in place below)
        return G.generator_loss(gan.discriminator.forward(gan.generator.forward(z)), loss)

    for layer in gan.generator.layers:
        for name, p in layer.params.items():
            err = relative_error(grads[f"{layer.name}/{name}"], numerical_gradient(loss_of_g, p))
            assert err < TOL, (loss, layer.name, name, err)


@pytest.mark.parametrize("loss", LOSSES)
def test_discriminator_gradient_matches_central_differences(loss):
    gan = _gan(loss)
    x_real, z = np.random.default_rng(5).standard_normal((5, 2)), gan.noise(4, rng=6)   # N = 5, M = 4
    d_loss, grads, real_logits, fake_logits = gan.discriminator_gradients(x_real, z)
    assert real_logits.shape == (5,) and fake_logits.shape == (4,)
    x_fake = gan.generate(z)

    def loss_of_d():
        d = gan.discriminator
        return G.discriminator_loss(d.forward(x_real), d.forward(x_fake), loss)

    assert d_loss == pytest.approx(loss_of_d(), rel=1e-14)
    for layer in gan.discriminator.layers:
        for name, p in layer.params.items():
            err = relative_error(grads[f"{layer.name}/{name}"], numerical_gradient(loss_of_d, p))
            assert err < TOL, (loss, layer.name, name, err)


@pytest.mark.parametrize("loss", LOSSES)
def test_generator_step_leaves_d_untouched_and_discriminator_step_leaves_g_untouched(loss):
    gan = _gan(loss, d_opt=Adam(0.01), g_opt=Adam(0.01))
    x_real = np.random.default_rng(7).standard_normal((8, 2))
    g0, d0 = _copy(gan.generator.params), _copy(gan.discriminator.params)
    gan.generator_step(gan.noise(8))
    for key, value in gan.discriminator.params.items():
        np.testing.assert_array_equal(value, d0[key], err_msg=key)
    assert all(not np.array_equal(gan.generator.params[key], g0[key]) for key in g0)
    g1 = _copy(gan.generator.params)
    gan.discriminator_step(x_real, gan.noise(8))
    for key, value in gan.generator.params.items():
        np.testing.assert_array_equal(value, g1[key], err_msg=key)
    assert all(not np.array_equal(gan.discriminator.params[key], d0[key]) for key in d0)
    assert gan.d_optimizer.iterations == 1 and gan.g_optimizer.iterations == 1


def test_generator_step_is_one_sgd_step_on_the_generator_gradient():
    gan = _gan("minimax", g_opt=SGD(0.5))
    z = gan.noise(6, rng=8)
    _, grads, _ = gan.generator_gradients(z)
    expected = {key: p - 0.5 * grads[key] for key, p in gan.generator.params.items()}
    logs = gan.generator_step(z)
    assert logs["g_loss"] <= 0                                 # the saturating loss is a log of a probability
    for key, value in gan.generator.params.items():
        np.testing.assert_allclose(value, expected[key], rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("k", [1, 3])
def test_train_step_is_k_discriminator_steps_then_one_generator_step(k):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((k, 6, 2))
    z_d, z_g = rng.standard_normal((k, 6, 3)), rng.standard_normal((5, 3))
    a, b = _gan(k=k, d_opt=Adam(0.01), g_opt=Adam(0.02)), _gan(k=k, d_opt=Adam(0.01), g_opt=Adam(0.02))
    logs = a.train_step(x, z=(z_d, z_g))
    d_logs = [b.discriminator_step(x[i], z_d[i]) for i in range(k)]
    g_logs = b.generator_step(z_g)
    for net_a, net_b in ((a.generator, b.generator), (a.discriminator, b.discriminator)):
        for key in net_a.params:
            np.testing.assert_array_equal(net_a.params[key], net_b.params[key], err_msg=key)
    assert a.d_optimizer.iterations == k and a.g_optimizer.iterations == 1 and a.steps == 1
    assert logs["g_loss"] == g_logs["g_loss"]
    for key in ("d_loss", "value", "d_real", "d_fake"):
        assert logs[key] == pytest.approx(np.mean([log[key] for log in d_logs]), rel=1e-14)
    assert all(isinstance(v, float) for v in logs.values())
    assert 0 < logs["d_real"] < 1 and 0 < logs["d_fake"] < 1                    # D(x) = σ(a), a probability


def test_train_step_reuses_one_real_batch_and_one_noise_batch_for_every_d_step():
    rng = np.random.default_rng(10)
    x, z_d, z_g = rng.standard_normal((6, 2)), rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    a, b = _gan(k=2), _gan(k=2)
    a.train_step(x, z=(z_d, z_g))
    b.train_step(np.stack([x, x]), z=(np.stack([z_d, z_d]), z_g))
    for key in a.discriminator.params:
        np.testing.assert_array_equal(a.discriminator.params[key], b.discriminator.params[key])


def test_train_step_draws_its_noise_from_rng():
    x = np.random.default_rng(11).standard_normal((6, 2))
    a, b = _gan(), _gan()
    a.train_step(x, rng=3)
    b.train_step(x, rng=3)
    np.testing.assert_array_equal(a.generator.get_weights()[0], b.generator.get_weights()[0])


def test_least_squares_reports_the_raw_discriminator_output():
    gan = _gan("least_squares")
    x = np.random.default_rng(12).standard_normal((6, 2))
    z = gan.noise(6, rng=0)
    _, _, real_logits, fake_logits = gan.discriminator_gradients(x, z)
    logs = gan.discriminator_step(x, z)
    assert logs["d_real"] == pytest.approx(real_logits.mean()) and logs["d_fake"] == pytest.approx(fake_logits.mean())
    np.testing.assert_allclose(gan.discriminate(x), gan.logits(x))


def test_sample_gradients_point_where_d_says_real():
    # G's step moves each sample along −∂ℓ/∂x; for a linear D, a(x) = w·x + b, that is +σ(−a)·w (non-saturating)
    g = Sequential([Dense(2)], input_dim=1, rng=0)
    d = Sequential([Dense(1)], input_dim=2, rng=0)
    d.set_params({"dense/kernel": np.array([[2.0], [-1.0]]), "dense/bias": np.array([0.5])})
    gan = GAN(g, d, loss="non_saturating")
    x = np.array([[0.0, 0.0], [1.0, 3.0]])
    a = x @ np.array([2.0, -1.0]) + 0.5
    expected = -(1 / (1 + np.exp(a)))[:, None] * np.array([[2.0, -1.0]])       # ∂softplus(−a)/∂x = −σ(−a)·w
    np.testing.assert_allclose(gan.sample_gradients(x), expected, rtol=1e-14)
    assert d.params["dense/kernel"].tolist() == [[2.0], [-1.0]]


def test_train_learns_the_mean_of_a_1d_gaussian():
    rng = np.random.default_rng(0)
    data = 3.0 + 0.5 * rng.standard_normal((2000, 1))
    gan = build_mlp_gan(data_dim=1, noise_dim=1, hidden=(16, 16), rng=0, d_learning_rate=2e-3, g_learning_rate=2e-3)
    before = gan.sample(2000, rng=1).mean()
    seen = []
    history = gan.train(data, steps=400, batch_size=64, rng=1, on_step=lambda step, logs: seen.append(step))
    assert seen == list(range(400)) and gan.steps == 400
    assert set(history) == {"d_loss", "g_loss", "value", "d_real", "d_fake"}
    assert all(len(v) == 400 and np.all(np.isfinite(v)) for v in history.values())
    after = gan.sample(2000, rng=1).mean()
    assert abs(before - 3.0) > 2.0 and abs(after - 3.0) < 0.5, (before, after)


# --- bad input to the GAN ----------------------------------------------------------------------------------------

def test_gan_refuses_bad_input():
    gan = _gan()
    with pytest.raises(ValueError, match=r"z must be noise of width noise_dim = 3 for GAN.generate; got 2 columns"):
        gan.generate(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="z must be noise of width noise_dim = 3 for GAN.generator_step"):
        gan.generator_step(np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"x_real must be samples of shape \(2,\) \(the generator's output\) for "
                                         r"GAN.discriminator_step; got samples of shape \(3,\)"):
        gan.discriminator_step(np.zeros((4, 3)), gan.noise(4))
    with pytest.raises(ValueError, match=r"x_real must be 2-D or 3-D"):
        gan.train_step(np.zeros(4))
    with pytest.raises(ValueError, match=r"x_real must be one batch per discriminator step \(k = 1\) for "
                                         r"GAN.train_step; got 2 batches"):
        gan.train_step(np.zeros((2, 4, 2)))
    with pytest.raises(ValueError, match="z_d must be one noise batch per discriminator step"):
        gan.train_step(np.zeros((4, 2)), z=(np.zeros((2, 4, 3)), np.zeros((4, 3))))
    with pytest.raises(TypeError, match=r"z must be None or a pair \(z_d, z_g\) for GAN.train_step"):
        gan.train_step(np.zeros((4, 2)), z=np.zeros((4, 3)))
    with pytest.raises(ValueError, match="x_real must be finite"):
        gan.train_step(np.full((4, 2), np.nan))
    with pytest.raises(ValueError, match=r"n must be a whole number in \[1, 1000000\] for GAN.noise; got 0"):
        gan.noise(0)
    with pytest.raises(ValueError, match=r"batch_size must be a whole number .* for GAN.train"):
        gan.train(np.zeros((4, 2)), steps=1, batch_size=-1)
    with pytest.raises(TypeError, match="on_step must be callable for GAN.train"):
        gan.train(np.zeros((4, 2)), steps=1, on_step="print")


@pytest.mark.parametrize("k", [0, -1, 101])
def test_gan_refuses_k_outside_1_to_100(k):
    net = build_mlp_gan(rng=0)
    with pytest.raises(ValueError, match=rf"k must be in \[1, 100\] for GAN; got {k}. Pass a whole number of "
                                         "discriminator steps"):
        GAN(net.generator, net.discriminator, k=k)
    with pytest.raises(ValueError, match=rf"k must be in \[1, 100\] for GAN; got {k}"):
        build_mlp_gan(k=k)


def test_gan_refuses_bad_networks_and_settings():
    net = build_mlp_gan(rng=0)
    g, d = net.generator, net.discriminator
    with pytest.raises(TypeError, match="k must be an integer for GAN; got 1.5"):
        GAN(g, d, k=1.5)
    with pytest.raises(ValueError, match=r"loss must be one of 'minimax', 'non_saturating', 'least_squares' for GAN; "
                                         r"got 'wgan'"):
        GAN(g, d, loss="wgan")
    with pytest.raises(ValueError, match="loss must be one of .* for build_mlp_gan"):
        build_mlp_gan(loss="hinge")
    with pytest.raises(TypeError, match="discriminator must be a dlhelpers.scratch.network.Sequential for GAN"):
        GAN(g, "d")
    with pytest.raises(ValueError, match="noise_dim must be the generator's input width 2 for GAN; got 3"):
        GAN(g, d, noise_dim=3)
    with pytest.raises(ValueError, match=r"discriminator must be a network with one output unit .* got output shape "
                                         r"\(2,\)"):
        GAN(g, Sequential([Dense(2)], input_dim=2))
    with pytest.raises(ValueError, match="discriminator must be a network ending in a linear unit"):
        GAN(g, Sequential([Dense(1, "sigmoid")], input_dim=2))
    with pytest.raises(ValueError, match=r"discriminator must be a network of the generator's samples, input_shape "
                                         r"\(2,\) for GAN; got input_shape \(3,\)"):
        GAN(g, Sequential([Dense(1)], input_dim=3))
    with pytest.raises(ValueError, match="noise_dim must be given when the generator is not built"):
        GAN(Sequential([Dense(2)]), d)
    opt = Adam(0.01)
    with pytest.raises(ValueError, match="d_optimizer and g_optimizer must be two different optimizer objects"):
        GAN(g, d, d_optimizer=opt, g_optimizer=opt)
    with pytest.raises(ValueError, match="d_learning_rate must be None when an optimizer instance is given"):
        GAN(g, d, d_optimizer=opt, d_learning_rate=0.1)
    with pytest.raises(ValueError, match="d_optimizer must be one of 'sgd', 'rmsprop', 'adam' for GAN"):
        GAN(g, d, d_optimizer="adagrad")
    with pytest.raises(ValueError, match="activation must be one of .* for build_mlp_gan"):
        build_mlp_gan(activation="swish")
    with pytest.raises(TypeError, match=r"hidden must be a tuple of layer sizes for build_mlp_gan; got 16"):
        build_mlp_gan(hidden=16)


def test_unbuilt_networks_are_built_from_noise_dim():
    g = Sequential([Dense(4, "tanh"), Dense(2)], rng=0)
    d = Sequential([Dense(4, "tanh"), Dense(1)], rng=0)
    gan = GAN(g, d, noise_dim=3)
    assert g.input_shape == (3,) and d.input_shape == (2,) and gan.sample(5, rng=0).shape == (5, 2)
