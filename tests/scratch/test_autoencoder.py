"""scratch.autoencoder: the reconstruction losses (hand values, gradients, logits at the extremes), tied weights
(the shared kernel's gradient is the sum of both uses), end-to-end float64 gradient checks of dense and
convolutional autoencoders, training on digits, the linear autoencoder's PCA subspace, and bad input."""
import numpy as np
import pytest
from scipy.linalg import subspace_angles

from dlhelpers._blas import single_thread_blas
from dlhelpers.scratch import activations as A
from dlhelpers.scratch import autoencoder as AE
from dlhelpers.scratch import losses as L
from dlhelpers.scratch.autoencoder import Autoencoder, TiedDense, conv_autoencoder, dense_autoencoder
from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from dlhelpers.scratch.layers import Conv2D, Dense, Reshape
from dlhelpers.scratch.network import Sequential
from dlhelpers.scratch.optim import SGD
from tests.helpers import TOL, check_backward

LOG2 = np.log(2.0)


@pytest.fixture(scope="module")
def mnist():
    """MNIST 5k, loaded once for the training tests (parsing its CSV takes seconds on a busy machine)."""
    from dlhelpers.data import mnist_5k
    return mnist_5k()


# --- losses ------------------------------------------------------------------------------------------------------

def test_losses_by_hand():
    x = np.array([[0.0, 1.0], [1.0, 0.0]])
    # MSE: x̂ − x = (0.5, −0.5, 0, 0) → (0.25 + 0.25 + 0 + 0) / 4 = 0.125; gradient 2(x̂ − x)/4
    x_hat = np.array([[0.5, 0.5], [1.0, 0.0]])
    assert AE.reconstruction_loss(x, x_hat) == pytest.approx(0.125, abs=1e-15)
    np.testing.assert_allclose(AE.reconstruction_loss_grad(x, x_hat), [[0.25, -0.25], [0.0, 0.0]], atol=1e-15)
    np.testing.assert_allclose(AE.reconstruction_errors(x, x_hat), [0.25, 0.0], atol=1e-15)   # each row's mean
    # BCE at p = ½ costs log 2 per value whatever the target; ∂/∂p = (½ − x)/(¼·4) = ±½
    half = np.full((2, 2), 0.5)
    assert AE.reconstruction_loss(x, half, "binary_crossentropy") == pytest.approx(LOG2, rel=1e-15)
    np.testing.assert_allclose(AE.reconstruction_loss_grad(x, half, "binary_crossentropy"), [[0.5, -0.5], [-0.5, 0.5]])
    # on logits: a = 0 is p = ½ (log 2 again); ∂/∂a = (σ(0) − x)/4 = ±⅛
    zero = np.zeros((2, 2))
    assert AE.reconstruction_loss(x, zero, "binary_crossentropy", from_logits=True) == pytest.approx(LOG2, rel=1e-15)
    np.testing.assert_allclose(AE.reconstruction_loss_grad(x, zero, "binary_crossentropy", from_logits=True),
                               [[0.125, -0.125], [-0.125, 0.125]])
    # a = log 3 → p = ¾: −log ¾ for target 1, −log ¼ for target 0
    a = np.full((1, 2), np.log(3.0))
    np.testing.assert_allclose(AE.reconstruction_errors([[1.0, 0.0]], a, "binary_crossentropy", from_logits=True),
                               [(-np.log(0.75) - np.log(0.25)) / 2], rtol=1e-14)


@pytest.mark.parametrize("loss, from_logits", [("mse", False), ("binary_crossentropy", False),
                                               ("binary_crossentropy", True)])
def test_losses_are_the_scratch_losses_the_mean_of_the_errors_and_their_gradients_check(loss, from_logits):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (3, 4, 4, 1))                                   # soft targets in [0, 1]
    x_hat = rng.normal(0, 2, x.shape) if from_logits else rng.uniform(0.05, 0.95, x.shape)
    value = AE.reconstruction_loss(x, x_hat, loss, from_logits)
    same = L.mse(x, x_hat) if loss == "mse" else L.binary_crossentropy(x, x_hat, from_logits=from_logits)
    assert value == same                                                  # the scratch losses, reused
    assert value == pytest.approx(np.mean(AE.reconstruction_errors(x, x_hat, loss, from_logits)), rel=1e-14)
    num = numerical_gradient(lambda: AE.reconstruction_loss(x, x_hat, loss, from_logits), x_hat)
    assert relative_error(AE.reconstruction_loss_grad(x, x_hat, loss, from_logits), num) < TOL


def test_bce_on_logits_is_stable_at_the_extremes():
    x = np.array([[0.0, 1.0, 0.0, 1.0]])
    a = np.array([[1e4, -1e4, -1e4, 1e4]])   # two confident mistakes (cost |a| each), two confident hits (cost ~0)
    errors = AE.reconstruction_errors(x, a, "binary_crossentropy", from_logits=True)
    np.testing.assert_allclose(errors, [(1e4 + 1e4) / 4])
    np.testing.assert_allclose(AE.reconstruction_loss_grad(x, a, "binary_crossentropy", from_logits=True),
                               [[0.25, -0.25, 0.0, 0.0]])                  # (σ(a) − x)/4, no overflow
    # the same values as probabilities are clipped to [1e-7, 1 − 1e-7], as Keras does: −log 1e-7 per mistake
    p = np.array([[1.0, 0.0, 0.0, 1.0]])
    assert AE.reconstruction_loss(x, p, "binary_crossentropy") == pytest.approx(-np.log(1e-7) / 2, rel=1e-6)


# --- tied weights ----------------------------------------------------------------------------------------------------

def test_tied_dense_is_a_dense_with_the_transposed_kernel():
    rng = np.random.default_rng(1)
    enc = Sequential([Dense(3, "tanh", name="code")], input_dim=5, rng=0)
    tied = TiedDense(enc.layers[0], "sigmoid", bias_initializer="ones")
    dec = Sequential([tied], input_dim=3, rng=0)
    assert dec.output_shape == (5,) and tied.params["bias"].shape == (5,) and tied.count_params() == 5
    assert list(dec.params) == ["tied_dense/bias"]                      # the kernel stays the encoder's
    W = enc.layers[0].params["kernel"]                                    # (5, 3)
    z = rng.standard_normal((4, 3))
    np.testing.assert_allclose(dec.forward(z), 1 / (1 + np.exp(-(z @ W.T + 1.0))), rtol=1e-14)
    enc.set_params({"code/kernel": 2 * W})                                # an update of W reaches the decoder
    np.testing.assert_allclose(dec.forward(z), 1 / (1 + np.exp(-(z @ (2 * W).T + 1.0))), rtol=1e-14)


def test_tied_dense_backward_checks_against_central_differences():
    rng = np.random.default_rng(2)
    enc = Sequential([Dense(3, name="code")], input_dim=4, rng=0)
    tied = TiedDense(enc.layers[0], "tanh")
    Sequential([tied], input_dim=3, rng=0)
    W, b = enc.layers[0].params["kernel"], tied.params["bias"]
    b += rng.standard_normal(b.shape)

    def forward(x, kernel, bias):
        return tied.forward(x), None

    def backward(dout, cache):
        dx = tied.backward(dout)
        return dx, {"kernel": tied.kernel_grad, "bias": tied.grads["bias"]}

    errors = check_backward(forward, backward, {"x": rng.standard_normal((5, 3)), "kernel": W, "bias": b})
    assert max(errors.values()) < TOL, errors


def _grad_check(ae, x, y=None):
    """The worst relative error of ae.loss_and_grads against central differences, over every parameter."""
    _, grads = ae.loss_and_grads(x, y)
    grads = {k: v.copy() for k, v in grads.items()}
    assert set(grads) == set(ae.params)
    errors = {k: relative_error(grads[k], numerical_gradient(lambda: ae.evaluate(x, y), p))
              for k, p in ae.params.items()}
    return max(errors.values()), errors


@pytest.mark.parametrize("tied", [False, True])
@pytest.mark.parametrize("loss, output_activation", [("mse", "sigmoid"), ("mse", "tanh"),
                                                     ("binary_crossentropy", "sigmoid"),
                                                     ("binary_crossentropy", "linear")])
def test_dense_autoencoder_gradient_check(tied, loss, output_activation):
    ae = dense_autoencoder(6, hidden=(5,), latent_dim=3, activation="tanh", output_activation=output_activation,
                           tied=tied, loss=loss, rng=1)
    assert ae.from_logits == (output_activation == "linear")
    x = np.random.default_rng(3).uniform(0.05, 0.95, (4, 6))
    worst, errors = _grad_check(ae, x)
    assert worst < TOL, errors
    # and ∂L/∂x of the backward pass
    out = ae.forward(x, training=True)
    dout = AE.reconstruction_loss_grad(x, out, loss, ae.from_logits)
    dx = ae.backward(dout)
    xin = x.copy()
    num = numerical_gradient(lambda: AE.reconstruction_loss(x, ae.forward(xin), loss, ae.from_logits), xin)
    assert relative_error(dx, num) < TOL


def test_tied_kernel_gradient_is_the_sum_of_both_uses():
    ae = dense_autoencoder(5, hidden=(), latent_dim=2, activation="tanh", output_activation="sigmoid", tied=True,
                           rng=4)
    x = np.random.default_rng(5).uniform(0, 1, (6, 5))
    _, grads = ae.loss_and_grads(x)
    W = ae.encoder.layers[0].params["kernel"]                          # (5, 2), used twice
    assert list(ae.params) == ["encoder/latent/kernel", "encoder/latent/bias", "decoder/reconstruction/bias"]
    # the same network untied, with W copied into a decoder kernel Wᵀ of its own
    free = dense_autoencoder(5, hidden=(), latent_dim=2, activation="tanh", output_activation="sigmoid", rng=4)
    free.set_params({"encoder/latent/kernel": W, "encoder/latent/bias": ae.params["encoder/latent/bias"],
                     "decoder/reconstruction/kernel": W.T, "decoder/reconstruction/bias":
                         ae.params["decoder/reconstruction/bias"]})
    np.testing.assert_allclose(free.reconstruct(x), ae.reconstruct(x), rtol=1e-14)
    _, parts = free.loss_and_grads(x)
    total = parts["encoder/latent/kernel"] + parts["decoder/reconstruction/kernel"].T
    np.testing.assert_allclose(grads["encoder/latent/kernel"], total, rtol=1e-13)
    assert not np.allclose(grads["encoder/latent/kernel"], parts["encoder/latent/kernel"])   # both uses count
    assert ae.count_params() == 5 * 2 + 2 + 5 and free.count_params() == 2 * 5 * 2 + 2 + 5


@pytest.mark.parametrize("upsampling", ["transpose", "nearest"])
def test_conv_autoencoder_gradient_check(upsampling):
    ae = conv_autoencoder((4, 8, 1), filters=(2, 3), latent_dim=3, activation="tanh", upsampling=upsampling, rng=2)
    types = [type(l).__name__ for l in ae.decoder.layers]
    assert ("Conv2DTranspose" in types) == (upsampling == "transpose") and ("UpSampling2D" in types) == (
        upsampling == "nearest")
    assert ae.encoder.shapes[1:3] == [(2, 4, 2), (1, 2, 3)] and ae.code_shape == (3,)       # 4×8 → 2×4 → 1×2
    assert ae.decoder.output_shape == (4, 8, 1)
    x = np.random.default_rng(6).uniform(0, 1, (2, 4, 8, 1))
    worst, errors = _grad_check(ae, x)
    assert worst < TOL, errors


# --- binary cross-entropy on a sigmoid output: the model reads the logits ------------------------------------------

SATURATED = [("dense", False), ("dense", True), ("transpose", False), ("nearest", False)]


def saturated_bce(kind, tied=False):
    """A float64 binary cross-entropy autoencoder with a sigmoid output whose last layer is pushed far out (a bias
    spread over ±30, a kernel × 400), so 28–83 % of its pre-activations a have |a| > 16, where σ(a) is clipped;
    and targets in [0, 1], about 60 % of them exactly 0 or 1 (as digits' background and strokes).

    Args:
        kind: "dense" (6 values) or an upsampling mode of conv_autoencoder (4×8×1 images); tied: dense only.

    Returns:
        (ae, x).
    """
    if kind == "dense":
        ae = dense_autoencoder(6, hidden=(5,), latent_dim=3, activation="tanh", tied=tied, loss="binary_crossentropy",
                               rng=1)
        shape = (4, 6)
    else:
        ae = conv_autoencoder((4, 8, 1), filters=(2, 3), latent_dim=3, activation="tanh", upsampling=kind,
                              loss="binary_crossentropy", rng=2)
        shape = (2, 4, 8, 1)
    last = ae.decoder.layers[-1]
    n = last.params["bias"].size
    last.params["bias"][:] = np.linspace(-30.0, 30.0, n) if n > 1 else 0.0
    if "kernel" in last.params:                                  # a TiedDense reads the encoder's kernel instead
        last.params["kernel"] *= 400.0
    x = np.random.default_rng(9).uniform(0, 1, shape)
    return ae, np.where(x < 0.3, 0.0, np.where(x > 0.7, 1.0, x))


def _logits_twin(ae, kind, tied):
    """The same network with a linear output and from_logits=True, ae's parameters copied: its output is ae's logits."""
    if kind == "dense":
        twin = dense_autoencoder(6, hidden=(5,), latent_dim=3, activation="tanh", output_activation="linear",
                                 tied=tied, loss="binary_crossentropy", rng=1)
    else:
        twin = conv_autoencoder((4, 8, 1), filters=(2, 3), latent_dim=3, activation="tanh", upsampling=kind,
                                output_activation="linear", loss="binary_crossentropy", rng=2)
    twin.set_params(ae.params)
    assert twin.from_logits
    return twin


@pytest.mark.parametrize("kind, tied", SATURATED)
def test_bce_on_a_sigmoid_output_is_computed_from_the_logits(kind, tied):
    ae, x = saturated_bce(kind, tied)
    p = ae.reconstruct(x)
    clipped = (p <= L.EPSILON) | (p >= 1 - L.EPSILON)
    assert 0.25 < clipped.mean() < 0.9                                 # measured: 0.28 to 0.83
    twin = _logits_twin(ae, kind, tied)
    a = twin.forward(x)
    np.testing.assert_allclose(A.sigmoid(a), p, rtol=1e-14, atol=1e-300)
    on_logits = AE.reconstruction_loss(x, a, "binary_crossentropy", from_logits=True)
    assert ae.evaluate(x) == pytest.approx(on_logits, rel=1e-14)
    # the clipped loss on p would cap each wrong saturated pixel at −log 1e-7 ≈ 16 and give it no gradient
    assert AE.reconstruction_loss(x, p, "binary_crossentropy") < 0.8 * on_logits
    np.testing.assert_allclose(ae.reconstruction_errors(x), twin.reconstruction_errors(x), rtol=1e-14)
    loss, grads = ae.loss_and_grads(x)
    t_loss, t_grads = twin.loss_and_grads(x)
    assert loss == pytest.approx(t_loss, rel=1e-14)
    for key in t_grads:
        np.testing.assert_allclose(grads[key], t_grads[key], rtol=1e-12, atol=1e-15, err_msg=key)
    # forward and backward keep their meaning: x̂ the probabilities, dout = ∂L/∂x̂ (here of the clipped loss)
    assert getattr(ae.decoder.layers[-1], "activation") == "sigmoid"
    np.testing.assert_array_equal(ae.forward(x), p)
    history = ae.fit(x, epochs=1, batch_size=len(x), shuffle=False, validation_data=x)
    assert history["loss"][0] == pytest.approx(loss, rel=1e-14)        # the step's loss, before its update
    assert history["val_loss"][0] == pytest.approx(ae.evaluate(x), rel=1e-14)


@pytest.mark.parametrize("kind, tied", SATURATED)
def test_bce_on_a_sigmoid_output_gradient_check(kind, tied):
    ae, x = saturated_bce(kind, tied)
    worst, errors = _grad_check(ae, x)
    assert worst < TOL, errors


def test_a_sigmoid_before_a_reshape_keeps_the_clipped_loss():
    """Only a sigmoid that is the decoder's last layer is read as logits (Keras loses them through a Reshape too)."""
    enc = Sequential([Reshape((6,), name="flatten"), Dense(3, "tanh", name="latent")], input_shape=(2, 3, 1), rng=0)
    dec = Sequential([Dense(6, "sigmoid", name="reconstruction"), Reshape((2, 3, 1), name="reshape")], input_dim=3,
                     rng=0)
    dec.layers[0].params["bias"][:] = np.linspace(-30.0, 30.0, 6)
    ae = Autoencoder(enc, dec, loss="binary_crossentropy")
    x = np.random.default_rng(10).uniform(0, 1, (4, 2, 3, 1))
    assert ae.evaluate(x) == pytest.approx(AE.reconstruction_loss(x, ae.reconstruct(x), "binary_crossentropy"),
                                           rel=1e-14)


def test_denoising_targets_and_per_sample_errors():
    rng = np.random.default_rng(7)
    ae = dense_autoencoder(6, hidden=(4,), latent_dim=2, activation="tanh", rng=0)
    clean = rng.uniform(0, 1, (5, 6))
    noisy = np.clip(clean + rng.normal(0, 0.2, clean.shape), 0, 1)
    x_hat = ae.reconstruct(noisy)
    assert ae.evaluate(noisy, clean) == pytest.approx(np.mean((x_hat - clean) ** 2), rel=1e-14)
    np.testing.assert_allclose(ae.reconstruction_errors(noisy, clean), np.mean((x_hat - clean) ** 2, axis=1),
                               rtol=1e-14)
    worst, errors = _grad_check(ae, noisy, clean)
    assert worst < TOL, errors


def test_train_step_is_one_optimizer_step_on_the_gradients():
    ae = dense_autoencoder(5, hidden=(3,), latent_dim=2, tied=True, optimizer=SGD(0.5), learning_rate=None, rng=0)
    x = np.random.default_rng(8).uniform(0, 1, (4, 5))
    before = {k: v.copy() for k, v in ae.params.items()}
    loss, grads = ae.loss_and_grads(x)
    grads = {k: v.copy() for k, v in grads.items()}
    assert ae.train_step(x) == pytest.approx(loss, rel=1e-14)
    for k in before:
        np.testing.assert_allclose(ae.params[k], before[k] - 0.5 * grads[k], rtol=1e-13, err_msg=k)
    # the decoder reads the updated encoder kernel
    tied = ae.decoder.layers[-1]
    assert tied.kernel is ae.encoder.layers[0].params["kernel"]


@pytest.mark.slow
def test_training_on_digits_reduces_the_loss_quickly(mnist):
    d = mnist
    rng = np.random.default_rng(0)
    idx = rng.choice(5000, 400, replace=False)
    train, test = d.X[idx[:300]], d.X[idx[300:]]
    ae = dense_autoencoder(784, hidden=(64,), latent_dim=16, learning_rate=3e-3, rng=0, dtype=np.float32)
    start = ae.evaluate(test)
    logs = []
    history = ae.fit(train, epochs=8, batch_size=32, rng=0, validation_data=test,
                     on_epoch_end=lambda epoch, l: logs.append(epoch))
    assert logs == list(range(8)) and len(history["loss"]) == len(history["val_loss"]) == 8
    assert history["val_loss"][-1] < 0.4 * start                   # held-out digits: measured 0.054 = 0.23 × start
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_loss"][-1] == pytest.approx(ae.evaluate(test), rel=1e-6)


@pytest.mark.slow
def test_conv_autoencoder_trains_on_digits(mnist):
    x = mnist.images[::25][:, :, :, None]                       # 200 digits, 20 of each class
    ae = conv_autoencoder(filters=(8, 16), latent_dim=16, learning_rate=3e-3, rng=0, dtype=np.float32)
    start = ae.evaluate(x)
    history = ae.fit(x, epochs=3, batch_size=32, rng=0)             # measured: 0.23 → 0.11 (0.47 × start)
    assert history["loss"][-1] < 0.75 * start and ae.reconstruct(x[:3]).shape == (3, 28, 28, 1)


@pytest.mark.slow
def test_linear_autoencoder_learns_the_pca_subspace(mnist):
    """A linear AE with an MSE loss spans the top principal components at its optimum (Baldi & Hornik, 1989)."""
    rng = np.random.default_rng(0)
    x = mnist.X[rng.choice(5000, 500, replace=False)]
    k = 3
    with single_thread_blas():                   # a threaded SVD is ten times slower on a busy 2-core machine
        _, s, vt = np.linalg.svd(x - x.mean(axis=0), full_matrices=False)
    pca_mse = np.sum(s[k:] ** 2) / x.size                            # PCA's reconstruction MSE with k components
    ae = dense_autoencoder(784, hidden=(), latent_dim=k, output_activation="linear", learning_rate=2e-2, rng=0,
                           dtype=np.float32)
    start = np.degrees(subspace_angles(ae.decoder.layers[0].params["kernel"].T, vt[:k].T)).max()
    ae.fit(x, epochs=60, batch_size=100, rng=0)
    angles = np.degrees(subspace_angles(ae.decoder.layers[0].params["kernel"].T.astype(np.float64), vt[:k].T))
    assert start > 60                                                  # a random start: far from PCA's subspace
    assert angles.max() < 5.0, angles                                  # measured: 2.5°, 2.1°, 1.4°
    assert ae.evaluate(x) < 1.01 * pca_mse                            # measured: 1.001 × PCA's MSE


# --- bad input ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("call, exc, match", [
    (lambda: dense_autoencoder(latent_dim=0), ValueError, r"latent_dim must be in \[1, 1000000\]"),
    (lambda: dense_autoencoder(latent_dim=-3), ValueError, r"latent_dim must be in"),
    (lambda: dense_autoencoder(latent_dim=2.5), TypeError, r"latent_dim must be an integer"),
    (lambda: dense_autoencoder(hidden=(0,)), ValueError, r"hidden must be in \[1, 100000\]"),
    (lambda: dense_autoencoder(hidden=64), TypeError, r"hidden must be a tuple of layer sizes"),
    (lambda: dense_autoencoder(activation="swish"), ValueError, r"activation must be one of"),
    (lambda: dense_autoencoder(output_activation="relu"), ValueError, r"output_activation must be one of"),
    (lambda: dense_autoencoder(output_activation="tanh", loss="binary_crossentropy"), ValueError,
     r"output_activation must be 'sigmoid' \(probabilities\) or 'linear' \(logits\) for binary_crossentropy"),
    (lambda: dense_autoencoder(loss="mae"), ValueError, r"loss must be one of 'mse', 'binary_crossentropy'"),
    (lambda: conv_autoencoder(latent_dim=0), ValueError, r"latent_dim must be in"),
    (lambda: conv_autoencoder(upsampling="bilinear"), ValueError, r"upsampling must be one of 'transpose', 'nearest'"),
    (lambda: conv_autoencoder(input_shape=(28, 28)), ValueError, r"input_shape must be one image's shape \(H, W, C\)"),
    (lambda: conv_autoencoder(input_shape=(30, 30, 1), filters=(8, 16)), ValueError,
     r"input_shape must be H and W divisible by 2\^2 = 4.*pad the images, e.g. to \(32, 32, 1\)"),
    (lambda: conv_autoencoder(kernel_size=4), ValueError, r"kernel_size must be odd"),
    (lambda: conv_autoencoder(filters=()), ValueError, r"filters must be at least one stage"),
    (lambda: TiedDense(Conv2D(2)), TypeError, r"tied_to must be a Dense layer"),
    (lambda: AE.reconstruction_loss(np.ones((2, 3)), np.ones((2, 4))), ValueError,
     r"x and x_hat must be the same shape for reconstruction_loss; got \(2, 3\) and \(2, 4\)"),
    (lambda: AE.reconstruction_loss(np.ones(3), np.ones(3)), ValueError, r"x must be 2-D or 3-D"),
    (lambda: AE.reconstruction_loss(np.full((1, 2), 2.0), np.full((1, 2), 0.5), "binary_crossentropy"), ValueError,
     r"x must be targets in \[0, 1\] for binary_crossentropy"),
    (lambda: AE.reconstruction_loss_grad(np.ones((1, 2)), np.full((1, 2), 3.0), "binary_crossentropy"), ValueError,
     r"x_hat must be probabilities in \[0, 1\].*from_logits=True"),
    (lambda: AE.reconstruction_errors(np.ones((1, 2)), np.ones((1, 2)), "mse", True), ValueError,
     r"from_logits must be False for loss='mse'"),
    (lambda: AE.reconstruction_loss(np.ones((1, 2)), [[np.nan, 1.0]]), ValueError, r"x_hat must be finite"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_bad_input_to_the_model():
    ae = dense_autoencoder(784, hidden=(8,), latent_dim=2, rng=0)
    with pytest.raises(ValueError, match=r"x must be 2-D \(N, 784\) for Autoencoder.fit; got shape \(3, 28, 28\). "
                                         r"Flatten images first, e.g. x.reshape\(len\(x\), -1\)"):
        ae.fit(np.zeros((3, 28, 28)))
    with pytest.raises(ValueError, match=r"x must be samples of shape \(784,\) \(the encoder's input\) for "
                                         r"Autoencoder.encode; got samples of shape \(100,\)"):
        ae.encode(np.zeros((3, 100)))
    with pytest.raises(ValueError, match=r"z must be codes of shape \(2,\)"):
        ae.decode(np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"y must be one target per input \(3\)"):
        ae.train_step(np.zeros((3, 784)), np.zeros((2, 784)))
    with pytest.raises(ValueError, match=r"params must be keyed like ae.params"):
        ae.set_params({"latent/kernel": np.zeros((8, 2))})
    with pytest.raises(ValueError, match=r"forward must be run before backward for Autoencoder.backward"):
        dense_autoencoder(4, hidden=(), latent_dim=2, rng=0).backward(np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"dout must be the forward output's shape \(3, 784\)"):
        ae.forward(np.zeros((3, 784)), training=True)
        ae.backward(np.zeros((3, 783)))
    bce = dense_autoencoder(4, hidden=(), latent_dim=2, loss="binary_crossentropy", rng=0)
    with pytest.raises(ValueError, match=r"x must be values in \[0, 1\] for binary_crossentropy"):
        bce.fit(np.full((2, 4), 255.0))


def test_bad_networks():
    enc = Sequential([Dense(2, name="code")], input_dim=4, rng=0)
    with pytest.raises(ValueError, match=r"decoder must be a network giving back the input's shape \(4,\)"):
        Autoencoder(enc, Sequential([Dense(3)]))
    with pytest.raises(ValueError, match=r"decoder must be a network of the codes, input_shape \(2,\)"):
        Autoencoder(enc, Sequential([Dense(4)], input_dim=3))
    with pytest.raises(ValueError, match=r"encoder must be built"):
        Autoencoder(Sequential([Dense(2)]), Sequential([Dense(4)]))
    with pytest.raises(TypeError, match=r"decoder must be a dlhelpers.scratch.network.Sequential"):
        Autoencoder(enc, Dense(4))
    other = Sequential([Dense(2)], input_dim=4, rng=0)
    with pytest.raises(ValueError, match=r"TiedDense layer 'tied_dense' must be tied to a Dense layer of the encoder"):
        Autoencoder(enc, Sequential([TiedDense(other.layers[0])], input_dim=2))
    with pytest.raises(ValueError, match=r"the input of TiedDense layer 'tied_dense' must be \(2,\)"):
        Sequential([TiedDense(enc.layers[0])], input_dim=3)
    with pytest.raises(ValueError, match=r"tied_to must be a built Dense layer"):
        Sequential([TiedDense(Dense(3))], input_dim=3)
    with pytest.raises(ValueError, match=r"decoder must be a network ending in a sigmoid for binary_crossentropy"):
        Autoencoder(enc, Sequential([Dense(4, "relu")]), loss="binary_crossentropy")
    with pytest.raises(ValueError, match=r"decoder must be a network ending in a linear layer with from_logits=True"):
        Autoencoder(enc, Sequential([Dense(4, "sigmoid")]), loss="binary_crossentropy", from_logits=True)
    images = Sequential([Dense(16, "sigmoid"), Reshape((4, 4, 1))])
    conv_enc = Sequential([Conv2D(1, 3, padding="same"), Reshape((16,)), Dense(2)], input_shape=(4, 4, 1), rng=0)
    assert Autoencoder(conv_enc, images, loss="binary_crossentropy").input_shape == (4, 4, 1)  # Reshape skipped
