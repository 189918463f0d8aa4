"""Real time series that ship offline, and the windows a recurrent network learns from.

The series come from ``statsmodels.datasets`` (files inside the statsmodels wheel, imported only
when a loader is called): :func:`co2` (Mauna Loa CO₂, monthly) and :func:`sunspots` (yearly).
Each is a :class:`TimeSeries` that says what it is, where it came from and in which units.

Forecasting with a recurrent network, in four calls::

    >>> from dlhelpers.data import co2, time_split, SeriesScaler, split_windows
    >>> s = co2()
    >>> train, val, test = time_split(s.values)                     # time order, never shuffled
    >>> scaler = SeriesScaler().fit(train)                          # statistics of the training part only
    >>> parts = split_windows(scaler.transform(s.values), lookback=24, horizon=1)
    >>> parts.train[0].shape, parts.train[1].shape                  # (N, 24, 1), (N, 1)
    ((344, 24, 1), (344, 1))

A window ``X[i] = values[i : i + lookback]`` is the context and ``y[i] = values[i + lookback :
i + lookback + horizon]`` the steps to predict.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .._checks import _fail, as_array, check_in_range, check_nonempty, check_number

__all__ = ["TimeSeries", "co2", "sunspots", "make_windows", "time_split", "split_windows", "WindowSplit",
           "SeriesScaler"]


@dataclass
class TimeSeries:
    """One real series with its dates and provenance.

    Attributes:
        values: (T,) float64, the measurements in time order.
        index: (T,) the time of each value (``datetime64[M]`` months, or int years).
        name, description, source: which data, what it is, where it came from.
        units: what one value measures.
        period: the seasonal period in steps (12 for monthly data with a yearly cycle), or None.
    """
    values: np.ndarray
    index: np.ndarray
    name: str
    description: str
    source: str
    units: str
    period: int | None = None

    def __len__(self):
        return len(self.values)

    def __repr__(self):
        return (f"TimeSeries({self.name!r}: {len(self)} values, {self.index[0]} … {self.index[-1]}; "
                f"{self.source})")

    def describe(self) -> str:
        """One line for the screen: which series, how long, from where."""
        return (f"Data: {self.name} — {self.description} [{len(self)} values, {self.index[0]} to "
                f"{self.index[-1]}, units: {self.units}; source: {self.source}]")


def _statsmodels_dataset(name: str, func: str):
    try:
        import importlib
        return importlib.import_module(f"statsmodels.datasets.{name}")
    except ImportError as exc:  # pragma: no cover - statsmodels is in requirements.txt
        raise ImportError(f"{func} needs statsmodels (its datasets ship in the wheel); install it with "
                          "`pip install statsmodels` or `pip install dlhelpers[data]`.") from exc


def co2() -> TimeSeries:
    """Monthly mean atmospheric CO₂ at Mauna Loa, March 1958 – December 2001 (526 months).

    statsmodels ships the weekly series (2,284 weeks, 59 of them without a reading). Each calendar
    month's value is the mean of its weekly readings; a month with no reading at all (5 months,
    in 1958 and 1964) is filled by linear interpolation between its neighbouring months. The
    description states how many months were filled.

    Returns:
        :class:`TimeSeries` with ``values`` (526,) float64 in ppm, ``index`` (526,) ``datetime64[M]``,
        ``period`` 12 (the yearly cycle of plant growth).
    """
    mod = _statsmodels_dataset("co2", "co2")
    weekly = mod.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean()                           # mean of the weeks in each month
    n_filled = int(monthly.isna().sum())
    monthly = monthly.interpolate(method="linear")                   # months are equally spaced steps
    values = monthly.to_numpy(dtype=np.float64)
    index = monthly.index.to_numpy().astype("datetime64[M]")
    assert np.all(np.isfinite(values)), "interpolation left gaps"   # internal: first and last months have data
    return TimeSeries(
        values, index, "Mauna Loa CO2 (monthly)",
        f"atmospheric CO2 at Mauna Loa Observatory, Hawaii, {index[0]} to {index[-1]}: monthly means of "
        f"statsmodels' weekly series ({len(weekly)} weeks, {int(weekly.isna().sum())} without a reading); "
        f"{n_filled} months with no reading filled by linear interpolation; a rising trend plus a "
        "12-month cycle",
        "statsmodels.datasets.co2 (offline); C. D. Keeling and T. P. Whorf, Scripps Institution of "
        "Oceanography, via CDIAC (Oak Ridge National Laboratory)",
        "ppm (parts per million of dry air, mole fraction)", period=12)


def sunspots() -> TimeSeries:
    """Yearly sunspot numbers, 1700–2008 (309 years).

    The numbers rise and fall in the roughly 11-year solar (Schwabe) cycle, whose length and height
    vary from cycle to cycle, so ``period`` is None rather than a fixed number of steps.

    Returns:
        :class:`TimeSeries` with ``values`` (309,) float64, ``index`` (309,) int64 years, ``period`` None.
    """
    mod = _statsmodels_dataset("sunspots", "sunspots")
    df = mod.load_pandas().data
    values = df["SUNACTIVITY"].to_numpy(dtype=np.float64)
    index = df["YEAR"].to_numpy().astype(np.int64)
    return TimeSeries(
        values, index, "sunspots (yearly)",
        f"yearly sunspot numbers {index[0]} to {index[-1]}; a cycle of about 11 years (the Schwabe cycle) "
        "whose length and height vary, so no fixed period",
        "statsmodels.datasets.sunspots (offline); NOAA National Geophysical Data Center",
        "sunspot number (yearly Wolf/Zürich relative number)", period=None)


# --- windows ---------------------------------------------------------------------------------------

def _check_steps(value, name, func):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        _fail(name, func, "a positive integer (a number of time steps)", f"{value!r} ({type(value).__name__})",
              f"Pass e.g. {name}=12.", exc=TypeError)
    if value < 1:
        _fail(name, func, "a positive integer (a number of time steps)", repr(value), f"Pass e.g. {name}=12.")
    return int(value)


def _series(values, func):
    arr = as_array(values, "values", func, ndim=(1, 2), shape_hint="(T,) or (T, D)", dtype=np.float64,
                   fix="Pass one series (T,) or several aligned series as columns (T, D).")
    return check_nonempty(arr, "values", func)


def make_windows(values, lookback, horizon=1):
    """Sliding windows: ``X[i] = values[i : i+lookback]``, ``y[i] = values[i+lookback : i+lookback+horizon]``.

    Args:
        values: (T,) one series, or (T, D) D aligned series (features as columns). With 2-D values
            the windows keep all D features and the targets come from column 0, the series to
            forecast (put it first).
        lookback: positive int, the number of past steps each window sees.
        horizon: positive int, the number of future steps to predict.

    Returns:
        ``(X, y)``: X (N, lookback, D) float64 (D=1 for 1-D values), y (N, horizon) float64, with
        ``N = T - lookback - horizon + 1``.

    Example:
        >>> X, y = make_windows(np.arange(6.0), lookback=3, horizon=2)
        >>> X[:, :, 0].tolist(), y.tolist()
        ([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0]], [[3.0, 4.0], [4.0, 5.0]])
    """
    func = "make_windows"
    arr = _series(values, func)
    lookback = _check_steps(lookback, "lookback", func)
    horizon = _check_steps(horizon, "horizon", func)
    if arr.ndim == 1:
        arr = arr[:, None]                                            # (T, 1)
    T = arr.shape[0]
    n = T - lookback - horizon + 1
    if n < 1:
        _fail("values", func, f"at least lookback + horizon = {lookback + horizon} steps long", f"{T} steps",
              "Use a longer series or a smaller lookback/horizon.")
    starts = np.arange(n)[:, None]                                    # (N, 1)
    X = arr[starts + np.arange(lookback)]                             # (N, lookback, D)
    y = arr[starts + lookback + np.arange(horizon), 0]                # (N, horizon), column 0
    return X.astype(np.float64), y.astype(np.float64)


def _split_sizes(T, train, val, func):
    check_in_range(train, "train", func, 0.0, 1.0, inclusive=(False, False))
    check_in_range(val, "val", func, 0.0, 1.0, inclusive=(True, False))
    if train + val >= 1.0:
        _fail("train + val", func, "< 1 (the rest is the test part)", f"{train} + {val} = {train + val:g}",
              "Lower train or val, e.g. train=0.7, val=0.15.")
    n_train, n_val = int(T * train), int(T * val)
    n_test = T - n_train - n_val
    if n_train < 1 or n_test < 1 or (val > 0 and n_val < 1):
        _fail("values", func, "long enough to give every part at least one step", f"{T} steps "
              f"(train {n_train}, val {n_val}, test {n_test})", "Use a longer series or change train/val.")
    return n_train, n_val


def time_split(values, train=0.7, val=0.15):
    """Cut a series into consecutive train, validation and test parts, in time order (never shuffled).

    The first ``int(T*train)`` steps are the training part, the next ``int(T*val)`` the validation
    part and the rest the test part. To forecast the first validation steps a window needs the
    last training steps as context; :func:`split_windows` builds such windows (their targets stay
    inside their own part).

    Args:
        values: (T,) or (T, D). train: fraction in (0, 1). val: fraction in [0, 1), train + val < 1.

    Returns:
        ``(train, val, test)``: three float64 arrays along axis 0 whose concatenation is ``values``.
    """
    func = "time_split"
    arr = _series(values, func)
    n_train, n_val = _split_sizes(len(arr), train, val, func)
    return arr[:n_train].copy(), arr[n_train:n_train + n_val].copy(), arr[n_train + n_val:].copy()


@dataclass
class WindowSplit:
    """Windows of one series split in time: ``train``, ``val``, ``test`` are each ``(X, y)``.

    ``bounds`` = (first validation step, first test step) in the series; the target steps of every
    window lie inside its own part, its lookback may reach back into the part before.
    """
    train: tuple
    val: tuple
    test: tuple
    bounds: tuple
    lookback: int
    horizon: int

    def __iter__(self):          # (Xtr, ytr), (Xva, yva), (Xte, yte) = split
        return iter((self.train, self.val, self.test))

    def __repr__(self):
        sizes = ", ".join(f"{k} {len(getattr(self, k)[0])}" for k in ("train", "val", "test"))
        return f"WindowSplit(lookback={self.lookback}, horizon={self.horizon}: {sizes} windows)"


def split_windows(values, lookback, horizon=1, train=0.7, val=0.15) -> WindowSplit:
    """Windows (as :func:`make_windows`) assigned to train/val/test by where their targets fall.

    The parts are those of :func:`time_split`. A window belongs to a part when all its
    ``horizon`` target steps lie inside that part; its ``lookback`` context may reach back into the
    previous part (the first validation windows look at the end of the training part, as a
    forecast made at that time would). Windows whose targets straddle a boundary (horizon > 1)
    are dropped, so no target step is used by two parts.

    Args:
        values: (T,) or (T, D) (targets from column 0). lookback, horizon: positive ints.
        train, val: fractions as in :func:`time_split`.

    Returns:
        :class:`WindowSplit` with ``train``, ``val``, ``test`` each ``(X (N, lookback, D), y (N, horizon))``.
    """
    func = "split_windows"
    arr = _series(values, func)
    lookback = _check_steps(lookback, "lookback", func)
    horizon = _check_steps(horizon, "horizon", func)
    n_train, n_val = _split_sizes(len(arr), train, val, func)
    X, y = make_windows(arr, lookback, horizon)
    first = np.arange(len(X)) + lookback                              # first target step of each window
    last = first + horizon - 1                                        # last target step
    b1, b2 = n_train, n_train + n_val
    parts = {"train": (first >= 0) & (last < b1), "val": (first >= b1) & (last < b2),
             "test": (first >= b2) & (last < len(arr))}
    for name, keep in parts.items():
        if not keep.any() and (name != "val" or n_val > 0):
            _fail("values", func, f"long enough to give the {name} part at least one window", f"{len(arr)} steps "
                  f"(train {n_train}, val {n_val}, test {len(arr) - b2}; lookback {lookback}, horizon {horizon})",
                  "Use a longer series, a smaller lookback/horizon, or larger parts.")
    return WindowSplit(*((X[k], y[k]) for k in parts.values()), bounds=(b1, b2), lookback=lookback,
                       horizon=horizon)


# --- scaling ------------------------------------------------------------------------------------

class SeriesScaler:
    """Standardise with the training part's statistics: ``(x - mean_) / scale_``.

    Fit it on the training part only, then transform every part with those numbers, so nothing of
    the validation or test period leaks into training. A 1-D training series gives scalar
    ``mean_``/``scale_`` (applied elementwise to any shape, e.g. windows (N, lookback, 1) and
    targets (N, horizon)); a (T, D) one gives one mean and scale per column, applied along the
    last axis.

    Example:
        >>> train, val, test = time_split(co2().values)
        >>> sc = SeriesScaler().fit(train)
        >>> z = sc.transform(test); back = sc.inverse_transform(z)      # back == test
    """

    def __init__(self):
        self.mean_ = None
        self.scale_ = None

    def __repr__(self):
        if self.mean_ is None:
            return "SeriesScaler(not fitted)"
        return f"SeriesScaler(mean_={np.round(self.mean_, 4)}, scale_={np.round(self.scale_, 4)})"

    def fit(self, train):
        """Store ``mean_`` and ``scale_`` (population std) of ``train`` (T,) or (T, D); returns self."""
        func = "SeriesScaler.fit"
        arr = as_array(train, "train", func, ndim=(1, 2), shape_hint="(T,) or (T, D)", dtype=np.float64)
        if len(arr) < 2:
            _fail("train", func, "at least 2 steps long", f"shape {arr.shape}", "Fit on the whole training part.")
        mean, std = arr.mean(axis=0), arr.std(axis=0)
        if np.any(std == 0):
            _fail("train", func, "varying (standard deviation > 0 in every column)", f"std {std}",
                  "A constant series cannot be standardised; drop the constant column or subtract its value.")
        self.mean_ = mean if arr.ndim == 2 else float(mean)
        self.scale_ = std if arr.ndim == 2 else float(std)
        return self

    def fit_transform(self, train):
        """``fit(train)`` then ``transform(train)``."""
        return self.fit(train).transform(train)

    def _stats(self, x, func, column, name):
        if self.mean_ is None:
            _fail("the SeriesScaler", func, "fitted first", "a scaler that was never fitted",
                  "Call scaler.fit(train) on the training part first.")
        arr = as_array(x, name, func, dtype=np.float64)
        mean, scale = self.mean_, self.scale_
        if column is not None:
            if np.ndim(mean) == 0:
                _fail("column", func, "None for a scaler fitted on one series", repr(column), "Leave column out.")
            check_number(column, "column", func, low=0, high=len(mean) - 1, integer=True)
            return arr, mean[column], scale[column]
        if np.ndim(mean) == 1 and (arr.ndim == 0 or arr.shape[-1] != len(mean)):
            _fail(name, func, f"an array whose last axis has the {len(mean)} fitted columns", f"shape {arr.shape}",
                  "Pass values shaped like the training data, or column=k for values of column k alone.")
        return arr, mean, scale

    def transform(self, x, column=None):
        """``(x - mean_) / scale_``; ``column=k`` uses column k's statistics (for a 2-D fit)."""
        arr, mean, scale = self._stats(x, "SeriesScaler.transform", column, "x")
        return (arr - mean) / scale

    def inverse_transform(self, z, column=None):
        """``z * scale_ + mean_``, back to the original units; ``column=0`` for forecasts of column 0."""
        arr, mean, scale = self._stats(z, "SeriesScaler.inverse_transform", column, "z")
        return arr * scale + mean
