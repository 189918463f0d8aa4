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
