"""scratch.rnn: SimpleRNN cell and sequence, BPTT (full and truncated), masking, bidirectional."""
import numpy as np
import pytest

from dlhelpers.scratch import gru, lstm, rnn
from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from tests.helpers import TOL, check_backward, padding_mask


def _params(rng, D, U, gates=1, bias=None, scale=0.5):
    return {"kernel": rng.standard_normal((D, gates * U)) * scale,
            "recurrent_kernel": rng.standard_normal((U, gates * U)) * scale,
            "bias": rng.standard_normal(bias or (gates * U,)) * 0.1}


_mask = padding_mask


# --- golden values worked by hand --------------------------------------------------------------------------

def test_cell_by_hand():
    # z = x·W + h_prev·U + b = 2·0.5 + 0.5·1 + 0.1 = 1.6 → h = tanh(1.6)
    p = {"kernel": np.array([[0.5]]), "recurrent_kernel": np.array([[1.0]]), "bias": np.array([0.1])}
    h, cache = rnn.simple_rnn_cell_forward(np.array([[2.0]]), np.array([[0.5]]), p)
    assert h[0, 0] == pytest.approx(np.tanh(1.6))
    # dh = 1: dz = 1 − tanh²(1.6); dx = dz·W, dh_prev = dz·U, dW = x·dz, dU = h_prev·dz, db = dz
    dz = 1 - np.tanh(1.6) ** 2
    dx, g = rnn.simple_rnn_cell_backward(np.ones((1, 1)), cache)
    assert dx[0, 0] == pytest.approx(0.5 * dz)
    assert g["h_prev"][0, 0] == pytest.approx(dz)
    assert g["kernel"][0, 0] == pytest.approx(2 * dz)
    assert g["recurrent_kernel"][0, 0] == pytest.approx(0.5 * dz)
    assert g["bias"][0] == pytest.approx(dz)


def test_linear_rnn_accumulates_by_hand():
    # W = U = 1, linear: h_t = x_t + h_{t−1} → running sums 1, 3, 6 (from h0 = 0) and 11, 13, 16 (from h0 = 10)
    p = {"kernel": np.ones((1, 1)), "recurrent_kernel": np.ones((1, 1)), "bias": np.zeros(1)}
    x = np.array([[[1.0], [2.0], [3.0]]])
    h, _ = rnn.simple_rnn_forward(x, p, activation="linear")
    assert h[0, :, 0].tolist() == [1.0, 3.0, 6.0]
    h, _ = rnn.simple_rnn_forward(x, p, h0=[[10.0]], activation="linear")
    assert h[0, :, 0].tolist() == [11.0, 13.0, 16.0]


def test_parameters_are_shared_over_time():
    rng = np.random.default_rng(0)
    p = _params(rng, 2, 3)
    x = rng.standard_normal((4, 5, 2))
    h_seq, _ = rnn.simple_rnn_forward(x, p)
    h = np.zeros((4, 3))
    for t in range(5):          # the same cell, the same params, step after step
        h, _ = rnn.simple_rnn_cell_forward(x[:, t], h, p)
        np.testing.assert_allclose(h_seq[:, t], h, rtol=1e-13)


# --- gradient checks ---------------------------------------------------------------------------------------

def _seq_check(forward, backward, params, x, states, mask, **kw):
    def f(x, kernel, recurrent_kernel, bias, **st):
        return forward(x, {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias": bias}, mask=mask, **st, **kw)
    return check_backward(f, backward, {"x": x, **params, **states})


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "linear", "softplus"])
@pytest.mark.parametrize("with_h0", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_simple_rnn_gradients(activation, with_h0, masked):
    rng = np.random.default_rng(1)
    N, T, D, U = 3, 5, 4, 3
    states = {"h0": rng.standard_normal((N, U))} if with_h0 else {}
    errors = _seq_check(rnn.simple_rnn_forward, rnn.simple_rnn_backward, _params(rng, D, U),
                        rng.standard_normal((N, T, D)), states, _mask(N, T) if masked else None, activation=activation)
    assert max(errors.values()) < TOL, errors


def test_cell_gradients():
    rng = np.random.default_rng(2)
    p = _params(rng, 3, 2)

    def f(x_t, h_prev, kernel, recurrent_kernel, bias):
        return rnn.simple_rnn_cell_forward(x_t, h_prev, {"kernel": kernel, "recurrent_kernel": recurrent_kernel,
                                                         "bias": bias})
    errors = check_backward(f, rnn.simple_rnn_cell_backward,
                            {"x_t": rng.standard_normal((4, 3)), "h_prev": rng.standard_normal((4, 2)), **p})
    assert max(errors.values()) < TOL, errors


# --- truncated BPTT ----------------------------------------------------------------------------------------

def test_truncated_bptt_by_hand():
    # scalar linear RNN h_t = w·x_t + u·h_{t−1}, loss L = Σ_t h_t (dh_t = 1).
    # Full BPTT:  ∂L/∂w = Σ_t Σ_{s≤t} u^{t−s} x_s.  Truncated to k: only s ≥ t−k+1.
    w, u = 0.5, 0.8
    x = np.array([1.0, 2.0, -1.0, 3.0])
    p = {"kernel": np.array([[w]]), "recurrent_kernel": np.array([[u]]), "bias": np.zeros(1)}
    _, cache = rnn.simple_rnn_forward(x[None, :, None], p, activation="linear")
    for k, expected in [(1, x.sum()),                                              # 1 + 2 − 1 + 3 = 5
                        (2, x.sum() + u * x[:3].sum()),                            # + 0.8·(1 + 2 − 1)
                        (None, sum(u ** (t - s) * x[s] for t in range(4) for s in range(t + 1)))]:
        _, g = rnn.simple_rnn_backward(np.ones((1, 4, 1)), cache, truncate=k)
        assert g["kernel"][0, 0] == pytest.approx(expected), k
    assert x.sum() + u * x[:3].sum() == pytest.approx(6.6)


@pytest.mark.parametrize("k", [1, 2, 3, 5, 9])
@pytest.mark.parametrize("masked", [False, True])
def test_truncated_bptt_is_the_exact_gradient_of_the_truncated_graph(k, masked):
    """Numerical gradient of Σ_t ⟨dh_t, h_t(window)⟩, each window re-run from a constant entering state."""
    rng = np.random.default_rng(3)
    N, T, D, U = 2, 6, 3, 2
    p = _params(rng, D, U, scale=0.8)
    x, h0 = rng.standard_normal((N, T, D)), rng.standard_normal((N, U))
    mask = _mask(N, T) if masked else None
    dh = rng.standard_normal((N, T, U))
    _, cache = rnn.simple_rnn_forward(x, p, h0=h0, mask=mask)
    dx, grads = rnn.simple_rnn_backward(dh, cache, truncate=k)

    # the state entering each step, computed once with the original weights: the constants of the windows
    const = {"state": cache.h_prev.copy()}
    h_before = np.concatenate([np.zeros((N, 1, U)), rnn.simple_rnn_forward(x, p, h0=h0, mask=mask)[0][:, :-1]], 1)

    def objective(x=x, h0=h0, **pp):
        params = {**p, **pp}
        total = 0.0
        for t in range(T):
            s = max(0, t - k + 1)
            start = h0 if s == 0 else const["state"][:, s]          # h0 is a variable only when the window reaches it
            out, _ = rnn.simple_rnn_forward(x[:, s:t + 1], params, h0=start,
                                            mask=None if mask is None else mask[:, s:t + 1])
            y = out[:, -1]
            if mask is not None:   # an output that repeats one from before the window is a constant
                seen = mask[:, s:t + 1].any(axis=1)
                y = np.where(seen[:, None], y, h_before[:, s] if s else 0.0)
            total += float(np.sum(dh[:, t] * y))
        return total

    for name, arr in [("x", x), ("h0", h0), *p.items()]:
        if name in ("x", "h0"):
            num = numerical_gradient(lambda: objective(x=x, h0=h0), arr)
        else:
            num = numerical_gradient(lambda: objective(x=x, h0=h0, **{name: p[name]}), arr)
        got = dx if name == "x" else grads[name]
        assert relative_error(got, num) < TOL, (name, k, relative_error(got, num))


def test_truncate_one_drops_the_recurrence_and_large_k_is_full_bptt():
    rng = np.random.default_rng(4)
    N, T, D, U = 2, 5, 3, 2
    p = _params(rng, D, U)
    x, dh = rng.standard_normal((N, T, D)), rng.standard_normal((N, T, U))
    h, cache = rnn.simple_rnn_forward(x, p)
    full = rnn.simple_rnn_backward(dh, cache)
    for k in (T, T + 3):
        dx, g = rnn.simple_rnn_backward(dh, cache, truncate=k)
        np.testing.assert_allclose(dx, full[0], rtol=1e-12)
        for key in g:
            np.testing.assert_allclose(g[key], full[1][key], rtol=1e-12)
    dx, g = rnn.simple_rnn_backward(dh, cache, truncate=1)
    dz = dh * (1 - h ** 2)                                        # each step alone
    np.testing.assert_allclose(g["kernel"], np.einsum("ntd,ntu->du", x, dz), rtol=1e-12)
    np.testing.assert_allclose(dx, dz @ p["kernel"].T, rtol=1e-12)


@pytest.mark.parametrize("bad", [0, -1, 2.5, "3", True])
def test_bad_truncate(bad):
    rng = np.random.default_rng(0)
    _, cache = rnn.simple_rnn_forward(rng.standard_normal((1, 3, 2)), _params(rng, 2, 2))
    with pytest.raises((ValueError, TypeError), match="truncate"):
        rnn.simple_rnn_backward(np.ones((1, 3, 2)), cache, truncate=bad)


# --- masking -----------------------------------------------------------------------------------------------

def test_mask_carries_the_state_and_repeats_the_output():
    rng = np.random.default_rng(5)
    N, T, D, U = 3, 6, 2, 3
    p, x, h0 = _params(rng, D, U), rng.standard_normal((N, T, D)), rng.standard_normal((N, U))
    mask = _mask(N, T)
    h, _ = rnn.simple_rnn_forward(x, p, h0=h0, mask=mask)
    # post-padded sequence 0: the output freezes at its last real step
    np.testing.assert_array_equal(h[0, T - 2:], np.repeat(h[0, T - 3][None], 2, 0))
    # pre-padded sequence 1: zeros before the first real step (Keras's rule), and the state carried is h0
    np.testing.assert_array_equal(h[1, :2], 0.0)
    ref, _ = rnn.simple_rnn_forward(x[1:2, 2:], p, h0=h0[1:2])
    np.testing.assert_allclose(h[1, 2:], ref[0], rtol=1e-13)
    # a hole: the step is skipped, the next one continues from the state before it
    t = T // 2
    np.testing.assert_array_equal(h[-1, t], h[-1, t - 1])
    skipped, _ = rnn.simple_rnn_forward(np.delete(x[-1:], t, axis=1), p, h0=h0[-1:])
    np.testing.assert_allclose(h[-1, -1], skipped[0, -1], rtol=1e-13)
    # padding values do not matter
    x2 = x.copy()
    x2[~mask] = 1e3
    np.testing.assert_array_equal(rnn.simple_rnn_forward(x2, p, h0=h0, mask=mask)[0], h)


def test_all_true_mask_changes_nothing():
    rng = np.random.default_rng(6)
    p, x = _params(rng, 2, 2), rng.standard_normal((2, 4, 2))
    np.testing.assert_array_equal(rnn.simple_rnn_forward(x, p, mask=np.ones((2, 4), bool))[0],
                                  rnn.simple_rnn_forward(x, p)[0])


# --- bidirectional -----------------------------------------------------------------------------------------

CELL_SHAPES = {"simple_rnn": (1, None), "lstm": (4, None), "gru": (3, "gru")}


def _cell_params(rng, cell, D, U):
    g, kind = CELL_SHAPES[cell]
    return _params(rng, D, U, g, bias=(2, 3 * U) if kind == "gru" else None)


@pytest.mark.parametrize("cell", rnn.CELLS)
@pytest.mark.parametrize("merge_mode", rnn.MERGE_MODES)
@pytest.mark.parametrize("masked", [False, True])
def test_bidirectional_gradients(cell, merge_mode, masked):
    rng = np.random.default_rng(7)
    N, T, D, U = 3, 4, 2, 2
    x = rng.standard_normal((N, T, D))
    params = {"forward": _cell_params(rng, cell, D, U), "backward": _cell_params(rng, cell, D, U)}
    mask = _mask(N, T) if masked else None
    out, cache = rnn.bidirectional_forward(x, params, cell, merge_mode, mask)
    dout = rng.standard_normal(out.shape)
    dx, grads = rnn.bidirectional_backward(dout, cache)

    def objective():
        return float(np.sum(rnn.bidirectional_forward(x, params, cell, merge_mode, mask)[0] * dout))
    assert relative_error(dx, numerical_gradient(objective, x)) < TOL
    for side in ("forward", "backward"):
        assert set(grads[side]) == {"kernel", "recurrent_kernel", "bias"}
        for key, arr in params[side].items():
            assert relative_error(grads[side][key], numerical_gradient(objective, arr)) < TOL, (side, key)


def test_bidirectional_is_a_forward_and_a_reversed_pass():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 5, 3))
    pf, pb = _params(rng, 3, 2, 4), _params(rng, 3, 2, 4)
    out, _ = rnn.bidirectional_forward(x, {"forward": pf, "backward": pb}, "lstm", "concat")
    hf, _ = lstm.lstm_forward(x, pf)
    hb, _ = lstm.lstm_forward(x[:, ::-1], pb)
    np.testing.assert_allclose(out, np.concatenate([hf, hb[:, ::-1]], -1), rtol=1e-13)
    # the backward direction's first output (step 0) has read the whole sequence
    assert out.shape == (2, 5, 4)
    s, _ = rnn.bidirectional_forward(x, {"forward": pf, "backward": pb}, "lstm", "ave")
    np.testing.assert_allclose(s, (hf + hb[:, ::-1]) / 2, rtol=1e-13)


def test_bidirectional_padding_outputs_are_zero():
    rng = np.random.default_rng(9)
    N, T, D, U = 2, 5, 2, 3
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    x = rng.standard_normal((N, T, D))
    params = {"forward": _params(rng, D, U, 3, bias=(2, 3 * U)), "backward": _params(rng, D, U, 3, bias=(2, 3 * U))}
    out, _ = rnn.bidirectional_forward(x, params, "gru", "concat", mask)
    np.testing.assert_array_equal(out[0, 3:], 0.0)
    # the backward direction of sequence 0 starts at its last real step, as if the padding were not there
    hb, _ = gru.gru_forward(x[:1, :3][:, ::-1], params["backward"])
    np.testing.assert_allclose(out[0, :3, U:], hb[0, ::-1], rtol=1e-13)


# --- bad input ---------------------------------------------------------------------------------------------

def test_bad_input_names_argument_expected_and_got():
    rng = np.random.default_rng(0)
    p = _params(rng, 3, 2)
    x = rng.standard_normal((2, 4, 3))
    with pytest.raises(ValueError, match=r"x must be 3-D \(N, T, D\).*got shape \(4, 3\)"):
        rnn.simple_rnn_forward(x[0], p)
    with pytest.raises(ValueError, match=r"x's last axis and params\['kernel'\].*D = 5.*\(3, 2\)"):
        rnn.simple_rnn_forward(rng.standard_normal((2, 4, 5)), p)
    with pytest.raises(ValueError, match=r"params\['recurrent_kernel'\] must be .*\(2, 2\).*got shape \(2, 3\)"):
        rnn.simple_rnn_forward(x, {**p, "recurrent_kernel": np.ones((2, 3))})
    with pytest.raises(ValueError, match=r"params\['bias'\] must be shape \(2,\)"):
        rnn.simple_rnn_forward(x, {**p, "bias": np.ones(3)})
    with pytest.raises(ValueError, match=r"h0 must be shape \(N, U\) = \(2, 2\).*got shape \(1, 2\)"):
        rnn.simple_rnn_forward(x, p, h0=np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"mask must be shape \(N, T\) = \(2, 4\).*got shape \(2, 3\)"):
        rnn.simple_rnn_forward(x, p, mask=np.ones((2, 3), bool))
    with pytest.raises(ValueError, match="mask must be bools"):
        rnn.simple_rnn_forward(x, p, mask=np.full((2, 4), 0.5))
    with pytest.raises(ValueError, match=r"x must be finite"):
        rnn.simple_rnn_forward(np.where(x > 1, np.nan, x), p)
    with pytest.raises(ValueError, match=r"params must be a dict with exactly the keys"):
        rnn.simple_rnn_forward(x, {**p, "W": 1})
    with pytest.raises(TypeError, match=r"params must be a dict"):
        rnn.simple_rnn_forward(x, [p["kernel"]])
    with pytest.raises(ValueError, match="activation must be one of"):
        rnn.simple_rnn_forward(x, p, activation="softmax")
    _, cache = rnn.simple_rnn_forward(x, p)
    with pytest.raises(ValueError, match=r"dh_seq must be the forward output's shape \(2, 4, 2\)"):
        rnn.simple_rnn_backward(np.ones((2, 4)), cache)
    with pytest.raises(TypeError, match="cache must be the SimpleRNNCache"):
        rnn.simple_rnn_backward(np.ones((2, 4, 2)), {"x": x})
    with pytest.raises(ValueError, match="cell must be one of"):
        rnn.bidirectional_forward(x, {"forward": p, "backward": p}, cell="rnn")
    with pytest.raises(ValueError, match="params must be a dict with the keys 'forward' and 'backward'"):
        rnn.bidirectional_forward(x, p, cell="simple_rnn")
    with pytest.raises(ValueError, match=r"params\['forward'\]\['recurrent_kernel'\] must be \(U, 4·U\)"):
        rnn.bidirectional_forward(x, {"forward": p, "backward": p}, cell="lstm")


@pytest.mark.parametrize("cell", rnn.CELLS)
def test_huge_inputs_give_finite_outputs_and_gradients(cell):
    rng = np.random.default_rng(10)
    x = rng.choice([-1e4, 1e4], size=(2, 6, 3))
    params = {"forward": _cell_params(rng, cell, 3, 2), "backward": _cell_params(rng, cell, 3, 2)}
    out, cache = rnn.bidirectional_forward(x, params, cell)
    dx, grads = rnn.bidirectional_backward(np.ones_like(out), cache)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(dx))
    assert all(np.all(np.isfinite(g)) for side in grads.values() for g in side.values())
