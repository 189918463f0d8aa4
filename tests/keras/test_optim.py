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


# --- gradient clipping: the scratch optimizers clip exactly as Keras's -----------------------------------

CLIPPING = [{"clipvalue": 0.5}, {"clipnorm": 1.5}, {"global_clipnorm": 2.0}]
# Hyperparameters exact in float32: Keras keeps the learning rate in a float32 variable and casts momentum and
# beta_1/beta_2 through float32 (ops.cast of a Python float), so float64 parity to 1e-10 needs such values.
MAKERS = {"sgd": lambda clip: SGD(0.125, **clip), "sgd_momentum": lambda clip: SGD(0.125, momentum=0.875, **clip),
          "nesterov": lambda clip: SGD(0.0625, momentum=0.5, nesterov=True, **clip),
          "rmsprop": lambda clip: RMSprop(0.015625, rho=0.875, **clip),
          "adam": lambda clip: Adam(0.03125, beta_1=0.875, beta_2=0.9921875, **clip)}


@pytest.mark.parametrize("dtype, rtol, atol", [(np.float64, 1e-10, 1e-12), (np.float32, 1e-5, 1e-6)])
@pytest.mark.parametrize("clip", CLIPPING, ids=lambda c: next(iter(c)))
@pytest.mark.parametrize("name", sorted(MAKERS))
def test_clipped_updates_match_keras(name, clip, dtype, rtol, atol):
    rng = np.random.default_rng(11)
    s_opt, plain = MAKERS[name](clip), MAKERS[name]({})
    k_opt = optimizer_from_scratch(s_opt)
    shapes = {"kernel": (3, 2), "bias": (2,)}
    params = {k: rng.standard_normal(s).astype(dtype) for k, s in shapes.items()}
    unclipped = params
    variables = {k: keras.Variable(v.copy(), dtype=np.dtype(dtype).name) for k, v in params.items()}
    (bound,) = clip.values()
    for step in range(5):
        grads = {k: (20.0 * rng.standard_normal(s)).astype(dtype) for k, s in shapes.items()}
        if step == 2:
            grads["bias"] = np.zeros(shapes["bias"], dtype)           # a zero gradient beside a big one
        # the gradients really are clipped: the kernel's norm and its largest |g| exceed the bound
        assert min(np.linalg.norm(grads["kernel"]), np.abs(grads["kernel"]).max()) > bound
        params, unclipped = s_opt.step(params, grads), plain.step(unclipped, grads)
        k_opt.apply([tf.constant(grads[k]) for k in shapes], [variables[k] for k in shapes])
    for key in shapes:
        assert params[key].dtype == dtype
        np.testing.assert_allclose(params[key], variables[key].numpy(), rtol=rtol, atol=atol, err_msg=key)
    # the clipping changed the result: without it the same gradients end elsewhere
    assert not np.allclose(params["kernel"], unclipped["kernel"], rtol=1e-3)


@pytest.mark.parametrize("clip", CLIPPING + [{}], ids=lambda c: next(iter(c), "none"))
@pytest.mark.parametrize("make", [lambda c: SGD(0.1, momentum=0.5, **c), lambda c: RMSprop(0.01, **c),
                                  lambda c: Adam(0.01, **c)])
def test_optimizer_from_scratch_carries_the_clipping(make, clip):
    k_opt = optimizer_from_scratch(make(clip))
    for arg in ("clipvalue", "clipnorm", "global_clipnorm"):
        assert getattr(k_opt, arg) == clip.get(arg), arg
        assert k_opt.get_config()[arg] == clip.get(arg), arg
