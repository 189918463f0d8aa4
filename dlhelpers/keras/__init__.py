"""Keras 3 twins of :mod:`dlhelpers.scratch`, with the same module names and weight layouts.

Importing this package sets TensorFlow's quiet-log environment first, so notebooks stay
clean, and then imports Keras (TensorFlow backend).
"""
from ..device import quiet_tensorflow

quiet_tensorflow()

import keras  # noqa: E402  (must come after the environment is set)

__all__ = ["keras"]
