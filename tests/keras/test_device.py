import numpy as np
import pytest

from dlhelpers import device


def test_set_seed_makes_numpy_and_keras_repeatable():
    import keras
    device.set_seed(3)
    a = (np.random.rand(2), keras.random.uniform((2,)).numpy())
    device.set_seed(3)
    b = (np.random.rand(2), keras.random.uniform((2,)).numpy())
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        device.set_seed(-1)


def test_describe_and_strategy():
    line = device.describe()
    assert "TensorFlow" in line and ("GPU" in line or "CPU" in line) and "\n" not in line
    import tensorflow as tf
    s = device.get_strategy()
    assert isinstance(s, tf.distribute.Strategy)
    with s.scope():
        v = tf.Variable(1.0)
    assert float(v) == 1.0


def test_tf32_off_for_exact_twin_checks_unless_asked():
    import subprocess
    import sys
    code = "import dlhelpers.keras, tensorflow as tf; print(tf.config.experimental.tensor_float_32_execution_enabled())"
    off = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    import os
    on = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                        env={**os.environ, "DLHELPERS_TF32": "1"}).stdout.strip()
    assert (off, on) == ("False", "True")
