"""scratch.lstm: the gates by hand, BPTT gradient checks, masking, the gate trace, bad input."""
import numpy as np
import pytest

from dlhelpers.scratch import lstm, rnn
from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from tests.helpers import TOL, check_backward, padding_mask


def _params(rng, D, U, scale=0.5):
    return {"kernel": rng.standard_normal((D, 4 * U)) * scale,
            "recurrent_kernel": rng.standard_normal((U, 4 * U)) * scale,
            "bias": rng.standard_normal(4 * U) * 0.1}


def _sig(z):
    return 1 / (1 + np.exp(-z))


def test_cell_by_hand():
    # D = U = 1. Pre-activations a = x·W + h·U + b with W = (1, 2, 3, 4) (blocks i, f, c, o), U = 0, b = 0, x = 0.5:
    # i = σ(0.5), f = σ(1), g = tanh(1.5), o = σ(2); c = f·c_prev + i·g with c_prev = 2; h = o·tanh(c)
    p = {"kernel": np.array([[1.0, 2.0, 3.0, 4.0]]), "recurrent_kernel": np.zeros((1, 4)), "bias": np.zeros(4)}
    h, c, cache = lstm.lstm_cell_forward(np.array([[0.5]]), np.array([[0.3]]), np.array([[2.0]]), p)
    i, f, g, o = _sig(0.5), _sig(1.0), np.tanh(1.5), _sig(2.0)
    assert (cache.i[0, 0], cache.f[0, 0], cache.g[0, 0], cache.o[0, 0]) == pytest.approx((i, f, g, o))
    assert c[0, 0] == pytest.approx(f * 2.0 + i * g)          # 0.7311·2 + 0.6225·0.9051 = 2.0255
    assert c[0, 0] == pytest.approx(2.0255, abs=1e-4)
    assert h[0, 0] == pytest.approx(o * np.tanh(f * 2.0 + i * g))


def test_gate_order_is_keras_i_f_c_o():
    # only the forget block's bias is large: f ≈ 1, the others σ(0) = 0.5 / tanh(0) = 0, so c ≈ c_prev
    U = 2
    b = np.zeros(4 * U)
    b[U:2 * U] = 20.0
    p = {"kernel": np.zeros((1, 4 * U)), "recurrent_kernel": np.zeros((U, 4 * U)), "bias": b}
    _, c, cache = lstm.lstm_cell_forward(np.ones((1, 1)), np.zeros((1, U)), np.full((1, U), 3.0), p)
    np.testing.assert_allclose(cache.f, 1.0, atol=1e-8)
    np.testing.assert_allclose(cache.i, 0.5)
    np.testing.assert_allclose(c, 3.0, atol=1e-7)
    W_i, W_f, W_c, W_o = lstm.split_gates(p["bias"][None])
    assert W_f[0].tolist() == [20.0, 20.0] and W_i[0].tolist() == [0.0, 0.0]


def test_lstm_bias_is_keras_unit_forget_bias():
    assert lstm.lstm_bias(2).tolist() == [0, 0, 1, 1, 0, 0, 0, 0]
    assert lstm.lstm_bias(2, unit_forget_bias=False).tolist() == [0.0] * 8


def test_sequence_is_the_cell_step_after_step_and_the_trace_matches():
    rng = np.random.default_rng(0)
    p, x = _params(rng, 3, 2), rng.standard_normal((2, 6, 3))
    h0, c0 = rng.standard_normal((2, 2)), rng.standard_normal((2, 2))
    h_seq, cache = lstm.lstm_forward(x, p, h0=h0, c0=c0)
    h, c = h0, c0
    for t in range(6):
        h, c, _ = lstm.lstm_cell_forward(x[:, t], h, c, p)
        np.testing.assert_allclose(h_seq[:, t], h, rtol=1e-13)
    trace = lstm.lstm_gate_trace(x[1], p, h0=h0[1], c0=c0[1])
    for name in ("i", "f", "g", "o", "c"):
        np.testing.assert_allclose(getattr(trace, name), getattr(cache, name)[1], rtol=1e-13)
    np.testing.assert_allclose(trace.h, h_seq[1], rtol=1e-13)
    np.testing.assert_allclose(trace.c[-1], c[1], rtol=1e-13)
    np.testing.assert_allclose(trace.c_prev[0], c0[1])
    assert set(trace.as_dict()) == {"i", "f", "g", "o", "c", "h"} and trace.f.shape == (6, 2)


@pytest.mark.parametrize("states", [(), ("h0",), ("c0",), ("h0", "c0")])
@pytest.mark.parametrize("masked", [False, True])
def test_lstm_gradients(states, masked):
    rng = np.random.default_rng(1)
    N, T, D, U = 3, 5, 3, 2
    mask = padding_mask(N, T) if masked else None
    p = _params(rng, D, U)
    given = {s: rng.standard_normal((N, U)) for s in states}

    def f(x, kernel, recurrent_kernel, bias, **st):
        return lstm.lstm_forward(x, {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias": bias},
                                 mask=mask, **st)
    errors = check_backward(f, lstm.lstm_backward, {"x": rng.standard_normal((N, T, D)), **p, **given})
    assert max(errors.values()) < TOL, errors


def test_cell_gradients():
    rng = np.random.default_rng(2)
    p = _params(rng, 3, 2)
    x_t, h_prev, c_prev = rng.standard_normal((4, 3)), rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    h, c, cache = lstm.lstm_cell_forward(x_t, h_prev, c_prev, p)
    dh, dc = rng.standard_normal(h.shape), rng.standard_normal(c.shape)
    dx, g = lstm.lstm_cell_backward(dh, dc, cache)

    def objective():
        h, c, _ = lstm.lstm_cell_forward(x_t, h_prev, c_prev, p)
        return float(np.sum(h * dh) + np.sum(c * dc))
    assert relative_error(dx, numerical_gradient(objective, x_t)) < TOL
    for name, arr in [("h_prev", h_prev), ("c_prev", c_prev), *p.items()]:
        assert relative_error(g[name], numerical_gradient(objective, arr)) < TOL, name


def test_cell_state_carries_the_gradient_where_a_simple_rnn_loses_it():
    """With the forget gate near 1, ∂L/∂c0 stays near ∂L/∂c_T over 60 steps; a SimpleRNN's ∂L/∂h0 vanishes."""
    rng = np.random.default_rng(3)
    T, U = 60, 4
    x = rng.standard_normal((1, T, 1)) * 0.5
    p = _params(rng, 1, U, scale=0.3)
    p["bias"][U:2 * U] = 5.0                                       # σ(5) ≈ 0.993
    h0, c0 = np.zeros((1, U)), np.zeros((1, U))
    h, cache = lstm.lstm_forward(x, p, h0=h0, c0=c0)
    dh = np.zeros_like(h)
    dh[:, -1] = 1.0
    _, g = lstm.lstm_backward(dh, cache)
    rp = {"kernel": rng.standard_normal((1, U)) * 0.3, "recurrent_kernel": rng.standard_normal((U, U)) * 0.3,
          "bias": np.zeros(U)}
    hr, rcache = rnn.simple_rnn_forward(x, rp, h0=h0)
    _, gr = rnn.simple_rnn_backward(dh, rcache)
    lstm_norm, rnn_norm = np.linalg.norm(g["c0"]), np.linalg.norm(gr["h0"])
    assert lstm_norm > 1e-2 and rnn_norm < 1e-10 and lstm_norm > 1e8 * rnn_norm


def test_bad_input():
    rng = np.random.default_rng(0)
    p = _params(rng, 3, 2)
    x = rng.standard_normal((2, 4, 3))
    with pytest.raises(ValueError, match=r"params\['kernel'\] must be \(D, 4·U\) = \(D, 8\).*got shape \(3, 6\)"):
        lstm.lstm_forward(x, {**p, "kernel": np.ones((3, 6))})
    with pytest.raises(ValueError, match=r"x's last axis and params\['kernel'\] rows must agree.*D = 2.*\(3, 8\)"):
        lstm.lstm_forward(x[..., :2], p)
    with pytest.raises(ValueError, match=r"params\['bias'\] must be shape \(8,\)"):
        lstm.lstm_forward(x, {**p, "bias": np.zeros((2, 4))})
    with pytest.raises(ValueError, match=r"c0 must be shape \(N, U\) = \(2, 2\)"):
        lstm.lstm_forward(x, p, c0=np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"c_prev must be shape"):
        lstm.lstm_cell_forward(x[:, 0], np.zeros((2, 2)), np.zeros((2, 1)), p)
    with pytest.raises(ValueError, match=r"x must be one sequence"):
        lstm.lstm_gate_trace(x, p)
    _, cache = lstm.lstm_forward(x, p)
    with pytest.raises(TypeError, match="cache must be the LSTMCache"):
        lstm.lstm_backward(np.ones((2, 4, 2)), lstm.lstm_cell_forward(x[:, 0], np.zeros((2, 2)), np.zeros((2, 2)), p)[2])
    with pytest.raises(ValueError, match=r"array must be a last axis divisible by gates = 4"):
        lstm.split_gates(np.ones((2, 6)))


def test_gate_trace_errors_name_gate_trace():
    rng = np.random.default_rng(0)
    p = _params(rng, 3, 2)
    with pytest.raises(ValueError, match=r"h0 must be shape \(U,\) = \(2,\) or \(1, 2\).*for lstm_gate_trace"):
        lstm.lstm_gate_trace(np.ones((4, 3)), p, h0=np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"x's last axis and params\['kernel'\] rows must agree \(D\) for "
                                         r"lstm_gate_trace; got x of shape \(4, 2\) \(D = 2\)"):
        lstm.lstm_gate_trace(np.ones((4, 2)), p)
    trace = lstm.lstm_gate_trace(np.ones((4, 3)), p, h0=np.zeros(2), c0=np.ones((1, 2)))
    np.testing.assert_allclose(trace.c_prev[0], [1.0, 1.0])
