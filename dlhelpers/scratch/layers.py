"""Layer objects for :class:`~dlhelpers.scratch.network.Sequential`: every layer class lives here.

Each layer wraps the forward/backward functions of its concept module (``dense``, ``conv``,
``pooling``, ``regularization``, ``activations``) and keeps what the network needs between the
two passes: ``params`` (trained arrays, Keras's names and layouts), ``grads`` (same keys, filled by
``backward``) and the cache of the last ``forward``. ``backward`` checks the upstream gradient
against the shape of the last output, so a wrong-shaped ``dout`` is a clear ValueError.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_choice, check_dout, check_in_range, check_pair, check_positive
from . import activations as A
from . import pooling as P
from .conv import conv2d_backward, conv2d_forward, pad_amounts
from .dense import dense_backward, dense_forward
from .initializers import INITIALIZERS, initialize
from .regularization import batchnorm_backward, batchnorm_forward, dropout_backward, dropout_forward

__all__ = ["Layer", "Dense", "Dropout", "PReLU", "Conv2D", "MaxPooling2D", "AveragePooling2D",
           "GlobalAveragePooling2D", "Flatten", "BatchNormalization", "layer_type_names"]


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

    def forward(self, x, training=False):
        """Run the layer on a batch and keep what ``backward`` needs.

        Args:
            x: (N, *input_shape).
            training: True inside ``fit`` (dropout drops, batch norm uses batch statistics).

        Returns:
            (N, *output_shape).
        """
        out, self._cache = self._forward(x, training)
        self._out_shape = np.shape(out)
        return out

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

    Shapes: (N, in) → (N, units); params ``kernel`` (in, units), ``bias`` (units,).
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
        """Create ``kernel`` (in, units) and ``bias`` (units,); return (units,)."""
        if len(input_shape) != 1:
            raise ValueError(f"the input of Dense layer {self.name!r} must be 1-D features for Sequential.build; got "
                             f"shape {input_shape}. "
                             "Put a Flatten() (or a global pooling layer) before it.")
        self.params = {
            "kernel": initialize(self.kernel_initializer, (input_shape[0], self.units), rng, dtype),  # (in, units)
            "bias": initialize(self.bias_initializer, (self.units,), rng, dtype),                    # (units,)
        }
        return (self.units,)

    def _forward(self, x, training):
        z, dcache = dense_forward(x, self.params["kernel"], self.params["bias"])   # (N, units)
        a = A.softmax(z) if self.activation == "softmax" else A.get_activation(self.activation).fn(z)
        return a, (dcache, z, a)

    def _backward(self, dout):
        dcache, z, a = self._cache
        if self.activation == "softmax":
            dz = A.softmax_backward(dout, a)
        else:
            dz = dout * A.get_activation(self.activation).derivative(z)
        return dense_backward(dz, dcache)

    def __repr__(self):
        return f"Dense({self.units}, activation={self.activation!r}, name={self.name!r})"


class PReLU(Layer):
    """Parametric ReLU with one learned slope per input value (initialised to 0, as Keras).

    Shapes: any (N, ...) → the same; params ``alpha`` with one sample's shape.
    """

    def build(self, input_shape, rng, dtype):
        """Create ``alpha`` (zeros, one sample's shape); return the input shape."""
        self.params = {"alpha": np.zeros(input_shape, dtype=dtype)}      # one slope per input value, as Keras
        return input_shape

    def _forward(self, x, training):
        return A.prelu_forward(x, self.params["alpha"])

    def _backward(self, dout):
        return A.prelu_backward(dout, self._cache)


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

    Shapes: (N, D) or (N, H, W, C) → the same. ``gamma`` and ``beta`` (D,) are trained; the moving
    statistics ``state["moving_mean"]`` and ``state["moving_variance"]`` (D,) are updated in ``fit``.
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
                                       momentum=self.momentum, epsilon=self.epsilon)
        if training:
            self.state = {"moving_mean": cache["running_mean"], "moving_variance": cache["running_var"]}
        return out, cache

    def _backward(self, dout):
        return batchnorm_backward(dout, self._cache)
