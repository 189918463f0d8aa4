"""Importing dlhelpers stays light: no TensorFlow, Keras, ipywidgets (or torch) outside the twins and the shells.

Every module is found with ``pkgutil.walk_packages`` (no hand-kept list), in a fresh interpreter
where importing a heavy package raises ImportError and is recorded, even when the module catches it.

* ``dlhelpers.keras.*`` is the Keras twin: it may (must) import Keras.
* A module under ``dlhelpers.widgets`` that cannot be imported without ipywidgets/ipyevents is an
  ipywidgets shell; shells may import those two, nothing heavier.
* Everything else — including the widget states (``*_state``), ``cursor`` and ``quiz_bank`` — imports
  with none of them.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

import dlhelpers

WIDGET_PACKAGES = ("ipywidgets", "ipyevents")
HEAVY = ("tensorflow", "keras", "torch", "jax") + WIDGET_PACKAGES

PROBE = r"""
import importlib, importlib.abc, json, pkgutil, sys, traceback

HEAVY = set(sys.argv[1].split(","))
attempts = []            # (module being imported, heavy package asked for)
current = [None]


class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in HEAVY:
            attempts.append((current[0], top))
            raise ImportError(f"blocked heavy import {name!r} (importing {current[0]})")
        return None


sys.meta_path.insert(0, Block())
import dlhelpers

names = ["dlhelpers"] + [m.name for m in pkgutil.walk_packages(dlhelpers.__path__, "dlhelpers.", onerror=lambda n: None)]
result = {"modules": names, "ok": [], "failed": {}, "attempts": {}}
for name in names:
    if name == "dlhelpers.keras" or name.startswith("dlhelpers.keras."):
        continue
    current[0] = name
    before = len(attempts)
    try:
        importlib.import_module(name)
        result["ok"].append(name)
    except Exception as exc:
        result["failed"][name] = f"{type(exc).__name__}: {exc}"
    asked = sorted({pkg for _, pkg in attempts[before:]})
    if asked:
        result["attempts"][name] = asked
print(json.dumps(result))
"""


@pytest.fixture(scope="module")
def probe():
    out = subprocess.run([sys.executable, "-c", PROBE, ",".join(HEAVY)], capture_output=True, text=True, check=True,
                         cwd=Path(dlhelpers.__file__).resolve().parents[1])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _is_widget_module(name):
    return name.startswith("dlhelpers.widgets.")


def _shells(probe):
    """Widget modules that asked for ipywidgets/ipyevents (and nothing heavier) while being imported."""
    return {name for name, asked in probe["attempts"].items()
            if _is_widget_module(name) and set(asked) <= set(WIDGET_PACKAGES)}


def test_discovery_finds_every_module_file(probe):
    root = Path(dlhelpers.__file__).resolve().parent
    on_disk = set()
    for path in root.rglob("*.py"):
        rel = path.relative_to(root.parent).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        if "keras" not in parts:
            on_disk.add(".".join(parts))
    found = {m for m in probe["modules"] if not m.startswith("dlhelpers.keras")}
    assert on_disk <= found, f"pkgutil missed {sorted(on_disk - found)}"
    # the ones a hand-kept list used to miss
    assert {"dlhelpers.scratch.conv", "dlhelpers.scratch.pooling", "dlhelpers.scratch.augment",
            "dlhelpers.widgets.conv_state"} <= found


def test_every_module_but_the_twins_and_shells_imports_without_heavy_packages(probe):
    shells = _shells(probe)
    bad = {name: asked for name, asked in probe["attempts"].items() if name not in shells}
    assert not bad, f"these modules import heavy packages at import time: {bad}"
    failed = {name: err for name, err in probe["failed"].items() if name not in shells}
    assert not failed, f"these modules fail to import: {failed}"
    light = set(probe["ok"])
    assert {"dlhelpers", "dlhelpers.scratch", "dlhelpers.data", "dlhelpers.scratch.activations"} <= light


def test_widget_states_are_light_and_shells_need_only_ipywidgets(probe):
    widgets = Path(dlhelpers.__file__).resolve().parent / "widgets"
    states = {f"dlhelpers.widgets.{p.stem}" for p in widgets.glob("*_state.py")}
    states |= {"dlhelpers.widgets.cursor", "dlhelpers.widgets.quiz_bank", "dlhelpers.widgets"}
    assert len(states) >= 6
    assert states <= set(probe["ok"]) and not states & set(probe["attempts"]), (
        f"widget states must import without ipywidgets: {sorted(states - set(probe['ok']))}")
    shells = _shells(probe)
    assert {"dlhelpers.widgets.backprop", "dlhelpers.widgets.conv"} <= shells   # the check really sees shells
    for name in shells:
        assert name not in states


def test_keras_twin_does_import_keras():
    # the checks above mean something only if the keras twin really pulls TensorFlow in
    code = "import sys, dlhelpers.keras; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_version_and_show_source():
    from dlhelpers.scratch.activations import sigmoid
    assert dlhelpers.__version__.count(".") == 2
    src = dlhelpers.show_source(sigmoid, display=False)
    assert src.startswith("def sigmoid(z):") and "np.exp(-np.abs(z))" in src
    html = dlhelpers.show_source(sigmoid)
    assert "sigmoid" in html.data and "<span" in html.data   # highlighted HTML
    with pytest.raises(TypeError, match="obj must be a Python function"):
        dlhelpers.show_source(3)
