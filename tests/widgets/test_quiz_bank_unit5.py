"""The Unit V question bank: its topics, and every worked number checked by the package that teaches it.

The house rules every bank follows (explanations, option lengths, answer positions) are tested for all units
in test_quiz_bank.py.
"""
import numpy as np

from dlhelpers.widgets.quiz_bank import QUIZZES
from tests.helpers import TOL


def _find(words):
    hits = [q for q in QUIZZES["unit5"] if words in q.prompt]
    assert len(hits) == 1, words
    return hits[0]


def _right(q):
    return q.options[q.answer]


def _minus(x, digits):
    """A number as the questions print it: fixed digits, a true minus sign."""
    return f"{x:.{digits}f}".replace("-", "−")


def test_unit5_covers_the_unit_topics():
    qs = QUIZZES["unit5"]
    assert 14 <= len(qs) <= 16
    text = " ".join(q.prompt + " " + q.explanation + " " + " ".join(q.options) for q in qs).lower()
    for topic in ("encoder", "bottleneck", "decoder", "undercomplete", "overcomplete", "pca", "tied",
                  "binary cross-entropy", "psnr", "ssim", "luminance", "contrast", "structure", "denoising",
                  "transposed convolution", "upsampling2d", "z = μ + σ·ε", "kl", "elbo", "threshold", "validation",
                  "auroc", "blurr", "sharp", "explicit encoder", "adversarial autoencoder", "vae-gan", "bigan"):
        assert topic in text, topic


# --- architecture ------------------------------------------------------------------------------------------------

def test_code_size_and_the_trivial_copy():
    from dlhelpers.scratch.autoencoder import dense_autoencoder
    assert f"784 / 32 = {784 / 32:g} times fewer" in _find("encoder, a bottleneck and a decoder").explanation
    q = _find("1,000-unit code")
    assert _right(q) == "It can learn to copy its input"
    # an overcomplete linear code can reproduce every input exactly: zero loss, nothing learned
    x = np.random.default_rng(0).random((20, 784))
    ae = dense_autoencoder(784, hidden=(), latent_dim=1000, output_activation="linear", rng=0)
    copy = np.eye(784, 1000)
    ae.set_params({"encoder/latent/kernel": copy, "encoder/latent/bias": np.zeros(1000),
                   "decoder/reconstruction/kernel": copy.T, "decoder/reconstruction/bias": np.zeros(784)})
    assert ae.evaluate(x) == 0.0
    assert "1,000 ≥ 784" in q.explanation


def test_linear_autoencoder_weights_are_any_basis_of_the_subspace():
    from dlhelpers.scratch.autoencoder import dense_autoencoder
    q = _find("A linear autoencoder (no activation functions)")
    assert _right(q) == "The subspace of PCA's top k components"
    rng = np.random.default_rng(1)
    x = rng.standard_normal((10, 6))
    ae = dense_autoencoder(6, hidden=(), latent_dim=2, output_activation="linear", rng=0)
    before = ae.reconstruct(x)
    a = rng.standard_normal((2, 2)) + 2 * np.eye(2)                      # an invertible k × k matrix
    p = ae.params
    ae.set_params({"encoder/latent/kernel": p["encoder/latent/kernel"] @ a,
                   "encoder/latent/bias": p["encoder/latent/bias"] @ a,
                   "decoder/reconstruction/kernel": np.linalg.inv(a) @ p["decoder/reconstruction/kernel"]})
    assert np.allclose(ae.reconstruct(x), before, rtol=1e-10, atol=1e-12)  # same x̂, other weights
    assert "encoder W_e·A and decoder A⁻¹·W_d give the same x̂" in q.explanation


def test_tied_kernel_gets_the_sum_of_both_gradients():
    from dlhelpers.scratch.autoencoder import dense_autoencoder
    from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
    q = _find("A tied autoencoder encodes")
    assert _right(q) == "The sum of the two uses' gradients"
    tied = dense_autoencoder(784, hidden=(), latent_dim=32, output_activation="linear", tied=True, rng=0)
    untied = dense_autoencoder(784, hidden=(), latent_dim=32, output_activation="linear", rng=0)
    assert f"784·32 + 32 + 784 = {tied.count_params():,} parameters tied and {untied.count_params():,} untied" \
        in q.explanation

    rng = np.random.default_rng(0)
    x = rng.random((4, 5))
    ae = dense_autoencoder(5, hidden=(), latent_dim=3, activation="tanh", latent_activation="tanh",
                           output_activation="linear", tied=True, rng=0)
    _, grads = ae.loss_and_grads(x)
    kernel = ae.params["encoder/latent/kernel"]
    numeric = numerical_gradient(lambda: ae.evaluate(x), kernel)
    assert relative_error(grads["encoder/latent/kernel"], numeric) < TOL
    encoder_use = ae.encoder.grads["latent/kernel"]
    decoder_use = ae.decoder.layers[0].kernel_grad
    assert np.allclose(encoder_use + decoder_use, grads["encoder/latent/kernel"], rtol=1e-12, atol=0)
    for wrong in (encoder_use, decoder_use, (encoder_use + decoder_use) / 2):      # the other three options
        assert relative_error(wrong, numeric) > 1e-2


# --- reconstruction losses and metrics -----------------------------------------------------------------------------

def test_mse_and_bce_of_a_grey_pixel():
    from dlhelpers.scratch.autoencoder import reconstruction_loss
    q = _find("A grey pixel x = 0.5")
    mse = reconstruction_loss([[0.5]], [[0.5]], "mse")
    bce = reconstruction_loss([[0.5]], [[0.5]], "binary_crossentropy")
    assert _right(q) == f"MSE {mse:g}, BCE {bce:.3f}" and np.isclose(bce, np.log(2))
    assert f"log 2 ≈ {bce:.3f}" in q.explanation
    mse, bce = (reconstruction_loss([[1.0]], [[0.9]], loss) for loss in ("mse", "binary_crossentropy"))
    assert f"x = 1, x̂ = 0.9: MSE {mse:.3f}, BCE {bce:.3f}" in q.explanation


def test_psnr_numbers_match_the_package():
    from dlhelpers.metrics import psnr
    q = _find("has MSE 0.01 against the original")
    ref = np.random.default_rng(0).random((28, 28))
    img = ref + 0.1                                                      # MSE 0.01
    value = psnr(ref, img, data_range=1.0)
    assert abs(value - 20) < 1e-9 and _right(q) == f"{value:.0f} dB"
    assert abs(psnr(255 * ref, 255 * img, data_range=255) - value) < 1e-9   # the same image on 0–255
    assert f"{10 * np.log10(2):.2f} dB" in q.explanation
    wrong_range = psnr(ref, img, data_range=255) - value
    assert f"20·log10 255 ≈ {wrong_range:.2f} dB" in q.explanation
    assert f"{_minus(10 * np.log10(0.01 / 1.0 ** 2), 0)} dB" in q.options           # the ratio upside down


def test_equal_mse_distortions_differ_in_ssim_as_stated():
    from dlhelpers.data import sample_photo
    from dlhelpers.metrics import psnr, ssim
    q = _find("have the same MSE, 0.01")
    photo = sample_photo(gray=True)
    shifted = photo + 0.1
    noisy = photo + 0.1 * np.random.default_rng(0).standard_normal(photo.shape)
    s_shift, s_noise = ssim(photo, shifted, 1.0), ssim(photo, noisy, 1.0)
    p_shift, p_noise = psnr(photo, shifted, 1.0), psnr(photo, noisy, 1.0)
    assert abs(p_shift - p_noise) < 0.05
    assert f"SSIM {s_shift:.2f} for the shift, {s_noise:.2f} for the noise, both at PSNR {p_noise:.1f} dB" \
        in q.explanation
    assert s_shift > s_noise and _right(q) == "The shifted one: structure is intact"
    # a constant shift leaves the local standard deviations and correlations unchanged
    assert np.isclose(np.corrcoef(photo[:7, :7].ravel(), shifted[:7, :7].ravel())[0, 1], 1.0)


def test_denoising_baselines_as_stated():
    from dlhelpers.data import gaussian_noise, median_filter_denoise, mnist_5k_split, salt_and_pepper_noise
    from dlhelpers.metrics import mean_psnr, psnr
    q = _find("How is a denoising autoencoder trained?")
    assert _right(q) == "Noisy input, clean target"
    assert f"10·log10(1 / 0.04) ≈ {10 * np.log10(1 / 0.04):.1f} dB" in q.explanation
    big = np.full((512, 512), 0.5)
    unclipped = psnr(big, big + 0.2 * np.random.default_rng(0).standard_normal(big.shape), 1.0)
    assert abs(unclipped - 10 * np.log10(1 / 0.04)) < 0.05
    digits = mnist_5k_split()[1].images[:200]
    clipped, _ = mean_psnr(digits, gaussian_noise(digits, 0.2, rng=0), 1.0)
    assert clipped > unclipped                                           # "a little more after clipping"
    peppered = salt_and_pepper_noise(digits, 0.1, rng=0)
    assert mean_psnr(digits, median_filter_denoise(peppered), 1.0)[0] > mean_psnr(digits, peppered, 1.0)[0] + 3


def test_conv_decoder_sizes_match_the_package():
    from dlhelpers.scratch.autoencoder import conv_autoencoder
    q = _find("A convolutional autoencoder halves 28 × 28 digits")
    assert _right(q) == "Two stride-2 transposed convolutions"
    ae = conv_autoencoder((28, 28, 1), filters=(16, 32), latent_dim=8, rng=0, dtype=np.float32)
    assert ae.encoder.shapes[2][:2] == (7, 7)                            # after the two stride-2 convolutions
    sides = [s[0] for s in ae.decoder.shapes if len(s) == 3]             # the decoder's image sizes
    grow = list(dict.fromkeys(sides))
    assert f"Conv2DTranspose(f, 3, strides=2, padding='same') multiplies each side by the stride: " \
           f"{' → '.join(map(str, grow))}." in q.explanation
    nearest = conv_autoencoder((28, 28, 1), filters=(16, 32), latent_dim=8, upsampling="nearest", rng=0,
                               dtype=np.float32)
    assert nearest.decoder.output_shape == ae.decoder.output_shape == (28, 28, 1)
    assert "UpSampling2D(2)" in q.explanation


# --- the variational autoencoder -------------------------------------------------------------------------------

def test_reparameterization_numbers_match_the_package():
    from dlhelpers.scratch.vae import reparameterize, reparameterize_backward
    q = _find("z = μ + σ·ε with ε ~ N(0, I)")
    assert _right(q) == "So the gradient can reach μ and σ"
    z, cache = reparameterize([[1.0]], [[np.log(4.0)]], [[0.5]])
    dmu, dlog_var = reparameterize_backward(np.ones((1, 1)), cache)
    assert f"z = 1 + 2·0.5 = {z[0, 0]:g}" in q.explanation
    assert f"flows back as {dmu[0, 0]:g} to μ and ½·2·0.5 = {dlog_var[0, 0]:g} to log σ²" in q.explanation


def test_kl_numbers_match_the_package():
    from dlhelpers.scratch.vae import gaussian_kl, gaussian_kl_grad
    q = _find("KL(N(μ, σ²) ‖ N(0, 1))")
    kl = gaussian_kl([[1.0]], [[0.0]])
    assert _right(q) == f"{kl:g}" == "0.5"
    assert f"{2 * kl:g}" in q.options                                    # the ½ left out
    assert f"two such dimensions give {gaussian_kl([[1.0, 1.0]], [[0.0, 0.0]]):.1f}" in q.explanation
    dmu, dlog_var = gaussian_kl_grad([[1.0]], [[0.0]])
    assert f"∂KL/∂μ = μ = {dmu[0, 0]:g} and ∂KL/∂(log σ²) = ½(σ² − 1) = {dlog_var[0, 0]:g}" in q.explanation
    assert gaussian_kl([[0.0]], [[0.0]]) == 0.0


def test_elbo_numbers_match_the_package():
    from dlhelpers.scratch.vae import vae_loss
    q = _find("expected log-likelihood E_q[log p(x | z)] is −95")
    # a Gaussian decoder (σ = 1) 1 away on 190 values: Σ (x − m)² / 2 = 95 nats; μ = √10, log σ² = 0: KL = 5
    parts = vae_loss(np.zeros((1, 190)), np.ones((1, 190)), [[np.sqrt(10.0)]], [[0.0]], likelihood="gaussian")
    assert np.isclose(parts["reconstruction"], 95) and np.isclose(parts["kl"], 5)
    elbo = -parts["loss"]
    assert _right(q) == f"ELBO {_minus(elbo, 0)}, loss {parts['loss']:.0f}"
    assert f"= −95 − 5 = {_minus(elbo, 0)} nats" in q.explanation
    assert f"ELBO {_minus(-parts['reconstruction'] + parts['kl'], 0)}, loss" in " ".join(q.options)   # KL added


# --- anomaly detection ----------------------------------------------------------------------------------------------

def test_threshold_report_numbers_match_the_package():
    from dlhelpers.metrics import precision_recall_at
    q = _find("flags a digit as anomalous when its reconstruction error")
    assert _right(q) == "On validation digits, then kept fixed"
    scores = np.r_[np.full(45, 2.0), np.full(5, 0.5), np.full(15, 1.5), np.full(435, 0.1)]
    flags = np.r_[np.ones(50, bool), np.zeros(450, bool)]
    r = precision_recall_at(scores, flags, threshold=1.0)
    assert (r.tp, r.fp, r.fn) == (45, 15, 5)
    assert f"precision 45 / 60 = {r.precision:.2f}, recall 45 / 50 = {r.recall:.2f}" in q.explanation


def test_auroc_number_matches_the_package():
    from dlhelpers.metrics import anomaly_summary
    q = _find("Five test digits get anomaly scores")
    s = anomaly_summary([0.2, 0.3, 0.6, 0.5, 0.9], [False, False, False, True, True])
    assert _right(q) == f"{s.auroc:.2f}" and f"5 / 6 ≈ {s.auroc:.2f}" in q.explanation
    flags = np.r_[np.ones(10, bool), np.zeros(90, bool)]
    assert f"flagging nothing is already {100 * np.mean(~flags):.0f} % accurate" in q.explanation


# --- autoencoders and GANs -----------------------------------------------------------------------------------------

def test_the_average_minimises_the_squared_error():
    q = _find("blurrier than a GAN's")
    assert _right(q) == "The pixel loss favours an average"
    p = np.linspace(0, 1, 1001)
    expected = 0.5 * p ** 2 + 0.5 * (1 - p) ** 2                         # the pixel is 0 or 1, half the time each
    assert p[np.argmin(expected)] == 0.5
    assert f"½·0.5² + ½·0.5² = {expected.min():g} on average, and either sharp value costs {expected[-1]:g}" \
        in q.explanation


def test_adversarial_autoencoder_discriminator():
    q = _find("An adversarial autoencoder adds a discriminator")
    assert _right(q) == "Encoder codes with draws from N(0, I)"
    assert "Input images with their reconstructions" in q.options and "VAE-GAN on images" in q.explanation
