"""Homework: the solutions pass, the student copies are fresh, they fail until filled in, nothing leaks,
and the checker stops a cell that never ends with a message a student understands."""
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from dlhelpers import homework

ROOT = Path(__file__).resolve().parents[2] / "homework"
SOURCES = sorted((ROOT / "source").glob("*/*.ipynb"))


def execute(path):
    nb = nbformat.read(str(path), as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def failing_cells(nb):
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells if c.cell_type == "code"
            and any(o.get("output_type") == "error" for o in c.outputs)]


def graded_ids(nb):
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]


def test_there_is_homework():
    assert [p.stem for p in SOURCES][:3] == ["hw01", "hw02", "hw03"]
    for src in SOURCES:
        assert src.parent.name == src.stem, f"{src}: homework/source/<hw>/<hw>.ipynb, as make check-homework HW=<hw> expects"


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_solution_passes_every_check(src):
    nb = execute(src)
    assert failing_cells(nb) == []
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded and all("ok" in "".join(o.get("text", "") for o in c.outputs) for c in graded)


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_release_is_a_fresh_generation(src):
    assert homework.stale(ROOT) == [], "run: python -m dlhelpers.homework release"


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_unfilled_student_copy_fails_every_check(src):
    student = ROOT / "release" / src.parent.name / src.name
    nb = execute(student)
    failing = failing_cells(nb)
    assert set(graded_ids(nb)) <= set(failing), f"checks that pass without an answer: {set(graded_ids(nb)) - set(failing)}"


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_no_solution_text_leaks(src):
    student_path = ROOT / "release" / src.parent.name / src.name
    student_text = student_path.read_text(encoding="utf-8")
    nb = nbformat.read(str(student_path), as_version=4)
    answer_cells = "\n".join(c.source for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    lines = homework.solution_lines(src)
    assert len(lines) >= 5
    leaked = [line for line in lines if line in answer_cells]
    assert leaked == []
    assert "BEGIN SOLUTION" not in student_text and answer_cells.count("YOUR CODE HERE") >= 4


def test_a_cell_that_never_ends_is_stopped_and_named(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1\nprint('ok')"),
                nbformat.v4.new_code_cell("# my answer\nsteps = 0\nwhile True:\n    pass"),
                nbformat.v4.new_code_cell("assert x == 2, 'x should be 2'")]
    nb.cells[0].metadata["nbgrader"] = {"grade": True, "grade_id": "test_first", "points": 1}
    nb.cells[1].metadata["nbgrader"] = {"grade": False, "grade_id": "train", "solution": True}
    nb.cells[2].metadata["nbgrader"] = {"grade": True, "grade_id": "test_train", "points": 2}
    path = tmp_path / "stuck.ipynb"
    nbformat.write(nb, str(path))
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "dlhelpers.homework", "-p", "no:cacheprovider",
                          "--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout", "3", str(path)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=240)
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert ("The code cell 'train' (the 2nd code cell of the notebook, starting `# my answer`) "
            "was still running after 3 s and was stopped.") in out, out
    assert "loop whose condition never becomes false" in out and "make check-homework" in out
    # the summary of the graded checks: the first passed; the one after the stuck cell ran, and failed
    assert re.search(r"test_first +1 point\(s\) +passed", out) and re.search(r"test_train +2 point\(s\) +failed", out), out
    assert re.search(r"total +1 of 3 points", out), out


def test_timeout_message_without_a_known_cell():
    msg = homework.timeout_message("nb.ipynb::Cell 4", 120)
    assert msg.startswith("The code cell Cell 4 was still running after 120 s and was stopped.")


def test_make_check_homework_has_a_cell_timeout():
    makefile = (ROOT.parent / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("check-homework:", 1)[1].split("\n\n", 1)[0]
    assert "-p dlhelpers.homework" in recipe and "--nbval-cell-timeout $(CELL_TIMEOUT)" in recipe
    seconds = int(re.search(r"^CELL_TIMEOUT \?= (\d+)$", makefile, re.M).group(1))
    assert seconds == homework.CELL_TIMEOUT and 30 <= seconds <= 180     # "within a minute or two"


# Homework 3: plausible wrong answers must fail exactly the check they belong to.
_HW03_WRONG = {
    # gates read in the order i, f, o, c instead of Keras's i, f, c, o
    "lstm_forward": """
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    a = x_t @ params["kernel"] + h_prev @ params["recurrent_kernel"] + params["bias"]
    a_i, a_f, a_o, a_g = np.split(a, 4, axis=1)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c = f * c_prev + i * g
    return o * np.tanh(c), c, None
""",
    # the bias gradient of one sequence only, not summed over the batch
    "rnn_backward": """
def rnn_cell_backward(dh, cache):
    dz = dh * (1.0 - cache["h"] ** 2)
    return dz @ cache["W"].T, {"kernel": cache["x_t"].T @ dz, "recurrent_kernel": cache["h_prev"].T @ dz,
                               "bias": dz[0], "h_prev": dz @ cache["U"].T}
""",
    # always rescales to the threshold (also when the norm is below it, and 0 / 0 for zero gradients)
    "clip": """
def clip_by_global_norm(grads, global_clipnorm):
    norm = np.sqrt(sum(np.sum(np.square(g)) for g in grads.values()))
    return {k: g / norm * global_clipnorm for k, g in grads.items()}, norm
""",
    # the naive forecast itself: it cannot beat itself
    "forecaster": """
def train_forecaster(X_train, y_train, X_val, y_val):
    return lambda X: X[:, -1, 0]
""",
}


def test_hw03_checks_reject_plausible_mistakes(tmp_path):
    src = ROOT / "source" / "hw03" / "hw03.ipynb"
    nb = nbformat.read(str(src), as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in _HW03_WRONG:
            cell.source = _HW03_WRONG[grade_id].strip("\n")
    path = tmp_path / "hw03.ipynb"
    nbformat.write(nb, str(path))
    failing = failing_cells(execute(path))
    assert sorted(failing) == ["test_clip", "test_forecaster", "test_lstm_forward", "test_rnn_backward"], failing


# Homework 5: plausible wrong answers must fail exactly the check they belong to.
_HW05_WRONG = {
    # the forward pass is right; the backward pass forgets the ½ of ∂z/∂log σ² = σ·ε/2
    "reparam": """
def reparameterize(mu, log_var, eps):
    mu, log_var, eps = (np.asarray(a, dtype=float) for a in (mu, log_var, eps))
    std = np.exp(0.5 * log_var)
    return mu + std * eps, (eps, std)


def reparameterize_backward(dz, cache):
    eps, std = cache
    return np.asarray(dz, dtype=float).copy(), np.asarray(dz, dtype=float) * std * eps
""",
    # the KL value is the batch mean, but its gradient is not divided by N (right for one sample only)
    "kl": """
def gaussian_kl(mu, log_var):
    mu, log_var = np.asarray(mu, dtype=float), np.asarray(log_var, dtype=float)
    return float(np.sum(0.5 * (np.exp(log_var) - 1 - log_var + mu ** 2)) / mu.shape[0])


def gaussian_kl_grad(mu, log_var):
    mu, log_var = np.asarray(mu, dtype=float), np.asarray(log_var, dtype=float)
    return mu, 0.5 * (np.exp(log_var) - 1)
""",
    # subtracts in the images' own dtype: right for float64, rounded in float32, wrapped around for uint8
    "psnr": """
def psnr(reference, image, data_range):
    mse = np.mean((np.asarray(reference) - np.asarray(image)) ** 2)
    if mse == 0:
        return math.inf
    return float(10 * np.log10(float(data_range) ** 2 / mse))
""",
    # the sum of the squared errors over the pixels, not their mean
    "scores": """
def reconstruction_scores(x, x_hat):
    diff = np.asarray(x, dtype=np.float64) - np.asarray(x_hat, dtype=np.float64)
    return np.sum(diff.reshape(len(diff), -1) ** 2, axis=1)
""",
    # a "detector" whose reconstructions are noise: its scores are random, the AUROC about 0.5
    "train": """
class NoiseDetector:
    def __init__(self, rng):
        self.rng = rng

    def reconstruct(self, x):
        return self.rng.random(np.shape(x))


def train_detector(x_train, rng):
    return NoiseDetector(rng)
""",
}


def test_hw05_checks_reject_plausible_mistakes(tmp_path):
    src = ROOT / "source" / "hw05" / "hw05.ipynb"
    nb = nbformat.read(str(src), as_version=4)
    replaced = []
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in _HW05_WRONG:
            cell.source = _HW05_WRONG[grade_id].strip("\n")
            replaced.append(grade_id)
    assert sorted(replaced) == sorted(_HW05_WRONG), replaced           # every answer cell is still there
    path = tmp_path / "hw05.ipynb"
    nbformat.write(nb, str(path))
    ran = execute(path)
    failing = failing_cells(ran)
    assert sorted(failing) == ["test_kl", "test_psnr", "test_reparam", "test_scores", "test_train"], failing
    errors = {c.metadata["nbgrader"]["grade_id"]: o["ename"] for c in ran.cells if c.cell_type == "code"
              for o in c.outputs if o.get("output_type") == "error"}
    assert set(errors.values()) == {"AssertionError"}, errors             # a check's assert, not a crash
