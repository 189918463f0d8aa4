"""Batch normalization with a sequence mask (statistics from the real steps only, as Keras), and masks through PReLU."""
import numpy as np
import pytest

from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from dlhelpers.scratch.network import (GRU, LSTM, BatchNormalization, Dense, Masking, PReLU, Sequential)
from dlhelpers.scratch.regularization import batchnorm_backward, batchnorm_forward
from tests.helpers import TOL, check_backward, padding_mask

N, T, D = 4, 6, 3


def _case(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, T, D)) * 2 + 1                 # padding holds numbers too: they must not count
    p = dict(gamma=rng.uniform(0.5, 2, D), beta=rng.standard_normal(D), running_mean=rng.standard_normal(D),
             running_var=rng.uniform(0.5, 2, D))
    return x, p, padding_mask(N, T)


def _masked_moments(x, mask):
    """Keras's BatchNormalization._moments with a mask, written out: Σ m·x / (Σ m + 1e-7), Σ m·(x − μ)² / (Σ m + 1e-7).

    (The sums run over the real rows only, a different order from batchnorm_forward's.)
    """
    real = x[mask]                                              # (M, D) the real steps
    mean = real.sum(axis=0) / (mask.sum() + 1e-7)
    return mean, np.sum((real - mean) ** 2, axis=0) / (mask.sum() + 1e-7)


def test_masked_statistics_by_hand():
    # one feature, one sequence (1, 3, pad 10): mean 4/(2 + 1e-7), variance ((1 − μ)² + (3 − μ)²)/(2 + 1e-7)
    x = np.array([[[1.0], [3.0], [10.0]]])
    out, cache = batchnorm_forward(x, [1.0], [0.0], [0.0], [1.0], momentum=0.9, mask=[[True, True, False]])
    mu = 4 / (2 + 1e-7)
    var = ((1 - mu) ** 2 + (3 - mu) ** 2) / (2 + 1e-7)
    assert mu != 2.0 and var != 1.0                             # Keras's 1e-7 is in the denominators
    np.testing.assert_allclose(out[0, :, 0], (x[0, :, 0] - mu) / np.sqrt(var + 1e-3), rtol=1e-15)   # padding too
    np.testing.assert_allclose(cache["running_mean"], [0.1 * mu], rtol=1e-15)
    np.testing.assert_allclose(cache["running_var"], [0.9 + 0.1 * var], rtol=1e-15)


@pytest.mark.parametrize("seed", [0, 1])
def test_masked_statistics_come_from_the_real_steps_only(seed):
    x, p, mask = _case(seed)
    out, cache = batchnorm_forward(x, *p.values(), momentum=0.8, mask=mask)
    mean, var = _masked_moments(x, mask)
    np.testing.assert_allclose(cache["running_mean"], 0.8 * p["running_mean"] + 0.2 * mean, rtol=1e-13)
    np.testing.assert_allclose(cache["running_var"], 0.8 * p["running_var"] + 0.2 * var, rtol=1e-13)
    np.testing.assert_allclose(out, p["gamma"] * (x - mean) / np.sqrt(var + 1e-3) + p["beta"], rtol=1e-12)
    # other numbers at the padded steps change neither the statistics nor the real steps' outputs
    x2 = np.where(mask[..., None], x, 100.0)
    out2, cache2 = batchnorm_forward(x2, *p.values(), momentum=0.8, mask=mask)
    np.testing.assert_allclose(cache2["running_mean"], cache["running_mean"], rtol=1e-13)
    np.testing.assert_allclose(cache2["running_var"], cache["running_var"], rtol=1e-13)
    np.testing.assert_allclose(out2[mask], out[mask], rtol=1e-12)
    # and they differ from the unmasked statistics
    _, plain = batchnorm_forward(x, *p.values(), momentum=0.8)
    assert not np.allclose(plain["running_mean"], cache["running_mean"], rtol=1e-3)


def test_a_mask_of_ones_is_the_plain_batch_up_to_the_1e7():
    x, p, _ = _case()
    out, cache = batchnorm_forward(x, *p.values(), mask=np.ones((N, T), bool))
    plain, pcache = batchnorm_forward(x, *p.values())
    np.testing.assert_allclose(out, plain, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(cache["running_var"], pcache["running_var"], rtol=1e-8)


@pytest.mark.parametrize("mask_form", ["bool", "int", "list"])
def test_masked_batchnorm_gradients(mask_form):
    x, p, mask = _case(3)
    m = {"bool": mask, "int": mask.astype(int), "list": mask.tolist()}[mask_form]

    def fwd(x, gamma, beta):
        return batchnorm_forward(x, gamma, beta, p["running_mean"], p["running_var"], training=True, mask=m)
    errs = check_backward(fwd, batchnorm_backward, {"x": x, "gamma": p["gamma"], "beta": p["beta"]})
    assert max(errs.values()) < TOL, errs


def test_masked_gradient_through_the_statistics_reaches_the_real_steps_only():
    x, p, mask = _case(4)
    out, cache = batchnorm_forward(x, *p.values(), mask=mask)
    dout = np.random.default_rng(5).standard_normal(out.shape)
    dx, grads = batchnorm_backward(dout, cache)
    inv_std = cache["inv_std"]
    pad = ~mask
    np.testing.assert_allclose(dx[pad], (p["gamma"] * inv_std * dout)[pad], rtol=1e-13)   # the normalisation only
    np.testing.assert_allclose(grads["gamma"], np.sum(dout * cache["xhat"], axis=(0, 1)), rtol=1e-13)
    np.testing.assert_allclose(grads["beta"], dout.sum(axis=(0, 1)), rtol=1e-13)        # every step is normalised
    # a number at a padded step has no effect on another step's output
    f = lambda: float(np.sum(batchnorm_forward(x, *p.values(), mask=mask)[0][mask] * dout[mask]))
    assert np.abs(numerical_gradient(f, x)[pad]).max() < 1e-9


def test_the_mask_changes_nothing_in_inference():
    x, p, mask = _case()
    out, cache = batchnorm_forward(x, *p.values(), training=False, mask=mask)
    plain, pcache = batchnorm_forward(x, *p.values(), training=False)
    np.testing.assert_array_equal(out, plain)
    np.testing.assert_array_equal(cache["running_mean"], p["running_mean"])
    dout = np.ones_like(x)
    np.testing.assert_array_equal(batchnorm_backward(dout, cache)[0], batchnorm_backward(dout, pcache)[0])


def test_an_all_padding_batch_stays_finite():
    x, p, _ = _case()
    out, cache = batchnorm_forward(x, *p.values(), mask=np.zeros((N, T), bool))
    dx, _ = batchnorm_backward(np.ones_like(x), cache)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx))
    np.testing.assert_allclose(cache["running_mean"], 0.99 * p["running_mean"], rtol=1e-15)   # batch mean 0


def test_float32_stays_float32():
    x, p, mask = _case()
    out, cache = batchnorm_forward(x.astype(np.float32), *[v.astype(np.float32) for v in p.values()], mask=mask)
    dx, grads = batchnorm_backward(np.ones((N, T, D), np.float32), cache)
    assert out.dtype == dx.dtype == grads["gamma"].dtype == cache["running_var"].dtype == np.float32
    ref, _ = batchnorm_forward(x.astype(np.float32).astype(np.float64), *p.values(), mask=mask)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mask, exc, match", [
    (np.ones((N, T + 1), bool), ValueError, r"mask must be shape \(4, 6\) \(x's shape without the feature axis\) "
                                            r"for batchnorm_forward; got shape \(4, 7\)"),
    (np.ones((N, T, D), bool), ValueError, r"mask must be shape \(4, 6\)"),
    (np.full((N, T), 2), ValueError, "mask must be bools .* for batchnorm_forward; got values other than 0 and 1"),
    (np.full((N, T), np.nan), ValueError, "mask must be finite"),
    ("yes", TypeError, "mask must be numeric for batchnorm_forward"),
])
def test_bad_masks(mask, exc, match):
    x, p, _ = _case()
    with pytest.raises(exc, match=match):
        batchnorm_forward(x, *p.values(), mask=mask)


# --- layers in a Sequential ------------------------------------------------------------------------------

def _data(seed=0):
    x = np.random.default_rng(seed).standard_normal((N, T, D))
    x[0, 4:] = 0.0                                              # post-padding
    x[2, :2] = 0.0                                              # pre-padding
    return x, np.any(x != 0, axis=-1)


@pytest.mark.parametrize("layer", [BatchNormalization, PReLU])
def test_batchnorm_and_prelu_pass_the_mask_on(layer):
    x, mask = _data()
    net = Sequential([Masking(), layer(), Dense(2)], input_shape=(T, D), rng=0)
    net.forward(x, training=True)
    np.testing.assert_array_equal(net.layers[1].output_mask, mask)
    np.testing.assert_array_equal(net.output_mask, mask)       # reaches the loss of a many-to-many model
    net.forward(x, training=False)
    np.testing.assert_array_equal(net.output_mask, mask)
    alone = layer()
    alone.build((T, D), np.random.default_rng(0), np.float64)
    alone.forward(x)
    assert alone.output_mask is None                            # no mask in, none out


@pytest.mark.parametrize("middle", [BatchNormalization, PReLU])
def test_the_recurrent_layer_after_them_skips_the_padding(middle):
    x, mask = _data(1)
    net = Sequential([Masking(), middle(), LSTM(3)], input_shape=(T, D), rng=0)
    rng = np.random.default_rng(2)
    for p in net.params.values():
        p += 0.3 * rng.standard_normal(p.shape)
    # the same weights without a mask, every step's state: sequence 0 has 4 real steps, then 2 of padding
    steps = Sequential([middle(), LSTM(3, return_sequences=True)], input_shape=(T, D), rng=0)
    steps.set_weights(net.get_weights())
    h = steps.predict(x)
    out = net.predict(x)
    np.testing.assert_allclose(out[0], h[0, 3], rtol=1e-12)           # the state after the last real step
    assert not np.allclose(h[0, 3], h[0, -1], rtol=1e-3)              # which the padded steps would have moved
    np.testing.assert_allclose(out[1], h[1, -1], rtol=1e-12)          # no padding: the same


def test_the_layer_updates_its_moving_statistics_from_the_real_steps():
    x, mask = _data()
    net = Sequential([Masking(), BatchNormalization(momentum=0.9), LSTM(2)], input_shape=(T, D), rng=0)
    net.forward(x, training=True)
    mean, var = _masked_moments(x, mask)
    np.testing.assert_allclose(net.layers[1].state["moving_mean"], 0.1 * mean, rtol=1e-13)
    np.testing.assert_allclose(net.layers[1].state["moving_variance"], 0.9 + 0.1 * var, rtol=1e-13)


@pytest.mark.parametrize("layers, loss", [
    (lambda: [Masking(), BatchNormalization(), LSTM(3), Dense(2)], "mse"),
    (lambda: [Masking(), BatchNormalization(), PReLU(), GRU(3, return_sequences=True), Dense(3, "softmax")],
     "sparse_categorical_crossentropy"),
    (lambda: [Masking(), BatchNormalization(), Dense(2)], "mse"),
])
def test_whole_model_gradient_check(layers, loss):
    x, _ = _data(3)
    net = Sequential(layers(), input_shape=(T, D), rng=1).compile(loss)
    rng = np.random.default_rng(4)
    for p in net.params.values():
        p += 0.3 * rng.standard_normal(p.shape)
    out_shape = net.output_shape
    if loss == "sparse_categorical_crossentropy":
        y = net._prepare_y(rng.integers(0, out_shape[-1], (N, *out_shape[:-1])), N, "test")
    else:
        y = rng.standard_normal((N, *out_shape))

    def loss_value():
        out = net.forward(x, training=True)
        return net._loss(y, out, net.output_mask)
    out = net.forward(x, training=True)
    net.backward(net._loss_grad(y, out, net.output_mask))
    grads = net.grads
    for layer in net.layers:
        for name, p in layer.params.items():
            err = relative_error(grads[f"{layer.name}/{name}"], numerical_gradient(loss_value, p))
            assert err < TOL, (layer.name, name, err)
