import numpy as np
import pytest

from dlhelpers.data import digits, one_hot, train_test_split, xor
from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from dlhelpers.scratch.network import (Callback, Dense, Dropout, LambdaCallback, PReLU, Sequential,
                                       WeightHistory)
from dlhelpers.scratch.initializers import initialize
from tests.helpers import TOL


@pytest.mark.parametrize("loss, out_units, out_act", [
    ("mse", 2, "linear"), ("binary_crossentropy", 1, "sigmoid"),
    ("categorical_crossentropy", 3, "softmax"), ("sparse_categorical_crossentropy", 3, "softmax"),
    ("hinge", 1, "tanh"),
])
def test_whole_network_gradients(loss, out_units, out_act):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 4))
    if loss == "sparse_categorical_crossentropy":
        y = rng.integers(0, 3, 6)
    elif loss == "categorical_crossentropy":
        y = one_hot(rng.integers(0, 3, 6), 3)
    elif loss in ("binary_crossentropy", "hinge"):
        y = rng.integers(0, 2, (6, 1)).astype(float)
    else:
        y = rng.standard_normal((6, out_units))
    net = Sequential([Dense(5, "tanh"), PReLU(), Dense(4, "elu"), Dense(out_units, out_act)], input_dim=4, rng=1)
    net.compile(loss=loss)
    net.layers[1].params["alpha"][:] = rng.uniform(0.1, 0.3, 5)
    yy = net._prepare_y(y, 6, "test")
    out = net.forward(x)
    net.backward(net.loss.grad(yy, out))
    grads = net.grads
    for layer in net.layers:
        for name, p in layer.params.items():
            num = numerical_gradient(lambda: net.loss.fn(yy, net.forward(x)), p)
            err = relative_error(grads[f"{layer.name}/{name}"], num)
            assert err < TOL, (layer.name, name, err)


def test_learns_xor_with_all_three_gradient_descent_flavours():
    d = xor()
    for batch_size in (None, 1, 2):
        net = Sequential([Dense(4, "tanh"), Dense(1, "sigmoid")], input_dim=2, rng=0)
        net.compile("binary_crossentropy", "adam", learning_rate=0.05)
        hist = net.fit(d.X, d.y, epochs=400, batch_size=batch_size, rng=0)
        assert net.evaluate(d.X, d.y)["accuracy"] == 1.0, batch_size
        assert hist.history["loss"][-1] < 0.1 * hist.history["loss"][0]


def test_number_of_updates_follows_batch_size():
    d = digits()
    x, y = d.X[:100], d.y[:100]
    for batch_size, per_epoch in ((None, 1), (1, 100), (32, 4)):
        calls = []
        net = Sequential([Dense(10, "softmax")], input_dim=64, rng=0).compile("sparse_categorical_crossentropy")
        net.fit(x, y, epochs=2, batch_size=batch_size,
                callbacks=[LambdaCallback(on_batch_end=lambda b, logs: calls.append(b))])
        assert len(calls) == 2 * per_epoch
        assert net.optimizer.iterations == 2 * per_epoch


def test_digits_reaches_high_accuracy():
    tr, te = train_test_split(digits(), test_size=0.2, rng=0)
    net = Sequential([Dense(64, "relu", kernel_initializer="he_normal"), Dense(10, "softmax")], input_dim=64, rng=0)
    net.compile("sparse_categorical_crossentropy", "adam", learning_rate=0.005)
    net.fit(tr.X, tr.y, epochs=30, batch_size=32, rng=0)
    assert net.evaluate(te.X, te.y)["accuracy"] >= 0.96


def test_all_zero_init_keeps_hidden_units_identical():
    from dlhelpers.data import moons
    d = moons(100, rng=0)
    keep = (d.y == 1) | (np.arange(100) % 2 == 0)    # unbalanced, or the symmetric start has zero gradient
    d.X, d.y = d.X[keep], d.y[keep]
    net = Sequential([Dense(4, "sigmoid", kernel_initializer="zeros"), Dense(1, "sigmoid", kernel_initializer="zeros")],
                     input_dim=2, rng=0).compile("binary_crossentropy", "sgd", learning_rate=1.0)
    net.fit(d.X, d.y, epochs=200, batch_size=None)
    k = net.layers[0].params["kernel"]
    assert np.ptp(k, axis=1).max() < 1e-12            # all hidden columns equal
    assert np.abs(k).max() > 1e-3                     # ...although they did move
    # four identical units are one unit: the boundary is a single sigmoid's, a straight line


def test_weight_history_and_keras_order():
    d = xor()
    wh = WeightHistory()
    net = Sequential([Dense(3, "tanh"), Dense(1, "sigmoid")], input_dim=2, rng=0).compile("mse", "sgd")
    net.fit(d.X, d.y, epochs=5, callbacks=[wh])
    assert len(wh.snapshots) == 6
    shapes = [w.shape for w in net.get_weights()]
    assert shapes == [(2, 3), (3,), (3, 1), (1,)]
    net2 = Sequential([Dense(3, "tanh"), Dense(1, "sigmoid")], input_dim=2, rng=5)
    net2.set_weights(net.get_weights())
    np.testing.assert_array_equal(net2.predict(d.X), net.predict(d.X))


def test_dropout_only_in_training():
    net = Sequential([Dense(50, "relu"), Dropout(0.5), Dense(1)], input_dim=3, rng=0)
    x = np.ones((4, 3))
    np.testing.assert_array_equal(net.predict(x), net.predict(x))
    a = net.forward(x, training=True)
    b = net.forward(x, training=True)
    assert not np.allclose(a, b)


def test_initializer_scales():
    rng = np.random.default_rng(0)
    w = initialize("glorot_uniform", (300, 200), rng)
    assert np.abs(w).max() <= np.sqrt(6 / 500)
    assert initialize("he_normal", (1000, 400), rng).std() == pytest.approx(np.sqrt(2 / 1000), rel=0.05)
    assert initialize("glorot_normal", (1000, 1000), rng).std() == pytest.approx(np.sqrt(2 / 2000), rel=0.05)
    assert not initialize("zeros", (3, 3)).any()


@pytest.mark.parametrize("call, exc, match", [
    (lambda n: n.fit(np.ones((4, 2)), np.ones(4)), ValueError, "must be compiled before fit"),
    (lambda n: n.compile("mse").fit(np.ones((4, 3)), np.ones(4)), ValueError, "x must have 2 features"),
    (lambda n: n.compile("mse").fit(np.ones((4, 2)), np.ones(5)), ValueError, "one row per sample"),
    (lambda n: n.compile("mse", learning_rate=0.0), ValueError, "learning_rate must be > 0"),
    (lambda n: n.compile("mse", learning_rate=-1), ValueError, "learning_rate must be > 0"),
    (lambda n: n.compile("msee"), ValueError, "loss must be one of"),
    (lambda n: n.compile("mse").fit(np.ones((4, 2)), np.ones(4), epochs=0), ValueError, "epochs must be > 0"),
    (lambda n: n.predict(np.ones(2)), ValueError, "x must be 2-D"),
    (lambda n: n.predict([[1.0, np.nan]]), ValueError, "finite"),
    (lambda n: n.predict([["a", "b"]]), TypeError, "numeric"),
    (lambda n: n.compile("mse").fit(np.ones((4, 2)), np.array(1.5)), ValueError,
     r"y must be 1-D or 2-D \(N,\) or \(N, outputs\) for fit; got shape \(\)"),
    (lambda n: n.compile("mse").evaluate(np.ones((4, 2)), np.ones((4, 1, 1))), ValueError, "y must be 1-D or 2-D"),
    (lambda n: n.compile("mse").fit(np.ones((4, 2)), np.ones(4), validation_data=(np.ones((2, 2)), 1.0)),
     ValueError, "y must be 1-D or 2-D .* for fit"),
    (lambda n: n.compile("mse").fit(np.ones((4, 2)), [["a"]] * 4), TypeError, "y must be numeric for fit"),
    (lambda n: n.evaluate(np.ones((4, 2)), np.ones(4)), ValueError, "must be compiled before evaluate for Sequential"),
])
def test_bad_input(call, exc, match):
    net = Sequential([Dense(2, "relu"), Dense(1)], input_dim=2, rng=0)
    with pytest.raises(exc, match=match):
        call(net)


@pytest.mark.parametrize("y, match", [
    (np.array([0, 1.5, 1]), "y must be whole class ids .* for fit; got 1.5"),
    (np.eye(3)[[0, 1, 2]], r"y must be class ids \(N,\) .* for fit; got shape \(3, 3\).*argmax"),
    (np.array([0, np.nan, 1]), "y must be finite"),
])
def test_sparse_targets_are_checked(y, match):
    net = Sequential([Dense(3, "softmax")], input_dim=2, rng=0).compile("sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=match):
        net.fit(np.ones((3, 2)), y)
    history = net.fit(np.ones((3, 2)), np.array([[0], [1], [2]]), epochs=1)     # (N, 1) ids are fine
    assert len(history.history["loss"]) == 1


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"input_dim": [1, 2]}, TypeError, r"input_dim must be an integer for Sequential; got \[1, 2\] \(list\)"),
    ({"input_dim": 2.0}, TypeError, "input_dim must be an integer for Sequential"),
    ({"input_dim": 0}, ValueError, "input_dim must be > 0 for Sequential"),
    ({"input_shape": 3}, TypeError, r"input_shape must be a non-empty tuple of ints for Sequential; got 3 \(int\)"),
    ({"input_shape": ()}, TypeError, "input_shape must be a non-empty tuple of ints for Sequential"),
    ({"input_shape": (8, 0, 1)}, ValueError, "input_shape must be > 0 for Sequential"),
    ({"input_shape": (8, 8.5, 1)}, TypeError, "input_shape must be an integer for Sequential"),
    ({"input_dim": 3, "input_shape": (3,)}, ValueError,
     "input_dim and input_shape must not both be given for Sequential"),
])
def test_input_size_is_checked(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Sequential([Dense(4), Dense(1)], **kwargs)
    assert Sequential([Dense(4), Dense(1)], input_dim=np.int64(3)).input_shape == (3,)
    assert Sequential([Dense(4), Dense(1)], input_shape=[3]).build(5).input_shape == (5,)


def test_bad_layers():
    with pytest.raises(ValueError, match="activation must be one of"):
        Dense(3, "relu6")
    with pytest.raises(ValueError, match="kernel_initializer must be one of"):
        Dense(3, kernel_initializer="xavier")
    with pytest.raises(TypeError, match="layers\\[0\\] must be a layer"):
        Sequential(["dense"])


def test_fit_runs_blas_on_one_thread_and_restores_the_pools():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    pytest.importorskip("scipy.linalg.blas")          # loaded by the first limit; load it before comparing

    def blas_threads():
        return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
    seen = []
    d = xor()
    net = Sequential([Dense(4, "tanh"), Dense(1, "sigmoid")], input_dim=2, rng=0)
    net.compile("binary_crossentropy", "sgd", learning_rate=0.1)
    before = blas_threads()
    net.fit(d.X, d.y, epochs=2, callbacks=[LambdaCallback(on_batch_end=lambda b, logs: seen.extend(blas_threads()))])
    assert seen and all(n == 1 for n in seen)         # small products: one BLAS thread (see dlhelpers._blas)
    assert blas_threads() == before
