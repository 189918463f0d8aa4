"""Checks shared by the Keras parity tests (import only after ``pytest.importorskip("tensorflow")``)."""
import numpy as np
import pytest

import dlhelpers.keras  # noqa: F401  (sets the TF environment)
import keras
from dlhelpers.keras import losses as KL
from dlhelpers.keras.network import model_from_scratch

TOL64 = dict(rtol=1e-10, atol=1e-12)


def assert_sgd_step_matches_keras(net, loss, x, y, lr):
    """One SGD step of a float64 scratch ``Sequential`` equals Keras's ``train_on_batch`` on its twin.

    The loss agrees to the float32 precision of Keras's loss tracker; every weight (batch-norm moving statistics
    included) moves and agrees in float64. ``lr`` should be exact in float32 (Keras keeps it in a float32 variable).
    """
    km = model_from_scratch(net, dtype="float64")
    km.compile(loss=KL.get(loss, dtype="float64"), optimizer=keras.optimizers.SGD(learning_rate=lr))
    net.compile(loss, "sgd", learning_rate=lr)
    before = net.get_weights()
    scratch_loss = net.train_step(x, net._prepare_y(y, len(x), "test"))
    keras_loss = km.train_on_batch(x, y)
    assert float(np.asarray(keras_loss).ravel()[0]) == pytest.approx(scratch_loss, rel=1e-6)
    for new, k, old in zip(net.get_weights(), km.get_weights(), before):
        assert not np.array_equal(new, old)                               # every weight moved
        np.testing.assert_allclose(new, k, **TOL64)
