"""Recurrent layers of the scratch Sequential: shapes, parameter counts, masks, training and whole-model gradients."""
import numpy as np
import pytest

from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from dlhelpers.scratch.layers import layer_type_names
from dlhelpers.scratch.lstm import lstm_forward
from dlhelpers.scratch.network import (GRU, LSTM, Bidirectional, Dense, Dropout, Masking, Sequential, SimpleRNN)
from tests.helpers import TOL

MAKERS = {"SimpleRNN": SimpleRNN, "LSTM": LSTM, "GRU": GRU}
GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def _count(kind, D, U):
    """D·gU + U·gU + bias, with the GRU's bias two rows of 3U."""
    g = GATES[kind]
    return D * g * U + U * g * U + (2 * g * U if kind == "GRU" else g * U)


@pytest.mark.parametrize("kind", list(MAKERS))
@pytest.mark.parametrize("return_sequences", [False, True])
def test_shapes_and_parameter_counts(kind, return_sequences):
    N, T, D, U = 3, 5, 4, 6
    net = Sequential([MAKERS[kind](U, return_sequences=return_sequences)], input_shape=(T, D), rng=0)
    layer = net.layers[0]
    g = GATES[kind]
    assert layer.params["kernel"].shape == (D, g * U)
    assert layer.params["recurrent_kernel"].shape == (U, g * U)
    assert layer.params["bias"].shape == ((2, 3 * U) if kind == "GRU" else (g * U,))
    assert layer.count_params() == net.count_params() == _count(kind, D, U)
    assert net.output_shape == ((T, U) if return_sequences else (U,))
    out = net.predict(np.random.default_rng(1).standard_normal((N, T, D)))
    assert out.shape == ((N, T, U) if return_sequences else (N, U))
    # Keras's numbers for these sizes: SimpleRNN 6·4 + 36 + 6, LSTM 4·(24 + 36 + 6), GRU 3·(24 + 36) + 36
    assert net.count_params() == {"SimpleRNN": 66, "LSTM": 264, "GRU": 216}[kind]


@pytest.mark.parametrize("kind", list(MAKERS))
@pytest.mark.parametrize("merge_mode, width", [("concat", 10), ("sum", 5), ("mul", 5), ("ave", 5)])
def test_bidirectional_shapes_and_counts(kind, merge_mode, width):
    net = Sequential([Bidirectional(MAKERS[kind](5, return_sequences=True), merge_mode=merge_mode)],
                     input_shape=(4, 3), rng=0)
    layer = net.layers[0]
    assert list(layer.params) == [f"{side}_{k}" for side in ("forward", "backward")
                                  for k in ("kernel", "recurrent_kernel", "bias")]
    assert net.count_params() == 2 * _count(kind, 3, 5)
    assert net.predict(np.ones((2, 4, 3))).shape == (2, 4, width)
    assert not np.array_equal(layer.params["forward_kernel"], layer.params["backward_kernel"])   # own weights


def test_keras_initial_values():
    net = Sequential([LSTM(3), Dense(1)], input_shape=(4, 2), rng=0, dtype=np.float32)
    p = net.layers[0].params
    assert all(v.dtype == np.float32 for v in net.params.values())
    np.testing.assert_array_equal(p["bias"], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])     # forget block i, f, c, o
    # recurrent_kernel (3, 12): orthogonal rows
    np.testing.assert_allclose(p["recurrent_kernel"] @ p["recurrent_kernel"].T, np.eye(3), atol=1e-6)
    assert np.abs(p["kernel"]).max() <= np.sqrt(6 / (2 + 12))                          # glorot_uniform (2, 12)
    plain = Sequential([LSTM(3, unit_forget_bias=False)], input_shape=(4, 2), rng=0)
    np.testing.assert_array_equal(plain.layers[0].params["bias"], 0.0)
    gru = Sequential([GRU(2)], input_shape=(4, 2), rng=0)
    np.testing.assert_array_equal(gru.layers[0].params["bias"], np.zeros((2, 6)))


def test_layer_names_and_type_names_follow_keras():
    net = Sequential([SimpleRNN(2, return_sequences=True), LSTM(2, return_sequences=True), GRU(2),
                      Dense(1)], input_shape=(3, 1))
    assert [l.name for l in net.layers] == ["simple_rnn", "lstm", "gru", "dense"]
    assert {"SimpleRNN", "LSTM", "GRU", "Bidirectional", "Masking"} <= set(layer_type_names())


def test_many_to_one_uses_the_last_step_and_matches_the_function():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 5, 2))
    net = Sequential([LSTM(4)], input_shape=(5, 2), rng=0)
    h_seq, _ = lstm_forward(x, net.layers[0].params)
    np.testing.assert_array_equal(net.predict(x), h_seq[:, -1])


def test_dense_on_sequences_acts_on_the_last_axis():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 3))
    net = Sequential([Dense(5, "softmax")], input_shape=(4, 3), rng=0)
    assert net.output_shape == (4, 5)
    out = net.predict(x)
    k, b = net.layers[0].params["kernel"], net.layers[0].params["bias"]
    z = x @ k + b
    np.testing.assert_allclose(out, np.exp(z) / np.exp(z).sum(-1, keepdims=True), rtol=1e-12)
    for t in range(4):                                        # step by step equals the flat Dense
        np.testing.assert_allclose(out[:, t], net.layers[0].forward(x[:, t]), rtol=1e-12)


def test_masking_skips_padded_steps():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 6, 2))
    x[0, 4:] = 0.0                                            # sequence 0 has 4 real steps, padded after
    net = Sequential([Masking(), GRU(3)], input_shape=(6, 2), rng=0)
    short = Sequential([GRU(3)], input_shape=(4, 2), rng=0)
    short.set_weights(net.get_weights())
    np.testing.assert_allclose(net.predict(x)[0], short.predict(x[:1, :4])[0], rtol=1e-12)
    unmasked = Sequential([GRU(3)], input_shape=(6, 2), rng=0)
    unmasked.set_weights(net.get_weights())
    assert not np.allclose(unmasked.predict(x)[0], net.predict(x)[0])      # the zeros would change the state
    np.testing.assert_allclose(unmasked.predict(x)[1:], net.predict(x)[1:], rtol=1e-12)
    assert net.layers[0].output_mask.tolist()[0] == [True] * 4 + [False] * 2


def _sign_of_sum(n, T, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, T, 1))
    return x, (x.sum(axis=(1, 2)) > 0).astype(float)


@pytest.mark.parametrize("layer", [lambda: SimpleRNN(6), lambda: LSTM(6), lambda: GRU(6),
                                   lambda: Bidirectional(GRU(3))])
def test_many_to_one_model_learns_the_sign_of_a_sum(layer):
    x, y = _sign_of_sum(200, 5, 0)
    xt, yt = _sign_of_sum(200, 5, 1)
    net = Sequential([layer(), Dense(1, "sigmoid")], input_shape=(5, 1), rng=0)
    net.compile("binary_crossentropy", "adam", learning_rate=0.02)
    before = net.evaluate(xt, yt)
    hist = net.fit(x, y, epochs=25, batch_size=32, rng=0)
    after = net.evaluate(xt, yt)
    assert hist.history["loss"][-1] < 0.5 * hist.history["loss"][0]
    assert after["loss"] < 0.5 * before["loss"] and after["accuracy"] >= 0.9


def test_many_to_many_next_symbol_model_trains():
    # each step's target is the previous step's symbol: a one-step memory, learnable by any recurrent layer
    V, T = 4, 6
    rng = np.random.default_rng(5)
    ids = rng.integers(0, V, (300, T))
    x, y = np.eye(V)[ids], np.concatenate([np.zeros((300, 1), int), ids[:, :-1]], axis=1)
    net = Sequential([GRU(8, return_sequences=True), Dense(V, "softmax")], input_shape=(T, V), rng=0)
    net.compile("sparse_categorical_crossentropy", "adam", learning_rate=0.02)
    before = net.evaluate(x, y)
    net.fit(x, y, epochs=15, batch_size=32, rng=0)
    after = net.evaluate(x, y)
    assert after["loss"] < 0.3 * before["loss"] and after["accuracy"] > 0.95
    # one-hot targets (N, T, V) and categorical_crossentropy give the same loss as the ids
    net.compile("categorical_crossentropy")
    assert net.evaluate(x, np.eye(V)[y])["loss"] == pytest.approx(after["loss"], rel=1e-12)


def test_sequence_regression_targets_and_loss_average_over_steps():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((5, 4, 2))
    net = Sequential([SimpleRNN(3, return_sequences=True), Dense(1)], input_shape=(4, 2), rng=0).compile("mse")
    y = rng.standard_normal((5, 4))
    out = net.predict(x)
    assert net.evaluate(x, y)["loss"] == pytest.approx(np.mean((out[..., 0] - y) ** 2), rel=1e-12)
    assert net.evaluate(x, y[..., None])["loss"] == net.evaluate(x, y)["loss"]


@pytest.mark.parametrize("call, exc, match", [
    (lambda: Sequential([LSTM(2)], input_dim=3), ValueError,
     r"the input of LSTM layer 'lstm' must be \(T, D\) sequences .* for Sequential.build; got shape \(3,\)"),
    (lambda: Sequential([GRU(2)], input_shape=(4, 4, 1)), ValueError, r"must be \(T, D\) sequences"),
    (lambda: Sequential([Masking()], input_shape=(5,)), ValueError, r"Masking layer 'masking' must be \(T, D\)"),
    (lambda: LSTM(0), ValueError, "units must be > 0 for LSTM"),
    (lambda: GRU(2.5), TypeError, "units must be an integer for GRU"),
    (lambda: SimpleRNN(2, activation="softmax"), ValueError, "activation must be one of .* for SimpleRNN"),
    (lambda: LSTM(2, return_sequences="yes"), TypeError, "return_sequences must be True or False for LSTM"),
    (lambda: LSTM(2, recurrent_initializer="identity"), ValueError, "recurrent_initializer must be one of"),
    (lambda: Bidirectional(Dense(2)), TypeError, r"layer must be a recurrent layer \(SimpleRNN, LSTM or GRU\) "
                                                 "for Bidirectional; got Dense"),
    (lambda: Bidirectional(LSTM(2), merge_mode="max"), ValueError, "merge_mode must be one of"),
    (lambda: Masking(np.nan), ValueError, "mask_value must be a finite number for Masking"),
    (lambda: Masking("0"), TypeError, "mask_value must be a finite number"),
    (lambda: Sequential([LSTM(2, return_sequences=True), Dense(3, "softmax")], input_shape=(4, 1))
     .compile("sparse_categorical_crossentropy").fit(np.ones((2, 4, 1)), np.ones((2, 3))), ValueError,
     r"y must have shape \(N, T\) = \(N, 4\) for fit; got shape \(2, 3\)"),
    (lambda: Sequential([LSTM(2, return_sequences=True), Dense(3)], input_shape=(4, 1))
     .compile("mse").fit(np.ones((2, 4, 1)), np.ones((2, 4))), ValueError,
     r"y must have shape \(N, T, K\) = \(N, 4, 3\)"),
    (lambda: Sequential([LSTM(2)], input_shape=(4, 1)).predict(np.ones((2, 5, 1))), ValueError,
     r"x must have samples of shape \(4, 1\)"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def _whole_model_gradients(net, x, y):
    yy = net._prepare_y(y, len(x), "test")
    out = net.forward(x, training=True)
    net.backward(net.loss.grad(yy, out))
    grads = net.grads
    for layer in net.layers:
        for name, p in layer.params.items():
            num = numerical_gradient(lambda: net.loss.fn(yy, net.forward(x, training=True)), p)
            err = relative_error(grads[f"{layer.name}/{name}"], num)
            assert err < TOL, (layer.name, name, err)


@pytest.mark.parametrize("layers, loss", [
    (lambda: [Masking(), LSTM(3), Dense(2, "softmax")], "sparse_categorical_crossentropy"),
    (lambda: [GRU(3, return_sequences=True), Dropout(0.0), Dense(3, "softmax")], "sparse_categorical_crossentropy"),
    (lambda: [Masking(), Bidirectional(LSTM(2, return_sequences=True), merge_mode="mul"), Dense(1)], "mse"),
    (lambda: [Masking(), Bidirectional(SimpleRNN(2, activation="sigmoid")), Dense(1, "sigmoid")],
     "binary_crossentropy"),
    (lambda: [Bidirectional(GRU(2, return_sequences=True), merge_mode="ave"), SimpleRNN(2), Dense(2)], "mse"),
])
def test_whole_model_gradient_check(layers, loss):
    rng = np.random.default_rng(7)
    N, T, D = 3, 5, 2
    x = rng.standard_normal((N, T, D))
    x[0, 3:] = 0.0                                             # padding: masked where a Masking layer is first
    net = Sequential(layers(), input_shape=(T, D), rng=1).compile(loss)
    for p in net.params.values():                             # away from the initial biases' symmetry
        p += 0.3 * rng.standard_normal(p.shape)
    out_shape = net.output_shape
    if loss == "sparse_categorical_crossentropy":
        y = rng.integers(0, out_shape[-1], (N, *out_shape[:-1]))
    elif loss == "binary_crossentropy":
        y = rng.integers(0, 2, (N, 1)).astype(float)
    else:
        y = rng.standard_normal((N, *out_shape))
    _whole_model_gradients(net, x, y)
