"""How to try each public callable of dlhelpers.scratch: one entry per public name in a module's ``__all__``.

Each entry is ``check(data, obj)``: it draws inputs with hypothesis's ``data`` and calls the public
object through :func:`contract.attempt`. Most entries are built by three makers:

* :func:`calls` — draw valid arguments; call with them (must succeed) or with one argument spoiled
  by a bad value (must succeed with finite output or raise ValueError/TypeError); test_valid_forms.py
  calls it again with float32 arrays, nested lists and integer arrays (``check.valid``);
* :func:`backward_of` — run the paired forward pass, then call the backward pass with a dout of the
  right shape (finite dx of the input's shape, the exact gradient keys), of a wrong shape (ValueError)
  or a bad value; ``check.bad_cache`` (test_valid_forms.py) gives it a bad cache (None, a string, a tuple
  of the wrong length, another forward pass's cache);
* :func:`record_of` — a result type (dataclass/cache) is checked through the function that makes it.

A new public name needs an entry here: ``test_every_public_callable_has_a_spec`` fails until it has one.
"""
from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st

from dlhelpers.scratch import (activations, augment, backprop_example, conv, dense, gradcheck, initializers, losses,
                               optim, perceptron, pooling, regularization)
from tests.property.contract import (BAD_VALUES, BIG, Refused, all_finite, arrays, attempt, attempt_or_none, bad_value,
                                     finite, images, shapes, snapshot, spoil)

SPECS: dict = {}


def spec(*names):
    def register(check):
        for name in names:
            assert name not in SPECS, name
            SPECS[name] = check
        return check
    return register


# --- makers ------------------------------------------------------------------------------------------

def calls(valid, out=None, protect=(), bad=True, consume=False):
    """Entry for a plain function: ``valid(data) -> (args, kwargs)``; ``out(result, args, kwargs)`` checks shapes."""
    def check(data, fn):
        args, kwargs = valid(data)
        spoilt = bad and data.draw(st.booleans(), label="spoil one argument")
        call = (lambda *a, **k: list(itertools.islice(fn(*a, **k), 64))) if consume else fn
        label = getattr(fn, "__qualname__", str(fn))
        if not spoilt:
            result = attempt(call, *args, expect="ok", label=label, **kwargs)
            if out is not None:
                out(result, args, kwargs)
            return
        args, kwargs = spoil(data, args, kwargs, protect=protect)
        attempt_or_none(call, *args, label=label, **kwargs)

    def exhaustive(data, fn):
        """Every argument in turn replaced by every value of BAD_VALUES (about 45 calls per argument)."""
        args, kwargs = valid(data)
        call = (lambda *a, **k: list(itertools.islice(fn(*a, **k), 64))) if consume else fn
        label = getattr(fn, "__qualname__", str(fn))
        slots = [i for i in range(len(args)) if i not in protect] + [k for k in kwargs if k not in protect]
        for slot in slots:
            for value in BAD_VALUES:
                value = snapshot(value)
                if isinstance(slot, int):
                    a, k = args[:slot] + (value,) + args[slot + 1:], kwargs
                else:
                    a, k = args, {**kwargs, slot: value}
                attempt_or_none(call, *a, label=label, **k)
    check.exhaustive = exhaustive
    check.valid, check.consume = valid, consume        # for the other valid forms (test_valid_forms.py)
    return check


def wrong_shapes(shape):
    """Shapes that are not ``shape``: one axis longer, one axis dropped, one axis added."""
    out = [shape[:i] + (shape[i] + 1,) + shape[i + 1:] for i in range(len(shape))]
    out += [shape[:-1], shape + (2,), (3,) + shape]
    return [s for s in out if s != shape]


def backward_of(forward_name, module, valid_forward, keys, dx_of=0):
    """Entry for ``*_backward(dout, cache)`` paired with ``module.forward_name``."""
    def check(data, fn):
        forward = getattr(module, forward_name)
        args, kwargs = valid_forward(data)
        out, cache = attempt(forward, *args, expect="ok", **kwargs)
        shape = np.shape(out)
        mode = data.draw(st.sampled_from(["right", "wrong shape", "bad value"]), label="dout")
        label = fn.__qualname__
        if mode == "right":
            dout = data.draw(arrays(shape, -10.0, 10.0), label="dout")
            dx, grads = attempt(fn, dout, cache, expect="ok", label=label)
            x = np.asarray(args[dx_of] if dx_of < len(args) else kwargs[dx_of])
            assert np.shape(dx) == x.shape, f"{label}: dx has shape {np.shape(dx)}, the input {x.shape}"
            assert isinstance(grads, dict) and set(grads) == set(keys), \
                f"{label}: gradient keys {sorted(grads)} must be {sorted(keys)}"
        elif mode == "wrong shape":
            wrong = data.draw(st.sampled_from(wrong_shapes(shape)), label="wrong shape")
            try:
                attempt(fn, np.ones(wrong), cache, expect="error", label=label)
            except Refused as r:
                assert isinstance(r.exc, ValueError), f"{label}: a wrong-shaped dout must raise ValueError; got {r}"
        else:
            attempt_or_none(fn, data.draw(bad_value(), label="bad dout"), cache, label=label)

    def bad_cache(data, fn, kind):
        """``fn(right dout, a bad cache)`` must raise ValueError/TypeError with our message naming ``cache``."""
        forward = getattr(module, forward_name)
        args, kwargs = valid_forward(data)
        out, cache = attempt(forward, *args, expect="ok", **kwargs)
        dout = np.ones(np.shape(out))
        label = fn.__qualname__
        for bad in bad_caches(cache, kind):
            try:
                attempt(fn, dout, bad, expect="error", label=label)
            except Refused as r:
                assert "cache" in str(r.exc), f"{label}: a bad cache {_kind_of(bad)} must be blamed on cache; got {r}"

    check.is_backward = True
    check.bad_cache = bad_cache
    check.forward_name, check.module, check.valid_forward = forward_name, module, valid_forward
    return check


BAD_CACHE_KINDS = ["None", "a string", "a tuple of the wrong length", "another function's cache"]


def _foreign_caches():
    """One cache of every forward pass with a cache (tiny fixed inputs)."""
    x, z = np.ones((1, 4, 4, 1)), np.ones((2, 2))
    makers = [lambda: conv.conv2d_forward(x, np.ones((2, 2, 1, 1)), None), lambda: pooling.max_pool2d_forward(x),
              lambda: pooling.average_pool2d_forward(x), lambda: pooling.global_max_pool2d(x),
              lambda: pooling.global_average_pool2d(x), lambda: pooling.flatten_forward(x),
              lambda: dense.dense_forward(z, np.ones((2, 2)), np.ones(2)),
              lambda: regularization.dropout_forward(z, 0.5, rng=0),
              lambda: regularization.batchnorm_forward(z, np.ones(2), np.zeros(2), np.zeros(2), np.ones(2)),
              lambda: activations.prelu_forward(z, np.ones(2)), lambda: activations.maxout_forward(z, 1)]
    return [make()[1] for make in makers]


def _kind_of(cache):
    return f"of type {type(cache).__name__}" + (f" and length {len(cache)}" if isinstance(cache, tuple) else "")


def bad_caches(cache, kind):
    """The bad caches of ``kind`` for a backward pass whose right cache is ``cache``."""
    if kind == "None":
        return [None]
    if kind == "a string":
        return ["cache"]
    if kind == "a tuple of the wrong length":
        items = tuple(cache.values()) if isinstance(cache, dict) else tuple(cache) if isinstance(cache, tuple) else (cache,)
        return [items[:-1], items + (None,), ()]
    return [c for c in _foreign_caches() if type(c) is not type(cache)
            or (isinstance(c, dict) and set(c) != set(cache))]


def record_of(producer):
    """Entry for a result type: ``producer(data)`` makes objects; one of them must be an instance."""
    def check(data, cls):
        made = producer(data)
        found = []

        def walk(obj, depth=0):
            if isinstance(obj, cls):
                found.append(obj)
            elif depth < 4 and isinstance(obj, (list, tuple)):
                for v in obj:
                    walk(v, depth + 1)
            elif depth < 4 and isinstance(obj, dict):
                for v in obj.values():
                    walk(v, depth + 1)
            elif depth < 4 and hasattr(obj, "__dict__") and not isinstance(obj, type):
                for v in vars(obj).values():
                    walk(v, depth + 1)
        walk(made)
        assert found, f"{cls.__name__} was not found in what its producer returned"
        assert all(all_finite(f) for f in found), f"{cls.__name__} holds NaN/inf: {found[0]!r}"
    return check


def same_shape_as(i=0):
    def out(result, args, kwargs):
        assert np.shape(result) == np.shape(np.asarray(args[i])), (np.shape(result), np.shape(args[i]))
    return out


def scalar_out(result, args, kwargs):
    assert isinstance(result, float), type(result)


# --- activations ---------------------------------------------------------------------------------------

def z_any(data):
    return data.draw(arrays(shapes(0, 3, 0, 4)), label="z")


ELEMENTWISE = ["sigmoid", "tanh", "relu", "softplus", "step", "sign", "linear"]
for _n in ELEMENTWISE:
    spec(_n, f"{_n}_derivative")(calls(lambda d: ((z_any(d),), {}), out=same_shape_as()))
spec("leaky_relu", "leaky_relu_derivative", "elu", "elu_derivative")(
    calls(lambda d: ((z_any(d),), {"alpha": d.draw(finite(0.0, 10.0), label="alpha")}), out=same_shape_as()))


def _softmax_args(d):
    z = d.draw(arrays(shapes(1, 3, 1, 4)), label="z")
    return (z,), {"axis": d.draw(st.integers(-z.ndim, z.ndim - 1), label="axis")}


spec("softmax")(calls(_softmax_args, out=same_shape_as()))
spec("softmax_jacobian")(calls(lambda d: ((d.draw(arrays(st.tuples(st.integers(1, 5))), label="z"),), {}),
                               out=lambda r, a, k: r.shape == (len(a[0]),) * 2))


@spec("softmax_backward")
def _softmax_backward(data, fn):
    args, kwargs = _softmax_args(data)
    s = activations.softmax(*args, **kwargs)
    mode = data.draw(st.sampled_from(["right", "wrong shape", "bad value"]), label="dout")
    if mode == "right":
        dz = attempt(fn, data.draw(arrays(s.shape, -10, 10)), s, expect="ok", **kwargs)
        assert dz.shape == s.shape
    elif mode == "wrong shape":
        try:
            attempt(fn, np.ones(data.draw(st.sampled_from(wrong_shapes(s.shape)))), s, expect="error", **kwargs)
        except Refused as r:
            assert isinstance(r.exc, ValueError)
    else:
        attempt_or_none(fn, data.draw(bad_value()), s, **kwargs)


_softmax_backward.is_backward = True


def _prelu_args(d):
    z = d.draw(arrays(shapes(2, 4, 1, 4)), label="z")
    alpha = d.draw(arrays(z.shape[1:], 0.0, 1.0), label="alpha")
    return (z, alpha), {}


spec("prelu_forward")(calls(_prelu_args))
spec("prelu_backward")(backward_of("prelu_forward", activations, _prelu_args, {"alpha"}))


def _maxout_args(d):
    units, k, n = d.draw(st.integers(1, 3)), d.draw(st.integers(1, 3)), d.draw(st.integers(1, 3))
    return (d.draw(arrays((n, units * k)), label="z"), units), {}


spec("maxout_forward")(calls(_maxout_args, out=lambda r, a, k: r[0].shape == (a[0].shape[0], a[1])))
spec("maxout_backward")(backward_of("maxout_forward", activations, _maxout_args, set()))
spec("PReLUCache")(record_of(lambda d: activations.prelu_forward(*_prelu_args(d)[0])))
spec("MaxoutCache")(record_of(lambda d: activations.maxout_forward(*_maxout_args(d)[0])))


@spec("Activation")
def _activation_record(data, cls):
    act = activations.ACTIVATIONS[data.draw(st.sampled_from(sorted(activations.ACTIVATIONS)))]
    rebuilt = cls(act.name, act.fn, act.derivative, act.output_range, act.typical_use)
    attempt(rebuilt, data.draw(arrays(shapes(1, 2))), expect="ok")
    attempt_or_none(rebuilt, data.draw(bad_value()))


spec("get_activation")(calls(lambda d: ((d.draw(st.sampled_from(sorted(activations.ACTIVATIONS) + [None])),), {})))


# --- losses -------------------------------------------------------------------------------------------

def _loss_args(name):
    def valid(d):
        n, k = d.draw(st.integers(1, 4), label="N"), d.draw(st.integers(1, 4), label="K")
        if name.startswith("sparse"):
            p = d.draw(arrays((n, k), 0.0, 1.0), label="y_pred")
            p[:, 0] += 1e-3                                           # each row has a positive sum
            return (d.draw(hnp_ints((n,), k), label="y_true"), p), {}
        if name.startswith(("categorical", "kl")):
            p = d.draw(arrays((n, k), 0.0, BIG), label="y_pred")
            p[:, 0] += 1e-3
            return (d.draw(arrays((n, k), 0.0, 1.0), label="y_true"), p), {}
        if name.startswith("binary"):
            logits = d.draw(st.booleans(), label="from_logits")
            p = d.draw(arrays((n, k), -BIG, BIG) if logits else arrays((n, k), 0.0, 1.0), label="y_pred")
            return (d.draw(arrays((n, k), 0.0, 1.0), label="y_true"), p), {"from_logits": logits}
        return (d.draw(arrays((n, k)), label="y_true"), d.draw(arrays((n, k)), label="y_pred")), {}
    return valid


def hnp_ints(shape, k):
    from hypothesis.extra import numpy as hnp
    return hnp.arrays(np.int64, shape, elements=st.integers(0, k - 1))


for _name in losses.LOSSES:
    spec(_name)(calls(_loss_args(_name), out=scalar_out))
    spec(f"{_name}_grad")(calls(_loss_args(_name), out=same_shape_as(1)))


@spec("Loss")
def _loss_record(data, cls):
    loss = losses.LOSSES[data.draw(st.sampled_from(sorted(losses.LOSSES)))]
    rebuilt = cls(loss.name, loss.fn, loss.grad, loss.task)
    args, kwargs = _loss_args(loss.name)(data)
    kwargs.pop("from_logits", None)
    if loss.name.startswith("binary"):
        args = (args[0], np.clip(args[1], 0, 1))
    attempt(rebuilt, *args, expect="ok")


spec("get_loss")(calls(lambda d: ((d.draw(st.sampled_from(sorted(losses.LOSSES))),), {})))


# --- initializers ---------------------------------------------------------------------------------------

def _init_args(d):
    shape = d.draw(shapes(1, 4, 1, 5), label="shape")
    return (d.draw(st.sampled_from(initializers.INITIALIZERS)), shape), {
        "rng": d.draw(st.integers(0, 2 ** 32 - 1)), "dtype": d.draw(st.sampled_from([np.float32, np.float64]))}


spec("initialize")(calls(_init_args, out=lambda r, a, k: r.shape == a[1]))
spec("fans")(calls(lambda d: ((d.draw(shapes(1, 4, 1, 6)),), {})))


# --- optimizers and schedules ----------------------------------------------------------------------------

def _params(d):
    keys = d.draw(st.lists(st.sampled_from(["kernel", "bias", "gamma"]), min_size=1, max_size=3, unique=True))
    shapes_ = {k: d.draw(shapes(1, 2, 1, 3)) for k in keys}
    params = {k: d.draw(arrays(s, -BIG, BIG)) for k, s in shapes_.items()}
    grads = {k: d.draw(arrays(s, -BIG, BIG)) for k, s in shapes_.items()}
    return params, grads


OPTIMIZER_KWARGS = {
    "SGD": lambda d: {"learning_rate": d.draw(finite(1e-4, 1.0)), "momentum": d.draw(finite(0.0, 0.99)),
                      "nesterov": d.draw(st.booleans())},
    "RMSprop": lambda d: {"learning_rate": d.draw(finite(1e-4, 1.0)), "rho": d.draw(finite(0.0, 0.99)),
                          "epsilon": d.draw(finite(1e-8, 1e-3))},
    "Adam": lambda d: {"learning_rate": d.draw(finite(1e-4, 1.0)), "beta_1": d.draw(finite(0.0, 0.99)),
                       "beta_2": d.draw(finite(0.0, 0.999)), "epsilon": d.draw(finite(1e-8, 1e-3))},
}


def _optimizer_check(name):
    def check(data, cls):
        kwargs = OPTIMIZER_KWARGS[name](data)
        if data.draw(st.booleans(), label="spoil a setting"):
            _, kwargs = spoil(data, (), kwargs)
            opt = attempt_or_none(cls, **kwargs)
            if opt is None:
                return
        else:
            opt = attempt(cls, expect="ok", **kwargs)
        params, grads = _params(data)
        if data.draw(st.booleans(), label="spoil the step"):
            (params, grads), _ = spoil(data, (params, grads), {})
            attempt_or_none(opt.step, params, grads)
            return
        for _ in range(3):
            new = attempt(opt.step, params, grads, expect="ok")
            assert {k: v.shape for k, v in new.items()} == {k: np.shape(v) for k, v in params.items()}
            params = new
        assert np.isfinite(opt.current_learning_rate())
        opt.reset()
    return check


for _name in OPTIMIZER_KWARGS:
    spec(_name)(_optimizer_check(_name))


def _schedule_check(make_kwargs):
    def check(data, cls):
        kwargs = make_kwargs(data)
        spoilt = data.draw(st.booleans(), label="spoil a setting")
        if spoilt:
            _, kwargs = spoil(data, (), kwargs)
        schedule = attempt(cls, expect="any" if spoilt else "ok", **kwargs) if not spoilt else \
            attempt_or_none(cls, **kwargs)
        if schedule is None:
            return
        step = data.draw(st.one_of(st.integers(0, 10 ** 6), bad_value()), label="step")
        lr = attempt_or_none(schedule, step)
        if lr is not None:
            assert np.isfinite(lr) and lr >= 0
        opt = optim.SGD(schedule)
        attempt_or_none(opt.step, {"w": np.ones(2)}, {"w": np.ones(2)})
        repr(schedule)
    return check


spec("ExponentialDecay")(_schedule_check(lambda d: {
    "initial_learning_rate": d.draw(finite(1e-4, 1.0)), "decay_steps": d.draw(finite(1.0, 1e4)),
    "decay_rate": d.draw(finite(0.01, 1.0)), "staircase": d.draw(st.booleans())}))
spec("StepDecay")(_schedule_check(lambda d: {
    "initial_learning_rate": d.draw(finite(1e-4, 1.0)), "drop": d.draw(finite(0.01, 1.0)),
    "every": d.draw(st.integers(1, 100))}))
spec("get_optimizer")(calls(lambda d: ((d.draw(st.sampled_from(sorted(optim.OPTIMIZERS))),),
                                       {"learning_rate": d.draw(finite(1e-4, 1.0))})))


# --- gradcheck -----------------------------------------------------------------------------------------

FUNCTIONS = [lambda v: float(np.sum(v * v)), lambda v: float(np.sum(np.sin(v))), lambda v: float(np.sum(np.tanh(v)))]


spec("numerical_gradient")(calls(
    lambda d: ((d.draw(st.sampled_from(FUNCTIONS)), d.draw(arrays(shapes(1, 2, 1, 3), -10.0, 10.0))),
               {"eps": d.draw(finite(1e-6, 1e-3))}), out=same_shape_as(1), protect=(0,)))


def _two_same(d):
    s = d.draw(shapes(1, 3, 1, 4))
    return (d.draw(arrays(s)), d.draw(arrays(s))), {}


spec("relative_error")(calls(_two_same, out=scalar_out))


# --- augmentation --------------------------------------------------------------------------------------

def _img(d):
    return d.draw(images(lo=0.0, hi=BIG), label="x")


def _common(d):
    return {"fill_mode": d.draw(st.sampled_from(augment.FILL_MODES)), "fill_value": d.draw(finite(-1.0, 1.0)),
            "interpolation": d.draw(st.sampled_from(["bilinear", "nearest"]))}


def _matrix(d):
    return d.draw(arrays((2, 3), -3.0, 3.0), label="matrix")


spec("affine_transform")(calls(lambda d: ((_img(d), _matrix(d)), _common(d)), out=same_shape_as()))
spec("flip")(calls(lambda d: ((_img(d),), {"mode": d.draw(st.sampled_from(
    ["horizontal", "vertical", "horizontal_and_vertical"]))}), out=same_shape_as()))
spec("random_flip")(calls(lambda d: ((_img(d),), {"mode": d.draw(st.sampled_from(
    ["horizontal", "vertical", "horizontal_and_vertical"])), "rng": d.draw(st.integers(0, 99))}), out=same_shape_as()))
spec("rotate")(calls(lambda d: ((_img(d), d.draw(finite(-720, 720))), _common(d)), out=same_shape_as()))
spec("translate")(calls(lambda d: ((_img(d), d.draw(finite(-20, 20)), d.draw(finite(-20, 20))), _common(d)),
                        out=same_shape_as()))
spec("zoom")(calls(lambda d: ((_img(d), d.draw(finite(0.1, 5.0))), {"width_zoom": d.draw(finite(0.1, 5.0)),
                                                                   **_common(d)}), out=same_shape_as()))
spec("salt_and_pepper")(calls(lambda d: ((_img(d),), {"amount": d.draw(finite(0.0, 1.0)), "rng": d.draw(
    st.integers(0, 99)), "salt": d.draw(finite(-BIG, BIG)), "pepper": d.draw(finite(-BIG, BIG))}), out=same_shape_as()))
spec("rotation_matrix")(calls(lambda d: ((d.draw(finite(-720, 720)), d.draw(st.integers(1, 50)),
                                          d.draw(st.integers(1, 50))), {}), out=lambda r, a, k: r.shape == (2, 3)))


def _factor(d, lo, hi):
    """A valid factor: a pair lo <= a <= b <= hi, or one number f with [−f, f] inside [lo, hi]."""
    if d.draw(st.booleans(), label="pair"):
        a, b = sorted([d.draw(finite(lo, hi)), d.draw(finite(lo, hi))])
        return (a, b)
    return d.draw(finite(0.0, min(-lo, hi)))


spec("random_rotation")(calls(lambda d: ((_img(d), _factor(d, -1.0, 1.0)), {"rng": d.draw(st.integers(0, 99))}),
                              out=same_shape_as()))
spec("random_translation")(calls(lambda d: ((_img(d), _factor(d, -1.0, 1.0), _factor(d, -1.0, 1.0)),
                                            {"rng": d.draw(st.integers(0, 99))}), out=same_shape_as()))
spec("random_zoom")(calls(lambda d: ((_img(d), _factor(d, -0.9, 2.0)), {"width_factor": _factor(d, -0.9, 2.0),
                                                                      "rng": d.draw(st.integers(0, 99))}),
                          out=same_shape_as()))


# --- perceptron and the backprop example ---------------------------------------------------------------------

@spec("Perceptron")
def _perceptron(data, cls):
    outputs = data.draw(st.sampled_from(["bipolar", "binary"]))
    kwargs = {"learning_rate": data.draw(finite(1e-3, 10.0)), "outputs": outputs, "rng": data.draw(st.integers(0, 9))}
    n, f = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 3))
    X = data.draw(arrays((n, f)))
    y = data.draw(hnp_ints((n,), 2)).astype(float)
    if outputs == "bipolar":
        y = 2 * y - 1
    fit_kwargs = {"epochs": data.draw(st.integers(1, 5)), "shuffle": data.draw(st.booleans()), "rng": 0}
    if data.draw(st.booleans(), label="spoil"):
        _, kwargs = spoil(data, (), kwargs)
        p = attempt_or_none(cls, **kwargs)
        if p is not None:
            (X, y), fit_kwargs = spoil(data, (X, y), fit_kwargs)
            attempt_or_none(p.fit, X, y, **fit_kwargs)
        return
    p = attempt(cls, expect="ok", **kwargs)
    hist = attempt(p.fit, X, y, expect="ok", **fit_kwargs)
    attempt(hist.table, expect="ok")
    assert attempt(p.predict, X, expect="ok").shape == (n,)
    attempt_or_none(p.net_input, data.draw(bad_value()))


spec("PerceptronHistory")(record_of(lambda d: perceptron.Perceptron(outputs="binary").fit(
    np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0.0, 1.0]), epochs=d.draw(st.integers(1, 3)))))


def _backprop_kwargs(d):
    return {"x": tuple(d.draw(arrays((2,), -10, 10))), "w": tuple(d.draw(arrays((8,), -10, 10))),
            "b": tuple(d.draw(arrays((2,), -10, 10))), "t": tuple(d.draw(arrays((2,), 0, 1))),
            "learning_rate": d.draw(finite(1e-3, 10.0)), "update_biases": d.draw(st.booleans())}


@spec("BackpropExample")
def _backprop_example(data, cls):
    kwargs = _backprop_kwargs(data)
    if data.draw(st.booleans(), label="spoil"):
        _, kwargs = spoil(data, (), kwargs)
        ex = attempt_or_none(cls, **kwargs)
        if ex is not None:
            attempt_or_none(ex.train, data.draw(bad_value()))
        return
    ex = attempt(cls, expect="ok", **kwargs)
    for method in (ex.forward, ex.gradients, ex.gradient_vector, ex.error, ex.step, ex.keras_weights):
        attempt(method, expect="ok")
    final, errors = attempt(ex.train, data.draw(st.integers(1, 20)), expect="ok")
    assert errors.shape[0] >= 2


spec("backprop_steps")(calls(lambda d: ((d.draw(st.sampled_from([None, backprop_example.BackpropExample()]),),), {})))
spec("Step")(record_of(lambda d: backprop_example.backprop_steps()))


# --- dense, conv, pooling, regularization (modules owned elsewhere: tried, never edited here) -----------------------

def _dense_args(d):
    n, i, u = d.draw(st.integers(1, 4)), d.draw(st.integers(1, 4)), d.draw(st.integers(1, 4))
    return (d.draw(arrays((n, i))), d.draw(arrays((i, u), -1, 1)), d.draw(arrays((u,)))), {}


spec("dense_forward")(calls(_dense_args, out=lambda r, a, k: r[0].shape == (a[0].shape[0], a[1].shape[1])))
spec("dense_backward")(backward_of("dense_forward", dense, _dense_args, {"kernel", "bias"}))
spec("DenseCache")(record_of(lambda d: dense.dense_forward(*_dense_args(d)[0])))


def _padding(d):
    return d.draw(st.sampled_from(["valid", "same", 0, 1, 2]))


def _conv_args(d):
    x = d.draw(images(max_n=2, max_hw=6, max_c=2, min_hw=3))
    kh, kw = d.draw(st.integers(1, 3)), d.draw(st.integers(1, 3))
    kernel = d.draw(arrays((kh, kw, x.shape[-1], d.draw(st.integers(1, 2))), -1, 1))
    bias = d.draw(st.sampled_from([None, "array"]))
    bias = None if bias is None else d.draw(arrays((kernel.shape[-1],)))
    return (x, kernel, bias), {"strides": d.draw(st.sampled_from([1, 2, (1, 2)])), "padding": _padding(d)}


def _conv_out(result, args, kwargs):
    out = result[0]
    x, kernel = args[0], args[1]
    s = conv_pair(kwargs["strides"])
    expected = tuple(conv.conv_output_size(n, k, st_, kwargs["padding"])
                     for n, k, st_ in zip(x.shape[1:3], kernel.shape[:2], s))
    assert out.shape == (x.shape[0], *expected, kernel.shape[-1]), (out.shape, expected)


def conv_pair(v):
    return v if isinstance(v, tuple) else (v, v)


spec("conv2d_forward", "conv2d_forward_loop")(calls(_conv_args, out=_conv_out))
spec("conv2d_backward")(backward_of("conv2d_forward", conv, _conv_args, {"kernel", "bias"}))
spec("conv2d_backward_loop")(backward_of("conv2d_forward_loop", conv, _conv_args, {"kernel", "bias"}))
spec("conv2d_steps")(calls(lambda d: ((d.draw(images(1, 5, 1, min_hw=3))[0, :, :, 0],
                                       d.draw(arrays((3, 3), -1, 1))),
                                      {"strides": d.draw(st.sampled_from([1, 2])), "padding": _padding(d)}),
                           consume=True))
spec("ConvFrame")(record_of(lambda d: list(conv.conv2d_steps(np.ones((4, 4)), np.ones((3, 3))))))
spec("ConvCache")(record_of(lambda d: conv.conv2d_forward(*_conv_args(d)[0])))
def _size_args(d):
    n = d.draw(st.integers(1, 30))
    return (n, d.draw(st.integers(1, min(n, 5)))), {"stride": d.draw(st.integers(1, 4)), "padding": _padding(d)}


spec("conv_output_size")(calls(_size_args))
spec("same_padding")(calls(lambda d: ((d.draw(st.integers(1, 30)), d.draw(st.integers(1, 5)),
                                       d.draw(st.integers(1, 4))), {})))
spec("pad_amounts")(calls(lambda d: ((d.draw(st.integers(1, 30)), d.draw(st.integers(1, 30)), d.draw(st.integers(1, 5)),
                                      d.draw(st.integers(1, 5)), (d.draw(st.integers(1, 3)), d.draw(st.integers(1, 3))),
                                      _padding(d)), {})))


def _pool_args(d):
    x = d.draw(images(max_n=2, max_hw=6, max_c=2, min_hw=2))
    return (x,), {"pool_size": d.draw(st.sampled_from([1, 2, (2, 1)])), "strides": d.draw(st.sampled_from([None, 1, 2])),
                  "padding": d.draw(st.sampled_from(["valid", "same"]))}


def _x_only(d):
    return (d.draw(images(max_n=2, max_hw=5, max_c=3)),), {}


spec("max_pool2d_forward", "average_pool2d_forward")(calls(_pool_args))
spec("max_pool2d_backward")(backward_of("max_pool2d_forward", pooling, _pool_args, set()))
spec("average_pool2d_backward")(backward_of("average_pool2d_forward", pooling, _pool_args, set()))
spec("global_max_pool2d", "global_average_pool2d")(
    calls(_x_only, out=lambda r, a, k: r[0].shape == (a[0].shape[0], a[0].shape[-1])))
spec("global_max_pool2d_backward")(backward_of("global_max_pool2d", pooling, _x_only, set()))
spec("global_average_pool2d_backward")(backward_of("global_average_pool2d", pooling, _x_only, set()))
spec("flatten_forward")(calls(_x_only, out=lambda r, a, k: r[0].shape == (a[0].shape[0], a[0][0].size)))
spec("flatten_backward")(backward_of("flatten_forward", pooling, _x_only, set()))
spec("pool2d_steps")(calls(lambda d: ((d.draw(images(1, 5, 1, min_hw=3))[0, :, :, 0],),
                                      {"pool_size": d.draw(st.sampled_from([1, 2, 3])),
                                       "strides": d.draw(st.sampled_from([None, 1, 2])),
                                       "padding": d.draw(st.sampled_from(["valid", "same"])),
                                       "mode": d.draw(st.sampled_from(["max", "average"]))}), consume=True))
spec("PoolFrame")(record_of(lambda d: list(pooling.pool2d_steps(np.arange(16.0).reshape(4, 4)))))
spec("MaxPoolCache")(record_of(lambda d: pooling.max_pool2d_forward(*_pool_args(d)[0])))
spec("AvgPoolCache")(record_of(lambda d: pooling.average_pool2d_forward(*_pool_args(d)[0])))
spec("GlobalMaxPoolCache")(record_of(lambda d: pooling.global_max_pool2d(*_x_only(d)[0])))
spec("GlobalAvgPoolCache")(record_of(lambda d: pooling.global_average_pool2d(*_x_only(d)[0])))
spec("FlattenCache")(record_of(lambda d: pooling.flatten_forward(*_x_only(d)[0])))


def _dropout_args(d):
    return (d.draw(arrays(shapes(1, 3, 1, 4))), d.draw(finite(0.0, 0.95))), {
        "training": d.draw(st.booleans()), "rng": d.draw(st.integers(0, 99))}


def _batchnorm_args(d):
    x = d.draw(st.one_of(arrays(st.tuples(st.integers(2, 4), st.integers(1, 3))), images(3, 3, 2)))
    D = x.shape[-1]
    kwargs = {"training": d.draw(st.booleans()), "momentum": d.draw(finite(0.0, 1.0)),
              "epsilon": d.draw(finite(1e-5, 1e-1))}
    if d.draw(st.booleans()):                           # a mask over every axis but the features (e.g. padded steps)
        from hypothesis.extra import numpy as hnp
        kwargs["mask"] = d.draw(hnp.arrays(bool, x.shape[:-1]))
    return (x, d.draw(arrays((D,), -2, 2)), d.draw(arrays((D,), -2, 2)), d.draw(arrays((D,), -2, 2)),
            d.draw(arrays((D,), 0.0, 4.0))), kwargs


spec("dropout_forward")(calls(_dropout_args, out=lambda r, a, k: r[0].shape == a[0].shape))
spec("dropout_backward")(backward_of("dropout_forward", regularization, _dropout_args, set()))
spec("DropoutCache")(record_of(lambda d: regularization.dropout_forward(np.ones((2, 3)), 0.5, rng=0)))
spec("batchnorm_forward")(calls(_batchnorm_args, out=lambda r, a, k: r[0].shape == a[0].shape))
spec("batchnorm_backward")(backward_of("batchnorm_forward", regularization, _batchnorm_args, {"gamma", "beta"}))


# --- layers, the network and callbacks (modules owned elsewhere) ---------------------------------------------

def _scratch(module_name):
    import importlib
    return importlib.import_module(f"dlhelpers.scratch.{module_name}")


def _layer(name):
    """A layer class by name, wherever it lives now (layers.py, or network.py in older trees)."""
    for module_name in ("layers", "network"):
        try:
            return getattr(_scratch(module_name), name)
        except (ImportError, AttributeError):
            continue
    raise LookupError(name)


def _flat_input(d):
    return d.draw(arrays(st.tuples(st.integers(1, 4), st.integers(1, 3))), label="x")


def _image_input(d):
    return d.draw(images(max_n=3, max_hw=6, max_c=2, min_hw=3), label="x")


LAYER_CASES = {   # name: (constructor kwargs, input, layers around it)
    "Dense": (lambda d: {"units": d.draw(st.integers(1, 3)),
                         "activation": d.draw(st.sampled_from([None, "softmax", *sorted(activations.ACTIVATIONS)])),
                         "kernel_initializer": d.draw(st.sampled_from(initializers.INITIALIZERS)),
                         "bias_initializer": d.draw(st.sampled_from(["zeros", "ones"]))}, _flat_input, lambda l: [l]),
    "Dropout": (lambda d: {"rate": d.draw(finite(0.0, 0.9))}, _flat_input, lambda l: [l, _layer("Dense")(1)]),
    "PReLU": (lambda d: {}, _flat_input, lambda l: [l, _layer("Dense")(1)]),
    "Conv2D": (lambda d: {"filters": d.draw(st.integers(1, 2)), "kernel_size": d.draw(st.sampled_from([1, 2, 3, (3, 1)])),
                          "strides": d.draw(st.sampled_from([1, 2])), "padding": d.draw(st.sampled_from(["valid", "same"])),
                          "activation": d.draw(st.sampled_from([None, "relu", "tanh"]))},
               _image_input, lambda l: [l, _layer("Flatten")(), _layer("Dense")(1)]),
    "MaxPooling2D": (lambda d: {"pool_size": d.draw(st.sampled_from([1, 2])), "strides": d.draw(st.sampled_from([None, 1])),
                                "padding": d.draw(st.sampled_from(["valid", "same"]))},
                     _image_input, lambda l: [l, _layer("Flatten")(), _layer("Dense")(1)]),
    "GlobalAveragePooling2D": (lambda d: {}, _image_input, lambda l: [l, _layer("Dense")(1)]),
    "Flatten": (lambda d: {}, _image_input, lambda l: [l, _layer("Dense")(1)]),
    "BatchNormalization": (lambda d: {"momentum": d.draw(finite(0.0, 1.0)), "epsilon": d.draw(finite(1e-5, 0.1))},
                           _flat_input, lambda l: [l, _layer("Dense")(1)]),
}
LAYER_CASES["AveragePooling2D"] = LAYER_CASES["MaxPooling2D"]


def _train_briefly(data, layers, x, expect):
    from dlhelpers.scratch.network import Sequential
    model = attempt(Sequential, layers, input_shape=x.shape[1:], rng=0, expect=expect)
    model.compile(loss="mse", optimizer="sgd", learning_rate=1e-3)
    out = attempt(model.predict, x, expect=expect)
    y = np.zeros((len(x), int(np.prod(out.shape[1:]))))
    attempt(model.fit, x / BIG, y, epochs=1, batch_size=2, rng=0, expect=expect)
    return model


def _layer_check(name):
    def check(data, cls):
        kwargs_of, input_of, around = LAYER_CASES[name]
        kwargs = kwargs_of(data)
        x = input_of(data)
        if data.draw(st.booleans(), label="spoil a setting") and kwargs:
            _, kwargs = spoil(data, (), kwargs)
            layer = attempt_or_none(cls, **kwargs)
            if layer is not None:
                try:
                    _train_briefly(data, around(layer), x, "any")
                except Refused:
                    pass
            return
        layer = attempt(cls, expect="ok", **kwargs)
        _train_briefly(data, around(layer), x, "ok")
        out = layer.forward(layer_input(around(layer), x), training=True)
        wrong = data.draw(st.sampled_from(wrong_shapes(np.shape(out))))
        try:
            attempt(layer.backward, np.ones(wrong), expect="error")
        except Refused as r:
            assert isinstance(r.exc, ValueError), r
    return check


def layer_input(layers, x):
    return x      # every case puts the layer under test first


for _name in LAYER_CASES:
    spec(_name)(_layer_check(_name))


@spec("Layer")
def _base_layer(data, cls):
    class Scale(cls):                       # the documented way to add a layer: _forward and _backward
        def _forward(self, x, training):
            return 2.0 * x, None

        def _backward(self, dout):
            return 2.0 * dout, {}

    name = data.draw(st.one_of(st.none(), st.text(min_size=1, max_size=5), bad_value()), label="name")
    layer = attempt_or_none(Scale, name=name)
    if layer is not None:
        x = _flat_input(data)
        _train_briefly(data, [layer, _layer("Dense")(1)], x, "ok")
        attempt(layer.count_params, expect="ok")
        attempt_or_none(layer.backward, data.draw(bad_value()))


spec("layer_type_names")(calls(lambda d: ((), {}), out=lambda r, a, k: all(isinstance(n, str) for n in r)))


def _model_case(d):
    """A small valid model, loss, optimizer and data."""
    n, f = d.draw(st.integers(2, 6)), d.draw(st.integers(1, 3))
    x = d.draw(arrays((n, f), -10, 10))
    loss = d.draw(st.sampled_from(["mse", "binary_crossentropy", "categorical_crossentropy",
                                   "sparse_categorical_crossentropy", "hinge"]))
    k = d.draw(st.integers(2, 3))
    if loss == "mse":
        out, y = ("linear", 1), d.draw(arrays((n, 1), -10, 10))
    elif loss in ("binary_crossentropy", "hinge"):
        out, y = ("sigmoid" if loss == "binary_crossentropy" else "tanh", 1), d.draw(hnp_ints((n, 1), 2)).astype(float)
    elif loss == "categorical_crossentropy":
        out, y = ("softmax", k), np.eye(k)[d.draw(hnp_ints((n,), k))]
    else:
        out, y = ("softmax", k), d.draw(hnp_ints((n,), k))
    return x, y, loss, out


@spec("Sequential")
def _sequential(data, cls):
    Dense = _layer("Dense")
    x, y, loss, (act, units) = _model_case(data)
    make = lambda: [Dense(data.draw(st.integers(1, 4)), data.draw(st.sampled_from(["tanh", "relu", "sigmoid"]))),
                    Dense(units, act)]
    init = {"input_dim": x.shape[1], "rng": data.draw(st.integers(0, 99))}
    comp = {"loss": loss, "optimizer": data.draw(st.sampled_from(sorted(optim.OPTIMIZERS))),
            "learning_rate": data.draw(finite(1e-3, 0.1))}
    fit = {"epochs": data.draw(st.integers(1, 3)), "batch_size": data.draw(st.sampled_from([None, 1, 2])),
           "shuffle": data.draw(st.booleans()), "rng": 0}
    where = data.draw(st.sampled_from(["none", "init", "compile", "fit", "callbacks", "data"]), label="spoil")
    expect = "ok" if where == "none" else "any"
    try:
        if where == "init":
            _, init = spoil(data, (), {"layers": make(), **init})
            model = attempt(cls, expect=expect, **init)
        else:
            model = attempt(cls, make(), expect="ok", **init)
        if where == "compile":
            _, comp = spoil(data, (), comp)
        attempt(model.compile, expect=expect, **comp)
        if where == "fit":
            _, fit = spoil(data, (), fit)
        if where == "callbacks":
            fit["callbacks"] = data.draw(st.sampled_from([lambda *a: None, [print], 3, "history", [None]]))
        if where == "data":
            (x, y), _ = spoil(data, (x, y), {})
        attempt(model.fit, x, y, expect=expect, validation_data=(x, y) if where == "none" else None, **fit)
        assert attempt(model.predict, x, expect=expect).shape[0] == len(x)
        attempt(model.evaluate, x, y, expect=expect)
        weights = attempt(model.get_weights, expect="ok")
        attempt(model.set_weights, weights, expect="ok")
        attempt(model.set_params, model.params, expect="ok")
        attempt(model.summary, expect="ok")
        assert attempt(model.count_params, expect="ok") == sum(w.size for w in weights)
        attempt_or_none(model.set_weights, data.draw(bad_value()))
    except Refused:
        assert where != "none"


def _callback_check(kwargs_of):
    def check(data, cls):
        kwargs, valid = kwargs_of(data)
        cb = attempt(cls, expect="ok", **kwargs) if valid else attempt_or_none(cls, **kwargs)
        if cb is None:
            return
        from dlhelpers.scratch.network import Sequential
        x = _flat_input(data)
        model = Sequential([_layer("Dense")(1)], input_dim=x.shape[1], rng=0).compile("mse", "sgd", learning_rate=1e-3)
        attempt(model.fit, x, np.zeros((len(x), 1)), epochs=data.draw(st.integers(1, 2)), callbacks=[cb],
                expect="ok" if valid else "any")
    return check


def _hook(d):
    return d.draw(st.sampled_from(["on_train_begin", "on_epoch_begin", "on_batch_end", "on_epoch_end", "on_train_end"]))


def _lambda_kwargs(d):
    if d.draw(st.booleans(), label="valid hooks"):
        return {_hook(d): (lambda *a, **k: None)}, True
    return d.draw(st.sampled_from([{"on_epoch_end": 3}, {"on_nothing": print}, {"on_epoch_end": None}])), False


spec("Callback")(_callback_check(lambda d: ({}, True)))
spec("History")(_callback_check(lambda d: ({}, True)))
spec("LambdaCallback")(_callback_check(_lambda_kwargs))
spec("WeightHistory")(_callback_check(lambda d: d.draw(st.sampled_from([({"every": "epoch"}, True),
                                                                       ({"every": "batch"}, True),
                                                                       ({"every": "step"}, False),
                                                                       ({"every": None}, False)]))))
spec("ProgressBar")(_callback_check(lambda d: d.draw(st.sampled_from([({"desc": "epochs"}, True), ({"desc": 3}, False)]))))


# --- specs kept beside their unit: every tests/property/specs_<topic>.py registers its entries on import ----------

def _load_topic_specs():
    import importlib
    import pkgutil
    from pathlib import Path
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("specs_"):
            importlib.import_module(f"tests.property.{info.name}")


_load_topic_specs()
