"""Property entries for the recurrent twins: dlhelpers.scratch.rnn, lstm and gru (see specs.py for the makers).

Valid sequences are drawn in [−30, 30], not up to 1e4: a pre-activation sums D products of inputs and weights,
and at 1e4 float32's rounding (≈1e−3) can decide where tanh lands near 0, so the float32 form of the same call
could never agree with float64 to 1e−4. Huge values still reach every argument as spoiled values, and
tests/scratch/test_rnn.py checks that 1e4 inputs give finite outputs and gradients.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from dlhelpers.scratch import gru, lstm, rnn
from tests.property.contract import arrays, finite
from tests.property.specs import backward_of, calls, record_of, spec

GATES = {"simple_rnn": (1, lambda U: (U,)), "lstm": (4, lambda U: (4 * U,)), "gru": (3, lambda U: (2, 3 * U))}


def _sizes(d):
    return (d.draw(st.integers(1, 3), label="N"), d.draw(st.integers(1, 4), label="T"),
            d.draw(st.integers(1, 3), label="D"), d.draw(st.integers(1, 3), label="U"))


def _params(d, cell, D, U):
    g, bias = GATES[cell]
    return {"kernel": d.draw(arrays((D, g * U), -3, 3), label="kernel"),
            "recurrent_kernel": d.draw(arrays((U, g * U), -3, 3), label="recurrent_kernel"),
            "bias": d.draw(arrays(bias(U), -3, 3), label="bias")}


def _mask(d, N, T):
    if not d.draw(st.booleans(), label="masked"):
        return None
    return np.asarray(d.draw(st.lists(st.lists(st.booleans(), min_size=T, max_size=T), min_size=N, max_size=N)))


def _sequence_args(cell, states=("h0",), activation=False, with_mask=True):
    def valid(d):
        N, T, D, U = _sizes(d)
        kwargs = {}
        for s in states:
            if d.draw(st.booleans(), label=f"{s} given"):
                kwargs[s] = d.draw(arrays((N, U), -2, 2), label=s)
        if activation:
            kwargs["activation"] = d.draw(st.sampled_from(["tanh", "sigmoid", "linear", "relu"]))
        if with_mask:
            kwargs["mask"] = _mask(d, N, T)
        return (d.draw(arrays((N, T, D), -30, 30), label="x"), _params(d, cell, D, U)), kwargs
    return valid


def _seq_out(r, a, k):
    assert r[0].shape == (*a[0].shape[:2], np.asarray(a[1]["recurrent_kernel"]).shape[0])


def _cell_args(cell, states):
    def valid(d):
        N, _, D, U = _sizes(d)
        return (d.draw(arrays((N, D), -30, 30), label="x_t"), *(d.draw(arrays((N, U), -2, 2), label=s) for s in states),
                _params(d, cell, D, U)), {}
    return valid


# --- SimpleRNN -----------------------------------------------------------------------------------------
_rnn_args = _sequence_args("simple_rnn", activation=True)
_rnn_cell = _cell_args("simple_rnn", ["h_prev"])
spec("simple_rnn_forward")(calls(_rnn_args, out=_seq_out))
spec("simple_rnn_cell_forward")(calls(_rnn_cell, out=lambda r, a, k: r[0].shape == a[1].shape))
spec("SimpleRNNCellCache")(record_of(lambda d: rnn.simple_rnn_cell_forward(*_rnn_cell(d)[0])))
spec("SimpleRNNCache")(record_of(lambda d: rnn.simple_rnn_forward(*_rnn_args(d)[0])))


def _backward_with_state_keys(forward_name, module, valid, base, states):
    """backward_of whose expected keys depend on which initial states the drawn call gave."""
    def check(data, fn):
        args, kwargs = valid(data)
        keys = set(base) | {s for s in states if kwargs.get(s) is not None}
        return backward_of(forward_name, module, lambda d: (args, kwargs), keys)(data, fn)
    inner = backward_of(forward_name, module, valid, set(base))
    check.is_backward, check.bad_cache = True, inner.bad_cache
    check.forward_name, check.module, check.valid_forward = forward_name, module, valid
    return check


_W = {"kernel", "recurrent_kernel", "bias"}
spec("simple_rnn_backward")(_backward_with_state_keys("simple_rnn_forward", rnn, _rnn_args, _W, ["h0"]))
spec("simple_rnn_cell_backward")(backward_of("simple_rnn_cell_forward", rnn, _rnn_cell, _W | {"h_prev"}))

# --- LSTM ------------------------------------------------------------------------------------------------
_lstm_args = _sequence_args("lstm", states=("h0", "c0"))
_lstm_cell = _cell_args("lstm", ["h_prev", "c_prev"])
spec("lstm_forward")(calls(_lstm_args, out=_seq_out))
spec("lstm_backward")(_backward_with_state_keys("lstm_forward", lstm, _lstm_args, _W, ["h0", "c0"]))
spec("lstm_cell_forward")(calls(_lstm_cell, out=lambda r, a, k: r[0].shape == r[1].shape == a[1].shape))
spec("LSTMCellCache")(record_of(lambda d: lstm.lstm_cell_forward(*_lstm_cell(d)[0])))
spec("LSTMCache")(record_of(lambda d: lstm.lstm_forward(*_lstm_args(d)[0])))


def _lstm_cell_backward(data, fn):
    args, _ = _lstm_cell(data)
    h, c, cache = lstm.lstm_cell_forward(*args)
    dx, grads = fn(data.draw(arrays(h.shape, -10, 10)), data.draw(arrays(c.shape, -10, 10)), cache)
    assert dx.shape == args[0].shape and set(grads) == _W | {"h_prev", "c_prev"}
    for bad in (None, "cache", cache.__dict__ if hasattr(cache, "__dict__") else ()):
        try:
            fn(np.ones(h.shape), np.ones(c.shape), bad)
        except (TypeError, ValueError) as exc:
            assert "cache" in str(exc)
        else:
            raise AssertionError("lstm_cell_backward accepted a bad cache")
    try:
        fn(np.ones(h.shape + (1,)), np.ones(c.shape), cache)
    except ValueError as exc:
        assert "dh" in str(exc)
    else:
        raise AssertionError("lstm_cell_backward accepted a wrong-shaped dh")


_lstm_cell_backward.is_backward = True     # checks dh, dc and the cache itself (its forward returns three values)
spec("lstm_cell_backward")(_lstm_cell_backward)


def _trace_args(d):
    _, T, D, U = _sizes(d)
    kwargs = {}
    if d.draw(st.booleans(), label="states given"):
        kwargs = {"h0": d.draw(arrays((U,), -2, 2)), "c0": d.draw(arrays((U,), -2, 2))}
    return (d.draw(arrays((T, D), -30, 30), label="x"), _params(d, "lstm", D, U)), kwargs


spec("lstm_gate_trace")(calls(_trace_args, out=lambda r, a, k: r.f.shape == (a[0].shape[0],
                                                                              np.shape(a[1]["recurrent_kernel"])[0])))
spec("LSTMGateTrace")(record_of(lambda d: lstm.lstm_gate_trace(*_trace_args(d)[0])))
spec("lstm_bias")(calls(lambda d: ((d.draw(st.integers(1, 5)),), {"unit_forget_bias": d.draw(st.booleans())}),
                        out=lambda r, a, k: r.shape == (4 * a[0],)))
spec("split_gates")(calls(lambda d: ((d.draw(arrays((2, 4 * d.draw(st.integers(1, 3))))),), {}),
                          out=lambda r, a, k: len(r) == 4))

# --- GRU -------------------------------------------------------------------------------------------------
_gru_args = _sequence_args("gru")
_gru_cell = _cell_args("gru", ["h_prev"])
spec("gru_forward")(calls(_gru_args, out=_seq_out))
spec("gru_backward")(_backward_with_state_keys("gru_forward", gru, _gru_args, _W, ["h0"]))
spec("gru_cell_forward")(calls(_gru_cell, out=lambda r, a, k: r[0].shape == a[1].shape))
spec("gru_cell_backward")(backward_of("gru_cell_forward", gru, _gru_cell, _W | {"h_prev"}))
spec("GRUCellCache")(record_of(lambda d: gru.gru_cell_forward(*_gru_cell(d)[0])))
spec("GRUCache")(record_of(lambda d: gru.gru_forward(*_gru_args(d)[0])))


# --- Bidirectional ---------------------------------------------------------------------------------------
def _bi_args(d):
    N, T, D, U = _sizes(d)
    cell = d.draw(st.sampled_from(rnn.CELLS), label="cell")
    return (d.draw(arrays((N, T, D), -30, 30), label="x"),
            {"forward": _params(d, cell, D, U), "backward": _params(d, cell, D, U)}), {
        "cell": cell, "merge_mode": d.draw(st.sampled_from(rnn.MERGE_MODES)), "mask": _mask(d, N, T)}


spec("bidirectional_forward")(calls(_bi_args, out=lambda r, a, k: r[0].shape[:2] == a[0].shape[:2]))
spec("bidirectional_backward")(backward_of("bidirectional_forward", rnn, _bi_args, {"forward", "backward"}))
def _bi_forward(d):
    args, kwargs = _bi_args(d)
    return rnn.bidirectional_forward(*args, **kwargs)


spec("BidirectionalCache")(record_of(_bi_forward))
