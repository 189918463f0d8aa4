"""Small helpers shared by the tests (gradient checks of forward/backward pairs)."""
import numpy as np

from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error

TOL = 1e-7  # float64 gradient-check threshold from the project standards


def check_backward(forward, backward, inputs: dict, upstream_seed=0):
    """Compare a backward pass with central differences for every array in ``inputs``.

    ``forward(**inputs) -> (out, cache)``; ``backward(dout, cache) -> (dx, grads)``, where
    ``dx`` belongs to the first input and ``grads`` is keyed by the other input names.
    The gradient keys must be exactly the other inputs' names: a missing gradient (or an
    unexpected one) fails the test instead of being skipped. ``dx`` must have the first
    input's shape and each gradient its input's shape.
    Returns {name: relative error}.
    """
    out, _ = forward(**inputs)
    dout = np.random.default_rng(upstream_seed).standard_normal(np.shape(out))
    _, cache = forward(**inputs)
    dx, grads = backward(dout, cache)
    names = list(inputs)
    assert isinstance(grads, dict), f"backward must return (dx, grads) with grads a dict; got {type(grads).__name__}"
    missing, extra = set(names[1:]) - set(grads), set(grads) - set(names[1:])
    assert not missing and not extra, (
        f"gradient keys must be the parameters {sorted(names[1:])}; missing {sorted(missing)}, "
        f"unexpected {sorted(extra)}")
    analytic = {names[0]: dx, **grads}
    errors = {}
    for name, arr in inputs.items():
        assert np.shape(analytic[name]) == np.shape(arr), (
            f"the gradient for {name!r} must have its shape {np.shape(arr)}; got {np.shape(analytic[name])}")
        num = numerical_gradient(lambda: float(np.sum(forward(**inputs)[0] * dout)), arr)
        errors[name] = relative_error(analytic[name], num)
    return errors


def padding_mask(N, T):
    """An (N, T) bool mask with post-padding (row 0), pre-padding (row 1) and a hole (last row), for N >= 3."""
    m = np.ones((N, T), bool)
    m[0, T - 2:] = False          # post-padding
    m[1, :2] = False              # pre-padding
    m[-1, T // 2] = False         # a hole
    return m


def load_script(path):
    """A training script under scripts/ imported as a module (its functions, without running ``main``)."""
    import importlib.util
    from pathlib import Path
    path = Path(path)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
