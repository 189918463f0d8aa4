"""scratch.initializers ↔ keras.initializers: different random streams, the same distributions."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
from dlhelpers.keras.initializers import KERAS_INITIALIZERS, get  # noqa: E402
from dlhelpers.scratch.initializers import INITIALIZERS, initialize  # noqa: E402


def test_every_scratch_initializer_has_a_twin():
    assert set(INITIALIZERS) == set(KERAS_INITIALIZERS)


@pytest.mark.parametrize("name", ["zeros", "ones"])
def test_constant_initializers_are_equal(name):
    np.testing.assert_array_equal(initialize(name, (3, 4)), get(name)((3, 4)).numpy())


@pytest.mark.parametrize("name", ["glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "random_normal",
                                  "random_uniform"])
def test_initializer_distributions_match_keras(name):
    """Different random streams, same distribution: compare spread and range on large draws."""
    shape = (400, 300)
    ours = initialize(name, shape, rng=0)
    theirs = get(name, seed=0)(shape).numpy()
    assert ours.std() == pytest.approx(theirs.std(), rel=0.03)
    assert abs(ours.mean()) < 0.01 and abs(theirs.mean()) < 0.01
    assert np.abs(ours).max() <= np.abs(theirs).max() * 1.05 + 1e-6
    # the limits by hand: glorot_uniform l = √(6 / (400 + 300)) ≈ 0.0926, he_uniform l = √(6 / 400) ≈ 0.1225
    limit = {"glorot_uniform": np.sqrt(6 / 700), "he_uniform": np.sqrt(6 / 400), "random_uniform": 0.05}.get(name)
    if limit is not None:
        assert np.abs(ours).max() <= limit and np.abs(theirs).max() <= limit


def test_bad_name():
    with pytest.raises(ValueError, match="name must be one of 'zeros'"):
        get("lecun_weird")
