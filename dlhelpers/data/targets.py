"""Two-dimensional target distributions for a GAN to learn, each with the modes a good generator must cover.

A target is a :class:`GanTarget`: ``points`` (n, 2) drawn from it with ``rng``, the ``centers`` (M, 2) of its
modes, and the ``std`` that decides when a sample counts as belonging to a mode (within 3·std of its centre,
see :func:`dlhelpers.metrics.modes_covered`). Four targets, by name in :data:`GAN_TARGETS`:

* ``"ring"`` — 8 Gaussians evenly spaced on a circle of radius 2 (the classic mode-collapse test);
* ``"grid"`` — 25 Gaussians on a 5×5 grid with spacing 2, from −4 to 4;
* ``"moons"`` — two interleaving half-circles of radius 1 with Gaussian noise;
* ``"spiral"`` — one arm of an Archimedean spiral (radius 0.25 → 2 over 1.75 turns) with Gaussian noise.

The mixtures' modes are their Gaussians. The curves have no natural modes, so here a curve's modes are
``modes`` points evenly spaced along it by arc length (the middles of ``modes`` equal pieces), and the
points are drawn uniformly by arc length, so every mode gets the same share of real samples. The curves'
``std`` is ``sqrt((spacing / 6)² + noise²)``: the 3·std disc around a mode reaches half-way to its
neighbours along the curve and three noise widths across it, so nearly every real point lies near a mode,
while a point sitting on one mode's centre is still more than 3·std from every other centre.

The defaults put the mixture's Gaussians at std 0.1, wider than the 0.02 (ring, Metz et al. 2017) and 0.05
(grid, Srivastava et al. 2017) of the papers, so that a small NumPy GAN can reach them within a lesson;
pass ``std=0.02`` for the papers' setting.

Example:
    >>> t = gan_target("ring", 400, rng=0)
    >>> t.points.shape, t.centers.shape, t.std
    ((400, 2), (8, 2), 0.1)
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np

from .._checks import _fail, check_choice, check_count, check_number, check_positive, check_rng

__all__ = ["GanTarget", "ring_target", "grid_target", "moons_target", "spiral_target", "gan_target", "GAN_TARGETS"]

#: the most points one call draws (10 million, 160 MB as float64)
MAX_POINTS = 10_000_000


@dataclass(frozen=True)
class GanTarget:
    """Samples of a 2-D target distribution and its modes.

    Attributes:
        name: the target's name in :data:`GAN_TARGETS` (``"ring"``, ``"grid"``, ``"moons"``, ``"spiral"``).
        description: one line for the screen: what the target is.
        points: (n, 2) float64 samples, read-only.
        centers: (M, 2) float64 centres of the M modes, read-only.
        std: a sample belongs to a mode when it lies within 3·std of the mode's centre.
        noise: the std of the Gaussian noise added to each point (equal to ``std`` for the mixtures).
    """

    name: str
    description: str
    points: np.ndarray
    centers: np.ndarray
    std: float
    noise: float

    def __post_init__(self):
        for field in ("points", "centers"):
            arr = np.array(getattr(self, field), dtype=np.float64)     # (n, 2) / (M, 2), our own read-only copy
            arr.setflags(write=False)
            object.__setattr__(self, field, arr)

    def __len__(self):
        return len(self.points)

    def __repr__(self):
        return (f"GanTarget({self.name!r}: points {self.points.shape}, {len(self.centers)} modes, std {self.std:g})")

    def describe(self) -> str:
        """One line for the screen: which target, how many points, how many modes."""
        return (f"Data: {self.name} — {self.description} [{len(self.points)} points, {len(self.centers)} modes; "
                "source: generated (dlhelpers.data.targets)]")


def _check_n(n, func):
    return check_count(n, "n", func, maximum=MAX_POINTS)


def _mixture(name, description, centers, n, std, rng) -> GanTarget:
    """n points: a mode chosen uniformly for each, plus N(0, std²) noise in each coordinate."""
    which = rng.integers(0, len(centers), size=n)                      # (n,)
    points = centers[which] + std * rng.standard_normal((n, 2))       # (n, 2)
    return GanTarget(name, description, points, centers, float(std), float(std))


def ring_target(n=1000, modes=8, radius=2.0, std=0.1, rng=None) -> GanTarget:
    """A ring of Gaussians: ``modes`` centres at angles 2πk/modes on a circle of ``radius``, each N(centre, std²·I).

    Args:
        n: number of points.
        modes: number of Gaussians on the ring.
        radius: the ring's radius.
        std: each Gaussian's standard deviation (per coordinate).
        rng: a ``np.random.Generator``, an int seed or None.

    Returns:
        A :class:`GanTarget` with ``points`` (n, 2) and ``centers`` (modes, 2).

    Example:
        >>> ring_target(100, rng=0).centers[0]
        array([2., 0.])
    """
    func = "ring_target"
    n = _check_n(n, func)
    modes = check_count(modes, "modes", func, maximum=10_000)
    check_positive(radius, "radius", func)
    check_positive(std, "std", func)
    rng = check_rng(rng, func)
    angles = 2 * np.pi * np.arange(modes) / modes
    centers = radius * np.c_[np.cos(angles), np.sin(angles)]           # (modes, 2)
    return _mixture("ring", f"a ring of {modes} Gaussians (radius {radius:g}, std {std:g})", centers, n, std, rng)


def grid_target(n=1000, size=5, spacing=2.0, std=0.1, rng=None) -> GanTarget:
    """A size×size grid of Gaussians centred on the origin, ``spacing`` apart, each N(centre, std²·I).

    Args:
        n: number of points.
        size: Gaussians per row and per column (5: 25 modes at −4, −2, 0, 2, 4 in each coordinate).
        spacing: distance between neighbouring centres.
        std: each Gaussian's standard deviation (per coordinate).
        rng: a ``np.random.Generator``, an int seed or None.

    Returns:
        A :class:`GanTarget` with ``points`` (n, 2) and ``centers`` (size², 2), row by row.
    """
    func = "grid_target"
    n = _check_n(n, func)
    size = check_count(size, "size", func, maximum=100)
    check_positive(spacing, "spacing", func)
    check_positive(std, "std", func)
    rng = check_rng(rng, func)
    ticks = spacing * (np.arange(size) - (size - 1) / 2)                # (size,), symmetric about 0
    gx, gy = np.meshgrid(ticks, ticks)
    centers = np.c_[gx.ravel(), gy.ravel()]                            # (size², 2)
    return _mixture("grid", f"a {size}×{size} grid of Gaussians (spacing {spacing:g}, std {std:g})",
                    centers, n, std, rng)


def _curve_target(name, description, curve, pieces, n, modes, noise, rng) -> GanTarget:
    """Points uniform by arc length along ``curve`` plus N(0, noise²) noise; modes at the pieces' middles.

    ``curve(t)`` maps parameters t in [0, 1] to (len(t), 2) points; ``pieces`` splits ``modes`` among the
    curve's disconnected parts (a list of curves with their share of the modes).
    """
    grid = np.linspace(0.0, 1.0, 4001)
    parts = []
    for part in curve:
        xy = part(grid)                                                 # (4001, 2) dense polyline
        arc = np.r_[0.0, np.cumsum(np.hypot(*np.diff(xy, axis=0).T))]   # (4001,) arc length from the start
        parts.append((part, arc))
    lengths = np.array([arc[-1] for _, arc in parts])
    # points: a part chosen in proportion to its length, then a uniform arc position on it
    which = rng.choice(len(parts), size=n, p=lengths / lengths.sum())
    s = rng.random(n)
    points = np.empty((n, 2))
    centers = []
    for k, ((part, arc), m) in enumerate(zip(parts, pieces)):
        sel = which == k
        points[sel] = part(np.interp(s[sel] * arc[-1], arc, grid))
        centers.append(part(np.interp((np.arange(m) + 0.5) / m * arc[-1], arc, grid)))   # (m, 2)
    points += noise * rng.standard_normal((n, 2))
    spacing = lengths.sum() / modes
    std = float(np.sqrt((spacing / 6) ** 2 + noise ** 2))
    return GanTarget(name, description, points, np.concatenate(centers), std, float(noise))


def moons_target(n=1000, modes=12, noise=0.05, rng=None) -> GanTarget:
    """Two interleaving half-circles of radius 1 (as sklearn's make_moons) with N(0, noise²) noise.

    The upper moon is (cos πt, sin πt), the lower (1 − cos πt, 0.5 − sin πt), t in [0, 1]. Its modes are
    ``modes`` points evenly spaced along the moons by arc length (half on each), and its ``std`` is
    ``sqrt((spacing / 6)² + noise²)`` with spacing = 2π / modes (see the module's notes).

    Args:
        n: number of points.
        modes: number of modes, even (half on each moon).
        noise: standard deviation of the noise added to each coordinate.
        rng: a ``np.random.Generator``, an int seed or None.

    Returns:
        A :class:`GanTarget` with ``points`` (n, 2) and ``centers`` (modes, 2).
    """
    func = "moons_target"
    n = _check_n(n, func)
    modes = check_count(modes, "modes", func, maximum=10_000)
    if modes % 2:                                                       # half the modes go on each moon
        _fail("modes", func, "even", repr(modes), f"Pass e.g. modes={modes + 1} (half of them on each moon).")
    check_number(noise, "noise", func, low=0, fix="Pass a small noise, e.g. noise=0.05.")
    rng = check_rng(rng, func)
    upper = lambda t: np.c_[np.cos(np.pi * t), np.sin(np.pi * t)]                # noqa: E731
    lower = lambda t: np.c_[1 - np.cos(np.pi * t), 0.5 - np.sin(np.pi * t)]      # noqa: E731
    return _curve_target("moons", f"two interleaving half-moons (radius 1, noise {noise:g}), {modes} modes along "
                         "the curves", [upper, lower], [modes // 2, modes // 2], n, modes, noise, rng)


def spiral_target(n=1000, modes=20, turns=1.75, noise=0.05, rng=None) -> GanTarget:
    """One arm of an Archimedean spiral with N(0, noise²) noise: radius r = θ / 2π from 0.25 to 0.25 + turns.

    The arm starts at angle θ = π/2 (radius 0.25) and winds ``turns`` times anticlockwise, 1 apart from
    turn to turn (the default ends at radius 2). Its modes are ``modes`` points evenly spaced along the arm
    by arc length, and its ``std`` is ``sqrt((spacing / 6)² + noise²)`` (see the module's notes).

    Args:
        n: number of points.
        modes: number of modes along the arm.
        turns: how many times the arm winds round the origin.
        noise: standard deviation of the noise added to each coordinate.
        rng: a ``np.random.Generator``, an int seed or None.

    Returns:
        A :class:`GanTarget` with ``points`` (n, 2) and ``centers`` (modes, 2), from the centre outwards.
    """
    func = "spiral_target"
    n = _check_n(n, func)
    modes = check_count(modes, "modes", func, maximum=10_000)
    check_number(turns, "turns", func, low=0.25, high=20, fix="Pass e.g. turns=1.75.")
    check_number(noise, "noise", func, low=0, fix="Pass a small noise, e.g. noise=0.05.")
    rng = check_rng(rng, func)
    start, stop = np.pi / 2, np.pi / 2 + 2 * np.pi * turns

    def arm(t):
        theta = start + (stop - start) * t
        r = theta / (2 * np.pi)
        return np.c_[r * np.cos(theta), r * np.sin(theta)]

    return _curve_target("spiral", f"a spiral arm ({turns:g} turns, radius 0.25 to {0.25 + turns:g}, noise "
                         f"{noise:g}), {modes} modes along it", [arm], [modes], n, modes, noise, rng)


#: name → function; every function takes ``(n, ..., rng=None)`` and returns a :class:`GanTarget`
GAN_TARGETS = {"ring": ring_target, "grid": grid_target, "moons": moons_target, "spiral": spiral_target}


def gan_target(name, n=1000, rng=None, **options) -> GanTarget:
    """The target called ``name`` in :data:`GAN_TARGETS`, n points drawn with ``rng``.

    Args:
        name: ``"ring"``, ``"grid"``, ``"moons"`` or ``"spiral"``.
        n: number of points.
        rng: a ``np.random.Generator``, an int seed or None.
        **options: the target function's own settings (``std=``, ``modes=``, ``noise=`` …).

    Returns:
        A :class:`GanTarget`.

    Example:
        >>> gan_target("grid", 10, rng=0).centers.shape
        (25, 2)
    """
    check_choice(name, "name", "gan_target", GAN_TARGETS)
    accepted = [p for p in inspect.signature(GAN_TARGETS[name]).parameters if p not in ("n", "rng")]
    for key in options:
        check_choice(key, "each option", f"gan_target({name!r})", accepted)
    return GAN_TARGETS[name](n, rng=rng, **options)
