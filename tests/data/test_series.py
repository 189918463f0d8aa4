"""dlhelpers.data.series: the real series, windows worked by hand, splits in time order, the scaler."""
import numpy as np
import pytest

from dlhelpers import data as D


# --- the real series --------------------------------------------------------------------------------

def test_co2_is_monthly_with_the_gaps_filled():
    s = D.co2()
    assert isinstance(s, D.TimeSeries)
    assert s.values.dtype == np.float64 and s.values.shape == (526,) and s.index.shape == (526,)
    assert np.all(np.isfinite(s.values)) and s.period == 12
    assert s.index.dtype == np.dtype("datetime64[M]")
    assert str(s.index[0]) == "1958-03" and str(s.index[-1]) == "2001-12"
    assert np.all(np.diff(s.index).astype(int) == 1)                    # one value per calendar month, no gaps
    # April 1958 is the mean of its four weekly readings
    from statsmodels.datasets import co2 as sm_co2
    weekly = sm_co2.load_pandas().data["co2"]
    april = weekly["1958-04-01":"1958-04-30"]
    assert s.values[1] == pytest.approx(april.mean())
    # June 1958 has no weekly reading: filled halfway between May and July
    assert weekly["1958-06-01":"1958-06-30"].isna().all()
    assert s.values[3] == pytest.approx((s.values[2] + s.values[4]) / 2)
    assert "interpolat" in s.description and "5 months" in s.description and "monthly" in s.description
    assert "statsmodels.datasets.co2" in s.source and "Keeling" in s.source
    assert "ppm" in s.units and "co2" in s.describe().lower()
    assert 310 < s.values.min() < s.values.max() < 380                   # ppm, 1958–2001


def test_sunspots_is_yearly():
    s = D.sunspots()
    assert s.values.shape == (309,) and s.values.dtype == np.float64
    np.testing.assert_array_equal(s.index, np.arange(1700, 2009))
    assert s.period is None and "11" in s.description
    assert "statsmodels.datasets.sunspots" in s.source and "sunspots" in s.describe()
    assert s.values.min() >= 0


# --- windows --------------------------------------------------------------------------------------

def test_make_windows_by_hand():
    X, y = D.make_windows(np.arange(6.0), lookback=3, horizon=2)
    # N = 6 - 3 - 2 + 1 = 2 windows: [0,1,2] -> [3,4] and [1,2,3] -> [4,5]
    assert X.shape == (2, 3, 1) and y.shape == (2, 2) and X.dtype == y.dtype == np.float64
    np.testing.assert_array_equal(X[:, :, 0], [[0, 1, 2], [1, 2, 3]])
    np.testing.assert_array_equal(y, [[3, 4], [4, 5]])
    X, y = D.make_windows(np.arange(5), lookback=4)                      # integers accepted, horizon 1
    np.testing.assert_array_equal(X[:, :, 0], [[0, 1, 2, 3]])
    np.testing.assert_array_equal(y, [[4]])


def test_make_windows_2d_targets_from_column_0():
    values = np.c_[np.arange(6.0), 10 * np.arange(6.0)]                 # (6, 2)
    X, y = D.make_windows(values, lookback=2, horizon=1)
    assert X.shape == (4, 2, 2) and y.shape == (4, 1)
    np.testing.assert_array_equal(X[1], [[1, 10], [2, 20]])
    np.testing.assert_array_equal(y[:, 0], [2, 3, 4, 5])                 # column 0, not 10 * ...


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(lookback=0), ValueError, "lookback must be a positive integer"),
    (dict(lookback=2.5), TypeError, "lookback must be a positive integer"),
    (dict(lookback=True), TypeError, "lookback"),
    (dict(lookback=2, horizon=0), ValueError, "horizon must be a positive integer"),
    (dict(lookback=5, horizon=2), ValueError, "values must be at least lookback \\+ horizon = 7 steps"),
])
def test_make_windows_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        D.make_windows(np.arange(6.0), **kwargs)


def test_make_windows_bad_values():
    with pytest.raises(ValueError, match="values must be 1-D or 2-D"):
        D.make_windows(np.zeros((3, 4, 5)), 2)
    with pytest.raises(ValueError, match="values must be finite"):
        D.make_windows([1.0, np.nan, 2.0, 3.0], 2)
    with pytest.raises(TypeError, match="values must be numeric"):
        D.make_windows(["a", "b", "c"], 1)
    with pytest.raises(ValueError, match="values must be non-empty"):
        D.make_windows(np.zeros(0), 1)


# --- splits ------------------------------------------------------------------------------------------

def test_time_split_keeps_time_order():
    v = np.arange(20.0)
    tr, va, te = D.time_split(v, train=0.7, val=0.15)
    # int(20*0.7) = 14, int(20*0.15) = 3, the remaining 3 are the test part
    np.testing.assert_array_equal(tr, np.arange(14))
    np.testing.assert_array_equal(va, [14, 15, 16])
    np.testing.assert_array_equal(te, [17, 18, 19])
    np.testing.assert_array_equal(np.concatenate([tr, va, te]), v)
    tr, va, te = D.time_split(np.c_[v, -v], train=0.5, val=0.0)
    assert tr.shape == (10, 2) and va.shape == (0, 2) and te.shape == (10, 2)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(train=0.0), ValueError, "train must be in \\(0.0, 1.0\\)"),
    (dict(train=1.2), ValueError, "train must be in"),
    (dict(train="a lot"), TypeError, "train must be a number"),
    (dict(val=-0.1), ValueError, "val must be in \\[0.0, 1.0\\)"),
    (dict(train=0.8, val=0.2), ValueError, "train \\+ val must be < 1"),
])
def test_time_split_bad_fractions(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        D.time_split(np.arange(20.0), **kwargs)


def test_time_split_too_short():
    with pytest.raises(ValueError, match="values must be long enough to give every part at least one step"):
        D.time_split(np.arange(3.0), train=0.7, val=0.15)       # int(2.1)=2, int(0.45)=0 validation steps


def test_split_windows_targets_stay_in_their_part():
    v = np.arange(40.0)
    parts = D.split_windows(v, lookback=4, horizon=2, train=0.5, val=0.25)
    b1, b2 = parts.bounds
    assert (b1, b2) == (20, 30)
    (Xtr, ytr), (Xva, yva), (Xte, yte) = parts
    # values are their own time steps, so the targets say where they lie
    assert ytr.max() < 20 and yva.min() >= 20 and yva.max() < 30 and yte.min() >= 30
    # the first validation window predicts steps 20, 21 from the last 4 training steps 16..19
    np.testing.assert_array_equal(Xva[0, :, 0], [16, 17, 18, 19])
    np.testing.assert_array_equal(yva[0], [20, 21])
    # every target step is used by one part only; windows straddling 19|20 and 29|30 are dropped
    np.testing.assert_array_equal(ytr[:, 0], np.arange(4, 19))           # targets (4,5) … (18,19)
    np.testing.assert_array_equal(yva[:, 0], np.arange(20, 29))
    np.testing.assert_array_equal(yte[:, 0], np.arange(30, 39))
    assert Xtr.shape == (15, 4, 1) and ytr.shape == (15, 2)
    assert "lookback=4" in repr(parts)


def test_split_windows_errors_and_empty_validation():
    with pytest.raises(ValueError, match="values must be long enough to give the val part at least one window"):
        D.split_windows(np.arange(20.0), lookback=2, horizon=4, train=0.7, val=0.15)   # 3 val steps < horizon 4
    with pytest.raises(ValueError, match="lookback must be a positive integer"):
        D.split_windows(np.arange(20.0), lookback=-1)
    parts = D.split_windows(np.arange(20.0), lookback=3, train=0.6, val=0.0)
    assert parts.val[0].shape == (0, 3, 1) and len(parts.test[0]) == 8


# --- scaler ---------------------------------------------------------------------------------------

def test_scaler_uses_training_statistics_only():
    s = D.co2()
    tr, va, te = D.time_split(s.values)
    sc = D.SeriesScaler().fit(tr)
    assert sc.mean_ == pytest.approx(tr.mean()) and sc.scale_ == pytest.approx(tr.std())
    z = sc.transform(tr)
    assert z.mean() == pytest.approx(0, abs=1e-12) and z.std() == pytest.approx(1, rel=1e-12)
    zt = sc.transform(te)
    # CO2 rises: the test years lie above the training ones, so their standardised values are far from 0/1;
    # a scaler that peeked at the test part would centre them
    assert zt.mean() > 1.5
    np.testing.assert_allclose(zt, (te - tr.mean()) / tr.std(), rtol=1e-12)
    np.testing.assert_allclose(sc.inverse_transform(zt), te, rtol=1e-12)
    np.testing.assert_allclose(sc.fit_transform(tr), z)
    # windows and targets of any shape, scaled elementwise
    X, y = D.make_windows(s.values, 12)
    np.testing.assert_allclose(sc.transform(X)[..., 0], sc.transform(X[..., 0]))


def test_scaler_2d_per_column():
    rng = np.random.default_rng(0)
    tr = rng.normal([5.0, -3.0], [2.0, 0.5], size=(200, 2))
    sc = D.SeriesScaler().fit(tr)
    z = sc.transform(tr)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(axis=0), 1, rtol=1e-12)
    y = tr[:5, 0]
    np.testing.assert_allclose(sc.inverse_transform(sc.transform(y, column=0), column=0), y, rtol=1e-12)
    with pytest.raises(ValueError, match="x must be an array whose last axis has the 2 fitted columns"):
        sc.transform(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="column must be in \\[0, 1\\]"):
        sc.transform(y, column=2)


def test_scaler_errors():
    sc = D.SeriesScaler()
    with pytest.raises(ValueError, match="the SeriesScaler must be fitted first.*Call scaler.fit"):
        sc.transform([1.0, 2.0])
    with pytest.raises(ValueError, match="the SeriesScaler must be fitted first"):
        sc.inverse_transform([1.0, 2.0])
    with pytest.raises(ValueError, match="train must be varying"):
        sc.fit(np.ones(10))
    with pytest.raises(ValueError, match="train must be at least 2 steps long"):
        sc.fit([1.0])
    with pytest.raises(ValueError, match="column must be None for a scaler fitted on one series"):
        sc.fit(np.arange(5.0)).transform([1.0], column=0)
    assert "not fitted" in repr(D.SeriesScaler()) and "mean_" in repr(sc)


def test_import_stays_light():
    import subprocess
    import sys
    code = ("import sys, dlhelpers.data; heavy = [m for m in ('tensorflow', 'statsmodels', 'pandas', 'sklearn') "
            "if m in sys.modules]; assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)
