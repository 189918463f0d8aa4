"""Defects found by the property suite in modules of dlhelpers.scratch, one concrete call each.

Every case is an ``xfail(strict=True)``: it fails today (the call breaks the promise of
:mod:`tests.property.contract`) and turns red the day the defect is fixed, so whoever fixes it
deletes the case here (and its line in ``KNOWN_DEFECTS`` of test_public_api.py).
"""
import numpy as np
import pytest

from dlhelpers.scratch import conv, pooling
from tests.property.contract import Refused, attempt

X = np.ones((1, 4, 4, 1))
K = np.ones((3, 3, 1, 1))


def _layers():
    import importlib
    for name in ("layers", "network"):
        module = importlib.import_module(f"dlhelpers.scratch.{name}")
        if hasattr(module, "Dense"):
            return module
    raise LookupError("Dense")


def keeps_promise(fn, *args, **kwargs):
    try:
        attempt(fn, *args, **kwargs)
    except Refused:
        pass


CASES = {
    "conv2d_forward with padding=10**12: NumPy's 'array is too big' message":
        lambda: keeps_promise(conv.conv2d_forward, X, K, padding=10 ** 12),
    "conv2d_forward_loop with padding=10**12: NumPy's 'array is too big' message":
        lambda: keeps_promise(conv.conv2d_forward_loop, X, K, padding=10 ** 12),
    "conv2d_steps with padding=10**12: NumPy's 'array is too big' message":
        lambda: keeps_promise(lambda: list(conv.conv2d_steps(X[0, :, :, 0], K[:, :, 0, 0], padding=10 ** 12))),
    "average_pool2d_forward with pool_size=10**12, padding='same': NumPy's 'array is too big' message":
        lambda: keeps_promise(pooling.average_pool2d_forward, X, 10 ** 12, None, "same"),
    "max_pool2d_forward with pool_size=10**12, padding='same': NumPy's 'array is too big' message":
        lambda: keeps_promise(pooling.max_pool2d_forward, X, 10 ** 12, None, "same"),
    "pad_amounts(1, 1, 1, 1, None, 'valid'): TypeError 'cannot unpack non-iterable NoneType object'":
        lambda: keeps_promise(conv.pad_amounts, 1, 1, 1, 1, None, "valid"),
    "pool2d_steps(x, mode=np.array([1., 2.])): ValueError 'truth value of an array is ambiguous'":
        lambda: keeps_promise(lambda: list(pooling.pool2d_steps(np.zeros((3, 3)), mode=np.array([1.0, 2.0])))),
    "Dense(2, activation=np.array([nan, 1.])): ValueError 'truth value of an array is ambiguous'":
        lambda: keeps_promise(_layers().Dense, 2, activation=np.array([np.nan, 1.0])),
    "Sequential([...], input_dim=[1, 2]): message without 'for FUNC' (and input_dim is not checked to be an int)":
        lambda: keeps_promise(lambda: __import__("dlhelpers.scratch.network", fromlist=["Sequential"]).Sequential(
            [_layers().Dense(4), _layers().Dense(1)], input_dim=[1, 2])),
    "Sequential.fit(x, np.array(1.5)): TypeError 'len() of unsized object'":
        lambda: keeps_promise(__import__("dlhelpers.scratch.network", fromlist=["Sequential"]).Sequential(
            [_layers().Dense(1)], input_dim=1, rng=0).compile("mse", "sgd").fit, np.zeros((2, 1)), np.array(1.5)),
}


def test_memory_hungry_paddings_are_not_tried_here():
    # padding=10**5 makes conv2d_forward, and pool_size=10**6 with padding="same" makes max_pool2d_forward, try to
    # allocate hundreds of GiB (MemoryError); that is reported, not run, so the suite stays safe to run.
    assert "conv2d_forward with padding=10**12: NumPy's 'array is too big' message" in CASES


@pytest.mark.parametrize("case", [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=name))
                                  for name in CASES])
def test_known_defect(case):
    CASES[case]()
