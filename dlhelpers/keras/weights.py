"""Copy parameters between a scratch model and its Keras twin, in both directions.

Both sides use Keras's layouts (Dense kernel (in, units), bias (units,)), so copying is a
matter of order and names. Every layer's shapes are checked before anything is copied, so a mismatch (its
message names the layer, and the part of a two-network model) leaves the target unchanged. The recurrent layers
follow Keras's order too: kernel, recurrent_kernel, bias, and for Bidirectional the forward layer's
three then the backward layer's three (the scratch keys ``forward_kernel`` … ``backward_bias``).

Models made of two networks copy part by part, in the same way: an autoencoder or a VAE (``encoder``, then
``decoder``) and a GAN (``generator``, then ``discriminator``), scratch and Keras alike (e.g. the twins of
``dlhelpers.keras.autoencoder.autoencoder_from_scratch``, ``keras.vae.vae_from_scratch`` and
``keras.gan.gan_from_scratch``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["scratch_to_keras", "keras_to_scratch", "named_variables"]

#: the sub-networks of the two-network models, in copying order
_PARTS = (("encoder", "decoder"), ("generator", "discriminator"))


def _keras_weight_layers(km):
    return [l for l in km.layers if l.weights]


def _scratch_weight_layers(sm):
    return [l for l in sm.layers if l.params]


def _builder(sm, parts) -> str:
    """The function that builds the Keras twin of the scratch two-network model ``sm`` with these parts."""
    if parts == ("generator", "discriminator"):
        return "dlhelpers.keras.gan.gan_from_scratch"
    if any(c.__name__ == "VAE" for c in type(sm).__mro__):
        return "dlhelpers.keras.vae.vae_from_scratch"
    return "dlhelpers.keras.autoencoder.autoencoder_from_scratch"


def _networks(sm, km, func):
    """[(part label, scratch network, Keras network)]: the models themselves (label ""), or their parts for a
    two-network model."""
    if hasattr(sm, "layers"):
        return [("", sm, km)]
    for parts in _PARTS:
        if all(hasattr(sm, p) for p in parts):
            if not all(hasattr(km, p) for p in parts):
                raise TypeError(f"keras_model must have the parts {parts} of the scratch {type(sm).__name__} for "
                                f"{func}; got a {type(km).__name__}. Build the twin from the scratch model with "
                                f"{_builder(sm, parts)}.")
            return [(p, getattr(sm, p), getattr(km, p)) for p in parts]
    raise TypeError(f"scratch_model must be a scratch Sequential, autoencoder, VAE or GAN for {func}; got "
                    f"{type(sm).__name__}. Pass a model built with dlhelpers.scratch.")


def _where(part) -> str:
    return f" in the {part}" if part else ""


def _pairs(sm, km, part=""):
    """[(scratch layer, Keras layer)] of the layers with weights; ``part`` names the sub-network in messages."""
    s_layers, k_layers = _scratch_weight_layers(sm), _keras_weight_layers(km)
    if len(s_layers) != len(k_layers):
        raise ValueError(f"the models must have the same number of layers with weights{_where(part)} for copying; "
                         f"got {len(s_layers)} (scratch) and {len(k_layers)} (keras). Build the twin with "
                         "dlhelpers.keras.network.model_from_scratch(model).")
    return [(part, s, k) for s, k in zip(s_layers, k_layers)]


def _all_pairs(scratch_model, keras_model, func):
    """[(part, scratch layer, Keras layer)] over the whole model, every part's layer counts checked first."""
    return [pair for part, s_net, k_net in _networks(scratch_model, keras_model, func)
            for pair in _pairs(s_net, k_net, part)]


def scratch_to_keras(scratch_model, keras_model):
    """Set the Keras model's weights from the scratch model's parameters (layer by layer).

    Every layer's shapes are checked before any weight is copied, so a mismatch leaves ``keras_model`` unchanged.

    Args:
        scratch_model: a built scratch ``Sequential`` (or an autoencoder, VAE or GAN: copied part by part).
        keras_model: a built Keras model with the same layers with weights, in the same order
            (e.g. from ``dlhelpers.keras.network.model_from_scratch``), or the twin with the same parts.

    Returns:
        ``keras_model``, changed in place (batch-norm moving statistics are copied too).

    Raises:
        ValueError: different numbers of layers with weights, or a shape that does not match (the
            message names the layer, and the part of a two-network model).
    """
    copies = []
    for part, s, k in _all_pairs(scratch_model, keras_model, "scratch_to_keras"):
        new = list(s.params.values()) + list(getattr(s, "state", {}).values())    # BatchNorm: moving stats too
        shapes = [tuple(w.shape) for w in k.get_weights()]
        if [w.shape for w in new] != shapes:
            raise ValueError(f"layer {s.name!r}{_where(part)}: scratch shapes {[w.shape for w in new]} must match "
                             f"the Keras layer {k.name!r} shapes {shapes}.")
        copies.append((k, new))
    for k, new in copies:                                 # nothing is set until every layer fits
        k.set_weights([np.asarray(w) for w in new])
    return keras_model


def keras_to_scratch(keras_model, scratch_model):
    """Set the scratch model's parameters from the Keras model's weights.

    Every layer's shapes are checked before any parameter is replaced, so a mismatch leaves ``scratch_model``
    unchanged.

    Args:
        keras_model: a built Keras model.
        scratch_model: a built scratch ``Sequential`` with the same layers with weights, in the same order (or an
            autoencoder, VAE or GAN with the Keras twin's parts).

    Returns:
        ``scratch_model``, its ``params`` (and batch-norm ``state``) replaced, in its own dtype.

    Raises:
        ValueError: different numbers of layers with weights, or a shape that does not match (the message names
            the layer, and the part of a two-network model).
    """
    nets = _networks(scratch_model, keras_model, "keras_to_scratch")
    pairs = [(s_net.dtype, pair) for part, s_net, k_net in nets for pair in _pairs(s_net, k_net, part)]
    copies = []
    for dtype, (part, s, k) in pairs:
        weights = k.get_weights()
        state = getattr(s, "state", {})
        targets = [(s.params, key) for key in s.params] + [(state, key) for key in state]
        if len(weights) != len(targets) or any(w.shape != d[key].shape for w, (d, key) in zip(weights, targets)):
            raise ValueError(f"layer {k.name!r}{_where(part)}: Keras shapes {[w.shape for w in weights]} must match "
                             f"the scratch layer {s.name!r} shapes {[d[key].shape for d, key in targets]}.")
        copies.append((targets, weights, dtype))
    for targets, weights, dtype in copies:                # nothing is replaced until every layer fits
        for (d, key), w in zip(targets, weights):
            d[key] = np.asarray(w, dtype=dtype)
    return scratch_model


def named_variables(keras_model) -> dict:
    """The Keras model's trainable variables, keyed like the scratch model's ``params``.

    Keras names a variable ``"<model>/<layer>/<weight>"``; without the model's name that is the
    scratch key ``"<layer>/<weight>"`` whenever the layers carry the scratch names (as in
    ``dlhelpers.keras.network.model_from_scratch``), so gradients can be compared key by key.
    A recurrent layer's variables sit in its cell (``"lstm/lstm_cell/kernel"`` → ``"lstm/kernel"``) and a
    Bidirectional's in its two layers (``"bidirectional/forward_lstm/lstm_cell/kernel"`` →
    ``"bidirectional/forward_kernel"``), as the scratch keys.

    Args:
        keras_model: a built Keras model.

    Returns:
        dict ``"<layer>/<weight>"`` → variable, in the model's order; pass it as ``variables`` to
        ``dlhelpers.keras.gradtape.forward_and_grads``.
    """
    return {_scratch_key(v.path): v for v in keras_model.trainable_weights}


def _scratch_key(path: str) -> str:
    """A Keras variable path without the model's name, recurrent cells folded into the scratch key."""
    parts = path.split("/")[1:]
    if len(parts) >= 3 and parts[-2].endswith("_cell"):
        layer, weight = parts[0], parts[-1]
        if len(parts) == 4 and parts[1].split("_")[0] in ("forward", "backward"):
            return f"{layer}/{parts[1].split('_')[0]}_{weight}"
        return f"{layer}/{weight}"
    return "/".join(parts) if parts else path
