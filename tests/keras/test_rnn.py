"""scratch.rnn ↔ keras.rnn: SimpleRNN and Bidirectional with the same weights — outputs and gradients, masks, h0."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401
from dlhelpers.keras import rnn as KR  # noqa: E402
from dlhelpers.scratch import rnn  # noqa: E402

TOL = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=2e-5, atol=2e-5)}
GATES = {"simple_rnn": (1, lambda U: (U,)), "lstm": (4, lambda U: (4 * U,)), "gru": (3, lambda U: (2, 3 * U))}


def params_for(rng, cell, D, U, dtype=np.float64):
    g, bias = GATES[cell]
    return {"kernel": (rng.standard_normal((D, g * U)) * 0.5).astype(dtype),
            "recurrent_kernel": (rng.standard_normal((U, g * U)) * 0.5).astype(dtype),
            "bias": (rng.standard_normal(bias(U)) * 0.2).astype(dtype)}


def random_mask(rng, N, T):
    """Post-, pre-padding and holes; every sequence keeps at least one real step."""
    m = rng.random((N, T)) > 0.3
    m[:, rng.integers(T)] = True
    return m


def assert_same(scratch, keras, dtype):
    (out, dx, g), (kout, kdx, kg) = scratch, keras
    assert set(g) == set(kg)
    np.testing.assert_allclose(out, kout, **TOL[dtype])
    np.testing.assert_allclose(dx, kdx, **TOL[dtype])
    for key in g:
        np.testing.assert_allclose(g[key], kg[key], **TOL[dtype], err_msg=key)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_simple_rnn_matches_keras(dtype, with_h0, masked, activation):
    rng = np.random.default_rng(with_h0 * 4 + masked * 2 + (activation == "relu"))
    N, T, D, U = rng.integers(1, 4), rng.integers(1, 7), rng.integers(1, 5), rng.integers(1, 5)
    p = params_for(rng, "simple_rnn", D, U, dtype)
    x = rng.standard_normal((N, T, D)).astype(dtype)
    h0 = rng.standard_normal((N, U)).astype(dtype) if with_h0 else None
    mask = random_mask(rng, N, T) if masked else None
    out, cache = rnn.simple_rnn_forward(x, p, h0=h0, activation=activation, mask=mask)
    dout = rng.standard_normal(out.shape).astype(dtype)
    dx, grads = rnn.simple_rnn_backward(dout, cache)
    assert out.dtype == dtype
    assert_same((out, dx, grads), KR.simple_rnn_forward_and_grads(x, p, dout, h0=h0, activation=activation, mask=mask),
                dtype)


@pytest.mark.parametrize("cell", rnn.CELLS)
@pytest.mark.parametrize("merge_mode", rnn.MERGE_MODES)
@pytest.mark.parametrize("masked", [False, True])
def test_bidirectional_matches_keras(cell, merge_mode, masked):
    rng = np.random.default_rng(len(cell) * 7 + len(merge_mode) + masked)
    N, T, D, U = 3, 5, 2, 3
    params = {"forward": params_for(rng, cell, D, U), "backward": params_for(rng, cell, D, U)}
    x = rng.standard_normal((N, T, D))
    mask = random_mask(rng, N, T) if masked else None
    out, cache = rnn.bidirectional_forward(x, params, cell, merge_mode, mask)
    dout = rng.standard_normal(out.shape)
    dx, grads = rnn.bidirectional_backward(dout, cache)
    kout, kdx, kgrads = KR.bidirectional_forward_and_grads(x, params, dout, cell, merge_mode, mask)
    np.testing.assert_allclose(out, kout, **TOL[np.float64])
    np.testing.assert_allclose(dx, kdx, **TOL[np.float64])
    for side in ("forward", "backward"):
        assert set(grads[side]) == set(kgrads[side]) == {"kernel", "recurrent_kernel", "bias"}
        for key in grads[side]:
            np.testing.assert_allclose(grads[side][key], kgrads[side][key], **TOL[np.float64], err_msg=(side, key))


def test_masking_layer_gives_the_same_mask():
    """Keras's own pipeline (Masking → SimpleRNN) equals the scratch twin given the mask Masking computes."""
    import keras
    rng = np.random.default_rng(3)
    p = params_for(rng, "simple_rnn", 2, 3)
    x = rng.standard_normal((2, 5, 2))
    x[0, 3:] = 0.0                                    # padding, as pad_sequences makes it
    model = keras.Sequential([keras.Input((5, 2), dtype="float64"), keras.layers.Masking(0.0, dtype="float64"),
                              KR.simple_rnn_layer(p)])
    mask = np.any(x != 0.0, axis=-1)
    np.testing.assert_allclose(model(x).numpy(), rnn.simple_rnn_forward(x, p, mask=mask)[0], rtol=1e-12)


@pytest.mark.parametrize("activation", ["leaky_relu", "sigmoid", "elu", "softplus", "linear"])
def test_simple_rnn_twin_computes_the_scratch_activation(activation):
    """The twin takes the scratch name: leaky_relu keeps the scratch slope 0.3 (Keras's own default is 0.2)."""
    rng = np.random.default_rng(11)
    p = params_for(rng, "simple_rnn", 3, 4)
    x, h0 = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 4))
    out, cache = rnn.simple_rnn_forward(x, p, h0=h0, activation=activation)
    dout = rng.standard_normal(out.shape)
    dx, grads = rnn.simple_rnn_backward(dout, cache)
    kout, kdx, kgrads = KR.simple_rnn_forward_and_grads(x, p, dout, h0=h0, activation=activation)
    # Keras holds the slope 0.3 in float32 (0.30000001): a relative error of 4e-8 per step, compounding over T steps
    tol = dict(rtol=1e-6, atol=1e-7) if activation == "leaky_relu" else TOL[np.float64]
    np.testing.assert_allclose(out, kout, **tol)
    np.testing.assert_allclose(dx, kdx, **tol)
    for key in grads:
        np.testing.assert_allclose(grads[key], kgrads[key], **tol, err_msg=key)
