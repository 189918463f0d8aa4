"""Keras twins of :mod:`dlhelpers.scratch.augment`: the preprocessing layers, plus salt-and-pepper noise."""
from __future__ import annotations

import keras
from keras import ops

__all__ = ["SaltAndPepper", "augmentation"]


@keras.saving.register_keras_serializable(package="dlhelpers")
class SaltAndPepper(keras.layers.Layer):
    """Set a fraction ``amount`` of pixels to ``salt`` (half) or ``pepper`` (half); training only."""

    def __init__(self, amount=0.05, salt=1.0, pepper=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= amount <= 1.0:
            raise ValueError(f"amount must be in [0, 1] for SaltAndPepper; got {amount}.")
        self.amount, self.salt, self.pepper = float(amount), float(salt), float(pepper)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, x, training=False):
        if not training or self.amount == 0:
            return x
        shape = ops.shape(x)
        u = keras.random.uniform((shape[0], shape[1], shape[2], 1), seed=self.seed_generator)
        x = ops.where(u < self.amount / 2, ops.cast(self.pepper, x.dtype), x)
        return ops.where((u >= self.amount / 2) & (u < self.amount), ops.cast(self.salt, x.dtype), x)

    def get_config(self):
        return {**super().get_config(), "amount": self.amount, "salt": self.salt, "pepper": self.pepper}


def augmentation(flip=None, rotation=0.0, translation=0.0, zoom=0.0, noise=0.0, fill_mode="reflect", seed=None):
    """A Sequential of Keras augmentation layers; each argument as in the scratch ``random_*`` functions.

    flip: None, "horizontal", "vertical" or "horizontal_and_vertical"; rotation: fraction of a full
    turn; translation and zoom: fractions of the image size; noise: salt-and-pepper amount.
    """
    layers = []
    if flip:
        layers.append(keras.layers.RandomFlip(flip, seed=seed))
    if rotation:
        layers.append(keras.layers.RandomRotation(rotation, fill_mode=fill_mode, seed=seed))
    if translation:
        layers.append(keras.layers.RandomTranslation(translation, translation, fill_mode=fill_mode, seed=seed))
    if zoom:
        layers.append(keras.layers.RandomZoom(zoom, fill_mode=fill_mode, seed=seed))
    if noise:
        layers.append(SaltAndPepper(noise, seed=seed))
    return keras.Sequential(layers, name="augmentation")
