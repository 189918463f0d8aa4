"""Property specs for dlhelpers.scratch.autoencoder (registered on import by specs.py).

The losses draw targets in [0, 1] and reconstructions as the loss needs them: any values up to ±BIG for "mse" and
for logits, probabilities for "binary_crossentropy" (drawn in [1e-6, 1 − 1e-6], away from the clip bounds
1e-7 and 1 − 1e-7, which float32 rounds differently, so the float32 form agrees with float64; the clipped extremes
are tested in tests/scratch/test_autoencoder.py). :class:`TiedDense` is trained for one epoch in a decoder whose
kernel it borrows from a small encoder. The :class:`Autoencoder` entry builds a small model (settings drawn, or one
spoilt) and calls each method in turn with valid or spoilt arguments; its optimizers are Adam or RMSprop, whose
steps are bounded by the learning rate (plain SGD on samples of 1e4 legitimately overflows and is refused). The
builders draw small architectures and check the shapes they promise.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from dlhelpers.scratch import autoencoder as AE
from dlhelpers.scratch.activations import ACTIVATIONS
from dlhelpers.scratch.layers import Dense
from dlhelpers.scratch.network import Sequential
from tests.property.contract import BIG, Refused, arrays, attempt, attempt_or_none, finite, spoil
from tests.property.specs import _train_briefly, calls, same_shape_as, scalar_out, spec, wrong_shapes

LOSSES = sorted(AE.RECONSTRUCTION_LOSSES)
INSIDE = (1e-6, 1 - 1e-6)                      # probabilities away from the clip bounds (see the module docstring)


def _samples(d, label):
    """(N, P) rows or (N, H, W, C) images: the shape of a batch of samples."""
    if d.draw(st.booleans(), label=f"{label} images"):
        return d.draw(st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 2)))
    return d.draw(st.tuples(st.integers(1, 4), st.integers(1, 5)))


def _loss_args(d):
    shape = _samples(d, "x")
    loss = d.draw(st.sampled_from(LOSSES), label="loss")
    logits = loss == "binary_crossentropy" and d.draw(st.booleans(), label="from_logits")
    x = d.draw(arrays(shape, 0.0, 1.0) if loss == "binary_crossentropy" else arrays(shape), label="x")
    x_hat = d.draw(arrays(shape, *INSIDE) if loss == "binary_crossentropy" and not logits else arrays(shape),
                   label="x_hat")
    return (x, x_hat), {"loss": loss, "from_logits": logits}


def _loss_out(result, args, kwargs):
    scalar_out(result, args, kwargs)
    assert result >= 0, f"a reconstruction loss is a mean of non-negative terms: {result}"


def _errors_out(result, args, kwargs):
    x = np.asarray(args[0])
    assert result.shape == (x.shape[0],) and np.all(result >= 0), result


spec("reconstruction_loss")(calls(_loss_args, out=_loss_out))
spec("reconstruction_loss_grad")(calls(_loss_args, out=same_shape_as(1)))
spec("reconstruction_errors")(calls(_loss_args, out=_errors_out))


# --- TiedDense ---------------------------------------------------------------------------------------------------

@spec("TiedDense")
def _tied_dense(data, cls):
    d_in, units = data.draw(st.integers(1, 4), label="D"), data.draw(st.integers(1, 3), label="H")
    encoder = Sequential([Dense(units, data.draw(st.sampled_from(["tanh", "relu", None])))], input_dim=d_in,
                         rng=data.draw(st.integers(0, 9)))
    kwargs = {"activation": data.draw(st.sampled_from([None, *sorted(ACTIVATIONS)]), label="activation"),
              "bias_initializer": data.draw(st.sampled_from(["zeros", "ones"]))}
    x = data.draw(arrays(st.tuples(st.integers(1, 4), st.just(units))), label="x")
    if data.draw(st.booleans(), label="spoil a setting"):
        (tied_to,), kwargs = spoil(data, (encoder.layers[0],), kwargs)
        layer = attempt_or_none(cls, tied_to, **kwargs)
        if layer is not None:
            try:
                _train_briefly(data, [layer], x, "any")
            except Refused:
                pass
        return
    layer = attempt(cls, encoder.layers[0], expect="ok", **kwargs)
    model = _train_briefly(data, [layer], x, "ok")
    assert model.output_shape == (d_in,) and list(layer.params) == ["bias"]
    out = layer.forward(x, training=True)
    attempt(layer.backward, np.ones(out.shape), expect="ok")
    assert layer.kernel_grad.shape == encoder.layers[0].params["kernel"].shape
    try:
        attempt(layer.backward, np.ones(data.draw(st.sampled_from(wrong_shapes(out.shape)))), expect="error")
    except Refused as r:
        assert isinstance(r.exc, ValueError), r


# --- the Autoencoder -----------------------------------------------------------------------------------------------

METHODS = ["forward", "backward", "encode", "decode", "reconstruct", "evaluate", "reconstruction_errors",
           "loss_and_grads", "train_step", "fit", "set_params", "count_params", "summary"]


def _networks(d):
    p, k = d.draw(st.integers(1, 4), label="input width"), d.draw(st.integers(1, 3), label="latent_dim")
    act = d.draw(st.sampled_from(["relu", "tanh", "leaky_relu"]), label="activation")
    loss = d.draw(st.sampled_from(LOSSES), label="loss")
    logits = loss == "binary_crossentropy" and d.draw(st.booleans(), label="from_logits")
    out = "linear" if logits else "sigmoid" if loss == "binary_crossentropy" else d.draw(
        st.sampled_from(["linear", "sigmoid", "tanh"]), label="output activation")
    encoder = Sequential([Dense(d.draw(st.integers(1, 4)), act), Dense(k)], input_dim=p, rng=0)
    if d.draw(st.booleans(), label="tied"):
        layers = [AE.TiedDense(encoder.layers[1], act), AE.TiedDense(encoder.layers[0], out)]
    else:
        layers = [Dense(d.draw(st.integers(1, 4)), act), Dense(p, out)]
    built = d.draw(st.booleans(), label="decoder built")
    decoder = Sequential(layers, input_dim=k if built else None, rng=1)
    return encoder, decoder, loss, logits


def _method_args(d, model, method):
    n, p, k = d.draw(st.integers(1, 4), label="N"), model.input_shape[0], model.latent_dim
    lo, hi = (0.0, 1.0) if model.loss == "binary_crossentropy" else (-d.draw(st.sampled_from([1.0, BIG])), BIG)
    x, z = d.draw(arrays((n, p), lo, hi), label="x"), d.draw(arrays((n, k), -5, 5), label="z")
    y = d.draw(st.one_of(st.none(), arrays((n, p), lo, hi)), label="y")
    return {
        "forward": ((x,), {"training": d.draw(st.booleans())}),
        "backward": ((d.draw(arrays((n, p), -10, 10), label="dout"),), {}),
        "encode": ((x,), {}), "decode": ((z,), {}), "reconstruct": ((x,), {}),
        "evaluate": ((x, y), {}), "reconstruction_errors": ((x, y), {}), "loss_and_grads": ((x, y), {}),
        "train_step": ((x, y), {}),
        "fit": ((x, y), {"epochs": d.draw(st.integers(1, 2)), "batch_size": d.draw(st.sampled_from([None, 1, 2])),
                         "shuffle": d.draw(st.booleans()), "rng": 0,
                         "validation_data": d.draw(st.sampled_from([None, x, (x, x)])), "on_epoch_end": None}),
        "set_params": (({k_: v + 0.5 for k_, v in model.params.items()},), {}),
        "count_params": ((), {}), "summary": ((), {}),
    }[method]


@spec("Autoencoder")
def _autoencoder(data, cls):
    encoder, decoder, loss, logits = _networks(data)
    kwargs = {"loss": loss, "from_logits": logits, "optimizer": data.draw(st.sampled_from(["adam", "rmsprop"])),
              "learning_rate": data.draw(finite(1e-4, 0.1)), "rng": data.draw(st.integers(0, 99))}
    if data.draw(st.booleans(), label="spoil a setting"):
        (encoder, decoder), kwargs = spoil(data, (encoder, decoder), kwargs)
        model = attempt_or_none(cls, encoder, decoder, **kwargs)
        if model is None:
            return
    else:
        model = attempt(cls, encoder, decoder, expect="ok", **kwargs)
    for method in METHODS:                      # every method once, in turn with valid or spoilt arguments
        if method == "backward":
            model.forward(data.draw(arrays((3, model.input_shape[0]), 0.0, 1.0), label="x"), training=True)
        args, kw = _method_args(data, model, method)
        if method == "backward":
            args = (np.ones((3, model.input_shape[0])),)
        fn = getattr(model, method)
        if data.draw(st.booleans(), label=f"spoil the call of {method}") and (args or kw):
            args, kw = spoil(data, args, kw)
            attempt_or_none(fn, *args, **kw)
            continue
        result = attempt(fn, *args, expect="ok", **kw)
        n = len(args[0]) if args and method not in ("set_params",) else None
        if method in ("forward", "reconstruct", "backward"):
            assert result.shape == (n, *model.input_shape)
        elif method == "encode":
            assert result.shape == (n, model.latent_dim)
        elif method == "decode":
            assert result.shape == (n, *model.input_shape)
        elif method == "reconstruction_errors":
            assert result.shape == (n,) and np.all(result >= 0)
        elif method == "loss_and_grads":
            assert result[0] >= 0 and set(result[1]) == set(model.params)
        elif method == "fit":
            assert len(result["loss"]) == kw["epochs"]


# --- the builders ----------------------------------------------------------------------------------------------------

def _outputs(d, loss):
    return d.draw(st.sampled_from(["sigmoid", "linear"] if loss == "binary_crossentropy" else
                                  ["sigmoid", "linear", "tanh"]), label="output_activation")


def _dense_args(d):
    loss = d.draw(st.sampled_from(LOSSES), label="loss")
    return (), {"input_dim": d.draw(st.integers(1, 6)), "hidden": tuple(d.draw(st.lists(st.integers(1, 5),
                                                                                      max_size=2))),
                "latent_dim": d.draw(st.integers(1, 3)), "activation": d.draw(st.sampled_from(sorted(ACTIVATIONS))),
                "latent_activation": d.draw(st.sampled_from(["linear", "tanh", "relu"])),
                "output_activation": _outputs(d, loss), "tied": d.draw(st.booleans()), "loss": loss,
                "optimizer": d.draw(st.sampled_from(["sgd", "rmsprop", "adam"])),
                "learning_rate": d.draw(finite(1e-4, 0.1)), "rng": d.draw(st.integers(0, 99)),
                "dtype": d.draw(st.sampled_from([np.float64, np.float32]))}


def _dense_out(result, args, kwargs):
    assert isinstance(result, AE.Autoencoder)
    assert result.input_shape == (kwargs["input_dim"],) and result.latent_dim == kwargs["latent_dim"]
    x = np.full((2, kwargs["input_dim"]), 0.5)
    assert result.reconstruct(x).shape == x.shape and result.reconstruct(x).dtype == np.dtype(kwargs["dtype"])
    tied = [type(l).__name__ == "TiedDense" for l in result.decoder.layers]
    assert all(tied) if kwargs["tied"] else not any(tied)


def _conv_args(d):
    loss = d.draw(st.sampled_from(LOSSES), label="loss")
    stages = d.draw(st.integers(1, 2), label="stages")
    side = 2 ** stages
    shape = (side * d.draw(st.integers(1, 2)), side * d.draw(st.integers(1, 2)), d.draw(st.integers(1, 2)))
    return (), {"input_shape": shape, "filters": tuple(d.draw(st.integers(1, 3)) for _ in range(stages)),
                "latent_dim": d.draw(st.integers(1, 3)), "kernel_size": d.draw(st.sampled_from([1, 3])),
                "activation": d.draw(st.sampled_from(["relu", "tanh", "leaky_relu"])),
                "output_activation": _outputs(d, loss), "upsampling": d.draw(st.sampled_from(sorted(AE.UPSAMPLING))),
                "loss": loss, "optimizer": d.draw(st.sampled_from(["rmsprop", "adam"])),
                "learning_rate": d.draw(finite(1e-4, 0.1)), "rng": d.draw(st.integers(0, 99)),
                "dtype": d.draw(st.sampled_from([np.float64, np.float32]))}


def _conv_out(result, args, kwargs):
    assert isinstance(result, AE.Autoencoder) and result.input_shape == kwargs["input_shape"]
    x = np.full((2, *kwargs["input_shape"]), 0.5)
    assert result.reconstruct(x).shape == x.shape and result.encode(x).shape == (2, kwargs["latent_dim"])


spec("dense_autoencoder")(calls(_dense_args, out=_dense_out))
spec("conv_autoencoder")(calls(_conv_args, out=_conv_out))
