"""Valid input in every form the docstrings promise is accepted, and bad caches are refused with our message.

The promise test (test_public_api.py) draws valid input as float64 arrays only, so it cannot catch a
function that is too strict. Here every plain function (a :func:`tests.property.specs.calls` entry) is
called again with its array arguments given as

* ``float32`` arrays: must succeed, agree with the float64 call on the same (float32-rounded) numbers
  within float32 precision (rtol 1e-4), and keep float32 (NumPy's rule: float32 in, float32 out) unless
  :data:`FLOAT64_BY_DESIGN` says why the function computes in float64;
* nested Python lists: must succeed with exactly the float64 result;
* integer arrays (the values rounded to integers first, as images and labels are): must succeed with
  exactly the result of the float64 call on the same integers, whenever that float64 call succeeds;
* Python scalars, for the elementwise functions (:data:`SCALAR_FUNCTIONS`): the result of the 0-d array.

Every ``*_backward(dout, cache)`` is given, with a right dout, a cache that is None, a string, a tuple of the
wrong length or another forward pass's cache: it must raise ValueError/TypeError with our message blaming
``cache``, never AttributeError/IndexError or an unpacking error.
"""
from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.property.contract import PROFILE, Refused, attempt, attempt_or_none
from tests.property.specs import BAD_CACHE_KINDS, ELEMENTWISE, SPECS
from tests.property.test_public_api import PUBLIC

FORMS = ["float32", "list", "int"]

#: Functions that deliberately return float64 for float32 input, and why.
FLOAT64_BY_DESIGN: dict[str, str] = {
    "numerical_gradient": "its docstring: a central difference in float32 is swamped by rounding; df/dx is float64",
    "mean_psnr": "the per-image values of psnr, which takes any real dtype and computes in float64 (its docstring)",
    "mean_ssim": "the per-image values of ssim, which takes any real dtype and computes in float64 (its docstring)",
    "pca_reconstruct": "its docstring: float64 reconstructions (the SVD of the training images is done in float64)",
    "anomaly_summary": "the ROC and precision-recall curves are ratios of counts (scikit-learn's), not pixel values",
}

#: Functions whose float32 result is not compared with float64 (it is only required to be accepted), and why.
FLOAT32_NOT_COMPARED: dict[str, str] = {
    "numerical_gradient": "its docstring: in float32 the rounding of f(x ± eps), divided by 2·eps, swamps it",
}

#: Functions given probabilities away from the clip bounds [1e-7, 1 − 1e-7] in the float32 form, and why.
FLOAT32_PROBABILITIES_INSIDE = {
    "binary_crossentropy": "1 − 1e-7 is 0.99999988 in float32 (as in Keras): p = 1 costs log(1.19e-7), not log(1e-7)",
    "binary_crossentropy_grad": "as binary_crossentropy",
}

#: Functions documented to give inf for an image equal to its reference (PSNR of MSE 0), with the test for such a
#: pair: rounding to integers (the int form) can make two drawn images equal, and then there is nothing to compare.
INF_FOR_EQUAL_IMAGES = {
    "psnr": lambda args: np.array_equal(args[0], args[1]),
    "mean_psnr": lambda args: any(np.array_equal(a, b) for a, b in zip(args[0], args[1])),
}

#: (name, form) → why that form is refused by design (the call must then raise our ValueError/TypeError).
REFUSED_BY_DESIGN: dict[tuple, str] = {
    ("numerical_gradient", "list"): "x is perturbed in place so that f may read it: it must be a float NumPy array",
    ("numerical_gradient", "int"): "x is perturbed in place by eps: it must be a float NumPy array",
}

#: Functions documented to take a Python number where an array is expected (elementwise maps).
SCALAR_FUNCTIONS = [n for base in ELEMENTWISE + ["leaky_relu", "elu"] for n in (base, f"{base}_derivative")]

#: Known defects in modules edited elsewhere: (test, public name, form or cache kind) → the defect. Each is an
#: xfail(strict=True): it turns red once the defect is fixed; then delete its line.
KNOWN_DEFECTS: dict[tuple, str] = {}


# --- converting the array arguments ------------------------------------------------------------------------

def _is_float_array(v):
    return isinstance(v, np.ndarray) and v.dtype == np.float64 and v.ndim > 0


def _convert(args, kwargs, fn):
    """Every float array argument converted, also inside dicts of parameters (the recurrent params, nested too)."""
    def one(v):
        if _is_float_array(v):
            return fn(v)
        if isinstance(v, dict):
            return {k: one(w) for k, w in v.items()}
        return v
    return tuple(one(a) for a in args), {k: one(v) for k, v in kwargs.items()}


def _as_f32_values(a):       # the float32 numbers, held in float64: the reference for the float32 call
    return a.astype(np.float32).astype(np.float64)


PREPARE = {"float32": _as_f32_values, "list": lambda a: a, "int": np.round}
GIVE = {"float32": lambda a: a.astype(np.float32), "list": lambda a: a.tolist() if a.size else a,  # [] has no shape
        "int": lambda a: a.astype(np.int64)}


# --- comparing results -----------------------------------------------------------------------------------

def _pairs(got, ref, path="result", depth=0):
    """(path, got, ref) for every number/array leaf of two results of the same structure."""
    if depth > 6:
        return
    if isinstance(ref, np.ndarray) or isinstance(ref, (float, np.floating)):
        yield path, got, ref
    elif isinstance(ref, dict):
        assert isinstance(got, dict) and set(got) == set(ref), f"{path}: keys {got!r} vs {ref!r}"
        for k in ref:
            yield from _pairs(got[k], ref[k], f"{path}[{k!r}]", depth + 1)
    elif isinstance(ref, (list, tuple)):
        assert isinstance(got, (list, tuple)) and len(got) == len(ref), f"{path}: {type(got)} vs {type(ref)}"
        for i, (g, r) in enumerate(zip(got, ref)):
            yield from _pairs(g, r, f"{path}[{i}]", depth + 1)
    elif dataclasses.is_dataclass(ref) and not isinstance(ref, type):
        for f in dataclasses.fields(ref):
            yield from _pairs(getattr(got, f.name), getattr(ref, f.name), f"{path}.{f.name}", depth + 1)


def _agree(got, ref, form, label):
    first_array = True
    for path, g, r in _pairs(got, ref):
        g_arr, r_arr = np.asarray(g), np.asarray(r)
        assert g_arr.shape == r_arr.shape, f"{label}: {path} has shape {g_arr.shape} for {form} input, {r_arr.shape}"
        if r_arr.dtype.kind not in "fc":
            assert np.array_equal(g_arr, r_arr), f"{label}: {path} differs for {form} input"
            continue
        if form == "float32":
            # float32 arithmetic: relative error ~1e-7 per operation, a few hundred operations at most; the
            # absolute part is relative to the largest value (cancellation in sums and differences)
            scale = float(np.nanmax(np.abs(r_arr), initial=1.0))
            np.testing.assert_allclose(g_arr.astype(np.float64), r_arr, rtol=1e-4, atol=1e-4 * scale,
                                       err_msg=f"{label}: {path} for float32 input")
            if isinstance(r, np.ndarray) and first_array and label not in FLOAT64_BY_DESIGN:
                assert g_arr.dtype == np.float32, (
                    f"{label}: {path} is {g_arr.dtype} for float32 input; float32 in must give float32 out "
                    "(or add the function to FLOAT64_BY_DESIGN with the reason)")
        else:
            np.testing.assert_allclose(g_arr.astype(np.float64), r_arr, rtol=1e-12, atol=1e-300,
                                       err_msg=f"{label}: {path} for {form} input")
        if isinstance(r, np.ndarray):
            first_array = False


# --- the tests -----------------------------------------------------------------------------------------

def _param(test, name, obj, variant, module):
    defect = KNOWN_DEFECTS.get((test, name, variant))
    marks = [pytest.mark.xfail(strict=True, reason=defect)] if defect else []
    return pytest.param(name, obj, variant, id=f"{module}.{name}-{variant}", marks=marks)


FORM_CASES = [_param("forms", n, o, form, m) for m, n, o in PUBLIC
              if o is not None and hasattr(SPECS.get(n), "valid") for form in FORMS]
CACHE_CASES = [_param("cache", n, o, kind, m) for m, n, o in PUBLIC
               if o is not None and hasattr(SPECS.get(n), "bad_cache") for kind in BAD_CACHE_KINDS]


@pytest.mark.parametrize("name, obj, form", FORM_CASES)
@settings(PROFILE, max_examples=8)
@given(data=st.data())
def test_valid_input_in_another_form_is_accepted_with_the_same_result(name, obj, form, data):
    check = SPECS[name]
    args, kwargs = check.valid(data)
    call = (lambda *a, **k: list(itertools.islice(obj(*a, **k), 64))) if check.consume else obj
    if not any(_is_float_array(v) for v in (*args, *kwargs.values())):
        return                                          # no array argument: nothing to convert
    if form == "float32" and name in FLOAT32_PROBABILITIES_INSIDE and not kwargs.get("from_logits"):
        args = (args[0], np.clip(args[1], 1e-6, 1 - 1e-6)) + args[2:]
    ref_args, ref_kwargs = _convert(args, kwargs, PREPARE[form])
    if name in INF_FOR_EQUAL_IMAGES and INF_FOR_EQUAL_IMAGES[name](ref_args):
        return                                          # inf, as documented: no finite result to compare
    # rounding to integers can make valid input invalid (a probability row of zeros): then there is nothing to compare
    ref = attempt(call, *ref_args, expect="ok", label=name, **ref_kwargs) if form != "int" else \
        attempt_or_none(call, *ref_args, label=name, **ref_kwargs)
    if ref is None:
        return
    new_args, new_kwargs = _convert(ref_args, ref_kwargs, GIVE[form])
    if (name, form) in REFUSED_BY_DESIGN:
        with pytest.raises(Refused):
            attempt(call, *new_args, expect="error", label=f"{name} ({form} input)", **new_kwargs)
        return
    got = attempt(call, *new_args, expect="ok", label=f"{name} ({form} input)", **new_kwargs)
    if not (form == "float32" and name in FLOAT32_NOT_COMPARED):
        _agree(got, ref, form, name)


@pytest.mark.parametrize("name, obj, form", [
    _param("scalar", n, o, "scalar", m) for m, n, o in PUBLIC if n in SCALAR_FUNCTIONS])
@pytest.mark.parametrize("z", [-3.0, -0.5, 0.0, 0.25, 2.0, 40])
def test_elementwise_functions_take_a_python_number(name, obj, form, z):
    ref = attempt(obj, np.asarray(z, dtype=np.float64), expect="ok", label=name)
    got = attempt(obj, z, expect="ok", label=f"{name} (Python number)")
    assert np.ndim(got) == 0, f"{name}({z!r}) must give a number; got shape {np.shape(got)}"
    np.testing.assert_allclose(float(got), float(ref), rtol=1e-12, atol=0)


@pytest.mark.parametrize("name, obj, kind", CACHE_CASES)
@settings(PROFILE, max_examples=2)
@given(data=st.data())
def test_backward_refuses_a_bad_cache_with_our_message(name, obj, kind, data):
    SPECS[name].bad_cache(data, obj, kind)


def test_the_variants_cover_the_api():
    assert len(FORM_CASES) > 3 * 60 and len(CACHE_CASES) >= 4 * 10
    assert {n for _, n, _ in KNOWN_DEFECTS} <= {n for _, n, _ in PUBLIC}


# --- backward passes, models, optimizers and the perceptron in other forms --------------------------------------

BACKWARD_FORM_CASES = [_param("backward forms", n, o, form, m) for m, n, o in PUBLIC
                       if o is not None and hasattr(SPECS.get(n), "valid_forward") for form in FORMS]


@pytest.mark.parametrize("name, obj, form", BACKWARD_FORM_CASES)
@settings(PROFILE, max_examples=6)
@given(data=st.data())
def test_backward_after_a_forward_in_another_form_gives_the_same_gradients(name, obj, form, data):
    check = SPECS[name]
    forward = getattr(check.module, check.forward_name)
    args, kwargs = check.valid_forward(data)
    ref_args, ref_kwargs = _convert(args, kwargs, PREPARE[form])
    ref_out = attempt_or_none(forward, *ref_args, **ref_kwargs) if form == "int" else \
        attempt(forward, *ref_args, expect="ok", **ref_kwargs)
    if ref_out is None:
        return
    dout = np.round(np.linspace(-2.0, 3.0, int(np.prod(np.shape(ref_out[0])))).reshape(np.shape(ref_out[0])), 2)
    ref = attempt(obj, dout, ref_out[1], expect="ok", label=name)
    out = attempt(forward, *_convert(ref_args, ref_kwargs, GIVE[form])[0], expect="ok",
                  **_convert(ref_args, ref_kwargs, GIVE[form])[1])
    _agree(out[0], ref_out[0], form, check.forward_name)
    got = attempt(obj, GIVE[form](dout) if form != "int" else dout, out[1], expect="ok", label=f"{name} ({form} input)")
    _agree(got, ref, form, name)
    if form == "float32":
        for path, g, _ in _pairs(got, ref):
            if isinstance(g, np.ndarray):
                assert g.dtype == np.float32, f"{name}: {path} is {g.dtype} after a float32 forward pass"


@pytest.mark.parametrize("form", FORMS)
@settings(PROFILE, max_examples=10)
@given(data=st.data())
def test_sequential_takes_x_and_y_in_every_form_and_computes_in_its_own_dtype(form, data):
    from dlhelpers.scratch.layers import Dense
    from dlhelpers.scratch.network import Sequential
    from tests.property.specs import _model_case
    x, y, loss, (act, units) = _model_case(data)
    x, y = PREPARE[form](x), (PREPARE[form](y) if y.dtype.kind == "f" else y)

    def trained(xs, ys, dtype=np.float64):
        model = Sequential([Dense(3, "tanh"), Dense(units, act)], input_dim=x.shape[1], rng=1, dtype=dtype)
        model.compile(loss=loss, optimizer="adam", learning_rate=0.01)
        history = attempt(model.fit, xs, ys, epochs=2, batch_size=2, rng=0, expect="ok", label=f"fit ({form})")
        return model, history

    ref_model, ref_history = trained(x, y)
    give_y = GIVE[form] if y.dtype.kind == "f" else (lambda a: a.tolist()) if form == "list" else (lambda a: a)
    model, history = trained(GIVE[form](x), give_y(y))
    # the model converts x and y to its dtype (float64 here): every form gives exactly the same numbers
    np.testing.assert_array_equal(attempt(model.predict, GIVE[form](x), expect="ok"), ref_model.predict(x))
    assert {k: v for k, v in history.history.items() if k != "seconds"} == \
        {k: v for k, v in ref_history.history.items() if k != "seconds"}
    assert attempt(model.evaluate, GIVE[form](x), give_y(y), expect="ok") == ref_model.evaluate(x, y)
    model32, _ = trained(x, y, dtype=np.float32)      # a float32 model keeps float32 weights and outputs
    assert model32.predict(x).dtype == np.float32 and all(w.dtype == np.float32 for w in model32.get_weights())


@pytest.mark.parametrize("name", ["SGD", "RMSprop", "Adam"])
@settings(PROFILE, max_examples=8)
@given(data=st.data())
def test_optimizers_keep_float32_parameters_float32(name, data):
    from dlhelpers.scratch import optim
    from tests.property.specs import OPTIMIZER_KWARGS, _params
    kwargs = OPTIMIZER_KWARGS[name](data)
    params, grads = _params(data)
    params = {k: v / 1e4 for k, v in params.items()}                   # |w| <= 1, as weights are
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    ref_p, p = {k: v.astype(np.float64) for k, v in p32.items()}, p32
    ref_opt, opt = getattr(optim, name)(**kwargs), getattr(optim, name)(**kwargs)
    g32 = {k: v.astype(np.float32) for k, v in grads.items()}
    for _ in range(3):
        ref_p = attempt(ref_opt.step, ref_p, {k: v.astype(np.float64) for k, v in g32.items()}, expect="ok")
        p = attempt(opt.step, p, g32, expect="ok", label=f"{name}.step (float32)")
    for k in p:
        assert p[k].dtype == np.float32, f"{name}.step turned float32 {k} into {p[k].dtype}"
        np.testing.assert_allclose(p[k], ref_p[k], rtol=1e-4, atol=1e-4 * max(1.0, float(np.max(np.abs(ref_p[k])))))


@pytest.mark.parametrize("form", ["list", "int"])
def test_perceptron_takes_lists_and_integer_arrays(form):
    from dlhelpers.scratch.perceptron import Perceptron
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])      # AND: integers anyway
    y = np.array([0.0, 0.0, 0.0, 1.0])
    ref = Perceptron(learning_rate=0.5, outputs="binary", rng=0)
    ref.fit(X, y, epochs=6)
    p = Perceptron(learning_rate=0.5, outputs="binary", rng=0)
    attempt(p.fit, GIVE[form](X), GIVE[form](y), epochs=6, expect="ok")
    np.testing.assert_array_equal(p.predict(GIVE[form](X)), ref.predict(X))
    np.testing.assert_array_equal(p.weights, ref.weights)
