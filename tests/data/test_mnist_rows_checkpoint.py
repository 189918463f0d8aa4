"""The MNIST-rows LSTM checkpoint of notebook III.9: its stated test accuracy, and the script that makes it."""
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dlhelpers.data import mnist_rows, train_test_split
from dlhelpers.data.course import data_path
from dlhelpers.scratch.network import LSTM, Dense, Sequential
from tests.helpers import load_script

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "train_mnist_rows_lstm.py"
README = (ROOT / "data" / "README.md").read_text(encoding="utf-8")


def _load(path):
    net = Sequential([LSTM(64), Dense(10, "softmax")], input_shape=(28, 28), rng=0)
    net.compile("sparse_categorical_crossentropy", "adam")
    weights = np.load(path)
    assert sorted(weights.files) == sorted(net.params), "checkpoint keys must be the scratch model's '<layer>/<param>'"
    net.set_params(dict(weights))
    return net


def test_checkpoint_reaches_the_stated_test_accuracy():
    path = data_path("checkpoints/mnist_rows_lstm.npz")
    assert path.stat().st_size < 300_000, "the checkpoint must stay small (a few hundred kB at most)"
    _, test = train_test_split(mnist_rows(), test_size=0.2, rng=0)
    acc = _load(path).evaluate(test.X, test.y)["accuracy"]
    assert acc >= 0.94, acc                                   # the course's goal for MNIST 5k rows
    assert f"{acc:.3f}" in README, f"data/README.md must state the checkpoint's test accuracy {acc:.3f}"


def test_script_and_notebook_use_the_same_architecture():
    built = load_script(SCRIPT).scratch_model()
    assert {k: v.shape for k, v in built.params.items()} == {k: v.shape for k, v in _load(
        data_path("checkpoints/mnist_rows_lstm.npz")).params.items()}


@pytest.mark.slow
def test_script_runs_briefly(tmp_path):
    pytest.importorskip("tensorflow")
    out = tmp_path / "quick.npz"
    result = subprocess.run([sys.executable, str(SCRIPT), "--epochs", "1", "--limit", "256", "--out", str(out)],
                            capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    stated = re.search(r"scratch copy (\d\.\d{4})", result.stdout)
    assert stated, result.stdout[-500:]
    _, test = train_test_split(mnist_rows(), test_size=0.2, rng=0)
    reloaded = _load(out).evaluate(test.X, test.y)["accuracy"]      # the saved file gives what the script printed
    assert f"{reloaded:.4f}" == stated.group(1)
