"""Homework: the solutions pass, the student copies are fresh, they fail until filled in, nothing leaks."""
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
    assert [p.stem for p in SOURCES][:1] == ["hw01"]


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
