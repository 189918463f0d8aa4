"""Rosenblatt's perceptron and its learning rule.

The bias is folded in as weight w0 on a constant input x0 = 1, so z = w·[1, x]. For each
sample, the prediction o = φ(z) is compared with the target t and

    w ← w + η (t − o) [1, x]

which changes nothing when the prediction is right. With ±1 outputs φ = sign (+1 if z ≥ 0);
with 0/1 outputs φ = step (1 if z > 0). On linearly separable data (AND, OR, NAND) the
rule stops making mistakes after a few epochs; on XOR it never does.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._checks import as_array, check_bool, check_choice, check_count, check_nonempty, check_positive, check_rng
from .activations import sign, step

__all__ = ["Perceptron", "PerceptronHistory", "MAX_EPOCHS"]

#: The most epochs :meth:`Perceptron.fit` runs in one call (XOR never converges; this bounds the wait).
MAX_EPOCHS = 100_000


@dataclass
class PerceptronHistory:
    """What happened each epoch: weights after it ([w0, w1, ..]) and the number of mistakes made during it."""
    weights: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    converged: bool = False
    epochs_run: int = 0

    def table(self):
        """Rows (epoch, w0, w1, ..., mistakes) for printing; epoch 0 is the starting point."""
        rows = [(0, *np.round(self.weights[0], 4), None)]
        for e, (w, err) in enumerate(zip(self.weights[1:], self.errors), start=1):
            rows.append((e, *np.round(w, 4), err))
        return rows


class Perceptron:
    """Single-layer perceptron trained with the perceptron learning rule.

    Args:
        learning_rate: η > 0.
        outputs: ``"bipolar"`` (±1, sign) or ``"binary"`` (0/1, step).
        initial_weights: [w0, w1, ..., wd] to start from (default: zeros, or small random
            values drawn from ``rng`` when one is given).
        rng: a Generator or int seed for random starting weights in U(−0.05, 0.05).

    Example:
        >>> from dlhelpers.data import logic_gate
        >>> g = logic_gate("and")
        >>> p = Perceptron(learning_rate=0.1, outputs="binary")
        >>> p.fit(g.X, g.y, epochs=20).converged
        True
        >>> p.predict(g.X).tolist()
        [0.0, 0.0, 0.0, 1.0]
    """

    def __init__(self, learning_rate=0.1, outputs="bipolar", initial_weights=None, rng=None):
        check_positive(learning_rate, "learning_rate", "Perceptron")
        check_choice(outputs, "outputs", "Perceptron", ("bipolar", "binary"))
        self.learning_rate = learning_rate
        self.outputs = outputs
        self.initial_weights = None if initial_weights is None else as_array(
            initial_weights, "initial_weights", "Perceptron", ndim=1, shape_hint="(1 + features,)", dtype=np.float64)
        self.init_rng = rng
        self.weights = None
        self.history = None

    def _phi(self, z):
        """The activation: sign (±1) or step (0/1)."""
        return sign(z) if self.outputs == "bipolar" else step(z)

    def net_input(self, X):
        """z = w0 + w1 x1 + ... + wd xd for each row of X.

        Shapes: X (N, d) → z (N,).
        """
        X = as_array(X, "X", "Perceptron.net_input", ndim=2, shape_hint="(N, features)")
        if self.weights is None:
            raise ValueError("the perceptron must be fitted (or given initial_weights) before net_input; call fit first.")
        if X.shape[1] + 1 != self.weights.shape[0]:
            raise ValueError(f"X must have {self.weights.shape[0] - 1} features for Perceptron; got {X.shape[1]}.")
        return self.weights[0] + X @ self.weights[1:]

    def predict(self, X):
        """φ(z) for each row: ±1 (bipolar) or 0/1 (binary). Shapes: X (N, d) → (N,)."""
        return self._phi(self.net_input(X))

    def fit(self, X, y, epochs=10, shuffle=False, rng=None):
        """Run the learning rule for up to ``epochs`` passes; stops early after an epoch with no mistakes.

        Args:
            X: (N, d) inputs, N >= 1. y: (N,) targets matching ``outputs``: ±1 for bipolar, 0/1 for binary.
            epochs: a whole number in [1, MAX_EPOCHS].
            shuffle: visit the samples in a new random order (from ``rng``) every epoch.

        Returns:
            The :class:`PerceptronHistory` (also kept as ``self.history``).
        """
        X = as_array(X, "X", "Perceptron.fit", ndim=2, shape_hint="(N, features)", dtype=np.float64)
        check_nonempty(X, "X", "Perceptron.fit", axes=0)
        y = as_array(y, "y", "Perceptron.fit", ndim=1, shape_hint="(N,)", dtype=np.float64)
        if len(y) != len(X):
            raise ValueError(f"y must have one target per row of X ({len(X)}) for Perceptron.fit; got {len(y)}.")
        allowed = {-1.0, 1.0} if self.outputs == "bipolar" else {0.0, 1.0}
        if not set(np.unique(y)) <= allowed:
            raise ValueError(f"y must contain only {sorted(allowed)} for a {self.outputs} perceptron; "
                             f"got values {[float(v) for v in np.unique(y)]}. Use outputs='binary' for 0/1 targets "
                             "or map them with 2*y - 1.")
        epochs = check_count(epochs, "epochs", "Perceptron.fit", maximum=MAX_EPOCHS)
        check_bool(shuffle, "shuffle", "Perceptron.fit")
        if self.initial_weights is not None:
            if self.initial_weights.shape[0] != X.shape[1] + 1:
                raise ValueError(f"initial_weights must have 1 + {X.shape[1]} entries (w0 first) for Perceptron; "
                                 f"got {self.initial_weights.shape[0]}.")
            self.weights = self.initial_weights.copy()
        elif self.init_rng is not None:
            self.weights = check_rng(self.init_rng, "Perceptron").uniform(-0.05, 0.05, X.shape[1] + 1)
        else:
            self.weights = np.zeros(X.shape[1] + 1)
        rng = check_rng(rng, "Perceptron.fit")
        hist = PerceptronHistory(weights=[self.weights.copy()])
        with np.errstate(over="ignore", invalid="ignore"):       # overflow is reported below, in our words
            for _ in range(epochs):
                mistakes = 0
                order = rng.permutation(len(X)) if shuffle else range(len(X))
                for i in order:
                    xi = np.concatenate(([1.0], X[i]))          # x0 = 1 carries the bias w0
                    o = self._phi(self.weights @ xi)
                    update = self.learning_rate * (y[i] - o)
                    if update != 0:
                        self.weights = self.weights + update * xi
                        mistakes += 1
                if not np.all(np.isfinite(self.weights)):
                    raise ValueError(f"the weights must stay finite for Perceptron.fit; got {self.weights} after epoch "
                                     f"{len(hist.errors) + 1}. Lower learning_rate or scale X.")
                hist.weights.append(self.weights.copy())
                hist.errors.append(mistakes)
                hist.epochs_run += 1
                if mistakes == 0:
                    hist.converged = True
                    break
        self.history = hist
        return hist
