"""The digit-GAN checkpoints of Unit IV (DCGAN, conditional GAN, LSGAN): their scores recomputed from the files
against the held-out digits, the same images from the scratch and the Keras generator, and the script that makes
them."""
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("tensorflow")
from dlhelpers.data.course import data_path  # noqa: E402
from dlhelpers.keras import gan as KG  # noqa: E402
from tests.helpers import load_script  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "train_dcgan.py"
README = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
NAMES = sorted(KG.GAN_CHECKPOINTS)

#: the course's goals for 1,000 generated digits (noise seed SCORE_SEED) against the 1,000 held-out digits: every
#: digit present with at least 5 % of the samples, digit FD at most 10 × real vs real (of the same size) and below
#: 4 × real blurred; the conditional GAN's digits must also be the requested ones for at least 90 % of the samples.
#: The LSGAN is held to the DCGAN's goals (same architecture and recipe). Measured by scripts/train_dcgan.py
#: (seed 0, default epochs): data/README.md states the figures, which test_checkpoint_reaches_its_stated_scores
#: recomputes.
GOALS = {"dcgan": {}, "cgan": {"min_agreement": 0.9}, "lsgan": {}}


def _script():
    return load_script(SCRIPT)


@pytest.fixture(scope="module")
def reference():
    train, test = _script().held_out_split()               # mnist_5k reads its CSV once per process
    assert len(train) == 4000 and len(test) == 1000
    return KG.digit_gan_reference(train.images, test.images, rng=0)


def test_reference_rows(reference):
    rows = {r.name.split(" (")[0]: r for r in reference.rows}
    assert reference.n_reference == 1000 and all(r.n == 1000 for r in reference.rows)
    assert rows["real vs real"].fd < 3 and rows["real vs real"].classes_present == 10      # 1.99: same digits
    assert rows["real blurred"].fd > 50 * rows["real vs real"].fd
    assert rows["one class only"].classes_present == 1 and rows["uniform noise"].fd > rows["real blurred"].fd


@pytest.mark.parametrize("name", NAMES)
def test_checkpoint_reaches_its_stated_scores(name, reference):
    path = data_path(KG.GAN_CHECKPOINTS[name][0])
    assert path.stat().st_size < 2_500_000, "the checkpoint must stay small (about 2 MB)"
    with np.load(path) as weights:
        assert all(weights[k].dtype == np.float32 for k in weights.files)
    generator = KG.load_generator(name, framework="scratch")
    score, agreement = KG.score_generator(generator, reference, n=1000, rng=_script().SCORE_SEED)
    rvr, blurred = reference["real vs real"].fd, reference.rows[1].fd
    assert score.classes_present == 10 and score.coverage.shares.min() >= 0.05, (name, score.coverage)
    assert score.fd <= 10 * rvr and score.fd < 4 * blurred, (name, score.fd, rvr, blurred)
    if "min_agreement" in GOALS[name]:
        assert agreement >= GOALS[name]["min_agreement"], (name, agreement)
    else:
        assert agreement is None
    row = README.split(f"`data/checkpoints/{name}_mnist.npz`", 1)[1].split("\n", 1)[0]
    assert f"digit FD {score.fd:.2f}" in row, f"data/README.md must state {name}'s digit FD {score.fd:.2f}"
    if agreement is not None:
        stated = f"{100 * agreement:.1f} %"
        assert stated in row, f"data/README.md must state cgan's label agreement {stated}"


@pytest.mark.parametrize("name", NAMES)
def test_scratch_and_keras_generators_draw_the_same_digits(name):
    labels = np.arange(64) % 10 if KG.GAN_CHECKPOINTS[name][1] else None
    numpy_digits = KG.sample_digits(KG.load_generator(name, framework="scratch"), 64, rng=0, labels=labels)
    keras_digits = KG.sample_digits(KG.load_generator(name, framework="keras"), 64, rng=0, labels=labels)
    np.testing.assert_allclose(keras_digits, numpy_digits, rtol=1e-5, atol=1e-5)
    assert numpy_digits.min() >= -1 and numpy_digits.max() <= 1 and numpy_digits.std() > 0.3   # digits, not a blank


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cgan", "lsgan"])
def test_script_runs_briefly(name, tmp_path, reference):
    out = tmp_path / f"{name}.npz"
    result = subprocess.run([sys.executable, str(SCRIPT), "--model", name, "--epochs", "1", "--limit", "256",
                             "--out", str(out)], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "real vs real" in result.stdout and "goal: digit FD <= 10 x real vs real" in result.stdout
    stated = re.search(r"digit FD (\d+\.\d{4}), classes (\d+)/10, smallest share (\d\.\d{4}), IS (\d+\.\d{4})"
                       r"(?:, label agreement (\d\.\d{4}))?", result.stdout)
    assert stated, result.stdout[-1000:]
    score, agreement = KG.score_generator(KG.load_generator(name, framework="scratch", path=out), reference,
                                          n=1000, rng=_script().SCORE_SEED)   # the saved file gives what was printed
    assert stated.group(1) == f"{score.fd:.4f}" and int(stated.group(2)) == score.classes_present
    assert stated.group(4) == f"{score.inception_score:.4f}"
    assert (stated.group(5) is not None) == (name == "cgan")
    if agreement is not None:
        assert stated.group(5) == f"{agreement:.4f}"
    untrained = KG.dcgan_generator_network(num_classes=10 if name == "cgan" else 0, rng=0)   # the script's start
    start, _ = KG.score_generator(untrained, reference, n=1000, rng=_script().SCORE_SEED)
    assert score.fd < start.fd, (score.fd, start.fd)     # 8 steps already move G towards the digits (862 vs 891)
