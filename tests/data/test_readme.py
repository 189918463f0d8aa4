"""data/README.md stays true: every loader is listed, and every notebook that loads a dataset is named in its row."""
import re
from pathlib import Path

import nbformat
import pytest

from dlhelpers import data as D

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
NOTEBOOKS = sorted(ROOT.glob("notebooks/**/*.ipynb")) + sorted(ROOT.glob("homework/source/*/*.ipynb"))

#: README row (its bold name) → what a code cell that loads the dataset contains
USES = {
    "digits": r"\bdigits\(|load_digits",
    "MNIST 5k": r"mnist_5k|mnist_data",
    "full MNIST": r"mnist_full|datasets\.mnist",
    "sample photos": r"sample_photo|photo_patch|load_sample_image",
    "co2": r"datasets\.co2|import co2|\bco2\(",
    "sunspots": r"datasets\.sunspots|import sunspots|\bsunspots\(",
    "nile": r"datasets\.nile|import nile",
    "elnino": r"datasets\.elnino|import elnino",
    "logic gates / XOR": r"logic_gate|\bxor\(",
    "moons": r"\bmoons\(|make_moons",
    "circles": r"\bcircles\(|make_circles",
    "blobs": r"\bblobs\(|make_blobs",
    "spirals": r"\bspirals\(",
    "digit rows": r"\bdigit_rows\(|variable_length_digits\(",
    "MNIST 5k rows": r"\bmnist_rows\(",
    "sequence tasks": r"\b(sine_frequency|adding_problem|first_symbol|future_context)\(",
    "Python help() texts": r"python_docs_text\(",
    "course worked examples": r"worked_example|COURSE_IMAGE|COURSE_RGB|worked_examples\.json",
    "2-D GAN targets": r"gan_target\(|(ring|grid|moons|spiral)_target\(",
    "noisy and anomalous digits": r"gaussian_noise\(|salt_and_pepper_noise\(|anomaly_split\(",
}


def row(name):
    lines = [ln for ln in README.splitlines() if ln.startswith(f"| **{name}**")]
    assert len(lines) == 1, f"data/README.md needs one table row starting '| **{name}**'"
    return lines[0]


def code(path):
    nb = nbformat.read(str(path), as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("name", list(USES))
def test_every_notebook_that_loads_a_dataset_is_listed(name):
    listed = set(re.findall(r"`((?:notebooks|homework)/[^`]+\.ipynb)`", row(name)))
    for path in listed:
        assert (ROOT / path).is_file(), f"data/README.md, row {name!r}: {path} does not exist"
    users = {p.relative_to(ROOT).as_posix() for p in NOTEBOOKS if re.search(USES[name], code(p))}
    assert users <= listed, f"data/README.md, row {name!r}: add {sorted(users - listed)}"


def test_every_loader_is_in_the_readme():
    loaders = ["digits", "mnist_5k", "mnist_full", "sample_photo", "photo_patch", "logic_gate", "xor", "moons",
               "circles", "blobs", "spirals", "co2", "sunspots", "digit_rows", "mnist_rows", "variable_length_digits",
               "sine_frequency", "adding_problem", "first_symbol", "future_context", "python_docs_text",
               "gan_target", "ring_target", "grid_target", "moons_target", "spiral_target", "mnist_5k_split",
               "gaussian_noise", "salt_and_pepper_noise", "anomaly_split", "pca_reconstruct", "median_filter_denoise"]
    assert set(loaders) <= set(D.__all__)
    for name in loaders + ["worked_example", "data_path", "KERAS_HOME", "MNIST_SHA256", "worked_examples.json"]:
        assert name in README, name


def test_the_checkpoint_table_matches_the_folder():
    table = README.split("## Small trained checkpoints", 1)[1]
    rows = [ln for ln in table.splitlines() if ln.startswith("| `")]
    files = sorted((ROOT / "data" / "checkpoints").glob("*")) if (ROOT / "data" / "checkpoints").exists() else []
    assert len(rows) == len(files)
    if not files:
        assert "None exists yet" in table
