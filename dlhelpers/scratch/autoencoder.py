"""Autoencoders in NumPy: an encoder and a decoder (two :class:`~dlhelpers.scratch.network.Sequential`
networks) trained to give their input back through a narrow code.

    x (N, *input_shape) ──encoder──▶ z (N, latent_dim) ──decoder──▶ x̂ (N, *input_shape)

The bottleneck z is smaller than x (an *undercomplete* autoencoder), so the networks must keep what
matters and drop the rest: compression by learning. Training minimises a **reconstruction loss**
L(x, x̂) by backpropagation through the decoder, then the encoder (:meth:`Autoencoder.backward`).

Reconstruction losses (:data:`RECONSTRUCTION_LOSSES`), every one a **mean over the pixels and the batch**,
as ``keras.losses.MeanSquaredError()`` / ``BinaryCrossentropy()`` with their default reduction (each
sample's mean over its last axis, then the mean over everything else: the same thing for equal sizes).
With N samples of P values each (P = prod(input_shape)):

* ``"mse"``: L = 1/(N·P) · Σ (x̂ − x)²;  ∂L/∂x̂ = 2(x̂ − x)/(N·P).
* ``"binary_crossentropy"`` on probabilities p = x̂ ∈ [0, 1] (a sigmoid output), targets x ∈ [0, 1]:
  L = −1/(N·P) · Σ [x·log p + (1 − x)·log(1 − p)], p clipped to [1e-7, 1 − 1e-7] as Keras does;
  ∂L/∂p = (p − x) / (p(1 − p)·N·P) inside the clip band, 0 outside.
* the same on logits a (``from_logits=True``, p = σ(a) applied inside), in the stable form
  max(a, 0) − a·x + log(1 + e^−|a|), which never overflows; ∂L/∂a = (σ(a) − x)/(N·P).

The scalar losses and their gradients are those of :mod:`dlhelpers.scratch.losses` (``mse``,
``binary_crossentropy``); :func:`reconstruction_errors` gives each sample's own mean (the anomaly score).

**A sigmoid output is trained on its logits.** These functions take x̂ as given, so probabilities are
clipped. An :class:`Autoencoder` with binary cross-entropy whose decoder's last layer (Dense, Conv2D,
Conv2DTranspose or TiedDense) ends in a sigmoid x̂ = σ(a) reads the loss from the logits a instead (the
stable form above, no clip), for its training loss and gradients, ``evaluate`` and ``reconstruction_errors``.
Keras on TensorFlow does the same: ``keras.activations.sigmoid`` keeps a on its output, and
``BinaryCrossentropy`` uses it. Without this, a saturated pixel (|a| > ~16, so p is clipped) would cost
a constant and pass back no gradient, however wrong it is. The rule (which layers, which losses, what
comes after the output layer) is the one of :class:`~dlhelpers.scratch.network.Sequential`: see
:mod:`dlhelpers.scratch.network`.

**Tied weights** (:class:`TiedDense`): a dense decoder layer can reuse an encoder layer's kernel W,
transposed, instead of a kernel of its own: x̂ = f(z·Wᵀ + b′). Half the weights, and W gets two
gradients, one from each use, which add up: ∂L/∂W = (∂L/∂W)_encoder + ((∂L/∂(Wᵀ))_decoder)ᵀ.

Builders: :func:`dense_autoencoder` (flat inputs, optional tied weights) and :func:`conv_autoencoder`
(images, strided convolutions down, transposed convolutions or nearest upsampling + convolutions up).
The Keras twin is :mod:`dlhelpers.keras.autoencoder`.
"""
from __future__ import annotations

import contextlib

import numpy as np

from .._blas import single_thread_blas
from .._checks import (_fail, as_array, check_bool, check_callable, check_choice, check_count, check_nonempty,
                       check_number, check_positive, check_rng)
from . import activations as A
from . import losses as LS
from .dense import dense_backward, dense_forward
from .initializers import INITIALIZERS, initialize
from .layers import Conv2D, Conv2DTranspose, Dense, Flatten, Layer, Reshape, UpSampling2D
from .network import ACTIVATION_LAST_LAYERS, Sequential, _output_logits
from .optim import OPTIMIZERS, _Optimizer, get_optimizer

__all__ = ["RECONSTRUCTION_LOSSES", "UPSAMPLING", "reconstruction_loss", "reconstruction_loss_grad",
           "reconstruction_errors", "TiedDense", "Autoencoder", "dense_autoencoder", "conv_autoencoder"]

#: The reconstruction losses by name → what they compute (a mean over pixels and batch; see the module docstring).
RECONSTRUCTION_LOSSES = {
    "mse": "mean squared error, mean over pixels and batch (Gaussian log-likelihood up to constants)",
    "binary_crossentropy": "mean binary cross-entropy over pixels and batch, on probabilities or (from_logits) "
                           "on logits (Bernoulli log-likelihood); targets in [0, 1]",
}

#: How :func:`conv_autoencoder`'s decoder doubles the image size at each stage.
UPSAMPLING = {
    "transpose": "Conv2DTranspose(f, k, strides=2, padding='same'): a learned, strided transposed convolution",
    "nearest": "UpSampling2D(2) then Conv2D(f, k, padding='same'): copy every pixel into a 2×2 block, then smooth",
}

#: Most samples one call handles (reconstruction_errors and the training loop work on batches of any size).
MAX_BATCH = 10 ** 6


# --- reconstruction losses -----------------------------------------------------------------------------------

def _loss_settings(loss, from_logits, func):
    check_choice(loss, "loss", func, RECONSTRUCTION_LOSSES)
    from_logits = check_bool(from_logits, "from_logits", func)
    if from_logits and loss != "binary_crossentropy":
        _fail("from_logits", func, "False for loss='mse'", "True",
              "Logits only make sense for binary_crossentropy; apply the output activation before the MSE.")
    return loss, from_logits


def _loss_pair(x, x_hat, loss, from_logits, func):
    """Targets and reconstructions checked: (N, ...) of one shape, finite, in [0, 1] where the loss needs it."""
    x = as_array(x, "x", func, ndim=tuple(range(2, 9)), shape_hint="(N, ...) samples",
                 fix="Add a batch axis, e.g. x[None].")
    x_hat = as_array(x_hat, "x_hat", func, ndim=tuple(range(2, 9)), shape_hint="(N, ...) samples",
                     fix="Add a batch axis, e.g. x_hat[None].")
    if x.shape != x_hat.shape:
        _fail("x and x_hat", func, "the same shape", f"{x.shape} and {x_hat.shape}",
              "Compare each sample with its own reconstruction (reshape one of them, e.g. x_hat.reshape(x.shape)).")
    check_nonempty(x_hat, "x_hat", func)
    if loss == "binary_crossentropy":
        if x.min() < 0 or x.max() > 1:
            _fail("x", func, "targets in [0, 1] for binary_crossentropy", f"values from {x.min():.3g} to {x.max():.3g}",
                  "Scale the images to [0, 1] (e.g. mnist_5k(scale=True)), or use loss='mse'.")
        if not from_logits and (x_hat.min() < 0 or x_hat.max() > 1):
            _fail("x_hat", func, "probabilities in [0, 1] (a sigmoid output)",
                  f"values from {x_hat.min():.3g} to {x_hat.max():.3g}",
                  "Pass from_logits=True for raw decoder outputs, or end the decoder with a sigmoid.")
    dtype = np.result_type(x_hat.dtype, np.float32)
    return x.astype(dtype, copy=False), x_hat.astype(dtype, copy=False)


def _value(x, x_hat, loss, from_logits):
    if loss == "mse":
        return LS.mse(x, x_hat)
    return LS.binary_crossentropy(x, x_hat, from_logits=from_logits)


def _grad(x, x_hat, loss, from_logits):
    if loss == "mse":
        return LS.mse_grad(x, x_hat)
    return LS.binary_crossentropy_grad(x, x_hat, from_logits=from_logits)


def _elementwise(x, x_hat, loss, from_logits):
    """The loss of every value, before the mean: (N, ...) like x."""
    if loss == "mse":
        return (x_hat - x) ** 2
    if from_logits:
        a = x_hat
        return np.maximum(a, 0) - a * x + np.log1p(np.exp(-np.abs(a)))
    p = np.clip(x_hat, LS.EPSILON, 1.0 - LS.EPSILON)
    return -(x * np.log(p) + (1.0 - x) * np.log(1.0 - p))


def reconstruction_loss(x, x_hat, loss="mse", from_logits=False):
    """L(x, x̂): the mean over pixels and batch of (x̂ − x)² ("mse") or of the binary cross-entropy.

    Equal to ``keras.losses.MeanSquaredError()(x, x_hat)`` and ``BinaryCrossentropy(from_logits=...)(x, x_hat)``
    (default reduction). See the module docstring for the formulas.

    Args:
        x: (N, ...) the targets (the clean inputs); in [0, 1] for binary_crossentropy.
        x_hat: (N, ...) the reconstructions, x's shape: probabilities in [0, 1] for binary_crossentropy, or
            logits with ``from_logits=True``.
        loss: a key of :data:`RECONSTRUCTION_LOSSES`.
        from_logits: only for "binary_crossentropy": x_hat holds logits a, p = σ(a) inside (stable form).

    Returns:
        A float (the dtype's precision: float32 in, float32 arithmetic).

    Example:
        >>> reconstruction_loss(np.zeros((2, 2)), np.array([[1.0, 0.0], [0.0, 1.0]]))    # (1 + 0 + 0 + 1) / 4
        0.5
    """
    func = "reconstruction_loss"
    loss, from_logits = _loss_settings(loss, from_logits, func)
    x, x_hat = _loss_pair(x, x_hat, loss, from_logits, func)
    return _value(x, x_hat, loss, from_logits)


def reconstruction_loss_grad(x, x_hat, loss="mse", from_logits=False):
    """∂L/∂x̂ = 2(x̂ − x)/(N·P) (mse), (p − x)/(p(1 − p)·N·P) (probabilities), (σ(a) − x)/(N·P) (logits).

    N·P is ``x_hat.size`` (samples × values per sample); the cross-entropy's gradient is 0 where p is
    clipped (p ≤ 1e-7 or p ≥ 1 − 1e-7), as Keras's.

    Args:
        x, x_hat, loss, from_logits: as :func:`reconstruction_loss`.

    Returns:
        ∂L/∂x_hat, x_hat's shape: the ``dout`` for the decoder's backward pass.
    """
    func = "reconstruction_loss_grad"
    loss, from_logits = _loss_settings(loss, from_logits, func)
    x, x_hat = _loss_pair(x, x_hat, loss, from_logits, func)
    return _grad(x, x_hat, loss, from_logits)


def reconstruction_errors(x, x_hat, loss="mse", from_logits=False):
    """e_n = the mean of the loss over sample n's values: one reconstruction error per sample (an anomaly score).

    ``reconstruction_loss`` is the mean of these (every sample has the same number of values).

    Args:
        x, x_hat, loss, from_logits: as :func:`reconstruction_loss`.

    Returns:
        (N,) errors, ≥ 0.
    """
    func = "reconstruction_errors"
    loss, from_logits = _loss_settings(loss, from_logits, func)
    x, x_hat = _loss_pair(x, x_hat, loss, from_logits, func)
    return _elementwise(x, x_hat, loss, from_logits).reshape(len(x), -1).mean(axis=1)


# --- tied weights -----------------------------------------------------------------------------------------

class TiedDense(Layer):
    """A dense layer that reuses another Dense layer's kernel, transposed: a = f(x·Wᵀ + b), W the tied kernel.

    In a tied autoencoder the decoder's layer k mirrors the encoder's layer L − k: if the encoder maps
    h (N, D) to h·W + c with W (D, H), the decoder maps back with Wᵀ (H, D) and a bias b (D,) of its own.

    Args:
        tied_to: the :class:`~dlhelpers.scratch.layers.Dense` layer whose kernel W (D, H) is reused (built
            before this layer is built, e.g. the built encoder's layer).
        activation: a name from :data:`~dlhelpers.scratch.activations.ACTIVATIONS` or None (linear).
        bias_initializer: a name from :data:`~dlhelpers.scratch.initializers.INITIALIZERS`.
        name: optional unique name (default ``tied_dense``, ``tied_dense_1``, ...).

    Shapes: (N, H) → (N, D); params ``bias`` (D,) only: W stays the tied layer's. ``backward`` fills
    ``grads["bias"]`` and ``kernel_grad`` = ∂L/∂W from this use (W's shape (D, H)); :class:`Autoencoder`
    adds it to W's gradient from the encoder (a plain ``Sequential`` would not see it).
    """

    def __init__(self, tied_to, activation=None, bias_initializer="zeros", name=None):
        super().__init__(name)
        func = "TiedDense"
        if not isinstance(tied_to, Dense):
            _fail("tied_to", func, "a Dense layer (the encoder layer whose kernel is reused)",
                  type(tied_to).__name__, "Pass the encoder's layer, e.g. TiedDense(encoder.layers[0]).",
                  exc=TypeError)
        activation = "linear" if activation is None else activation
        check_choice(activation, "activation", func, A.ACTIVATIONS)
        check_choice(bias_initializer, "bias_initializer", func, INITIALIZERS)
        self.tied_to, self.activation, self.bias_initializer = tied_to, activation, bias_initializer
        self.kernel_grad = None

    @property
    def kernel(self):
        """The tied kernel W (D, H), read from the tied layer at every call (so it follows its updates)."""
        kernel = self.tied_to.params.get("kernel")
        if kernel is None:
            _fail("tied_to", f"TiedDense layer {self.name!r}", "a built Dense layer (one with a kernel)",
                  f"layer {self.tied_to.name!r} without a kernel yet",
                  "Build the encoder first (give it input_dim), then the decoder.")
        return kernel

    @property
    def units(self):
        """D, the output width: the tied kernel's number of rows."""
        return int(self.kernel.shape[0])

    def build(self, input_shape, rng, dtype):
        """Create ``bias`` (D,); check the input is (H,), W's number of columns; return (D,)."""
        D, H = self.kernel.shape
        if tuple(input_shape) != (H,):
            _fail(f"the input of TiedDense layer {self.name!r}", "Sequential.build",
                  f"({H},), the width of the tied layer {self.tied_to.name!r}'s output", f"shape {tuple(input_shape)}",
                  "Tie each decoder layer to the encoder layer it mirrors (the last encoder layer first).")
        self.params = {"bias": initialize(self.bias_initializer, (int(D),), rng, dtype)}      # (D,)
        return (int(D),)

    def _forward(self, x, training):
        z, dcache = dense_forward(x, self.kernel.T, self.params["bias"])    # (N, D) = x (N, H) · Wᵀ (H, D) + b
        return A.get_activation(self.activation).fn(z), (dcache, z)

    def _backward(self, dout):
        dcache, z = self._cache
        dz = dout * A.get_activation(self.activation).derivative(z)          # (N, D)
        dx, grads = dense_backward(dz, dcache)                                # grads["kernel"]: ∂L/∂(Wᵀ), (H, D)
        self.kernel_grad = grads["kernel"].T                                  # ∂L/∂W, (D, H)
        return dx, {"bias": grads["bias"]}

    def __repr__(self):
        return f"TiedDense(tied_to={self.tied_to.name!r}, activation={self.activation!r}, name={self.name!r})"


ACTIVATION_LAST_LAYERS.add(TiedDense)       # its activation is its last step: a sigmoid there leaves the logits


# --- the autoencoder -----------------------------------------------------------------------------------------

def _optimizer(optimizer, learning_rate, func):
    if isinstance(optimizer, _Optimizer):
        if learning_rate is not None:
            _fail("learning_rate", func, "None when an optimizer instance is given", repr(learning_rate),
                  "Set the rate in the instance, e.g. optimizer=Adam(0.001), or pass optimizer='adam'.")
        return optimizer
    check_choice(optimizer, "optimizer", func, OPTIMIZERS)
    if learning_rate is None:
        return get_optimizer(optimizer)
    check_positive(learning_rate, "learning_rate", func)
    return get_optimizer(optimizer, learning_rate=learning_rate)


def _last_activation(net):
    """The activation of the last layer that has one (Reshape/Flatten skipped), or None."""
    for layer in reversed(net.layers):
        act = getattr(layer, "activation", None)
        if act is not None:
            return getattr(act, "name", act)
        if not isinstance(layer, (Reshape, Flatten, UpSampling2D)):
            return None
    return None


class Autoencoder:
    """An encoder and a decoder (two scratch ``Sequential`` networks) trained to reconstruct their input.

    encode: x (N, *input_shape) → z (N, *code_shape); decode: z → x̂ (N, *input_shape). The parameters of both
    networks are one dict keyed ``"encoder/<layer>/<weight>"`` and ``"decoder/<layer>/<weight>"`` (Keras's
    layouts), updated by one optimizer. Decoder layers of type :class:`TiedDense` reuse an encoder kernel;
    its gradient is the sum of both uses.

    Binary cross-entropy on a sigmoid output (``from_logits=False``, the decoder's last layer a Dense, Conv2D,
    Conv2DTranspose or TiedDense with ``activation="sigmoid"``) is computed from that layer's logits a, x̂ = σ(a):
    L = mean[max(a, 0) − a·x + log(1 + e^−|a|)], ∂L/∂a = (σ(a) − x)/(N·P), with no clip, in
    :meth:`loss_and_grads`, :meth:`train_step`, :meth:`fit`, :meth:`evaluate` and :meth:`reconstruction_errors`.
    Keras on TensorFlow does the same (its sigmoid keeps the logits for the loss), so the twins agree even
    where pixels saturate; the clipped loss on p would give those pixels no gradient. :meth:`forward` and
    :meth:`backward` keep their meaning: x̂ the probabilities, ``dout`` = ∂L/∂x̂.

    Args:
        encoder: a built ``Sequential`` (given ``input_dim``/``input_shape``).
        decoder: a ``Sequential`` taking the encoder's output; built here on it if not built yet. Its output
            must have the encoder's input shape.
        loss: a key of :data:`RECONSTRUCTION_LOSSES`.
        from_logits: with "binary_crossentropy": the decoder ends in a linear layer whose outputs are logits
            (stable loss; :meth:`decode` and :meth:`reconstruct` apply the sigmoid). Otherwise the decoder's
            output is the reconstruction itself (a sigmoid output for "binary_crossentropy").
        optimizer: a name (``"sgd"``, ``"rmsprop"``, ``"adam"``) or a scratch optimizer instance.
        learning_rate: the rate for an optimizer given by name (None: its default).
        rng: Generator, int seed or None: the shuffling in :meth:`fit` when no ``rng`` is passed there.

    Example:
        >>> ae = dense_autoencoder(input_dim=4, hidden=(), latent_dim=2, rng=0)
        >>> x = np.random.default_rng(1).uniform(size=(8, 4))
        >>> ae.encode(x).shape, ae.reconstruct(x).shape
        ((8, 2), (8, 4))
    """

    def __init__(self, encoder, decoder, loss="mse", from_logits=False, optimizer="adam", learning_rate=None,
                 rng=None):
        func = "Autoencoder"
        for name, net in (("encoder", encoder), ("decoder", decoder)):
            if not isinstance(net, Sequential):
                _fail(name, func, "a dlhelpers.scratch.network.Sequential", type(net).__name__,
                      "Build it first, e.g. Sequential([Dense(32, 'relu')], input_dim=784).", exc=TypeError)
        if encoder is decoder:
            _fail("encoder and decoder", func, "two different networks", "the same object twice",
                  "Build two Sequential models.")
        if encoder.input_shape is None:
            _fail("encoder", func, "built", "a network without an input shape",
                  "Give it input_dim (flat inputs) or input_shape (images), e.g. Sequential([...], input_dim=784).")
        if any(a is b for a in encoder.layers for b in decoder.layers):
            _fail("encoder and decoder", func, "networks with their own layer objects", "a layer used in both",
                  "Tie weights with TiedDense(encoder_layer) instead of reusing the layer.")
        if decoder.input_shape is None:
            decoder.build(encoder.output_shape)
        if decoder.input_shape != encoder.output_shape:
            _fail("decoder", func, f"a network of the codes, input_shape {encoder.output_shape} (the encoder's output)",
                  f"input_shape {decoder.input_shape}", "Build it on the shape the encoder outputs.")
        if decoder.output_shape != encoder.input_shape:
            _fail("decoder", func, f"a network giving back the input's shape {encoder.input_shape}",
                  f"output shape {decoder.output_shape}",
                  "End it with a layer of the input's width (and a Reshape for images).")
        if np.dtype(encoder.dtype) != np.dtype(decoder.dtype):
            _fail("decoder", func, f"of the encoder's dtype {np.dtype(encoder.dtype)}",
                  f"dtype {np.dtype(decoder.dtype)}",
                  "Build both networks with the same dtype.")
        for layer in decoder.layers:
            if isinstance(layer, TiedDense) and not any(layer.tied_to is l for l in encoder.layers):
                _fail(f"TiedDense layer {layer.name!r}", func, "tied to a Dense layer of the encoder",
                      f"a layer tied to {layer.tied_to.name!r}, which is not in the encoder",
                      "Pass one of encoder.layers as tied_to.")
        self.loss, self.from_logits = _loss_settings(loss, from_logits, func)
        last = _last_activation(decoder)
        if self.from_logits and last not in (None, "linear"):
            _fail("decoder", func, "a network ending in a linear layer with from_logits=True (its outputs are the "
                  "logits)", f"a last activation {last!r}", "Use output_activation='linear', or from_logits=False.")
        if self.loss == "binary_crossentropy" and not self.from_logits and last not in (None, "sigmoid"):
            _fail("decoder", func, "a network ending in a sigmoid for binary_crossentropy on probabilities",
                  f"a last activation {last!r}",
                  "Use output_activation='sigmoid', or a linear output with from_logits=True, or loss='mse'.")
        self.optimizer = _optimizer(optimizer, learning_rate, func)
        self.encoder, self.decoder = encoder, decoder
        self.input_shape = encoder.input_shape              # one sample's shape, e.g. (784,) or (28, 28, 1)
        self.code_shape = encoder.output_shape              # one code's shape, e.g. (32,)
        self.latent_dim = int(np.prod(self.code_shape))
        self.dtype = encoder.dtype
        self.rng = check_rng(rng, func)
        self._grads: dict = {}
        self._tied = [(l, f"encoder/{l.tied_to.name}/kernel") for l in decoder.layers if isinstance(l, TiedDense)]

    def __repr__(self):
        return (f"Autoencoder(input_shape={self.input_shape}, latent_dim={self.latent_dim}, loss={self.loss!r}, "
                f"from_logits={self.from_logits}, tied={bool(self._tied)}, optimizer={type(self.optimizer).__name__})")

    # --- inputs -----------------------------------------------------------------------------------------------
    def _check_x(self, x, func, name="x"):
        shape = self.input_shape
        x = as_array(x, name, func, ndim=1 + len(shape), shape_hint=f"(N, {', '.join(map(str, shape))})",
                     dtype=self.dtype, fix=self._fix(shape))
        if x.shape[1:] != shape:
            _fail(name, func, f"samples of shape {shape} (the encoder's input)", f"samples of shape {x.shape[1:]}",
                  self._fix(shape))
        check_nonempty(x, name, func)
        if self.loss == "binary_crossentropy" and (x.min() < 0 or x.max() > 1):
            _fail(name, func, "values in [0, 1] for binary_crossentropy", f"values from {x.min():.3g} to {x.max():.3g}",
                  "Scale the images to [0, 1], or build the autoencoder with loss='mse'.")
        return x

    @staticmethod
    def _fix(shape):
        if len(shape) == 1:
            return f"Flatten images first, e.g. x.reshape(len(x), -1), for {shape[0]} values per sample."
        return f"Reshape to images, e.g. x.reshape(-1, {', '.join(map(str, shape))})."

    def _check_xy(self, x, y, func):
        x = self._check_x(x, func)
        if y is None:
            return x, x
        y = self._check_x(y, func, "y")
        if len(y) != len(x):
            _fail("y", func, f"one target per input ({len(x)})", f"{len(y)} targets",
                  "Pass the clean images of the same samples (denoising), or leave y out.")
        return x, y

    def _check_z(self, z, func):
        shape = self.code_shape
        z = as_array(z, "z", func, ndim=1 + len(shape), shape_hint=f"(N, {', '.join(map(str, shape))})",
                     dtype=self.dtype, fix=f"Pass codes of shape (N, {', '.join(map(str, shape))}), e.g. ae.encode(x).")
        if z.shape[1:] != shape:
            _fail("z", func, f"codes of shape {shape} (the encoder's output)", f"codes of shape {z.shape[1:]}",
                  "Pass codes from ae.encode(x) or of latent_dim columns.")
        return check_nonempty(z, "z", func)

    # --- parameters -------------------------------------------------------------------------------------------
    @property
    def params(self) -> dict:
        """All parameters, keyed ``"encoder/<layer>/<weight>"`` and ``"decoder/<layer>/<weight>"`` (the arrays
        themselves, not copies; a tied kernel appears once, under the encoder)."""
        return {**{f"encoder/{k}": v for k, v in self.encoder.params.items()},
                **{f"decoder/{k}": v for k, v in self.decoder.params.items()}}

    @property
    def grads(self) -> dict:
        """The gradients of the last :meth:`backward`, keyed like :attr:`params` (a tied kernel: both uses added)."""
        return dict(self._grads)

    def set_params(self, params):
        """Replace parameters by copies of ``params[key]`` (keys as :attr:`params`; missing keys are kept).

        Args:
            params: ``{"encoder/<layer>/<weight>": array, ...}`` with the current shapes.
        """
        if not isinstance(params, dict):
            _fail("params", "Autoencoder.set_params", "a dict {'encoder/<layer>/<weight>': array}",
                  type(params).__name__, "Pass e.g. ae.params.", exc=TypeError)
        unknown = sorted(str(k) for k in params if k not in self.params)
        if unknown:
            _fail("params", "Autoencoder.set_params", "keyed like ae.params", f"unknown keys {unknown}",
                  "Use the keys of ae.params, e.g. 'encoder/latent/kernel'.")
        for prefix, net in (("encoder/", self.encoder), ("decoder/", self.decoder)):
            net.set_params({k[len(prefix):]: v for k, v in params.items() if k.startswith(prefix)})

    def count_params(self):
        """Number of trained numbers (a tied kernel counted once)."""
        return self.encoder.count_params() + self.decoder.count_params()

    def summary(self) -> str:
        """The encoder's and the decoder's layer tables, one after the other."""
        return f"encoder\n{self.encoder.summary()}\n\ndecoder\n{self.decoder.summary()}"

    # --- passes -----------------------------------------------------------------------------------------------
    def _output(self, out):
        """The decoder's raw output in the data space: σ(a) for logits, as is otherwise."""
        return A.sigmoid(out) if self.from_logits else out

    def _forward(self, x, training):
        return self.decoder.forward(self.encoder.forward(x, training=training), training=training)

    def forward(self, x, training=False):
        """The decoder's raw output for x: the reconstruction x̂ (its logits with ``from_logits``).

        Args:
            x: (N, *input_shape); training: True inside :meth:`fit` (dropout, batch statistics).

        Returns:
            (N, *input_shape); :meth:`backward` then takes ∂L/∂(this output).
        """
        return self._forward(self._check_x(x, "Autoencoder.forward"), check_bool(training, "training",
                                                                                   "Autoencoder.forward"))

    def backward(self, dout):
        """Backpropagate ∂L/∂(decoder output) through the decoder, then the encoder; fills :attr:`grads`.

        A tied kernel W's gradient is ∂L/∂W (encoder use) + ``TiedDense.kernel_grad`` (decoder use).

        Args:
            dout: (N, *input_shape), the gradient of the loss with respect to the last :meth:`forward`'s output.

        Returns:
            ∂L/∂x, (N, *input_shape).
        """
        if self.decoder.layers[-1]._out_shape is None:
            _fail("forward", "Autoencoder.backward", "run before backward", "no forward pass yet",
                  "Call ae.forward(x, training=True) first.")
        dx = self.encoder.backward(self.decoder.backward(dout))
        grads = {**{f"encoder/{k}": v for k, v in self.encoder.grads.items()},
                 **{f"decoder/{k}": v for k, v in self.decoder.grads.items()}}
        for layer, key in self._tied:                    # the tied kernel's second use: the gradients add up
            grads[key] = grads[key] + layer.kernel_grad
        self._grads = grads
        return dx

    def encode(self, x):
        """z = encoder(x), the codes (inference mode).

        Args:
            x: (N, *input_shape).

        Returns:
            (N, *code_shape), e.g. (N, latent_dim).
        """
        return self.encoder.forward(self._check_x(x, "Autoencoder.encode"))

    def decode(self, z):
        """x̂ = decoder(z) in the data space (σ of the logits with ``from_logits``), inference mode.

        Args:
            z: (N, *code_shape), e.g. codes from :meth:`encode` or points of the latent space.

        Returns:
            (N, *input_shape).
        """
        return self._output(self.decoder.forward(self._check_z(z, "Autoencoder.decode")))

    def reconstruct(self, x):
        """x̂ = decode(encode(x)), in the data space (inference mode).

        Args:
            x: (N, *input_shape).

        Returns:
            (N, *input_shape).
        """
        return self._output(self._forward(self._check_x(x, "Autoencoder.reconstruct"), False))

    # --- loss and training --------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _loss_output(self, training):
        """Inside: the decoder outputs what the loss reads; yields the ``from_logits`` to compute the loss with.

        For binary cross-entropy on a sigmoid output the last layer runs linear (``network._output_logits``, the
        rule Sequential follows), so the decoder gives the logits a (x̂ = σ(a)) and the loss takes them with
        from_logits=True (see the class docstring); otherwise nothing changes. Forward and backward passes both
        run inside, so the cache and the derivative agree.
        """
        with _output_logits(self.decoder, self.loss, training) as activation:
            yield self.from_logits or activation is not None

    def _evaluate(self, x, y):
        with self._loss_output(False) as logits:
            return _value(y, self._forward(x, False), self.loss, logits)

    def evaluate(self, x, y=None):
        """The reconstruction loss L(y, x̂(x)) (inference mode), y = x unless given (denoising: y clean, x noisy).

        Args:
            x: (N, *input_shape) inputs; y: None or (N, *input_shape) targets.

        Returns:
            A float.
        """
        x, y = self._check_xy(x, y, "Autoencoder.evaluate")
        return self._evaluate(x, y)

    def reconstruction_errors(self, x, y=None):
        """Each sample's mean reconstruction loss (inference mode): the anomaly score of :func:`reconstruction_errors`.

        Args:
            x: (N, *input_shape) inputs; y: None or targets of the same shape.

        Returns:
            (N,) errors ≥ 0.
        """
        x, y = self._check_xy(x, y, "Autoencoder.reconstruction_errors")
        with self._loss_output(False) as logits:
            out = np.concatenate([self._forward(x[i:i + 1000], False) for i in range(0, len(x), 1000)])
        return _elementwise(y, out, self.loss, logits).reshape(len(x), -1).mean(axis=1)

    def _loss_and_grads(self, x, y):
        with self._loss_output(True) as logits:
            out = self._forward(x, True)
            loss = _value(y, out, self.loss, logits)
            self.backward(_grad(y, out, self.loss, logits))
        return loss, self.grads

    def loss_and_grads(self, x, y=None):
        """The loss on a batch and its gradient with respect to every parameter (no update).

        Args:
            x: (N, *input_shape) inputs; y: None (targets = x) or (N, *input_shape) targets.

        Returns:
            ``(loss, grads)``: a float and ``{key: ∂L/∂param}`` keyed like :attr:`params`.
        """
        x, y = self._check_xy(x, y, "Autoencoder.loss_and_grads")
        return self._loss_and_grads(x, y)

    def _step(self, x, y):
        loss, grads = self._loss_and_grads(x, y)
        self.set_params(self.optimizer.step(self.params, grads))
        return loss

    def train_step(self, x, y=None):
        """One forward pass, loss, backward pass and optimizer update on a batch.

        Args:
            x: (B, *input_shape) inputs; y: None (targets = x) or (B, *input_shape) targets.

        Returns:
            The batch loss before the update (float).
        """
        x, y = self._check_xy(x, y, "Autoencoder.train_step")
        return self._step(x, y)

    def fit(self, x, y=None, epochs=1, batch_size=32, shuffle=True, rng=None, validation_data=None,
            on_epoch_end=None):
        """Train with mini-batches to reconstruct y (= x unless given) from x.

        Args:
            x: (N, *input_shape) inputs (noisy ones for a denoising autoencoder).
            y: None, or (N, *input_shape) targets (the clean images).
            epochs: passes over the data, 1 … 10⁶.
            batch_size: samples per step (None: all N).
            shuffle: reshuffle every epoch.
            rng: Generator, int seed or None (the autoencoder's own): the shuffling.
            validation_data: None, x_val, or (x_val, y_val): its loss is recorded after every epoch.
            on_epoch_end: optional ``on_epoch_end(epoch, logs)`` called after every epoch.

        Returns:
            history: ``{"loss": [...]}`` (each epoch's mean batch loss) and ``"val_loss"`` with validation data.
        """
        func = "Autoencoder.fit"
        x, y = self._check_xy(x, y, func)
        epochs = check_count(epochs, "epochs", func, maximum=10 ** 6)
        batch_size = len(x) if batch_size is None else check_count(batch_size, "batch_size", func, maximum=MAX_BATCH)
        shuffle = check_bool(shuffle, "shuffle", func)
        rng = self.rng if rng is None else check_rng(rng, func)
        if on_epoch_end is not None:
            check_callable(on_epoch_end, "on_epoch_end", func, "Pass a function on_epoch_end(epoch, logs), or None.")
        val = None
        if validation_data is not None:
            if isinstance(validation_data, (tuple, list)) and len(validation_data) == 2:
                val = self._check_xy(validation_data[0], validation_data[1], func)
            else:
                val = self._check_xy(validation_data, None, func)
        history = {"loss": []} if val is None else {"loss": [], "val_loss": []}
        n = len(x)
        with single_thread_blas():
            for epoch in range(epochs):
                order = rng.permutation(n) if shuffle else np.arange(n)
                losses, sizes = [], []
                for start in range(0, n, batch_size):
                    idx = order[start:start + batch_size]
                    losses.append(self._step(x[idx], y[idx]))
                    sizes.append(len(idx))
                logs = {"loss": float(np.average(losses, weights=sizes))}
                if val is not None:
                    logs["val_loss"] = self._evaluate(*val)
                for key, value in logs.items():
                    history[key].append(value)
                if on_epoch_end is not None:
                    on_epoch_end(epoch, logs)
        return history


# --- builders --------------------------------------------------------------------------------------------------

def _sizes(hidden, name, func, maximum=10):
    """Layer sizes: a tuple or list of positive ints (empty allowed)."""
    if isinstance(hidden, (str, bytes, dict)) or not isinstance(hidden, (tuple, list)):
        _fail(name, func, "a tuple of layer sizes", f"{hidden!r} ({type(hidden).__name__})",
              f"Pass e.g. {name}=(128, 64), or {name}=() for none.", exc=TypeError)
    if len(hidden) > maximum:
        _fail(name, func, f"at most {maximum} layer sizes", f"{len(hidden)}", "Use fewer layers.")
    return tuple(int(check_number(u, name, func, low=1, high=10 ** 5, integer=True,
                                  fix=f"Pass positive whole sizes, e.g. {name}=(128, 64).")) for u in hidden)


def _dim(value, name, func):
    return int(check_number(value, name, func, low=1, high=10 ** 6, integer=True,
                            fix=f"Pass a positive whole number, e.g. {name}=32."))


def _common(activation, output_activation, loss, func):
    check_choice(activation, "activation", func, A.ACTIVATIONS)
    check_choice(output_activation, "output_activation", func, ("sigmoid", "linear", "tanh"))
    check_choice(loss, "loss", func, RECONSTRUCTION_LOSSES)
    if loss == "binary_crossentropy" and output_activation == "tanh":
        _fail("output_activation", func, "'sigmoid' (probabilities) or 'linear' (logits) for binary_crossentropy",
              "'tanh'", "Use loss='mse' for images in [−1, 1], or a sigmoid output for images in [0, 1].")
    return loss == "binary_crossentropy" and output_activation == "linear"      # from_logits


def dense_autoencoder(input_dim=784, hidden=(128,), latent_dim=32, activation="relu", latent_activation="linear",
                      output_activation="sigmoid", tied=False, loss="mse", optimizer="adam", learning_rate=1e-3,
                      rng=None, dtype=np.float64):
    """A fully connected autoencoder: input_dim → hidden … → latent_dim → … reversed hidden → input_dim.

    Encoder layers ``enc_hidden``, ``enc_hidden_1``, …, ``latent`` (Dense); decoder layers ``dec_hidden``, …,
    ``reconstruction``: Dense layers, or with ``tied=True`` :class:`TiedDense` layers, each reusing the
    transposed kernel of the encoder layer it mirrors (the decoder's first layer ties to ``latent``, its last
    to ``enc_hidden``).

    Args:
        input_dim: values per sample P (784 for flattened 28×28 digits).
        hidden: the encoder's hidden sizes, e.g. (128,) or (256, 64); the decoder uses them reversed; () for none.
        latent_dim: the width of the code z (the bottleneck), ≥ 1.
        activation: the hidden layers' activation (a name from ACTIVATIONS).
        latent_activation: the code layer's activation ("linear" by default).
        output_activation: "sigmoid" (images in [0, 1]), "linear" or "tanh" (images in [−1, 1]). With
            ``loss="binary_crossentropy"`` a "linear" output means logits (``from_logits``).
        tied: tie the decoder's kernels to the encoder's (transposed).
        loss: a key of :data:`RECONSTRUCTION_LOSSES`.
        optimizer, learning_rate: as :class:`Autoencoder`.
        rng: Generator, int seed or None: the initial weights (encoder first), then the shuffling.
        dtype: np.float64 (gradient checks) or np.float32 (speed).

    Returns:
        An :class:`Autoencoder`. Parameters: untied 2·Σ (in·out) + biases; tied, each kernel once.

    Example:
        >>> ae = dense_autoencoder(784, hidden=(64,), latent_dim=8, tied=True, rng=0)
        >>> ae.count_params()      # kernels 784·64 + 64·8 (each once), biases 64 + 8 + 64 + 784
        51608
    """
    func = "dense_autoencoder"
    input_dim = _dim(input_dim, "input_dim", func)
    sizes = _sizes(hidden, "hidden", func)
    latent_dim = _dim(latent_dim, "latent_dim", func)
    from_logits = _common(activation, output_activation, loss, func)
    check_choice(latent_activation, "latent_activation", func, A.ACTIVATIONS)
    tied = check_bool(tied, "tied", func)
    rng = check_rng(rng, func)
    names = [f"enc_hidden_{i}" if i else "enc_hidden" for i in range(len(sizes))] + ["latent"]
    acts = [activation] * len(sizes) + [latent_activation]
    encoder = Sequential([Dense(u, a, name=n) for u, a, n in zip((*sizes, latent_dim), acts, names)],
                         input_dim=input_dim, rng=rng, dtype=dtype)
    out_sizes = (*sizes[::-1], input_dim)
    out_names = [f"dec_hidden_{i}" if i else "dec_hidden" for i in range(len(sizes))] + ["reconstruction"]
    out_acts = [activation] * len(sizes) + [output_activation]
    if tied:
        mirrors = encoder.layers[::-1]               # decoder layer k reuses encoder layer L − 1 − k
        layers = [TiedDense(m, a, name=n) for m, a, n in zip(mirrors, out_acts, out_names)]
    else:
        layers = [Dense(u, a, name=n) for u, a, n in zip(out_sizes, out_acts, out_names)]
    decoder = Sequential(layers, input_dim=latent_dim, rng=rng, dtype=dtype)
    return Autoencoder(encoder, decoder, loss=loss, from_logits=from_logits, optimizer=optimizer,
                       learning_rate=learning_rate, rng=rng)


def _input_shape(value, func):
    if not isinstance(value, (tuple, list)):
        _fail("input_shape", func, "one image's shape (H, W, C), a tuple", f"{value!r} ({type(value).__name__})",
              "Pass e.g. input_shape=(28, 28, 1).", exc=TypeError)
    if len(value) != 3:
        _fail("input_shape", func, "one image's shape (H, W, C), three sizes", repr(tuple(value)),
              "Add the channel axis, e.g. input_shape=(28, 28, 1).")
    return tuple(int(check_number(v, "input_shape", func, low=1, high=4096, integer=True,
                                  fix="Pass positive whole sizes, e.g. input_shape=(28, 28, 1).")) for v in value)


def conv_autoencoder(input_shape=(28, 28, 1), filters=(16, 32), latent_dim=16, kernel_size=3, activation="relu",
                     output_activation="sigmoid", upsampling="transpose", loss="mse", optimizer="adam",
                     learning_rate=1e-3, rng=None, dtype=np.float64):
    """A convolutional autoencoder: strided convolutions halve the image, a Dense bottleneck, the mirror image up.

    Encoder: for each f in ``filters``: Conv2D(f, k, strides 2, "same", activation) (H → H/2); Flatten;
    Dense(latent_dim) → ``latent`` (linear). Decoder: Dense(h·w·f_last, activation); Reshape(h, w, f_last);
    for each f in reversed ``filters`` one ×2 stage (see :data:`UPSAMPLING`): Conv2DTranspose(f, k, strides 2,
    "same", activation) or UpSampling2D(2) + Conv2D(f, k, "same", activation); then Conv2D(C, k, "same",
    output_activation) → ``reconstruction``. For 28×28×1 and filters (16, 32): 28 → 14 → 7, 7·7·32 = 1568
    values before the code, and back 7 → 14 → 28.

    Args:
        input_shape: (H, W, C), H and W divisible by 2^len(filters).
        filters: channels per stage, e.g. (16, 32) (1 to 4 stages).
        latent_dim: the width of the code z, ≥ 1.
        kernel_size: odd kernel size of every convolution (1, 3, 5 or 7).
        activation: the hidden layers' activation (a name from ACTIVATIONS).
        output_activation, loss, optimizer, learning_rate, rng, dtype: as :func:`dense_autoencoder`.
        upsampling: a key of :data:`UPSAMPLING` ("transpose" or "nearest").

    Returns:
        An :class:`Autoencoder` taking (N, H, W, C) images.
    """
    func = "conv_autoencoder"
    H, W, C = _input_shape(input_shape, func)
    sizes = _sizes(filters, "filters", func, maximum=4)
    if not sizes:
        _fail("filters", func, "at least one stage", "()", "Pass e.g. filters=(16, 32).")
    latent_dim = _dim(latent_dim, "latent_dim", func)
    k = int(check_number(kernel_size, "kernel_size", func, low=1, high=7, integer=True,
                         fix="Pass an odd size, e.g. kernel_size=3."))
    if k % 2 == 0:
        _fail("kernel_size", func, "odd (1, 3, 5 or 7), so 'same' padding centres the kernel", repr(kernel_size),
              "Pass e.g. kernel_size=3.")
    from_logits = _common(activation, output_activation, loss, func)
    check_choice(upsampling, "upsampling", func, UPSAMPLING)
    scale = 2 ** len(sizes)
    if H % scale or W % scale:
        _fail("input_shape", func, f"H and W divisible by 2^{len(sizes)} = {scale} (one halving per stage)",
              f"{(H, W, C)}", "Use fewer stages, or pad the images, e.g. to "
              f"{(-(-H // scale) * scale, -(-W // scale) * scale, C)}.")
    rng = check_rng(rng, func)
    enc = [Conv2D(f, k, strides=2, padding="same", activation=activation, name=f"enc_conv_{i}" if i else "enc_conv")
           for i, f in enumerate(sizes)]
    encoder = Sequential(enc + [Flatten(name="flatten"), Dense(latent_dim, name="latent")],
                         input_shape=(H, W, C), rng=rng, dtype=dtype)
    h, w, f_last = H // scale, W // scale, sizes[-1]
    dec = [Dense(h * w * f_last, activation, name="dec_dense"), Reshape((h, w, f_last), name="reshape")]
    for i, f in enumerate(sizes[::-1]):
        suffix = f"_{i}" if i else ""
        if upsampling == "transpose":
            dec.append(Conv2DTranspose(f, k, strides=2, padding="same", activation=activation,
                                       name=f"dec_tconv{suffix}"))
        else:
            dec += [UpSampling2D(2, name=f"up_sampling{suffix}"),
                    Conv2D(f, k, padding="same", activation=activation, name=f"dec_conv{suffix}")]
    dec.append(Conv2D(C, k, padding="same", activation=output_activation, name="reconstruction"))
    decoder = Sequential(dec, input_dim=latent_dim, rng=rng, dtype=dtype)
    return Autoencoder(encoder, decoder, loss=loss, from_logits=from_logits, optimizer=optimizer,
                       learning_rate=learning_rate, rng=rng)
