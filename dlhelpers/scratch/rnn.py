"""A simple (Elman) recurrent layer, backpropagation through time, and bidirectional wrapping.

One step, in Keras's layout (kernel (D, U), recurrent_kernel (U, U), bias (U,))::

    z_t = x_t @ kernel + h_{t−1} @ recurrent_kernel + bias        # (N, U)
    h_t = tanh(z_t)

The same three arrays are used at every step (parameter sharing), so their gradients are sums
over time. Backpropagation through time (BPTT) runs the chain rule backwards step by step::

    dz_t      = (∂L/∂h_t  +  dz_{t+1} @ recurrent_kernelᵀ) ⊙ tanh'(z_t)
    ∂L/∂kernel = Σ_t x_tᵀ dz_t,  ∂L/∂recurrent_kernel = Σ_t h_{t−1}ᵀ dz_t,  ∂L/∂bias = Σ_t Σ_n dz_t

Each backward factor multiplies by recurrent_kernelᵀ and by tanh' ≤ 1: over many steps the
gradient shrinks (vanishes) or grows (explodes) geometrically, the subject of the fourth notebook.

``mask`` (N, T) marks real steps (True) and padding (False): at a padded step the state is carried
over unchanged and the output repeats the previous output (zeros before the first real step), as
Keras 3 does after a ``Masking`` layer.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import _fail, as_array, check_cache, check_choice, check_count, check_dout
from . import activations as A
from ._recurrent import (backprop_through_time, check_cell_state, check_mask, check_params, check_sequence, check_state,
                         check_upstream, common_dtype, gate_grads, project_inputs, run_through_time, time_major,
                         zeros_time_major)

__all__ = ["simple_rnn_cell_forward", "simple_rnn_cell_backward", "simple_rnn_forward", "simple_rnn_backward",
           "bidirectional_forward", "bidirectional_backward", "SimpleRNNCellCache", "SimpleRNNCache",
           "BidirectionalCache", "RNN_ACTIVATIONS", "MERGE_MODES", "CELLS"]

#: activations a SimpleRNN may use (elementwise ones with a derivative)
RNN_ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear", "leaky_relu", "elu", "softplus")


def _bias_shape(U):
    return (U,)


def _activation(name, func):
    check_choice(name, "activation", func, RNN_ACTIVATIONS)
    return A.get_activation(name)


def _act(name, z):
    """activation(z) on arrays already checked (np.tanh directly for the common case)."""
    return np.tanh(z) if name == "tanh" else A.get_activation(name).fn(z)


def _act_derivative(name, z, h):
    """activation'(z); for tanh from the output h (1 − h²), which the forward pass already holds."""
    return 1.0 - h * h if name == "tanh" else A.get_activation(name).derivative(z)


# --- one step ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SimpleRNNCellCache:
    """What :func:`simple_rnn_cell_backward` needs from :func:`simple_rnn_cell_forward`."""
    x_t: np.ndarray                # (N, D)
    h_prev: np.ndarray             # (N, U)
    z: np.ndarray                  # (N, U) pre-activation
    h: np.ndarray                  # (N, U) = activation(z)
    kernel: np.ndarray             # (D, U)
    recurrent_kernel: np.ndarray   # (U, U)
    activation: str


def simple_rnn_cell_forward(x_t, h_prev, params, activation="tanh"):
    """One step: h = activation(x_t @ kernel + h_prev @ recurrent_kernel + bias).

    Args:
        x_t: (N, D) the inputs of this step.
        h_prev: (N, U) the previous state.
        params: ``{"kernel": (D, U), "recurrent_kernel": (U, U), "bias": (U,)}`` as Keras's SimpleRNN.
        activation: one of :data:`RNN_ACTIVATIONS` (Keras's default is "tanh").

    Returns:
        ``(h, cache)``: h (N, U) and a :class:`SimpleRNNCellCache` for :func:`simple_rnn_cell_backward`.

    Example:
        >>> p = {"kernel": np.array([[0.5]]), "recurrent_kernel": np.array([[1.0]]), "bias": np.zeros(1)}
        >>> h, _ = simple_rnn_cell_forward(np.array([[2.0]]), np.array([[0.0]]), p)
        >>> round(float(h[0, 0]), 4)      # tanh(2·0.5 + 0·1) = tanh(1)
        0.7616
    """
    func = "simple_rnn_cell_forward"
    x_t = as_array(x_t, "x_t", func, ndim=2, shape_hint="(N, D)", fix="Add a batch axis, e.g. x_t[None, :].")
    kernel, recurrent, bias, U = check_params(params, func, 1, _bias_shape, x_shape=x_t.shape, x_name="x_t")
    h_prev = check_cell_state(h_prev, "h_prev", len(x_t), U, func)
    name = _activation(activation, func).name
    dtype = common_dtype(x_t, h_prev, kernel, recurrent, bias)
    x_t, h_prev, kernel, recurrent, bias = (a.astype(dtype, copy=False) for a in (x_t, h_prev, kernel, recurrent, bias))
    z = x_t @ kernel + h_prev @ recurrent + bias                  # (N, U)
    h = _act(name, z)
    return h, SimpleRNNCellCache(x_t, h_prev, z, h, kernel, recurrent, name)


def simple_rnn_cell_backward(dh, cache):
    """Backward of one step: dz = dh ⊙ activation'(z); dx_t = dz Wᵀ, dh_prev = dz Uᵀ, dW = x_tᵀ dz, dU = h_prevᵀ dz.

    Args:
        dh: (N, U) ∂L/∂h for this step's output.
        cache: the :class:`SimpleRNNCellCache` of :func:`simple_rnn_cell_forward`.

    Returns:
        ``(dx_t, grads)``: dx_t (N, D) and ``{"kernel", "recurrent_kernel", "bias", "h_prev"}``.
    """
    func = "simple_rnn_cell_backward"
    check_cache(cache, SimpleRNNCellCache, func, "simple_rnn_cell_forward")
    dh = check_dout(dh, cache.h.shape, func, name="dh")
    dz = dh * _act_derivative(cache.activation, cache.z, cache.h)   # (N, U)
    return dz @ cache.kernel.T, {"kernel": cache.x_t.T @ dz, "recurrent_kernel": cache.h_prev.T @ dz,
                                 "bias": dz.sum(axis=0), "h_prev": dz @ cache.recurrent_kernel.T}


# --- a whole sequence ------------------------------------------------------------------------------

@dataclass(frozen=True)
class SimpleRNNCache:
    """What :func:`simple_rnn_backward` needs from :func:`simple_rnn_forward` (arrays are (N, T, ·))."""
    x: np.ndarray                  # (N, T, D)
    h_prev: np.ndarray             # (N, T, U) the state entering each step
    z: np.ndarray                  # (N, T, U) pre-activations
    h_new: np.ndarray              # (N, T, U) activation(z), the step's new state before masking
    mask: np.ndarray | None        # (N, T) bool
    kernel: np.ndarray             # (D, U)
    recurrent_kernel: np.ndarray   # (U, U)
    activation: str
    h0_given: bool


def simple_rnn_forward(x, params, h0=None, activation="tanh", mask=None):
    """Run a SimpleRNN over every step: h_t = activation(x_t @ kernel + h_{t−1} @ recurrent_kernel + bias).

    Args:
        x: (N, T, D) sequences.
        params: ``{"kernel": (D, U), "recurrent_kernel": (U, U), "bias": (U,)}`` (Keras's SimpleRNN layout).
        h0: (N, U) initial state, or None for zeros (then ``grads`` has no ``"h0"``).
        activation: one of :data:`RNN_ACTIVATIONS`.
        mask: (N, T) bool, True at real steps; padded steps carry the state and repeat the output (zeros before
            the first real step, as Keras: the state still starts from the initial state).

    Returns:
        ``(h_seq, cache)``: h_seq (N, T, U), every step's output (``h_seq[:, -1]`` is the last state
        when the last step is real), and a :class:`SimpleRNNCache` for :func:`simple_rnn_backward`.

    Example:
        >>> p = {"kernel": np.ones((1, 1)), "recurrent_kernel": np.ones((1, 1)), "bias": np.zeros(1)}
        >>> h_seq, _ = simple_rnn_forward(np.array([[[1.0], [0.0]]]), p, activation="linear")
        >>> h_seq[0, :, 0].tolist()       # h1 = 1, h2 = 0 + 1·h1
        [1.0, 1.0]
    """
    func = "simple_rnn_forward"
    x = check_sequence(x, func)
    N, T, D = x.shape
    kernel, recurrent, bias, U = check_params(params, func, 1, _bias_shape, x_shape=x.shape)
    h0 = check_state(h0, "h0", N, U, func)
    mask = check_mask(mask, N, T, func)
    name = _activation(activation, func).name
    dtype = common_dtype(x, kernel, recurrent, bias, h0)
    x, kernel, recurrent, bias = (a.astype(dtype, copy=False) for a in (x, kernel, recurrent, bias))
    h_start = np.zeros((N, U), dtype) if h0 is None else h0.astype(dtype)
    (hp_buf, h_prev), (z_buf, z_all), (h_buf, h_new) = (time_major(N, T, U, dtype) for _ in range(3))
    x_proj = project_inputs(x, kernel, bias)                      # (T, N, U): every step's input part at once

    def step(t, xw_t, states):
        hp_buf[t] = states[0]
        z_buf[t] = z = xw_t + states[0] @ recurrent                 # (N, U)
        h_buf[t] = h = _act(name, z)
        return [h]

    h_seq, _ = run_through_time(x_proj, [h_start], mask, step)
    return h_seq, SimpleRNNCache(x, h_prev, z_all, h_new, mask, kernel, recurrent, name, h0 is not None)


def simple_rnn_backward(dh_seq, cache, truncate=None):
    """Backpropagation through time for :func:`simple_rnn_forward` (truncated when ``truncate`` is set).

    dz_t = (∂L/∂h_t + dz_{t+1} @ recurrent_kernelᵀ) ⊙ activation'(z_t); the weight gradients sum over t.

    Args:
        dh_seq: (N, T, U) ∂L/∂h_seq (zeros except the last step for a many-to-one model).
        cache: the :class:`SimpleRNNCache` of :func:`simple_rnn_forward`.
        truncate: None (full BPTT) or a whole number k ≥ 1: the loss at step t backpropagates into steps
            t−k+1 … t only, the state entering step t−k+1 being treated as a constant (a window that
            starts at step 0 reaches h0). ``truncate=1`` drops the recurrence; k ≥ T is full BPTT.

    Returns:
        ``(dx, grads)``: dx (N, T, D) and ``{"kernel": (D, U), "recurrent_kernel": (U, U), "bias": (U,)}``,
        plus ``"h0"`` (N, U) when ``h0`` was given.
    """
    func = "simple_rnn_backward"
    check_cache(cache, SimpleRNNCache, func, "simple_rnn_forward")
    dh_seq = check_upstream(dh_seq, cache.h_new.shape, func).astype(cache.h_new.dtype, copy=False)
    truncate = _check_truncate(truncate, func)
    dz_buf, dz = zeros_time_major(cache.z)                        # (T, N, U), summed over the windows visiting t
    deriv = _act_derivative(cache.activation, cache.z, cache.h_new).transpose(1, 0, 2)   # (T, N, U)
    recurrent_T = cache.recurrent_kernel.T

    def step_backward(t, d_new):
        dz_t = d_new[0] * deriv[t]                                # (N, U)
        dz_buf[t] += dz_t
        return [dz_t @ recurrent_T]

    (dh0,) = backprop_through_time(dh_seq, cache.mask, 1, step_backward, truncate)
    return gate_grads(cache.x, cache.h_prev, dz, dz, cache.kernel, {"h0": dh0} if cache.h0_given else {})


def _check_truncate(truncate, func):
    if truncate is None:
        return None
    return check_count(truncate, "truncate", func, maximum=10 ** 9)


# --- bidirectional -------------------------------------------------------------------------------

MERGE_MODES = ("concat", "sum", "mul", "ave")


def _cells():
    """cell name → (forward, backward) of one direction; imported late (lstm and gru import this module)."""
    from . import gru, lstm
    return {"simple_rnn": (simple_rnn_forward, simple_rnn_backward),
            "lstm": (lstm.lstm_forward, lstm.lstm_backward),
            "gru": (gru.gru_forward, gru.gru_backward)}


#: the cells :func:`bidirectional_forward` can wrap
CELLS = ("simple_rnn", "lstm", "gru")


@dataclass(frozen=True)
class BidirectionalCache:
    """What :func:`bidirectional_backward` needs: both directions' caches and the merge."""
    cell: str
    merge_mode: str
    forward: object                # the forward direction's cache
    backward: object               # the backward direction's cache (it ran on the time-reversed input)
    out_forward: np.ndarray        # (N, T, U) the forward direction's outputs (zeros at padded steps)
    out_backward: np.ndarray       # (N, T, U) the backward direction's outputs, back in forward time order
    mask: np.ndarray | None


def bidirectional_forward(x, params, cell="lstm", merge_mode="concat", mask=None):
    """Run one recurrent layer forwards and another backwards in time, and merge their outputs (Keras's ``Bidirectional``).

    The backward direction reads ``x[:, ::-1]`` (with the mask reversed too); its outputs are reversed
    back so that position t of both directions refers to step t. Merged as Keras: "concat" (last axis),
    "sum", "mul" or "ave". With a mask, the outputs at padded steps are zeros (Keras's Bidirectional sets
    ``zero_output_for_mask`` when it returns sequences).

    Args:
        x: (N, T, D).
        params: ``{"forward": {...}, "backward": {...}}``, each the params of ``cell`` (same U).
        cell: one of :data:`CELLS` ("simple_rnn", "lstm", "gru").
        merge_mode: one of :data:`MERGE_MODES`.
        mask: (N, T) bool or None.

    Returns:
        ``(out, cache)``: out (N, T, 2U) for "concat", else (N, T, U); a :class:`BidirectionalCache`.
    """
    func = "bidirectional_forward"
    check_choice(cell, "cell", func, CELLS)
    check_choice(merge_mode, "merge_mode", func, MERGE_MODES)
    if not isinstance(params, dict) or set(params) != {"forward", "backward"}:
        got = sorted(map(str, params)) if isinstance(params, dict) else type(params).__name__
        _fail("params", func, "a dict with the keys 'forward' and 'backward' (one params dict per direction)",
              repr(got), "Pass {'forward': params_fw, 'backward': params_bw}.", exc=TypeError if not
              isinstance(params, dict) else ValueError)
    x = check_sequence(x, func)
    mask = check_mask(mask, x.shape[0], x.shape[1], func)
    fwd, _ = _cells()[cell]
    runs = {}
    for side, xs, ms in (("forward", x, mask), ("backward", x[:, ::-1], None if mask is None else mask[:, ::-1])):
        try:
            runs[side] = fwd(xs, params[side], mask=ms)
        except (ValueError, TypeError) as exc:     # name the direction: params['backward']['kernel'], ...
            msg = str(exc).replace("params[", f"params[{side!r}][").replace("params must", f"params[{side!r}] must")
            raise type(exc)(f"{msg} (bidirectional_forward with cell={cell!r})") from None
    (out_f, cache_f), (out_b, cache_b) = runs["forward"], runs["backward"]
    out_b = out_b[:, ::-1]                                        # back to forward time order
    if out_f.shape != out_b.shape:
        _fail("params['forward'] and params['backward']", func, "the same number of units U",
              f"U = {out_f.shape[-1]} and {out_b.shape[-1]}", "Give both directions the same units, as Keras does.")
    if mask is not None:
        out_f, out_b = out_f * mask[..., None], out_b * mask[..., None]
    out = {"concat": lambda: np.concatenate([out_f, out_b], axis=-1), "sum": lambda: out_f + out_b,
           "mul": lambda: out_f * out_b, "ave": lambda: (out_f + out_b) / 2}[merge_mode]()
    return out, BidirectionalCache(cell, merge_mode, cache_f, cache_b, out_f, out_b, mask)


def bidirectional_backward(dout, cache):
    """Backward of :func:`bidirectional_forward`: split the merge's gradient, run each direction's BPTT, add the dx.

    Args:
        dout: (N, T, 2U) for "concat", else (N, T, U).
        cache: the :class:`BidirectionalCache`.

    Returns:
        ``(dx, grads)``: dx (N, T, D) and ``{"forward": {...}, "backward": {...}}`` keyed like params.
    """
    func = "bidirectional_backward"
    check_cache(cache, BidirectionalCache, func, "bidirectional_forward")
    f, b = cache.out_forward, cache.out_backward
    U = f.shape[-1]
    shape = (*f.shape[:2], 2 * U) if cache.merge_mode == "concat" else f.shape
    dout = check_upstream(dout, shape, func).astype(f.dtype, copy=False)
    if cache.merge_mode == "concat":
        df, db = dout[..., :U], dout[..., U:]
    elif cache.merge_mode == "sum":
        df = db = dout
    elif cache.merge_mode == "ave":
        df = db = dout / 2
    else:                                                         # mul
        df, db = dout * b, dout * f
    if cache.mask is not None:                                    # padded outputs were set to zero
        df, db = df * cache.mask[..., None], db * cache.mask[..., None]
    _, bwd = _cells()[cache.cell]
    dx_f, g_f = bwd(df, cache.forward)
    dx_b, g_b = bwd(db[:, ::-1], cache.backward)
    return dx_f + dx_b[:, ::-1], {"forward": g_f, "backward": g_b}
