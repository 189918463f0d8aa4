"""Seeds, TensorFlow's log settings, the device in one line, and a tf.distribute strategy.

Only :func:`describe`, :func:`get_strategy` and seeding TensorFlow import it, and only when called.
"""
from __future__ import annotations

import os
import random
import sys

import numpy as np

__all__ = ["quiet_tensorflow", "set_seed", "describe", "get_strategy"]


def quiet_tensorflow():
    """Silence TensorFlow's C++ start-up lines (they break output comparison in notebooks).

    Must run before TensorFlow is imported; ``dlhelpers.keras`` calls it on import.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def set_seed(seed: int = 0):
    """Seed Python's ``random``, NumPy's global generator and, if already imported, Keras/TensorFlow.

    Returns a fresh ``np.random.Generator(seed)`` to pass around as ``rng=``.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative int for set_seed; got {seed!r}. Use e.g. set_seed(0).")
    random.seed(seed)
    np.random.seed(seed)
    if "keras" in sys.modules or "tensorflow" in sys.modules:
        import keras
        keras.utils.set_random_seed(seed)
    return np.random.default_rng(seed)


def describe() -> str:
    """One line: NumPy, TensorFlow/Keras versions and the devices TensorFlow sees."""
    quiet_tensorflow()
    import keras
    import tensorflow as tf
    gpus = tf.config.list_physical_devices("GPU")
    dev = f"{len(gpus)} GPU(s): " + ", ".join(g.name for g in gpus) if gpus else "CPU only (no GPU found)"
    return (f"NumPy {np.__version__} | TensorFlow {tf.__version__} | Keras {keras.__version__} | "
            f"{dev} | {os.cpu_count()} CPU cores")


def get_strategy():
    """The default strategy on one device; ``MirroredStrategy`` when several GPUs are visible.

    Build models inside ``with get_strategy().scope():`` and the same notebook scales up.
    """
    quiet_tensorflow()
    import tensorflow as tf
    gpus = tf.config.list_physical_devices("GPU")
    if len(gpus) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()
