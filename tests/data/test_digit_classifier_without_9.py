"""The classifier of the normal digits behind V.6's label-aware anomaly score: its checkpoint's figures, the split it
was trained on, its script, and how ``DigitClassifier`` maps outputs to digits when a class is missing."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dlhelpers import metrics as M
from dlhelpers.data import mnist_5k
from dlhelpers.data.corrupt import anomaly_split
from dlhelpers.data.course import data_path
from tests.helpers import load_script

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "train_digit_classifier.py"
README = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
CHECKPOINT = "checkpoints/digit_classifier_without_9.npz"


def _script():
    return load_script(SCRIPT)


@pytest.fixture(scope="module")
def parts():
    return _script().anomaly_parts((9,))


def test_the_script_trains_on_the_split_of_the_notebook(parts):
    # V.6 splits mnist_5k() in [0, 1]; the script splits the same digits scaled to [-1, 1]: the same samples
    for ours, notebook in zip(parts, anomaly_split(mnist_5k(), anomalous=(9,), val_size=0.2, test_size=0.2, rng=0)):
        np.testing.assert_allclose(ours.X, 2 * notebook.X - 1, atol=1e-12)
        np.testing.assert_array_equal(ours.y, notebook.y)
        np.testing.assert_array_equal(ours.is_anomaly, notebook.is_anomaly)
    train, val, test = parts
    assert 9 not in train.y and len(train) == 2700
    assert val.is_anomaly.sum() == test.is_anomaly.sum() == 250


def test_checkpoint_reaches_its_stated_figures(parts):
    path = data_path(CHECKPOINT)
    assert path.stat().st_size < 1_000_000, "the checkpoint must stay small (< 1 MB)"
    with np.load(path) as weights:
        np.testing.assert_array_equal(weights["classes"], np.arange(9))
        assert weights["dense_1/kernel"].shape == (64, 9)
        assert all(weights[k].dtype == np.float32 for k in weights.files if k != "classes")
    clf = M.digit_classifier(path)
    np.testing.assert_array_equal(clf.classes, np.arange(9))
    _, val, test = parts
    normal = ~test.is_anomaly
    acc = clf.accuracy(test.images[normal], test.y[normal])
    assert acc >= 0.94, acc                                          # measured 0.953 (seed 0, 12 epochs)
    auroc = {name: M.anomaly_summary(_script().uncertainty(clf, part.images), part.is_anomaly).auroc
             for name, part in (("validation", val), ("test", test))}
    assert auroc["test"] >= 0.90, auroc                              # V.6's goal; measured 0.930
    for figure in (f"{acc:.3f}", f"{auroc['validation']:.3f}", f"{auroc['test']:.3f}"):
        assert figure in README, f"data/README.md must state the checkpoint's figure {figure}"


def _with_a_winner(net, k):
    """The network with its softmax layer set by hand: zero kernel, bias 10 on output k: output k wins on any image."""
    last = net.layers[-1]
    bias = np.zeros(last.units)
    bias[k] = 10.0
    net.set_params({f"{last.name}/kernel": np.zeros_like(last.params["kernel"]), f"{last.name}/bias": bias})
    return net


def test_outputs_map_to_the_digits_they_stand_for():
    net = M.digit_classifier_network(num_classes=9, rng=1)
    assert net.layers[-1].units == 9 and net.count_params() == 56_714 - 65
    classes = [0, 1, 2, 4, 5, 6, 7, 8, 9]                           # a classifier without the 3s
    images = mnist_5k(value_range=(-1, 1)).images[::1000]           # 5 digits, one each of 0, 2, 4, 6, 8
    clf = M.DigitClassifier(_with_a_winner(net, 3), classes=classes)
    p = clf.predict_proba(images)
    assert p.shape == (5, 9)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(p.argmax(axis=1), 3)               # output 3 wins on every image ...
    np.testing.assert_array_equal(clf.predict(images), [4, 4, 4, 4, 4])  # ... and stands for the digit 4
    assert clf.accuracy(images, [4] * 5) == 1.0 and clf.accuracy(images, [3] * 5) == 0.0
    for k, digit in [(0, 0), (2, 2), (8, 9)]:                       # below the gap, and the last output
        np.testing.assert_array_equal(M.DigitClassifier(_with_a_winner(net, k), classes=classes).predict(images),
                                      [digit] * 5)
    np.testing.assert_array_equal(M.DigitClassifier(net).classes, np.arange(9))     # default: output index
    np.testing.assert_array_equal(M.DigitClassifier(net).predict(images), [8] * 5)
    integral = M.DigitClassifier(net, classes=np.array(classes, dtype=np.int16)).classes
    assert integral.dtype == np.int64 and integral.tolist() == classes


@pytest.mark.parametrize("num_classes, exc", [(1, ValueError), (11, ValueError), (2.0, TypeError), ("9", TypeError)])
def test_bad_number_of_classes_is_refused(num_classes, exc):
    with pytest.raises(exc, match="num_classes"):
        M.digit_classifier_network(num_classes=num_classes)


def test_classes_must_match_the_outputs():
    with pytest.raises(ValueError, match=r"classes must be one digit per output of the network \(9\)"):
        M.DigitClassifier(M.digit_classifier_network(num_classes=9), classes=range(10))


@pytest.mark.parametrize("classes, exc, match", [
    ([0.5] * 9, TypeError, r"classes must be whole numbers .* for DigitClassifier; got float64 values \[0\.5"),
    (np.arange(9.0), TypeError, r"classes must be whole numbers .*; got float64 values \[0\.0, 1\.0"),
    ("a", TypeError, r"classes must be whole numbers .*; got str 'a'"),
    (["a"] * 9, TypeError, r"classes must be whole numbers .*; got text values"),
    ([True] * 9, TypeError, r"classes must be whole numbers .*; got bool values"),
    (3, ValueError, r"classes must be a 1-D sequence of digits for DigitClassifier; got shape \(\)"),
    ([0, 1, 2, 3, 4, 5, 6, 7, 7], ValueError, r"classes must be distinct digits .*; got \[7\] more than once"),
    ([0, 1, 2, 3, 4, 5, 6, 7, 10], ValueError, r"classes must be digits in 0–9 for DigitClassifier; got \[10\] in"),
    ([-1, 1, 2, 3, 4, 5, 6, 7, 8], ValueError, r"classes must be digits in 0–9 .*; got \[-1\] in"),
])
def test_bad_classes_are_refused(classes, exc, match):
    with pytest.raises(exc, match=match):
        M.DigitClassifier(M.digit_classifier_network(num_classes=9), classes=classes)


def _checkpoint(tmp_path, **changes):
    """A copy of the 9-digit checkpoint in tmp_path with some entries replaced (None: removed)."""
    with np.load(data_path(CHECKPOINT)) as weights:
        saved = {k: weights[k] for k in weights.files}
    saved.update(changes)
    path = tmp_path / "changed.npz"
    np.savez(path, **{k: v for k, v in saved.items() if v is not None})
    return path


REMAKE = re.escape("Re-create it with python scripts/train_digit_classifier.py [--anomalous D ...] --out ")


@pytest.mark.parametrize("classes, exc, match", [
    (np.full(9, 0.5), TypeError, "whole numbers"),
    (np.array([0, 1, 2, 3, 4, 5, 6, 7, 7]), ValueError, r"distinct digits .*\[7\] more than once"),
    (np.array([0, 1, 2, 3, 4, 5, 6, 7, 12]), ValueError, r"digits in 0–9 .*\[12\]"),
    (np.arange(11), ValueError, r"2 to 10 digits .*; got 11 digits"),        # not the num_classes message
    (np.array([4]), ValueError, r"2 to 10 digits .*; got 1 digit \[4\]"),
])
def test_a_checkpoint_with_bad_classes_is_refused(tmp_path, classes, exc, match):
    path = _checkpoint(tmp_path, classes=classes)
    with pytest.raises(exc, match=re.escape(f"the classes saved in the checkpoint {path} must be ")) as info:
        M.digit_classifier(path)
    assert re.search(match, str(info.value)) and " for digit_classifier; got " in str(info.value)
    assert re.search(REMAKE + re.escape(f"{path} "), str(info.value))
    assert "num_classes" not in str(info.value)


def test_a_checkpoint_with_wrong_shapes_is_refused(tmp_path):
    bad = _checkpoint(tmp_path, classes=np.arange(10))                # 10 digits, but 9 outputs
    with pytest.raises(ValueError, match=re.escape(f"the checkpoint {bad} must be the network's shapes for 10 "
                                                   "outputs") + r".*got mismatching shapes dense_1/kernel: expected "
                                                   r"\(64, 10\), got \(64, 9\); dense_1/bias: expected \(10,\), "
                                                   r"got \(9,\)\. " + REMAKE):
        M.digit_classifier(bad)
    no_classes = _checkpoint(tmp_path, classes=None)                 # 9 outputs saved without their digits
    with pytest.raises(ValueError, match=r"10 outputs \(no 'classes' saved\).*expected \(64, 10\), got \(64, 9\)"):
        M.digit_classifier(no_classes)
    missing = _checkpoint(tmp_path, **{"dense/bias": None})
    with pytest.raises(ValueError, match=r"got missing \['dense/bias'\], unexpected \[\]\. " + REMAKE):
        M.digit_classifier(missing)


def test_the_default_checkpoint_must_be_the_ten_digit_classifier(tmp_path, monkeypatch):
    (tmp_path / "checkpoints").mkdir()
    shutil.copy(data_path(CHECKPOINT), tmp_path / M.DIGIT_CLASSIFIER_CHECKPOINT)   # the 9-digit one in its place
    monkeypatch.setenv("DLHELPERS_DATA", str(tmp_path))
    images = mnist_5k(value_range=(-1, 1)).images[:4]
    message = (r"the default checkpoint .*digit_classifier\.npz must be the 10-digit classifier \(outputs 0, 1, …, "
               r"9\).* for digit_classifier; got a classifier of the digits \[0, 1, 2, 3, 4, 5, 6, 7, 8\]\. "
               r"Re-create it with python scripts/train_digit_classifier\.py \(without --anomalous\)")
    for use in (M.digit_classifier, lambda: M.digit_fd(images, images), lambda: M.class_coverage(images),
                lambda: M.inception_score(images)):
        with pytest.raises(ValueError, match=message):
            use()
    same_file = M.digit_classifier(tmp_path / M.DIGIT_CLASSIFIER_CHECKPOINT)      # named: fine
    np.testing.assert_array_equal(same_file.classes, np.arange(9))


@pytest.mark.parametrize("argv, shown", [
    (["--anomalous", "1", "12", "-3"], r"--anomalous takes digits 0-9; got \[12, -3\] in \[1, 12, -3\]"),
    (["--anomalous", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
     r"--anomalous must leave at least 2 normal digits .*; got \[1, 2, 3, 4, 5, 6, 7, 8, 9\], which leaves \[0\]"),
    (["--anomalous", *map(str, range(10))], r"at least 2 normal digits .*, which leaves \[\]"),
])
def test_the_script_refuses_bad_anomalous_digits(argv, shown, capsys):
    with pytest.raises(SystemExit) as stop:
        _script().main(argv)
    assert stop.value.code == 2
    assert re.search(shown, capsys.readouterr().err)


def test_the_script_keeps_the_ten_digit_checkpoint(tmp_path, monkeypatch, capsys):
    script = _script()
    monkeypatch.setenv("DLHELPERS_DATA", str(tmp_path))
    for out in (script.DEFAULT_OUT, script.DEFAULT_OUT.parent / ".." / "checkpoints" / "digit_classifier.npz",
                tmp_path / M.DIGIT_CLASSIFIER_CHECKPOINT):          # the repository's, and the one dlhelpers reads
        with pytest.raises(SystemExit):
            script.main(["--anomalous", "9", "--out", str(out)])
        err = capsys.readouterr().err
        assert re.search(r"--out must not be the 10-digit classifier's checkpoint .* with --anomalous 9: it would "
                         r"replace the classifier behind digit_fd", err), err
    assert not (tmp_path / M.DIGIT_CLASSIFIER_CHECKPOINT).exists()


@pytest.mark.slow
def test_script_runs_briefly(tmp_path):
    pytest.importorskip("tensorflow")
    out = tmp_path / "quick.npz"
    result = subprocess.run([sys.executable, str(SCRIPT), "--anomalous", "3", "--epochs", "1", "--limit", "512",
                             "--out", str(out)], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    stated = re.search(r"Keras (\d\.\d{4}), scratch copy (\d\.\d{4})", result.stdout)
    aurocs = re.search(r"AUROC (\d\.\d{4}) on the validation part, (\d\.\d{4}) on the test part", result.stdout)
    assert stated and aurocs, result.stdout[-500:]
    assert stated.group(1) == stated.group(2)                          # the twins agree on every digit's class
    clf = M.digit_classifier(out)
    np.testing.assert_array_equal(clf.classes, [0, 1, 2, 4, 5, 6, 7, 8, 9])
    _, val, test = _script().anomaly_parts((3,))
    normal = ~test.is_anomaly
    assert f"{clf.accuracy(test.images[normal], test.y[normal]):.4f}" == stated.group(2)
    assert f"{M.anomaly_summary(_script().uncertainty(clf, val.images), val.is_anomaly).auroc:.4f}" == aurocs.group(1)
    assert float(stated.group(2)) > 0.2                # twice chance: one short epoch learns something
