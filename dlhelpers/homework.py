"""Generate student copies of the homework from the solution notebooks, with nbgrader.

Solutions live in ``homework/source/<hw>/<hw>.ipynb``. Their answer cells carry nbgrader
metadata and ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers; their check cells are
read-only graded cells. :func:`generate` applies nbgrader's own preprocessors (clear the
solutions, clear hidden tests, clear outputs, lock cells), so the result is what
``nbgrader generate_assignment`` would give, without needing its course database.

Command line:

    python -m dlhelpers.homework release    # write homework/release/<hw>/<hw>.ipynb
    python -m dlhelpers.homework check      # exit 1 if a committed student copy is stale
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["generate", "release", "stale", "solution_lines"]

SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"


def _clean(nb):
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata.setdefault("language_info", {}).pop("version", None)
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
