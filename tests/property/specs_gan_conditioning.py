"""Property specs for the conditioning helpers of dlhelpers.scratch.gan (registered on import by specs.py).

Each draws class ids below a drawn number of classes (2 to 12), noise rows or images of as many samples, and checks
beyond the shared promise: one 1 per one-hot row in the label's column, the inputs kept unchanged in the first
columns or channels, the label maps constant over each image, and the backward pass a slice of dout.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from tests.property.contract import arrays
from tests.property.specs import calls, spec


def _labels(d, n, k):
    return np.asarray(d.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n), label="labels"))


def _k(d):
    return d.draw(st.integers(2, 12), label="num_classes")


def _one_hot_args(d):
    k = _k(d)
    return (_labels(d, d.draw(st.integers(0, 5), label="N"), k),), {"num_classes": k}


def _one_hot_out(result, args, kwargs):
    y, k = np.asarray(args[0]).astype(int), kwargs["num_classes"]
    assert result.shape == (len(y), k)
    np.testing.assert_array_equal(result.sum(axis=1), np.ones(len(y)))
    np.testing.assert_array_equal(result[np.arange(len(y)), y], np.ones(len(y)))


def _noise_args(d):
    k, n = _k(d), d.draw(st.integers(1, 4), label="N")
    z = d.draw(arrays((n, d.draw(st.integers(1, 5), label="noise_dim"))), label="z")
    return (z, _labels(d, n, k)), {"num_classes": k}


def _noise_out(result, args, kwargs):
    z, y, k = np.asarray(args[0]), np.asarray(args[1]).astype(int), kwargs["num_classes"]
    assert result.shape == (len(z), z.shape[1] + k)
    np.testing.assert_array_equal(result[:, :z.shape[1]], z)
    np.testing.assert_array_equal(result[:, z.shape[1]:], np.eye(k)[y])


def _channels_args(d):
    k, n = _k(d), d.draw(st.integers(1, 3), label="N")
    shape = (n, d.draw(st.integers(1, 5)), d.draw(st.integers(1, 5)), d.draw(st.integers(1, 3)))
    return (d.draw(arrays(shape), label="images"), _labels(d, n, k)), {"num_classes": k}


def _channels_out(result, args, kwargs):
    x, y, k = np.asarray(args[0]), np.asarray(args[1]).astype(int), kwargs["num_classes"]
    assert result.shape == (*x.shape[:3], x.shape[3] + k)
    np.testing.assert_array_equal(result[..., :x.shape[3]], x)
    np.testing.assert_array_equal(result[..., x.shape[3]:], np.broadcast_to(np.eye(k)[y][:, None, None, :],
                                                                             (*x.shape[:3], k)))


spec("one_hot_labels")(calls(_one_hot_args, out=_one_hot_out))
spec("conditional_noise")(calls(_noise_args, out=_noise_out))
spec("label_channels")(calls(_channels_args, out=_channels_out))
