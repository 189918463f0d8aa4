"""dlhelpers.data.corrupt: noisy digits (seeded, in range, the stated formula), salt-and-pepper through Unit II's
augmentation, the normal/anomalous split (stratified, disjoint, flagged), the PCA and median-filter baselines
(equal to scikit-learn's PCA and SciPy's filter; exact at full rank), clear errors. The property specs
(tests/property/specs_image_metrics.py) run in the shared suite of tests/property."""
import numpy as np
import pytest
from scipy.ndimage import median_filter
from sklearn.decomposition import PCA

from dlhelpers._blas import single_thread_blas
from dlhelpers.data import Dataset, digits, moons
from dlhelpers.data.corrupt import (AnomalyDataset, AnomalySplit, anomaly_split, gaussian_noise, median_filter_denoise,
                                    pca_reconstruct, salt_and_pepper_noise)
from dlhelpers.scratch.augment import salt_and_pepper


@pytest.fixture(scope="module")
def small_digits():
    return digits()


# --- noise ---------------------------------------------------------------------------------------------

def test_gaussian_noise_is_the_stated_formula_and_seeded(small_digits):
    x = small_digits.images[:50]                                       # (50, 8, 8) in [0, 1]
    raw = gaussian_noise(x, sigma=0.2, rng=3, clip=None)
    np.testing.assert_array_equal(raw, x + 0.2 * np.random.default_rng(3).standard_normal(x.shape))
    clipped = gaussian_noise(x, sigma=0.2, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(clipped, np.clip(raw, 0, 1))         # a Generator and its seed: the same draw
    assert clipped.shape == x.shape and clipped.dtype == np.float64
    assert not np.array_equal(clipped, gaussian_noise(x, sigma=0.2, rng=4))
    np.testing.assert_array_equal(gaussian_noise(x, sigma=0, rng=0), x)


def test_gaussian_noise_has_the_asked_spread_and_keeps_the_range(mnist):
    x = mnist.images[:1000]
    noise = gaussian_noise(x, sigma=0.3, rng=0, clip=None) - x         # 784,000 draws: std within 0.3 ± 0.001
    assert abs(noise.mean()) < 1e-3 and abs(noise.std() - 0.3) < 1e-3
    pm = 2 * mnist.images[:100] - 1                                      # in [−1, 1]
    y = gaussian_noise(pm, sigma=0.5, rng=0, clip=(-1, 1))
    assert y.min() == -1 and y.max() == 1
    assert gaussian_noise(x.astype(np.float32), 0.1, rng=0).dtype == np.float32
    assert gaussian_noise((x * 255).astype(np.uint8), 10, rng=0, clip=(0, 255)).dtype == np.float64


def test_salt_and_pepper_noise_is_unit_twos_augmentation(small_digits):
    x = small_digits.images[:40]                                       # (40, 8, 8)
    y = salt_and_pepper_noise(x, amount=0.2, rng=5)
    np.testing.assert_array_equal(y, salt_and_pepper(x[..., None], amount=0.2, rng=5)[..., 0])   # the same draw
    assert y.shape == x.shape and set(np.unique(y[y != x])) <= {0.0, 1.0}
    x4 = np.stack([x, 1 - x], axis=-1)                                 # two channels: a chosen pixel changes in both
    y4 = salt_and_pepper_noise(x4, amount=0.3, rng=1, salt=1.0, pepper=0.0)
    np.testing.assert_array_equal(y4, salt_and_pepper(x4, amount=0.3, rng=1))
    np.testing.assert_array_equal(salt_and_pepper_noise(x, amount=0.0, rng=0), x)
    pm = salt_and_pepper_noise(np.zeros((1, 200, 200)), amount=0.1, rng=0, salt=1.0, pepper=-1.0)
    assert np.mean(pm == 1) == pytest.approx(0.05, abs=0.005) and np.mean(pm == -1) == pytest.approx(0.05, abs=0.005)
    assert salt_and_pepper_noise(x.astype(np.float32), rng=0).dtype == np.float32


# --- the anomaly split ------------------------------------------------------------------------------------

def test_mnist_split_is_stratified_disjoint_and_flagged(mnist):
    split = anomaly_split(mnist, anomalous=(9,), val_size=0.2, test_size=0.2, rng=0)
    assert isinstance(split, AnomalySplit) and split.normal_classes == tuple(range(9))
    assert split.anomalous_classes == (9,)
    train, val, test = split
    assert all(isinstance(p, AnomalyDataset) for p in split)
    # 500 digits per class: 100 to validation, 100 to test, 300 to training; the 500 nines split 250 / 250
    np.testing.assert_array_equal(np.bincount(train.y, minlength=10), [300] * 9 + [0])
    np.testing.assert_array_equal(np.bincount(val.y, minlength=10), [100] * 9 + [250])
    np.testing.assert_array_equal(np.bincount(test.y, minlength=10), [100] * 9 + [250])
    for p in split:
        np.testing.assert_array_equal(p.is_anomaly, p.y == 9)
        np.testing.assert_array_equal(p.images.reshape(len(p), -1), p.X)         # rows travel together
        assert p.images.shape[1:] == (28, 28) and p.target_names == list(range(10))
        assert not np.all(np.diff(p.y) >= 0)                                     # shuffled (the file is sorted)
    rows = np.concatenate([p.X for p in split])                                  # every digit exactly once
    assert len(rows) == 5000 and len(np.unique(rows, axis=0)) == len(np.unique(mnist.X, axis=0))
    assert str(split) == ("normal classes [0, 1, 2, 3, 4, 5, 6, 7, 8], anomalous [9]: train 2700 normal; validation "
                          "900 normal + 250 anomalous; test 900 normal + 250 anomalous")
    assert "anomalous [9]" in val.description and val.name == "MNIST 5k (anomaly val)"
    assert repr(val).startswith("AnomalyDataset('MNIST 5k (anomaly val)': X (1150, 784), 900 normal, 250 anomalous")


def test_split_is_seeded_and_takes_several_anomalous_classes(small_digits):
    a, b = anomaly_split(small_digits, anomalous=[3, 5], rng=1), anomaly_split(small_digits, (3, 5), rng=1)
    c = anomaly_split(small_digits, anomalous=(5, 3), rng=2)
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa.X, pb.X)
        np.testing.assert_array_equal(pa.is_anomaly, pb.is_anomaly)
    assert not np.array_equal(a.test.X, c.test.X) and c.anomalous_classes == (3, 5)
    assert not np.isin(a.train.y, [3, 5]).any() and set(np.unique(a.test.y[a.test.is_anomaly])) == {3, 5}
    single = anomaly_split(small_digits, anomalous=0, val_size=0.1, test_size=0.3, rng=0)     # one id, other shares
    assert single.anomalous_classes == (0,)
    n0 = int(np.sum(small_digits.y == 0))                                         # 178 zeros: test ¾, validation ¼
    assert int(single.test.is_anomaly.sum()) == round(n0 * 0.75)
    assert int(single.val.is_anomaly.sum()) == n0 - round(n0 * 0.75)


def test_split_of_a_two_class_set_with_float_labels():
    split = anomaly_split(moons(200, rng=0), anomalous=(1,), rng=0)              # y 0.0 / 1.0
    assert split.normal_classes == (0,) and split.train.X.shape[1] == 2 and split.train.images is None


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"anomalous": (10,)}, ValueError, r"anomalous must be one or more of the dataset's classes \[0, 1, .*\] for "
                                       r"anomaly_split; got \[10\] \(\[10\] not present\)"),
    ({"anomalous": tuple(range(10))}, ValueError, r"anomalous must be some of the classes, not all of them"),
    ({"anomalous": ()}, ValueError, r"anomalous must be one or more"),
    ({"anomalous": "9"}, TypeError, r"anomalous must be a class id or a sequence of class ids"),
    ({"anomalous": (9.0,)}, TypeError, r"anomalous must be whole class ids"),
    ({"val_size": 0.5, "test_size": 0.5}, ValueError, r"val_size \+ test_size must be < 1"),
    ({"val_size": 0.0}, ValueError, r"val_size must be in \(0.0, 1.0\)"),
    ({"test_size": 1.2}, ValueError, r"test_size must be in"),
    ({"rng": "seed"}, TypeError, r"rng must be a numpy Generator"),
])
def test_bad_split_arguments(small_digits, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        anomaly_split(small_digits, **kwargs)


def test_split_rejects_what_is_not_a_labelled_dataset():
    with pytest.raises(TypeError, match=r"dataset must be a dlhelpers.data.Dataset for anomaly_split; got ndarray"):
        anomaly_split(np.zeros((10, 3)))
    frac = Dataset(np.zeros((4, 2)), np.array([0.5, 1, 0, 1]), "x", "x", "x")
    with pytest.raises(ValueError, match=r"dataset.y must be whole class ids"):
        anomaly_split(frac)
    tiny = Dataset(np.zeros((4, 2)), np.array([0, 0, 1, 1]), "x", "x", "x")     # 2 per class: no normal test sample
    with pytest.raises(ValueError, match=r"dataset must be enough samples for normal samples in the val part"):
        anomaly_split(tiny, anomalous=(1,), rng=0)


# --- the baselines -------------------------------------------------------------------------------------

def test_pca_at_full_rank_reconstructs_exactly(small_digits):
    x = small_digits.images                                             # (1797, 8, 8): D = 64
    train, held_out = x[:1000], x[1000:]
    np.testing.assert_allclose(pca_reconstruct(train, held_out, k=64), held_out, rtol=0, atol=1e-13)
    few = np.random.default_rng(0).random((5, 3, 4))                    # N = 5 < D = 12: exact on its own rows
    np.testing.assert_allclose(pca_reconstruct(few, few, k=5), few, rtol=0, atol=1e-14)


@pytest.mark.parametrize("k", [1, 8, 32])
def test_pca_equals_scikit_learn(mnist, k):
    train, images = mnist.images[::10], mnist.images[1::25]            # 500 training digits, 200 others
    ours = pca_reconstruct(train, images, k)
    with single_thread_blas():                                          # threads only wait on a busy machine
        pca = PCA(n_components=k, svd_solver="full").fit(train.reshape(len(train), -1))
    theirs = pca.inverse_transform(pca.transform(images.reshape(len(images), -1))).reshape(images.shape)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)
    assert ours.shape == images.shape and ours.dtype == np.float64


def test_pca_error_falls_with_k_and_keeps_the_layout(small_digits):
    train, test = small_digits.images[:1200, ..., None], small_digits.images[1200:, ..., None]   # (N, 8, 8, 1)
    errors = [np.mean((pca_reconstruct(train, test, k) - test) ** 2) for k in (1, 4, 16, 64)]
    assert all(a > b for a, b in zip(errors, errors[1:])) and errors[-1] < 1e-28
    flat = pca_reconstruct(small_digits.X[:1200], small_digits.X[1200:], 16)      # (N, 64) rows give the same
    np.testing.assert_allclose(flat.reshape(-1, 8, 8, 1), pca_reconstruct(train, test, 16), rtol=0, atol=1e-12)


def test_median_filter_is_scipys_per_image_and_removes_specks(small_digits):
    x = salt_and_pepper_noise(small_digits.images[:20], amount=0.1, rng=0)
    out = median_filter_denoise(x)
    np.testing.assert_array_equal(out, np.stack([median_filter(im, size=3, mode="reflect") for im in x]))
    five = median_filter_denoise(x, size=5)
    np.testing.assert_array_equal(five[3], median_filter(x[3], size=5, mode="reflect"))
    np.testing.assert_array_equal(median_filter_denoise(x, size=1), x)
    speck = np.zeros((2, 6, 6, 2))
    speck[0, 2, 3, 1] = 1.0                                            # one white pixel in one channel of one image
    assert median_filter_denoise(speck).max() == 0
    solid = np.zeros((2, 6, 6, 2))
    solid[1] = 1.0                                                     # images and channels never mix
    np.testing.assert_array_equal(median_filter_denoise(solid), solid)


def test_the_baselines_on_noisy_digits(mnist):
    # median and PCA both improve on the noisy input for salt-and-pepper noise (the notebook's table, small)
    from dlhelpers.metrics import mean_psnr
    x = mnist.images[::10]                                             # 500 digits
    noisy = salt_and_pepper_noise(x, amount=0.1, rng=0)
    noisy_db = mean_psnr(x, noisy, 1.0)[0]
    assert mean_psnr(x, median_filter_denoise(noisy), 1.0)[0] > noisy_db + 3
    assert mean_psnr(x, pca_reconstruct(mnist.images[1::2], noisy, 32), 1.0)[0] > noisy_db + 3


@pytest.mark.parametrize("call, exc, match", [
    (lambda: gaussian_noise(np.full((2, 3, 3), 0.5) - 1, 0.1), ValueError,
     r"images must be inside clip=\(0, 1\) for gaussian_noise; got pixels from -0.5 to -0.5\. .*clip=\(-1, 1\)"),
    (lambda: gaussian_noise(np.zeros((2, 3, 3)), -0.1), ValueError, r"sigma must be in \[0, inf\] for gaussian_noise"),
    (lambda: gaussian_noise(np.zeros((2, 3, 3)), 0.1, clip=(1, 0)), ValueError,
     r"clip must be \(lo, hi\) with lo < hi"),
    (lambda: gaussian_noise(np.zeros((2, 3, 3)), 0.1, clip=1), TypeError, r"clip must be a pair \(lo, hi\) or None"),
    (lambda: gaussian_noise(np.zeros(3), 0.1), ValueError, r"images must be 2-D or 3-D or 4-D"),
    (lambda: gaussian_noise(np.full((1, 2), 1.7e308), 1e308, rng=0, clip=None), ValueError,
     r"images and sigma must be small enough that the noisy pixels stay finite"),
    (lambda: salt_and_pepper_noise(np.zeros((3, 3)), 0.1), ValueError, r"images must be 3-D or 4-D .* for "
                                                                        r"salt_and_pepper_noise"),
    (lambda: salt_and_pepper_noise(np.zeros((1, 3, 3)), 1.5), ValueError, r"amount must be in \[0.0, 1.0\]"),
    (lambda: salt_and_pepper_noise(np.zeros((1, 3, 3)), 0.1, salt=np.nan), ValueError,
     r"salt must be a number, finite"),
    (lambda: pca_reconstruct(np.zeros((5, 4)), np.zeros((2, 4)), 5), ValueError,
     r"k must be in \[1, 4\] for pca_reconstruct; got 5\. Pass a whole number of components between 1 and "
     r"min\(N, D\) = 4"),
    (lambda: pca_reconstruct(np.zeros((5, 4)), np.zeros((2, 4)), 2.0), TypeError, r"k must be an integer"),
    (lambda: pca_reconstruct(np.zeros((5, 2, 2)), np.zeros((2, 4)), 2), ValueError,
     r"images must be the training images' per-image shape \(2, 2\) for pca_reconstruct; got \(4,\)"),
    (lambda: pca_reconstruct(np.zeros((5, 4)), np.full((2, 4), np.nan), 2), ValueError, r"images must be finite"),
    (lambda: median_filter_denoise(np.zeros((1, 4, 4)), size=0), ValueError, r"size must be in \[1, 4\]"),
    (lambda: median_filter_denoise(np.zeros((1, 4, 4)), size=5), ValueError, r"size must be in \[1, 4\]"),
    (lambda: median_filter_denoise(np.zeros((4, 4)), size=3), ValueError, r"images must be 3-D or 4-D"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()

