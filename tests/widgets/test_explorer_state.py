"""The explorer's state without widgets: settings validated, results remembered, staleness known."""
import numpy as np
import pytest

from dlhelpers.data import moons
from dlhelpers.viz.explorer import settings_text
from dlhelpers.widgets.explorer_state import EXPLORER_ACTIVATIONS, ExplorerState


@pytest.fixture(scope="module")
def data():
    return moons(100, rng=0)


@pytest.mark.parametrize("settings, exc, match", [
    (dict(activation="swish"), ValueError, "activation must be one of 'linear'.*'tanh'"),
    (dict(activation="step"), ValueError, "activation must be one of"),
    (dict(initializer="xavier"), ValueError, "initializer must be one of .*'he_normal'"),
    (dict(epochs=0), ValueError, "epochs must be >= 1"),
    (dict(epochs=-5), ValueError, "epochs must be >= 1"),
    (dict(epochs="10"), TypeError, "epochs must be an integer"),
    (dict(epochs=2.5), TypeError, "epochs must be an integer"),
    (dict(units=0), ValueError, "units must be >= 1"),
    (dict(hidden_layers=-1), ValueError, "hidden_layers must be >= 0"),
    (dict(dropout=1.0), ValueError, r"dropout must be in \[0.0, 1.0\)"),
    (dict(dropout=-0.1), ValueError, "dropout must be in"),
    (dict(dropout="0.5"), TypeError, "dropout must be a number"),
    (dict(learning_rate=0.0), ValueError, "learning_rate must be > 0"),
    (dict(learning_rate=float("inf")), ValueError, "learning_rate must be > 0"),
    (dict(batch_size=0), ValueError, "batch_size must be >= 1"),
    (dict(momentum=0.9), ValueError, "setting name must be one of"),
])
def test_bad_settings_are_refused_with_a_clear_message(data, settings, exc, match):
    with pytest.raises(exc, match=match):
        ExplorerState(data, **settings)
    st = ExplorerState(data)
    with pytest.raises(exc, match=match):
        st.update(**settings)


def test_bad_datasets_are_refused():
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        ExplorerState(np.zeros((5, 2)))


def test_update_is_all_or_nothing(data):
    st = ExplorerState(data, units=4)
    with pytest.raises(ValueError, match="dropout"):
        st.update(units=12, dropout=1.5)
    assert st.units == 4 and st.dropout == 0.0


def test_every_offered_activation_trains(data):
    for name in EXPLORER_ACTIVATIONS:
        res = ExplorerState(data, activation=name, epochs=2).train()
        assert np.isfinite(res["history"]["loss"]).all(), name


def test_staleness_follows_the_settings(data):
    st = ExplorerState(data, epochs=5)
    assert not st.is_stale and st.result is None
    epochs_seen = []
    res = st.train(on_epoch=lambda e, n: epochs_seen.append((e, n)))
    assert epochs_seen == [(e, 5) for e in range(1, 6)]
    assert res["settings"] == st.settings() and len(res["history"]["loss"]) == 5 and not st.is_stale
    st.update(units=3)
    assert st.is_stale
    st.update(units=8)
    assert not st.is_stale
    st.update(dropout=0.2, hidden_layers=2)
    res2 = st.train()
    assert not st.is_stale and res2["params"] == 2 * 8 + 8 + 8 * 8 + 8 + 8 + 1


def test_a_loss_that_blows_up_is_an_error_not_a_nan_picture(data, monkeypatch):
    st = ExplorerState(data, epochs=2)
    from dlhelpers.scratch import network
    real_fit = network.Sequential.fit

    def nan_fit(self, *a, **k):
        hist = real_fit(self, *a, **k)
        hist.history["loss"][-1] = float("nan")
        return hist
    monkeypatch.setattr(network.Sequential, "fit", nan_fit)
    with pytest.raises(FloatingPointError, match="Lower the learning rate"):
        st.train()
    assert st.result is None


def test_settings_text_names_what_is_trained(data):
    st = ExplorerState(data, hidden_layers=0, batch_size=None, dropout=0.3)
    text = settings_text(st.settings())
    assert "no hidden layer" in text and "full batch" in text and "dropout 0.3" in text
