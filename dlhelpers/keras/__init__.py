"""Keras 3 twins of :mod:`dlhelpers.scratch`, with the same module names and weight layouts.

Importing this package sets TensorFlow's quiet-log environment, then imports TensorFlow and
looks for GPUs once with the process's stderr muted: a CUDA build of TensorFlow on a machine
without a GPU prints C++ log lines ("Could not find cuda drivers", "failed call to cuInit")
that no log level hides, and that would break output comparison in notebooks. Set
``DLHELPERS_TF_VERBOSE=1`` to see them.

It also turns off TensorFloat-32 on GPUs that have it (A100, H100, ...): TF32 rounds float32
matrix products to about 3 significant digits, which would break the twin checks (NumPy vs Keras
to 1e-5). Set ``DLHELPERS_TF32=1`` before importing to keep it on for fast scale-up runs.
"""
import contextlib
import os
import sys

from ..device import quiet_tensorflow

quiet_tensorflow()


@contextlib.contextmanager
def _muted_stderr_fd():
    if os.environ.get("DLHELPERS_TF_VERBOSE") == "1":
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real fd 2 (some embedded interpreters)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


with _muted_stderr_fd():
    import tensorflow as _tf  # noqa: E402

    _tf.config.list_physical_devices("GPU")   # CUDA initialises here, once

if os.environ.get("DLHELPERS_TF32") != "1":
    _tf.config.experimental.enable_tensor_float_32_execution(False)

import keras  # noqa: E402

__all__ = ["keras"]
