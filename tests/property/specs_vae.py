"""Property specs for dlhelpers.scratch.vae (registered on import by specs.py).

The latent functions draw (N, L) arrays of one shape, with ranges that keep exp(log_var / 2)·eps and the float32
forms free of cancellation (mu in ±10, log_var in ±6, eps in ±5); the losses draw pixels in [0, 1] (Bernoulli,
logits in ±30) or any values up to ±BIG (Gaussian). Beyond the shared promise they check the shapes, the signs the
formulas promise (KL ≥ 0, −log p ≥ 0) and loss = reconstruction + β·KL.

``reparameterize_backward`` returns the pair (dmu, dlog_var), not the (dx, grads) of a layer, so its entry is
written here with the same dout checks as :func:`tests.property.specs.backward_of` (right dz, wrong-shaped dz →
ValueError, bad dz) and its bad-cache checks.

The VAE entry builds a small VAE (settings drawn, or one setting spoilt) and calls each of its methods in turn with
valid or spoilt arguments (``fit``'s ``epochs`` is kept valid: a spoilt 10⁴ would only make the test slow).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from dlhelpers.scratch import vae
from dlhelpers.scratch.activations import ACTIVATIONS
from dlhelpers.scratch.layers import Dense
from dlhelpers.scratch.network import Sequential
from tests.property.contract import (BIG, Refused, arrays, attempt, attempt_or_none, bad_value, finite, spoil)
from tests.property.specs import backward_of, calls, record_of, scalar_out, spec, wrong_shapes

LIKELIHOODS = sorted(vae.LIKELIHOODS)


# --- the latent functions -------------------------------------------------------------------------------------

def _nl(d):
    return d.draw(st.integers(1, 4), label="N"), d.draw(st.integers(1, 4), label="L")


def _mu_log_var(d, shape):
    return d.draw(arrays(shape, -10.0, 10.0), label="mu"), d.draw(arrays(shape, -6.0, 6.0), label="log_var")


def _rep_args(d):
    shape = _nl(d)
    mu, log_var = _mu_log_var(d, shape)
    return (mu, log_var, d.draw(arrays(shape, -5.0, 5.0), label="eps")), {}


def _kl_args(d):
    return _mu_log_var(d, _nl(d)), {}


def _rep_out(result, args, kwargs):
    z, cache = result
    mu, log_var, eps = args
    assert z.shape == mu.shape and isinstance(cache, vae.ReparameterizeCache)
    np.testing.assert_allclose(z, mu + np.exp(log_var / 2) * eps, rtol=1e-12, atol=1e-12)


def _kl_out(result, args, kwargs):
    scalar_out(result, args, kwargs)
    assert result >= 0, f"the KL divergence is never negative: {result}"


def _pair_out(result, args, kwargs):
    dmu, dlog_var = result
    assert dmu.shape == dlog_var.shape == np.shape(args[0])


spec("reparameterize")(calls(_rep_args, out=_rep_out))
spec("ReparameterizeCache")(record_of(lambda d: vae.reparameterize(*_rep_args(d)[0])))
spec("gaussian_kl")(calls(_kl_args, out=_kl_out))
spec("gaussian_kl_grad")(calls(_kl_args, out=_pair_out))


def _reparameterize_backward():
    """dz checks as backward_of's, for a backward pass that returns (dmu, dlog_var)."""
    base = backward_of("reparameterize", vae, _rep_args, set())

    def check(data, fn):
        args, kwargs = _rep_args(data)
        z, cache = attempt(vae.reparameterize, *args, expect="ok", **kwargs)
        mode = data.draw(st.sampled_from(["right", "wrong shape", "bad value"]), label="dz")
        label = fn.__qualname__
        if mode == "right":
            dz = data.draw(arrays(z.shape, -10.0, 10.0), label="dz")
            dmu, dlog_var = attempt(fn, dz, cache, expect="ok", label=label)
            assert dmu.shape == dlog_var.shape == z.shape, f"{label}: shapes {dmu.shape}, {dlog_var.shape}"
            np.testing.assert_array_equal(dmu, dz)
            np.testing.assert_allclose(dlog_var, 0.5 * dz * args[2] * np.exp(args[1] / 2), rtol=1e-12, atol=1e-300)
        elif mode == "wrong shape":
            wrong = data.draw(st.sampled_from(wrong_shapes(z.shape)), label="wrong shape")
            try:
                attempt(fn, np.ones(wrong), cache, expect="error", label=label)
            except Refused as r:
                assert isinstance(r.exc, ValueError), f"{label}: a wrong-shaped dz must raise ValueError; got {r}"
        else:
            attempt_or_none(fn, data.draw(bad_value(), label="bad dz"), cache, label=label)

    check.is_backward, check.bad_cache = True, base.bad_cache
    check.forward_name, check.module, check.valid_forward = base.forward_name, base.module, base.valid_forward
    return check


spec("reparameterize_backward")(_reparameterize_backward())


# --- the reconstruction term and −ELBO -----------------------------------------------------------------------------

def _recon_args(d, n=None):
    likelihood = d.draw(st.sampled_from(LIKELIHOODS), label="likelihood")
    n = d.draw(st.integers(1, 3), label="N") if n is None else n
    shape = (n, *d.draw(st.sampled_from([(3,), (2, 2, 1), (2, 3)]), label="sample shape"))
    if likelihood == "bernoulli":
        x, out = d.draw(arrays(shape, 0.0, 1.0), label="x"), d.draw(arrays(shape, -30.0, 30.0), label="logits")
    else:
        x, out = d.draw(arrays(shape, -BIG, BIG), label="x"), d.draw(arrays(shape, -BIG, BIG), label="means")
    return (x, out), {"likelihood": likelihood, "sigma": d.draw(finite(1e-2, 1e2), label="sigma")}


def _nll_out(result, args, kwargs):
    scalar_out(result, args, kwargs)
    assert result >= 0, f"−log p of a Bernoulli or (constant-free) Gaussian is never negative: {result}"


def _vae_loss_args(d):
    (x, out), kwargs = _recon_args(d)
    mu, log_var = _mu_log_var(d, (len(x), d.draw(st.integers(1, 3), label="L")))
    return (x, out, mu, log_var), {**kwargs, "beta": d.draw(finite(0.0, 10.0), label="beta")}


def _vae_loss_out(result, args, kwargs):
    assert sorted(result) == ["kl", "loss", "reconstruction"]
    assert result["loss"] == result["reconstruction"] + kwargs["beta"] * result["kl"]
    assert result["kl"] >= 0 and result["reconstruction"] >= 0


spec("reconstruction_nll")(calls(_recon_args, out=_nll_out))
spec("reconstruction_nll_grad")(calls(_recon_args, out=lambda r, a, k: r.shape == np.shape(a[1])))
spec("vae_loss")(calls(_vae_loss_args, out=_vae_loss_out))


# --- the builders ---------------------------------------------------------------------------------------------

def _settings(d):
    return {"activation": d.draw(st.sampled_from(sorted(ACTIVATIONS))),
            "likelihood": d.draw(st.sampled_from(LIKELIHOODS)), "beta": d.draw(finite(0.0, 4.0)),
            "sigma": d.draw(finite(0.1, 10.0)), "optimizer": d.draw(st.sampled_from(["sgd", "rmsprop", "adam"])),
            "learning_rate": d.draw(finite(1e-4, 0.1)), "rng": d.draw(st.integers(0, 99)),
            "dtype": d.draw(st.sampled_from([np.float64, np.float32]))}


def _dense_args(d):
    shape = d.draw(st.sampled_from([3, (2, 2), (2, 2, 1)]), label="input_shape")
    return (), {"input_shape": shape, "latent_dim": d.draw(st.integers(1, 3)),
                "hidden": tuple(d.draw(st.lists(st.integers(1, 4), max_size=2), label="hidden")), **_settings(d)}


def _conv_args(d):
    return (), {"input_shape": d.draw(st.sampled_from([(2, 2, 1), (4, 4, 1), (4, 2, 2)])),
                "latent_dim": d.draw(st.integers(1, 2)), "filters": (d.draw(st.integers(1, 2)),),
                "kernel_size": d.draw(st.sampled_from([1, 2, 3, (3, 1)])),
                "dense_units": d.draw(st.sampled_from([None, 2])), **_settings(d)}


def _builder_out(result, args, kwargs):
    assert isinstance(result, vae.VAE)
    shape = kwargs["input_shape"]
    assert result.data_shape == ((shape,) if isinstance(shape, int) else tuple(shape))
    assert result.latent_dim == kwargs["latent_dim"]
    assert result.sample(2, rng=0).shape == (2, *result.data_shape)
    assert result.sample(2, rng=0).dtype == np.dtype(kwargs["dtype"])


spec("build_dense_vae")(calls(_dense_args, out=_builder_out))
spec("build_conv_vae")(calls(_conv_args, out=_builder_out))


# --- the VAE ---------------------------------------------------------------------------------------------------

METHODS = ["train_step", "fit", "forward", "backward", "gradients", "evaluate", "encode", "decode", "reconstruct",
           "sample", "noise", "set_params", "count_params"]


def _networks(d):
    data_dim, latent = d.draw(st.integers(1, 3), label="data_dim"), d.draw(st.integers(1, 2), label="latent_dim")
    act = d.draw(st.sampled_from(["relu", "tanh", "leaky_relu"]), label="activation")
    encoder = Sequential([Dense(d.draw(st.integers(1, 4)), act), Dense(2 * latent)], input_dim=data_dim, rng=0)
    built = d.draw(st.booleans(), label="decoder built")
    decoder = Sequential([Dense(d.draw(st.integers(1, 4)), act), Dense(data_dim)], input_dim=latent if built else None,
                         rng=1)
    return encoder, decoder


def _x(d, model, n, label="x"):
    lo, hi = (0.0, 1.0) if model.likelihood == "bernoulli" else (-10.0, 10.0)
    return d.draw(arrays((n, *model.data_shape), lo, hi), label=label)


def _method_args(d, model, method):
    n = d.draw(st.integers(1, 4), label="N")
    x, eps = _x(d, model, n), d.draw(arrays((n, model.latent_dim), -5.0, 5.0), label="eps")
    return {
        "train_step": ((x,), {"eps": eps if d.draw(st.booleans(), label="explicit eps") else None, "rng": 0}),
        "fit": ((x,), {"epochs": d.draw(st.integers(1, 2)), "batch_size": d.draw(st.integers(1, 4)),
                       "shuffle": d.draw(st.booleans()), "rng": 0,
                       "validation_data": _x(d, model, 2, "validation") if d.draw(st.booleans()) else None,
                       "on_batch_end": None}),
        "forward": ((x, eps), {"training": d.draw(st.booleans())}), "backward": ((), {}),
        "gradients": ((x, eps), {}), "evaluate": ((x,), {"rng": d.draw(st.integers(0, 9))}),
        "encode": ((x,), {}), "decode": ((eps,), {}), "reconstruct": ((x,), {}),
        "sample": ((n,), {"rng": 0}), "noise": ((n,), {"rng": d.draw(st.integers(0, 9))}),
        "set_params": ((model.params,), {}), "count_params": ((), {}),
    }[method]


@spec("VAE")
def _vae(data, cls):
    encoder, decoder = _networks(data)
    kwargs = {"likelihood": data.draw(st.sampled_from(LIKELIHOODS)), "beta": data.draw(finite(0.0, 4.0)),
              "sigma": data.draw(finite(0.1, 10.0)), "optimizer": data.draw(st.sampled_from(["adam", "rmsprop"])),
              "learning_rate": data.draw(finite(1e-4, 0.1)), "rng": data.draw(st.integers(0, 99))}
    if data.draw(st.booleans(), label="spoil a setting"):
        (encoder, decoder), kwargs = spoil(data, (encoder, decoder), kwargs)
        model = attempt_or_none(cls, encoder, decoder, **kwargs)
        if model is None:
            return
    else:
        model = attempt(cls, encoder, decoder, expect="ok", **kwargs)
    for method in METHODS:                        # every method once, in turn with valid or spoilt arguments
        _call(data, model, method)


def _call(data, model, method):
    args, kw = _method_args(data, model, method)
    fn = getattr(model, method)
    if method == "backward":                      # after a forward pass of its own
        attempt(model.forward, *_method_args(data, model, "forward")[0], expect="ok")
    elif data.draw(st.booleans(), label=f"spoil the call of {method}"):
        args, kw = spoil(data, args, kw, protect=("epochs",))
        attempt_or_none(fn, *args, **kw)
        return
    result = attempt(fn, *args, expect="ok", **kw)
    n = len(args[0]) if args and not isinstance(args[0], (int, dict)) else (args[0] if args else None)
    if method in ("train_step", "forward", "evaluate"):
        assert sorted(result) == ["kl", "loss", "reconstruction"] and all(isinstance(v, float) for v in result.values())
    elif method == "gradients":
        assert sorted(result[1]) == sorted(model.params)
        assert all(result[1][k].shape == p.shape for k, p in model.params.items())
    elif method == "backward":
        assert result.shape[1:] == model.data_shape
    elif method == "fit":
        assert all(len(v) == kw["epochs"] for v in result.values())
    elif method == "encode":
        assert result[0].shape == result[1].shape == (n, model.latent_dim)
    elif method in ("decode", "reconstruct", "sample"):
        assert result.shape == (n, *model.data_shape)
    elif method == "noise":
        assert result.shape == (n, model.latent_dim)
    elif method == "count_params":
        assert result == sum(p.size for p in model.params.values())
