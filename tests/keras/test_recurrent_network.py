"""Recurrent scratch models ↔ their Keras twins: outputs, counts, losses and gradients, weight copies, one SGD step."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
import keras  # noqa: E402
from dlhelpers.keras import losses as KL  # noqa: E402
from dlhelpers.keras.gradtape import forward_and_grads  # noqa: E402
from dlhelpers.keras.network import model_from_scratch  # noqa: E402
from tests.keras.parity import assert_sgd_step_matches_keras  # noqa: E402
from dlhelpers.keras.weights import keras_to_scratch, named_variables, scratch_to_keras  # noqa: E402
from dlhelpers.scratch.network import (GRU, LSTM, Bidirectional, Dense, Masking, Sequential,  # noqa: E402
                                       SimpleRNN)

TOL64 = dict(rtol=1e-10, atol=1e-12)
T, D = 6, 3

MODELS = {   # name: (layers, loss)
    "simple_rnn relu many-to-one": (lambda: [Masking(), SimpleRNN(4, activation="relu"), Dense(2, "softmax")],
                                    "sparse_categorical_crossentropy"),
    "lstm many-to-one": (lambda: [Masking(), LSTM(4), Dense(1, "sigmoid")], "binary_crossentropy"),
    "gru many-to-many": (lambda: [Masking(), GRU(4, return_sequences=True), Dense(5, "softmax")],
                         "sparse_categorical_crossentropy"),
    "gru many-to-many unmasked": (lambda: [GRU(4, return_sequences=True), Dense(5, "softmax")],
                                  "sparse_categorical_crossentropy"),
    "stacked lstm regression": (lambda: [LSTM(3, return_sequences=True), SimpleRNN(2, return_sequences=True),
                                         Dense(1)], "mse"),
    "bidirectional lstm concat": (lambda: [Masking(), Bidirectional(LSTM(3)), Dense(2)], "mse"),
    "bidirectional gru mul sequences": (lambda: [Masking(), Bidirectional(GRU(3, return_sequences=True),
                                                                          merge_mode="mul"), Dense(3, "softmax")],
                                        "categorical_crossentropy"),
    "bidirectional simple_rnn ave": (lambda: [Bidirectional(SimpleRNN(3, return_sequences=True), merge_mode="ave"),
                                              GRU(2)], "mse"),
}


def _data(net, loss, seed=0, N=5):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, D))
    x[0, 4:] = 0.0                                     # padded after 4 steps (post-padding)
    x[2, :2] = 0.0                                     # padded before (pre-padding)
    out = net.output_shape
    if loss == "sparse_categorical_crossentropy":
        y = rng.integers(0, out[-1], (N, *out[:-1]))
    elif loss == "categorical_crossentropy":
        y = np.eye(out[-1])[rng.integers(0, out[-1], (N, *out[:-1]))]
    elif loss == "binary_crossentropy":
        y = rng.integers(0, 2, (N, *out)).astype(float)
    else:
        y = rng.standard_normal((N, *out))
    return x, y


def _model(name, seed=1, dtype=np.float64):
    layers, loss = MODELS[name]
    net = Sequential(layers(), input_shape=(T, D), rng=seed, dtype=dtype).compile(loss)
    rng = np.random.default_rng(seed + 10)
    for p in net.params.values():                      # move the biases off zero so every weight matters
        p += (0.2 * rng.standard_normal(p.shape)).astype(p.dtype)
    return net, loss


@pytest.mark.parametrize("name", list(MODELS))
def test_twin_outputs_counts_loss_and_gradients(name):
    net, loss = _model(name)
    km = model_from_scratch(net, dtype="float64")
    x, y = _data(net, loss)
    assert km.count_params() == net.count_params()
    np.testing.assert_allclose(km(x).numpy(), net.predict(x), **TOL64)
    # the loss on 3-D outputs: Keras averages over N and T (over the real steps when the output is masked)
    yy = net._prepare_y(y, len(x), "test")
    out = net.forward(x)
    masked = name in ("gru many-to-many", "bidirectional gru mul sequences")
    assert (net.output_mask is not None) == masked
    net.backward(net._loss_grad(yy, out, net.output_mask))
    kE, _, kgrads = forward_and_grads(lambda t: KL.get(loss, dtype="float64")(y, km(t, training=False)), x, 1.0,
                                      named_variables(km))
    assert float(kE) == pytest.approx(net._loss(yy, out, net.output_mask), rel=1e-10)
    assert float(kE) == pytest.approx(net.evaluate(x, y)["loss"], rel=1e-10)
    if masked:                                                   # the padded steps do not count
        assert net.loss.fn(yy, out) != pytest.approx(float(kE), rel=1e-3)
    sgrads = net.grads
    assert set(sgrads) == set(net.params) == set(kgrads)
    for key in sgrads:
        np.testing.assert_allclose(sgrads[key], kgrads[key], err_msg=key, **TOL64)
    loss, grads = net.loss_and_grads(x, y, training=False)     # the training path (logits of a sigmoid/softmax)
    assert loss == pytest.approx(float(kE), rel=1e-10)
    for key in grads:
        np.testing.assert_allclose(grads[key], kgrads[key], err_msg=key, **TOL64)


def test_float32_twin():
    net, loss = _model("bidirectional lstm concat", dtype=np.float32)
    km = model_from_scratch(net)                                          # float32 Keras layers
    x, _ = _data(net, loss)
    np.testing.assert_allclose(km(x.astype(np.float32)).numpy(), net.predict(x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["lstm many-to-one", "gru many-to-many", "bidirectional gru mul sequences"])
def test_weights_round_trip_both_ways(name):
    net, _ = _model(name)
    km = model_from_scratch(net, dtype="float64", copy_weights=False)     # Keras's own initial weights
    assert not all(np.array_equal(a, b) for a, b in zip(km.get_weights(), net.get_weights()))
    keras_to_scratch(km, net)
    for a, b in zip(km.get_weights(), net.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert [w.shape for w in net.get_weights()] == [w.shape for w in km.get_weights()]
    # scratch → Keras after changing the scratch weights
    net.set_params({k: v + 1.0 for k, v in net.params.items()})
    scratch_to_keras(net, km)
    for a, b in zip(km.get_weights(), net.get_weights()):
        np.testing.assert_array_equal(a, b)
    x = np.random.default_rng(3).standard_normal((2, T, D))
    np.testing.assert_allclose(km(x).numpy(), net.predict(x), **TOL64)


def test_keras_initial_values_have_the_scratch_layout():
    net = Sequential([Bidirectional(LSTM(3)), Dense(1)], input_shape=(T, D), rng=0)
    km = model_from_scratch(net, dtype="float64", copy_weights=False)
    fk, frk, fb, bk, brk, bb = km.layers[0].get_weights()
    for b in (fb, bb):                                                    # unit_forget_bias in both directions
        np.testing.assert_array_equal(b, net.layers[0].params["forward_bias"])
    np.testing.assert_allclose(frk @ frk.T, np.eye(3), atol=1e-12)         # orthogonal rows, as the scratch one
    r = net.layers[0].params["forward_recurrent_kernel"]
    np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-12)


@pytest.mark.parametrize("name, lr", [    # rates exact in float32: Keras keeps the learning rate in a float32 variable
    ("lstm many-to-one", 0.5), ("gru many-to-many unmasked", 0.25), ("gru many-to-many", 0.25),
    ("bidirectional lstm concat", 0.125)])
def test_one_sgd_step_equals_keras_train_on_batch(name, lr):
    net, loss = _model(name)
    x, y = _data(net, loss, seed=4, N=6)
    assert_sgd_step_matches_keras(net, loss, x, y, lr)
