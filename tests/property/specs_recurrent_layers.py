"""Property entries for the sequence layers of dlhelpers.scratch.layers (registered on import by specs.py).

Each draws the layer's settings and a small (N, T, D) batch, trains a model of the layer (and a Dense
layer, which acts at every step when the layer returns sequences) for one epoch and checks that a
wrong-shaped dout is refused, as the other layer entries do.
"""
from __future__ import annotations

from hypothesis import strategies as st

from dlhelpers.scratch import initializers, rnn
from tests.property.contract import arrays, finite
from tests.property.specs import LAYER_CASES, _layer, _layer_check, spec


def _sequence_input(d):
    shape = st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 3))
    return d.draw(arrays(shape), label="x")


def _recurrent_kwargs(d):
    return {"units": d.draw(st.integers(1, 3)), "return_sequences": d.draw(st.booleans()),
            "kernel_initializer": d.draw(st.sampled_from(initializers.INITIALIZERS)),
            "recurrent_initializer": d.draw(st.sampled_from(["orthogonal", "glorot_uniform", "zeros"]))}


def _then_dense(layer):
    return [layer, _layer("Dense")(1)]


LAYER_CASES["SimpleRNN"] = (lambda d: {**_recurrent_kwargs(d), "activation": d.draw(st.sampled_from(rnn.RNN_ACTIVATIONS))},
                            _sequence_input, _then_dense)
LAYER_CASES["LSTM"] = (lambda d: {**_recurrent_kwargs(d), "unit_forget_bias": d.draw(st.booleans())},
                       _sequence_input, _then_dense)
LAYER_CASES["GRU"] = (_recurrent_kwargs, _sequence_input, _then_dense)
LAYER_CASES["Bidirectional"] = (
    lambda d: {"layer": _layer(d.draw(st.sampled_from(["SimpleRNN", "LSTM", "GRU"])))(
        d.draw(st.integers(1, 3)), return_sequences=d.draw(st.booleans())),
        "merge_mode": d.draw(st.sampled_from(rnn.MERGE_MODES))},
    _sequence_input, _then_dense)
LAYER_CASES["Masking"] = (lambda d: {"mask_value": d.draw(st.sampled_from([0.0, 1.0, d.draw(finite(-5, 5))]))},
                          _sequence_input, lambda l: [l, _layer("LSTM")(2), _layer("Dense")(1)])

for _name in ("SimpleRNN", "LSTM", "GRU", "Bidirectional", "Masking"):
    spec(_name)(_layer_check(_name))
