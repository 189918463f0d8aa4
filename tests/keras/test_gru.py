"""scratch.gru ↔ keras.gru (reset_after=True): same weights, outputs and gradients (with h0 and masks)."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401
from dlhelpers.keras.gru import gru_forward_and_grads, gru_layer  # noqa: E402
from dlhelpers.scratch import gru  # noqa: E402
from tests.keras.test_rnn import assert_same, params_for, random_mask  # noqa: E402


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_gru_matches_keras(dtype, with_h0, masked, seed):
    rng = np.random.default_rng(seed * 8 + with_h0 * 2 + masked + 100)
    N, T, D, U = rng.integers(1, 4), rng.integers(1, 8), rng.integers(1, 5), rng.integers(1, 5)
    p = params_for(rng, "gru", D, U, dtype)
    x = rng.standard_normal((N, T, D)).astype(dtype)
    h0 = rng.standard_normal((N, U)).astype(dtype) if with_h0 else None
    mask = random_mask(rng, N, T) if masked else None
    out, cache = gru.gru_forward(x, p, h0=h0, mask=mask)
    dout = rng.standard_normal(out.shape).astype(dtype)
    dx, grads = gru.gru_backward(dout, cache)
    assert_same((out, dx, grads), gru_forward_and_grads(x, p, dout, h0=h0, mask=mask), dtype)


def test_keras_gru_layout():
    import keras
    layer = keras.layers.GRU(4)
    layer.build((None, None, 3))
    assert layer.reset_after and layer.cell.bias.shape == (2, 12)
    assert layer.cell.kernel.shape == (3, 12) and layer.cell.recurrent_kernel.shape == (4, 12)
    p = params_for(np.random.default_rng(0), "gru", 3, 4)
    np.testing.assert_array_equal(gru_layer(p).cell.bias.numpy(), p["bias"])
