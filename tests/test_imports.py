"""Importing dlhelpers and dlhelpers.scratch must stay light: no TensorFlow, no ipywidgets."""
import subprocess
import sys

import pytest

CODE = """
import sys, time
t = time.perf_counter()
import dlhelpers, dlhelpers.data
import dlhelpers.scratch.activations, dlhelpers.scratch.losses, dlhelpers.scratch.dense
import dlhelpers.scratch.network, dlhelpers.scratch.optim, dlhelpers.scratch.perceptron
import dlhelpers.scratch.gradcheck, dlhelpers.scratch.initializers, dlhelpers.scratch.regularization
import dlhelpers.scratch.backprop_example, dlhelpers.widgets.backprop_state, dlhelpers.widgets.quiz_state, dlhelpers.widgets.explorer_state, dlhelpers.widgets.conv_state, dlhelpers.device
heavy = [m for m in ("tensorflow", "keras", "ipywidgets", "torch") if m in sys.modules]
print(heavy)
"""


def test_scratch_imports_no_tensorflow_or_ipywidgets():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_keras_twin_does_import_keras():
    # the check above is meaningful only if the keras twin really pulls TensorFlow in
    code = "import sys, dlhelpers.keras; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_version_and_show_source():
    import dlhelpers
    from dlhelpers.scratch.activations import sigmoid
    assert dlhelpers.__version__.count(".") == 2
    src = dlhelpers.show_source(sigmoid, display=False)
    assert src.startswith("def sigmoid(z):") and "np.exp(-np.abs(z))" in src
    html = dlhelpers.show_source(sigmoid)
    assert "sigmoid" in html.data and "<span" in html.data   # highlighted HTML
    with pytest.raises(TypeError, match="obj must be a Python function"):
        dlhelpers.show_source(3)
