"""A small sequential network built from layer objects, trained with the scratch optimizers.

Modelled on Keras: ``Sequential([Dense(8, "tanh"), Dense(1, "sigmoid")], input_dim=2)``,
``compile(loss=..., optimizer=...)``, ``fit``, ``evaluate``, ``predict``. Parameters are
named ``"<layer>/kernel"`` and ``"<layer>/bias"`` with Keras's layouts, and
``get_weights()`` returns them in Keras's order, so ``keras_model.set_weights(...)`` takes
them as they are.

Gradient descent flavours all come from ``batch_size`` in :meth:`Sequential.fit`:
``None`` (whole training set: batch GD), ``1`` (stochastic GD), anything else (mini-batch).
"""
from __future__ import annotations

import re
import time

import numpy as np

from .._checks import as_array, check_choice, check_positive, check_rng
from . import activations as A
from .dense import dense_backward, dense_forward
from .initializers import INITIALIZERS, initialize
from .losses import get_loss
from .optim import get_optimizer
from . import pooling as P
from .._checks import check_pair
from .conv import conv2d_backward, conv2d_forward, pad_amounts
from .regularization import batchnorm_backward, batchnorm_forward, dropout_backward, dropout_forward

__all__ = ["Dense", "Dropout", "PReLU", "Conv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D",
           "Flatten", "BatchNormalization", "Sequential", "Callback", "LambdaCallback", "WeightHistory", "History"]


# --- layers ---------------------------------------------------------------------------------

class Layer:
    """Base class: ``build`` creates parameters, ``forward`` caches what ``backward`` needs."""

    def __init__(self, name=None):
        self.name = name
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._cache = None

    def build(self, input_shape: tuple, rng, dtype) -> tuple:
        """Create the parameters for inputs of ``input_shape`` (without the batch axis); return the output shape."""
        return input_shape

    def forward(self, x, training=False):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    def count_params(self):
        return int(sum(p.size for p in self.params.values()))

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class Dense(Layer):
    """Fully connected layer with an optional activation: a = f(x @ kernel + bias).

    ``activation`` is a name from :data:`ACTIVATIONS` or ``"softmax"``.
    """

    def __init__(self, units, activation=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", name=None):
        super().__init__(name)
        check_positive(units, "units", "Dense", integer=True)
        self.units = int(units)
        self.activation = "linear" if activation is None else activation
        if self.activation != "softmax":
            A.get_activation(self.activation)          # validates the name
        check_choice(kernel_initializer, "kernel_initializer", "Dense", INITIALIZERS)
        check_choice(bias_initializer, "bias_initializer", "Dense", INITIALIZERS)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer

    def build(self, input_shape, rng, dtype):
        if len(input_shape) != 1:
            raise ValueError(f"the input of Dense layer {self.name!r} must be 1-D features; got shape {input_shape}. "
                             "Put a Flatten() (or a global pooling layer) before it.")
        self.params = {
            "kernel": initialize(self.kernel_initializer, (input_shape[0], self.units), rng, dtype),  # (in, units)
            "bias": initialize(self.bias_initializer, (self.units,), rng, dtype),                    # (units,)
        }
        return (self.units,)

    def forward(self, x, training=False):
        z, dcache = dense_forward(x, self.params["kernel"], self.params["bias"])   # (N, units)
        a = A.softmax(z) if self.activation == "softmax" else A.get_activation(self.activation).fn(z)
        self._cache = (dcache, z, a)
        return a

    def backward(self, dout):
        dcache, z, a = self._cache
        if self.activation == "softmax":
            dz = A.softmax_backward(dout, a)
        else:
            dz = dout * A.get_activation(self.activation).derivative(z)
        dx, self.grads = dense_backward(dz, dcache)
        return dx

    def __repr__(self):
        return f"Dense({self.units}, activation={self.activation!r}, name={self.name!r})"


class PReLU(Layer):
    """Parametric ReLU with one learned slope per feature (initialised to 0, as Keras)."""

    def build(self, input_shape, rng, dtype):
        self.params = {"alpha": np.zeros(input_shape, dtype=dtype)}      # one slope per input value, as Keras
        return input_shape

    def forward(self, x, training=False):
        out, self._cache = A.prelu_forward(x, self.params["alpha"])
        return out

    def backward(self, dout):
        dx, self.grads = A.prelu_backward(dout, self._cache)
        return dx


class Dropout(Layer):
    """Inverted dropout: active in ``fit`` only."""

    def __init__(self, rate, name=None):
        super().__init__(name)
        self.rate = rate
        self._rng = None

    def build(self, input_shape, rng, dtype):
        self._rng = rng
        return input_shape

    def forward(self, x, training=False):
        out, self._cache = dropout_forward(x, self.rate, training=training, rng=self._rng)
        return out

    def backward(self, dout):
        dx, self.grads = dropout_backward(dout, self._cache)
        return dx


class Conv2D(Layer):
    """2-D convolution + activation on (N, H, W, C) inputs; kernel (KH, KW, C, F) as Keras."""

    def __init__(self, filters, kernel_size=3, strides=1, padding="valid", activation=None,
                 kernel_initializer="glorot_uniform", name=None):
        super().__init__(name)
        check_positive(filters, "filters", "Conv2D", integer=True)
        self.filters = int(filters)
        self.kernel_size = check_pair(kernel_size, "kernel_size", "Conv2D")
        self.strides = check_pair(strides, "strides", "Conv2D")
        self.padding = padding
        self.activation = "linear" if activation is None else activation
        A.get_activation(self.activation)
        check_choice(kernel_initializer, "kernel_initializer", "Conv2D", INITIALIZERS)
        self.kernel_initializer = kernel_initializer

    def build(self, input_shape, rng, dtype):
        if len(input_shape) != 3:
            raise ValueError(f"the input of Conv2D layer {self.name!r} must be (H, W, C) images; got shape "
                             f"{input_shape}. Reshape flat pixels, e.g. x.reshape(-1, 8, 8, 1).")
        H, W, C = input_shape
        KH, KW = self.kernel_size
        self.params = {"kernel": initialize(self.kernel_initializer, (KH, KW, C, self.filters), rng, dtype),
                       "bias": np.zeros(self.filters, dtype=dtype)}
        (t, b), (l, r) = pad_amounts(H, W, KH, KW, self.strides, self.padding, "Conv2D")
        return ((H + t + b - KH) // self.strides[0] + 1, (W + l + r - KW) // self.strides[1] + 1, self.filters)

    def forward(self, x, training=False):
        z, ccache = conv2d_forward(x, self.params["kernel"], self.params["bias"], self.strides, self.padding)
        act = A.get_activation(self.activation)
        self._cache = (ccache, z)
        return act.fn(z)

    def backward(self, dout):
        ccache, z = self._cache
        dz = dout * A.get_activation(self.activation).derivative(z)
        dx, self.grads = conv2d_backward(dz, ccache)
        return dx

    def __repr__(self):
        return f"Conv2D({self.filters}, {self.kernel_size}, activation={self.activation!r}, name={self.name!r})"


class _Pool(Layer):
    kind = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", name=None):
        super().__init__(name)
        self.pool_size, self.strides, self.padding = pool_size, strides, padding

    def build(self, input_shape, rng, dtype):
        if len(input_shape) != 3:
            raise ValueError(f"the input of {type(self).__name__} layer {self.name!r} must be (H, W, C); "
                             f"got shape {input_shape}.")
        out, _ = self._forward(np.zeros((1, *input_shape)))
        return out.shape[1:]

    def _forward(self, x):
        fwd = P.max_pool2d_forward if self.kind == "max" else P.average_pool2d_forward
        return fwd(x, self.pool_size, self.strides, self.padding)

    def forward(self, x, training=False):
        out, self._cache = self._forward(x)
        return out

    def backward(self, dout):
        bwd = P.max_pool2d_backward if self.kind == "max" else P.average_pool2d_backward
        dx, self.grads = bwd(dout, self._cache)
        return dx


class MaxPooling2D(_Pool):
    """Max pooling (default 2×2, stride 2)."""
    kind = "max"


class AveragePooling2D(_Pool):
    """Average pooling (default 2×2, stride 2)."""
    kind = "average"


class GlobalAveragePooling2D(Layer):
    """(N, H, W, C) → (N, C)."""

    def build(self, input_shape, rng, dtype):
        return (input_shape[-1],)

    def forward(self, x, training=False):
        out, self._cache = P.global_average_pool2d(x)
        return out

    def backward(self, dout):
        dx, self.grads = P.global_average_pool2d_backward(dout, self._cache)
        return dx


class Flatten(Layer):
    """(N, ...) → (N, features), row-major as Keras's Flatten."""

    def build(self, input_shape, rng, dtype):
        return (int(np.prod(input_shape)),)

    def forward(self, x, training=False):
        out, self._cache = P.flatten_forward(x)
        return out

    def backward(self, dout):
        dx, self.grads = P.flatten_backward(dout, self._cache)
        return dx


class BatchNormalization(Layer):
    """Batch normalization over the last axis, with Keras's momentum (0.99) and epsilon (1e-3).

    ``gamma`` and ``beta`` are trained; the moving statistics are state, updated in ``fit``.
    """

    def __init__(self, momentum=0.99, epsilon=1e-3, name=None):
        super().__init__(name)
        self.momentum, self.epsilon = momentum, epsilon
        self.state = {}

    def build(self, input_shape, rng, dtype):
        D = input_shape[-1]
        self.params = {"gamma": np.ones(D, dtype=dtype), "beta": np.zeros(D, dtype=dtype)}
        self.state = {"moving_mean": np.zeros(D, dtype=dtype), "moving_variance": np.ones(D, dtype=dtype)}
        return input_shape

    def forward(self, x, training=False):
        out, self._cache = batchnorm_forward(x, self.params["gamma"], self.params["beta"], self.state["moving_mean"],
                                             self.state["moving_variance"], training=training,
                                             momentum=self.momentum, epsilon=self.epsilon)
        if training:
            self.state = {"moving_mean": self._cache["running_mean"], "moving_variance": self._cache["running_var"]}
        return out

    def backward(self, dout):
        dx, self.grads = batchnorm_backward(dout, self._cache)
        return dx


# --- callbacks --------------------------------------------------------------------------------

class Callback:
    """Hook points, as in Keras: override the ones you need. ``logs`` is a dict of floats."""
    model = None

    def on_train_begin(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_batch_end(self, batch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_train_end(self, logs=None): ...


class LambdaCallback(Callback):
    """Build a callback from plain functions, e.g. ``LambdaCallback(on_epoch_end=lambda e, logs: ...)``."""

    def __init__(self, **hooks):
        for name, fn in hooks.items():
            if not hasattr(Callback, name):
                raise ValueError(f"hook names must be Callback methods for LambdaCallback; got {name!r}. "
                                 "Use on_train_begin, on_epoch_begin, on_batch_end, on_epoch_end or on_train_end.")
            setattr(self, name, fn)


class WeightHistory(Callback):
    """Keeps a copy of every parameter after each epoch (or each batch with ``every="batch"``)."""

    def __init__(self, every="epoch"):
        check_choice(every, "every", "WeightHistory", ("epoch", "batch"))
        self.every = every
        self.snapshots: list[dict[str, np.ndarray]] = []

    def on_train_begin(self, logs=None):
        self.snapshots.append({k: v.copy() for k, v in self.model.params.items()})

    def on_batch_end(self, batch, logs=None):
        if self.every == "batch":
            self.on_train_begin()

    def on_epoch_end(self, epoch, logs=None):
        if self.every == "epoch":
            self.on_train_begin()


class History(Callback):
    """Per-epoch metrics, like the object Keras's ``fit`` returns: ``history.history["loss"]``."""

    def __init__(self):
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(float(v))


# --- the model ----------------------------------------------------------------------------------

class Sequential:
    """A stack of layers trained with backpropagation.

    Example:
        >>> from dlhelpers.data import xor
        >>> d = xor()
        >>> net = Sequential([Dense(4, "tanh"), Dense(1, "sigmoid")], input_dim=2, rng=0)
        >>> net.compile(loss="binary_crossentropy", optimizer="adam", learning_rate=0.05)
        >>> hist = net.fit(d.X, d.y, epochs=300, batch_size=None)
        >>> net.evaluate(d.X, d.y)["accuracy"]
        1.0
    """

    def __init__(self, layers, input_dim=None, rng=None, dtype=np.float64, input_shape=None):
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("layers must be a non-empty list for Sequential; got []. Add e.g. Dense(1).")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be a layer (Dense, Dropout, PReLU) for Sequential; "
                                f"got {type(layer).__name__}.")
        self.rng = check_rng(rng, "Sequential")
        self.dtype = dtype
        self.loss = None
        self.optimizer = None
        self.input_dim = None
        self.input_shape = None
        self._name_layers()
        if input_dim is not None and input_shape is not None:
            raise ValueError("give input_dim (features) or input_shape (e.g. (8, 8, 1)) to Sequential, not both.")
        if input_dim is not None or input_shape is not None:
            self.build(input_dim if input_shape is None else input_shape)

    def _name_layers(self):
        counts: dict[str, int] = {}
        seen = set()
        for layer in self.layers:
            base = re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", type(layer).__name__).lower()   # Keras's names: max_pooling2d
            if layer.name is None:
                k = counts.get(base, 0)
                layer.name = base if k == 0 else f"{base}_{k}"
                counts[base] = k + 1
            if layer.name in seen:
                raise ValueError(f"layer names must be unique for Sequential; got {layer.name!r} twice.")
            seen.add(layer.name)

    def build(self, input_shape):
        """Create every layer's parameters for inputs of ``input_shape`` (an int for flat features)."""
        shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else tuple(input_shape)
        for v in shape:
            check_positive(v, "input_shape", "Sequential.build", integer=True)
        self.input_shape = tuple(int(v) for v in shape)
        self.input_dim = self.input_shape[0] if len(self.input_shape) == 1 else None
        self.shapes = [self.input_shape]
        for layer in self.layers:
            self.shapes.append(tuple(layer.build(self.shapes[-1], self.rng, self.dtype)))
        self.output_shape = self.shapes[-1]
        self.output_dim = self.output_shape[0] if len(self.output_shape) == 1 else None
        return self

    # parameters -------------------------------------------------------------------------------
    @property
    def params(self) -> dict[str, np.ndarray]:
        """All parameters, keyed ``"<layer>/<name>"``."""
        return {f"{l.name}/{k}": v for l in self.layers for k, v in l.params.items()}

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return {f"{l.name}/{k}": v for l in self.layers for k, v in l.grads.items()}

    def set_params(self, params: dict):
        for l in self.layers:
            for k in l.params:
                key = f"{l.name}/{k}"
                if key in params:
                    new = np.asarray(params[key], dtype=self.dtype)
                    if new.shape != l.params[k].shape:
                        raise ValueError(f"params[{key!r}] must have shape {l.params[k].shape} for set_params; "
                                         f"got {new.shape}.")
                    l.params[k] = new.copy()

    def _slots(self):
        """(dict, key) for every array Keras counts as a weight, in Keras's order (params, then state)."""
        return [(d, k) for l in self.layers for d in (l.params, getattr(l, "state", {})) for k in d]

    def get_weights(self):
        """Weights in Keras's order (per layer: kernel, bias / alpha / gamma, beta, moving mean, moving
        variance), ready for ``keras_model.set_weights``."""
        return [d[k].copy() for d, k in self._slots()]

    def set_weights(self, weights):
        weights = list(weights)
        expected = [d[k].shape for d, k in self._slots()]
        if [np.shape(w) for w in weights] != expected:
            raise ValueError(f"weights must have shapes {expected} for set_weights; "
                             f"got {[np.shape(w) for w in weights]}.")
        for (d, k), w in zip(self._slots(), weights):
            d[k] = np.array(w, dtype=self.dtype)

    def count_params(self):
        return sum(l.count_params() for l in self.layers)

    def summary(self) -> str:
        lines = [f"{'layer':<38}{'output shape':<18}{'params':>8}", "-" * 64]
        shapes = getattr(self, "shapes", [None] * (len(self.layers) + 1))[1:]
        for l, shape in zip(self.layers, shapes):
            out = "?" if shape is None else str((None, *shape))
            lines.append(f"{l.name + ' (' + type(l).__name__ + ')':<38}{out:<18}{l.count_params():>8}")
        lines += ["-" * 64, f"{'total':<56}{self.count_params():>8}"]
        return "\n".join(lines)

    # passes -------------------------------------------------------------------------------------
    def _check_x(self, x, func):
        if self.input_shape is None:
            x = as_array(x, "x", func, ndim=(2, 3, 4), shape_hint="(N, features) or (N, H, W, C)", dtype=self.dtype)
            self.build(x.shape[1:])
        if len(self.input_shape) == 1:
            x = as_array(x, "x", func, ndim=2, shape_hint="(N, features)",
                         fix="Flatten images first, e.g. x.reshape(len(x), -1).", dtype=self.dtype)
            if x.shape[1] != self.input_dim:
                raise ValueError(f"x must have {self.input_dim} features (the model's input_dim) for {func}; "
                                 f"got {x.shape[1]}. Check you passed the same features the model was built for.")
            return x
        x = as_array(x, "x", func, ndim=1 + len(self.input_shape), shape_hint=f"(N, {', '.join(map(str, self.input_shape))})",
                     fix=f"Reshape it, e.g. x.reshape(-1, {', '.join(map(str, self.input_shape))}).", dtype=self.dtype)
        if x.shape[1:] != self.input_shape:
            raise ValueError(f"x must have samples of shape {self.input_shape} for {func}; got {x.shape[1:]}. "
                             f"Reshape it, e.g. x.reshape(-1, {', '.join(map(str, self.input_shape))}).")
        return x

    def forward(self, x, training=False):
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def predict(self, x, batch_size=None):
        """Outputs of the last layer for ``x`` (N, features)."""
        x = self._check_x(x, "predict")
        if batch_size is None:
            return self.forward(x)
        return np.concatenate([self.forward(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])

    # training --------------------------------------------------------------------------------
    def compile(self, loss="mse", optimizer="sgd", learning_rate=None, **optimizer_kwargs):
        """Choose the loss (a name from LOSSES) and the optimizer (name or instance)."""
        self.loss = get_loss(loss)
        if learning_rate is not None:
            optimizer_kwargs["learning_rate"] = learning_rate
        self.optimizer = get_optimizer(optimizer, **optimizer_kwargs)
        return self

    def _prepare_y(self, y, n, func):
        y = np.asarray(y)
        if self.loss is not None and self.loss.name == "sparse_categorical_crossentropy":
            y = y.reshape(-1).astype(int)
        else:
            y = as_array(y, "y", func, dtype=self.dtype)
            if y.ndim == 1:
                y = y[:, None]
        if len(y) != n:
            raise ValueError(f"y must have one row per sample ({n}) for {func}; got {len(y)}.")
        return y

    def train_step(self, xb, yb):
        """One forward pass, loss, backward pass and optimizer update; returns the batch loss."""
        out = self.forward(xb, training=True)
        loss = self.loss.fn(yb, out)
        self.backward(self.loss.grad(yb, out))
        new = self.optimizer.step(self.params, self.grads)
        self.set_params(new)
        return loss

    def accuracy(self, y, out) -> float:
        """Fraction correct: argmax for several outputs, a 0.5 threshold (0 for hinge) for one."""
        if self.loss is not None and self.loss.name == "sparse_categorical_crossentropy":
            return float(np.mean(np.argmax(out, axis=1) == y))
        if out.shape[1] > 1:
            return float(np.mean(np.argmax(out, axis=1) == np.argmax(y, axis=1)))
        if self.loss is not None and "hinge" in self.loss.name:
            return float(np.mean((out[:, 0] > 0) == (y[:, 0] > 0)))
        return float(np.mean((out[:, 0] > 0.5) == (y[:, 0] > 0.5)))

    def evaluate(self, x, y) -> dict:
        """``{"loss": ..., "accuracy": ...}`` on (x, y), with no training side effects."""
        if self.loss is None:
            raise ValueError("the model must be compiled before evaluate; call model.compile(loss=..., optimizer=...).")
        x = self._check_x(x, "evaluate")
        y = self._prepare_y(y, len(x), "evaluate")
        out = self.forward(x)
        return {"loss": self.loss.fn(y, out), "accuracy": self.accuracy(y, out)}

    def fit(self, x, y, epochs=1, batch_size=32, shuffle=True, rng=None, validation_data=None,
            callbacks=(), progress=False):
        """Train with mini-batch gradient descent.

        Args:
            x: (N, features) inputs; y: targets (N,), (N, 1) or (N, classes).
            epochs: passes over the training set.
            batch_size: ``None`` = all N (batch GD), 1 = stochastic GD, k = mini-batches of k.
            shuffle: reshuffle every epoch with ``rng`` (an int seed, a Generator or None).
            validation_data: optional (x_val, y_val), evaluated after each epoch.
            callbacks: :class:`Callback` objects (on_batch_end, on_epoch_end, ...).
            progress: show a tqdm.auto progress bar over epochs.

        Returns:
            a :class:`History` whose ``history`` dict holds ``loss``, ``accuracy`` (and ``val_*``).
        """
        if self.loss is None:
            raise ValueError("the model must be compiled before fit; call model.compile(loss=..., optimizer=...).")
        x = self._check_x(x, "fit")
        y = self._prepare_y(y, len(x), "fit")
        check_positive(epochs, "epochs", "fit", integer=True)
        n = len(x)
        if batch_size is None:
            batch_size = n
        check_positive(batch_size, "batch_size", "fit", integer=True)
        rng = check_rng(rng, "fit")
        if validation_data is not None:
            xv = self._check_x(validation_data[0], "fit")
            yv = self._prepare_y(validation_data[1], len(xv), "fit")
        history = History()
        callbacks = [history, *callbacks]
        for cb in callbacks:
            cb.model = self
            cb.on_train_begin()
        epoch_iter = range(epochs)
        bar = None
        if progress:
            from tqdm.auto import tqdm
            bar = tqdm(epoch_iter, desc="epochs", leave=True)
            epoch_iter = bar
        for epoch in epoch_iter:
            for cb in callbacks:
                cb.on_epoch_begin(epoch)
            order = rng.permutation(n) if shuffle else np.arange(n)
            t0 = time.perf_counter()
            losses, sizes = [], []
            for b, start in enumerate(range(0, n, batch_size)):
                idx = order[start:start + batch_size]
                loss = self.train_step(x[idx], y[idx])
                losses.append(loss)
                sizes.append(len(idx))
                for cb in callbacks:
                    cb.on_batch_end(b, {"loss": loss})
            out = self.forward(x)
            logs = {"loss": float(np.average(losses, weights=sizes)), "accuracy": self.accuracy(y, out),
                    "full_loss": self.loss.fn(y, out), "seconds": time.perf_counter() - t0,
                    "learning_rate": self.optimizer.current_learning_rate()}
            if validation_data is not None:
                vout = self.forward(xv)
                logs["val_loss"] = self.loss.fn(yv, vout)
                logs["val_accuracy"] = self.accuracy(yv, vout)
            for cb in callbacks:
                cb.on_epoch_end(epoch, logs)
            if bar is not None:
                bar.set_postfix(loss=f"{logs['loss']:.4f}", acc=f"{logs['accuracy']:.3f}")
        for cb in callbacks:
            cb.on_train_end()
        return history
