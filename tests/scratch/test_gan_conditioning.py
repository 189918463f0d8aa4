"""scratch.gan's conditioning helpers: one-hot labels appended to G's noise and as label maps to D's images, and
the gradient that reaches the images through a conditional discriminator (float64 central differences)."""
import numpy as np
import pytest

from dlhelpers.scratch import gan as G
from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from dlhelpers.scratch.network import Conv2D, Dense, Flatten, LeakyReLU, Sequential
from tests.helpers import TOL


def test_one_hot_labels_by_hand():
    np.testing.assert_array_equal(G.one_hot_labels([2, 0, 1], num_classes=3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert G.one_hot_labels(np.arange(10)).shape == (10, 10)                  # default: the 10 digits
    np.testing.assert_array_equal(G.one_hot_labels(np.arange(10)), np.eye(10))
    np.testing.assert_array_equal(G.one_hot_labels([3.0], num_classes=4), [[0, 0, 0, 1]])   # whole floats are ids


def test_conditional_noise_keeps_z_and_appends_the_label():
    z = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    out = G.conditional_noise(z, [0, 9, 4, 4])
    assert out.shape == (4, 13) and out.dtype == np.float32                   # z's dtype (the generator's)
    np.testing.assert_array_equal(out[:, :3], z)
    np.testing.assert_array_equal(out[:, 3:].argmax(axis=1), [0, 9, 4, 4])
    np.testing.assert_array_equal(out[:, 3:].sum(axis=1), np.ones(4))


def test_label_channels_are_constant_maps():
    x = np.random.default_rng(1).uniform(-1, 1, (3, 5, 4, 2))
    out = G.label_channels(x, [1, 0, 2], num_classes=3)
    assert out.shape == (3, 5, 4, 5)
    np.testing.assert_array_equal(out[..., :2], x)
    for i, label in enumerate([1, 0, 2]):
        for j in range(3):
            np.testing.assert_array_equal(out[i, :, :, 2 + j], np.full((5, 4), float(j == label)))


def test_gradient_through_a_conditional_discriminator_reaches_the_images():
    """∂L/∂x for L = G's loss of D(label_channels(x, y)): D's backward, then the image channels of its dx."""
    rng = np.random.default_rng(2)
    k = 3
    d = Sequential([Conv2D(2, 3, strides=2, padding="same"), LeakyReLU(0.2), Flatten(), Dense(1)],
                   input_shape=(6, 6, 1 + k), rng=0)
    x = rng.uniform(-1, 1, (4, 6, 6, 1))
    y = np.array([0, 2, 1, 2])

    def loss():
        return G.generator_loss(d.forward(G.label_channels(x, y, k)))

    a = d.forward(G.label_channels(x, y, k))
    dx = d.backward(G.generator_loss_grad(a))[..., :1]          # the label maps are constants
    assert dx.shape == x.shape
    assert relative_error(dx, numerical_gradient(loss, x)) < TOL


def test_labels_change_the_discriminator_and_the_generator_input():
    d = Sequential([Conv2D(2, 3, padding="same"), Flatten(), Dense(1)], input_shape=(4, 4, 3), rng=0)
    x = np.zeros((2, 4, 4, 1))
    a = d.forward(G.label_channels(x, [0, 1], num_classes=2))
    assert a[0, 0] != a[1, 0]                                 # the same image judged differently under two labels


@pytest.mark.parametrize("call, exc, match", [
    (lambda: G.one_hot_labels([0, 10]), ValueError, r"labels must be whole class ids 0 … 9 for one_hot_labels"),
    (lambda: G.one_hot_labels([0.5]), ValueError, r"labels must be whole class ids"),
    (lambda: G.one_hot_labels([-1], num_classes=3), ValueError, r"whole class ids 0 … 2"),
    (lambda: G.one_hot_labels([[0, 1]]), ValueError, r"labels must be 1-D \(N,\) class ids"),
    (lambda: G.one_hot_labels([0], num_classes=1), ValueError, r"num_classes must be in \[2, 10000\]"),
    (lambda: G.one_hot_labels([0], num_classes=2.0), TypeError, r"num_classes must be an integer"),
    (lambda: G.conditional_noise(np.zeros((3, 2)), [0, 1]), ValueError,
     r"labels must be one label per noise row \(3\) for conditional_noise; got 2 labels"),
    (lambda: G.conditional_noise(np.zeros(3), [0]), ValueError, r"z must be 2-D \(N, noise_dim\)"),
    (lambda: G.label_channels(np.zeros((2, 4, 4)), [0, 1]), ValueError, r"images must be 4-D \(N, H, W, C\)"),
    (lambda: G.label_channels(np.zeros((2, 4, 4, 1)), [0]), ValueError, r"one label per image \(2\)"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
