"""scratch.lstm ↔ keras.lstm: same weights, outputs and gradients (with initial states and masks)."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401
from dlhelpers.keras.lstm import lstm_forward_and_grads, lstm_layer  # noqa: E402
from dlhelpers.scratch import lstm  # noqa: E402
from tests.keras.test_rnn import TOL, assert_same, params_for, random_mask  # noqa: E402


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("with_states", [False, True])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_lstm_matches_keras(dtype, with_states, masked, seed):
    rng = np.random.default_rng(seed * 8 + with_states * 2 + masked)
    N, T, D, U = rng.integers(1, 4), rng.integers(1, 8), rng.integers(1, 5), rng.integers(1, 5)
    p = params_for(rng, "lstm", D, U, dtype)
    x = rng.standard_normal((N, T, D)).astype(dtype)
    h0, c0 = (rng.standard_normal((N, U)).astype(dtype) for _ in range(2)) if with_states else (None, None)
    mask = random_mask(rng, N, T) if masked else None
    out, cache = lstm.lstm_forward(x, p, h0=h0, c0=c0, mask=mask)
    dout = rng.standard_normal(out.shape).astype(dtype)
    dx, grads = lstm.lstm_backward(dout, cache)
    assert_same((out, dx, grads), lstm_forward_and_grads(x, p, dout, h0=h0, c0=c0, mask=mask), dtype)


def test_keras_gate_order_and_unit_forget_bias():
    """A fresh Keras LSTM's bias is lstm_bias(U): ones in the second (forget) block of i, f, c, o."""
    import keras
    layer = keras.layers.LSTM(3)
    layer.build((None, None, 2))
    np.testing.assert_array_equal(layer.cell.bias.numpy(), lstm.lstm_bias(3))
    p = params_for(np.random.default_rng(0), "lstm", 2, 3)
    layer = lstm_layer(p)
    np.testing.assert_array_equal(layer.cell.kernel.numpy(), p["kernel"])


def test_gate_trace_equals_keras_output():
    rng = np.random.default_rng(5)
    p = params_for(rng, "lstm", 3, 2)
    x = rng.standard_normal((7, 3))
    trace = lstm.lstm_gate_trace(x, p)
    np.testing.assert_allclose(trace.h, lstm_layer(p)(x[None]).numpy()[0], **TOL[np.float64])
