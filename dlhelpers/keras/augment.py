"""Keras twins of :mod:`dlhelpers.scratch.augment`: the preprocessing layers, plus salt-and-pepper noise."""
from __future__ import annotations

import keras
from keras import ops

__all__ = ["SaltAndPepper", "augmentation"]


@keras.saving.register_keras_serializable(package="dlhelpers")
class SaltAndPepper(keras.layers.Layer):
    """Set a fraction ``amount`` of pixels to ``salt`` (half) or ``pepper`` (half); training only.

    The twin of ``scratch.augment.salt_and_pepper``: one draw per pixel position, shared by its channels.

    Args:
        amount: fraction of pixels changed, in [0, 1].
        salt, pepper: the values written (bright and dark).
        seed: an int for repeatable noise.
    """

    def __init__(self, amount=0.05, salt=1.0, pepper=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= amount <= 1.0:
            raise ValueError(f"amount must be in [0, 1] for SaltAndPepper; got {amount}. "
                             "Pass a fraction of the pixels, e.g. amount=0.05.")
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

    Args:
        flip: None, "horizontal", "vertical" or "horizontal_and_vertical".
        rotation: largest rotation as a fraction of a full turn (0.1 = ±36°).
        translation: largest shift as a fraction of the image height and width.
        zoom: largest zoom change as a fraction of the size (0.1: 90 %–110 %).
        noise: salt-and-pepper amount (see :class:`SaltAndPepper`).
        fill_mode: how pixels from outside the image are filled ("reflect", "constant", "nearest", "wrap").
        seed: an int for repeatable draws.

    Returns:
        ``keras.Sequential`` named "augmentation" (active only with ``training=True``, as inside ``fit``);
        a zero argument leaves its layer out.
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
