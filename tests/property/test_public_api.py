"""Every public callable of dlhelpers.scratch, and of the NumPy modules in :data:`OTHER_MODULES`, keeps the promise
of :mod:`tests.property.contract`.

The public names are discovered from each module's ``__all__`` (pkgutil over dlhelpers.scratch, then
OTHER_MODULES), so a new module (rnn, lstm, gru, gan, vae, ...) is held to the same promise: a public name
without an entry in :data:`tests.property.specs.SPECS` fails ``test_every_public_callable_has_a_spec``.
"""
from __future__ import annotations

import importlib
import pkgutil

import pytest
from hypothesis import given
from hypothesis import strategies as st

import dlhelpers.scratch
from hypothesis import settings

from tests.property.contract import PROFILE
from tests.property.specs import SPECS

#: Known defects in modules of dlhelpers.scratch: (test, public name) → the defect, test being "promise" (the
#: generated test) or "exhaustive" (every argument × every bad value). Each case is an xfail(strict=True), so it
#: turns red once the defect is fixed: then delete its line here (and its name in STILL_BROKEN of
#: test_known_defects.py, where every defect found so far stays as a regression case).
KNOWN_DEFECTS: dict[tuple, str] = {}


#: Modules outside dlhelpers.scratch held to the same promise (NumPy only, no TensorFlow): module → the first name of
#: its ``__all__`` covered. dlhelpers.metrics is covered from its image-quality and anomaly metrics ("psnr") on; the
#: GAN scores before them (Fréchet distance, the digit classifier, ...) have no property specs yet.
OTHER_MODULES = {"dlhelpers.data.corrupt": None, "dlhelpers.metrics": "psnr"}


def public_callables():
    """(module name, public name, object) for every callable in every public module's ``__all__``, each object once.

    The module name is relative: ``"conv"`` for dlhelpers.scratch.conv, ``"data.corrupt"`` for dlhelpers.data.corrupt.
    """
    found, seen = [], set()
    modules = [(info.name, f"dlhelpers.scratch.{info.name}")
               for info in pkgutil.iter_modules(dlhelpers.scratch.__path__) if not info.name.startswith("_")]
    modules += [(path.removeprefix("dlhelpers."), path) for path in OTHER_MODULES]
    for short, path in modules:
        module = importlib.import_module(path)
        names = getattr(module, "__all__", None)
        if names is None:
            found.append((short, "__all__", None))
            continue
        first = OTHER_MODULES.get(path)
        for name in names[names.index(first):] if first else names:
            obj = getattr(module, name)
            if callable(obj) and id(obj) not in seen:
                seen.add(id(obj))
                found.append((short, name, obj))
    return found


def _qualified(module):
    """The full module name from :func:`public_callables`' short one."""
    return f"dlhelpers.{module}" if f"dlhelpers.{module}" in OTHER_MODULES else f"dlhelpers.scratch.{module}"


PUBLIC = public_callables()


def test_every_module_declares_all_and_every_public_callable_has_a_spec():
    no_all = [_qualified(m) for m, n, _ in PUBLIC if n == "__all__"]
    assert not no_all, f"these modules must declare __all__ (their public names): {no_all}"
    missing = sorted(f"{_qualified(m)}.{n}" for m, n, _ in PUBLIC if n not in SPECS)
    assert not missing, (
        f"every public callable of dlhelpers.scratch (and of OTHER_MODULES) must have a property spec; missing "
        f"{missing}. Add an entry to SPECS in tests/property/specs.py or a specs_<topic>.py beside it (calls(...) for "
        "a function, backward_of(...) for a backward pass, record_of(...) for a result type) so the bad-input "
        "promise covers it.")
    assert len(PUBLIC) > 100                         # the whole API is really discovered
    covered = {m for m, _, _ in PUBLIC}
    assert {"data.corrupt", "metrics"} <= covered and {"psnr", "gaussian_noise"} <= {n for _, n, _ in PUBLIC}


def test_specs_name_only_public_callables():
    public = {n for _, n, _ in PUBLIC}
    stale = sorted(set(SPECS) - public)
    assert not stale, f"SPECS has entries for names that are no longer public: {stale}. Delete them."


def _cases(test):
    for module, name, obj in PUBLIC:
        if obj is None or name not in SPECS:
            continue
        if test == "exhaustive" and not hasattr(SPECS[name], "exhaustive"):
            continue
        defect = KNOWN_DEFECTS.get((test, name))
        marks = [pytest.mark.xfail(strict=True, reason=defect)] if defect else []
        yield pytest.param(name, obj, id=f"{module}.{name}", marks=marks)


def test_known_defects_name_public_callables():
    public = {n for _, n, _ in PUBLIC}
    assert {name for _, name in KNOWN_DEFECTS} <= public


@pytest.mark.parametrize("name, obj", list(_cases("promise")))
@PROFILE
@given(data=st.data())
def test_keeps_the_promise_for_valid_bad_and_extreme_input(name, obj, data):
    SPECS[name](data, obj)


@pytest.mark.parametrize("name, obj", list(_cases("exhaustive")))
@settings(PROFILE, max_examples=2)
@given(data=st.data())
def test_every_argument_with_every_bad_value(name, obj, data):
    SPECS[name].exhaustive(data, obj)


def test_every_backward_pass_has_a_backward_spec():
    backward = sorted(n for _, n, _ in PUBLIC if "backward" in n)
    assert backward, "no backward passes discovered"
    plain = [n for n in backward if n in SPECS and not getattr(SPECS[n], "is_backward", False)]
    assert not plain, f"these backward passes must be specified with backward_of(...) (dout checks): {plain}"


def test_every_public_callable_and_method_has_a_docstring_and_gradients_state_their_formula():
    import inspect
    undocumented, no_formula = [], []
    for module, name, obj in PUBLIC:
        if obj is None:
            continue
        if not inspect.getdoc(obj):
            undocumented.append(f"{module}.{name}")
        if inspect.isclass(obj):
            for attr, value in vars(obj).items():
                fn = value.fget if isinstance(value, property) else value
                if (not attr.startswith("_") or attr == "__call__") and callable(fn) and not (fn.__doc__ or "").strip():
                    undocumented.append(f"{module}.{name}.{attr}")
        if name.endswith(("_grad", "_derivative")):
            first = inspect.getdoc(obj).splitlines()[0] if inspect.getdoc(obj) else ""
            if "=" not in first:
                no_formula.append(f"{module}.{name}")
    assert not undocumented, f"public callables need a docstring (Args / Returns / Shapes): {undocumented}"
    assert not no_formula, f"every *_grad and *_derivative states its formula on its first line: {no_formula}"
