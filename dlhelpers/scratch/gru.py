"""Gated recurrent unit (GRU): forward and backward through time, in Keras's ``reset_after=True`` layout.

Three gate blocks side by side in Keras's order **z, r, h**: kernel (D, 3U), recurrent_kernel (U, 3U),
and a bias of two rows (2, 3U): row 0 is added to the input part, row 1 to the recurrent part. One step::

    x_z, x_r, x_h = split(x_t @ kernel + bias[0])                  # (N, U) each
    r_z, r_r, r_h = split(h_{t−1} @ recurrent_kernel + bias[1])
    z  = σ(x_z + r_z)             update gate: how much of the old state to keep
    r  = σ(x_r + r_r)             reset gate: how much of the old state the candidate may see
    h̃ = tanh(x_h + r ⊙ r_h)      candidate ("reset after" the recurrent product)
    h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃

The original paper (Cho et al., 2014) resets *before* the product: h̃ = tanh(x_h + (r ⊙ h_{t−1}) @ U_h),
with a single bias. Keras's default ``reset_after=True`` (the form cuDNN implements) multiplies the
finished recurrent product by r instead, which needs the second bias row. Both are GRUs; their weights
are not interchangeable.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import as_array, check_cache, check_dout
from ._recurrent import (backprop_through_time, check_cell_state, check_mask, check_params, check_sequence, check_state,
                         check_upstream, common_dtype, gate_grads, project_inputs, run_through_time, sigmoid,
                         time_major)

__all__ = ["gru_cell_forward", "gru_cell_backward", "gru_forward", "gru_backward", "GRUCellCache", "GRUCache",
           "GRU_GATE_ORDER"]

#: Keras's order of the three blocks in kernel, recurrent_kernel and each bias row
GRU_GATE_ORDER = ("z", "r", "h")


def _bias_shape(U):
    return (2, 3 * U)


def _step(xb, h_prev, recurrent, rbias, U):
    """One GRU step from the input part xb = x_t @ kernel + bias[0] (N, 3U): returns h and the values backward needs."""
    rh = h_prev @ recurrent + rbias                               # (N, 3U) recurrent part
    z = sigmoid(xb[:, :U] + rh[:, :U])
    r = sigmoid(xb[:, U:2 * U] + rh[:, U:2 * U])
    hh = np.tanh(xb[:, 2 * U:] + r * rh[:, 2 * U:])               # candidate h̃
    return z * h_prev + (1.0 - z) * hh, (z, r, hh, rh[:, 2 * U:])


def _step_backward(dh, h_prev, z, r, hh, rh_h):
    """One step backwards: gate gradients of the input part (N, 3U), of the recurrent part (N, 3U), and ∂L/∂h_prev
    before the recurrent product's share is added."""
    dz = dh * (h_prev - hh) * z * (1.0 - z)                       # through z = σ(·)
    da_h = dh * (1.0 - z) * (1.0 - hh * hh)                       # through h̃ = tanh(·)
    dr = da_h * rh_h * r * (1.0 - r)                              # through r = σ(·)
    gx = np.concatenate([dz, dr, da_h], axis=-1)                  # ∂L/∂(x_t @ kernel + bias[0])
    gh = np.concatenate([dz, dr, da_h * r], axis=-1)              # ∂L/∂(h_prev @ recurrent_kernel + bias[1])
    return gx, gh, dh * z


# --- one step ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GRUCellCache:
    """What :func:`gru_cell_backward` needs from :func:`gru_cell_forward`."""
    x_t: np.ndarray                # (N, D)
    h_prev: np.ndarray             # (N, U)
    z: np.ndarray                  # (N, U) update gate
    r: np.ndarray                  # (N, U) reset gate
    hh: np.ndarray                 # (N, U) candidate h̃
    rh_h: np.ndarray               # (N, U) h_prev @ U_h + bias[1]_h, the part the reset gate scales
    kernel: np.ndarray             # (D, 3U)
    recurrent_kernel: np.ndarray   # (U, 3U)


def gru_cell_forward(x_t, h_prev, params):
    """One GRU step (reset_after): h = z⊙h_prev + (1 − z)⊙h̃ with h̃ = tanh(x_h + r⊙(h_prev U_h + b_h)).

    Args:
        x_t: (N, D); h_prev: (N, U).
        params: ``{"kernel": (D, 3U), "recurrent_kernel": (U, 3U), "bias": (2, 3U)}``, blocks z, r, h.

    Returns:
        ``(h, cache)``: h (N, U) and a :class:`GRUCellCache` (its z, r, hh are the gates and candidate).

    Example:
        >>> p = {"kernel": np.zeros((1, 3)), "recurrent_kernel": np.zeros((1, 3)), "bias": np.zeros((2, 3))}
        >>> h, _ = gru_cell_forward(np.ones((1, 1)), np.full((1, 1), 0.8), p)
        >>> float(h[0, 0])                # z = 0.5, h̃ = tanh(0) = 0: h = 0.5·0.8
        0.4
    """
    func = "gru_cell_forward"
    x_t = as_array(x_t, "x_t", func, ndim=2, shape_hint="(N, D)", fix="Add a batch axis, e.g. x_t[None, :].")
    kernel, recurrent, bias, U = check_params(params, func, 3, _bias_shape, x_shape=x_t.shape, x_name="x_t")
    h_prev = check_cell_state(h_prev, "h_prev", len(x_t), U, func)
    dtype = common_dtype(x_t, h_prev, kernel, recurrent, bias)
    x_t, h_prev, kernel, recurrent, bias = (a.astype(dtype, copy=False) for a in (x_t, h_prev, kernel, recurrent, bias))
    h, (z, r, hh, rh_h) = _step(x_t @ kernel + bias[0], h_prev, recurrent, bias[1], U)
    return h, GRUCellCache(x_t, h_prev, z, r, hh, rh_h, kernel, recurrent)


def gru_cell_backward(dh, cache):
    """Backward of one GRU step.

    dz = dh⊙(h_prev − h̃)⊙z(1−z), da_h = dh⊙(1−z)⊙(1−h̃²), dr = da_h⊙rh_h⊙r(1−r); the recurrent part's h block
    gets da_h⊙r; dh_prev = dh⊙z + [dz, dr, da_h⊙r] @ recurrent_kernelᵀ.

    Args:
        dh: (N, U) ∂L/∂h.
        cache: the :class:`GRUCellCache`.

    Returns:
        ``(dx_t, grads)``: dx_t (N, D) and ``{"kernel", "recurrent_kernel", "bias" (2, 3U), "h_prev"}``.
    """
    func = "gru_cell_backward"
    check_cache(cache, GRUCellCache, func, "gru_cell_forward")
    dh = check_dout(dh, cache.z.shape, func, name="dh")
    gx, gh, dh_prev = _step_backward(dh, cache.h_prev, cache.z, cache.r, cache.hh, cache.rh_h)
    return gx @ cache.kernel.T, {"kernel": cache.x_t.T @ gx, "recurrent_kernel": cache.h_prev.T @ gh,
                                 "bias": np.stack([gx.sum(axis=0), gh.sum(axis=0)]),
                                 "h_prev": dh_prev + gh @ cache.recurrent_kernel.T}


# --- a whole sequence -------------------------------------------------------------------------------

@dataclass(frozen=True)
class GRUCache:
    """What :func:`gru_backward` needs from :func:`gru_forward` (arrays (N, T, ·))."""
    x: np.ndarray                  # (N, T, D)
    h_prev: np.ndarray             # (N, T, U)
    z: np.ndarray                  # (N, T, U)
    r: np.ndarray                  # (N, T, U)
    hh: np.ndarray                 # (N, T, U)
    rh_h: np.ndarray               # (N, T, U)
    mask: np.ndarray | None
    kernel: np.ndarray             # (D, 3U)
    recurrent_kernel: np.ndarray   # (U, 3U)
    h0_given: bool


def gru_forward(x, params, h0=None, mask=None):
    """Run a GRU (Keras's reset_after=True form) over every step.

    Args:
        x: (N, T, D) sequences.
        params: ``{"kernel": (D, 3U), "recurrent_kernel": (U, 3U), "bias": (2, 3U)}``, blocks z, r, h.
        h0: (N, U) initial state, or None for zeros (then ``grads`` has no ``"h0"``).
        mask: (N, T) bool, True at real steps; padded steps carry the state and repeat the output (zeros before
            the first real step, as Keras: the state still starts from the initial state).

    Returns:
        ``(h_seq, cache)``: h_seq (N, T, U) and a :class:`GRUCache` for :func:`gru_backward`.
    """
    func = "gru_forward"
    x = check_sequence(x, func)
    N, T, D = x.shape
    kernel, recurrent, bias, U = check_params(params, func, 3, _bias_shape, x_shape=x.shape)
    h0 = check_state(h0, "h0", N, U, func)
    mask = check_mask(mask, N, T, func)
    dtype = common_dtype(x, kernel, recurrent, bias, h0)
    x, kernel, recurrent, bias = (a.astype(dtype, copy=False) for a in (x, kernel, recurrent, bias))
    start = np.zeros((N, U), dtype) if h0 is None else h0.astype(dtype)
    names = ("h_prev", "z", "r", "hh", "rh_h")
    bufs, rec = {}, {}
    for k in names:
        bufs[k], rec[k] = time_major(N, T, U, dtype)             # (T, N, U) buffers, (N, T, U) views
    x_proj = project_inputs(x, kernel, bias[0])                   # (T, N, 3U) every step's input part at once

    def step(t, xb_t, states):
        h, (z, r, hh, rh_h) = _step(xb_t, states[0], recurrent, bias[1], U)
        for k, v in zip(names, (states[0], z, r, hh, rh_h)):
            bufs[k][t] = v
        return [h]

    h_seq, _ = run_through_time(x_proj, [start], mask, step)
    return h_seq, GRUCache(x, rec["h_prev"], rec["z"], rec["r"], rec["hh"], rec["rh_h"], mask, kernel, recurrent,
                           h0 is not None)


def gru_backward(dh_seq, cache):
    """Backpropagation through time for :func:`gru_forward` (per step as :func:`gru_cell_backward`).

    Args:
        dh_seq: (N, T, U) ∂L/∂h_seq.
        cache: the :class:`GRUCache`.

    Returns:
        ``(dx, grads)``: dx (N, T, D), ``{"kernel": (D, 3U), "recurrent_kernel": (U, 3U), "bias": (2, 3U)}``,
        plus ``"h0"`` when h0 was given.
    """
    func = "gru_backward"
    check_cache(cache, GRUCache, func, "gru_forward")
    dh_seq = check_upstream(dh_seq, cache.z.shape, func).astype(cache.z.dtype, copy=False)
    N, T, U = cache.z.shape
    gx_buf = np.zeros((T, N, 3 * U), dtype=cache.z.dtype)           # time first: one block per step
    gh_buf = np.zeros_like(gx_buf)
    recurrent_T = cache.recurrent_kernel.T
    h_prev, z, r, hh, rh_h = (a.transpose(1, 0, 2) for a in (cache.h_prev, cache.z, cache.r, cache.hh, cache.rh_h))

    def step_backward(t, d_new):
        gx, gh, dh_prev = _step_backward(d_new[0], h_prev[t], z[t], r[t], hh[t], rh_h[t])
        gx_buf[t] += gx
        gh_buf[t] += gh
        return [dh_prev + gh @ recurrent_T]

    (dh0,) = backprop_through_time(dh_seq, cache.mask, 1, step_backward)
    return gate_grads(cache.x, cache.h_prev, gx_buf.transpose(1, 0, 2), gh_buf.transpose(1, 0, 2), cache.kernel,
                      {"h0": dh0} if cache.h0_given else {}, two_bias_rows=True)
