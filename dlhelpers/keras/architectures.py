"""Classic CNN architectures as Keras builders: LeNet-5, VGG-style blocks, an Inception module, ResNet blocks.

Each is small enough to read on one screen; notebook II.9 derives their parameter counts by hand
and checks them against ``model.count_params()``.
"""
from __future__ import annotations

import keras
from keras import layers

__all__ = ["lenet5", "vgg", "inception_module", "inception_net", "residual_block", "resnet", "plain_net", "cnn"]


def lenet5(input_shape=(32, 32, 1), num_classes=10, activation="tanh"):
    """LeNet-5 (LeCun et al., 1998) in its common modern form: conv 6@5×5 → avg-pool → conv 16@5×5 →
    avg-pool → dense 120 → dense 84 → softmax. 61,706 parameters for 32×32×1 inputs and 10 classes.

    Args:
        input_shape: (H, W, C) of the images (32×32×1 in the paper; 8×8 digits are too small for it).
        num_classes: size of the softmax output.
        activation: of the conv and dense layers ("tanh" as in the paper; "relu" trains faster).

    Returns:
        An uncompiled ``keras.Sequential`` named "lenet5", layers named as in the paper (c1, s2, ...).
    """
    return keras.Sequential([
        keras.Input(input_shape),
        layers.Conv2D(6, 5, activation=activation, name="c1"),          # 28×28×6
        layers.AveragePooling2D(2, name="s2"),                            # 14×14×6
        layers.Conv2D(16, 5, activation=activation, name="c3"),         # 10×10×16
        layers.AveragePooling2D(2, name="s4"),                            # 5×5×16
        layers.Flatten(name="flatten"),
        layers.Dense(120, activation=activation, name="c5"),
        layers.Dense(84, activation=activation, name="f6"),
        layers.Dense(num_classes, activation="softmax", name="output"),
    ], name="lenet5")


def vgg(input_shape=(32, 32, 3), num_classes=10, blocks=((32, 2), (64, 2)), dense=(128,), batch_norm=False):
    """VGG-style: blocks of ``n`` 3×3 'same' convolutions with ``filters`` each, then 2×2 max pooling.

    Args:
        input_shape: (H, W, C); H and W must survive one halving per block.
        num_classes: size of the softmax output.
        blocks: ``(filters, n)`` per block.
        dense: sizes of the ReLU dense layers before the output.
        batch_norm: put BatchNormalization between each convolution and its ReLU.

    Returns:
        An uncompiled ``keras.Sequential`` named "vgg" (layers ``block{b}_conv{i}``, ``fc{i}``, ``output``).
    """
    model = keras.Sequential([keras.Input(input_shape)], name="vgg")
    for b, (filters, n) in enumerate(blocks, start=1):
        for i in range(1, n + 1):
            model.add(layers.Conv2D(filters, 3, padding="same", activation=None if batch_norm else "relu",
                                    name=f"block{b}_conv{i}"))
            if batch_norm:
                model.add(layers.BatchNormalization(name=f"block{b}_bn{i}"))
                model.add(layers.Activation("relu", name=f"block{b}_relu{i}"))
        model.add(layers.MaxPooling2D(2, name=f"block{b}_pool"))
    model.add(layers.Flatten(name="flatten"))
    for i, units in enumerate(dense, start=1):
        model.add(layers.Dense(units, activation="relu", name=f"fc{i}"))
    model.add(layers.Dense(num_classes, activation="softmax", name="output"))
    return model


def inception_module(x, f1, f3_reduce, f3, f5_reduce, f5, pool_proj, name="inception"):
    """GoogLeNet's module: 1×1, 1×1→3×3, 1×1→5×5 and 3×3-pool→1×1 branches, concatenated on channels.

    Args:
        x: a Keras tensor (N, H, W, C) of a functional model.
        f1: filters of the 1×1 branch.
        f3_reduce, f3: 1×1 reduction, then 3×3 filters.
        f5_reduce, f5: 1×1 reduction, then 5×5 filters.
        pool_proj: 1×1 filters after the 3×3 max pooling.
        name: prefix of the layer names.

    Returns:
        The Keras tensor (N, H, W, f1 + f3 + f5 + pool_proj).
    """
    b1 = layers.Conv2D(f1, 1, padding="same", activation="relu", name=f"{name}_1x1")(x)
    b3 = layers.Conv2D(f3_reduce, 1, padding="same", activation="relu", name=f"{name}_3x3_reduce")(x)
    b3 = layers.Conv2D(f3, 3, padding="same", activation="relu", name=f"{name}_3x3")(b3)
    b5 = layers.Conv2D(f5_reduce, 1, padding="same", activation="relu", name=f"{name}_5x5_reduce")(x)
    b5 = layers.Conv2D(f5, 5, padding="same", activation="relu", name=f"{name}_5x5")(b5)
    bp = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    bp = layers.Conv2D(pool_proj, 1, padding="same", activation="relu", name=f"{name}_pool_proj")(bp)
    return layers.Concatenate(name=f"{name}_concat")([b1, b3, b5, bp])


def inception_net(input_shape=(28, 28, 192), module=(64, 96, 128, 16, 32, 32)):
    """A model holding just one Inception module (default: GoogLeNet's 'inception 3a' sizes).

    Args:
        input_shape: (H, W, C) of the module's input.
        module: ``(f1, f3_reduce, f3, f5_reduce, f5, pool_proj)`` for :func:`inception_module`.

    Returns:
        A ``keras.Model`` named "inception_3a" (output 28×28×256 with the defaults).
    """
    inp = keras.Input(input_shape)
    return keras.Model(inp, inception_module(inp, *module, name="inception_3a"), name="inception_3a")


def residual_block(x, filters, strides=1, name="res"):
    """Two 3×3 conv + batch norm layers and a shortcut: identity when shapes match, otherwise a
    1×1 convolution with the same stride (the projection shortcut). out = relu(F(x) + shortcut(x)).

    Args:
        x: a Keras tensor (N, H, W, C).
        filters: channels of both convolutions (and of the output).
        strides: stride of the first convolution (2 halves H and W and needs the projection).
        name: prefix of the layer names.

    Returns:
        The Keras tensor (N, H / strides, W / strides, filters).
    """
    y = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False, name=f"{name}_conv1")(x)
    y = layers.BatchNormalization(name=f"{name}_bn1")(y)
    y = layers.Activation("relu", name=f"{name}_relu1")(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv2")(y)
    y = layers.BatchNormalization(name=f"{name}_bn2")(y)
    shortcut = x
    if strides != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=strides, use_bias=False, name=f"{name}_proj")(x)
        shortcut = layers.BatchNormalization(name=f"{name}_proj_bn")(shortcut)
    y = layers.Add(name=f"{name}_add")([y, shortcut])
    return layers.Activation("relu", name=f"{name}_out")(y)


def _stem(inp, filters):
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name="stem_conv")(inp)
    x = layers.BatchNormalization(name="stem_bn")(x)
    return layers.Activation("relu", name="stem_relu")(x)


def resnet(input_shape=(8, 8, 1), num_classes=10, stages=((16, 1), (32, 1)), name="resnet"):
    """A small ResNet: stem, then per stage (filters, blocks) residual blocks (the first of each later
    stage downsamples with stride 2 and a projection shortcut), global average pooling, softmax.

    Args:
        input_shape: (H, W, C) of the images.
        num_classes: size of the softmax output.
        stages: ``(filters, blocks)`` per stage.
        name: the model's name.

    Returns:
        An uncompiled ``keras.Model`` (19,994 parameters with the defaults).
    """
    inp = keras.Input(input_shape)
    x = _stem(inp, stages[0][0])
    for s, (filters, n) in enumerate(stages):
        for b in range(n):
            x = residual_block(x, filters, strides=2 if (s > 0 and b == 0) else 1, name=f"stage{s + 1}_block{b + 1}")
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    return keras.Model(inp, layers.Dense(num_classes, activation="softmax", name="output")(x), name=name)


def plain_net(input_shape=(8, 8, 1), num_classes=10, filters=16, depth=10, residual=False, batch_norm=False,
              name=None):
    """``depth`` 3×3 conv layers of the same width, with or without identity shortcuts around each
    pair: the same network twice, to compare how gradients reach the first layer.

    Args:
        input_shape: (H, W, C) of the images.
        num_classes: size of the softmax output.
        filters: channels of every convolution.
        depth: number of convolutions (the first, then pairs).
        residual: add an identity shortcut around each pair.
        batch_norm: put BatchNormalization after the first convolution of each pair.
        name: the model's name ("residual" or "plain" by default).

    Returns:
        An uncompiled ``keras.Model``; both variants have the same number of parameters.
    """
    inp = keras.Input(input_shape)
    x = layers.Conv2D(filters, 3, padding="same", activation="relu", name="conv_0")(inp)
    for i in range(1, depth, 2):
        y = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv_{i}")(x)
        if batch_norm:
            y = layers.BatchNormalization(name=f"bn_{i}")(y)
        y = layers.Conv2D(filters, 3, padding="same", activation=None if residual else "relu", name=f"conv_{i + 1}")(y)
        x = layers.Activation("relu", name=f"out_{i + 1}")(layers.Add(name=f"add_{i + 1}")([x, y])) if residual else y
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    out = layers.Dense(num_classes, activation="softmax", name="output")(x)
    return keras.Model(inp, out, name=name or ("residual" if residual else "plain"))


def cnn(input_shape=(8, 8, 1), num_classes=10, filters=(32, 64), dense=128, dropout=0.0, batch_norm=False,
        bn_momentum=0.99):
    """The workhorse of Unit II: per entry of ``filters`` a 3×3 'same' conv (+ BN) + ReLU + 2×2 max pool,
    then dense + dropout + softmax.

    Args:
        input_shape: (H, W, C) of the images.
        num_classes: size of the softmax output.
        filters: channels of each conv block (each block halves H and W).
        dense: units of the hidden dense layer.
        dropout: rate of the Dropout before the output (0: no Dropout layer).
        batch_norm: BatchNormalization between each convolution and its ReLU.
        bn_momentum: the batch-norm layers' momentum.

    Returns:
        An uncompiled ``keras.Sequential`` named "cnn" (layers conv1, bn1, relu1, pool1, ..., output).
    """
    model = keras.Sequential([keras.Input(input_shape)], name="cnn")
    for i, f in enumerate(filters, start=1):
        model.add(layers.Conv2D(f, 3, padding="same", activation=None if batch_norm else "relu", name=f"conv{i}"))
        if batch_norm:
            model.add(layers.BatchNormalization(momentum=bn_momentum, name=f"bn{i}"))
            model.add(layers.Activation("relu", name=f"relu{i}"))
        model.add(layers.MaxPooling2D(2, name=f"pool{i}"))
    model.add(layers.Flatten(name="flatten"))
    model.add(layers.Dense(dense, activation="relu", name="dense"))
    if dropout:
        model.add(layers.Dropout(dropout, name="dropout"))
    model.add(layers.Dense(num_classes, activation="softmax", name="output"))
    return model
