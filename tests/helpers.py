"""Small helpers shared by the tests (gradient checks of forward/backward pairs)."""
import numpy as np

from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error

TOL = 1e-7  # float64 gradient-check threshold from the project standards


def check_backward(forward, backward, inputs: dict, upstream_seed=0):
    """Compare a backward pass with central differences for every array in ``inputs``.

    ``forward(**inputs) -> (out, cache)``; ``backward(dout, cache) -> (dx, grads)``, where
    ``dx`` belongs to the first input and ``grads`` is keyed by the other input names.
    Returns {name: relative error}.
    """
    out, _ = forward(**inputs)
    dout = np.random.default_rng(upstream_seed).standard_normal(np.shape(out))
    _, cache = forward(**inputs)
    dx, grads = backward(dout, cache)
    names = list(inputs)
    analytic = {names[0]: dx, **grads}
    errors = {}
    for name, arr in inputs.items():
        if name not in analytic:
            continue
        num = numerical_gradient(lambda: float(np.sum(forward(**inputs)[0] * dout)), arr)
        errors[name] = relative_error(analytic[name], num)
    return errors
