"""The 2-D GAN targets: shapes, seeding, the modes they state, and clear errors."""
import dataclasses

import numpy as np
import pytest

from dlhelpers import data as D
from dlhelpers.data.targets import GAN_TARGETS, GanTarget, gan_target, grid_target, moons_target, ring_target, \
    spiral_target
from dlhelpers.metrics import high_quality_share, mode_counts, modes_covered

MODES = {"ring": 8, "grid": 25, "moons": 12, "spiral": 20}


@pytest.mark.parametrize("name", list(GAN_TARGETS))
def test_every_target_has_points_modes_and_a_description(name):
    t = gan_target(name, 500, rng=0)
    assert isinstance(t, GanTarget) and t.name == name
    assert t.points.shape == (500, 2) and t.points.dtype == np.float64
    assert t.centers.shape == (MODES[name], 2) and t.centers.dtype == np.float64
    assert t.std > 0 and t.noise >= 0
    assert t.description and "\n" not in t.description
    assert name in t.describe() and "500 points" in t.describe() and f"{MODES[name]} modes" in t.describe()
    assert len(t) == 500 and D.gan_target is gan_target          # exported by dlhelpers.data


@pytest.mark.parametrize("name", list(GAN_TARGETS))
def test_targets_are_seeded_and_frozen(name):
    a, b, c = gan_target(name, 300, rng=1), gan_target(name, 300, rng=np.random.default_rng(1)), gan_target(name, 300, rng=2)
    np.testing.assert_array_equal(a.points, b.points)
    assert not np.array_equal(a.points, c.points)
    np.testing.assert_array_equal(a.centers, c.centers)         # the modes do not depend on the draw
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.std = 1.0
    with pytest.raises(ValueError):
        a.points[0, 0] = 0.0                                     # read-only arrays


@pytest.mark.parametrize("name", list(GAN_TARGETS))
def test_the_target_covers_its_own_modes(name):
    t = gan_target(name, 5000, rng=0)
    counts = mode_counts(t.points, t)
    assert modes_covered(t.points, t) == MODES[name]
    # every mode gets about its fair share of the points within 3σ (uniform over modes / arc length)
    fair = len(t.points) / MODES[name]
    assert counts.min() > 0.7 * fair and counts.max() < 1.3 * fair, counts
    assert high_quality_share(t.points, t) > 0.97


@pytest.mark.parametrize("name", list(GAN_TARGETS))
def test_a_point_on_one_centre_is_outside_every_other_mode(name):
    # the 3σ discs are narrower than the distance between centres, so a collapsed generator scores 1 mode
    t = gan_target(name, 10, rng=0)
    gaps = np.linalg.norm(t.centers[:, None] - t.centers[None], axis=2) + np.diag(np.full(len(t.centers), np.inf))
    assert gaps.min() > 3 * t.std


def test_ring_and_grid_centres():
    ring = ring_target(10, rng=0)
    np.testing.assert_allclose(np.linalg.norm(ring.centers, axis=1), 2.0)
    np.testing.assert_allclose(ring.centers[2], [0.0, 2.0], atol=1e-12)          # angle 2π·2/8 = π/2
    grid = grid_target(10, rng=0)
    assert sorted(set(grid.centers[:, 0])) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert len({tuple(c) for c in grid.centers}) == 25
    assert ring.std == grid.std == 0.1
    assert ring_target(10, modes=3, radius=1.0, std=0.02, rng=0).centers.shape == (3, 2)


def test_curve_modes_lie_on_the_curve_evenly_spaced():
    m = moons_target(10, rng=0)
    upper, lower = m.centers[:6], m.centers[6:]
    np.testing.assert_allclose(np.linalg.norm(upper, axis=1), 1.0)               # unit circle
    np.testing.assert_allclose(np.linalg.norm(lower - [1.0, 0.5], axis=1), 1.0)
    angles = np.arctan2(upper[:, 1], upper[:, 0])
    np.testing.assert_allclose(angles, np.pi * (np.arange(6) + 0.5) / 6, atol=1e-6)   # middles of 6 equal pieces
    # std = sqrt((spacing / 6)² + noise²) with spacing = 2π / 12
    assert m.std == pytest.approx(np.hypot(2 * np.pi / 12 / 6, 0.05))
    s = spiral_target(10, rng=0)
    r = np.linalg.norm(s.centers, axis=1)
    assert np.all(np.diff(r) > 0) and 0.25 < r[0] < r[-1] < 2.0                    # from the centre outwards
    theta = 2 * np.pi * r                                                            # on the arm r = θ / 2π
    np.testing.assert_allclose(s.centers, np.c_[r * np.cos(theta), r * np.sin(theta)], atol=1e-6)

    def arc(t0, t1):                                                                 # arc length, fine polyline
        t = np.linspace(t0, t1, 20001)
        return np.sum(np.hypot(*np.diff(np.c_[t * np.cos(t), t * np.sin(t)] / (2 * np.pi), axis=0).T))
    pieces = [arc(a, b) for a, b in zip(theta[:-1], theta[1:])]
    np.testing.assert_allclose(pieces, pieces[0], rtol=1e-4)                        # equal arcs between modes
    total = arc(np.pi / 2, np.pi / 2 + 2 * np.pi * 1.75)
    np.testing.assert_allclose(arc(np.pi / 2, theta[0]), total / 20 / 2, rtol=1e-3)  # the first piece's middle


def test_options_reach_the_target_function():
    assert gan_target("ring", 50, rng=0, modes=5, std=0.05).centers.shape == (5, 2)
    assert gan_target("grid", 50, rng=0, size=3).centers.shape == (9, 2)
    assert gan_target("spiral", 50, rng=0, modes=10).centers.shape == (10, 2)


@pytest.mark.parametrize("call, match", [
    (lambda: gan_target("rings", 10), r"name must be one of 'ring', 'grid', 'moons', 'spiral' for gan_target"),
    (lambda: gan_target("ring", 0), r"n must be a whole number in \[1, 10000000\] for ring_target; got 0"),
    (lambda: gan_target("grid", -5), r"n must be a whole number .* for grid_target"),
    (lambda: gan_target("moons", 2.5), r"n must be a whole number .* for moons_target; got 2.5"),
    (lambda: spiral_target(float("nan")), r"n must be a whole number .* for spiral_target"),
    (lambda: ring_target(10, std=0), r"std must be > 0 for ring_target"),
    (lambda: moons_target(10, modes=7), r"modes must be even for moons_target; got 7. Pass e.g. modes=8"),
    (lambda: gan_target("ring", 10, noise=0.1), r"each option must be one of 'modes', 'radius', 'std'"),
    (lambda: ring_target(10, rng=-1), r"rng must be a non-negative int seed"),
])
def test_bad_input_raises_a_clear_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_wrong_types_raise_type_error():
    with pytest.raises(TypeError, match=r"n must be a whole number for ring_target; got '10' \(str\)"):
        ring_target("10")
    with pytest.raises(TypeError, match="rng must be"):
        grid_target(10, rng="seed")
