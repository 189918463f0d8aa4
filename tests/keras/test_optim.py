"""scratch.optim ↔ keras.optim: the same updates from the same gradients."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from dlhelpers.keras.optim import KERAS_OPTIMIZERS, optimizer_from_scratch, schedule_from_scratch  # noqa: E402
from dlhelpers.scratch import optim as SO  # noqa: E402
from dlhelpers.scratch.optim import SGD, Adam, ExponentialDecay, RMSprop, StepDecay  # noqa: E402


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: SGD(0.1, momentum=0.9),
                                  lambda: SGD(0.1, momentum=0.9, nesterov=True), lambda: RMSprop(0.01),
                                  lambda: Adam(0.01), lambda: Adam(ExponentialDecay(0.05, 3, 0.5)),
                                  lambda: SGD(StepDecay(0.2, drop=0.5, every=2))])
def test_optimizer_updates_match_keras(make):
    rng = np.random.default_rng(7)
    s_opt = make()
    k_opt = optimizer_from_scratch(s_opt)
    p0 = rng.standard_normal((3, 2)).astype(np.float32)     # Keras keeps the learning rate in float32 anyway
    var = tf.Variable(p0)
    params = {"w": p0.astype(np.float64)}
    for _ in range(6):
        g = rng.standard_normal((3, 2)).astype(np.float32)
        params = s_opt.step(params, {"w": g.astype(np.float64)})
        k_opt.apply_gradients([(tf.constant(g), var)])
    assert set(params) == {"w"}
    np.testing.assert_allclose(params["w"], var.numpy(), rtol=1e-5, atol=1e-6)


def test_sgd_step_by_hand():
    # w = 1, g = 0.5, lr 0.1: w − lr·g = 0.95 on both sides
    var = tf.Variable(np.array([1.0]))
    optimizer_from_scratch(SGD(0.1)).apply_gradients([(tf.constant([0.5], tf.float64), var)])
    assert SGD(0.1).step({"w": np.array([1.0])}, {"w": np.array([0.5])})["w"][0] == pytest.approx(0.95)
    assert var.numpy()[0] == pytest.approx(0.95)


def test_every_scratch_optimizer_has_a_twin():
    assert set(SO.OPTIMIZERS.values()) == set(KERAS_OPTIMIZERS)


def test_schedules():
    s = schedule_from_scratch(StepDecay(0.2, drop=0.5, every=2))
    assert isinstance(s, keras.optimizers.schedules.ExponentialDecay)
    assert [float(s(k)) for k in range(5)] == pytest.approx([0.2, 0.2, 0.1, 0.1, 0.05])
    assert schedule_from_scratch(0.01) == 0.01


def test_bad_input():
    with pytest.raises(TypeError, match=r"opt must be a scratch optimizer \(SGD, RMSprop, Adam\) for "
                                        r"optimizer_from_scratch; got Adagrad"):
        optimizer_from_scratch(keras.optimizers.Adagrad())
    with pytest.raises(ValueError, match="learning_rate must be a float or a scratch ExponentialDecay"):
        optimizer_from_scratch(SGD(lambda step: 0.1))
