"""Property specs for dlhelpers.scratch.gan (registered on import by specs.py).

The losses draw logits (N,) or (N, 1), real and fake batches of different sizes, values up to ±BIG (the
losses promise finite values and gradients for |a| up to 1e4), and check the shapes and the signs the
formulas promise. The GAN entry builds a small GAN (settings drawn, or one setting spoilt) and calls each of
its methods in turn with valid or spoilt arguments. Its optimizers are Adam or RMSprop only: their steps are
bounded by the learning rate, whereas a few plain SGD steps of the least-squares loss on samples of 1e4 grow
the weights without bound (a legitimate overflow, refused by the optimizer, that is not what this spec tests).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from dlhelpers.scratch import gan
from dlhelpers.scratch.activations import ACTIVATIONS
from dlhelpers.scratch.layers import Dense
from dlhelpers.scratch.network import Sequential
from tests.property.contract import BIG, arrays, attempt, attempt_or_none, finite, spoil
from tests.property.specs import calls, scalar_out, spec

LOSSES = sorted(gan.GAN_LOSSES)


def _logits(d, label):
    n = d.draw(st.integers(1, 5), label=f"{label} N")
    shape = (n,) if d.draw(st.booleans(), label=f"{label} flat") else (n, 1)
    return d.draw(arrays(shape), label=label)


def _loss_kwargs(d):
    return {"loss": d.draw(st.sampled_from(LOSSES), label="loss")}


def _pair_args(d):
    return (_logits(d, "real_logits"), _logits(d, "fake_logits")), _loss_kwargs(d)


def _d_loss_out(result, args, kwargs):
    scalar_out(result, args, kwargs)
    assert result >= 0, f"D's loss is a sum of softplus terms or squares: {result}"


def _pair_grad_out(result, args, kwargs):
    d_real, d_fake = result
    assert d_real.shape == np.shape(args[0]) and d_fake.shape == np.shape(args[1])
    if kwargs["loss"] != "least_squares":       # −σ(−a)/N ∈ [−1/N, 0], σ(a)/M ∈ [0, 1/M]
        assert np.all((d_real <= 0) & (d_real >= -1.0 / d_real.size))
        assert np.all((d_fake >= 0) & (d_fake <= 1.0 / d_fake.size))


def _g_grad_out(result, args, kwargs):
    assert result.shape == np.shape(args[0])
    if kwargs["loss"] != "least_squares":       # −σ(±a)/M ∈ [−1/M, 0]: G always pushes the logits up
        assert np.all((result <= 0) & (result >= -1.0 / result.size))


def _value_out(result, args, kwargs):
    scalar_out(result, args, kwargs)
    assert result <= 0, f"V(D, G) is a sum of mean logs of probabilities: {result}"


spec("discriminator_loss")(calls(_pair_args, out=_d_loss_out))
spec("discriminator_loss_grad")(calls(_pair_args, out=_pair_grad_out))
spec("generator_loss")(calls(lambda d: ((_logits(d, "fake_logits"),), _loss_kwargs(d)), out=scalar_out))
spec("generator_loss_grad")(calls(lambda d: ((_logits(d, "fake_logits"),), _loss_kwargs(d)), out=_g_grad_out))
spec("value_function")(calls(lambda d: ((_logits(d, "real_logits"), _logits(d, "fake_logits")), {}), out=_value_out))


# --- build_mlp_gan ---------------------------------------------------------------------------------------------

def _sizes(d, label):
    return tuple(d.draw(st.lists(st.integers(1, 6), min_size=0, max_size=2), label=label))


def _build_args(d):
    return (), {"data_dim": d.draw(st.integers(1, 3)), "noise_dim": d.draw(st.integers(1, 3)),
                "hidden": _sizes(d, "hidden"), "activation": d.draw(st.sampled_from(sorted(ACTIVATIONS))),
                "loss": d.draw(st.sampled_from(LOSSES)), "k": d.draw(st.integers(1, 3)),
                "d_learning_rate": d.draw(finite(1e-4, 0.1)), "g_learning_rate": d.draw(finite(1e-4, 0.1)),
                "optimizer": d.draw(st.sampled_from(["sgd", "rmsprop", "adam"])),
                "d_hidden": d.draw(st.one_of(st.none(), st.lists(st.integers(1, 6), max_size=2).map(tuple))),
                "rng": d.draw(st.integers(0, 99)), "dtype": d.draw(st.sampled_from([np.float64, np.float32]))}


def _build_out(result, args, kwargs):
    assert isinstance(result, gan.GAN)
    assert result.data_shape == (kwargs["data_dim"],) and result.noise_dim == kwargs["noise_dim"]
    assert result.discriminator.output_shape == (1,) and result.k == kwargs["k"]
    assert result.sample(2, rng=0).dtype == np.dtype(kwargs["dtype"])


spec("build_mlp_gan")(calls(_build_args, out=_build_out))


# --- the GAN ---------------------------------------------------------------------------------------------------

METHODS = ["train_step", "train", "discriminator_step", "generator_step", "discriminator_gradients",
           "generator_gradients", "generate", "sample", "noise", "logits", "discriminate", "sample_gradients"]


def _networks(d):
    noise_dim, data_dim = d.draw(st.integers(1, 3), label="noise_dim"), d.draw(st.integers(1, 3), label="data_dim")
    act = d.draw(st.sampled_from(["relu", "tanh", "leaky_relu"]), label="activation")
    built = d.draw(st.booleans(), label="generator built")
    g = Sequential([Dense(d.draw(st.integers(1, 4)), act), Dense(data_dim)], input_dim=noise_dim if built else None,
                   rng=0)
    dis = Sequential([Dense(d.draw(st.integers(1, 4)), act), Dense(1)], rng=1)
    return g, dis, noise_dim, data_dim


def _method_args(d, method, noise_dim, data_dim):
    n, m = d.draw(st.integers(1, 4), label="N"), d.draw(st.integers(1, 4), label="M")
    hi = d.draw(st.sampled_from([10.0, BIG]), label="value range")
    x, z = d.draw(arrays((n, data_dim), -hi, hi), label="x"), d.draw(arrays((m, noise_dim), -5, 5), label="z")
    return {
        "train_step": ((x,), {"rng": d.draw(st.integers(0, 9))}),
        "train": ((x, d.draw(st.integers(1, 2))), {"batch_size": d.draw(st.integers(1, 4)), "rng": 0,
                                                    "on_step": None}),
        "discriminator_step": ((x, z), {}), "discriminator_gradients": ((x, z), {}),
        "generator_step": ((z,), {}), "generator_gradients": ((z,), {}), "generate": ((z,), {}),
        "sample": ((m,), {"rng": 0}), "noise": ((m,), {"rng": d.draw(st.integers(0, 9))}),
        "logits": ((x,), {}), "discriminate": ((x,), {}), "sample_gradients": ((x,), {}),
    }[method]


@spec("GAN")
def _gan(data, cls):
    g, dis, noise_dim, data_dim = _networks(data)
    kwargs = {"noise_dim": noise_dim, "loss": data.draw(st.sampled_from(LOSSES)), "k": data.draw(st.integers(1, 3)),
              "d_optimizer": data.draw(st.sampled_from(["adam", "rmsprop"])),
              "g_optimizer": data.draw(st.sampled_from(["adam", "rmsprop"])),
              "d_learning_rate": data.draw(finite(1e-4, 0.1)), "g_learning_rate": data.draw(finite(1e-4, 0.1)),
              "rng": data.draw(st.integers(0, 99))}
    if data.draw(st.booleans(), label="spoil a setting"):
        (g, dis), kwargs = spoil(data, (g, dis), kwargs)
        model = attempt_or_none(cls, g, dis, **kwargs)
        if model is None:
            return
    else:
        model = attempt(cls, g, dis, expect="ok", **kwargs)
    noise_dim, data_dim = model.noise_dim, model.data_shape[0]
    for method in METHODS:                       # every method once, in turn with valid or spoilt arguments
        _call(data, getattr(model, method), method, noise_dim, data_dim)


def _call(data, fn, method, noise_dim, data_dim):
    args, kw = _method_args(data, method, noise_dim, data_dim)
    if data.draw(st.booleans(), label=f"spoil the call of {method}"):
        args, kw = spoil(data, args, kw)
        attempt_or_none(fn, *args, **kw)
        return
    result = attempt(fn, *args, expect="ok", **kw)
    if method in ("generate", "sample", "noise"):
        width = noise_dim if method == "noise" else data_dim
        assert result.shape == (args[0] if method in ("sample", "noise") else len(args[0]), width)
    elif method in ("logits", "discriminate"):
        assert result.shape == (len(args[0]),)
    elif method == "sample_gradients":
        assert result.shape == np.shape(args[0])
    elif method in ("train_step", "discriminator_step", "generator_step"):
        assert all(isinstance(v, float) for v in result.values())
    elif method == "train":
        assert all(len(v) == args[1] for v in result.values())
