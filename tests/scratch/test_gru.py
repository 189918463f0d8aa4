"""scratch.gru (Keras's reset_after=True form): by hand, gradient checks, masking, bad input."""
import numpy as np
import pytest

from dlhelpers.scratch import gru
from tests.helpers import TOL, check_backward, padding_mask


def _params(rng, D, U, scale=0.5):
    return {"kernel": rng.standard_normal((D, 3 * U)) * scale,
            "recurrent_kernel": rng.standard_normal((U, 3 * U)) * scale,
            "bias": rng.standard_normal((2, 3 * U)) * 0.3}


def _sig(z):
    return 1 / (1 + np.exp(-z))


def test_cell_by_hand():
    # D = U = 1, x = 1, h_prev = 0.5. kernel (z, r, h) = (0.2, 0.4, 0.6), recurrent (1, 2, 3),
    # bias rows: input (0, 0, 0.1), recurrent (0, 0, 0.2).
    # z = σ(0.2 + 0.5) = σ(0.7); r = σ(0.4 + 1.0) = σ(1.4); h̃ = tanh(0.6 + 0.1 + r·(1.5 + 0.2))
    # h = z·0.5 + (1 − z)·h̃ = 0.6682·0.5 + 0.3318·tanh(0.7 + 0.8022·1.7 = 2.0638) = 0.3341 + 0.3318·0.9684 = 0.6554
    p = {"kernel": np.array([[0.2, 0.4, 0.6]]), "recurrent_kernel": np.array([[1.0, 2.0, 3.0]]),
         "bias": np.array([[0.0, 0.0, 0.1], [0.0, 0.0, 0.2]])}
    h, cache = gru.gru_cell_forward(np.array([[1.0]]), np.array([[0.5]]), p)
    z, r = _sig(0.7), _sig(1.4)
    hh = np.tanh(0.7 + r * 1.7)           # "reset after": r scales the finished recurrent product (+ its bias)
    assert (cache.z[0, 0], cache.r[0, 0], cache.hh[0, 0]) == pytest.approx((z, r, hh))
    assert h[0, 0] == pytest.approx(z * 0.5 + (1 - z) * hh)
    assert h[0, 0] == pytest.approx(0.6554, abs=1e-4)


def test_update_gate_one_keeps_the_state():
    U = 2
    b = np.zeros((2, 3 * U))
    b[0, :U] = 30.0                       # z ≈ 1: h = h_prev
    p = {"kernel": np.zeros((1, 3 * U)), "recurrent_kernel": np.ones((U, 3 * U)), "bias": b}
    h_seq, _ = gru.gru_forward(np.random.default_rng(0).standard_normal((1, 7, 1)), p, h0=[[0.3, -0.6]])
    np.testing.assert_allclose(h_seq[0], np.tile([0.3, -0.6], (7, 1)), atol=1e-10)


@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_gru_gradients(with_h0, masked):
    rng = np.random.default_rng(1)
    N, T, D, U = 3, 5, 3, 2
    mask = padding_mask(N, T) if masked else None
    states = {"h0": rng.standard_normal((N, U))} if with_h0 else {}

    def f(x, kernel, recurrent_kernel, bias, **st):
        return gru.gru_forward(x, {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias": bias},
                               mask=mask, **st)
    errors = check_backward(f, gru.gru_backward, {"x": rng.standard_normal((N, T, D)), **_params(rng, D, U), **states})
    assert max(errors.values()) < TOL, errors


def test_cell_gradients_and_sequence_equals_cell_steps():
    rng = np.random.default_rng(2)
    p = _params(rng, 3, 2)

    def f(x_t, h_prev, kernel, recurrent_kernel, bias):
        return gru.gru_cell_forward(x_t, h_prev, {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias": bias})
    errors = check_backward(f, gru.gru_cell_backward,
                            {"x_t": rng.standard_normal((4, 3)), "h_prev": rng.standard_normal((4, 2)), **p})
    assert max(errors.values()) < TOL, errors
    x = rng.standard_normal((4, 5, 3))
    h_seq, _ = gru.gru_forward(x, p)
    h = np.zeros((4, 2))
    for t in range(5):
        h, _ = gru.gru_cell_forward(x[:, t], h, p)
    np.testing.assert_allclose(h_seq[:, -1], h, rtol=1e-13)


def test_bad_input():
    rng = np.random.default_rng(0)
    p = _params(rng, 3, 2)
    x = rng.standard_normal((2, 4, 3))
    with pytest.raises(ValueError, match=r"params\['bias'\] must be shape \(2, 6\)"):
        gru.gru_forward(x, {**p, "bias": np.zeros(6)})
    with pytest.raises(ValueError, match=r"params\['kernel'\] must be \(D, 3·U\) = \(D, 6\)"):
        gru.gru_forward(x, {**p, "kernel": np.ones((3, 8))})
    with pytest.raises(ValueError, match=r"x's last axis and params\['kernel'\] rows must agree.*D = 4.*\(3, 6\)"):
        gru.gru_forward(rng.standard_normal((2, 4, 4)), p)
    with pytest.raises(ValueError, match=r"mask must be shape \(N, T\) = \(2, 4\)"):
        gru.gru_forward(x, p, mask=np.ones(4, bool))
    with pytest.raises(ValueError, match="x must be finite"):
        gru.gru_forward(np.full((2, 4, 3), np.inf), p)
    _, cache = gru.gru_forward(x, p)
    with pytest.raises(ValueError, match="dh_seq must be the forward output's shape"):
        gru.gru_backward(np.ones((2, 3, 2)), cache)
