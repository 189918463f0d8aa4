"""The course's own worked examples, read from one file: ``data/course/worked_examples.json``.

Every number that a notebook, widget or test reproduces from the course notes (the 5×5
convolution, the RGB convolution with bias, the pooling maps, the logistic neuron, the softmax
example, the 2-2-2 backpropagation example) lives in that file, with the part of the notes it
comes from and the notes' misprints. This module only reads it:

    >>> from dlhelpers.data.course import worked_example
    >>> ex = worked_example("conv_5x5")
    >>> ex["image"].shape, ex["output"][0, 0]
    ((5, 5), 4.0)

Lists of numbers come back as float64 arrays; RGB channels are stacked channels-last.
"""
from __future__ import annotations

import copy
import functools
import json
import os
from pathlib import Path

import numpy as np

__all__ = ["data_dir", "data_path", "worked_example", "EXAMPLES"]

#: Names of the worked examples in ``data/course/worked_examples.json``.
EXAMPLES = ("conv_5x5", "conv_rgb", "pool_4x4", "pool_5x5", "logistic_neuron", "softmax", "backprop_222")

_FILE = "course/worked_examples.json"


def data_dir() -> Path:
    """The course's ``data/`` folder: ``$DLHELPERS_DATA`` if set, else ``data/`` beside the package."""
    env = os.environ.get("DLHELPERS_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "data"


def data_path(relative: str) -> Path:
    """The path of a file under :func:`data_dir`, with a clear error (and the fix) when it is missing."""
    path = data_dir() / relative
    if not path.is_file():
        raise FileNotFoundError(
            f"{relative} must exist under the course's data folder {data_dir()}; got no such file. "
            "dlhelpers reads it from the repository's data/ folder: work in a clone of the course "
            "(pip install -e .), or set DLHELPERS_DATA to a folder that holds it. "
            "data/README.md says which script makes each checkpoint.")
    return path


@functools.lru_cache(maxsize=4)
def _read(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _worked_examples_file() -> str:
    """Where the worked examples are: the repository's data/ (or $DLHELPERS_DATA), else the installed copy.

    A clone or an editable install reads ``data/course/worked_examples.json`` itself. A wheel
    install has no repository beside it; the build ships that same file inside the package as
    ``dlhelpers.course_data`` (see ``[tool.setuptools]`` in pyproject.toml), so it is read from there.
    """
    repo_file = data_dir() / _FILE
    if repo_file.is_file() or os.environ.get("DLHELPERS_DATA"):
        return str(data_path(_FILE))            # with DLHELPERS_DATA set, a missing file is an error
    try:
        from importlib.resources import files
        packaged = files("dlhelpers.course_data") / "worked_examples.json"
        if packaged.is_file():
            return str(packaged)
    except ModuleNotFoundError:
        pass
    return str(data_path(_FILE))                # raises the FileNotFoundError that says what to do


def _load() -> dict:
    # looked up on every call (so a changed DLHELPERS_DATA takes effect), parsed once per file
    return _read(_worked_examples_file())


def _arrays(value):
    if isinstance(value, list) and value and all(isinstance(v, (int, float)) or
                                                 (isinstance(v, list) and v and isinstance(v[0], (int, float, list)))
                                                 for v in value):
        return np.asarray(value, dtype=np.float64)
    if isinstance(value, dict):
        if set(value) == {"R", "G", "B"}:                      # colour channels → (H, W, 3)
            return np.stack([np.asarray(value[c], dtype=np.float64) for c in "RGB"], axis=-1)
        return {k: _arrays(v) for k, v in value.items()}
    return value


def worked_example(name: str) -> dict:
    """One worked example as a dict (a fresh copy; arrays are float64).

    Args:
        name: one of :data:`EXAMPLES`.

    Returns:
        The example's fields: its numbers (``image``, ``kernel``, ``output`` …), ``source`` (file and
        section of the course notes) and ``errata`` (misprints in the notes, with the right value).
    """
    if name not in EXAMPLES:
        raise ValueError(f"name must be one of {', '.join(map(repr, EXAMPLES))} for worked_example; got {name!r}. "
                         "Check the spelling.")
    raw = _load()[name]
    return {k: (copy.deepcopy(v) if k in ("source", "errata") else _arrays(v)) for k, v in raw.items()}
