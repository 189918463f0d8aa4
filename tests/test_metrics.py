"""dlhelpers.metrics: the Fréchet distance, the digit classifier's scores with their reference values, 2-D modes."""
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.linalg

from dlhelpers import metrics as M
from dlhelpers.data import mnist_5k
from dlhelpers.data.targets import gan_target


@pytest.fixture(scope="module")
def real():
    """1,000 MNIST 5k digits in [−1, 1] (a seeded shuffle: the file is sorted by class) and their labels."""
    d = mnist_5k(value_range=(-1, 1))
    idx = np.random.default_rng(0).permutation(len(d.images))[:1000]
    return d.images[idx], d.y[idx]


@pytest.fixture(scope="module")
def reference(real):
    return M.digit_reference_values(real[0], rng=0, data_name="MNIST 5k digits")


# --- Fréchet distance ---------------------------------------------------------------------------------

def _fd_with_sqrtm(a, b):
    """The textbook formula with scipy.linalg.sqrtm, as FID implementations compute it."""
    mu_a, mu_b = a.mean(0), b.mean(0)
    ca, cb = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    return np.sum((mu_a - mu_b) ** 2) + np.trace(ca + cb - 2 * scipy.linalg.sqrtm(ca @ cb).real)


@pytest.mark.parametrize("dim", [1, 3, 16])
def test_frechet_distance_matches_the_sqrtm_formula(rng, dim):
    a = rng.normal(size=(300, dim)) @ rng.normal(size=(dim, dim))          # correlated features
    b = 0.5 + rng.normal(size=(200, dim)) @ rng.normal(size=(dim, dim))
    np.testing.assert_allclose(M.frechet_distance(a, b), _fd_with_sqrtm(a, b), rtol=1e-8)
    assert M.frechet_distance(a, b) == pytest.approx(M.frechet_distance(b, a), rel=1e-10)   # symmetric


def test_frechet_distance_by_hand():
    # 1-D: a = [−1, 1] has mean 0, variance 2 (ddof 1); b = [1, 3, 5] has mean 3, variance 4.
    # FD = (0 − 3)² + 2 + 4 − 2·sqrt(2·4) = 15 − 4√2
    assert M.frechet_distance([[-1.0], [1.0]], [[1.0], [3.0], [5.0]]) == pytest.approx(15 - 4 * math.sqrt(2), rel=1e-12)


def test_identical_features_give_zero_and_a_shift_gives_its_squared_length(rng):
    a = rng.normal(size=(400, 8)) @ rng.normal(size=(8, 8))
    assert abs(M.frechet_distance(a, a)) < 1e-9
    v = rng.normal(size=8)
    assert M.frechet_distance(a, a + v) == pytest.approx(np.sum(v ** 2), rel=1e-9)
    few = rng.normal(size=(5, 20))                                     # fewer samples than features: singular
    assert abs(M.frechet_distance(few, few)) < 1e-9
    assert M.frechet_distance(few, few + 1.0) == pytest.approx(20.0, rel=1e-9)


def test_frechet_distance_grows_with_a_wider_spread(rng):
    a = rng.normal(size=(2000, 2))
    # N(0, I) vs N(0, 4I): FD = tr(I + 4I − 2·2I) = 2 (up to sampling)
    assert M.frechet_distance(a, 2 * rng.normal(size=(2000, 2))) == pytest.approx(2.0, abs=0.3)


@pytest.mark.parametrize("a, b, match", [
    (np.zeros(10), np.zeros((10, 1)), r"features_a must be 2-D \(N, features\) for frechet_distance; got shape \(10,\)"),
    (np.zeros((10, 3)), np.zeros((10, 4)), r"must be the same number of features .*; got 3 and 4"),
    (np.zeros((1, 3)), np.zeros((10, 3)), r"features_a must be at least 2 rows"),
    (np.zeros((10, 3)), np.full((10, 3), np.nan), r"features_b must be finite"),
])
def test_frechet_distance_bad_input(a, b, match):
    with pytest.raises(ValueError, match=match):
        M.frechet_distance(a, b)


# --- the digit classifier --------------------------------------------------------------------------------

def test_classifier_views_and_shapes(real):
    clf = M.digit_classifier()
    assert clf is M.digit_classifier()                                  # loaded once
    x = real[0][:50]
    p = clf.predict_proba(x)
    assert p.shape == (50, 10) and np.allclose(p.sum(axis=1), 1, atol=1e-5)
    np.testing.assert_array_equal(clf.predict_proba(x[..., None]), p)   # (N, 28, 28, 1) the same
    np.testing.assert_array_equal(clf.predict(x), p.argmax(axis=1))
    f = clf.features(x)
    assert f.shape == (50, 64) and f.min() >= 0                         # ReLU features
    # the features are the input of the last Dense layer: softmax(f @ W + b) = p
    last = clf.network.layers[-1].params
    z = f @ last["kernel"] + last["bias"]
    np.testing.assert_allclose(np.exp(z) / np.exp(z).sum(1, keepdims=True), p, atol=1e-5)
    assert clf.accuracy(x, real[1][:50]) >= 0.9


@pytest.mark.parametrize("images, match", [
    (np.zeros((4, 784)), r"images must be 3-D or 4-D \(N, 28, 28\) or \(N, 28, 28, 1\).*x.reshape\(-1, 28, 28\)"),
    (np.zeros((28, 28)), r"images must be 3-D or 4-D .* image\[None\]"),
    (np.zeros((4, 8, 8)), r"images must be 28×28 grey images .*; got shape \(4, 8, 8\)"),
    (np.zeros((4, 28, 28, 3)), r"images must be 28×28 grey images"),
    (np.full((4, 28, 28), 255.0), r"images must be pixels in \[−1, 1\] .*; got values from 255 to 255. "
                                  r"Scale to \[−1, 1\] with images / 127.5 - 1"),
    (np.linspace(0, 1, 4 * 784).reshape(4, 28, 28), r"dark background at −1 .* Scale to \[−1, 1\] with 2 \* images - 1"),
    (np.zeros((0, 28, 28)), r"images must be non-empty"),
])
def test_classifier_rejects_wrong_shapes_and_ranges(images, match):
    with pytest.raises(ValueError, match=match):
        M.digit_classifier().predict_proba(images)


def test_missing_checkpoint_names_the_script(tmp_path):
    with pytest.raises(FileNotFoundError, match="scripts/train_digit_classifier.py"):
        M.digit_classifier(tmp_path / "nothing.npz")


def test_digit_fd_real_vs_real_is_small_and_noise_is_large(real):
    a, b = real[0][:500], real[0][500:]
    same = M.digit_fd(a, b)
    noise = M.digit_fd(np.random.default_rng(0).uniform(-1, 1, a.shape), b)
    assert same < 10                       # measured 6 at 500 vs 500 (the estimate's own bias dominates)
    assert noise > 20 * same, (same, noise)


# --- class coverage and inception score ------------------------------------------------------------------

def test_coverage_counts_classes_above_the_threshold():
    assert M.class_coverage(np.full(100, 7)).classes_present == 1           # a single class only
    balanced = M.class_coverage(np.repeat(np.arange(10), 10))
    assert balanced.classes_present == 10 and np.allclose(balanced.shares, 0.1)
    labels = np.r_[np.repeat(np.arange(9), 11)[:97], [9, 9, 9]]            # digit 9 holds 3 %
    assert M.class_coverage(labels).classes_present == 9                    # below 5 %
    assert M.class_coverage(labels, threshold=0.03).classes_present == 10
    assert M.class_coverage(np.arange(9), threshold=0).classes_present == 9  # an absent class never counts
    cov = M.class_coverage(labels)
    np.testing.assert_array_equal(cov.counts, np.bincount(labels, minlength=10))
    assert "9 of 10 digits present" in str(cov) and "3.0% (digit 9)" in str(cov)


def test_coverage_of_images(real):
    ones = real[0][real[1] == 1]
    assert M.class_coverage(ones).classes_present == 1
    assert M.class_coverage(real[0]).classes_present == 10


@pytest.mark.parametrize("value, match", [
    (np.array([0, 3, 10]), r"whole class ids 0 … 9 for class_coverage; got values from 0 to 10"),
    (np.array([0.5, 1.0]), r"whole class ids"),
    (np.zeros((3, 10)), r"images_or_labels must be 1-D or 3-D or 4-D"),
    (np.array([]), r"images_or_labels must be non-empty"),
])
def test_coverage_bad_input(value, match):
    with pytest.raises(ValueError, match=match):
        M.class_coverage(value)
    with pytest.raises(ValueError, match=r"threshold must be in \[0, 1\]"):
        M.class_coverage([1, 2], threshold=1.5)


def test_inception_score_by_hand_and_bounds(rng):
    # p(y|x) = [1, 0] and [0.5, 0.5]: p(y) = [0.75, 0.25];
    # KL1 = log(1/0.75), KL2 = 0.5 log(0.5/0.75) + 0.5 log(0.5/0.25); IS = exp((KL1 + KL2) / 2)
    kl1, kl2 = math.log(1 / 0.75), 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(2)
    assert M.inception_score([[1.0, 0.0], [0.5, 0.5]]) == pytest.approx(math.exp((kl1 + kl2) / 2), rel=1e-12)
    assert M.inception_score(np.eye(10)) == pytest.approx(10.0)             # confident and balanced: the maximum
    assert M.inception_score(np.tile(np.eye(10)[3], (50, 1))) == pytest.approx(1.0)   # one class: the minimum
    assert M.inception_score(np.full((20, 10), 0.1)) == pytest.approx(1.0)  # unsure: the minimum
    for _ in range(20):
        p = rng.dirichlet(np.full(10, rng.uniform(0.05, 5)), size=int(rng.integers(2, 200)))
        assert 1.0 <= M.inception_score(p) <= 10.0


def test_inception_score_of_images(real):
    assert M.inception_score(real[0]) > 8                                   # measured 9.4
    assert M.inception_score(real[0][real[1] == 0]) < 1.5


@pytest.mark.parametrize("value, match", [
    (np.array([[2.0, -1.0], [0.5, 0.5]]), r"non-negative rows summing to 1 .* not logits"),
    (np.array([[0.2, 0.2], [0.5, 0.5]]), r"row sums from 0.4 to 1"),
    (np.zeros(10), r"probs_or_images must be 2-D or 3-D or 4-D"),
])
def test_inception_score_bad_input(value, match):
    with pytest.raises(ValueError, match=match):
        M.inception_score(value)


# --- 2-D modes ---------------------------------------------------------------------------------------------

def test_modes_covered_on_the_target_and_on_a_collapsed_sample():
    t = gan_target("ring", 1000, rng=0)
    assert M.modes_covered(t.points, t) == 8
    assert M.modes_covered(np.repeat(t.centers[2:3], 1000, axis=0), t) == 1      # all points at one centre
    half = t.points[np.linalg.norm(t.points - t.centers[:4, None], axis=2).min(0) < 0.5]   # 4 of the 8 modes
    assert M.modes_covered(half, t) == 4
    assert M.high_quality_share(half, t) > 0.97
    # the default needs a fifth of a fair share: ceil(0.2 · 1000 / 8) = 25 samples
    few = np.r_[t.points[:976], np.repeat(t.centers[:1], 24, axis=0)]
    counts = M.mode_counts(few, t)
    assert M.modes_covered(few, t) == int(np.sum(counts >= 25))
    assert M.modes_covered(few, t, min_count=1) == 8


def test_high_quality_share_counts_points_near_some_centre():
    t = gan_target("grid", 100, rng=0)
    far = np.full((50, 2), 10.0)
    assert M.high_quality_share(far, t) == 0.0 and M.modes_covered(far, t) == 0
    mixed = np.r_[t.centers[:10] + 0.29 * t.std, np.full((10, 2), 1.0)]      # (1, 1) is 1.41 from every centre
    assert M.high_quality_share(mixed, t) == 0.5


@pytest.mark.parametrize("call, exc, match", [
    (lambda t: M.modes_covered(np.zeros((5, 3)), t), ValueError, r"samples must be 2-D points \(n, 2\)"),
    (lambda t: M.modes_covered(np.zeros(5), t), ValueError, r"samples must be 2-D \(n, 2\)"),
    (lambda t: M.modes_covered(np.zeros((5, 2)), t, min_count=0), ValueError, r"min_count must be in \[1, inf\]"),
    (lambda t: M.high_quality_share(np.zeros((5, 2)), t.centers), TypeError, r"target must be a GanTarget"),
    (lambda t: M.high_quality_share(np.full((5, 2), np.inf), t), ValueError, r"samples must be finite"),
])
def test_mode_metrics_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call(gan_target("ring", 10, rng=0))


# --- reference values ------------------------------------------------------------------------------------

def test_reference_values_order_the_samples(reference):
    real, blurred, one, noise = reference.rows
    assert [r.n for r in reference.rows] == [500] * 4 and reference.n_reference == 500
    assert real.fd < 10 and blurred.fd > 5 * real.fd                   # measured 6, 222
    assert one.fd > blurred.fd and noise.fd > blurred.fd               # measured 305, 350
    assert real.classes_present == 10 and blurred.classes_present == 10
    assert one.classes_present == 1 and noise.classes_present < 10
    assert real.inception_score > 8 and one.inception_score < 1.5 and noise.inception_score < 3
    for r in reference.rows:
        assert 1 <= r.inception_score <= 10


def test_reference_scores_a_sample_against_the_same_set(reference, real):
    # shuffling the first half in the same way gives the same A: scoring it again reproduces the first row
    a = real[0][np.random.default_rng(0).permutation(1000)[:500]]
    again = reference.score(a, name="real again")
    assert again.fd == pytest.approx(reference.rows[0].fd, rel=1e-9)
    table = reference.table(again)
    for name in ("real vs real", "real blurred", "one class only", "uniform noise", "real again", "MNIST 5k digits"):
        assert name in table
    assert reference["uniform noise"] is reference.rows[3]
    with pytest.raises(KeyError, match="name must be one of"):
        reference["generated"]
    with pytest.raises(TypeError, match="DigitScore objects"):
        reference.table(1.0)


def test_reference_bad_input(real):
    with pytest.raises(ValueError, match=r"real_images must be at least 100 images"):
        M.digit_reference_values(real[0][:50])
    with pytest.raises(ValueError, match=r"real_images must be pixels in \[−1, 1\]"):
        M.digit_reference_values(real[0] * 255)
    with pytest.raises(ValueError, match=r"blur_sigma must be in"):
        M.digit_reference_values(real[0], blur_sigma=0)


def test_metrics_never_import_tensorflow():
    code = ("import sys, numpy as np\n"
            "import dlhelpers.metrics as M\n"
            "x = np.random.default_rng(0).uniform(-1, 1, (120, 28, 28))\n"
            "M.digit_fd(x[:60], x[60:]); M.inception_score(x); M.class_coverage(x)\n"
            "M.digit_reference_values(x, rng=0)\n"
            "bad = [m for m in ('tensorflow', 'keras', 'ipywidgets') if m in sys.modules]\n"
            "assert not bad, bad\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]


def test_readme_states_these_reference_values(reference):
    # data/README.md's table was made with this recipe: 1,000 shuffled MNIST 5k digits, rng=0
    readme = (Path(__file__).resolve().parents[1] / "data" / "README.md").read_text(encoding="utf-8")
    for r in reference.rows:
        assert f"| {r.fd:.2f} | {r.classes_present} | {r.inception_score:.2f} |" in readme, r.row()
