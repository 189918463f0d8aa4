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


# --- gradient clipping (Keras 3 rules) ---------------------------------------------------------------------

from dlhelpers.scratch.optim import clip_by_global_norm, clip_by_norm, clip_by_value  # noqa: E402


def test_clip_by_global_norm_by_hand():
    # ‖(3, 4, 0, 12)‖ = √(9 + 16 + 144) = 13; clip to 6.5 halves every array
    grads = {"a": np.array([3.0, 4.0]), "b": np.array([0.0, 12.0])}
    clipped, norm = clip_by_global_norm(grads, 6.5)
    assert norm == pytest.approx(13.0)
    assert set(clipped) == {"a", "b"}
    np.testing.assert_allclose(clipped["a"], [1.5, 2.0])
    np.testing.assert_allclose(clipped["b"], [0.0, 6.0])
    # a bound above the norm leaves them as they are; the norm reported is the one before clipping
    same, norm = clip_by_global_norm(grads, 20.0)
    assert norm == pytest.approx(13.0)
    np.testing.assert_allclose(same["a"], [3.0, 4.0])
    np.testing.assert_allclose(same["b"], [0.0, 12.0])


def test_clip_by_norm_by_hand():
    # each array on its own: ‖(3, 4)‖ = 5 → (0.6, 0.8); ‖(0, 0.5)‖ = 0.5 <= 1 stays; a matrix uses all its elements
    clipped = clip_by_norm({"a": np.array([3.0, 4.0]), "b": np.array([0.0, 0.5]),
                            "k": np.array([[6.0, 0.0], [0.0, 8.0]])}, 1.0)
    np.testing.assert_allclose(clipped["a"], [0.6, 0.8])
    np.testing.assert_allclose(clipped["b"], [0.0, 0.5])
    np.testing.assert_allclose(clipped["k"], [[0.6, 0.0], [0.0, 0.8]])


def test_clip_by_value_by_hand():
    clipped = clip_by_value({"a": np.array([-3.0, 0.25, 2.0]), "b": np.array([[0.5, -0.5]])}, 0.5)
    np.testing.assert_array_equal(clipped["a"], [-0.5, 0.25, 0.5])
    np.testing.assert_array_equal(clipped["b"], [[0.5, -0.5]])


def test_zero_gradients_stay_zero():
    zeros = {"a": np.zeros(3), "b": np.zeros((2, 2))}
    for clipped in (clip_by_norm(zeros, 1.0), clip_by_global_norm(zeros, 1.0)[0], clip_by_value(zeros, 1.0)):
        for key in zeros:
            np.testing.assert_array_equal(clipped[key], zeros[key])
    assert clip_by_global_norm(zeros, 1.0)[1] == 0.0
    # a zero array beside a long one: per-tensor clipping leaves it zero and finite
    clipped = clip_by_norm({"a": np.zeros(2), "b": np.array([30.0, 40.0])}, 5.0)
    np.testing.assert_array_equal(clipped["a"], [0.0, 0.0])
    np.testing.assert_allclose(clipped["b"], [3.0, 4.0])


def test_clipping_does_not_mutate_and_keeps_dtype():
    grads = {"a": np.array([3.0, 4.0]), "b": np.array([0.0, 12.0], dtype=np.float32)}
    before = {k: v.copy() for k, v in grads.items()}
    outs = [clip_by_value(grads, 1.0), clip_by_norm(grads, 1.0), clip_by_global_norm(grads, 1.0)[0]]
    for key in grads:
        np.testing.assert_array_equal(grads[key], before[key])
    for out in outs:
        assert out is not grads and set(out) == set(grads)
        assert out["a"].dtype == np.float64 and out["b"].dtype == np.float32
        assert not any(np.shares_memory(out[k], grads[k]) for k in grads)


def test_huge_gradients_clip_without_overflow():
    # the sum of squares overflows float64; the clipped result is still finite and has norm c
    grads = {"a": np.array([3e200, 4e200]), "b": np.array([0.0, -1e200])}
    clipped, norm = clip_by_global_norm(grads, 2.0)
    assert norm == pytest.approx(np.sqrt(26.0) * 1e200)
    total = np.sqrt(sum(np.sum(v ** 2) for v in clipped.values()))
    assert total == pytest.approx(2.0)
    np.testing.assert_allclose(clip_by_norm(grads, 1.0)["a"], [0.6, 0.8])


@pytest.mark.parametrize("clip, c", [("clipvalue", 0.5), ("clipnorm", 1.0), ("global_clipnorm", 1.0)])
def test_sgd_clips_before_the_update(clip, c):
    # SGD(lr 1): the new weights are p − clip(g); g = {a: (3, 4), b: (0, 12)} (global norm 13)
    grads = {"a": np.array([3.0, 4.0]), "b": np.array([0.0, 12.0])}
    params = {"a": np.zeros(2), "b": np.zeros(2)}
    expected = {"clipvalue": {"a": [-0.5, -0.5], "b": [0.0, -0.5]},
                "clipnorm": {"a": [-0.6, -0.8], "b": [0.0, -1.0]},
                "global_clipnorm": {"a": [-3 / 13, -4 / 13], "b": [0.0, -12 / 13]}}[clip]
    new = SGD(1.0, **{clip: c}).step(params, grads)
    for key in params:
        np.testing.assert_allclose(new[key], expected[key])
    np.testing.assert_array_equal(grads["a"], [3.0, 4.0])


def test_no_clipping_by_default_and_kwargs_pass_through():
    grads = {"w": np.array([30.0, 40.0])}
    assert SGD(1.0).step({"w": np.zeros(2)}, grads)["w"] == pytest.approx([-30.0, -40.0])
    opt = get_optimizer("adam", clipnorm=1.0)
    assert isinstance(opt, Adam) and opt.clipnorm == 1.0 and opt.clipvalue is None and opt.global_clipnorm is None
    assert get_optimizer("rmsprop", global_clipnorm=2.0).global_clipnorm == 2.0
    assert get_optimizer("sgd", clipvalue=0.1).clipvalue == 0.1
    from dlhelpers.scratch.network import Sequential
    from dlhelpers.scratch.layers import Dense
    model = Sequential([Dense(1)], input_shape=(2,)).compile(optimizer="sgd", learning_rate=1.0, clipnorm=1.0)
    assert isinstance(model.optimizer, SGD) and model.optimizer.clipnorm == 1.0
    assert model.optimizer.step({"w": np.zeros(2)}, grads)["w"] == pytest.approx([-0.6, -0.8])


def test_only_the_params_gradients_count_in_the_global_norm():
    # an extra gradient without a parameter is ignored by step, also in the global norm
    new = SGD(1.0, global_clipnorm=2.5).step({"a": np.zeros(2)}, {"a": np.array([3.0, 4.0]), "x": np.array([1e3])})
    np.testing.assert_allclose(new["a"], [-1.5, -2.0])


@pytest.mark.parametrize("call, exc, match", [
    (lambda: clip_by_value({"a": np.ones(2)}, 0), ValueError, "clipvalue must be > 0 for clip_by_value; got 0"),
    (lambda: clip_by_norm({"a": np.ones(2)}, float("inf")), ValueError, "clipnorm must be > 0 for clip_by_norm; got inf"),
    (lambda: clip_by_global_norm({"a": np.ones(2)}, float("nan")), ValueError,
     "global_clipnorm must be > 0 for clip_by_global_norm; got nan"),
    (lambda: clip_by_norm({"a": np.ones(2)}, "1"), TypeError, "clipnorm must be a number for clip_by_norm"),
    (lambda: clip_by_value({"a": np.ones(2)}, True), TypeError, "clipvalue must be a number for clip_by_value"),
    (lambda: clip_by_norm([np.ones(2)], 1.0), TypeError, r"grads must be a dict \{name: array\} for clip_by_norm"),
    (lambda: clip_by_global_norm({"a": [np.inf]}, 1.0), ValueError,
     r"grads\['a'\] must be finite \(no NaN or inf\) for clip_by_global_norm"),
    (lambda: clip_by_value({"a": "x"}, 1.0), TypeError, r"grads\['a'\] must be numeric for clip_by_value"),
    (lambda: SGD(0.1, clipnorm=-1.0), ValueError, "clipnorm must be > 0 for SGD; got -1.0"),
    (lambda: Adam(0.1, global_clipnorm="big"), TypeError, "global_clipnorm must be a number for Adam"),
    (lambda: RMSprop(0.1, clipvalue=0.0), ValueError, "clipvalue must be > 0 for RMSprop"),
    (lambda: SGD(0.1, clipnorm=1.0, clipvalue=0.5), ValueError,
     "the clipping arguments must be at most one of clipvalue, clipnorm and global_clipnorm for SGD; "
     "got clipvalue=0.5, clipnorm=1.0"),
    (lambda: get_optimizer("adam", clipnorm=1.0, global_clipnorm=1.0), ValueError, "at most one of clipvalue"),
])
def test_bad_clipping(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
