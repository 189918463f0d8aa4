"""Checks on the committed notebooks themselves (nbval runs them; these check how they are kept)."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
LESSONS = [p for p in NOTEBOOKS if p.name != "00_index.ipynb"]


def load(p):
    return json.loads(p.read_text(encoding="utf-8"))


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def test_there_are_notebooks():
    assert len(LESSONS) >= 10


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_executed_with_outputs(path):
    nb = load(path)
    cells = code_cells(nb)
    assert all(c["execution_count"] is not None for c in cells), "every code cell must be executed"
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), "executed top to bottom in one fresh kernel"
    assert not any(o.get("output_type") == "error" for c in cells for o in c["outputs"])
    assert "widgets" not in nb["metadata"], "strip widget state (scripts/execute_notebooks.py does)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_tensorflow_log_lines_and_quiet_import_order(path):
    text = path.read_text(encoding="utf-8")
    for noise in ("absl::InitializeLog", "cuda_drivers", "oneDNN custom operations"):
        assert noise not in text
    seen_dlhelpers_keras = False
    for c in code_cells(load(path)):
        src = "".join(c["source"])
        if re.search(r"^\s*import dlhelpers\.keras|^\s*from dlhelpers\.keras", src, re.M):
            seen_dlhelpers_keras = True
        for m in re.finditer(r"^\s*(import (keras|tensorflow)|from (keras|tensorflow))\b", src, re.M):
            before = src[: m.start()]
            assert seen_dlhelpers_keras or re.search(r"dlhelpers\.keras", before), \
                f"{path.name}: import dlhelpers.keras before keras/tensorflow (it quiets TF's start-up)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_markers_alone_on_their_line(path):
    for c in code_cells(load(path)):
        for line in "".join(c["source"]).splitlines():
            if "NBVAL_" in line:
                assert line.strip() in ("# NBVAL_IGNORE_OUTPUT", "# NBVAL_SKIP", "# NBVAL_RAISES_EXCEPTION",
                                        "# NBVAL_CHECK_OUTPUT"), line


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lessons_end_with_a_twin_check_or_a_quiz(path):
    nb = load(path)
    text = " ".join("".join(c["source"]) for c in nb["cells"][-3:])
    assert "Twin check" in text or "Quiz(" in text


def test_index_links_every_notebook():
    index = (ROOT / "notebooks" / "00_index.ipynb")
    text = "".join("".join(c["source"]) for c in load(index)["cells"] if c["cell_type"] == "markdown")
    for p in LESSONS:
        assert str(p.relative_to(ROOT / "notebooks")) in text, p
    for link in re.findall(r"\]\(([^)]+\.ipynb)\)", text):
        assert (index.parent / link).resolve().exists(), link


def _makefile_kernel_display_name():
    m = re.search(r'--display-name "([^"]+)"', (ROOT / "Makefile").read_text(encoding="utf-8"))
    assert m, "the Makefile installs the course kernel with --display-name"
    return m.group(1)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_opening_does_not_change_the_notebook(path):
    # JupyterLab rewrites kernelspec and language_info when they differ from the running kernel's,
    # and then asks "Save changes?" as soon as the notebook is opened.
    meta = load(path)["metadata"]
    assert meta["kernelspec"] == {"display_name": _makefile_kernel_display_name(), "language": "python",
                                  "name": "python3"}
    assert re.fullmatch(r"3\.\d+\.\d+", meta["language_info"].get("version", "")), \
        "keep the kernel's language_info (scripts/execute_notebooks.py does)"


def _text_outputs(path):
    for c in code_cells(load(path)):
        for o in c["outputs"]:
            data = o.get("data", {})
            yield data, "".join(o.get("text", "")) + "".join(data.get("text/plain", ""))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_saved_outputs_read_well_without_a_kernel(path):
    # what GitHub and nbviewer show: no widget reprs, no progress bars frozen at 0 %, no object addresses
    for data, text in _text_outputs(path):
        if "application/vnd.jupyter.widget-view+json" in data:
            assert "text/html" in data or "image/png" in data, \
                f"{path.name}: a widget output needs a static picture for renderers without a kernel"
        assert not re.match(r"\s*(VBox|HBox|Box|HTML|Button|IntProgress|FloatProgress)\(", text), \
            f"{path.name}: widget repr in a saved output: {text[:80]!r}"
        assert not re.search(r"(?<!\d)0%\|", text), f"{path.name}: progress bar saved at 0 %: {text[:80]!r}"
        assert not re.search(r"<[\w.]+ object at 0x|Generator\(PCG64\) at 0x", text), \
            f"{path.name}: stray object repr in a saved output: {text[:80]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_continue_slide_marks(path):
    """jupyterlab-deck (the live slides the course uses) never shows a cell marked slide_type "-"; leave it out.

    A cell without a slide_type continues the current slide in the deck, in RISE and in nbconvert alike.
    """
    marked = [i for i, c in enumerate(load(path)["cells"])
              if c.get("metadata", {}).get("slideshow", {}).get("slide_type") == "-"]
    assert not marked, f"{path.name}: remove slideshow.slide_type '-' from cells {marked} (the deck hides them)"
