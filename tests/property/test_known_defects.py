"""Defects found by the property suite in modules of dlhelpers.scratch, one concrete call each.

Every call in :data:`CASES` must be refused with ValueError/TypeError and our message ("NAME must be
EXPECTED for FUNC; got GOT. FIX."), leaving its input unchanged (:func:`tests.property.contract.attempt`).
A defect found and not fixed yet goes into :data:`CASES` with its name in :data:`STILL_BROKEN`: it is
then an ``xfail(strict=True)`` that turns red the day the defect is fixed, so whoever fixes it deletes
the name from STILL_BROKEN (and the line in ``KNOWN_DEFECTS`` of test_public_api.py) and the case
stays here as a regression test.
"""
import numpy as np
import pytest

from dlhelpers.scratch import conv, layers, network, pooling
from tests.property.contract import Refused, attempt

X = np.ones((1, 4, 4, 1))
K = np.ones((3, 3, 1, 1))


def refused(fn, *args, **kwargs):
    """The call raises ValueError/TypeError with our message (and changes none of its inputs)."""
    with pytest.raises(Refused):
        attempt(fn, *args, expect="error", **kwargs)


def _fit(y):
    net = network.Sequential([layers.Dense(1)], input_dim=1, rng=0).compile("mse", "sgd")
    return net.fit(np.zeros((2, 1)), y)


CASES = {
    # each padded input would hold ~4e24 numbers: NumPy's "array is too big", and ~4e10 (298 GiB) for 10**5
    "conv2d_forward with padding=10**12: NumPy's 'array is too big' message":
        lambda: refused(conv.conv2d_forward, X, K, padding=10 ** 12),
    "conv2d_forward with padding=10**5: MemoryError (298 GiB)":
        lambda: refused(conv.conv2d_forward, X, K, padding=10 ** 5),
    "conv2d_forward_loop with padding=10**12: NumPy's 'array is too big' message":
        lambda: refused(conv.conv2d_forward_loop, X, K, padding=10 ** 12),
    "conv2d_steps with padding=10**12: NumPy's 'array is too big' message":
        lambda: refused(lambda: list(conv.conv2d_steps(X[0, :, :, 0], K[:, :, 0, 0], padding=10 ** 12))),
    "average_pool2d_forward with pool_size=10**12, padding='same': NumPy's 'array is too big' message":
        lambda: refused(pooling.average_pool2d_forward, X, 10 ** 12, None, "same"),
    "max_pool2d_forward with pool_size=10**12, padding='same': NumPy's 'array is too big' message":
        lambda: refused(pooling.max_pool2d_forward, X, 10 ** 12, None, "same"),
    "max_pool2d_forward with pool_size=10**6, padding='same': MemoryError":
        lambda: refused(pooling.max_pool2d_forward, X, 10 ** 6, None, "same"),
    "pool2d_steps with pool_size=10**12, padding='same': NumPy's 'array is too big' message":
        lambda: refused(lambda: list(pooling.pool2d_steps(X[0, :, :, 0], 10 ** 12, padding="same"))),
    "pad_amounts(1, 1, 1, 1, None, 'valid'): TypeError 'cannot unpack non-iterable NoneType object'":
        lambda: refused(conv.pad_amounts, 1, 1, 1, 1, None, "valid"),
    "pool2d_steps(x, mode=np.array([1., 2.])): ValueError 'truth value of an array is ambiguous'":
        lambda: refused(lambda: list(pooling.pool2d_steps(np.zeros((3, 3)), mode=np.array([1.0, 2.0])))),
    "Dense(2, activation=np.array([nan, 1.])): ValueError 'truth value of an array is ambiguous'":
        lambda: refused(layers.Dense, 2, activation=np.array([np.nan, 1.0])),
    "Sequential([...], input_dim=[1, 2]): message without 'for FUNC' (and input_dim is not checked to be an int)":
        lambda: refused(network.Sequential, [layers.Dense(4), layers.Dense(1)], input_dim=[1, 2]),
    "Sequential.fit(x, np.array(1.5)): TypeError 'len() of unsized object'":
        lambda: refused(_fit, np.array(1.5)),
}

#: Names of CASES that still break the promise (strict xfail); empty: every defect found so far is fixed.
STILL_BROKEN: set[str] = set()


def test_still_broken_names_cases():
    assert STILL_BROKEN <= set(CASES)


@pytest.mark.parametrize("case", [
    pytest.param(name, marks=[pytest.mark.xfail(strict=True, reason=name)] if name in STILL_BROKEN else [], id=name)
    for name in CASES])
def test_known_defect(case):
    CASES[case]()


@pytest.mark.parametrize("call, blamed", [
    (lambda: conv.conv2d_forward(X, K, padding=10 ** 5), "padding must be small enough"),
    (lambda: conv.conv2d_forward_loop(X, K, padding=16_383), "padding must be small enough"),
    (lambda: pooling.max_pool2d_forward(X, 10 ** 6, None, "same"), "pool_size must be small enough"),
    (lambda: pooling.average_pool2d_forward(X, 999_999, None, 999_998), "padding must be small enough"),
])
def test_the_size_limit_blames_the_argument_and_names_the_constant(call, blamed):
    # for a 4×4 input padding=16_382 gives (4 + 2·16_382)² = 2**30 numbers, the limit; 16_383 is the first refused
    with pytest.raises(ValueError, match=blamed) as err:
        call()
    assert "MAX_ELEMENTS" in str(err.value) and f"{conv.MAX_ELEMENTS:,}" in str(err.value)
