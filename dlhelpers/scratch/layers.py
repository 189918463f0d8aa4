"""Layer objects for :class:`~dlhelpers.scratch.network.Sequential`: every layer class lives here.

Each layer wraps the forward/backward functions of its concept module (``dense``, ``conv``,
``pooling``, ``regularization``, ``activations``) and keeps what the network needs between the
two passes: ``params`` (trained arrays, Keras's names and layouts), ``grads`` (same keys, filled by
``backward``) and the cache of the last ``forward``. ``backward`` checks the upstream gradient
against the shape of the last output, so a wrong-shaped ``dout`` is a clear ValueError.

The generator layers of Unit IV (:class:`Conv2DTranspose`, :class:`UpSampling2D`, :class:`Reshape`,
:class:`LeakyReLU`) take a flat noise vector up to an image: Dense → Reshape → (UpSampling2D or a strided
Conv2DTranspose) → LeakyReLU → ….

Recurrent layers (:class:`SimpleRNN`, :class:`LSTM`, :class:`GRU`, :class:`Bidirectional`) take (N, T, D)
sequences; :class:`Dense` also takes (N, T, F) and acts on the last axis at every step, as Keras's Dense
does on 3-D inputs (so no ``TimeDistributed`` wrapper is needed for a many-to-many output layer). A
:class:`Masking` layer computes a (N, T) mask that :class:`~dlhelpers.scratch.network.Sequential` hands
to the following layers, as Keras does: Dense, Dropout, PReLU and LeakyReLU pass it on, BatchNormalization
uses it (batch statistics over the real steps only) and passes it on, the recurrent layers use it (and pass it
on when they return sequences); the image layers (Conv2D, pooling, Flatten, Reshape, …) drop it, as Keras's do.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import (_fail, check_bool, check_choice, check_dout, check_in_range, check_number, check_pair,
                       check_positive)
from . import activations as A
from . import pooling as P
from . import upsampling as UP
from .conv import (_transpose_padding, conv2d_backward, conv2d_forward, conv2d_transpose_backward,
                   conv2d_transpose_forward, conv_transpose_output_size, pad_amounts)
from .dense import dense_backward, dense_forward
from . import gru as G
from . import lstm as LS
from . import rnn as R
from .initializers import INITIALIZERS, initialize
from .regularization import batchnorm_backward, batchnorm_forward, dropout_backward, dropout_forward

__all__ = ["Layer", "Dense", "Dropout", "PReLU", "Conv2D", "MaxPooling2D", "AveragePooling2D",
           "GlobalAveragePooling2D", "Flatten", "BatchNormalization", "Masking", "SimpleRNN", "LSTM", "GRU",
           "Bidirectional", "Conv2DTranspose", "UpSampling2D", "Reshape", "LeakyReLU", "layer_type_names"]


def layer_type_names() -> list[str]:
    """The names of the package's public layer classes (subclasses of :class:`Layer`), in definition order.

    Error messages list these, so a new layer appears in them without editing any message. Only
    classes defined inside ``dlhelpers`` count: a layer a student writes in a notebook (or a test
    defines) is theirs, not one of the types the package offers.

    Returns:
        list of class names, e.g. ``["Dense", "PReLU", ...]``.
    """
    names, todo = [], list(Layer.__subclasses__())
    while todo:
        cls = todo.pop(0)
        todo.extend(cls.__subclasses__())
        ours = cls.__module__.split(".")[0] == "dlhelpers"
        if ours and not cls.__name__.startswith("_") and cls.__name__ not in names:
            names.append(cls.__name__)
    return names


class Layer:
    """Base class: ``build`` creates parameters, ``forward`` caches what ``backward`` needs.

    Subclasses implement ``_forward(x, training) -> (out, cache)`` and ``_backward(dout) -> (dx, grads)``;
    the public ``forward``/``backward`` keep the cache and check ``dout``.
    """

    def __init__(self, name=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string or None for {type(self).__name__}; got {name!r} "
                            f"({type(name).__name__}). Pass e.g. name='hidden'.")
        self.name = name
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._cache = None
        self._out_shape = None
        self._input_mask = None
        self.output_mask = None

    def build(self, input_shape: tuple, rng, dtype) -> tuple:
        """Create the parameters for inputs of ``input_shape`` (without the batch axis).

        Args:
            input_shape: one sample's shape, e.g. (features,) or (H, W, C).
            rng: a ``np.random.Generator`` for the initializers.
            dtype: the parameters' dtype.

        Returns:
            The output shape of one sample.
        """
        return input_shape

    def forward(self, x, training=False, mask=None):
        """Run the layer on a batch and keep what ``backward`` needs.

        Args:
            x: (N, *input_shape).
            training: True inside ``fit`` (dropout drops, batch norm uses batch statistics).
            mask: (N, T) bool or None, the mask of the layer before (from a :class:`Masking` layer);
                the recurrent layers skip the padded steps, BatchNormalization leaves them out of its batch
                statistics, the others ignore it (and pass it on or drop it, as their Keras twins do).

        Returns:
            (N, *output_shape). ``self.output_mask`` then holds the mask handed to the next layer.
        """
        self._input_mask = mask
        out, self._cache = self._forward(x, training)
        self._out_shape = np.shape(out)
        self.output_mask = self._mask_out(x, mask, out)
        return out

    def _mask_out(self, x, mask, out):
        """The mask for the next layer (Keras's ``compute_mask``): none by default."""
        return None

    def backward(self, dout):
        """Gradients of the last ``forward``: fills ``self.grads`` (keyed like ``params``) and returns dL/dx.

        Args:
            dout: dL/dout, the shape of the last output.

        Returns:
            dx, the shape of the last input.
        """
        func = f"{type(self).__name__}.backward"
        if self._out_shape is None:
            raise ValueError(f"forward must run before backward for {func}; got no forward pass yet. "
                             "Call layer.forward(x, training=True) first.")
        dout = check_dout(dout, self._out_shape, func)
        dx, self.grads = self._backward(dout)
        return dx

    def _forward(self, x, training):
        raise NotImplementedError(f"{type(self).__name__} must define _forward(x, training) -> (out, cache)")

    def _backward(self, dout):
        raise NotImplementedError(f"{type(self).__name__} must define _backward(dout) -> (dx, grads)")

    def count_params(self):
        """Number of trained numbers in ``params``."""
        return int(sum(p.size for p in self.params.values()))

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


def _check_activation(activation, allow_softmax, func):
    """The activation's name (None → "linear"), validated before it is compared with anything."""
    activation = "linear" if activation is None else activation
    if isinstance(activation, A.Activation):
        return activation
    check_choice(activation, "activation", func, [*A.ACTIVATIONS, "softmax"])
    if activation == "softmax" and not allow_softmax:
        raise ValueError(f"activation must be elementwise for {func}; got 'softmax', which mixes the features. "
                         "Flatten first and end with Dense(classes, activation='softmax').")
    return activation


class Dense(Layer):
    """Fully connected layer with an optional activation: a = f(x @ kernel + bias).

    Args:
        units: number of outputs.
        activation: a name from :data:`~dlhelpers.scratch.activations.ACTIVATIONS`, ``"softmax"`` or None (linear).
        kernel_initializer, bias_initializer: names from :data:`~dlhelpers.scratch.initializers.INITIALIZERS`.
        name: a unique name (default: ``dense``, ``dense_1``, ... as Keras).

    Shapes: (N, in) → (N, units), or (N, T, in) → (N, T, units): on sequences the same kernel acts on the
    last axis at every step, as Keras's Dense on 3-D inputs (softmax over the last axis); params ``kernel``
    (in, units), ``bias`` (units,).
    """

    def __init__(self, units, activation=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", name=None):
        super().__init__(name)
        check_positive(units, "units", "Dense", integer=True)
        self.units = int(units)
        self.activation = _check_activation(activation, allow_softmax=True, func="Dense")
        check_choice(kernel_initializer, "kernel_initializer", "Dense", INITIALIZERS)
        check_choice(bias_initializer, "bias_initializer", "Dense", INITIALIZERS)
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer

    def build(self, input_shape, rng, dtype):
        """Create ``kernel`` (in, units) and ``bias`` (units,); return (units,), or (T, units) for (T, in) sequences."""
        if len(input_shape) not in (1, 2):
            raise ValueError(f"the input of Dense layer {self.name!r} must be 1-D features (or (T, features) "
                             f"sequences) for Sequential.build; got shape {input_shape}. "
                             "Put a Flatten() (or a global pooling layer) before it.")
        self.params = {
            "kernel": initialize(self.kernel_initializer, (input_shape[-1], self.units), rng, dtype),  # (in, units)
            "bias": initialize(self.bias_initializer, (self.units,), rng, dtype),                     # (units,)
        }
        return (*input_shape[:-1], self.units)

    def _forward(self, x, training):
        lead = np.shape(x)[:-1]                                         # (N,) or (N, T)
        x2 = np.reshape(x, (-1, np.shape(x)[-1])) if len(lead) > 1 else x   # sequences: every step as a row
        z, dcache = dense_forward(x2, self.params["kernel"], self.params["bias"])   # (rows, units)
        a = A.softmax(z) if self.activation == "softmax" else A.get_activation(self.activation).fn(z)
        return a.reshape(*lead, self.units), (dcache, z, a, lead)

    def _backward(self, dout):
        dcache, z, a, lead = self._cache
        dout = dout.reshape(-1, self.units)
        if self.activation == "softmax":
            dz = A.softmax_backward(dout, a)
        else:
            dz = dout * A.get_activation(self.activation).derivative(z)
        dx, grads = dense_backward(dz, dcache)
        return dx.reshape(*lead, -1), grads

    def _mask_out(self, x, mask, out):
        return mask                                                     # Keras's Dense passes the mask on

    def __repr__(self):
        return f"Dense({self.units}, activation={self.activation!r}, name={self.name!r})"


class PReLU(Layer):
    """Parametric ReLU with one learned slope per input value (initialised to 0, as Keras).

    Shapes: any (N, ...) → the same; params ``alpha`` with one sample's shape. A mask from a
    :class:`Masking` layer passes through to the next layer, as in Keras.
    """

    def build(self, input_shape, rng, dtype):
        """Create ``alpha`` (zeros, one sample's shape); return the input shape."""
        self.params = {"alpha": np.zeros(input_shape, dtype=dtype)}      # one slope per input value, as Keras
        return input_shape

    def _forward(self, x, training):
        return A.prelu_forward(x, self.params["alpha"])

    def _backward(self, dout):
        return A.prelu_backward(dout, self._cache)

    def _mask_out(self, x, mask, out):
        return mask                                                     # elementwise: the mask passes through


class Dropout(Layer):
    """Inverted dropout: drops units with probability ``rate`` inside ``fit`` only.

    Args:
        rate: in [0, 1).
        name: optional unique name.
    """

    def __init__(self, rate, name=None):
        super().__init__(name)
        check_in_range(rate, "rate", "Dropout", 0.0, 1.0)
        self.rate = rate
        self._rng = None

    def build(self, input_shape, rng, dtype):
        """Keep the network's ``rng`` for the masks; return the input shape."""
        self._rng = rng
        return input_shape

    def _forward(self, x, training):
        return dropout_forward(x, self.rate, training=training, rng=self._rng)

    def _backward(self, dout):
        return dropout_backward(dout, self._cache)

    def _mask_out(self, x, mask, out):
        return mask

    def __repr__(self):
        return f"Dropout({self.rate}, name={self.name!r})"


class Conv2D(Layer):
    """2-D convolution + activation on (N, H, W, C) inputs; kernel (KH, KW, C, F) as Keras.

    Args:
        filters: F, the number of output channels.
        kernel_size, strides: int or (rows, cols).
        padding: "valid", "same" or a non-negative int.
        activation: a name from ACTIVATIONS or None (linear).
        kernel_initializer: a name from INITIALIZERS (the bias starts at zero).
        name: optional unique name.

    Shapes: (N, H, W, C) → (N, H_out, W_out, F); params ``kernel`` (KH, KW, C, F), ``bias`` (F,).
    """

    def __init__(self, filters, kernel_size=3, strides=1, padding="valid", activation=None,
                 kernel_initializer="glorot_uniform", name=None):
        super().__init__(name)
        check_positive(filters, "filters", "Conv2D", integer=True)
        self.filters = int(filters)
        self.kernel_size = check_pair(kernel_size, "kernel_size", "Conv2D")
        self.strides = check_pair(strides, "strides", "Conv2D")
        pad_amounts(1, 1, 1, 1, self.strides, padding, "Conv2D")     # validates padding now, not at the first call
        self.padding = padding
        self.activation = _check_activation(activation, allow_softmax=False, func="Conv2D")
        check_choice(kernel_initializer, "kernel_initializer", "Conv2D", INITIALIZERS)
        self.kernel_initializer = kernel_initializer

    def build(self, input_shape, rng, dtype):
        """Create ``kernel`` (KH, KW, C, F) and ``bias`` (F,); return (H_out, W_out, F)."""
        if len(input_shape) != 3:
            raise ValueError(f"the input of Conv2D layer {self.name!r} must be (H, W, C) images for "
                             f"Sequential.build; got shape {input_shape}. Reshape flat pixels, e.g. "
                             "x.reshape(-1, 8, 8, 1).")
        H, W, C = input_shape
        KH, KW = self.kernel_size
        self.params = {"kernel": initialize(self.kernel_initializer, (KH, KW, C, self.filters), rng, dtype),
                       "bias": np.zeros(self.filters, dtype=dtype)}
        (t, b), (l, r) = pad_amounts(H, W, KH, KW, self.strides, self.padding, "Conv2D")
        if KH > H + t + b or KW > W + l + r:
            raise ValueError(f"the kernel ({KH}×{KW}) must fit inside the padded input ({H + t + b}×{W + l + r}) "
                             f"for Conv2D layer {self.name!r}; got a larger kernel. Use a smaller kernel_size or "
                             "padding='same'.")
        return ((H + t + b - KH) // self.strides[0] + 1, (W + l + r - KW) // self.strides[1] + 1, self.filters)

    def _forward(self, x, training):
        z, ccache = conv2d_forward(x, self.params["kernel"], self.params["bias"], self.strides, self.padding)
        return A.get_activation(self.activation).fn(z), (ccache, z)

    def _backward(self, dout):
        ccache, z = self._cache
        dz = dout * A.get_activation(self.activation).derivative(z)
        return conv2d_backward(dz, ccache)

    def __repr__(self):
        return f"Conv2D({self.filters}, {self.kernel_size}, activation={self.activation!r}, name={self.name!r})"


class _Pool(Layer):
    """Shared body of the two pooling layers: ``forward_fn``/``backward_fn`` come from :mod:`pooling`.

    Args (of both layers): pool_size (int or pair, default 2), strides (int, pair or None = pool_size),
    padding ("valid", "same" or an int smaller than the window), name (optional, unique).
    """

    def __init__(self, forward_fn, backward_fn, pool_size=2, strides=None, padding="valid", name=None):
        super().__init__(name)
        func = type(self).__name__
        pool = check_pair(pool_size, "pool_size", func)
        if strides is not None:
            check_pair(strides, "strides", func)
        pad_amounts(1, 1, 1, 1, pool, padding, func)                  # validates padding now
        self.pool_size, self.strides, self.padding = pool_size, strides, padding
        self._forward_fn, self._backward_fn = forward_fn, backward_fn

    def build(self, input_shape, rng, dtype):
        """No parameters; return (H_out, W_out, C)."""
        if len(input_shape) != 3:
            raise ValueError(f"the input of {type(self).__name__} layer {self.name!r} must be (H, W, C) for "
                             f"Sequential.build; got shape {input_shape}. Put it after a Conv2D layer or reshape the "
                             "input.")
        out, _ = self._forward_fn(np.zeros((1, *input_shape)), self.pool_size, self.strides, self.padding)
        return out.shape[1:]

    def _forward(self, x, training):
        return self._forward_fn(x, self.pool_size, self.strides, self.padding)

    def _backward(self, dout):
        return self._backward_fn(dout, self._cache)


class MaxPooling2D(_Pool):
    """Max pooling, Args as :func:`~dlhelpers.scratch.pooling.max_pool2d_forward`: (N, H, W, C) → (N, H_out, W_out, C)."""

    def __init__(self, pool_size=2, strides=None, padding="valid", name=None):
        super().__init__(P.max_pool2d_forward, P.max_pool2d_backward, pool_size, strides, padding, name)


class AveragePooling2D(_Pool):
    """Average pooling, Args as :func:`~dlhelpers.scratch.pooling.average_pool2d_forward`: (N, H, W, C) → (N, H_out, W_out, C)."""

    def __init__(self, pool_size=2, strides=None, padding="valid", name=None):
        super().__init__(P.average_pool2d_forward, P.average_pool2d_backward, pool_size, strides, padding, name)


class GlobalAveragePooling2D(Layer):
    """The mean of each channel: (N, H, W, C) → (N, C)."""

    def build(self, input_shape, rng, dtype):
        """No parameters; return (C,)."""
        if len(input_shape) != 3:
            raise ValueError(f"the input of GlobalAveragePooling2D layer {self.name!r} must be (H, W, C) for "
                             f"Sequential.build; got shape {input_shape}. Put it after a Conv2D layer.")
        return (input_shape[-1],)

    def _forward(self, x, training):
        return P.global_average_pool2d(x)

    def _backward(self, dout):
        return P.global_average_pool2d_backward(dout, self._cache)


class Flatten(Layer):
    """(N, ...) → (N, features), row-major as Keras's Flatten."""

    def build(self, input_shape, rng, dtype):
        """No parameters; return (prod(input_shape),)."""
        return (int(np.prod(input_shape)),)

    def _forward(self, x, training):
        return P.flatten_forward(x)

    def _backward(self, dout):
        return P.flatten_backward(dout, self._cache)


class BatchNormalization(Layer):
    """Batch normalization over the last axis, with Keras's momentum (0.99) and epsilon (1e-3).

    Args:
        momentum: in [0, 1]; epsilon: >= 0 (added to the variance).
        name: optional unique name.

    Shapes: (N, D), (N, T, D) or (N, H, W, C) → the same. ``gamma`` and ``beta`` (D,) are trained; the moving
    statistics ``state["moving_mean"]`` and ``state["moving_variance"]`` (D,) are updated in ``fit``.

    After a :class:`Masking` layer, as Keras's layer: in training the batch mean and variance (and so the
    moving statistics) come from the real steps only, every step is normalised with them, and the mask goes
    on to the next layer (see :func:`~dlhelpers.scratch.regularization.batchnorm_forward`).
    """

    def __init__(self, momentum=0.99, epsilon=1e-3, name=None):
        super().__init__(name)
        check_in_range(momentum, "momentum", "BatchNormalization", 0.0, 1.0, inclusive=(True, True))
        check_positive(epsilon, "epsilon", "BatchNormalization", allow_zero=True)
        self.momentum, self.epsilon = momentum, epsilon
        self.state: dict[str, np.ndarray] = {}

    def build(self, input_shape, rng, dtype):
        """Create ``gamma`` (ones), ``beta`` (zeros) and the moving statistics; return the input shape."""
        D = input_shape[-1]
        self.params = {"gamma": np.ones(D, dtype=dtype), "beta": np.zeros(D, dtype=dtype)}
        self.state = {"moving_mean": np.zeros(D, dtype=dtype), "moving_variance": np.ones(D, dtype=dtype)}
        return input_shape

    def _forward(self, x, training):
        out, cache = batchnorm_forward(x, self.params["gamma"], self.params["beta"], self.state["moving_mean"],
                                       self.state["moving_variance"], training=training,
                                       momentum=self.momentum, epsilon=self.epsilon, mask=self._input_mask)
        if training:
            self.state = {"moving_mean": cache["running_mean"], "moving_variance": cache["running_var"]}
        return out, cache

    def _backward(self, dout):
        return batchnorm_backward(dout, self._cache)

    def _mask_out(self, x, mask, out):
        return mask                                                     # Keras's BatchNormalization passes it on


# --- sequences ---------------------------------------------------------------------------------------

def _check_sequence_input(layer, input_shape):
    """(T, D) one sample of a sequence layer, or a ValueError in the house style."""
    if len(input_shape) != 2:
        raise ValueError(f"the input of {type(layer).__name__} layer {layer.name!r} must be (T, D) sequences (time "
                         f"steps, features per step) for Sequential.build; got shape {input_shape}. Give "
                         "input_shape=(T, D) and pass x of shape (N, T, D), e.g. x[..., None] for one feature per "
                         "step.")
    return input_shape


class Masking(Layer):
    """Marks padded time steps, as Keras's ``Masking``: a step is padding when all its features equal ``mask_value``.

    The output is the input with the padded steps set to zero; the (N, T) mask (True = a real step) goes to
    the next layers, and the recurrent layers then carry their state over the padded steps.

    Args:
        mask_value: the padding value (Keras's default 0.0).
        name: optional unique name.

    Shapes: (N, T, D) → (N, T, D); no params.
    """

    def __init__(self, mask_value=0.0, name=None):
        super().__init__(name)
        if isinstance(mask_value, bool) or not isinstance(mask_value, numbers.Real) or not np.isfinite(mask_value):
            _fail("mask_value", "Masking", "a finite number", f"{mask_value!r} ({type(mask_value).__name__})",
                  "Pass the value the padding uses, e.g. mask_value=0.0.",
                  exc=ValueError if isinstance(mask_value, numbers.Real) and not isinstance(mask_value, bool)
                  else TypeError)
        self.mask_value = float(mask_value)

    def build(self, input_shape, rng, dtype):
        """No parameters; return the input shape (T, D)."""
        return _check_sequence_input(self, input_shape)

    def _forward(self, x, training):
        keep = np.any(x != self.mask_value, axis=-1)                    # (N, T)
        return x * keep[..., None], keep

    def _backward(self, dout):
        return dout * self._cache[..., None], {}

    def _mask_out(self, x, mask, out):
        keep = self._cache
        return keep if mask is None else keep & mask

    def __repr__(self):
        return f"Masking(mask_value={self.mask_value}, name={self.name!r})"


class _Recurrent(Layer):
    """Shared body of SimpleRNN, LSTM and GRU: params in Keras's layout, the cell's forward/backward through time.

    Subclasses set ``_GATES`` (blocks side by side) and ``_bias(U, dtype)``; ``_run``/``_run_backward`` call
    the cell's functions through time with the layer's settings (Bidirectional calls them for both directions).
    """
    _GATES = 1

    def __init__(self, units, return_sequences=False, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", name=None):
        super().__init__(name)
        func = type(self).__name__
        check_positive(units, "units", func, integer=True)
        self.units = int(units)
        self.return_sequences = check_bool(return_sequences, "return_sequences", func)
        check_choice(kernel_initializer, "kernel_initializer", func, INITIALIZERS)
        check_choice(recurrent_initializer, "recurrent_initializer", func, INITIALIZERS)
        self.kernel_initializer, self.recurrent_initializer = kernel_initializer, recurrent_initializer

    def _bias(self, U, dtype):
        return np.zeros(U, dtype=dtype)

    def _new_params(self, D, rng, dtype):
        U, g = self.units, self._GATES
        return {"kernel": initialize(self.kernel_initializer, (D, g * U), rng, dtype),                  # (D, gU)
                "recurrent_kernel": initialize(self.recurrent_initializer, (U, g * U), rng, dtype),    # (U, gU)
                "bias": self._bias(U, dtype)}

    def build(self, input_shape, rng, dtype):
        """Create ``kernel`` (D, gates·U), ``recurrent_kernel`` (U, gates·U) and ``bias``; return (T, U) or (U,)."""
        T, D = _check_sequence_input(self, input_shape)
        self.params = self._new_params(D, rng, dtype)
        return (T, self.units) if self.return_sequences else (self.units,)

    def _run(self, x, params, mask):
        raise NotImplementedError

    def _run_backward(self, dh_seq, cache):
        raise NotImplementedError

    def _forward(self, x, training):
        h_seq, cache = self._run(x, self.params, self._input_mask)       # (N, T, U)
        return (h_seq if self.return_sequences else h_seq[:, -1]), cache

    def _backward(self, dout):
        cache = self._cache
        if self.return_sequences:
            dh_seq = dout
        else:                                                            # many-to-one: only the last output
            dh_seq = np.zeros(cache.x.shape[:2] + (self.units,), dtype=dout.dtype)
            dh_seq[:, -1] = dout
        return self._run_backward(dh_seq, cache)

    def _mask_out(self, x, mask, out):
        return mask if self.return_sequences else None

    def _config(self) -> dict:
        return {"units": self.units, "return_sequences": self.return_sequences,
                "kernel_initializer": self.kernel_initializer, "recurrent_initializer": self.recurrent_initializer}

    def __repr__(self):
        return f"{type(self).__name__}({self.units}, return_sequences={self.return_sequences}, name={self.name!r})"


class SimpleRNN(_Recurrent):
    """Elman recurrent layer: h_t = activation(x_t @ kernel + h_{t−1} @ recurrent_kernel + bias), as Keras's SimpleRNN.

    Args:
        units: U, the size of the state.
        activation: one of :data:`~dlhelpers.scratch.rnn.RNN_ACTIVATIONS` (default "tanh").
        return_sequences: False (many-to-one: the last output (N, U)) or True (every step (N, T, U)).
        kernel_initializer, recurrent_initializer: names from :data:`~dlhelpers.scratch.initializers.INITIALIZERS`
            (Keras's defaults glorot_uniform and orthogonal); the bias starts at zero.
        name: optional unique name.

    Shapes: (N, T, D) → (N, U) or (N, T, U); params ``kernel`` (D, U), ``recurrent_kernel`` (U, U), ``bias`` (U,):
    D·U + U·U + U numbers.
    """

    def __init__(self, units, activation="tanh", return_sequences=False, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", name=None):
        super().__init__(units, return_sequences, kernel_initializer, recurrent_initializer, name)
        check_choice(activation, "activation", "SimpleRNN", R.RNN_ACTIVATIONS)
        self.activation = activation

    def _run(self, x, params, mask):
        return R.simple_rnn_forward(x, params, activation=self.activation, mask=mask)

    def _run_backward(self, dh_seq, cache):
        return R.simple_rnn_backward(dh_seq, cache)

    def _config(self):
        return {**super()._config(), "activation": self.activation}


class LSTM(_Recurrent):
    """Long short-term memory layer (gates i, f, c, o side by side), as Keras's LSTM.

    Args:
        units: U, the size of h and c.
        return_sequences: False (the last output (N, U)) or True (every step (N, T, U)).
        unit_forget_bias: start the forget block of the bias at 1 (Keras's default), see
            :func:`~dlhelpers.scratch.lstm.lstm_bias`.
        kernel_initializer, recurrent_initializer: as :class:`SimpleRNN`.
        name: optional unique name.

    Shapes: (N, T, D) → (N, U) or (N, T, U); params ``kernel`` (D, 4U), ``recurrent_kernel`` (U, 4U), ``bias`` (4U,):
    4·(D·U + U·U + U) numbers.
    """
    _GATES = 4

    def __init__(self, units, return_sequences=False, unit_forget_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", name=None):
        super().__init__(units, return_sequences, kernel_initializer, recurrent_initializer, name)
        self.unit_forget_bias = check_bool(unit_forget_bias, "unit_forget_bias", "LSTM")

    def _bias(self, U, dtype):
        return LS.lstm_bias(U, self.unit_forget_bias, dtype=dtype)

    def _run(self, x, params, mask):
        return LS.lstm_forward(x, params, mask=mask)

    def _run_backward(self, dh_seq, cache):
        return LS.lstm_backward(dh_seq, cache)

    def _config(self):
        return {**super()._config(), "unit_forget_bias": self.unit_forget_bias}


class GRU(_Recurrent):
    """Gated recurrent unit (gates z, r, h; Keras's default ``reset_after=True`` form), as Keras's GRU.

    Args:
        units: U, the size of the state.
        return_sequences: False (the last output (N, U)) or True (every step (N, T, U)).
        kernel_initializer, recurrent_initializer: as :class:`SimpleRNN`.
        name: optional unique name.

    Shapes: (N, T, D) → (N, U) or (N, T, U); params ``kernel`` (D, 3U), ``recurrent_kernel`` (U, 3U),
    ``bias`` (2, 3U) (input row, recurrent row): 3·(D·U + U·U) + 6U numbers.
    """
    _GATES = 3

    def _bias(self, U, dtype):
        return np.zeros((2, 3 * U), dtype=dtype)

    def _run(self, x, params, mask):
        return G.gru_forward(x, params, mask=mask)

    def _run_backward(self, dh_seq, cache):
        return G.gru_backward(dh_seq, cache)


_RECURRENT_KEYS = ("kernel", "recurrent_kernel", "bias")


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy of it backwards in time and merges the two, as Keras's Bidirectional.

    The backward copy has the same settings and its own params; it reads the time-reversed sequence and
    its outputs are reversed back, so position t of both refers to step t. With ``return_sequences=False``
    the two last outputs are merged (the backward one has read the whole sequence down to step 0).

    Args:
        layer: a :class:`SimpleRNN`, :class:`LSTM` or :class:`GRU` (not yet in a model); its
            ``return_sequences`` decides the output.
        merge_mode: one of :data:`~dlhelpers.scratch.rnn.MERGE_MODES` ("concat" on the last axis, "sum",
            "mul", "ave").
        name: optional unique name.

    Shapes: (N, T, D) → (N, 2U) for "concat" (else (N, U)), or (N, T, ·) with return_sequences. Params in
    Keras's weight order, flat so the optimizers see one dict: ``forward_kernel``, ``forward_recurrent_kernel``,
    ``forward_bias``, ``backward_kernel``, ``backward_recurrent_kernel``, ``backward_bias``: twice the
    wrapped layer's count.
    """

    def __init__(self, layer, merge_mode="concat", name=None):
        super().__init__(name)
        if not isinstance(layer, _Recurrent):
            _fail("layer", "Bidirectional", "a recurrent layer (SimpleRNN, LSTM or GRU)", type(layer).__name__,
                  "Wrap one, e.g. Bidirectional(LSTM(16)).", exc=TypeError)
        check_choice(merge_mode, "merge_mode", "Bidirectional", R.MERGE_MODES)
        self.layer, self.merge_mode = layer, merge_mode
        self.backward_layer = type(layer)(**layer._config())             # the copy that reads time backwards
        self.return_sequences = layer.return_sequences
        self.units = layer.units

    def build(self, input_shape, rng, dtype):
        """Create both directions' params (forward first, as Keras); return the merged output shape."""
        T, D = _check_sequence_input(self, input_shape)
        self.params = {}
        for side, inner in (("forward", self.layer), ("backward", self.backward_layer)):
            fresh = inner._new_params(D, rng, dtype)
            self.params.update({f"{side}_{k}": fresh[k] for k in _RECURRENT_KEYS})
        width = 2 * self.units if self.merge_mode == "concat" else self.units
        return (T, width) if self.return_sequences else (width,)

    def _side(self, side):
        return {k: self.params[f"{side}_{k}"] for k in _RECURRENT_KEYS}

    def _forward(self, x, training):
        mask = self._input_mask
        h_f, cache_f = self.layer._run(x, self._side("forward"), mask)
        h_b, cache_b = self.backward_layer._run(x[:, ::-1], self._side("backward"),
                                                None if mask is None else mask[:, ::-1])
        if self.return_sequences:
            f, b = h_f, h_b[:, ::-1]                                     # both in forward time order (N, T, U)
            if mask is not None:                                         # Keras zeroes the padded outputs
                f, b = f * mask[..., None], b * mask[..., None]
        else:
            f, b = h_f[:, -1], h_b[:, -1]                                # (N, U) each
        out = {"concat": lambda: np.concatenate([f, b], axis=-1), "sum": lambda: f + b,
               "mul": lambda: f * b, "ave": lambda: (f + b) / 2}[self.merge_mode]()
        return out, (cache_f, cache_b, f, b, mask, x.shape)

    def _backward(self, dout):
        cache_f, cache_b, f, b, mask, (N, T, _) = self._cache
        U = self.units
        df, db = {"concat": lambda: (dout[..., :U], dout[..., U:]), "sum": lambda: (dout, dout),
                  "ave": lambda: (dout / 2, dout / 2), "mul": lambda: (dout * b, dout * f)}[self.merge_mode]()
        if self.return_sequences:
            if mask is not None:
                df, db = df * mask[..., None], db * mask[..., None]
            dh_f, dh_b = df, db[:, ::-1]
        else:
            dh_f, dh_b = (np.zeros((N, T, U), dtype=dout.dtype) for _ in range(2))
            dh_f[:, -1], dh_b[:, -1] = df, db
        dx_f, g_f = self.layer._run_backward(np.ascontiguousarray(dh_f), cache_f)
        dx_b, g_b = self.backward_layer._run_backward(np.ascontiguousarray(dh_b), cache_b)
        grads = {**{f"forward_{k}": g_f[k] for k in _RECURRENT_KEYS}, **{f"backward_{k}": g_b[k] for k in _RECURRENT_KEYS}}
        return dx_f + dx_b[:, ::-1], grads

    def _mask_out(self, x, mask, out):
        return mask if self.return_sequences else None

    def __repr__(self):
        return f"Bidirectional({self.layer!r}, merge_mode={self.merge_mode!r}, name={self.name!r})"


# --- generators: from a noise vector up to an image ----------------------------------------------------------

class Conv2DTranspose(Layer):
    """Transposed convolution + activation, as Keras's ``Conv2DTranspose``: each pixel stamps a scaled kernel.

    Args:
        filters: F_out, the number of output channels.
        kernel_size, strides: int or (rows, cols); a stride s makes the output about s times larger.
        padding: "valid" (H_out = (H − 1)·s + max(k, s)) or "same" (H_out = H·s).
        activation: a name from ACTIVATIONS or None (linear).
        use_bias: add a bias per output channel (Keras's default True).
        kernel_initializer: a name from INITIALIZERS (the bias starts at zero).
        name: optional unique name.

    Shapes: (N, H, W, C) → (N, H_out, W_out, F_out); params ``kernel`` (KH, KW, F_out, C) (Keras's layout:
    output channels before input channels) and, with use_bias, ``bias`` (F_out,). See
    :func:`~dlhelpers.scratch.conv.conv2d_transpose_forward`.
    """

    def __init__(self, filters, kernel_size, strides=1, padding="valid", activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", name=None):
        super().__init__(name)
        func = "Conv2DTranspose"
        check_positive(filters, "filters", func, integer=True)
        self.filters = int(filters)
        self.kernel_size = check_pair(kernel_size, "kernel_size", func)
        self.strides = check_pair(strides, "strides", func)
        self.padding = _transpose_padding(padding, func)
        self.activation = _check_activation(activation, allow_softmax=False, func=func)
        self.use_bias = check_bool(use_bias, "use_bias", func)
        check_choice(kernel_initializer, "kernel_initializer", func, INITIALIZERS)
        self.kernel_initializer = kernel_initializer

    def build(self, input_shape, rng, dtype):
        """Create ``kernel`` (KH, KW, F_out, C) and ``bias`` (F_out,); return (H_out, W_out, F_out)."""
        if len(input_shape) != 3:
            raise ValueError(f"the input of Conv2DTranspose layer {self.name!r} must be (H, W, C) images for "
                             f"Sequential.build; got shape {input_shape}. Put a Reshape before it, e.g. "
                             "Reshape((7, 7, 16)) after Dense(7 * 7 * 16).")
        H, W, C = input_shape
        KH, KW = self.kernel_size
        self.params = {"kernel": initialize(self.kernel_initializer, (KH, KW, self.filters, C), rng, dtype)}
        if self.use_bias:
            self.params["bias"] = np.zeros(self.filters, dtype=dtype)
        return (conv_transpose_output_size(H, KH, self.strides[0], self.padding),
                conv_transpose_output_size(W, KW, self.strides[1], self.padding), self.filters)

    def _forward(self, x, training):
        z, tcache = conv2d_transpose_forward(x, self.params["kernel"], self.params.get("bias"), self.strides,
                                             self.padding)
        return A.get_activation(self.activation).fn(z), (tcache, z)

    def _backward(self, dout):
        tcache, z = self._cache
        dz = dout * A.get_activation(self.activation).derivative(z)
        return conv2d_transpose_backward(dz, tcache)

    def __repr__(self):
        return (f"Conv2DTranspose({self.filters}, {self.kernel_size}, strides={self.strides}, "
                f"activation={self.activation!r}, name={self.name!r})")


class UpSampling2D(Layer):
    """Nearest-neighbour upsampling, as Keras's ``UpSampling2D``: every pixel becomes a rows × cols block.

    Args:
        size: int or (rows, cols) (default 2).
        interpolation: "nearest" (the only one with an exact float64 twin, see
            :mod:`~dlhelpers.scratch.upsampling`).
        name: optional unique name.

    Shapes: (N, H, W, C) → (N, H·rows, W·cols, C); no params.
    """

    def __init__(self, size=2, interpolation="nearest", name=None):
        super().__init__(name)
        self.size = check_pair(size, "size", "UpSampling2D")
        self.interpolation = UP._check_interpolation(interpolation, "UpSampling2D")

    def build(self, input_shape, rng, dtype):
        """No parameters; return (H·rows, W·cols, C)."""
        if len(input_shape) != 3:
            raise ValueError(f"the input of UpSampling2D layer {self.name!r} must be (H, W, C) images for "
                             f"Sequential.build; got shape {input_shape}. Put a Reshape before it, e.g. "
                             "Reshape((7, 7, 16)).")
        H, W, C = input_shape
        return (H * self.size[0], W * self.size[1], C)

    def _forward(self, x, training):
        return UP.up_sampling2d_forward(x, self.size, self.interpolation)

    def _backward(self, dout):
        return UP.up_sampling2d_backward(dout, self._cache)

    def __repr__(self):
        return f"UpSampling2D(size={self.size}, name={self.name!r})"


class Reshape(Layer):
    """Gives each sample a new shape with the same values in the same (row-major) order, as Keras's ``Reshape``.

    Args:
        target_shape: one sample's new shape, a tuple of positive ints; one entry may be −1 (worked out
            from the others), e.g. ``(7, 7, -1)``.
        name: optional unique name.

    Shapes: (N, *input_shape) → (N, *target_shape); no params.
    """

    def __init__(self, target_shape, name=None):
        super().__init__(name)
        if not isinstance(target_shape, (tuple, list)) or len(target_shape) == 0:
            _fail("target_shape", "Reshape", "a non-empty tuple of ints", f"{target_shape!r} "
                  f"({type(target_shape).__name__})", "Pass one sample's shape, e.g. Reshape((7, 7, 16)).",
                  exc=TypeError)
        for v in target_shape:
            if isinstance(v, bool) or not isinstance(v, numbers.Integral):
                _fail("target_shape", "Reshape", "a tuple of ints", f"{tuple(target_shape)!r} (an entry of type "
                      f"{type(v).__name__})", "Pass whole numbers, e.g. Reshape((7, 7, 16)).", exc=TypeError)
            if v < 1 and v != -1:
                _fail("target_shape", "Reshape", "positive sizes (and at most one −1)", repr(tuple(target_shape)),
                      "Use −1 for the one size to be worked out, e.g. Reshape((7, 7, -1)).")
        if list(target_shape).count(-1) > 1:
            _fail("target_shape", "Reshape", "positive sizes with at most one −1", repr(tuple(target_shape)),
                  "Give every size but one, e.g. Reshape((7, 7, -1)).")
        self.target_shape = tuple(int(v) for v in target_shape)

    def _resolve(self, input_shape, func):
        """``target_shape`` with −1 worked out for one sample of ``input_shape``, or a ValueError."""
        total = int(np.prod(input_shape))
        known = int(np.prod([v for v in self.target_shape if v != -1]))
        if -1 in self.target_shape and total % known == 0:
            return tuple(total // known if v == -1 else v for v in self.target_shape)
        if -1 not in self.target_shape and known == total:
            return self.target_shape
        _fail("target_shape", f"{func} of Reshape layer {self.name!r}",
              f"a shape holding the {total} values of one input sample {tuple(input_shape)}",
              f"{self.target_shape}, which " + (f"cannot split them into blocks of {known}" if -1 in self.target_shape
                                                else f"holds {known}"),
              "Make the sizes multiply to the input's size, or use −1 for one of them.")

    def build(self, input_shape, rng, dtype):
        """No parameters; return the target shape (−1 worked out)."""
        return self._resolve(input_shape, "Sequential.build")

    def _forward(self, x, training):
        x = np.asarray(x)
        shape = self._resolve(x.shape[1:], "Reshape.forward")
        return x.reshape(x.shape[0], *shape), x.shape

    def _backward(self, dout):
        return dout.reshape(self._cache), {}

    def __repr__(self):
        return f"Reshape({self.target_shape}, name={self.name!r})"


class LeakyReLU(Layer):
    """Leaky ReLU as a layer, as Keras 3's ``LeakyReLU``: x for x > 0, negative_slope·x otherwise.

    Args:
        negative_slope: the slope for x ≤ 0, a number ≥ 0 (Keras's default 0.3; DCGAN uses 0.2).
        name: optional unique name.

    Shapes: any (N, ...) → the same; no params. The derivative at x = 0 is negative_slope, as TensorFlow's.
    TensorFlow takes the slope as a float32 number even in a float64 layer (0.3 → 0.30000001), so a float64
    Keras twin agrees to about 1e-8 unless the slope is exact in float32 (0.25, 0.5, ...).
    """

    def __init__(self, negative_slope=0.3, name=None):
        super().__init__(name)
        check_number(negative_slope, "negative_slope", "LeakyReLU", low=0,
                     fix="Pass a slope >= 0, e.g. negative_slope=0.2 (Keras refuses negative slopes).")
        self.negative_slope = negative_slope

    def _forward(self, x, training):
        return A.leaky_relu(x, self.negative_slope), x

    def _backward(self, dout):
        return dout * A.leaky_relu_derivative(self._cache, self.negative_slope), {}

    def _mask_out(self, x, mask, out):
        return mask                                                     # elementwise: the mask passes through

    def __repr__(self):
        return f"LeakyReLU(negative_slope={self.negative_slope}, name={self.name!r})"
