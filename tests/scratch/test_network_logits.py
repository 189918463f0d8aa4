"""Sequential reads binary/categorical/sparse cross-entropy from the logits of a sigmoid or softmax output layer.

Keras on TensorFlow does so (``keras.activations.sigmoid``/``softmax`` keep their input z on the output, and its
cross-entropies use it); the Keras side is in tests/keras/test_network_logits.py. Here: the loss and every gradient
equal those of the same network with a linear last layer and the loss taken ``from_logits``, also where the outputs
saturate (the clipped loss would be flat there); a float64 gradient check of that path; the cases that keep the
clipped probabilities; nothing changes on outputs that do not saturate.
"""
import functools

import numpy as np
import pytest

from dlhelpers.scratch import activations as A
from dlhelpers.scratch import losses as LS
from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from dlhelpers.scratch.network import (GRU, Dense, Dropout, Masking, Reshape, Sequential, SimpleRNN,
                                       _output_logits)
from tests.helpers import TOL

N, T, D = 6, 5, 3


def _targets(loss, shape, k, rng):
    """Targets for a model whose output has ``shape`` (without N) and k units: 0/1 and soft ones for binary."""
    lead = (N, *shape[:-1])
    if loss == "sparse_categorical_crossentropy":
        return rng.integers(0, k, lead)
    if loss == "categorical_crossentropy":
        y = np.eye(k)[rng.integers(0, k, lead)]
        y[0] = 0.8 * y[0] + 0.2 / k                                # one label-smoothed row (still sums to 1)
        return y
    y = rng.integers(0, 2, (*lead, k)).astype(float)
    y[0] = rng.uniform(0, 1, k)                                    # soft targets too
    return y


#: name → (layers, loss, units of the last layer, sequence input): the last layer's z is pushed far out below
CASES = {
    "dense sigmoid bce": (lambda: [Dense(5, "tanh"), Dense(3, "sigmoid")], "binary_crossentropy", 3, False),
    "dense softmax cce": (lambda: [Dense(5, "tanh"), Dense(4, "softmax")], "categorical_crossentropy", 4, False),
    "dense softmax scce": (lambda: [Dense(5, "tanh"), Dense(4, "softmax")], "sparse_categorical_crossentropy", 4,
                           False),
    "masked gru softmax scce": (lambda: [Masking(), GRU(3, return_sequences=True), Dense(4, "softmax")],
                                "sparse_categorical_crossentropy", 4, True),
    "masked gru sigmoid bce": (lambda: [Masking(), GRU(3, return_sequences=True), Dense(1, "sigmoid")],
                               "binary_crossentropy", 1, True),
}


def _data(sequence, seed=0):
    rng = np.random.default_rng(seed)
    if not sequence:
        return rng.standard_normal((N, D))
    x = rng.standard_normal((N, T, D))
    x[0, 3:] = 0.0                                                 # post-padding
    x[2, :2] = 0.0                                                 # pre-padding
    return x


def model(name, saturate=True, dtype=np.float64):
    """(net, x, y): a float64 model of CASES; with ``saturate`` its last layer's kernel × 30 and bias spread ±30."""
    layers, loss, k, sequence = CASES[name]
    x = _data(sequence)
    net = Sequential(layers(), input_shape=x.shape[1:], rng=1, dtype=dtype).compile(loss, "sgd", learning_rate=0.1)
    if saturate:
        last = net.layers[-1]
        last.params["kernel"] *= 30.0
        last.params["bias"][:] = np.linspace(-30.0, 30.0, k) if k > 1 else 20.0
    return net, x.astype(dtype), _targets(loss, net.output_shape, k, np.random.default_rng(3))


def logits_twin(name, net):
    """The model ``name`` of CASES with a linear last layer, trained on the loss taken ``from_logits`` (a Loss of its
    own, which Sequential does not rewrite), with ``net``'s weights: what ``net`` should compute."""
    layers, loss, _, _ = CASES[name]
    fn, grad = LS.LOSSES[loss].fn, LS.LOSSES[loss].grad
    loss = LS.Loss(loss, functools.partial(fn, from_logits=True), functools.partial(grad, from_logits=True), "logits")
    twin = Sequential(layers(), input_shape=net.input_shape, rng=1).compile(loss, "sgd", learning_rate=0.1)
    twin.layers[-1].activation = "linear"
    twin.set_weights(net.get_weights())
    return twin


def _probabilities_loss(net, x, y):
    """The loss on the clipped probabilities (the old path: the losses' functions on the output as it is)."""
    yy = net._prepare_y(y, len(x), "test")
    out = net.forward(x)
    return net._loss(yy, out, net.output_mask)


@pytest.mark.parametrize("name", list(CASES))
def test_saturated_outputs_are_read_from_the_logits(name):
    net, x, y = model(name)
    twin = logits_twin(name, net)
    p = net.predict(x)
    mask = net.output_mask if net.output_mask is not None else np.ones(p.shape[:-1], bool)
    assert np.mean((p[mask] <= LS.EPSILON) | (p[mask] >= 1 - LS.EPSILON)) > 0.25          # many clipped outputs
    loss, grads = net.loss_and_grads(x, y, training=False)
    t_loss, t_grads = twin.loss_and_grads(x, y, training=False)
    assert loss == pytest.approx(t_loss, rel=1e-14)
    assert net.evaluate(x, y)["loss"] == pytest.approx(t_loss, rel=1e-14)
    assert list(grads) == list(t_grads) == list(net.params)
    for key in grads:
        np.testing.assert_allclose(grads[key], t_grads[key], rtol=1e-13, atol=1e-300, err_msg=key)
    assert np.any(grads[f"{net.layers[-1].name}/bias"] != 0)
    # on the clipped probabilities each wrong saturated output would cost at most −log 1e-7 ≈ 16
    assert _probabilities_loss(net, x, y) < 0.8 * loss
    # forward, predict and backward keep their meaning: the probabilities, and dout = ∂L/∂(probabilities)
    assert net.layers[-1].activation in ("sigmoid", "softmax")
    np.testing.assert_allclose(A.softmax(twin.predict(x)) if net.layers[-1].activation == "softmax" else
                               A.sigmoid(twin.predict(x)), p, rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("name", list(CASES))
def test_gradient_check_of_the_logits_path(name):
    net, x, y = model(name)
    _, grads = net.loss_and_grads(x, y, training=False)
    for layer in net.layers:
        for key, p in layer.params.items():
            num = numerical_gradient(lambda: net.evaluate(x, y)["loss"], p)
            err = relative_error(grads[f"{layer.name}/{key}"], num)
            assert err < TOL, (layer.name, key, err)


@pytest.mark.parametrize("name", list(CASES))
def test_outputs_that_do_not_saturate_give_the_same_results(name):
    net, x, y = model(name, saturate=False)
    loss, grads = net.loss_and_grads(x, y, training=False)
    yy = net._prepare_y(y, len(x), "test")
    out = net.forward(x)
    net.backward(net._loss_grad(yy, out, net.output_mask))               # the probability path, by hand
    assert loss == pytest.approx(net._loss(yy, out, net.output_mask), rel=1e-12)
    for key, g in net.grads.items():
        np.testing.assert_allclose(grads[key], g, rtol=1e-9, atol=1e-15, err_msg=key)


@pytest.mark.parametrize("name", ["dense softmax scce", "masked gru sigmoid bce"])
def test_fit_train_step_and_evaluate_use_the_logits(name):
    net, x, y = model(name)
    twin = logits_twin(name, net)
    yy = net._prepare_y(y, len(x), "test")
    before = net.evaluate(x, y)
    assert before["loss"] == pytest.approx(twin.evaluate(x, y)["loss"], rel=1e-14)
    assert before["accuracy"] == net.accuracy(yy, net.predict(x), net.output_mask)     # of the probabilities
    history = net.fit(x, y, epochs=1, batch_size=None, shuffle=False, validation_data=(x, y))
    t_history = twin.fit(x, y, epochs=1, batch_size=None, shuffle=False, validation_data=(x, y))
    assert history.history["loss"][0] == pytest.approx(before["loss"], rel=1e-14)    # the step's loss, before it
    for key in ("loss", "val_loss", "full_loss"):
        assert history.history[key][0] == pytest.approx(t_history.history[key][0], rel=1e-13), key
    assert history.history["accuracy"][0] == net.accuracy(yy, net.predict(x), net.output_mask)
    for w, t in zip(net.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(w, t, rtol=1e-13, atol=1e-300)
    assert net.train_step(x, net._prepare_y(y, len(x), "test")) == pytest.approx(
        twin.train_step(x, twin._prepare_y(y, len(x), "test")), rel=1e-13)


def test_keras_pairs_any_of_the_three_losses_with_either_activation():
    """Keras reads z whichever of sigmoid/softmax meets whichever cross-entropy: softmax + BCE is σ(z_k) per class."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((N, D))
    net = Sequential([Dense(4, "tanh"), Dense(2, "softmax")], input_dim=D, rng=0).compile("binary_crossentropy")
    y = np.eye(2)[rng.integers(0, 2, N)]
    with _output_logits(net, net.loss) as activation:
        z = net.forward(x)
    assert activation is A.softmax
    assert net.evaluate(x, y)["loss"] == pytest.approx(LS.binary_crossentropy(y, z, from_logits=True), rel=1e-14)
    assert net.evaluate(x, y)["loss"] != pytest.approx(LS.binary_crossentropy(y, net.predict(x)), rel=1e-3)
    net = Sequential([Dense(4, "tanh"), Dense(3, "sigmoid")], input_dim=D, rng=0).compile("categorical_crossentropy")
    y = np.eye(3)[rng.integers(0, 3, N)]
    z = net.predict(x)
    z = np.log(z / (1 - z))                                              # σ⁻¹: the sigmoid's logits
    assert net.evaluate(x, y)["loss"] == pytest.approx(LS.categorical_crossentropy(y, z, from_logits=True), rel=1e-12)
    # accuracy stays that of the outputs: a 1-unit softmax outputs 1 everywhere, so every 1 is "right"
    net = Sequential([Dense(1, "softmax")], input_dim=D, rng=0).compile("binary_crossentropy")
    y = np.array([0, 1, 1, 0, 1, 1.0])
    assert net.evaluate(x, y)["accuracy"] == pytest.approx(4 / 6)


@pytest.mark.parametrize("layers, loss, training, reads_logits", [
    ([Dense(3, "softmax")], "sparse_categorical_crossentropy", True, True),
    ([Dense(3, "softmax"), Dropout(0.5)], "sparse_categorical_crossentropy", False, True),    # Dropout hands z on
    ([Dense(3, "softmax"), Dropout(0.5)], "sparse_categorical_crossentropy", True, False),    # ... not in training
    ([Dense(3, "softmax"), Dropout(0.0)], "sparse_categorical_crossentropy", True, True),     # at rate 0 it does
    ([Dense(3, "sigmoid"), Reshape((3, 1)), Reshape((3,))], "binary_crossentropy", False, False),   # z is lost
    ([Dense(3, "sigmoid")], "mse", False, False),
    ([Dense(1, "sigmoid")], "hinge", False, False),
    ([Dense(3, "softmax")], "kl_divergence", False, False),
    ([Dense(3, "tanh")], "binary_crossentropy", False, False),
    ([Dense(3, "relu"), Dense(3)], "categorical_crossentropy", False, False),
])
def test_which_models_read_the_logits(layers, loss, training, reads_logits):
    net = Sequential(layers, input_dim=D, rng=0).compile(loss)
    activation = layers[0].activation
    with _output_logits(net, loss, training) as skipped:
        assert (skipped is not None) == reads_logits
        assert net.layers[0].activation == ("linear" if reads_logits else activation)      # runs linear inside
    assert net.layers[0].activation == activation


def test_a_sigmoid_recurrent_layer_and_a_loss_of_ones_own_keep_the_probabilities():
    x = _data(True)
    net = Sequential([SimpleRNN(1, activation="sigmoid")], input_shape=(T, D), rng=0).compile("binary_crossentropy")
    net.layers[0].params["bias"][:] = 30.0                               # saturated: σ(z) = 1 − 1e-13 and more
    y = np.zeros((N, 1))
    assert net.evaluate(x, y)["loss"] == pytest.approx(-np.log(LS.EPSILON), rel=1e-6)   # clipped, as Keras's
    own = LS.Loss("binary_crossentropy", LS.binary_crossentropy, LS.binary_crossentropy_grad, "binary")  # the
    # registry's functions (read as logits); a function of one's own may not take from_logits (kept as it is)
    custom = LS.Loss("binary_crossentropy", lambda t, p: LS.mse(t, p), LS.mse_grad, "binary")
    for loss, reads in ((own, True), (custom, False), (None, False)):
        with _output_logits(Sequential([Dense(1, "sigmoid")], input_dim=D), loss) as activation:
            assert (activation is not None) == reads


def test_the_output_layer_gets_its_activation_back_after_an_error():
    net, x, y = model("dense sigmoid bce")
    with pytest.raises(RuntimeError):
        with _output_logits(net, net.loss):
            assert net.layers[-1].activation == "linear"
            raise RuntimeError("inside")
    assert net.layers[-1].activation == "sigmoid"
    with pytest.raises(ValueError, match="must be the same shape for binary_crossentropy"):     # inside the block
        net.loss_and_grads(x, y[:, :2])
    assert net.layers[-1].activation == "sigmoid"


def test_float32_logits_path():
    net, x, y = model("dense softmax cce", dtype=np.float32)
    net64, x64, _ = model("dense softmax cce")
    loss, grads = net.loss_and_grads(x, y, training=False)
    loss64, grads64 = net64.loss_and_grads(x64, y, training=False)
    assert np.isfinite(loss) and loss == pytest.approx(loss64, rel=1e-5)
    for key in grads:
        assert grads[key].dtype == np.float32
        np.testing.assert_allclose(grads[key], grads64[key], rtol=1e-4, atol=1e-6)


# --- the losses from logits -------------------------------------------------------------------------------------

def test_categorical_losses_from_logits_equal_the_probability_losses_where_nothing_is_clipped():
    rng = np.random.default_rng(5)
    z = rng.normal(0, 2, (4, T, 3))                                   # 3-D: every (n, t) is a sample
    t = rng.dirichlet(np.ones(3), (4, T))
    ids = rng.integers(0, 3, (4, T))
    p = A.softmax(z)
    assert LS.categorical_crossentropy(t, z, from_logits=True) == pytest.approx(
        LS.categorical_crossentropy(t, p), rel=1e-13)
    assert LS.sparse_categorical_crossentropy(ids, z, from_logits=True) == pytest.approx(
        LS.sparse_categorical_crossentropy(ids, p), rel=1e-13)
    # ∂L/∂z = ∂L/∂p through the softmax
    np.testing.assert_allclose(LS.categorical_crossentropy_grad(t, z, from_logits=True),
                               A.softmax_backward(LS.categorical_crossentropy_grad(t, p), p), rtol=1e-10, atol=1e-15)
    # worked: z = (0, ln 3), t = (0, 1): logsumexp = ln 4, loss = ln 4 − ln 3; gradient softmax − t = (1/4, −1/4)
    z1, t1 = np.array([[0.0, np.log(3.0)]]), np.array([[0.0, 1.0]])
    assert LS.categorical_crossentropy(t1, z1, from_logits=True) == pytest.approx(np.log(4 / 3), rel=1e-15)
    np.testing.assert_allclose(LS.categorical_crossentropy_grad(t1, z1, from_logits=True), [[0.25, -0.25]], rtol=1e-15)
    assert LS.sparse_categorical_crossentropy([1], z1, from_logits=True) == pytest.approx(np.log(4 / 3), rel=1e-15)


def test_categorical_losses_from_logits_are_stable_and_unclipped():
    z = np.array([[800.0, 0.0, -800.0], [0.0, 0.0, 0.0]])
    t = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    assert LS.categorical_crossentropy(t, z, from_logits=True) == pytest.approx((1600.0 + np.log(3.0)) / 2, rel=1e-15)
    assert LS.sparse_categorical_crossentropy([2, 0], z, from_logits=True) == pytest.approx((1600 + np.log(3)) / 2)
    np.testing.assert_allclose(LS.categorical_crossentropy_grad(t, z, from_logits=True),
                               [[0.5, 0.0, -0.5], [1 / 6 - 0.5, 1 / 6, 1 / 6]], rtol=1e-14)
    # on the probabilities the same mistake costs −log 1e-7 and passes nothing back
    assert LS.categorical_crossentropy(t[:1], A.softmax(z[:1])) == pytest.approx(-np.log(LS.EPSILON), rel=1e-6)
    assert not np.any(LS.categorical_crossentropy_grad(t[:1], A.softmax(z[:1])))


@pytest.mark.parametrize("targets", ["one-hot", "soft, rows summing to 1", "rows not summing to 1"])
def test_gradient_check_of_the_categorical_losses_from_logits(targets):
    rng = np.random.default_rng(6)
    z = rng.normal(0, 3, (5, 4))
    t = {"one-hot": np.eye(4)[rng.integers(0, 4, 5)], "soft, rows summing to 1": rng.dirichlet(np.ones(4), 5),
         "rows not summing to 1": rng.uniform(0, 1, (5, 4))}[targets]
    num = numerical_gradient(lambda: LS.categorical_crossentropy(t, z, from_logits=True), z)
    assert relative_error(LS.categorical_crossentropy_grad(t, z, from_logits=True), num) < TOL
    ids = rng.integers(0, 4, 5)
    num = numerical_gradient(lambda: LS.sparse_categorical_crossentropy(ids, z, from_logits=True), z)
    assert relative_error(LS.sparse_categorical_crossentropy_grad(ids, z, from_logits=True), num) < TOL


@pytest.mark.parametrize("fn", [LS.categorical_crossentropy, LS.categorical_crossentropy_grad,
                                LS.sparse_categorical_crossentropy, LS.sparse_categorical_crossentropy_grad])
def test_from_logits_must_be_a_bool(fn):
    t = [[0.0, 1.0]] if "sparse" not in fn.__name__ else [1]
    with pytest.raises(TypeError, match="from_logits must be True or False"):
        fn(t, [[0.2, 0.8]], from_logits="yes")
    # logits may be negative or sum to anything; probabilities may not
    fn(t, [[-3.0, -5.0]], from_logits=True)
    with pytest.raises(ValueError, match="y_pred must hold probabilities"):
        fn(t, [[-3.0, -5.0]])


def test_loss_and_grads_input_checks():
    net = Sequential([Dense(2, "softmax")], input_dim=D, rng=0)
    with pytest.raises(ValueError, match="must be compiled before loss_and_grads"):
        net.loss_and_grads(np.zeros((2, D)), [0, 1])
    net.compile("sparse_categorical_crossentropy")
    with pytest.raises(TypeError, match="training must be True or False"):
        net.loss_and_grads(np.zeros((2, D)), [0, 1], training="no")
    with pytest.raises(ValueError, match="x must have 3 features"):
        net.loss_and_grads(np.zeros((2, D + 1)), [0, 1])
