"""Input checks and small pieces shared by the recurrent twins (:mod:`rnn`, :mod:`lstm`, :mod:`gru`).

Private: the public functions live in those modules. Everything here either validates user input
(with the house message: argument → expected → got → fix) or is a tiny numerical helper used
inside the time loops, where per-step validation would cost more than the math.
"""
from __future__ import annotations

import numpy as np

from .._blas import single_thread_blas
from .._checks import _fail, as_array, check_dout, check_nonempty


def sigmoid(z):
    """σ(z) = ½(1 + tanh(z/2)) without input checks: one ufunc, no overflow for any z (used inside the time loops)."""
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def time_major(N: int, T: int, width: int, dtype):
    """A (T, N, width) buffer and its (N, T, width) view.

    The loops write and read one step at a time; with time first, each step's (N, width) slice is one
    contiguous block (batch-first slices would be strided). Caches and outputs expose the batch-first view.
    """
    buf = np.empty((T, N, width), dtype=dtype)
    return buf, buf.transpose(1, 0, 2)


def check_sequence(x, func: str) -> np.ndarray:
    """x as a non-empty (N, T, D) float array."""
    x = as_array(x, "x", func, ndim=3, shape_hint="(N, T, D): batch, time steps, features per step",
                 fix="Add the missing axes, e.g. x[None] for one sequence or x[..., None] for one feature per step.")
    check_nonempty(x, "x", func)
    return x


def check_params(params, func: str, gates: int, bias_shape, *, x_shape: tuple | None, x_name: str = "x",
                 name: str = "params"):
    """The (kernel, recurrent_kernel, bias) of a recurrent layer, in Keras's layout.

    Args:
        params: dict with exactly the keys ``kernel`` (D, gates·U), ``recurrent_kernel`` (U, gates·U) and
            ``bias`` (``bias_shape(U)``).
        gates: how many gate blocks are stacked side by side (1 SimpleRNN, 4 LSTM, 3 GRU).
        bias_shape: a function U → the bias's shape.
        x_shape, x_name: the input's shape and argument name; its last axis (D) must equal the kernel's rows
            (None: not checked).

    Returns:
        ``(kernel, recurrent_kernel, bias, U)`` as float arrays.
    """
    keys = ("kernel", "recurrent_kernel", "bias")
    if not isinstance(params, dict):
        _fail(name, func, f"a dict with keys {', '.join(map(repr, keys))}", type(params).__name__,
              "Pass e.g. {'kernel': W, 'recurrent_kernel': U, 'bias': b}.", exc=TypeError)
    missing = [k for k in keys if k not in params]
    extra = sorted(map(str, set(params) - set(keys)))
    if missing or extra:
        _fail(name, func, f"a dict with exactly the keys {', '.join(map(repr, keys))}",
              f"missing {missing}, unexpected {extra}", "Keras's names: kernel, recurrent_kernel, bias.")
    what = {1: "", 3: " (3 gate blocks z, r, h side by side)", 4: " (4 gate blocks i, f, c, o side by side)"}[gates]
    kernel = as_array(params["kernel"], f"{name}['kernel']", func, ndim=2, shape_hint=f"(D, {gates}·U){what}")
    recurrent = as_array(params["recurrent_kernel"], f"{name}['recurrent_kernel']", func, ndim=2,
                         shape_hint=f"(U, {gates}·U)")
    check_nonempty(kernel, f"{name}['kernel']", func)
    check_nonempty(recurrent, f"{name}['recurrent_kernel']", func)
    U = recurrent.shape[0]
    if recurrent.shape != (U, gates * U):
        _fail(f"{name}['recurrent_kernel']", func, f"(U, {gates}·U) = ({U}, {gates * U}) for U = {U} units{what}",
              f"shape {recurrent.shape}",
              "Stack the gate matrices side by side along the last axis, in Keras's order.")
    if kernel.shape[1] != gates * U:
        _fail(f"{name}['kernel']", func, f"(D, {gates}·U) = (D, {gates * U}) to match recurrent_kernel {recurrent.shape}"
              f"{what}", f"shape {kernel.shape}", "Both kernels stack the same gate blocks, U columns each.")
    if x_shape is not None and kernel.shape[0] != x_shape[-1]:
        raise ValueError(f"{x_name}'s last axis and {name}['kernel'] rows must agree (D) for {func}; got {x_name} of "
                         f"shape {tuple(x_shape)} (D = {x_shape[-1]}) and {name}['kernel'] of shape {kernel.shape}. "
                         f"The kernel is (D, {gates}·U) as in Keras: one row per input feature.")
    bias = as_array(params["bias"], f"{name}['bias']", func)
    if bias.shape != tuple(bias_shape(U)):
        _fail(f"{name}['bias']", func, f"shape {tuple(bias_shape(U))} for U = {U} units", f"shape {bias.shape}",
              "Start from zeros of that shape.")
    return kernel, recurrent, bias, U


def check_state(state, name: str, N: int, U: int, func: str):
    """An initial state (h0 or c0): None, or an (N, U) float array."""
    if state is None:
        return None
    state = as_array(state, name, func, ndim=2, shape_hint=f"(N, U) = ({N}, {U})")
    if state.shape != (N, U):
        _fail(name, func, f"shape (N, U) = ({N}, {U}): one state row per sequence", f"shape {state.shape}",
              f"Pass e.g. np.zeros(({N}, {U})), or None for zeros.")
    return state


def check_cell_state(state, name: str, N: int, U: int, func: str):
    """A cell's incoming state (h_prev or c_prev): an (N, U) float array matching x_t's batch and the units."""
    state = as_array(state, name, func, ndim=2, shape_hint=f"(N, U) = ({N}, {U})")
    if state.shape != (N, U):
        _fail(name, func, f"shape (N, U) = ({N}, {U})", f"shape {state.shape}",
              "One state row per sample in x_t, U = recurrent_kernel.shape[0] columns.")
    return state


def check_mask(mask, N: int, T: int, func: str):
    """A (N, T) bool mask (True = a real step), or None. 0/1 numbers are accepted as bools."""
    if mask is None:
        return None
    arr = mask if isinstance(mask, np.ndarray) else None
    if arr is None or arr.dtype != bool:
        m = as_array(mask, "mask", func, ndim=2, shape_hint=f"(N, T) = ({N}, {T}) of bools")
        if not np.all((m == 0) | (m == 1)):
            _fail("mask", func, "bools (True = a real step, False = padding)", "values other than 0 and 1",
                  "Pass e.g. lengths[:, None] > np.arange(T).")
        arr = m.astype(bool)
    if arr.shape != (N, T):
        _fail("mask", func, f"shape (N, T) = ({N}, {T}) matching x", f"shape {arr.shape}",
              "One flag per sequence and time step, e.g. dlhelpers.data.pad_sequences(...) returns it.")
    return arr


def common_dtype(*arrays):
    """The float dtype of the computation: float32 stays float32 only if every input is float32."""
    return np.result_type(*[a for a in arrays if a is not None], np.float32)


def check_upstream(dh_seq, shape, func: str):
    """dh_seq as an array of the forward output's shape (same check as every backward's dout)."""
    return check_dout(dh_seq, shape, func, name="dh_seq")


def run_through_time(x_proj, states, mask, step):
    """The forward time loop with Keras's masking, shared by SimpleRNN, LSTM and GRU.

    Args:
        x_proj: (T, N, ·) the inputs already multiplied by the kernel (one product for all steps), time first.
        states: list of the initial state arrays, each (N, U); ``states[0]`` is h, the output.
        mask: (N, T) bool or None.
        step: ``step(t, x_proj[t], states) -> new_states``; it records what its backward needs at index t.

    Returns:
        ``(h_seq, states)``: the outputs (N, T, U) and the final states. Where ``mask[n, t]`` is False the
        states are carried over unchanged and the output repeats the previous output (zeros before the
        first real step, as Keras's ``backend.rnn`` does).
    """
    T, N = x_proj.shape[:2]
    buf, h_seq = time_major(N, T, states[0].shape[1], states[0].dtype)      # (T, N, U) and its (N, T, U) view
    y = np.zeros_like(states[0])                                               # output before step 0
    with single_thread_blas():        # T small products in a row: one BLAS thread, fast idle and on a busy server
        for t in range(T):
            new = step(t, x_proj[t], states)
            if mask is None:
                states, y = new, new[0]
            else:
                m = mask[:, t, None]                                           # (N, 1)
                states = [np.where(m, a, b) for a, b in zip(new, states)]
                y = np.where(m, new[0], y)
            buf[t] = y
    return h_seq, states


def backprop_through_time(dh_seq, mask, n_states, step_backward, truncate=None):
    """The backward time loop, shared by SimpleRNN, LSTM and GRU (masking and truncation included).

    Args:
        dh_seq: (N, T, U) gradient of the loss with respect to every output.
        mask: (N, T) bool or None (as in the forward pass).
        n_states: 1 (h) or 2 (h, c).
        step_backward: ``step_backward(t, d_new_states) -> d_states_entering_step_t``; it *adds* step t's
            gate gradients into arrays of its own (a step may be visited by several truncated windows).
        truncate: None (full BPTT) or k: the loss at step t reaches steps t−k+1 … t only.

    Returns:
        The gradients with respect to the initial states (list of n_states arrays (N, U)).
    """
    N, T, U = dh_seq.shape
    dy_all = np.ascontiguousarray(dh_seq.transpose(1, 0, 2))                  # (T, N, U): one block per step
    zeros = np.zeros((N, U), dtype=dh_seq.dtype)
    d_init = [zeros.copy() for _ in range(n_states)]

    def sweep(hi, lo, dy):
        """Steps hi → lo; dy(t) is the output gradient arriving at step t."""
        ds = [zeros] * n_states                  # ∂L/∂(state leaving step t)
        carry = zeros                            # ∂L/∂(output y_t) handed down by later masked steps
        for t in range(hi, lo - 1, -1):
            g_y = dy(t) + carry
            if mask is None:
                ds = step_backward(t, [ds[0] + g_y, *ds[1:]])
                continue
            m = mask[:, t, None]
            d_new = [np.where(m, ds[0] + g_y, 0.0), *(np.where(m, d, 0.0) for d in ds[1:])]
            d_prev = step_backward(t, d_new)
            ds = [np.where(m, dp, d) for dp, d in zip(d_prev, ds)]
            carry = np.where(m, 0.0, g_y)        # a masked output repeats y_{t−1}
        if lo == 0:                              # the window reached the initial state
            for i in range(n_states):
                d_init[i] += ds[i]

    with single_thread_blas():
        if truncate is None or truncate >= T:
            sweep(T - 1, 0, lambda t: dy_all[t])
        else:
            for t_end in range(T):               # each loss step gets its own window of `truncate` steps
                if not dy_all[t_end].any():      # no loss at this step (e.g. many-to-one): nothing to send back
                    continue
                sweep(t_end, max(0, t_end - truncate + 1), lambda t, t_end=t_end: dy_all[t] if t == t_end else zeros)
    return d_init


def project_inputs(x, kernel, bias):
    """x @ kernel + bias for every step at once, time first: (N, T, D) → (T, N, G) (one matrix product)."""
    N, T, D = x.shape
    out = x.transpose(1, 0, 2).reshape(T * N, D) @ kernel       # (T·N, G)
    out += bias                  # in place: `@ kernel + bias` allocates a second large array, ~5× slower here
    return out.reshape(T, N, -1)


def zeros_time_major(like_view):
    """A zero (T, N, G) buffer for gradients and its (N, T, G) view, shaped like a batch-first view."""
    N, T, G = like_view.shape
    buf = np.zeros((T, N, G), dtype=like_view.dtype)
    return buf, buf.transpose(1, 0, 2)


def gate_grads(x, h_prev, dgates_x, dgates_h, kernel, extra, two_bias_rows=False):
    """The weight gradients from every step's gate gradients, each one product over all T·N rows.

    ∂L/∂kernel = Σ_t x_tᵀ dgates_x,t,  ∂L/∂recurrent_kernel = Σ_t h_{t−1}ᵀ dgates_h,t,  ∂L/∂bias = Σ dgates_x,t
    (the GRU's bias has two rows: the input part's and the recurrent part's). Shared by SimpleRNN, LSTM and GRU.
    The (N, T, ·) arguments are batch-first views; they are read time first so no gate array is copied.
    """
    N, T, D = x.shape
    G = dgates_x.shape[-1]
    gx = dgates_x.transpose(1, 0, 2).reshape(T * N, G)            # (T·N, gates·U), free for time-major buffers
    gh = dgates_h.transpose(1, 0, 2).reshape(T * N, G)
    grads = {"kernel": x.transpose(1, 0, 2).reshape(T * N, D).T @ gx,                  # (D, gates·U)
             "recurrent_kernel": h_prev.transpose(1, 0, 2).reshape(T * N, -1).T @ gh,  # (U, gates·U)
             "bias": np.stack([gx.sum(axis=0), gh.sum(axis=0)]) if two_bias_rows else gx.sum(axis=0)}
    dx = (gx @ kernel.T).reshape(T, N, D).transpose(1, 0, 2)      # (N, T, D)
    return dx, {**grads, **extra}
