"""Long short-term memory (LSTM): forward and backward through time, in Keras's layout.

The four gate blocks sit side by side in Keras's order **i, f, c, o**: kernel (D, 4U),
recurrent_kernel (U, 4U), bias (4U,). One step::

    a = x_t @ kernel + h_{t−1} @ recurrent_kernel + bias           # (N, 4U), then split in four
    i = σ(a_i)   input gate: how much of the candidate to write
    f = σ(a_f)   forget gate: how much of the old cell state to keep
    g = tanh(a_c) candidate values
    o = σ(a_o)   output gate: how much of the cell to show
    c_t = f ⊙ c_{t−1} + i ⊙ g
    h_t = o ⊙ tanh(c_t)

Backwards, ∂L/∂c_{t−1} = ∂L/∂c_t ⊙ f: along the cell state the gradient is only multiplied by
the forget gate (no weight matrix, no tanh'), so with f ≈ 1 it survives many steps: the reason
LSTMs remember where a SimpleRNN's gradient vanishes. Keras's ``unit_forget_bias=True`` starts
the f block of the bias at 1 for that reason (:func:`lstm_bias`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import _fail, as_array, check_bool, check_cache, check_count, check_dout
from ._recurrent import (backprop_through_time, check_cell_state, check_mask, check_params, check_sequence, check_state,
                         check_upstream, common_dtype, gate_grads, project_inputs, run_through_time, sigmoid,
                         time_major)

__all__ = ["lstm_cell_forward", "lstm_cell_backward", "lstm_forward", "lstm_backward", "lstm_gate_trace",
           "lstm_bias", "split_gates", "LSTMCellCache", "LSTMCache", "LSTMGateTrace", "GATE_ORDER"]

#: Keras's order of the four blocks in kernel, recurrent_kernel and bias
GATE_ORDER = ("i", "f", "c", "o")


def _bias_shape(U):
    return (4 * U,)


def split_gates(array, gates=4):
    """Split a gate-stacked array along its last axis into named views, e.g. ``W_i, W_f, W_c, W_o``.

    Args:
        array: (..., gates·U), e.g. an LSTM kernel (D, 4U) or a GRU kernel (D, 3U).
        gates: how many blocks (4 for the LSTM's i, f, c, o; 3 for the GRU's z, r, h).

    Returns:
        list of ``gates`` arrays (..., U) (views, not copies).

    Example:
        >>> W_i, W_f, W_c, W_o = split_gates(np.arange(8.0).reshape(1, 8))
        >>> W_f.tolist()
        [[2.0, 3.0]]
    """
    array = as_array(array, "array", "split_gates", ndim=(1, 2, 3))
    gates = check_count(gates, "gates", "split_gates", maximum=16)
    if array.shape[-1] % gates:
        _fail("array", "split_gates", f"a last axis divisible by gates = {gates}", f"shape {array.shape}",
              "Pass a gate-stacked array such as an LSTM kernel (D, 4U).")
    return np.split(array, gates, axis=-1)


def lstm_bias(units, unit_forget_bias=True, dtype=np.float64):
    """Keras's initial LSTM bias: zeros, except ones in the forget block when ``unit_forget_bias``.

    Args:
        units: U > 0.
        unit_forget_bias: start f = σ(1) ≈ 0.73 so the cell keeps its state early in training (Keras's default).

    Returns:
        (4U,) array in the order i, f, c, o.
    """
    U = check_count(units, "units", "lstm_bias", maximum=10 ** 6)
    b = np.zeros(4 * U, dtype=dtype)
    if check_bool(unit_forget_bias, "unit_forget_bias", "lstm_bias"):
        b[U:2 * U] = 1.0
    return b


def _gates(a, U):
    """The four gate activations from the stacked pre-activations a (N, 4U)."""
    s = sigmoid(a)                                                # all four blocks at once; block c is replaced
    return s[:, :U], s[:, U:2 * U], np.tanh(a[:, 2 * U:3 * U]), s[:, 3 * U:]


def _gate_backward(dh, dc, i, f, g, o, c, c_prev, out=None):
    """One step backwards: (∂L/∂a (N, 4U), ∂L/∂c_prev) from ∂L/∂h_t, ∂L/∂c_t (from later steps) and the step's values.

    ``out``: an (N, 4U) array to add ∂L/∂a into (the sequence's gradient buffer), else a new one is returned.
    """
    U = c.shape[-1]
    tc = np.tanh(c)
    dc = dc + dh * o * (1.0 - tc * tc)                           # c_t reaches L through h_t and through c_{t+1}
    da = np.zeros(c.shape[:-1] + (4 * U,), c.dtype) if out is None else out
    da[:, :U] += dc * g * i * (1.0 - i)                          # i = σ(a_i)
    da[:, U:2 * U] += dc * c_prev * f * (1.0 - f)                # f = σ(a_f)
    da[:, 2 * U:3 * U] += dc * i * (1.0 - g * g)                 # g = tanh(a_c)
    da[:, 3 * U:] += dh * tc * o * (1.0 - o)                     # o = σ(a_o)
    return da, dc * f


# --- one step --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LSTMCellCache:
    """What :func:`lstm_cell_backward` needs from :func:`lstm_cell_forward`."""
    x_t: np.ndarray                # (N, D)
    h_prev: np.ndarray             # (N, U)
    c_prev: np.ndarray             # (N, U)
    i: np.ndarray                  # (N, U) input gate
    f: np.ndarray                  # (N, U) forget gate
    g: np.ndarray                  # (N, U) candidate
    o: np.ndarray                  # (N, U) output gate
    c: np.ndarray                  # (N, U) new cell state
    kernel: np.ndarray             # (D, 4U)
    recurrent_kernel: np.ndarray   # (U, 4U)


def lstm_cell_forward(x_t, h_prev, c_prev, params):
    """One LSTM step: c = f⊙c_prev + i⊙g, h = o⊙tanh(c), gates from x_t @ kernel + h_prev @ recurrent_kernel + bias.

    Args:
        x_t: (N, D); h_prev, c_prev: (N, U).
        params: ``{"kernel": (D, 4U), "recurrent_kernel": (U, 4U), "bias": (4U,)}``, blocks i, f, c, o.

    Returns:
        ``(h, c, cache)``: h and c (N, U) and an :class:`LSTMCellCache` (its i, f, g, o are the gates).

    Example:
        >>> U = 1; p = {"kernel": np.zeros((1, 4)), "recurrent_kernel": np.zeros((1, 4)), "bias": np.zeros(4)}
        >>> h, c, _ = lstm_cell_forward(np.ones((1, 1)), np.zeros((1, 1)), np.ones((1, 1)), p)
        >>> float(c[0, 0])                # all gates σ(0) = 0.5, g = tanh(0) = 0: c = 0.5·1 + 0.5·0
        0.5
    """
    func = "lstm_cell_forward"
    x_t = as_array(x_t, "x_t", func, ndim=2, shape_hint="(N, D)", fix="Add a batch axis, e.g. x_t[None, :].")
    kernel, recurrent, bias, U = check_params(params, func, 4, _bias_shape, x_shape=x_t.shape, x_name="x_t")
    h_prev = check_cell_state(h_prev, "h_prev", len(x_t), U, func)
    c_prev = check_cell_state(c_prev, "c_prev", len(x_t), U, func)
    dtype = common_dtype(x_t, h_prev, c_prev, kernel, recurrent, bias)
    x_t, h_prev, c_prev, kernel, recurrent, bias = (a.astype(dtype, copy=False)
                                                    for a in (x_t, h_prev, c_prev, kernel, recurrent, bias))
    i, f, g, o = _gates(x_t @ kernel + h_prev @ recurrent + bias, U)   # (N, U) each
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, LSTMCellCache(x_t, h_prev, c_prev, i, f, g, o, c, kernel, recurrent)


def lstm_cell_backward(dh, dc, cache):
    """Backward of one LSTM step.

    dc_total = dc + dh⊙o⊙(1 − tanh²c); da = [dc_total⊙g⊙i(1−i), dc_total⊙c_prev⊙f(1−f), dc_total⊙i⊙(1−g²),
    dh⊙tanh(c)⊙o(1−o)]; dx_t = da Wᵀ, dh_prev = da Uᵀ, dc_prev = dc_total⊙f.

    Args:
        dh, dc: (N, U) ∂L/∂h and ∂L/∂c of this step's outputs (``dc`` from the next step; zeros at the end).
        cache: the :class:`LSTMCellCache` of :func:`lstm_cell_forward`.

    Returns:
        ``(dx_t, grads)``: dx_t (N, D) and ``{"kernel", "recurrent_kernel", "bias", "h_prev", "c_prev"}``.
    """
    func = "lstm_cell_backward"
    check_cache(cache, LSTMCellCache, func, "lstm_cell_forward")
    dh = check_dout(dh, cache.c.shape, func, name="dh")
    dc = check_dout(dc, cache.c.shape, func, name="dc")
    da, dc_prev = _gate_backward(dh, dc, cache.i, cache.f, cache.g, cache.o, cache.c, cache.c_prev)
    return da @ cache.kernel.T, {"kernel": cache.x_t.T @ da, "recurrent_kernel": cache.h_prev.T @ da,
                                 "bias": da.sum(axis=0), "h_prev": da @ cache.recurrent_kernel.T, "c_prev": dc_prev}


# --- a whole sequence ----------------------------------------------------------------------------

@dataclass(frozen=True)
class LSTMCache:
    """What :func:`lstm_backward` needs from :func:`lstm_forward`: every step's values, as (N, T, ·) views."""
    x: np.ndarray                  # (N, T, D)
    h_prev: np.ndarray             # (N, T, U) h entering each step
    c_prev: np.ndarray             # (N, T, U) c entering each step
    i: np.ndarray                  # (N, T, U)
    f: np.ndarray                  # (N, T, U)
    g: np.ndarray                  # (N, T, U)
    o: np.ndarray                  # (N, T, U)
    c: np.ndarray                  # (N, T, U) the step's new c before masking
    tanh_c: np.ndarray             # (N, T, U) tanh(c), kept for the backward pass
    mask: np.ndarray | None        # (N, T)
    kernel: np.ndarray             # (D, 4U)
    recurrent_kernel: np.ndarray   # (U, 4U)
    h0_given: bool
    c0_given: bool


def _half_sigmoid_columns(U, dtype):
    """(scale, shift), each (4U,): σ(a) = ½ + ½·tanh(a/2) on the blocks i, f, o; g = tanh(a) on block c."""
    return (np.array([0.5, 0.5, 1.0, 0.5], dtype).repeat(U), np.array([0.5, 0.5, 0.0, 0.5], dtype).repeat(U))


def lstm_forward(x, params, h0=None, c0=None, mask=None):
    """Run an LSTM over every step (gate order i, f, c, o as Keras).

    Same equations as :func:`lstm_cell_forward`, arranged for speed: the i, f, o columns of the weights are
    halved once, so one ``tanh`` over all four blocks gives tanh(a_c) and tanh(a/2) (σ(a) = ½ + ½·tanh(a/2),
    exact: halving is exact in floating point), and every step writes into preallocated buffers.

    Args:
        x: (N, T, D) sequences.
        params: ``{"kernel": (D, 4U), "recurrent_kernel": (U, 4U), "bias": (4U,)}``.
        h0, c0: (N, U) initial states, or None for zeros (then ``grads`` has no ``"h0"`` / ``"c0"``).
        mask: (N, T) bool, True at real steps; padded steps carry h and c and repeat the output (zeros before
            the first real step, as Keras: the state still starts from the initial state).

    Returns:
        ``(h_seq, cache)``: h_seq (N, T, U) and an :class:`LSTMCache` for :func:`lstm_backward`.
    """
    func = "lstm_forward"
    x = check_sequence(x, func)
    N, T, D = x.shape
    kernel, recurrent, bias, U = check_params(params, func, 4, _bias_shape, x_shape=x.shape)
    h0 = check_state(h0, "h0", N, U, func)
    c0 = check_state(c0, "c0", N, U, func)
    mask = check_mask(mask, N, T, func)
    dtype = common_dtype(x, kernel, recurrent, bias, h0, c0)
    x, kernel, recurrent, bias = (a.astype(dtype, copy=False) for a in (x, kernel, recurrent, bias))
    start = [np.zeros((N, U), dtype) if s is None else s.astype(dtype) for s in (h0, c0)]
    scale, shift = _half_sigmoid_columns(U, dtype)                 # (4U,) each
    x_proj = project_inputs(x, kernel * scale, bias * scale)       # (T, N, 4U) all steps' input parts, i, f, o halved
    recurrent_half = recurrent * scale                             # (U, 4U)
    gates = np.empty((T, N, 4 * U), dtype)                         # every step's i, f, g, o, time first
    h_prev_buf, h_prev_rec = time_major(N, T, U, dtype)            # (T, N, U) buffers and their (N, T, U) views
    c_prev_buf, c_prev_rec = time_major(N, T, U, dtype)
    c_buf, c_rec = time_major(N, T, U, dtype)
    tanh_c_buf, tanh_c_rec = time_major(N, T, U, dtype)
    ig = np.empty((N, U), dtype)                                   # scratch for i⊙g

    def step(t, xw_t, states):
        h_prev, c_prev = states
        h_prev_buf[t], c_prev_buf[t] = h_prev, c_prev
        a = np.matmul(h_prev, recurrent_half, out=gates[t])        # the step's gates are written in place
        a += xw_t                                                  # a/2 on i, f, o; a on c
        np.tanh(a, out=a)
        a *= scale                                                 # σ = ½ + ½·tanh(a/2) on i, f, o; g = tanh(a)
        a += shift
        i, f, g, o = a[:, :U], a[:, U:2 * U], a[:, 2 * U:3 * U], a[:, 3 * U:]
        c = np.multiply(f, c_prev, out=c_buf[t])                   # c = f⊙c_prev + i⊙g
        c += np.multiply(i, g, out=ig)
        return [o * np.tanh(c, out=tanh_c_buf[t]), c]              # h = o⊙tanh(c)

    h_seq, _ = run_through_time(x_proj, start, mask, step)
    i, f, g, o = (gates[:, :, k * U:(k + 1) * U].transpose(1, 0, 2) for k in range(4))   # (N, T, U) views
    return h_seq, LSTMCache(x, h_prev_rec, c_prev_rec, i, f, g, o, c_rec, tanh_c_rec,
                            mask, kernel, recurrent, h0 is not None, c0 is not None)


def lstm_backward(dh_seq, cache):
    """Backpropagation through time for :func:`lstm_forward`.

    Per step (from the last): dc_t = dc_{t+1}⊙f_{t+1} + dh_t⊙o⊙(1 − tanh²c_t); the gate gradients are
    da = [dc_t⊙g⊙i(1−i), dc_t⊙c_{t−1}⊙f(1−f), dc_t⊙i⊙(1−g²), dh_t⊙tanh(c_t)⊙o(1−o)] as in
    :func:`lstm_cell_backward`, and dh_{t−1} = da @ recurrent_kernelᵀ. Everything in these products that
    does not depend on dh or dc is computed for all steps at once before the loop, so each step is a few
    multiplications and one matrix product.

    Args:
        dh_seq: (N, T, U) ∂L/∂h_seq.
        cache: the :class:`LSTMCache`.

    Returns:
        ``(dx, grads)``: dx (N, T, D), ``{"kernel", "recurrent_kernel", "bias"}``, plus ``"h0"`` and ``"c0"``
        (N, U) for the initial states that were given.
    """
    func = "lstm_backward"
    check_cache(cache, LSTMCache, func, "lstm_forward")
    dh_seq = check_upstream(dh_seq, cache.c.shape, func).astype(cache.c.dtype, copy=False)
    N, T, U = cache.c.shape
    i, f, g, o, tc, c_prev = (a.transpose(1, 0, 2) for a in (cache.i, cache.f, cache.g, cache.o, cache.tanh_c,
                                                              cache.c_prev))        # (T, N, U) each
    # the per-step factors, all steps at once: da_{i,f,c} = dc ⊙ coef[:, :, :3], da_o = dh ⊙ coef[:, :, 3]
    coef = np.empty((T, N, 4, U), dtype=cache.c.dtype)
    coef[:, :, 0] = g * i * (1.0 - i)
    coef[:, :, 1] = c_prev * f * (1.0 - f)
    coef[:, :, 2] = i * (1.0 - g * g)
    coef[:, :, 3] = tc * o * (1.0 - o)
    dc_from_h = o * (1.0 - tc * tc)                                # ∂c_t's share of ∂L/∂h_t, per unit of dh
    da_buf = np.empty((T, N, 4, U), dtype=cache.c.dtype)           # every step's gate gradients, time first
    recurrent_T = cache.recurrent_kernel.T

    def step_backward(t, d_new):
        dh, dc = d_new
        dc = dc + dh * dc_from_h[t]                                # c_t reaches L through h_t and through c_{t+1}
        np.multiply(coef[t, :, :3], dc[:, None, :], out=da_buf[t, :, :3])
        np.multiply(coef[t, :, 3], dh, out=da_buf[t, :, 3])
        return [da_buf[t].reshape(N, 4 * U) @ recurrent_T, dc * f[t]]

    dh0, dc0 = backprop_through_time(dh_seq, cache.mask, 2, step_backward)
    extra = {**({"h0": dh0} if cache.h0_given else {}), **({"c0": dc0} if cache.c0_given else {})}
    da = da_buf.reshape(T, N, 4 * U).transpose(1, 0, 2)           # (N, T, 4U) view
    return gate_grads(cache.x, cache.h_prev, da, da, cache.kernel, extra)


@dataclass(frozen=True)
class LSTMGateTrace:
    """Every step of one sequence through an LSTM, as named (T, U) arrays (gate order i, f, c, o).

    ``i`` input gate, ``f`` forget gate, ``g`` candidate, ``o`` output gate, ``c`` cell state,
    ``h`` output; ``c_prev``/``h_prev`` are the states entering each step (row 0: c0/h0).
    """
    x: np.ndarray                  # (T, D)
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray
    c_prev: np.ndarray
    h_prev: np.ndarray

    def as_dict(self) -> dict:
        """``{"i": ..., "f": ..., "g": ..., "o": ..., "c": ..., "h": ...}`` (each (T, U))."""
        return {k: getattr(self, k) for k in ("i", "f", "g", "o", "c", "h")}


def lstm_gate_trace(x, params, h0=None, c0=None):
    """Every step's gates and states for **one** sequence, for plotting and the gate stepper.

    Args:
        x: (T, D) one sequence (or (1, T, D)).
        params: LSTM params as :func:`lstm_forward`.
        h0, c0: (U,) or (1, U) initial states, or None for zeros.

    Returns:
        :class:`LSTMGateTrace` with i, f, g, o, c, h (and h_prev, c_prev) each (T, U).

    Example:
        >>> p = {"kernel": np.zeros((1, 8)), "recurrent_kernel": np.zeros((2, 8)), "bias": np.zeros(8)}
        >>> tr = lstm_gate_trace(np.ones((3, 1)), p)
        >>> tr.f.shape, float(tr.f[0, 0])
        ((3, 2), 0.5)
    """
    func = "lstm_gate_trace"
    x = as_array(x, "x", func, ndim=(2, 3), shape_hint="(T, D) for one sequence")
    if x.ndim == 3:
        if x.shape[0] != 1:
            _fail("x", func, "one sequence (T, D) or (1, T, D)", f"shape {x.shape}",
                  "Pick one sequence, e.g. x[0]; lstm_forward handles batches.")
        x = x[0]
    check_sequence(x[None], func)                                  # non-empty
    _, _, _, U = check_params(params, func, 4, _bias_shape, x_shape=x.shape)
    states = []
    for name, s in (("h0", h0), ("c0", c0)):
        if s is not None:
            s = as_array(s, name, func, ndim=(1, 2), shape_hint=f"(U,) or (1, U) with U = {U}")
            if s.size != U or (s.ndim == 2 and s.shape[0] != 1):
                _fail(name, func, f"shape (U,) = ({U},) or (1, {U}): one state for the one sequence", f"shape {s.shape}",
                      f"Pass e.g. np.zeros({U}), or None for zeros.")
            s = s.reshape(1, U)
        states.append(s)
    h_seq, cache = lstm_forward(x[None], params, h0=states[0], c0=states[1])
    return LSTMGateTrace(x=cache.x[0], i=cache.i[0], f=cache.f[0], g=cache.g[0], o=cache.o[0], c=cache.c[0], h=h_seq[0],
                         c_prev=cache.c_prev[0], h_prev=cache.h_prev[0])
