"""Generate student copies of the homework from the solution notebooks, with nbgrader.

Solutions live in ``homework/source/<hw>/<hw>.ipynb``. Their answer cells carry nbgrader
metadata and ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers; their check cells are
read-only graded cells. :func:`generate` applies nbgrader's own preprocessors (clear the
solutions, clear hidden tests, clear outputs, lock cells), so the result is what
``nbgrader generate_assignment`` would give, without needing its course database.

Command line:

    python -m dlhelpers.homework release    # write homework/release/<hw>/<hw>.ipynb
    python -m dlhelpers.homework check      # exit 1 if a committed student copy is stale

Checking a student's notebook (``make check-homework``) runs it with nbval. This module is also
a pytest plugin for that run (``pytest -p dlhelpers.homework --nbval-lax --nbval-cell-timeout 120
NB``): a cell that runs longer than the timeout (a ``while`` loop that never ends) is stopped, and
the report names the cell and says what to look for instead of nbval's bare "Timeout of … seconds";
after the run, one line per graded check cell gives its points.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["generate", "release", "stale", "solution_lines", "CELL_TIMEOUT", "timeout_message"]

#: Seconds one cell of a homework notebook may run under ``make check-homework`` (the Makefile's
#: ``CELL_TIMEOUT``); every cell of the solutions runs in a fraction of this on two cores.
CELL_TIMEOUT = 120

SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"


#: The kernel ``make`` installs into .venv (and Binder's default). A student copy whose kernelspec
#: differs from the running kernel's is rewritten by JupyterLab on opening, which then asks
#: "Save changes?" before the student has typed anything; language_info is kept as the executed
#: solution has it, for the same reason.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _clean(nb):
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    for cell in nb.cells:
        for key in ("execution", "collapsed", "scrolled", "jupyter", "editable", "deletable"):
            cell.metadata.pop(key, None)
    return nb


def generate(source):
    """The student copy of one solution notebook (an ``nbformat`` notebook, not written)."""
    import nbformat
    from nbgrader.preprocessors import ClearHiddenTests, ClearOutput, ClearSolutions, LockCells

    nb = nbformat.read(str(source), as_version=4)
    resources = {"language": "python"}
    for pre in (ClearSolutions(), ClearHiddenTests(), LockCells(), ClearOutput()):
        nb, resources = pre.preprocess(nb, resources)
    return _clean(nb)


def _pairs(root):
    root = Path(root)
    for src in sorted((root / "source").glob("*/*.ipynb")):
        if ".ipynb_checkpoints" in src.parts:
            continue
        yield src, root / "release" / src.parent.name / src.name


def release(root="homework"):
    """Write every student copy; returns the paths written."""
    import nbformat
    written = []
    for src, dst in _pairs(root):
        dst.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(generate(src), str(dst))
        written.append(dst)
    return written


def stale(root="homework"):
    """Student copies that differ from a fresh generation (or are missing)."""
    import nbformat
    out = []
    for src, dst in _pairs(root):
        fresh = nbformat.writes(generate(src))
        if not dst.exists() or nbformat.writes(nbformat.read(str(dst), as_version=4)) != fresh:
            out.append(dst)
    return out


def solution_lines(source):
    """The non-trivial lines inside the solution markers of a solution notebook."""
    import nbformat
    nb = nbformat.read(str(source), as_version=4)
    lines, inside = [], False
    for cell in nb.cells:
        for line in cell.source.splitlines():
            s = line.strip()
            if s == SOLUTION_BEGIN:
                inside = True
            elif s == SOLUTION_END:
                inside = False
            elif inside and len(s) > 12 and not s.startswith("#"):
                lines.append(s)
    return lines


# --- pytest plugin: a clear message when a cell runs too long ---------------------------------

_CELLS: dict = {}          # nodeid -> (cell number, grade_id or None, first code line)
_GRADED: dict = {}         # nodeid of a graded check cell -> points
_RESULTS: dict = {}        # nodeid -> "passed" / "failed" / "timed out"


def _ordinal(n):
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _describe(nodeid):
    number, grade_id, first = _CELLS.get(nodeid, (None, None, ""))
    what = "The code cell" + (f" {grade_id!r}" if grade_id else "")
    details = [f"the {_ordinal(number)} code cell of the notebook"] if number is not None else []
    if first:
        details.append(f"starting `{first}`")
    return what + (f" ({', '.join(details)})" if details else f" {nodeid.rsplit('::', 1)[-1]}")


def timeout_message(nodeid, timeout):
    """What a student reads when a cell of their notebook ran longer than ``timeout`` seconds."""
    return (f"{_describe(nodeid)} was still running after {timeout:g} s and was stopped.\n"
            "Every cell of the homework finishes well within this limit, so this one is probably stuck: "
            "look for a `while` loop whose condition never becomes false (a counter you never "
            "increase, `while True:` without a `break`), or a loop over far more steps than you meant.\n"
            "Fix the cell, check that it finishes when you run it in Jupyter (the square ■ button "
            "stops a cell that hangs), save the notebook and run `make check-homework` again.")


def pytest_collection_modifyitems(session, config, items):
    """Remember which notebook cell each nbval test item runs (for the timeout message)."""
    for number, item in enumerate((i for i in items if hasattr(i, "cell")), start=1):
        cell = item.cell
        first = next((ln.strip() for ln in cell.source.splitlines()
                      if ln.strip() and not ln.strip().startswith("# NBVAL")), "")
        grade = cell.metadata.get("nbgrader", {})
        _CELLS[item.nodeid] = (number, grade.get("grade_id"), first[:60])
        if grade.get("grade"):
            _GRADED[item.nodeid] = grade.get("points", 0)


def pytest_runtest_logreport(report):
    """Replace nbval's timeout report by :func:`timeout_message`; note how each check cell did."""
    if report.when != "call" or report.nodeid not in _CELLS:
        return
    _RESULTS[report.nodeid] = "passed" if report.passed else "failed"
    if not report.failed:
        return
    text = str(report.longrepr)
    if "Timeout of" in text and "executing cell" in text:
        import re
        m = re.search(r"Timeout of ([0-9.]+) seconds", text)
        report.longrepr = timeout_message(report.nodeid, float(m.group(1)) if m else CELL_TIMEOUT)
        _RESULTS[report.nodeid] = "stopped (ran too long)"


def pytest_terminal_summary(terminalreporter):
    """One line per graded check cell, and the points they are worth, after nbval's report."""
    if not _GRADED:
        return
    got = sum(p for n, p in _GRADED.items() if _RESULTS.get(n) == "passed")
    terminalreporter.section("homework checks")
    for nodeid, points in _GRADED.items():
        grade_id = _CELLS[nodeid][1]
        terminalreporter.write_line(f"{grade_id:<24} {points:>3} point(s)   {_RESULTS.get(nodeid, 'not run')}")
    terminalreporter.write_line(f"{'total':<24} {got:>3} of {sum(_GRADED.values())} points")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m dlhelpers.homework", description="student copies of the homework")
    ap.add_argument("command", choices=["release", "check"])
    ap.add_argument("--root", default="homework")
    args = ap.parse_args(argv)
    if args.command == "release":
        for p in release(args.root):
            print("wrote", p)
        return 0
    bad = stale(args.root)
    for p in bad:
        print("stale:", p, "(run: python -m dlhelpers.homework release)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
