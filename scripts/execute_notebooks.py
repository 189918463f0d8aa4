"""Execute notebooks in place and strip volatile metadata, so the committed outputs are what nbval compares.

Usage:  python scripts/execute_notebooks.py notebooks/unit1_foundations/*.ipynb
        python scripts/execute_notebooks.py --check notebooks   (only report timings, write nothing)

Each notebook runs in a fresh kernel from the notebook's folder, as nbval does. Prints
the wall time of every notebook (the course asks for < 90 s each on 2 CPU cores).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

VOLATILE_CELL_KEYS = ("execution", "collapsed", "scrolled", "jupyter")

#: The kernel `make` installs into .venv, and Binder's default: when a notebook's kernelspec or
#: language_info differ from the running kernel's, JupyterLab rewrites them on opening and the
#: notebook asks "Save changes?" before the student has typed anything.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def clean(nb):
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    # language_info (with the Python version) is kept as the kernel reported it, for the same reason
    for cell in nb.cells:
        for k in VOLATILE_CELL_KEYS:
            cell.metadata.pop(k, None)
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                out.get("metadata", {}).pop("transient", None)
    return nb


def run(path: Path, write=True, timeout=600):
    nb = nbformat.read(path, as_version=4)
    env_backend = os.environ.pop("MPLBACKEND", None)   # notebooks must draw inline
    t0 = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   allow_errors=False).execute()
    seconds = time.perf_counter() - t0
    if env_backend:
        os.environ["MPLBACKEND"] = env_backend
    if write:
        nbformat.write(clean(nb), path)
    return seconds


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--check", action="store_true", help="run but do not write")
    args = ap.parse_args(argv)
    files = []
    for p in args.paths:
        files += sorted(p.rglob("*.ipynb")) if p.is_dir() else [p]
    files = [f for f in files if ".ipynb_checkpoints" not in f.parts]
    worst = 0.0
    for f in files:
        s = run(f, write=not args.check)
        worst = max(worst, s)
        print(f"{s:7.1f} s  {f}", flush=True)
    print(f"slowest: {worst:.1f} s over {len(files)} notebook(s)")


if __name__ == "__main__":
    sys.exit(main())
