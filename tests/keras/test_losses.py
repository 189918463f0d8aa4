"""scratch.losses ↔ keras.losses: values and dL/dy_pred (GradientTape)."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
from dlhelpers.keras import losses as KL  # noqa: E402
from dlhelpers.scratch import losses as L  # noqa: E402


def _loss_cases(rng):
    p01 = rng.uniform(0.05, 0.95, (4, 3))
    probs = rng.dirichlet(np.ones(4), size=5) * 0.9 + 0.025
    return {
        "mse": (rng.standard_normal((4, 3)), rng.standard_normal((4, 3))),
        "mae": (rng.standard_normal((4, 3)), rng.standard_normal((4, 3))),
        "msle": (rng.uniform(0, 3, (4, 3)), rng.uniform(0.1, 3, (4, 3))),
        "binary_crossentropy": (rng.integers(0, 2, (4, 3)).astype(float), p01),
        "hinge": (rng.integers(0, 2, (4, 3)).astype(float), rng.uniform(-2, 2, (4, 3))),
        "squared_hinge": (rng.choice([-1.0, 1.0], (4, 3)), rng.uniform(-2, 2, (4, 3))),
        "categorical_crossentropy": (np.eye(4)[rng.integers(0, 4, 5)], probs),
        "kl_divergence": (rng.dirichlet(np.ones(4), size=5), probs),
        "sparse_categorical_crossentropy": (rng.integers(0, 4, 5), probs),
    }


def test_every_scratch_loss_has_a_keras_twin():
    assert set(L.LOSSES) == set(KL.KERAS_LOSSES) == set(_loss_cases(np.random.default_rng(0)))


@pytest.mark.parametrize("name", list(_loss_cases(np.random.default_rng(0))))
def test_loss_values_and_gradients(name):
    t, p = _loss_cases(np.random.default_rng(3))[name]
    t32 = np.asarray(t, np.int64 if name == "sparse_categorical_crossentropy" else np.float32)
    p32 = p.astype(np.float32)
    assert L.LOSSES[name].fn(t, p) == pytest.approx(KL.value(name, t32, p32), rel=1e-5, abs=1e-6)
    np.testing.assert_allclose(L.LOSSES[name].grad(t, p), KL.gradient(name, t32, p32), rtol=1e-4, atol=1e-6)


def test_bce_from_logits_twin():
    rng = np.random.default_rng(4)
    t, z = rng.integers(0, 2, (6, 1)).astype(np.float32), rng.normal(0, 3, (6, 1)).astype(np.float32)
    assert L.binary_crossentropy(t, z, from_logits=True) == pytest.approx(
        KL.value("binary_crossentropy", t, z, from_logits=True), rel=1e-5)
    np.testing.assert_allclose(L.binary_crossentropy_grad(t, z, from_logits=True),
                               KL.gradient("binary_crossentropy", t, z, from_logits=True), rtol=1e-4, atol=1e-7)


def test_mse_by_hand():
    # y_true (0, 0), y_pred (1, 3): mean of (1, 9) = 5; dL/dy_pred = 2·(y_pred − y_true)/2 = (1, 3)
    assert KL.value("mse", np.zeros((1, 2)), np.array([[1.0, 3.0]])) == pytest.approx(5.0)
    np.testing.assert_allclose(KL.gradient("mse", np.zeros((1, 2)), np.array([[1.0, 3.0]])), [[1.0, 3.0]])


def test_bad_name():
    with pytest.raises(ValueError, match="name must be one of 'mse'"):
        KL.get("cross_entropy")
