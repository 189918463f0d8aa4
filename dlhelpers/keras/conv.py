"""Keras twin of :mod:`dlhelpers.scratch.conv`: a Conv2D (or Conv2DTranspose) holding given weights, and its gradients."""
from __future__ import annotations

import keras
import numpy as np

from .gradtape import forward_and_grads

__all__ = ["conv2d_layer", "conv2d_forward_and_grads", "conv2d_transpose_layer", "conv2d_transpose_forward_and_grads"]


def conv2d_layer(kernel, bias=None, strides=1, padding="valid", activation=None):
    """A built Keras model doing the same convolution as ``scratch.conv.conv2d_forward``.

    Keras's Conv2D knows "valid" and "same"; an int padding p becomes ZeroPadding2D(p) + "valid".

    Args:
        kernel: (KH, KW, C, F) array; its dtype becomes the model's dtype.
        bias: (F,) array, or None for zeros.
        strides: int or (rows, cols), as in the scratch twin.
        padding: "valid", "same" or an int number of zero rows/columns on every side.
        activation: a Keras activation name, or None.

    Returns:
        A ``keras.Sequential`` taking (N, H, W, C); its Conv2D layer is named ``"conv"``.

    Example:
        >>> model = conv2d_layer(np.ones((3, 3, 1, 1)), padding=1)
        >>> model(np.ones((1, 5, 5, 1))).shape
        TensorShape([1, 5, 5, 1])
    """
    kernel = np.asarray(kernel)
    KH, KW, C, F = kernel.shape
    bias = np.zeros(F, kernel.dtype) if bias is None else np.asarray(bias)
    dtype = str(kernel.dtype)
    layers = [keras.Input((None, None, C), dtype=dtype)]
    if not isinstance(padding, str):
        layers.append(keras.layers.ZeroPadding2D(int(padding), dtype=dtype))
        padding = "valid"
    conv = keras.layers.Conv2D(F, (KH, KW), strides=strides, padding=padding, activation=activation, dtype=dtype,
                               name="conv")
    layers.append(conv)
    model = keras.Sequential(layers)
    conv.set_weights([kernel, bias])
    return model


def conv2d_forward_and_grads(x, kernel, bias, dout, strides=1, padding="valid"):
    """Keras's convolution and its gradients for upstream ``dout``: the twin of forward + backward.

    Args:
        x: (N, H, W, C) input, converted to the kernel's dtype.
        kernel: (KH, KW, C, F); bias: (F,).
        dout: (N, H_out, W_out, F) upstream gradient ∂L/∂out.
        strides, padding: as in :func:`conv2d_layer`.

    Returns:
        ``(out, dx, grads)``: out (N, H_out, W_out, F), dx (N, H, W, C) and
        ``{"kernel": (KH, KW, C, F), "bias": (F,)}``, as ``scratch.conv.conv2d_forward`` + ``conv2d_backward``.
    """
    model = conv2d_layer(kernel, bias, strides, padding)
    conv = model.get_layer("conv")
    x = np.asarray(x, dtype=np.asarray(kernel).dtype)
    return forward_and_grads(model, x, dout, {"kernel": conv.kernel, "bias": conv.bias})


def conv2d_transpose_layer(kernel, bias=None, strides=1, padding="valid", activation=None):
    """A built Keras model doing the same transposed convolution as ``scratch.conv.conv2d_transpose_forward``.

    Args:
        kernel: (KH, KW, F_out, C_in) array, Keras's Conv2DTranspose layout; its dtype becomes the model's dtype.
        bias: (F_out,) array, or None for a layer without bias (``use_bias=False``).
        strides: int or (rows, cols).
        padding: "valid" or "same" (no ``output_padding``, as the scratch twin).
        activation: a Keras activation name, or None.

    Returns:
        A ``keras.Sequential`` taking (N, H, W, C_in); its Conv2DTranspose layer is named ``"conv_transpose"``.

    Example:
        >>> model = conv2d_transpose_layer(np.ones((3, 3, 1, 1)), strides=2)
        >>> model(np.ones((1, 4, 4, 1))).shape
        TensorShape([1, 9, 9, 1])
    """
    kernel = np.asarray(kernel)
    KH, KW, F, C = kernel.shape
    dtype = str(kernel.dtype)
    layer = keras.layers.Conv2DTranspose(F, (KH, KW), strides=strides, padding=padding, activation=activation,
                                         use_bias=bias is not None, dtype=dtype, name="conv_transpose")
    model = keras.Sequential([keras.Input((None, None, C), dtype=dtype), layer])
    layer.set_weights([kernel] + ([np.asarray(bias, dtype=kernel.dtype)] if bias is not None else []))
    return model


def conv2d_transpose_forward_and_grads(x, kernel, bias, dout, strides=1, padding="valid"):
    """Keras's transposed convolution and its gradients for upstream ``dout``: the twin of forward + backward.

    Args:
        x: (N, H, W, C_in) input, converted to the kernel's dtype.
        kernel: (KH, KW, F_out, C_in); bias: (F_out,) or None (no bias).
        dout: (N, H_out, W_out, F_out) upstream gradient ∂L/∂out.
        strides, padding: as in :func:`conv2d_transpose_layer`.

    Returns:
        ``(out, dx, grads)``: out (N, H_out, W_out, F_out), dx (N, H, W, C_in) and ``{"kernel": (KH, KW, F_out,
        C_in), "bias": (F_out,)}`` ("bias" only with a bias), as ``scratch.conv.conv2d_transpose_forward`` +
        ``conv2d_transpose_backward``.
    """
    model = conv2d_transpose_layer(kernel, bias, strides, padding)
    layer = model.get_layer("conv_transpose")
    variables = {"kernel": layer.kernel, **({"bias": layer.bias} if bias is not None else {})}
    x = np.asarray(x, dtype=np.asarray(kernel).dtype)
    return forward_and_grads(model, x, dout, variables)
