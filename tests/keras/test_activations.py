"""scratch.activations ↔ keras.activations: values and derivatives (GradientTape), PReLU, Maxout, softmax."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
import keras  # noqa: E402

from dlhelpers.keras import activations as KA  # noqa: E402
from dlhelpers.keras.gradtape import forward_and_grads  # noqa: E402
from dlhelpers.scratch import activations as A  # noqa: E402

F32 = dict(rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(A.ACTIVATIONS))
def test_activation_values_and_derivatives(name):
    z = np.random.default_rng(0).uniform(-4, 4, (5, 7))
    z[np.abs(z) < 0.05] = 0.4                  # stay away from the kink at 0
    np.testing.assert_allclose(A.ACTIVATIONS[name].fn(z), KA.apply(name, z), **F32)
    # step and sign: TF gives no gradient through a comparison, the scratch derivative is 0 as well
    np.testing.assert_allclose(A.ACTIVATIONS[name].derivative(z), KA.derivative(name, z.astype(np.float32)), **F32)


def test_every_scratch_activation_has_a_keras_twin():
    assert set(A.ACTIVATIONS) | {"softmax"} == set(KA.KERAS_NAMES)


def test_softmax_value_and_backward():
    rng = np.random.default_rng(1)
    z, dout = rng.standard_normal((4, 6)), rng.standard_normal((4, 6))
    np.testing.assert_allclose(A.softmax(z), KA.apply("softmax", z), **F32)
    out, dz, _ = forward_and_grads(KA.KERAS_NAMES["softmax"], z, dout)         # float64 throughout
    np.testing.assert_allclose(A.softmax(z), out, rtol=1e-12)
    np.testing.assert_allclose(A.softmax_backward(dout, A.softmax(z)), dz, rtol=1e-10, atol=1e-12)


def test_prelu_layer():
    rng = np.random.default_rng(2)
    z = rng.standard_normal((6, 4))
    alpha = rng.uniform(0, 0.5, 4)
    layer = keras.layers.PReLU(dtype="float64")
    layer.build((None, 4))
    layer.set_weights([alpha])
    dout = rng.standard_normal((6, 4))
    out, dz, kgrads = forward_and_grads(layer, z, dout, {"alpha": layer.alpha})
    s_out, cache = A.prelu_forward(z, alpha)
    s_dz, s_grads = A.prelu_backward(dout, cache)
    assert set(s_grads) == set(kgrads) == {"alpha"}
    np.testing.assert_allclose(s_out, out, rtol=1e-12)
    np.testing.assert_allclose(s_dz, dz, rtol=1e-12)
    np.testing.assert_allclose(s_grads["alpha"], kgrads["alpha"], rtol=1e-12)


def test_maxout_layer():
    rng = np.random.default_rng(3)
    z, dout = rng.standard_normal((5, 6)), rng.standard_normal((5, 3))
    out, dz, kgrads = forward_and_grads(KA.Maxout(3, dtype="float64"), z, dout)
    s_out, cache = A.maxout_forward(z, 3)
    s_dz, s_grads = A.maxout_backward(dout, cache)
    assert s_grads == kgrads == {}
    np.testing.assert_allclose(s_out, out, rtol=1e-12)
    np.testing.assert_allclose(s_dz, dz, rtol=1e-12)      # only the winner of each group of 2 gets dout
    assert KA.Maxout(3).get_config()["num_units"] == 3


def test_keras_activation_names():
    assert KA.keras_activation("relu") == "relu" and KA.keras_activation(None) == "linear"
    assert KA.keras_activation(A.get_activation("tanh")) == "tanh"
    leaky = KA.keras_activation("leaky_relu")                  # the scratch slope 0.3, not Keras's 0.2
    np.testing.assert_allclose(leaky(np.array([-1.0, 2.0], np.float32)).numpy(), [-0.3, 2.0], rtol=1e-6)


def test_bad_names():
    with pytest.raises(ValueError, match="name must be one of"):
        KA.apply("swishy", np.ones(3))
    with pytest.raises(ValueError, match="name must be one of"):
        KA.derivative("softmax", np.ones(3))
    with pytest.raises(ValueError, match="activation must be one of"):
        KA.keras_activation("gelu2")
    with pytest.raises(ValueError, match="num_units must be > 0"):
        KA.Maxout(0)
