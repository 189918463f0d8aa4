"""A small sequential network built from layer objects, trained with the scratch optimizers.

Modelled on Keras: ``Sequential([Dense(8, "tanh"), Dense(1, "sigmoid")], input_dim=2)``,
``compile(loss=..., optimizer=...)``, ``fit``, ``evaluate``, ``predict``. Parameters are
named ``"<layer>/kernel"`` and ``"<layer>/bias"`` with Keras's layouts, and
``get_weights()`` returns them in Keras's order, so ``keras_model.set_weights(...)`` takes
them as they are.

Gradient descent flavours all come from ``batch_size`` in :meth:`Sequential.fit`:
``None`` (whole training set: batch GD), ``1`` (stochastic GD), anything else (mini-batch).

Sequence models take x of shape (N, T, D) (``input_shape=(T, D)``). A many-to-one model ends with a
recurrent layer without ``return_sequences`` and a Dense layer (outputs (N, K), targets as for an MLP); a
many-to-many model keeps ``return_sequences=True`` and its Dense acts at every step: outputs (N, T, K),
targets (N, T, K), or (N, T) class ids with sparse_categorical_crossentropy (or (N, T) for K = 1). The
losses then average over N and T, as Keras's do on 3-D outputs, and accuracy counts every step. A
``Masking`` layer's mask reaches the recurrent layers; when it reaches the output (many-to-many), the
loss and accuracy average over the real steps only, as Keras's masked losses and metrics do
(``model.output_mask`` holds it after a forward pass).

**Cross-entropy on a sigmoid or softmax output is read from the logits**, as Keras on TensorFlow does:
``keras.activations.sigmoid`` and ``softmax`` keep their input z on the output tensor, and
``binary_crossentropy``, ``categorical_crossentropy`` and ``sparse_categorical_crossentropy`` then compute
the loss from z (``from_logits=True``: stable, no clip) instead of from the clipped probabilities. So when
the last layer (a Dense, Conv2D or Conv2DTranspose, see :data:`ACTIVATION_LAST_LAYERS`) ends in a sigmoid
or softmax and the loss is one of those three, :meth:`Sequential.train_step`, :meth:`~Sequential.fit`,
:meth:`~Sequential.evaluate` and :meth:`~Sequential.loss_and_grads` do the same: the loss of z, and
∂L/∂z passed straight into the layer. A saturated output (|z| > ~16 for a sigmoid, or a true class
probability below 1e-7) then still costs what it should and passes a gradient back; the clipped loss
would be flat there. Keras's rule has no regard for which activation meets which loss: a softmax output
with binary_crossentropy is scored as σ(z_k) per class, a sigmoid output with categorical_crossentropy as
softmax(z); Sequential does the same. The output tensor loses z after any later layer that computes
something (Reshape, Flatten, ...), so those models keep the clipped probabilities, and so does a sigmoid
recurrent layer at the end (its outputs come out of a loop). A Dropout after the output layer hands z
on outside training (and at rate 0). :meth:`~Sequential.forward`, :meth:`~Sequential.backward` and
:meth:`~Sequential.predict` keep their meaning (the probabilities, and ∂L/∂(probabilities)), and the
functions of :mod:`~dlhelpers.scratch.losses` on a plain array of probabilities clip, as Keras's on a
plain tensor. Where Keras does not keep z: a loss computing in another dtype than the model's output
(a cast), and a (N, T, 1) sequence output given (N, T) targets (Keras squeezes the output); there
Keras clips, while Sequential, which sees the prepared targets only, reads the logits.

The layer classes live in :mod:`~dlhelpers.scratch.layers` and the callbacks in
:mod:`~dlhelpers.scratch.callbacks`; both are re-exported here, so
``from dlhelpers.scratch.network import Dense, Sequential`` works.
"""
from __future__ import annotations

import contextlib
import math
import numbers
import re
import time

import numpy as np

from .._blas import single_thread_blas
from .._checks import as_array, check_bool, check_positive, check_rng
from . import activations as A
from .callbacks import HOOKS, Callback, History, LambdaCallback, ProgressBar, WeightHistory
from .layers import (GRU, LSTM, AveragePooling2D, BatchNormalization, Bidirectional, Conv2D, Conv2DTranspose, Dense,
                     Dropout, Flatten, GlobalAveragePooling2D, Layer, LeakyReLU, Masking, MaxPooling2D, PReLU, Reshape,
                     SimpleRNN, UpSampling2D, layer_type_names)
from .losses import LOSSES, get_loss
from .optim import get_optimizer

__all__ = ["Sequential", "ACTIVATION_LAST_LAYERS", "LOGIT_LOSSES",
           # re-exported from layers and callbacks
           "Layer", "Dense", "Dropout", "PReLU", "Conv2D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D",
           "Flatten", "BatchNormalization", "Masking", "SimpleRNN", "LSTM", "GRU", "Bidirectional",
           "Conv2DTranspose", "UpSampling2D", "Reshape", "LeakyReLU", "Callback", "LambdaCallback", "WeightHistory", "History", "ProgressBar"]

#: The losses that Keras on TensorFlow reads from the logits of a sigmoid or softmax output.
LOGIT_LOSSES = ("binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy")

#: Layer types whose activation is their last step (their Keras twins end in ``keras.activations.<name>``):
#: a sigmoid or softmax there leaves the logits for the loss. A layer type of that kind defined elsewhere
#: registers itself here with ``ACTIVATION_LAST_LAYERS.add(MyLayer)`` (as ``autoencoder.TiedDense`` does).
ACTIVATION_LAST_LAYERS = {Dense, Conv2D, Conv2DTranspose}


def _logits_layer(layers, loss, training):
    """The last layer, whose sigmoid or softmax Keras's ``loss`` skips to read the logits; None where it does not.

    Only the losses of :data:`LOGIT_LOSSES` (with the registry's functions), only a layer of
    :data:`ACTIVATION_LAST_LAYERS` ending in a sigmoid or softmax, and only when nothing but Dropout layers that
    hand their input on unchanged (outside training, or at rate 0) come after it.
    """
    if loss is None or loss.name not in LOGIT_LOSSES or (loss.fn, loss.grad) != (LOSSES[loss.name].fn,
                                                                                  LOSSES[loss.name].grad):
        return None                                   # a loss of one's own may not know from_logits
    for layer in reversed(layers):
        if isinstance(layer, Dropout) and (not training or layer.rate == 0):
            continue                                  # Keras's Dropout returns its input tensor as it is
        activation = getattr(layer, "activation", None)
        fused = isinstance(layer, tuple(ACTIVATION_LAST_LAYERS)) and getattr(activation, "name", activation) in (
            "sigmoid", "softmax")
        return layer if fused else None
    return None


@contextlib.contextmanager
def _output_logits(net, loss, training=False):
    """Inside, ``net.forward`` gives what Keras's ``loss`` reads: the logits z of a sigmoid or softmax output layer.

    Where Keras on TensorFlow computes the cross-entropy from the logits (see the module docstring), the last
    layer runs linear inside the ``with`` block: the forward pass returns z and the backward pass takes ∂L/∂z.
    Run both passes inside, so the layer's cache and its derivative agree. Elsewhere nothing changes.

    Args:
        net: a :class:`Sequential` (the decoder of an autoencoder, say).
        loss: a loss name or :class:`~dlhelpers.scratch.losses.Loss`, or None.
        training: whether the passes inside run in training mode (a Dropout after the output layer then
            computes something, and Keras's loss no longer sees the logits).

    Yields:
        The activation skipped, a function z → output (the probabilities), or None where the loss reads the
        outputs as they are. Compute the loss with ``from_logits=True`` when it is not None.

    Example:
        >>> net = Sequential([Dense(1, "sigmoid")], input_dim=2, rng=0)
        >>> with _output_logits(net, "binary_crossentropy") as activation:
        ...     z = net.forward(np.ones((1, 2)))
        >>> bool(np.allclose(activation(z), net.forward(np.ones((1, 2)))))
        True
    """
    layer = _logits_layer(net.layers, None if loss is None else get_loss(loss), training)
    if layer is None:
        yield None
        return
    activation = layer.activation
    name = getattr(activation, "name", activation)
    to_output = A.softmax if name == "softmax" else A.get_activation(activation).fn
    layer.activation = "linear"
    try:
        yield to_output
    finally:
        layer.activation = activation


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
        if isinstance(layers, Layer) or not hasattr(layers, "__iter__"):
            raise TypeError(f"layers must be a list of layers for Sequential; got {type(layers).__name__}. "
                            "Wrap it in a list, e.g. Sequential([Dense(1)]).")
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("layers must be a non-empty list for Sequential; got []. Add e.g. Dense(1).")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layers[{i}] must be a layer ({', '.join(layer_type_names())}) for Sequential; "
                                f"got {type(layer).__name__}. Create it first, e.g. Dense(4, 'relu').")
        self.rng = check_rng(rng, "Sequential")
        try:
            supported = np.dtype(dtype) in (np.float32, np.float64)
        except TypeError:
            supported = False
        if not supported:
            raise ValueError(f"dtype must be np.float32 or np.float64 for Sequential; got {dtype!r}. "
                             "Use float64 for gradient checks, float32 for speed.")
        self.dtype = dtype
        self.loss = None
        self.optimizer = None
        self.input_dim = None
        self.input_shape = None
        self.shapes = None           # one sample's shape before and after every layer, set by build
        self.output_shape = None
        self.output_dim = None
        self.output_mask = None      # (N, T) mask of the last forward's output (many-to-many after Masking)
        self._name_layers()
        if input_dim is not None and input_shape is not None:
            raise ValueError(f"input_dim and input_shape must not both be given for Sequential; got input_dim="
                             f"{input_dim!r} and input_shape={input_shape!r}. Give input_dim (features) or "
                             "input_shape (e.g. (8, 8, 1)), not both.")
        if input_dim is not None:
            check_positive(input_dim, "input_dim", "Sequential", integer=True)
            self.build(int(input_dim))
        elif input_shape is not None:
            self.build(_check_input_shape(input_shape, "input_shape", "Sequential", allow_int=False))

    def _name_layers(self):
        counts: dict[str, int] = {}
        seen = set()
        for layer in self.layers:
            # Keras's names: max_pooling2d, p_re_lu, simple_rnn
            base = re.sub(r"(?<!^)(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z])", "_", type(layer).__name__).lower()
            if layer.name is None:
                k = counts.get(base, 0)
                layer.name = base if k == 0 else f"{base}_{k}"
                counts[base] = k + 1
            if layer.name in seen:
                raise ValueError(f"layer names must be unique for Sequential; got {layer.name!r} twice.")
            seen.add(layer.name)

    def build(self, input_shape):
        """Create every layer's parameters for inputs of ``input_shape``.

        Args:
            input_shape: an int (flat features) or one sample's shape, e.g. (8, 8, 1).

        Returns:
            The network itself (``self.shapes`` holds every layer's output shape).
        """
        self.input_shape = _check_input_shape(input_shape, "input_shape", "Sequential.build", allow_int=True)
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
        """The gradients of the last ``backward``, keyed like :attr:`params`."""
        return {f"{l.name}/{k}": v for l in self.layers for k, v in l.grads.items()}

    def set_params(self, params: dict):
        """Replace parameters by copies of ``params[key]`` (keys as :attr:`params`; missing keys are kept).

        Args:
            params: ``{"<layer>/<name>": array}`` with the current shapes.
        """
        if not isinstance(params, dict):
            raise TypeError(f"params must be a dict {{'<layer>/<name>': array}} for set_params; got "
                            f"{type(params).__name__}. Pass e.g. model.params.")
        for l in self.layers:
            for k in l.params:
                key = f"{l.name}/{k}"
                if key in params:
                    new = as_array(params[key], f"params[{key!r}]", "set_params", dtype=self.dtype)
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
        """Load weights in Keras's order (as :meth:`get_weights` returns them, or ``keras_model.get_weights()``).

        Args:
            weights: list of arrays with the shapes of :meth:`get_weights`.
        """
        if isinstance(weights, (str, bytes, dict, np.ndarray)) or not hasattr(weights, "__iter__"):
            raise TypeError(f"weights must be a list of arrays for set_weights; got {type(weights).__name__}. "
                            "Pass model.get_weights() or keras_model.get_weights().")
        weights = [as_array(w, f"weights[{i}]", "set_weights", dtype=self.dtype) for i, w in enumerate(weights)]
        expected = [d[k].shape for d, k in self._slots()]
        if [w.shape for w in weights] != expected:
            raise ValueError(f"weights must have shapes {expected} for set_weights; "
                             f"got {[w.shape for w in weights]}. Build both models with the same layers.")
        for (d, k), w in zip(self._slots(), weights):
            d[k] = w.copy()

    def count_params(self):
        """Number of trained numbers (moving statistics not counted, as Keras's trainable count)."""
        return sum(l.count_params() for l in self.layers)

    def summary(self) -> str:
        """A table: layer name and type, output shape (None = batch axis), parameter count."""
        lines = [f"{'layer':<38}{'output shape':<18}{'params':>8}", "-" * 64]
        shapes = (self.shapes or [None] * (len(self.layers) + 1))[1:]
        for l, shape in zip(self.layers, shapes):
            out = "?" if shape is None else str((None, *shape))
            lines.append(f"{l.name + ' (' + type(l).__name__ + ')':<38}{out:<18}{l.count_params():>8}")
        lines += ["-" * 64, f"{'total':<56}{self.count_params():>8}"]
        return "\n".join(lines)

    # passes -------------------------------------------------------------------------------------
    def _check_x(self, x, func):
        if self.input_shape is None:
            x = as_array(x, "x", func, ndim=(2, 3, 4), shape_hint="(N, features), (N, T, D) or (N, H, W, C)",
                         dtype=self.dtype)
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
        """Run every layer in order (no input checks; :meth:`predict` checks); a layer's mask goes to the next.

        Args:
            x: (N, *input_shape); training: True inside fit (dropout, batch statistics).

        Returns:
            (N, *output_shape).
        """
        mask = None
        for layer in self.layers:
            x = layer.forward(x, training=training) if mask is None else layer.forward(x, training=training, mask=mask)
            mask = getattr(layer, "output_mask", None)
        self.output_mask = mask if mask is not None and np.ndim(x) == 3 and np.shape(mask) == np.shape(x)[:2] else None
        return x

    @staticmethod
    def _real(y, out, mask):
        """(y, out) at the real steps only: rows (M, ...) where mask (N, T) is True."""
        return y[mask], out[mask]

    def _loss(self, y, out, mask=None, from_logits=False):
        """The loss; with a (N, T) output mask, the mean over the real steps only (Keras's masked loss).

        ``from_logits``: ``out`` holds the logits of a sigmoid/softmax output (see :func:`_output_logits`).
        """
        fn = (lambda t, z: self.loss.fn(t, z, from_logits=True)) if from_logits else self.loss.fn
        if mask is None:
            return fn(y, out)
        if not mask.any():
            return 0.0
        return fn(*self._real(y, out, mask))

    def _loss_grad(self, y, out, mask=None, from_logits=False):
        """dL/d(out) for :meth:`_loss` (dL/dz with ``from_logits``): zero at the padded steps."""
        grad_fn = (lambda t, z: self.loss.grad(t, z, from_logits=True)) if from_logits else self.loss.grad
        if mask is None:
            return grad_fn(y, out)
        grad = np.zeros_like(out)
        if mask.any():
            grad[mask] = grad_fn(*self._real(y, out, mask))
        return grad

    def backward(self, dout):
        """Backpropagate dL/d(output) through every layer, filling each layer's ``grads``.

        Args:
            dout: (N, *output_shape).

        Returns:
            dL/dx, (N, *input_shape).
        """
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def predict(self, x, batch_size=None):
        """Outputs of the last layer (inference mode).

        Args:
            x: (N, *input_shape); batch_size: None (all at once) or rows per forward pass.

        Returns:
            (N, *output_shape).
        """
        x = self._check_x(x, "predict")
        if batch_size is not None:
            check_positive(batch_size, "batch_size", "predict", integer=True)
        if batch_size is None:
            return self.forward(x)
        return np.concatenate([self.forward(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])

    # training --------------------------------------------------------------------------------
    def compile(self, loss="mse", optimizer="sgd", learning_rate=None, **optimizer_kwargs):
        """Choose the loss and the optimizer.

        Args:
            loss: a name from :data:`~dlhelpers.scratch.losses.LOSSES`. The cross-entropies on a sigmoid or
                softmax output layer are then computed from its logits, as Keras does (see the module docstring).
            optimizer: a name ("sgd", "adam", ...) or an optimizer instance.
            learning_rate: optional; passed to the optimizer.
            **optimizer_kwargs: more optimizer settings (momentum, ...).

        Returns:
            The network itself, so ``Sequential(...).compile(...)`` chains.
        """
        self.loss = get_loss(loss)
        if learning_rate is not None:
            optimizer_kwargs["learning_rate"] = learning_rate
        self.optimizer = get_optimizer(optimizer, **optimizer_kwargs)
        return self

    def _prepare_y(self, y, n, func):
        """Targets as (N, outputs) floats, or (N,) int class ids for sparse_categorical_crossentropy.

        For a model with (T, K) outputs (many-to-many): (N, T, K) floats, or (N, T) int class ids.
        """
        sparse = self.loss is not None and self.loss.name == "sparse_categorical_crossentropy"
        if self.output_shape is not None and len(self.output_shape) == 2:
            return self._prepare_sequence_y(y, n, func, sparse)
        y = as_array(y, "y", func, ndim=(1, 2), shape_hint="(N,) or (N, outputs)",
                     fix="Pass one target (row) per sample, e.g. y.reshape(-1, 1).",
                     dtype=None if sparse else self.dtype)
        if len(y) != n:
            raise ValueError(f"y must have one row per sample ({n}) for {func}; got {len(y)}.")
        if not sparse:
            return y[:, None] if y.ndim == 1 else y                      # (N, outputs)
        if y.ndim == 2 and y.shape[1] != 1:
            raise ValueError(f"y must be class ids (N,) with sparse_categorical_crossentropy for {func}; got shape "
                             f"{y.shape}. For one-hot rows pass y.argmax(axis=1) or use categorical_crossentropy.")
        if np.any(y != np.round(y)):
            raise ValueError(f"y must be whole class ids with sparse_categorical_crossentropy for {func}; got "
                             f"{float(y[y != np.round(y)][0])!r}. Pass integer labels 0 … classes − 1.")
        return y.reshape(-1).astype(int)                                 # (N,)

    def _prepare_sequence_y(self, y, n, func, sparse):
        """Targets of a many-to-many model: (N, T, K) floats, or (N, T) class ids when sparse."""
        T, K = self.output_shape
        want = f"(N, T) = (N, {T}) class ids" if sparse else f"(N, T, K) = (N, {T}, {K})" + (
            f" or (N, {T})" if K == 1 else "")
        y = as_array(y, "y", func, ndim=(2, 3), shape_hint=want, dtype=None if sparse else self.dtype,
                     fix="Pass one target per sample and time step.")
        if len(y) != n:
            raise ValueError(f"y must have one row per sample ({n}) for {func}; got {len(y)}.")
        if sparse and y.ndim == 3 and y.shape[2] == 1:
            y = y[..., 0]
        if not sparse and y.ndim == 2 and K == 1:
            y = y[..., None]
        shape = (n, T) if sparse else (n, T, K)
        if y.shape != shape:
            fix = ("For one-hot targets use categorical_crossentropy, or pass y.argmax(axis=-1)." if sparse else
                   "The model outputs one row of K values per time step.")
            raise ValueError(f"y must have shape {want.split(' class')[0]} for {func}; got shape {y.shape}. {fix}")
        if sparse:
            if np.any(y != np.round(y)):
                raise ValueError(f"y must be whole class ids with sparse_categorical_crossentropy for {func}; got "
                                 f"{float(y[y != np.round(y)][0])!r}. Pass integer labels 0 … classes − 1.")
            return y.astype(int)                                         # (N, T)
        return y                                                         # (N, T, K)

    def _loss_and_grads(self, x, y, training):
        """Forward, loss and backward on prepared (x, y); the loss from the logits where Keras reads them."""
        with _output_logits(self, self.loss, training) as activation:
            out = self.forward(x, training=training)
            logits = activation is not None
            loss = self._loss(y, out, self.output_mask, logits)
            self.backward(self._loss_grad(y, out, self.output_mask, logits))
        return loss, self.grads

    def loss_and_grads(self, x, y, training=True):
        """The loss on a batch and its gradient with respect to every parameter (no update).

        The cross-entropies on a sigmoid or softmax output are computed from its logits, as Keras on
        TensorFlow does (see the module docstring); ``grads`` are then those of that loss.

        Args:
            x: (N, *input_shape); y: targets as for :meth:`fit`.
            training: True (dropout drops, batch norm uses batch statistics, as in :meth:`fit`) or False
                (inference mode, as :meth:`evaluate` and a Keras twin called with ``training=False``).

        Returns:
            ``(loss, grads)``: a float and ``{"<layer>/<name>": dL/dparam}`` keyed like :attr:`params`.

        Example:
            >>> net = Sequential([Dense(1, "sigmoid")], input_dim=2, rng=0).compile("binary_crossentropy")
            >>> loss, grads = net.loss_and_grads(np.ones((3, 2)), np.ones(3))
            >>> sorted(grads)
            ['dense/bias', 'dense/kernel']
        """
        if self.loss is None:
            raise ValueError("the model must be compiled before loss_and_grads for Sequential.loss_and_grads; got "
                             "a model with no loss yet. Call model.compile(loss=..., optimizer=...) first.")
        training = check_bool(training, "training", "loss_and_grads")
        x = self._check_x(x, "loss_and_grads")
        return self._loss_and_grads(x, self._prepare_y(y, len(x), "loss_and_grads"), training)

    def train_step(self, xb, yb):
        """One forward pass, loss, backward pass and optimizer update.

        Args:
            xb: (B, *input_shape); yb: the batch's targets, prepared as in fit.

        Returns:
            The batch loss (float).
        """
        loss, grads = self._loss_and_grads(xb, yb, True)
        self.set_params(self.optimizer.step(self.params, grads))
        return loss

    def _evaluate(self, x, y):
        """(loss, accuracy) on prepared (x, y) in inference mode; the loss from the logits where Keras reads them."""
        with _output_logits(self, self.loss) as activation:
            out = self.forward(x)
        if activation is None:
            return self._loss(y, out, self.output_mask), self.accuracy(y, out, self.output_mask)
        return (self._loss(y, out, self.output_mask, from_logits=True),
                self.accuracy(y, activation(out), self.output_mask))

    def accuracy(self, y, out, mask=None) -> float:
        """Fraction correct: argmax for several outputs, a 0.5 threshold (0 for hinge) for one.

        Args:
            y: prepared targets (N,) class ids or (N, outputs); out: (N, outputs) network outputs.
                Many-to-many: y (N, T) or (N, T, outputs), out (N, T, outputs); every step counts once.
            mask: None, or (N, T) bool for many-to-many outputs: only the True (real) steps count.

        Returns:
            float in [0, 1].
        """
        if mask is not None:
            mask = np.asarray(mask, dtype=bool)
            if not mask.any():
                return 0.0
            y, out = self._real(y, out, mask)
        if self.loss is not None and self.loss.name == "sparse_categorical_crossentropy":
            return float(np.mean(np.argmax(out, axis=-1) == y))
        if out.shape[-1] > 1:
            return float(np.mean(np.argmax(out, axis=-1) == np.argmax(y, axis=-1)))
        if self.loss is not None and "hinge" in self.loss.name:
            return float(np.mean((out[..., 0] > 0) == (y[..., 0] > 0)))
        return float(np.mean((out[..., 0] > 0.5) == (y[..., 0] > 0.5)))

    def evaluate(self, x, y) -> dict:
        """Loss and accuracy on (x, y), with no training side effects.

        Args:
            x: (N, *input_shape); y: targets (N,), (N, 1) or (N, classes).

        Returns:
            ``{"loss": float, "accuracy": float}``.
        """
        if self.loss is None:
            raise ValueError("the model must be compiled before evaluate for Sequential.evaluate; got a model with "
                             "no loss yet. Call model.compile(loss=..., optimizer=...) first.")
        x = self._check_x(x, "evaluate")
        loss, accuracy = self._evaluate(x, self._prepare_y(y, len(x), "evaluate"))
        return {"loss": loss, "accuracy": accuracy}

    def fit(self, x, y, epochs=1, batch_size=32, shuffle=True, rng=None, validation_data=None,
            callbacks=(), progress=False):
        """Train with mini-batch gradient descent.

        Args:
            x: (N, *input_shape) inputs; y: targets (N,), (N, 1) or (N, classes).
            epochs: passes over the training set.
            batch_size: ``None`` = all N (batch GD), 1 = stochastic GD, k = mini-batches of k.
            shuffle: reshuffle every epoch with ``rng`` (an int seed, a Generator or None).
            validation_data: optional (x_val, y_val), evaluated after each epoch.
            callbacks: :class:`~dlhelpers.scratch.callbacks.Callback` objects (on_batch_end, on_epoch_end, ...).
            progress: add a :class:`~dlhelpers.scratch.callbacks.ProgressBar` (tqdm.auto) over epochs.

        Returns:
            a :class:`History` whose ``history`` dict holds ``loss``, ``accuracy`` (and ``val_*``) per epoch.
        """
        if self.loss is None:
            raise ValueError("the model must be compiled before fit for Sequential.fit; got a model with no loss "
                             "yet. Call model.compile(loss=..., optimizer=...) first.")
        x = self._check_x(x, "fit")
        y = self._prepare_y(y, len(x), "fit")
        check_positive(epochs, "epochs", "fit", integer=True)
        batch_size = len(x) if batch_size is None else check_positive(batch_size, "batch_size", "fit", integer=True)
        shuffle = check_bool(shuffle, "shuffle", "fit")
        progress = check_bool(progress, "progress", "fit")
        rng = check_rng(rng, "fit")
        validation = None if validation_data is None else self._check_validation(validation_data)
        history = History()
        callbacks = [history, *_check_callbacks(callbacks), *([ProgressBar()] if progress else [])]
        params = {"epochs": int(epochs), "steps": math.ceil(len(x) / batch_size), "batch_size": int(batch_size)}
        for cb in callbacks:
            cb.model, cb.params = self, params
            cb.on_train_begin()
        logs = {}
        with single_thread_blas():      # small products: one BLAS thread is as fast idle, far faster when busy
            for epoch in range(epochs):
                for cb in callbacks:
                    cb.on_epoch_begin(epoch)
                logs = self._train_epoch(x, y, batch_size, shuffle, rng, callbacks)
                if validation is not None:
                    val_loss, val_accuracy = self._evaluate(*validation)
                    logs.update(val_loss=val_loss, val_accuracy=val_accuracy)
                for cb in callbacks:
                    cb.on_epoch_end(epoch, logs)
        for cb in callbacks:
            cb.on_train_end(logs)
        return history

    def _train_epoch(self, x, y, batch_size, shuffle, rng, callbacks) -> dict:
        """One pass over (x, y) in mini-batches; returns the epoch's logs."""
        n = len(x)
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
        full_loss, accuracy = self._evaluate(x, y)
        return {"loss": float(np.average(losses, weights=sizes)), "accuracy": accuracy, "full_loss": full_loss,
                "seconds": time.perf_counter() - t0, "learning_rate": self.optimizer.current_learning_rate()}

    def _check_validation(self, validation_data):
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError(f"validation_data must be a pair (x_val, y_val) for fit; got "
                            f"{type(validation_data).__name__}. Pass e.g. validation_data=(test.X, test.y).")
        xv = self._check_x(validation_data[0], "fit")
        return xv, self._prepare_y(validation_data[1], len(xv), "fit")


def _check_input_shape(value, name, func, *, allow_int) -> tuple:
    """One sample's shape as a tuple of positive ints; ``allow_int`` also takes an int n as (n,)."""
    if allow_int and isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,)
    if not isinstance(value, (tuple, list)) or not value:
        kind = "an int or a non-empty tuple of ints" if allow_int else "a non-empty tuple of ints"
        raise TypeError(f"{name} must be {kind} for {func}; got {value!r} ({type(value).__name__}). "
                        f"Pass e.g. {name}=(8, 8, 1) for images" + (" or 64 for features." if allow_int else
                                                                    ", or input_dim=64 for features."))
    for v in value:
        check_positive(v, name, func, integer=True)
    return tuple(int(v) for v in value)


def _check_callbacks(callbacks) -> list:
    """``callbacks`` as a list of Callback objects, or a TypeError that says how to wrap a plain function."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback) or callable(callbacks) or not hasattr(callbacks, "__iter__"):
        callbacks = [callbacks]
    callbacks = list(callbacks)
    for i, cb in enumerate(callbacks):
        if not isinstance(cb, Callback):
            fix = (f"Wrap a function in a LambdaCallback, e.g. LambdaCallback(on_epoch_end={getattr(cb, '__name__', 'fn')})"
                   if callable(cb) else "Pass e.g. WeightHistory() or LambdaCallback(on_epoch_end=...)")
            raise TypeError(f"callbacks[{i}] must be a Callback ({', '.join(HOOKS)}) for fit; got "
                            f"{type(cb).__name__}. {fix}.")
    return callbacks
