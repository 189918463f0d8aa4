"""dlhelpers.metrics for reconstructions and anomaly scores: PSNR and SSIM equal to scikit-image (and where TensorFlow
agrees, to tf.image), worked by hand, on random and real images; AUROC, average precision, the threshold chosen on
validation data and precision/recall at it, on hand-worked cases; clear errors. The property specs
(tests/property/specs_image_metrics.py) run in the shared suite of tests/property."""
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter
from skimage.metrics import peak_signal_noise_ratio, structural_similarity
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

from dlhelpers import metrics as M
from dlhelpers.data import digits, mnist_5k, photo_patch, sample_photo


def _sk_psnr(a, b, r):
    return peak_signal_noise_ratio(np.asarray(a, np.float64), np.asarray(b, np.float64), data_range=r)


def _sk_ssim(a, b, r, w=7):
    return structural_similarity(np.asarray(a, np.float64), np.asarray(b, np.float64), data_range=r, win_size=w)


# --- PSNR and SSIM by hand ---------------------------------------------------------------------------------

def test_psnr_by_hand():
    # every pixel off by 0.1 on a [0, 1] scale: MSE = 0.01, PSNR = 10·log10(1 / 0.01) = 20 dB
    assert M.psnr(np.zeros((4, 5)), np.full((4, 5), 0.1), data_range=1.0) == pytest.approx(20.0, rel=1e-12)
    # grey levels 0–255, one pixel of 4 off by 255: MSE = 255²/4, PSNR = 10·log10(4) = 6.0206 dB
    ref, img = np.zeros((2, 2), np.uint8), np.array([[255, 0], [0, 0]], np.uint8)
    assert M.psnr(ref, img, data_range=255) == pytest.approx(10 * math.log10(4), rel=1e-12)
    # a half as large error is 20·log10(2) = 6.02 dB better
    assert M.psnr(np.zeros((3, 3)), np.full((3, 3), 0.05), 1.0) - M.psnr(np.zeros((3, 3)), np.full((3, 3), 0.1), 1.0) \
        == pytest.approx(20 * math.log10(2), rel=1e-12)


def test_psnr_stays_finite_where_the_squared_differences_under_or_overflow():
    # differences of 1e-200 (squares 1e-400 → 0 in float64) and 2e200 (squares → inf)
    tiny, huge = np.zeros((3, 3)), np.zeros((3, 3))
    tiny[1, 1], huge[1, 1] = 1e-200, 2e200
    # one pixel of 9 differs: MSE = d²/9, PSNR = −20·log10(d) + 10·log10(9)
    assert M.psnr(np.zeros((3, 3)), tiny, 1.0) == pytest.approx(4000 + 10 * math.log10(9), rel=1e-12)
    assert M.psnr(np.zeros((3, 3)), huge, 1.0) == pytest.approx(-20 * math.log10(2e200) + 10 * math.log10(9), rel=1e-12)
    assert M.psnr(np.zeros((3, 3)), tiny, 1e-3) == pytest.approx(3940 + 10 * math.log10(9), rel=1e-12)
    assert M.psnr(np.zeros((3, 3)), np.full((3, 3), 0.5), 1e200) == pytest.approx(4000 + 20 * math.log10(2), rel=1e-12)


def test_identical_images_give_inf_psnr_and_ssim_one(rng):
    x = rng.random((12, 10))
    with np.errstate(divide="ignore"):                     # scikit-image divides by the zero MSE
        assert M.psnr(x, x, 1.0) == math.inf == _sk_psnr(x, x, 1.0)
    assert M.ssim(x, x, 1.0) == 1.0
    assert M.mean_psnr(x[None], x[None], 1.0)[0] == math.inf


def test_ssim_of_two_flat_images_by_hand():
    # flat windows: σ² = σxy = 0, so SSIM = (2ab + C1)/(a² + b² + C1) · C2/C2 with C1 = (0.01·R)²
    a, b, r = 0.2, 0.6, 1.0
    c1 = (0.01 * r) ** 2
    assert M.ssim(np.full((9, 9), a), np.full((9, 9), b), r) == pytest.approx((2 * a * b + c1) / (a * a + b * b + c1),
                                                                             rel=1e-12)


def test_ssim_inverted_structure_is_negative_and_symmetric(rng):
    x = rng.random((16, 16))
    assert M.ssim(x, 1 - x, 1.0) < -0.5
    y = np.clip(x + rng.normal(0, 0.1, x.shape), 0, 1)
    assert M.ssim(x, y, 1.0) == pytest.approx(M.ssim(y, x, 1.0), rel=1e-14)
    assert M.psnr(x, y, 1.0) == M.psnr(y, x, 1.0)


# --- equal to scikit-image -------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.uint8, np.int16, np.int64, bool])
@pytest.mark.parametrize("shape, win_size", [((7, 7), 7), ((16, 16), 7), ((9, 23), 3), ((31, 12), 5),
                                             ((28, 28), 11), ((40, 33), 9)])
def test_psnr_and_ssim_equal_scikit_image_on_random_images(rng, dtype, shape, win_size):
    if dtype is bool:
        a, b, r = rng.random(shape) < 0.5, rng.random(shape) < 0.5, 1.0
    elif np.issubdtype(dtype, np.integer):
        a = rng.integers(0, 256, shape).astype(dtype)
        b = np.clip(a + rng.integers(-30, 31, shape), 0, 255).astype(dtype)
        r = 255
    else:
        a = rng.random(shape).astype(dtype)
        b = np.clip(a + rng.normal(0, 0.15, shape), 0, 1).astype(dtype)
        r = 1.0
    np.testing.assert_allclose(M.psnr(a, b, r), _sk_psnr(a, b, r), rtol=1e-10)
    np.testing.assert_allclose(M.ssim(a, b, r, win_size=win_size), _sk_ssim(a, b, r, win_size), rtol=1e-10)


def test_float32_is_computed_in_float64(rng):
    # scikit-image keeps two float32 images in float32; we convert first, so we equal its float64 result exactly
    a = rng.random((20, 20)).astype(np.float32)
    b = (a + np.float32(0.01) * rng.standard_normal((20, 20)).astype(np.float32)).astype(np.float32)
    assert M.ssim(a, b, 1.0) == M.ssim(a.astype(np.float64), b.astype(np.float64), 1.0)
    np.testing.assert_allclose(M.ssim(a, b, 1.0), structural_similarity(a, b, data_range=1.0), rtol=1e-5)


@pytest.fixture(scope="module")
def mnist_pairs():
    """12 MNIST 5k digits in [0, 1] (one seeded pick), each with a Gaussian-noise copy and a blurred copy."""
    x = mnist_5k().images[np.random.default_rng(0).choice(5000, 12, replace=False)]
    noisy = np.clip(x + np.random.default_rng(1).normal(0, 0.2, x.shape), 0, 1)
    blurred = gaussian_filter(x, sigma=(0, 1, 1))
    return x, noisy, blurred


def test_equal_scikit_image_on_mnist_digits(mnist_pairs):
    x, noisy, blurred = mnist_pairs
    for other in (noisy, blurred):
        for a, b in zip(x, other):
            np.testing.assert_allclose(M.psnr(a, b, 1.0), _sk_psnr(a, b, 1.0), rtol=1e-10)
            for w in (3, 7, 11):
                np.testing.assert_allclose(M.ssim(a, b, 1.0, w), _sk_ssim(a, b, 1.0, w), rtol=1e-10)
    # both corruptions lose quality, the noise (σ = 0.2) more than a 1-pixel blur on both scales
    assert M.mean_psnr(x, noisy, 1.0)[0] < M.mean_psnr(x, blurred, 1.0)[0] < 30
    assert M.mean_ssim(x, noisy, 1.0)[0] < M.mean_ssim(x, blurred, 1.0)[0] < 0.9


def test_equal_scikit_image_on_sklearn_digits_and_in_minus_one_to_one():
    d = digits()
    a, b = d.images[:40], d.images[40:80]                      # two different digits per pair: low similarity
    for w in (3, 5, 7):
        for x, y in zip(a, b):
            np.testing.assert_allclose(M.ssim(x, y, 1.0, w), _sk_ssim(x, y, 1.0, w), rtol=1e-10)
    raw = digits(scale=False).images[:10]                     # grey levels 0–16, data_range 16
    for x, y in zip(raw, raw[::-1]):
        np.testing.assert_allclose(M.psnr(x, y, 16), _sk_psnr(x, y, 16), rtol=1e-10)
        np.testing.assert_allclose(M.ssim(x, y, 16, 5), _sk_ssim(x, y, 16, 5), rtol=1e-10)
    pm = digits(value_range=(-1, 1)).images[:10]              # [−1, 1]: data_range 2, the same PSNR as on [0, 1]
    np.testing.assert_allclose(M.psnr(pm[0], pm[1], 2.0), M.psnr(d.images[0], d.images[1], 1.0), rtol=1e-12)
    np.testing.assert_allclose(M.ssim(pm[0], pm[1], 2.0, 5), _sk_ssim(pm[0], pm[1], 2.0, 5), rtol=1e-10)


def test_equal_scikit_image_on_a_photo_patch(rng):
    patch = photo_patch("china", size=64)                     # grey, in [0, 1]
    noisy = np.clip(patch + rng.normal(0, 0.05, patch.shape), 0, 1)
    blurred = gaussian_filter(patch, 1.5)
    for other in (noisy, blurred):
        np.testing.assert_allclose(M.psnr(patch, other, 1.0), _sk_psnr(patch, other, 1.0), rtol=1e-10)
        np.testing.assert_allclose(M.ssim(patch, other, 1.0), _sk_ssim(patch, other, 1.0), rtol=1e-10)
    flower = sample_photo("flower", gray=True)[100:180, 200:300]          # a non-square crop
    levels = np.round(flower * 255).astype(np.uint8)
    worse = np.clip(levels.astype(int) + rng.integers(-20, 21, levels.shape), 0, 255).astype(np.uint8)
    np.testing.assert_allclose(M.psnr(levels, worse, 255), _sk_psnr(levels, worse, 255), rtol=1e-10)
    np.testing.assert_allclose(M.ssim(levels, worse, 255, 9), _sk_ssim(levels, worse, 255, 9), rtol=1e-10)


def test_batch_means_equal_the_single_image_values(mnist_pairs):
    x, noisy, _ = mnist_pairs
    mean, values = M.mean_psnr(x, noisy, 1.0)
    assert values.shape == (12,) and mean == pytest.approx(np.mean(values), rel=1e-15)
    np.testing.assert_array_equal(values, [M.psnr(a, b, 1.0) for a, b in zip(x, noisy)])
    mean_s, values_s = M.mean_ssim(x[..., None], noisy[..., None], 1.0, win_size=5)     # (N, H, W, 1) too
    np.testing.assert_array_equal(values_s, [M.ssim(a, b, 1.0, 5) for a, b in zip(x, noisy)])
    assert mean_s == np.mean(values_s)


# --- TensorFlow: where its definitions agree and where they differ ------------------------------------------

@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


def test_psnr_equals_tf_image_psnr(tf, mnist_pairs):
    # tf.image.psnr converts to float32 first: equal up to float32 rounding
    x, noisy, blurred = mnist_pairs
    ours = np.array([M.psnr(a, b, 1.0) for a, b in zip(x, noisy)])
    theirs = tf.image.psnr(x[..., None].astype(np.float32), noisy[..., None].astype(np.float32), max_val=1.0).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    levels = (x * 255).round().astype(np.uint8)                           # uint8: tf rescales image and max_val alike
    worse = (blurred * 255).round().astype(np.uint8)
    theirs = tf.image.psnr(levels[..., None], worse[..., None], max_val=255).numpy()
    np.testing.assert_allclose([M.psnr(a, b, 255) for a, b in zip(levels, worse)], theirs, rtol=1e-5)


def test_tf_image_ssim_is_scikit_images_gaussian_variant_not_ours(tf, mnist_pairs):
    # tf.image.ssim: 11×11 Gaussian window (σ = 1.5), population covariance, windows inside the image only, float32
    x, noisy, blurred = mnist_pairs
    for other in (noisy, blurred):
        theirs = tf.image.ssim(x[..., None].astype(np.float32), other[..., None].astype(np.float32), max_val=1.0,
                               filter_size=11, filter_sigma=1.5).numpy()
        gaussian = [structural_similarity(a, b, data_range=1.0, gaussian_weights=True, sigma=1.5,
                                          use_sample_covariance=False) for a, b in zip(x, other)]
        np.testing.assert_allclose(theirs, gaussian, rtol=1e-5)                   # float32 rounding
        ours = np.array([M.ssim(a, b, 1.0) for a, b in zip(x, other)])
        assert np.max(np.abs(ours - theirs)) > 1e-2                        # another window: other figures


# --- bad input -------------------------------------------------------------------------------------------

IMG = np.random.default_rng(0).random((8, 8))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: M.psnr(IMG, IMG[:7], 1.0), ValueError, r"reference and image must be images of the same shape for psnr; "
                                                     r"got shapes \(8, 8\) and \(7, 8\)\. "),
    (lambda: M.ssim(IMG, IMG.T[:, :5], 1.0, 3), ValueError, r"must be images of the same shape for ssim"),
    (lambda: M.psnr(IMG, IMG, 0), ValueError, r"data_range must be > 0 .* for psnr; got 0\. Pass the width"),
    (lambda: M.ssim(IMG, IMG, -1.0), ValueError, r"data_range must be > 0"),
    (lambda: M.psnr(IMG, IMG, float("nan")), ValueError, r"data_range must be a number, finite for psnr"),
    (lambda: M.psnr(IMG, IMG, "1"), TypeError, r"data_range must be a number for psnr"),
    (lambda: M.ssim(IMG, IMG, 1.0, win_size=4), ValueError, r"win_size must be an odd whole number ≥ 3 for ssim; "
                                                             r"got 4"),
    (lambda: M.ssim(IMG, IMG, 1.0, win_size=1), ValueError, r"win_size must be an odd whole number ≥ 3"),
    (lambda: M.ssim(IMG, IMG, 1.0, win_size=9), ValueError, r"win_size must be at most the image's smaller side, "
                                                             r"min\(H, W\) = 8 for ssim; got win_size=9"),
    (lambda: M.ssim(IMG[:2], IMG[:2], 1.0, win_size=3), ValueError, r"at most the image's smaller side"),
    (lambda: M.ssim(IMG, IMG, 1.0, win_size=7.0), TypeError, r"win_size must be an integer"),
    (lambda: M.psnr(np.where(IMG > 0.5, np.nan, IMG), IMG, 1.0), ValueError,
     r"reference must be finite \(no NaN or inf\) for psnr"),
    (lambda: M.ssim(IMG, np.where(IMG > 0.5, np.inf, IMG), 1.0), ValueError,
     r"image must be finite \(no NaN or inf\) for ssim"),
    (lambda: M.psnr(IMG[None], IMG[None], 1.0), ValueError, r"reference must be 2-D \(H, W\) grey image for psnr; got "
                                                            r"shape \(1, 8, 8\)\. .*mean_psnr"),
    (lambda: M.ssim(IMG[..., None], IMG[..., None], 1.0), ValueError, r"reference must be 2-D"),
    (lambda: M.psnr(np.zeros((0, 3)), np.zeros((0, 3)), 1.0), ValueError, r"reference must be non-empty"),
    (lambda: M.psnr(IMG.astype(complex), IMG, 1.0), TypeError, r"reference must be real-valued"),
    (lambda: M.ssim(np.full((3, 3), 1e200), np.zeros((3, 3)), 1.0, 3), ValueError,
     r"must be pixel values whose SSIM is finite"),
    (lambda: M.ssim(IMG, IMG / 2, 1e200), ValueError, r"must be pixel values whose SSIM is finite in float64 for ssim"),
    (lambda: M.mean_psnr(IMG[None], IMG[None, :7], 1.0), ValueError, r"references and images must be batches of the "
                                                                     r"same shape for mean_psnr"),
    (lambda: M.mean_psnr(IMG, IMG, 1.0), ValueError, r"references must be 3-D or 4-D"),
    (lambda: M.mean_ssim(np.stack([IMG] * 3, -1)[None], np.stack([IMG] * 3, -1)[None], 1.0), ValueError,
     r"references must be grey images \(N, H, W\) or \(N, H, W, 1\) for mean_ssim; got shape \(1, 8, 8, 3\)"),
    (lambda: M.mean_ssim(IMG[None], IMG[None], 1.0, win_size=10), ValueError, r"win_size must be an odd whole"),
    (lambda: M.mean_ssim(IMG[None], IMG[None], 0.0), ValueError, r"data_range must be > 0 .* for mean_ssim"),
])
def test_bad_image_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# --- anomaly scores by hand --------------------------------------------------------------------------------

# 6 samples, the last 2 anomalous:            normal  normal  normal  normal  anom.  anom.
SCORES, FLAGS = np.array([0.1, 0.3, 0.5, 0.7, 0.6, 0.9]), np.array([0, 0, 0, 0, 1, 1], bool)


def test_auroc_and_average_precision_by_hand():
    s = M.anomaly_summary(SCORES, FLAGS)
    # AUROC: of the 2 · 4 = 8 (anomaly, normal) pairs only (0.6, 0.7) is ranked wrong → 7/8
    assert s.auroc == pytest.approx(7 / 8, rel=1e-15) == roc_auc_score(FLAGS, SCORES)
    # AP: going down the ranking 0.9 (anomaly: P 1/1, R 1/2), 0.7 (normal), 0.6 (anomaly: P 2/3, R 2/2);
    # AP = Σ ΔR · P = 1/2 · 1 + 1/2 · 2/3 = 5/6
    assert s.average_precision == pytest.approx(5 / 6, rel=1e-15) == average_precision_score(FLAGS, SCORES)
    assert (s.n_normal, s.n_anomalous, s.anomaly_share) == (4, 2, 1 / 3)
    fpr, tpr, _ = roc_curve(FLAGS, SCORES)
    np.testing.assert_array_equal(s.fpr, fpr)
    np.testing.assert_array_equal(s.tpr, tpr)
    # the ROC steps by hand (ties in the ranking dropped as scikit-learn does): (0,0) (0,½) (¼,½) (¼,1) (1,1)
    np.testing.assert_allclose(np.c_[s.fpr, s.tpr], [[0, 0], [0, 0.5], [0.25, 0.5], [0.25, 1], [1, 1]])
    assert s.precision[-1] == 1 and s.recall[-1] == 0 and s.recall[0] == 1
    assert str(s) == "AUROC 0.875, average precision 0.833 (chance 0.333) on 4 normal and 2 anomalous samples"


def test_a_perfect_and_a_reversed_ranking():
    y = np.array([0, 0, 1, 1])
    assert M.anomaly_summary([1, 2, 3, 4], y).auroc == 1.0
    assert M.anomaly_summary([4, 3, 2, 1], y).auroc == 0.0
    assert M.anomaly_summary([1, 1, 1, 1], y).auroc == 0.5                # all tied: chance
    assert M.anomaly_summary([1, 2, 3, 4], [False, False, True, True]).average_precision == 1.0


def test_choose_threshold_by_f1_by_hand():
    # threshold t flags score ≥ t:  t=0.9: TP1 FP0 FN1 → F1 2/3;  t=0.7: TP1 FP1 FN1 → 1/2;
    # t=0.6: TP2 FP1 FN0 → 4/5;  t=0.5: TP2 FP2 → 2/3;  t=0.3: 4/7;  t=0.1: 1/2.  Best: 0.6
    assert M.choose_threshold(SCORES, FLAGS) == 0.6
    # a tie goes to the higher threshold (fewer false alarms): scores 0.1 (anomaly), 0.5, 0.7 (normal), 0.9 (anomaly)
    # t=0.9: TP1 FP0 FN1 → 2/3;  t=0.7: 1/2;  t=0.5: TP1 FP2 FN1 → 2/5;  t=0.1: TP2 FP2 FN0 → 2/3
    assert M.choose_threshold([0.1, 0.5, 0.7, 0.9], [1, 0, 0, 1], rule="f1") == 0.9


def test_choose_threshold_by_false_positive_rate_by_hand():
    # normal scores 0.1 0.3 0.5 0.7: t=0.7 flags 1 of 4 (FPR ¼), t=0.5 flags 2 (½), anything above 0.7 flags none
    assert M.choose_threshold(SCORES, FLAGS, rule="fpr", max_fpr=0.25) == 0.6       # 0.6 flags 0.7 only: FPR ¼
    assert M.choose_threshold(SCORES, FLAGS, rule="fpr", max_fpr=0.5) == 0.5
    assert M.choose_threshold(SCORES, FLAGS, rule="fpr", max_fpr=1.0) == 0.1       # everything flagged
    t = M.choose_threshold([0.1, 0.2, 0.9], [False, False, False], rule="fpr", max_fpr=0.0)   # normal data only
    assert t == np.nextafter(0.9, np.inf)                                         # just above the top: flags none


def test_precision_recall_at_a_threshold_by_hand():
    r = M.precision_recall_at(SCORES, FLAGS, threshold=0.6)
    # flagged 0.7 (normal), 0.6, 0.9 (anomalies): TP 2, FP 1, FN 0, TN 3
    assert (r.tp, r.fp, r.fn, r.tn) == (2, 1, 0, 3)
    assert (r.precision, r.recall, r.false_positive_rate) == (2 / 3, 1.0, 0.25)
    assert r.f1 == pytest.approx(0.8, rel=1e-15)
    assert str(r) == ("threshold 0.6: precision 0.667, recall 1.000, F1 0.800, false alarms 25.0% (TP 2, FP 1, TN 3, "
                      "FN 0)")
    nothing = M.precision_recall_at(SCORES, FLAGS, threshold=5)                  # nothing flagged: precision 0
    assert (nothing.precision, nothing.recall, nothing.f1, nothing.tn) == (0.0, 0.0, 0.0, 4)


def test_threshold_chosen_on_validation_is_reported_on_test(rng):
    # scores of 400 normal ~ N(0, 1) and 40 anomalous ~ N(3, 1), validation and test drawn apart
    def draw():
        return np.r_[rng.normal(0, 1, 400), rng.normal(3, 1, 40)], np.r_[np.zeros(400, bool), np.ones(40, bool)]
    (sv, fv), (st_, ft) = draw(), draw()
    t = M.choose_threshold(sv, fv, rule="fpr", max_fpr=0.05)
    assert np.mean(sv[~fv] >= t) <= 0.05
    test = M.precision_recall_at(st_, ft, t)
    assert 0.01 < test.false_positive_rate < 0.1 and test.recall > 0.8          # close to validation, not equal
    assert M.anomaly_summary(st_, ft).auroc > 0.95


@pytest.mark.parametrize("call, exc, match", [
    (lambda: M.anomaly_summary([0.1, 0.2], [True, True]), ValueError,
     r"is_anomaly must be True for some samples and False for others for anomaly_summary; got only True values"),
    (lambda: M.anomaly_summary([0.1, 0.2, 0.3], [0, 1]), ValueError,
     r"is_anomaly must be one flag per score \(3\) for anomaly_summary; got 2 flags"),
    (lambda: M.anomaly_summary([0.1, 0.2], [0, 2]), ValueError, r"is_anomaly must be True/False or 1/0 per sample .*"
                                                                r"got the value 2"),
    (lambda: M.anomaly_summary([0.1, np.nan], [0, 1]), ValueError, r"scores must be finite"),
    (lambda: M.anomaly_summary([[0.1, 0.2]], [0, 1]), ValueError, r"scores must be 1-D"),
    (lambda: M.anomaly_summary([], []), ValueError, r"scores must be non-empty"),
    (lambda: M.choose_threshold(SCORES, FLAGS, rule="best"), ValueError, r"rule must be one of 'f1', 'fpr'"),
    (lambda: M.choose_threshold(SCORES, FLAGS, rule="fpr", max_fpr=1.5), ValueError, r"max_fpr must be in \[0, 1\]"),
    (lambda: M.choose_threshold(SCORES, np.zeros(6, bool)), ValueError, r"no anomalous sample.*rule='fpr'"),
    (lambda: M.choose_threshold(SCORES, np.ones(6, bool), rule="fpr"), ValueError, r"only anomalous samples"),
    (lambda: M.precision_recall_at(SCORES, FLAGS, threshold=np.inf), ValueError, r"threshold must be a number, finite"),
    (lambda: M.precision_recall_at(SCORES, FLAGS, threshold=None), TypeError, r"threshold must be a number"),
])
def test_bad_anomaly_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# --- no TensorFlow -------------------------------------------------------------------------------------------

def test_image_metrics_never_import_tensorflow():
    code = ("import sys, numpy as np\n"
            "import dlhelpers.metrics as M\n"
            "x = np.random.default_rng(0).random((3, 16, 16))\n"
            "M.psnr(x[0], x[1], 1.0); M.ssim(x[0], x[1], 1.0); M.mean_ssim(x, x[::-1], 1.0)\n"
            "s = x[:, 0, 0]; M.anomaly_summary(s, [0, 1, 1]); M.choose_threshold(s, [0, 1, 1])\n"
            "bad = [m for m in ('tensorflow', 'keras', 'ipywidgets', 'skimage') if m in sys.modules]\n"
            "assert not bad, bad\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
