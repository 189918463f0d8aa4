import numpy as np
import pytest

from dlhelpers.scratch.optim import SGD, Adam, ExponentialDecay, RMSprop, StepDecay, get_optimizer


def test_sgd_by_hand():
    # p = 1, g = 2, lr = 0.1 → 0.8 ; with momentum 0.9: v1 = −0.2 → 0.8; v2 = 0.9·(−0.2) − 0.2 = −0.38 → 0.42
    opt = SGD(0.1)
    assert opt.step({"p": np.array(1.0)}, {"p": np.array(2.0)})["p"] == pytest.approx(0.8)
    opt = SGD(0.1, momentum=0.9)
    p = opt.step({"p": np.array(1.0)}, {"p": np.array(2.0)})
    p = opt.step(p, {"p": np.array(2.0)})
    assert p["p"] == pytest.approx(0.42)


def test_adam_first_step_is_lr_times_sign():
    # bias correction makes the first Adam step ≈ lr·sign(g) whatever |g| is
    for g in (0.5, 5.0, -7.0):
        p = Adam(0.01).step({"p": np.array(0.0)}, {"p": np.array(g)})["p"]
        assert p == pytest.approx(-0.01 * np.sign(g), rel=1e-4)


def test_rmsprop_by_hand():
    # s = 0.1·g² = 0.4 (g = 2); step = 0.01·2/√(0.4 + 1e-7)
    p = RMSprop(0.01).step({"p": np.array(0.0)}, {"p": np.array(2.0)})["p"]
    assert p == pytest.approx(-0.02 / np.sqrt(0.4 + 1e-7))


def test_optimizers_minimise_a_quadratic():
    for opt in (SGD(0.1), SGD(0.05, momentum=0.9), RMSprop(0.05), Adam(0.1)):
        p = {"w": np.array([3.0, -2.0])}
        for _ in range(300):
            p = opt.step(p, {"w": 2 * p["w"]})
        assert np.abs(p["w"]).max() < 0.05, type(opt).__name__


def test_schedules():
    s = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert s(0) == 0.1 and s(10) == pytest.approx(0.05) and s(5) == pytest.approx(0.1 * 0.5 ** 0.5)
    st = StepDecay(0.1, drop=0.5, every=10)
    assert [st(k) for k in (0, 9, 10, 25)] == pytest.approx([0.1, 0.1, 0.05, 0.025])
    opt = SGD(st)
    for _ in range(10):
        opt.step({"p": np.array(0.0)}, {"p": np.array(0.0)})
    assert opt.current_learning_rate() == pytest.approx(0.05)


def test_bad_input():
    with pytest.raises(ValueError, match="learning_rate must be > 0"):
        SGD(-0.1)
    with pytest.raises(ValueError, match="momentum must be in"):
        SGD(0.1, momentum=1.5)
    with pytest.raises(ValueError, match="missing \\['b'\\]"):
        SGD(0.1).step({"a": np.zeros(1), "b": np.zeros(1)}, {"a": np.zeros(1)})
    with pytest.raises(ValueError, match="must have shape"):
        SGD(0.1).step({"a": np.zeros(2)}, {"a": np.zeros(3)})
    with pytest.raises(ValueError, match="optimizer must be one of"):
        get_optimizer("adagradx")


@pytest.mark.parametrize("schedule, exc, match", [
    (lambda step: float("nan"), ValueError, r"schedule's value must be a finite number >= 0 for SGD; got nan at step 0"),
    (lambda step: float("inf"), ValueError, "schedule's value must be a finite number >= 0"),
    (lambda step: -0.1, ValueError, "schedule's value must be a finite number >= 0"),
    (lambda step: "0.1", TypeError, "schedule's value must be a number for SGD"),
])
def test_a_bad_schedule_value_is_a_clear_error(schedule, exc, match):
    params = {"a": np.zeros(2)}
    with pytest.raises(exc, match=match):
        SGD(schedule).step(params, {"a": np.ones(2)})
    np.testing.assert_array_equal(params["a"], 0.0)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: SGD(float("inf")), ValueError, "learning_rate must be > 0 for SGD; got inf"),
    (lambda: SGD(float("nan")), ValueError, "learning_rate must be > 0 for SGD; got nan"),
    (lambda: SGD(0.1, nesterov="no"), TypeError, "nesterov must be True or False for SGD"),
    (lambda: SGD(0.1).step([1], [2]), TypeError, "params must be a dict"),
    (lambda: SGD(0.1).step({"a": "x"}, {"a": "y"}), TypeError, r"params\['a'\] must be numeric for SGD.step"),
    (lambda: SGD(0.1).step({"a": np.zeros(1)}, {"a": [np.nan]}), ValueError, r"grads\['a'\] must be finite"),
    (lambda: SGD(1e308).step({"a": np.zeros(1)}, {"a": [1e308]}), ValueError,
     r"the update of 'a' must stay finite for SGD.step"),
    (lambda: ExponentialDecay(0.1, 10, 0.5)("a"), TypeError, "step must be a number for ExponentialDecay"),
    (lambda: ExponentialDecay(0.1, 10, 0.5)(-1), ValueError, "step must be in"),
    (lambda: ExponentialDecay(0.1, 1e-300, 2.0)(1e10), ValueError, "learning rate must stay finite"),
    (lambda: ExponentialDecay(0.1, 10, 0.5, staircase=1), TypeError, "staircase must be True or False"),
    (lambda: StepDecay(0.1, every=2.5), TypeError, "every must be an integer for StepDecay"),
    (lambda: get_optimizer("sgd", foo=1), TypeError, "keyword arguments must be among learning_rate, momentum"),
])
def test_bad_settings(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_step_does_not_mutate_its_inputs():
    params, grads = {"w": np.array([1.0, -2.0])}, {"w": np.array([0.5, 0.5])}
    for opt in (SGD(0.1, momentum=0.9), RMSprop(0.01), Adam(0.01)):
        for _ in range(3):
            opt.step(params, grads)
    np.testing.assert_array_equal(params["w"], [1.0, -2.0])
    np.testing.assert_array_equal(grads["w"], [0.5, 0.5])
