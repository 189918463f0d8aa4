"""Property specs for the image-quality and anomaly metrics (dlhelpers.metrics) and the corrupted digits, the anomaly
split and the baselines (dlhelpers.data.corrupt), registered on import by specs.py.

These names live outside dlhelpers.scratch; test_public_api.py discovers them too (its ``OTHER_MODULES``), so they
run in the shared suite: the promise with valid, spoilt and extreme input, every argument with every bad value, and
the other valid forms of test_valid_forms.py (float32, nested lists, integer arrays).

Each entry draws valid arguments and checks, beyond the shared promise (our errors only, finite results, inputs
unchanged): PSNR against its formula, SSIM against scikit-image, the batch means against the single-image values,
AUROC against counting pairs, the chosen threshold against a brute-force search, precision and recall against
scikit-learn, the noise inside its range, the split's parts disjoint and flagged, PCA a projection, and the median
filter against SciPy's per image. Images are drawn at least 3 pixels high (5 for batches) and two images are never
equal, so no spoilt value of BAD_VALUES can make an identical pair (whose PSNR is documented to be inf).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from dlhelpers import metrics as M
from dlhelpers.data import Dataset
from dlhelpers.data import corrupt as C
from tests.property.contract import BIG, arrays, attempt, finite
from tests.property.specs import calls, record_of, spec


def record_made_by(maker, valid):
    """Entry for a result type: found in what ``maker`` returns for valid arguments (a call that keeps the promise)."""
    def producer(d):
        args, kwargs = valid(d)
        return attempt(maker, *args, expect="ok", label=maker.__name__, **kwargs)
    return record_of(producer)


# --- image quality ---------------------------------------------------------------------------------------

def _data_range(d):
    return d.draw(st.one_of(finite(1e-3, BIG), st.sampled_from([1.0, 2.0, 255.0])), label="data_range")


def _differ(ref, img, r):
    """img changed in one pixel when it equals ref (an identical pair has PSNR inf, as documented)."""
    if np.array_equal(ref, img):
        img = img.copy()
        img.flat[0] = r if ref.flat[0] != r else 0.0
    return img


def _pair_args(d, min_side=3, max_side=8):
    r = _data_range(d)
    shape = (d.draw(st.integers(min_side, max_side), label="H"), d.draw(st.integers(min_side, max_side), label="W"))
    ref = d.draw(arrays(shape, 0.0, r), label="reference")
    img = _differ(ref, d.draw(arrays(shape, 0.0, r), label="image"), r)
    return ref, img, r


def _psnr_args(d):
    ref, img, r = _pair_args(d)
    return (ref, img, r), {}


def _psnr_out(result, args, kwargs):
    ref, img, r = args
    m = np.max(np.abs(ref - img))                  # PSNR's formula, scaled so that no square under- or overflows
    expected = 20 * np.log10(r) - 20 * np.log10(m) - 10 * np.log10(np.mean(((ref - img) / m) ** 2))
    assert isinstance(result, float) and abs(result - expected) <= 1e-12 * max(1.0, abs(expected)), (result, expected)


def _ssim_args(d):
    ref, img, r = _pair_args(d)
    win = d.draw(st.sampled_from([w for w in (3, 5, 7) if w <= min(ref.shape)]), label="win_size")
    return (ref, img, r), {"win_size": win}


def _ssim_out(result, args, kwargs):
    from skimage.metrics import structural_similarity
    ref, img, r = args
    expected = structural_similarity(ref, img, data_range=r, win_size=kwargs["win_size"])
    assert isinstance(result, float) and result <= 1 + 1e-12
    assert abs(result - expected) <= 1e-10 * max(1.0, abs(expected)), (result, expected)


def _batch_args(d, with_win):
    r = _data_range(d)
    n = d.draw(st.integers(1, 3), label="N")
    shape = (n, d.draw(st.integers(5, 7), label="H"), d.draw(st.integers(5, 7), label="W"))
    refs = d.draw(arrays(shape, 0.0, r), label="references")
    imgs = d.draw(arrays(shape, 0.0, r), label="images")
    imgs = np.stack([_differ(a, b, r) for a, b in zip(refs, imgs)])
    if d.draw(st.booleans(), label="channel axis"):
        refs, imgs = refs[..., None], imgs[..., None]
    kwargs = {"win_size": d.draw(st.sampled_from([3, 5]), label="win_size")} if with_win else {}
    return (refs, imgs, r), kwargs


def _batch_out(single):
    def check(result, args, kwargs):
        refs, imgs, r = args
        mean, values = result
        assert values.shape == (len(refs),) and values.dtype == np.float64
        expected = [single(a.reshape(a.shape[:2]), b.reshape(b.shape[:2]), r, **kwargs) for a, b in zip(refs, imgs)]
        np.testing.assert_array_equal(values, expected)
        assert mean == np.mean(values)
    return check


spec("psnr")(calls(_psnr_args, out=_psnr_out))
spec("ssim")(calls(_ssim_args, out=_ssim_out))
spec("mean_psnr")(calls(lambda d: _batch_args(d, False), out=_batch_out(M.psnr)))
spec("mean_ssim")(calls(lambda d: _batch_args(d, True), out=_batch_out(M.ssim)))


# --- anomaly scores ---------------------------------------------------------------------------------------

def _scores_flags(d, both=True):
    n = d.draw(st.integers(2 if both else 1, 8), label="N")
    scores = d.draw(arrays((n,), -BIG, BIG), label="scores")
    flags = np.array(d.draw(st.lists(st.booleans(), min_size=n, max_size=n), label="is_anomaly"))
    if both and (flags.all() or not flags.any()):
        flags[0] = not flags[0]
    return scores, flags


def _auroc_by_pairs(scores, flags):
    """The share of (anomaly, normal) pairs ranked right, ties counting one half: AUROC's definition."""
    a, n = scores[flags][:, None], scores[~flags][None, :]
    return float(np.mean((a > n) + 0.5 * (a == n)))


def _summary_out(result, args, kwargs):
    scores, flags = args
    assert isinstance(result, M.AnomalySummary)
    assert abs(result.auroc - _auroc_by_pairs(scores, flags)) <= 1e-12
    assert 0 <= result.average_precision <= 1
    assert result.n_anomalous == flags.sum() and result.n_normal == (~flags).sum()
    assert result.fpr[0] == 0 and result.tpr[0] == 0 and result.fpr[-1] == 1 and result.tpr[-1] == 1
    assert np.all(np.diff(result.fpr) >= 0) and np.all(np.diff(result.tpr) >= 0)


def _counts(scores, flags, t):
    flagged = scores >= t
    return int(np.sum(flagged & flags)), int(np.sum(flagged & ~flags)), int(np.sum(~flagged & flags))


def _choose_args(d):
    rule = d.draw(st.sampled_from(M.THRESHOLD_RULES), label="rule")
    scores, flags = _scores_flags(d, both=False)
    if rule == "f1" and not flags.any():
        flags[0] = True
    if rule == "fpr" and flags.all():
        flags[0] = False
    return (scores, flags), {"rule": rule, "max_fpr": d.draw(st.sampled_from([0.0, 0.05, 0.3, 1.0]), label="max_fpr")}


def _choose_out(result, args, kwargs):
    scores, flags = args
    assert isinstance(result, float)
    if kwargs["rule"] == "f1":
        def f1(t):
            tp, fp, fn = _counts(scores, flags, t)
            return 2 * tp / (2 * tp + fp + fn)
        assert result in scores and all(f1(result) >= f1(s) for s in scores)
        assert all(f1(s) < f1(result) for s in scores if s > result)          # the highest threshold on ties
    else:
        n_normal = int(np.sum(~flags))

        def fpr(t):
            return _counts(scores, flags, t)[1] / n_normal
        assert fpr(result) <= kwargs["max_fpr"]
        assert all(fpr(s) > kwargs["max_fpr"] for s in scores if s < result)  # no lower threshold would do


def _report_args(d):
    scores, flags = _scores_flags(d, both=False)
    t = d.draw(st.one_of(st.sampled_from(list(scores)), finite()), label="threshold")
    return (scores, flags, t), {}


def _report_out(result, args, kwargs):
    from sklearn.metrics import f1_score, precision_score, recall_score
    scores, flags, t = args
    pred = scores >= t
    assert (result.tp, result.fp, result.fn) == _counts(scores, flags, t) and result.tn == int(np.sum(~pred & ~flags))
    assert result.precision == precision_score(flags, pred, zero_division=0)
    assert result.recall == recall_score(flags, pred, zero_division=0)
    assert abs(result.f1 - f1_score(flags, pred, zero_division=0)) <= 1e-12


spec("anomaly_summary")(calls(lambda d: (_scores_flags(d), {}), out=_summary_out))
spec("choose_threshold")(calls(_choose_args, out=_choose_out))
spec("precision_recall_at")(calls(_report_args, out=_report_out))
spec("AnomalySummary")(record_made_by(M.anomaly_summary, lambda d: (_scores_flags(d), {})))
spec("ThresholdReport")(record_made_by(M.precision_recall_at, _report_args))


# --- noise, the anomaly split, the baselines ---------------------------------------------------------------

def _batch_shape(d, max_c=2):
    n, h, w = (d.draw(st.integers(1, 3), label="N"), d.draw(st.integers(1, 6), label="H"),
               d.draw(st.integers(1, 6), label="W"))
    return (n, h, w) if d.draw(st.booleans(), label="no channel axis") else (n, h, w, d.draw(st.integers(1, max_c)))


def _gaussian_args(d):
    clip = d.draw(st.sampled_from([(0.0, 1.0), (-1.0, 1.0), None]), label="clip")
    lo, hi = clip if clip is not None else (-BIG, BIG)
    x = d.draw(arrays(_batch_shape(d), lo, hi), label="images")
    return (x, d.draw(finite(0, 10), label="sigma")), {"rng": d.draw(st.integers(0, 3), label="rng"), "clip": clip}


def _gaussian_out(result, args, kwargs):
    x, sigma = args
    assert result.shape == x.shape and result.dtype == np.float64
    if kwargs["clip"] is not None:
        lo, hi = kwargs["clip"]
        assert np.all((lo <= result) & (result <= hi))
    else:
        np.testing.assert_array_equal(result, x + sigma * np.random.default_rng(kwargs["rng"]).standard_normal(x.shape))


def _salt_args(d):
    x = d.draw(arrays(_batch_shape(d, 3), -1.0, 1.0), label="images")
    return (x,), {"amount": d.draw(st.floats(0, 1), label="amount"), "rng": d.draw(st.integers(0, 3), label="rng"),
                  "salt": 1.0, "pepper": -1.0}


def _salt_out(result, args, kwargs):
    x = args[0]
    assert result.shape == x.shape
    changed = result != x
    assert np.all(np.isin(result[changed], [kwargs["salt"], kwargs["pepper"]]))
    if x.ndim == 4:                                       # a chosen pixel changes in every channel
        picked = np.isin(result, [1.0, -1.0]).all(axis=3)
        assert np.all(picked[changed.any(axis=3)])


def _split_args(d):
    k = d.draw(st.integers(2, 4), label="classes")
    per = d.draw(st.integers(10, 14), label="samples per class")
    y = np.repeat(np.arange(k), per)
    x = d.draw(arrays((len(y), 3), -BIG, BIG), label="X")
    ds = Dataset(x, y, "toy", "toy classes", "drawn", images=x.reshape(-1, 3, 1))
    bad = tuple(d.draw(st.lists(st.integers(0, k - 1), min_size=1, max_size=k - 1, unique=True), label="anomalous"))
    return (ds,), {"anomalous": bad, "val_size": d.draw(st.floats(0.1, 0.4), label="val_size"),
                   "test_size": d.draw(st.floats(0.1, 0.4), label="test_size"), "rng": d.draw(st.integers(0, 3))}


def _split_out(result, args, kwargs):
    ds, bad = args[0], kwargs["anomalous"]
    assert isinstance(result, C.AnomalySplit) and result.anomalous_classes == tuple(sorted(bad))
    rows = np.concatenate([p.X for p in result])
    assert len(rows) == len(ds)
    for p in result:
        np.testing.assert_array_equal(p.is_anomaly, np.isin(p.y, bad))
        np.testing.assert_array_equal(p.images.reshape(len(p), 3), p.X)
    assert not result.train.is_anomaly.any() and result.val.is_anomaly.any() and result.test.is_anomaly.any()
    assert (~result.val.is_anomaly).any() and (~result.test.is_anomaly).any()


def _pca_args(d):
    n, dim = d.draw(st.integers(2, 8), label="N"), d.draw(st.integers(1, 5), label="D")
    train = d.draw(arrays((n, dim), -BIG, BIG), label="train")
    images = d.draw(arrays((d.draw(st.integers(1, 4), label="M"), dim), -BIG, BIG), label="images")
    return (train, images, d.draw(st.integers(1, min(n, dim)), label="k")), {}


def _pca_out(result, args, kwargs):
    train, images, k = args
    assert result.shape == images.shape and result.dtype == np.float64
    again = C.pca_reconstruct(train, result, k)                    # a projection: reconstructing twice changes nothing
    np.testing.assert_allclose(again, result, rtol=1e-9, atol=1e-9 * BIG)


def _median_args(d):
    x = d.draw(arrays(_batch_shape(d), -BIG, BIG), label="images")
    return (x,), {"size": d.draw(st.integers(1, max(x.shape[1:3])), label="size")}


def _median_out(result, args, kwargs):
    from scipy.ndimage import median_filter
    x, size = args[0], kwargs["size"]
    assert result.shape == x.shape
    for i in range(len(x)):
        if x.ndim == 3:
            np.testing.assert_array_equal(result[i], median_filter(x[i], size=size, mode="reflect"))
        else:
            for c in range(x.shape[3]):
                np.testing.assert_array_equal(result[i, ..., c], median_filter(x[i, ..., c], size=size, mode="reflect"))


spec("gaussian_noise")(calls(_gaussian_args, out=_gaussian_out))
spec("salt_and_pepper_noise")(calls(_salt_args, out=_salt_out))
spec("anomaly_split")(calls(_split_args, out=_split_out))
spec("AnomalySplit")(record_made_by(C.anomaly_split, _split_args))
spec("AnomalyDataset")(record_made_by(C.anomaly_split, _split_args))                    # the split's parts
spec("pca_reconstruct")(calls(_pca_args, out=_pca_out))
spec("median_filter_denoise")(calls(_median_args, out=_median_out))

