"""The digit-classifier checkpoint behind the GAN and autoencoder scores: its held-out accuracy, its script, and the
[−1, 1] scaling of the image loaders it reads (``value_range``)."""
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dlhelpers import metrics as M
from dlhelpers.data import digits, mnist_5k
from dlhelpers.data.course import data_path
from tests.helpers import load_script

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "train_digit_classifier.py"
README = (ROOT / "data" / "README.md").read_text(encoding="utf-8")


def _script():
    return load_script(SCRIPT)


@pytest.fixture(scope="module")
def split():
    return _script().held_out_split()                      # mnist_5k reads its CSV once per process


def test_checkpoint_reaches_the_stated_held_out_accuracy(split):
    path = data_path(M.DIGIT_CLASSIFIER_CHECKPOINT)
    assert path.stat().st_size < 1_000_000, "the checkpoint must stay small (< 1 MB)"
    weights = np.load(path)
    net = M.digit_classifier_network()
    assert sorted(weights.files) == sorted(net.params), "checkpoint keys must be the scratch model's '<layer>/<param>'"
    assert all(weights[k].dtype == np.float32 for k in weights.files)
    images, labels = split[1].images, split[1].y
    assert len(images) == 1000 and np.all(np.bincount(labels) == 100)        # 100 held-out digits of each class
    acc = M.digit_classifier().accuracy(images, labels)
    assert acc >= 0.97, acc                                   # measured 0.980 (seed 0, 12 epochs)
    assert f"{acc:.3f}" in README, f"data/README.md must state the checkpoint's held-out accuracy {acc:.3f}"


def test_held_out_digits_are_not_in_the_training_part(split):
    train, test = split
    seen = {row.tobytes() for row in train.X}
    assert not any(row.tobytes() in seen for row in test.X)


@pytest.mark.slow
def test_script_runs_briefly(tmp_path, split):
    pytest.importorskip("tensorflow")
    out = tmp_path / "quick.npz"
    result = subprocess.run([sys.executable, str(SCRIPT), "--epochs", "1", "--limit", "512", "--out", str(out)],
                            capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    stated = re.search(r"Keras (\d\.\d{4}), scratch copy (\d\.\d{4})", result.stdout)
    assert stated, result.stdout[-500:]
    assert stated.group(1) == stated.group(2)                          # the twins agree on every digit's class
    images, labels = split[1].images, split[1].y
    reloaded = M.digit_classifier(out).accuracy(images, labels)       # the saved file gives what the script printed
    assert f"{reloaded:.4f}" == stated.group(2)
    assert reloaded > 0.2                 # twice chance: one short epoch learns something (measured 0.42)


@pytest.mark.parametrize("argv, shown", [(["--epochs", "0"], "got --epochs 0"),
                                         (["--limit", "-5"], "got --limit -5"),
                                         (["--epochs", "0", "--limit", "0"], "got --epochs 0, --limit 0")])
def test_the_script_refuses_non_positive_counts(argv, shown, capsys):
    with pytest.raises(SystemExit) as stop:
        _script().main(argv)                               # refused before TensorFlow is imported or data read
    assert stop.value.code == 2
    assert f"--epochs and --limit must be positive integers; {shown}" in capsys.readouterr().err


def test_image_loaders_scale_to_a_value_range():
    for load, top in ((digits, 16.0), (mnist_5k, 255.0)):
        raw = load(scale=False)
        unit = load()
        tanh = load(value_range=(-1, 1))
        np.testing.assert_allclose(unit.X, raw.X / top, rtol=1e-12)                 # the default is unchanged
        np.testing.assert_allclose(tanh.X, 2 * raw.X / top - 1, rtol=1e-12, atol=1e-15)
        assert tanh.X.min() == -1.0 and tanh.X.max() == 1.0                          # 0 → −1, top → 1 exactly
        np.testing.assert_array_equal(tanh.images.reshape(len(tanh), -1), tanh.X)
        assert "scaled to [-1, 1]" in tanh.describe() and "scaled to [0, 1]" in unit.describe()
        np.testing.assert_array_equal(tanh.y, raw.y)
    np.testing.assert_allclose(digits(value_range=(0.5, 2.5)).X, 0.5 + 2 * digits(scale=False).X / 16, rtol=1e-12)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(value_range=(1, -1)), ValueError, r"value_range must be \(low, high\) with low < high for digits"),
    (dict(value_range=(0, float("inf"))), ValueError, r"value_range must be a number, finite for digits"),
    (dict(value_range=(-1, 1), scale=False), ValueError, r"scale must be True when value_range is given"),
    (dict(value_range=-1), TypeError, r"value_range must be a pair \(low, high\) for digits; got -1"),
    (dict(value_range=("a", "b")), TypeError, r"value_range must be a number for digits"),
])
def test_value_range_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        digits(**kwargs)
