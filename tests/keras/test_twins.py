"""Scratch ↔ Keras parity: same weights and inputs, same outputs and gradients (float32 tolerance)."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
from dlhelpers.keras import activations as KA  # noqa: E402
from dlhelpers.keras import losses as KL  # noqa: E402
from dlhelpers.keras.dense import dense_forward_and_grads  # noqa: E402
from dlhelpers.keras.network import build_mlp, from_scratch  # noqa: E402
from dlhelpers.keras.optim import from_scratch as keras_optimizer  # noqa: E402
from dlhelpers.keras.weights import keras_to_scratch, scratch_to_keras  # noqa: E402
from dlhelpers.scratch import activations as A  # noqa: E402
from dlhelpers.scratch import losses as L  # noqa: E402
from dlhelpers.scratch.backprop_example import BackpropExample  # noqa: E402
from dlhelpers.scratch.dense import dense_backward, dense_forward  # noqa: E402
from dlhelpers.scratch.network import Dense, PReLU, Sequential  # noqa: E402
from dlhelpers.scratch.optim import SGD, Adam, ExponentialDecay, RMSprop, StepDecay  # noqa: E402

F32 = dict(rtol=1e-5, atol=1e-6)


def tape_grad(fn, z):
    v = tf.Variable(z.astype(np.float32))
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(fn(v))
    return tape.gradient(out, v).numpy()


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "linear",
                                  "step", "sign"])
def test_activation_values_and_derivatives(name):
    z = np.random.default_rng(0).uniform(-4, 4, (5, 7))
    z[np.abs(z) < 0.05] = 0.4
    np.testing.assert_allclose(A.ACTIVATIONS[name].fn(z), KA.apply(name, z), **F32)
    if name not in ("step", "sign"):          # TF gives no gradient through comparisons
        np.testing.assert_allclose(A.ACTIVATIONS[name].derivative(z), tape_grad(KA.KERAS_NAMES[name], z), **F32)


def test_softmax_value_and_backward():
    rng = np.random.default_rng(1)
    z, dout = rng.standard_normal((4, 6)), rng.standard_normal((4, 6))
    np.testing.assert_allclose(A.softmax(z), KA.apply("softmax", z), **F32)
    v = tf.Variable(z.astype(np.float32))
    with tf.GradientTape() as tape:
        s = keras.activations.softmax(v) * dout.astype(np.float32)
    np.testing.assert_allclose(A.softmax_backward(dout, A.softmax(z)), tape.gradient(s, v).numpy(), **F32)


def test_prelu_and_maxout_layers():
    rng = np.random.default_rng(2)
    z = rng.standard_normal((6, 4)).astype(np.float32)
    alpha = rng.uniform(0, 0.5, 4).astype(np.float32)
    layer = keras.layers.PReLU()
    layer.build((None, 4))
    layer.set_weights([alpha])
    dout = rng.standard_normal((6, 4)).astype(np.float32)
    zv = tf.Variable(z)
    with tf.GradientTape() as tape:
        out = layer(zv)
        target = tf.reduce_sum(out * dout)
    dz, dalpha = tape.gradient(target, [zv, layer.alpha])
    s_out, cache = A.prelu_forward(z, alpha)
    s_dz, s_grads = A.prelu_backward(dout, cache)
    np.testing.assert_allclose(s_out, out.numpy(), **F32)
    np.testing.assert_allclose(s_dz, dz.numpy(), **F32)
    np.testing.assert_allclose(s_grads["alpha"], dalpha.numpy(), **F32)
    zz = rng.standard_normal((5, 6)).astype(np.float32)
    np.testing.assert_allclose(A.maxout_forward(zz, 2)[0], KA.Maxout(2)(zz).numpy(), **F32)


def _loss_cases(rng):
    p01 = rng.uniform(0.05, 0.95, (4, 3))
    probs = rng.dirichlet(np.ones(4), size=5) * 0.9 + 0.025
    return {
        "mse": (rng.standard_normal((4, 3)), rng.standard_normal((4, 3))),
        "mae": (rng.standard_normal((4, 3)), rng.standard_normal((4, 3))),
        "msle": (rng.uniform(0, 3, (4, 3)), rng.uniform(0.1, 3, (4, 3))),
        "binary_crossentropy": (rng.integers(0, 2, (4, 3)).astype(float), p01),
        "hinge": (rng.integers(0, 2, (4, 3)).astype(float), rng.uniform(-2, 2, (4, 3))),
        "squared_hinge": (rng.choice([-1.0, 1.0], (4, 3)), rng.uniform(-2, 2, (4, 3))),
        "categorical_crossentropy": (np.eye(4)[rng.integers(0, 4, 5)], probs),
        "kl_divergence": (rng.dirichlet(np.ones(4), size=5), probs),
        "sparse_categorical_crossentropy": (rng.integers(0, 4, 5), probs),
    }


@pytest.mark.parametrize("name", list(_loss_cases(np.random.default_rng(0))))
def test_loss_values_and_gradients(name):
    t, p = _loss_cases(np.random.default_rng(3))[name]
    t32, p32 = np.asarray(t, np.float32 if name != "sparse_categorical_crossentropy" else np.int64), p.astype(np.float32)
    assert L.LOSSES[name].fn(t, p) == pytest.approx(KL.value(name, t32, p32), rel=1e-5, abs=1e-6)
    np.testing.assert_allclose(L.LOSSES[name].grad(t, p), KL.gradient(name, t32, p32), rtol=1e-4, atol=1e-6)


def test_bce_from_logits_twin():
    rng = np.random.default_rng(4)
    t, z = rng.integers(0, 2, (6, 1)).astype(np.float32), rng.normal(0, 3, (6, 1)).astype(np.float32)
    assert L.binary_crossentropy(t, z, from_logits=True) == pytest.approx(
        KL.value("binary_crossentropy", t, z, from_logits=True), rel=1e-5)
    np.testing.assert_allclose(L.binary_crossentropy_grad(t, z, from_logits=True),
                               KL.gradient("binary_crossentropy", t, z, from_logits=True), rtol=1e-4, atol=1e-7)


def test_dense_forward_and_gradients():
    rng = np.random.default_rng(5)
    x, k, b, dout = (rng.standard_normal(s) for s in ((5, 4), (4, 3), (3,), (5, 3)))
    out, cache = dense_forward(x, k, b)
    dx, grads = dense_backward(dout, cache)
    kout, kdx, kgrads = dense_forward_and_grads(x, k, b, dout)
    np.testing.assert_allclose(out, kout, rtol=1e-12)          # both float64 here
    np.testing.assert_allclose(dx, kdx, rtol=1e-12)
    for key in ("kernel", "bias"):
        np.testing.assert_allclose(grads[key], kgrads[key], rtol=1e-12)


@pytest.mark.parametrize("loss, out_units, out_act", [
    ("sparse_categorical_crossentropy", 3, "softmax"), ("binary_crossentropy", 1, "sigmoid"), ("mse", 2, "linear")])
def test_network_twin_outputs_and_gradients(loss, out_units, out_act):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((8, 5))
    y = {"sparse_categorical_crossentropy": rng.integers(0, 3, 8),
         "binary_crossentropy": rng.integers(0, 2, (8, 1)).astype(float),
         "mse": rng.standard_normal((8, 2))}[loss]
    net = Sequential([Dense(6, "relu"), PReLU(), Dense(4, "tanh"), Dense(out_units, out_act)], input_dim=5, rng=0)
    net.layers[1].params["alpha"][:] = 0.2
    net.compile(loss)
    km = from_scratch(net)
    np.testing.assert_allclose(net.predict(x), km(x.astype(np.float32)).numpy(), **F32)
    yy = net._prepare_y(y, 8, "test")
    out = net.forward(x)
    net.backward(net.loss.grad(yy, out))
    with tf.GradientTape() as tape:
        kl = KL.get(loss)(y, km(x.astype(np.float32)))
    kgrads = tape.gradient(kl, km.trainable_weights)
    sgrads = [g for l in net.layers for g in l.grads.values()]
    assert len(kgrads) == len(sgrads)
    for s, k in zip(sgrads, kgrads):
        np.testing.assert_allclose(s, k.numpy(), rtol=1e-4, atol=1e-6)


def test_weights_copy_both_ways():
    net = Sequential([Dense(3, "tanh"), Dense(2, "softmax")], input_dim=4, rng=0)
    km = build_mlp(4, hidden=(3,), activation="tanh", output_units=2, output_activation="softmax")
    keras_to_scratch(km, net)
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_allclose(net.predict(x), km(x.astype(np.float32)).numpy(), **F32)
    net2 = Sequential([Dense(3, "tanh"), Dense(2, "softmax")], input_dim=4, rng=9)
    scratch_to_keras(net2, km)
    np.testing.assert_allclose(net2.predict(x), km(x.astype(np.float32)).numpy(), **F32)
    bad = build_mlp(4, hidden=(5,), output_units=2)
    with pytest.raises(ValueError, match="must match the Keras layer"):
        scratch_to_keras(net, bad)


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: SGD(0.1, momentum=0.9),
                                  lambda: SGD(0.1, momentum=0.9, nesterov=True), lambda: RMSprop(0.01),
                                  lambda: Adam(0.01), lambda: Adam(ExponentialDecay(0.05, 3, 0.5)),
                                  lambda: SGD(StepDecay(0.2, drop=0.5, every=2))])
def test_optimizer_updates_match_keras(make):
    rng = np.random.default_rng(7)
    s_opt = make()
    k_opt = keras_optimizer(s_opt)
    p0 = rng.standard_normal((3, 2)).astype(np.float32)
    var = tf.Variable(p0)
    params = {"w": p0.astype(np.float64)}
    for _ in range(6):
        g = rng.standard_normal((3, 2)).astype(np.float32)
        params = s_opt.step(params, {"w": g.astype(np.float64)})
        k_opt.apply_gradients([(tf.constant(g), var)])
    np.testing.assert_allclose(params["w"], var.numpy(), rtol=1e-5, atol=1e-6)


def test_backprop_example_twin():
    """The 2-2-2 worked example in Keras: same E_total and the same ∂E/∂w from GradientTape."""
    ex = BackpropExample()
    model = keras.Sequential([keras.Input((2,), dtype="float64"),
                              keras.layers.Dense(2, "sigmoid", dtype="float64"),
                              keras.layers.Dense(2, "sigmoid", dtype="float64")])
    model.set_weights(ex.keras_weights())
    x, t = np.array([ex.x]), np.array([ex.t])
    with tf.GradientTape() as tape:
        o = model(x)
        E = tf.reduce_sum(0.5 * (t - o) ** 2)
    gk, _, go, _ = [g.numpy() for g in tape.gradient(E, model.trainable_weights)]
    assert float(E) == pytest.approx(ex.error(), abs=1e-12)
    g = ex.gradients()
    np.testing.assert_allclose(gk, [[g["dE/dw1"], g["dE/dw3"]], [g["dE/dw2"], g["dE/dw4"]]], rtol=1e-10)
    np.testing.assert_allclose(go, [[g["dE/dw5"], g["dE/dw7"]], [g["dE/dw6"], g["dE/dw8"]]], rtol=1e-10)
