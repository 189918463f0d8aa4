"""Sequential ↔ its Keras twin on saturated sigmoid/softmax outputs: Keras on TensorFlow computes binary, categorical
and sparse categorical cross-entropy from the logits its sigmoid/softmax keep on the output tensor, and so does the
scratch model; loss and every gradient agree in float64, eagerly (GradientTape) and in a traced train step."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
import keras  # noqa: E402
from dlhelpers.keras import losses as KL  # noqa: E402
from dlhelpers.keras.gradtape import forward_and_grads  # noqa: E402
from dlhelpers.keras.network import model_from_scratch  # noqa: E402
from dlhelpers.keras.weights import named_variables  # noqa: E402
from dlhelpers.scratch import activations as A  # noqa: E402
from dlhelpers.scratch import losses as LS  # noqa: E402
from dlhelpers.scratch.network import GRU, Dense, Dropout, Reshape, Sequential, SimpleRNN  # noqa: E402
from tests.scratch.test_network_logits import CASES, D, N, T, model  # noqa: E402

F64 = dict(rtol=1e-10, atol=1e-13)


def keras_loss_and_grads(net, km, x, y, training=False):
    """The Keras twin's loss (computed in float64, the model's dtype) and its gradients by name, from GradientTape."""
    loss = KL.get(net.loss.name, dtype="float64")
    k_loss, _, k_grads = forward_and_grads(lambda t: loss(y, km(t, training=training)), x, 1.0, named_variables(km))
    return float(k_loss), k_grads


def with_tail(name, *tail):
    """The saturated model ``name`` of CASES with more layers after its output layer (the same weights)."""
    net, x, y = model(name)
    layers, loss, _, _ = CASES[name]
    longer = Sequential([*layers(), *tail], input_shape=net.input_shape, rng=1).compile(loss)
    longer.set_weights(net.get_weights())
    return longer, x, y


def assert_twins(net, x, y):
    """Loss, evaluate and every gradient of the scratch model equal the Keras twin's (inference mode, float64)."""
    km = model_from_scratch(net, dtype="float64")
    loss, grads = net.loss_and_grads(x, y, training=False)
    k_loss, k_grads = keras_loss_and_grads(net, km, x, y)
    assert loss == pytest.approx(k_loss, rel=1e-10)
    assert net.evaluate(x, y)["loss"] == pytest.approx(k_loss, rel=1e-10)
    assert set(grads) == set(k_grads) == set(net.params)
    for key in grads:
        np.testing.assert_allclose(grads[key], k_grads[key], err_msg=key, **F64)
    return km, loss


@pytest.mark.parametrize("name", list(CASES))
def test_saturated_outputs_twin(name):
    net, x, y = model(name)
    km, loss = assert_twins(net, x, y)
    p = np.asarray(km(x))
    mask = net.output_mask if net.output_mask is not None else np.ones(p.shape[:-1], bool)
    assert np.mean((p[mask] <= LS.EPSILON) | (p[mask] >= 1 - LS.EPSILON)) > 0.25
    # the same probabilities as a plain tensor (no logits on it): Keras clips, far below the loss it trains on
    assert KL.value(net.loss.name, y[mask], p[mask], dtype="float64") < 0.8 * loss


@pytest.mark.parametrize("name", list(CASES))
def test_unsaturated_outputs_twin(name):
    assert_twins(*model(name, saturate=False))


@pytest.mark.filterwarnings("ignore:You are using a softmax over axis -1 of a tensor of shape")   # 1 unit
@pytest.mark.parametrize("units, activation, loss", [
    (2, "softmax", "binary_crossentropy"), (1, "softmax", "binary_crossentropy"),
    (3, "sigmoid", "categorical_crossentropy"), (3, "sigmoid", "sparse_categorical_crossentropy")])
def test_any_cross_entropy_on_either_activation_reads_the_logits(units, activation, loss):
    """Keras pairs them blindly: BCE on a softmax output is σ(z_k) per class, CCE on a sigmoid output softmax(z)."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((N, D))
    y = {"binary_crossentropy": rng.integers(0, 2, (N, units)).astype(float),
         "categorical_crossentropy": np.eye(units)[rng.integers(0, units, N)],
         "sparse_categorical_crossentropy": rng.integers(0, units, N)}[loss]
    net = Sequential([Dense(4, "tanh"), Dense(units, activation)], input_dim=D, rng=0).compile(loss)
    _, k_loss = assert_twins(net, x, y)
    yy = net._prepare_y(y, N, "test")
    assert k_loss != pytest.approx(net.loss.fn(yy, net.predict(x)), rel=1e-3)     # not the loss of the outputs


def test_dropout_after_the_output_hands_the_logits_on_outside_training_only():
    net, x, y = with_tail("dense softmax scce", Dropout(0.5))
    km = assert_twins(net, x, y)[0]
    # in training Keras's Dropout computes a new tensor: its loss is that of the same values as a plain array
    loss = KL.get(net.loss.name, dtype="float64")
    keras.utils.set_random_seed(0)
    p = km(x, training=True)
    assert float(loss(y, p)) == pytest.approx(float(loss(y, np.asarray(p))), rel=1e-14)
    assert float(loss(y, p)) < 0.8 * net.evaluate(x, y)["loss"]


def test_a_reshape_after_the_output_or_a_sigmoid_rnn_keeps_the_clipped_probabilities():
    net, x, y = with_tail("dense sigmoid bce", Reshape((3, 1)), Reshape((3,)))
    _, loss = assert_twins(net, x, y)
    assert loss == pytest.approx(LS.binary_crossentropy(y, net.predict(x)), rel=1e-14)      # clipped, in both
    xs = np.random.default_rng(1).standard_normal((N, T, D))
    net = Sequential([SimpleRNN(2, activation="sigmoid")], input_shape=(T, D), rng=0).compile("binary_crossentropy")
    net.layers[0].params["bias"][:] = [30.0, -30.0]
    ys = np.tile([0.0, 1.0], (N, 1))                                          # both units saturated the wrong way
    _, loss = assert_twins(net, xs, ys)
    assert loss == pytest.approx(-np.log(LS.EPSILON), rel=1e-6)


def test_targets_whose_rows_do_not_sum_to_one():
    """TensorFlow's softmax_cross_entropy_with_logits: the loss Σ t_k (logsumexp z − z_k), as ours; its gradient is
    softmax(z) − t whatever the targets sum to, while ours is the derivative of that loss, softmax(z)·Σt − t."""
    net, x, _ = model("dense softmax cce")
    y = np.random.default_rng(8).uniform(0, 1, (N, 4))
    km = model_from_scratch(net, dtype="float64")
    loss, grads = net.loss_and_grads(x, y, training=False)
    k_loss, k_grads = keras_loss_and_grads(net, km, x, y)
    assert loss == pytest.approx(k_loss, rel=1e-10)
    h = np.tanh(x @ net.params["dense/kernel"] + net.params["dense/bias"])
    z = h @ net.params["dense_1/kernel"] + net.params["dense_1/bias"]
    np.testing.assert_allclose(k_grads["dense_1/bias"], np.sum(A.softmax(z) - y, axis=0) / N, **F64)
    np.testing.assert_allclose(grads["dense_1/bias"], np.sum(A.softmax(z) * y.sum(1, keepdims=True) - y, 0) / N, **F64)


def test_keras_clips_a_one_unit_sequence_output_given_targets_without_the_unit_axis():
    """Keras squeezes a (N, T, 1) output to (N, T) targets, which loses its logits; with (N, T, 1) targets it keeps
    them. The scratch model sees its prepared (N, T, 1) targets either way and reads the logits (module docstring)."""
    net = Sequential([GRU(3, return_sequences=True), Dense(1, "sigmoid")], input_shape=(T, D), rng=1)
    net.compile("binary_crossentropy")
    net.layers[-1].params["bias"][:] = 30.0
    x = np.random.default_rng(2).standard_normal((N, T, D))
    y = np.zeros((N, T))
    km, loss = assert_twins(net, x, y[..., None])
    assert net.evaluate(x, y)["loss"] == pytest.approx(loss, rel=1e-14)
    assert keras_loss_and_grads(net, km, x, y)[0] == pytest.approx(-np.log(LS.EPSILON), rel=1e-6)


@pytest.mark.slow                                                   # Keras traces its train step: seconds
@pytest.mark.parametrize("name", ["dense sigmoid bce", "dense softmax cce", "masked gru softmax scce"])
def test_one_sgd_step_equals_keras_train_on_batch(name):
    """The traced step reads the logits too (the attribute, or the Sigmoid/Softmax op's input): same new weights."""
    net, x, y = model(name)
    km = model_from_scratch(net, dtype="float64")
    km.compile(loss=KL.get(net.loss.name, dtype="float64"), optimizer=keras.optimizers.SGD(learning_rate=0.25))
    net.compile(net.loss.name, "sgd", learning_rate=0.25)                # exact in float32, as Keras keeps it
    before = net.get_weights()
    loss = net.train_step(x, net._prepare_y(y, len(x), "test"))
    k_loss = km.train_on_batch(x, y)
    assert float(np.asarray(k_loss).ravel()[0]) == pytest.approx(loss, rel=1e-6)    # Keras logs in float32
    for new, k, old in zip(net.get_weights(), km.get_weights(), before):
        assert not np.array_equal(new, old)
        np.testing.assert_allclose(new, k, **F64)
