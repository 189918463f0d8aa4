"""The scratch CNN: shapes, whole-network gradients, and learning real digits."""
import numpy as np
import pytest

from dlhelpers.data import digits, train_test_split
from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from dlhelpers.scratch.network import (AveragePooling2D, BatchNormalization, Conv2D, Dense, Flatten,
                                       GlobalAveragePooling2D, MaxPooling2D, Sequential)
from tests.helpers import TOL


def small_cnn(seed=0):
    return Sequential([Conv2D(3, 3, padding="same", activation="tanh"), MaxPooling2D(2),
                       Conv2D(4, 2, strides=1, activation="relu"), BatchNormalization(), AveragePooling2D(2, 1),
                       Flatten(), Dense(3, "softmax")], input_shape=(6, 6, 2), rng=seed)


def test_shapes_and_summary():
    net = small_cnn()
    assert net.shapes == [(6, 6, 2), (6, 6, 3), (3, 3, 3), (2, 2, 4), (2, 2, 4), (1, 1, 4), (4,), (3,)]
    assert net.count_params() == (3 * 3 * 2 * 3 + 3) + (2 * 2 * 3 * 4 + 4) + 2 * 4 + (4 * 3 + 3)
    assert "Conv2D" in net.summary() and "(None, 6, 6, 3)" in net.summary()


def test_whole_cnn_gradients():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 6, 6, 2))
    y = rng.integers(0, 3, 5)
    net = small_cnn().compile("sparse_categorical_crossentropy")
    net.forward(x, training=True)
    # keep batch statistics (training mode) in the numerical loss too, so both see the same function
    loss = lambda: net.loss.fn(y, net.forward(x, training=True))
    out = net.forward(x, training=True)
    net.backward(net.loss.grad(y, out))
    grads = {k: v.copy() for k, v in net.grads.items()}
    for layer in net.layers:
        for name, p in layer.params.items():
            analytic, num = grads[f"{layer.name}/{name}"], numerical_gradient(loss, p)
            if layer.name == "conv2d_1" and name == "bias":
                # a bias right before batch norm is cancelled by the mean subtraction: its gradient is 0
                assert np.abs(analytic).max() < 1e-12 and np.abs(num).max() < 1e-9
                continue
            err = relative_error(analytic, num)
            assert err < TOL, (layer.name, name, err)


def test_cnn_learns_digits():
    tr, te = train_test_split(digits(), test_size=0.2, rng=0)
    Xtr, Xte = tr.X.reshape(-1, 8, 8, 1), te.X.reshape(-1, 8, 8, 1)
    net = Sequential([Conv2D(16, 3, padding="same", activation="relu", kernel_initializer="he_normal"), MaxPooling2D(2),
                      Flatten(), Dense(10, "softmax")], input_shape=(8, 8, 1), rng=0)
    net.compile("sparse_categorical_crossentropy", "adam", learning_rate=0.01)
    net.fit(Xtr, tr.y, epochs=8, batch_size=32, rng=0)
    assert net.evaluate(Xte, te.y)["accuracy"] >= 0.97


def test_bad_shapes():
    with pytest.raises(ValueError, match="must be 1-D features.*Flatten"):
        Sequential([Conv2D(2, 3), Dense(3)], input_shape=(8, 8, 1))
    with pytest.raises(ValueError, match="must be \\(H, W, C\\) images"):
        Sequential([Conv2D(2, 3)], input_dim=64)
    net = Sequential([Conv2D(2, 3), GlobalAveragePooling2D(), Dense(1)], input_shape=(8, 8, 1))
    with pytest.raises(ValueError, match=r"x.reshape\(-1, 8, 8, 1\)"):
        net.predict(np.zeros((2, 64)))
    with pytest.raises(ValueError, match="not both"):
        Sequential([Dense(1)], input_dim=3, input_shape=(3,))
