"""Pure state of the GAN playground: numbers only (no ipywidgets, no drawing; tested in plain pytest).

A small GAN of two MLPs (:func:`dlhelpers.scratch.gan.build_mlp_gan`) learns a 2-D target
(:mod:`dlhelpers.data.targets`: ring, grid, moons, spiral). Three moves, as the buttons of the widget:

* :meth:`GANPlaygroundState.step_d` — one discriminator update on a real batch and a fake batch
  (:meth:`~dlhelpers.scratch.gan.GAN.discriminator_step`; G's parameters untouched);
* :meth:`GANPlaygroundState.step_g` — one generator update through D
  (:meth:`~dlhelpers.scratch.gan.GAN.generator_step`; D's parameters untouched);
* :meth:`GANPlaygroundState.step_both` — ``k`` D updates then one G update, the training step of
  Goodfellow et al. (what :meth:`~dlhelpers.scratch.gan.GAN.train_step` does).

After every move the state measures the GAN on a **fixed** evaluation set (the same real points and
the same noise every time, so the curves show the networks changing, not the sampling): D's loss, G's
loss, and the modes covered by 1,000 generated points (:func:`dlhelpers.metrics.modes_covered`).
:meth:`GANPlaygroundState.frame` gathers what the picture needs: real and generated points, D's answer
over a grid (σ(logit) for the cross-entropy losses, the raw output for least squares), the gradient
each generated point receives (:meth:`~dlhelpers.scratch.gan.GAN.sample_gradients`) and the curves.

Every random draw comes from ``seed``: :meth:`GANPlaygroundState.reset` rebuilds the same networks and
the same random stream, so a run can be repeated exactly. :data:`PRESETS` are settings whose outcome
was measured (``tests/widgets/test_gan_playground.py`` re-measures them).

:func:`dlhelpers.viz.gan.gan_frame_html` draws a frame; :mod:`dlhelpers.widgets.gan` wires the controls.
"""
from __future__ import annotations

import numbers
import time
from dataclasses import dataclass

import numpy as np

from .._blas import single_thread_blas
from .._checks import _fail, check_choice, check_number
from ..data.targets import GAN_TARGETS, gan_target
from ..metrics import modes_covered
from ..scratch.gan import GAN, GAN_LOSSES, build_mlp_gan, discriminator_loss, generator_loss
from ..scratch.optim import SGD, Adam

__all__ = ["GANPlaygroundState", "GANFrame", "PRESETS", "DEFAULT_SETTINGS", "SETTING_NAMES", "TARGETS", "LOSSES",
           "OPTIMIZERS", "ACTIVATIONS", "MAX_STEPS_PER_CALL", "validate_setting", "preset_settings", "preset_of"]

TARGETS = tuple(GAN_TARGETS)
LOSSES = tuple(GAN_LOSSES)
#: "adam" is Adam with β₁ = 0.5 (the usual choice for GANs since DCGAN); "sgd" is plain gradient descent
OPTIMIZERS = ("adam", "sgd")
ACTIVATIONS = ("relu", "leaky_relu", "tanh")
#: the most steps one call of :meth:`GANPlaygroundState.run` takes
MAX_STEPS_PER_CALL = 100_000

DEFAULT_SETTINGS = {"target": "ring", "loss": "non_saturating", "optimizer": "adam", "d_learning_rate": 0.005,
                    "g_learning_rate": 0.002, "k": 1, "noise_dim": 2, "hidden_width": 32, "hidden_depth": 2,
                    "activation": "relu", "batch_size": 128, "seed": 0}
SETTING_NAMES = tuple(DEFAULT_SETTINGS)

_STALL = {"loss": "minimax", "optimizer": "sgd", "d_learning_rate": 0.3, "g_learning_rate": 0.01, "k": 3,
          "hidden_width": 64, "hidden_depth": 1, "activation": "tanh"}

#: Named settings whose outcome was measured (seed 0, the ring): ``settings`` (missing keys: as
#: :data:`DEFAULT_SETTINGS`), ``steps`` (Step-both moves, e.g. Play until the counter shows them) and
#: ``modes`` (modes covered after them), with a note on what to watch. The first two differ in the loss only.
PRESETS = {
    "saturating loss, D far ahead: G stalls": {
        "settings": dict(_STALL), "steps": 800, "modes": 0,
        "note": "Plain SGD, D's learning rate 30× G's and 3 D steps per G step: D soon says 'fake' with "
                "confidence wherever the generated points are (pink). There the saturating loss "
                "log(1 − D(G(z))) is flat, so those points get almost no push (short arrows) and stay "
                "scattered. Measured: 0 of 8 modes after 800 steps."},
    "same, non-saturating loss: G moves": {
        "settings": {**_STALL, "loss": "non_saturating"}, "steps": 800, "modes": 3,
        "note": "The stalled run's settings with only the loss changed: −log D(G(z)) is steep exactly where "
                "D(G(z)) ≈ 0, so the rejected points are pulled to the ring (long arrows). "
                "Measured: 3 of 8 modes after 800 steps, and still gaining."},
    "non-saturating loss, balanced: covers the modes": {
        "settings": {"loss": "non_saturating", "optimizer": "adam", "d_learning_rate": 0.005,
                     "g_learning_rate": 0.002, "k": 1, "hidden_width": 32, "hidden_depth": 2, "activation": "relu"},
        "steps": 600, "modes": 8,
        "note": "Adam (β₁ = 0.5), one D step per G step, D a little faster than G: the generated points "
                "spread over all eight Gaussians. Measured: 8 of 8 modes after 600 steps."},
}



def preset_settings(name) -> dict:
    """All the settings of preset ``name``: :data:`DEFAULT_SETTINGS` updated with the preset's own.

    Raises:
        ValueError: ``name`` is not a key of :data:`PRESETS`.
    """
    check_choice(name, "preset", "preset_settings", PRESETS)
    return {**DEFAULT_SETTINGS, **PRESETS[name]["settings"]}


def preset_of(settings) -> str | None:
    """The name of the preset whose settings are exactly ``settings`` (a full settings dict), or None."""
    for name in PRESETS:
        if dict(settings) == preset_settings(name):
            return name
    return None


_POINTS = 2000          # the target's points (training draws its batches from them)
_SHOW_REAL = 500        # real points drawn
_EVAL = 1000            # fixed noise rows: modes covered and the losses are measured on these
_SHOW_FAKE = 500        # generated points drawn (the first rows of the fixed noise)
_ARROWS = 120           # of which this many carry an arrow
_GRID = 60              # D's answer on a _GRID × _GRID grid
_HISTORY_KEYS = ("steps", "d_steps", "g_steps", "d_loss", "g_loss", "modes")


@dataclass(frozen=True)
class GANFrame:
    """What the playground shows after a move (numbers only).

    Attributes:
        steps, d_steps, g_steps: moves made (Step D, Step G and Step both count one each), D updates, G updates.
        real: (R, 2) real points; fake: (F, 2) generated points (the fixed noise's first rows).
        arrow_at: (A, 2) generated points with an arrow; arrows: (A, 2) −∂ℓ_G/∂x at them, the direction
            G's loss pushes each point (its length is the gradient's size).
        grid_x, grid_y: (P,) the grid's coordinates; surface: (P, P) D's answer there, ``surface[i, j]``
            at (grid_x[j], grid_y[i]).
        surface_label: what ``surface`` is ("D(x) = σ(logit)" or "D's raw output a").
        bounds: (xmin, xmax, ymin, ymax) of the view; outside: generated points outside it.
        history: dict of (T,) arrays keyed by ``steps``, ``d_steps``, ``g_steps``, ``d_loss``, ``g_loss``,
            ``modes``, one entry per move (the first one before any).
        modes, n_modes: modes covered now, and the target's number of modes.
        d_loss, g_loss: the losses now (on the fixed evaluation set); loss: the loss's name.
        title: one line naming the target and the settings; last: what the last move was.
    """

    steps: int
    d_steps: int
    g_steps: int
    real: np.ndarray
    fake: np.ndarray
    arrow_at: np.ndarray
    arrows: np.ndarray
    grid_x: np.ndarray
    grid_y: np.ndarray
    surface: np.ndarray
    surface_label: str
    bounds: tuple
    outside: int
    history: dict
    modes: int
    n_modes: int
    d_loss: float
    g_loss: float
    loss: str
    title: str
    last: str


def _check_int(value, name, func, low, high):
    return int(check_number(value, name, func, low=low, high=high, integer=True,
                            fix=f"Pass a whole number from {low} to {high}."))


def validate_setting(name, value):
    """Check one setting of the playground and return it in canonical form (ints as int, rates as float).

    Args:
        name: one of :data:`SETTING_NAMES`; value: its new value.

    Returns:
        the value, checked.

    Raises:
        ValueError: an unknown setting or choice, a number out of range.
        TypeError: a value of the wrong type.
    """
    func = "GANPlaygroundState"
    if name == "target":
        return check_choice(value, name, func, TARGETS)
    if name == "loss":
        return check_choice(value, name, func, LOSSES)
    if name == "optimizer":
        return check_choice(value, name, func, OPTIMIZERS)
    if name == "activation":
        return check_choice(value, name, func, ACTIVATIONS)
    if name in ("d_learning_rate", "g_learning_rate"):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            _fail(name, func, "a number", f"{value!r} ({type(value).__name__})", f"Pass e.g. {name}=0.002.",
                  exc=TypeError)
        if not (np.isfinite(value) and 0 < value <= 1):
            _fail(name, func, "in (0, 1]", repr(value), f"Pass e.g. {name}=0.002.")
        return float(value)
    if name == "k":
        return _check_int(value, name, func, 1, 20)
    if name == "noise_dim":
        return _check_int(value, name, func, 1, 16)
    if name == "hidden_width":
        return _check_int(value, name, func, 1, 256)
    if name == "hidden_depth":
        return _check_int(value, name, func, 1, 4)
    if name == "batch_size":
        return _check_int(value, name, func, 1, 1024)
    if name == "seed":
        return _check_int(value, name, func, 0, 2 ** 31 - 1)
    check_choice(name, "setting name", func, SETTING_NAMES)
    raise AssertionError("unreachable")   # pragma: no cover


class GANPlaygroundState:
    """A 2-D GAN to step by hand: Step D, Step G, Step both, run, reset; every move measured.

    Args:
        target: "ring", "grid", "moons" or "spiral" (:data:`dlhelpers.data.targets.GAN_TARGETS`).
        loss: "minimax" (saturating), "non_saturating" or "least_squares" (:data:`dlhelpers.scratch.gan.GAN_LOSSES`).
        optimizer: "adam" (β₁ = 0.5) or "sgd" (plain), one instance for D and one for G.
        d_learning_rate, g_learning_rate: the two learning rates, in (0, 1].
        k: D updates per G update in :meth:`step_both`, 1 … 20.
        noise_dim: width of the noise z, 1 … 16.
        hidden_width, hidden_depth: hidden layers of both networks (depth × width units), width 1 … 256,
            depth 1 … 4.
        activation: the hidden layers' activation ("relu", "leaky_relu", "tanh").
        batch_size: real and fake samples per update, 1 … 1024.
        seed: the target's points, the initial weights, the batches and the noise.

    Attributes:
        gan: the scratch :class:`~dlhelpers.scratch.gan.GAN` being trained; target: the
        :class:`~dlhelpers.data.targets.GanTarget`; steps, d_steps, g_steps: moves, D and G updates
        so far; history: lists keyed like :attr:`GANFrame.history`; error: why training stopped ("" if
        it did not).

    Example:
        >>> s = GANPlaygroundState()
        >>> s.step_both(), s.step_d(), (s.steps, s.d_steps, s.g_steps)
        (True, True, (2, 2, 1))
    """

    def __init__(self, **settings):
        values = dict(DEFAULT_SETTINGS)
        for name, value in settings.items():
            values[name] = validate_setting(name, value)
        self._settings = values
        self.reset()

    # --- settings -----------------------------------------------------------------------------------
    @property
    def settings(self) -> dict:
        """The current settings (a copy)."""
        return dict(self._settings)

    def configure(self, **changes):
        """Change settings (validated all together first: a bad value changes nothing), then :meth:`reset`.

        Raises:
            ValueError, TypeError: as :func:`validate_setting`.
        """
        new = dict(self._settings)
        for name, value in changes.items():
            new[name] = validate_setting(name, value)
        self._settings = new
        self.reset()

    def describe(self) -> str:
        """One line: the data and the settings."""
        s = self._settings
        opt = "Adam (β₁ = 0.5)" if s["optimizer"] == "adam" else "SGD"
        return (f"{self.target.name}: {len(self.target.centers)} modes · loss {s['loss']} · {opt}, "
                f"lr D {s['d_learning_rate']:g} / G {s['g_learning_rate']:g} · k = {s['k']} · "
                f"noise {s['noise_dim']}-D · {s['hidden_depth']} × {s['hidden_width']} {s['activation']} · "
                f"batch {s['batch_size']} · seed {s['seed']}")

    # --- building -----------------------------------------------------------------------------------
    def _build(self) -> GAN:
        s = self._settings
        gan = build_mlp_gan(data_dim=2, noise_dim=s["noise_dim"], hidden=(s["hidden_width"],) * s["hidden_depth"],
                            activation=s["activation"], loss=s["loss"], k=s["k"], rng=self._init_rng)
        if s["optimizer"] == "adam":
            gan.d_optimizer = Adam(s["d_learning_rate"], beta_1=0.5)
            gan.g_optimizer = Adam(s["g_learning_rate"], beta_1=0.5)
        else:
            gan.d_optimizer, gan.g_optimizer = SGD(s["d_learning_rate"]), SGD(s["g_learning_rate"])
        return gan

    def reset(self):
        """Back to the start: the same networks, the same random stream, an empty history."""
        s = self._settings
        seeds = np.random.SeedSequence(s["seed"]).spawn(4)
        self.target = gan_target(s["target"], _POINTS, rng=np.random.default_rng(seeds[0]))
        self._init_rng = np.random.default_rng(seeds[1])
        self.gan = self._build()
        self.rng = np.random.default_rng(seeds[2])                    # batches and training noise
        eval_rng = np.random.default_rng(seeds[3])
        self.z_eval = eval_rng.standard_normal((_EVAL, s["noise_dim"]))                          # (1000, noise_dim)
        self.real_eval = self.target.points[eval_rng.choice(_POINTS, _EVAL, replace=False)]     # (1000, 2)
        lo, hi = self.target.points.min(0), self.target.points.max(0)
        centre, half = (lo + hi) / 2, 0.6 * float(np.max(hi - lo)) + 0.3
        self.bounds = (centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half)
        self.steps = self.d_steps = self.g_steps = 0
        self.error = ""
        self.last = "start: untrained networks"
        self.history = {key: [] for key in _HISTORY_KEYS}
        self._frame = None
        with np.errstate(all="ignore"), single_thread_blas():
            self._record()

    # --- moves ------------------------------------------------------------------------------------------
    def _real_batch(self):
        return self.target.points[self.rng.integers(0, _POINTS, size=self._settings["batch_size"])]

    def _noise(self):
        return self.gan.noise(self._settings["batch_size"], self.rng)

    def _d_update(self):
        x = self._real_batch()
        self.gan.discriminator_step(x, self._noise())
        self.d_steps += 1

    def _g_update(self):
        self.gan.generator_step(self._noise())
        self.g_steps += 1

    def _move(self, updates, what):
        if self.error:
            return False
        move = self.steps + 1
        gen, disc = self.gan.generator, self.gan.discriminator
        saved = ({k: v.copy() for k, v in gen.params.items()}, {k: v.copy() for k, v in disc.params.items()},
                 self.d_steps, self.g_steps)
        try:
            with np.errstate(all="ignore"), single_thread_blas():
                updates()
                self.steps = move
                self._record()
        except (ValueError, FloatingPointError):        # weights or samples no longer finite
            gen.set_params(saved[0])                     # keep the last good networks (and picture)
            disc.set_params(saved[1])
            self.steps, self.d_steps, self.g_steps = move - 1, saved[2], saved[3]
            self.error = (f"training diverged at move {move}: the weights or the generated points are no longer "
                          "finite numbers. Lower the learning rates, then press Reset.")
            return False
        self.last = what
        return True

    def step_d(self):
        """Step D: one discriminator update (G untouched). Returns False when training has stopped."""
        return self._move(self._d_update, "Step D: one update of D")

    def step_g(self):
        """Step G: one generator update through D (D untouched). Returns False when training has stopped."""
        return self._move(self._g_update, "Step G: one update of G")

    def step_both(self):
        """Step both: ``k`` discriminator updates, then one generator update (one training step)."""
        k = self._settings["k"]

        def both():
            for _ in range(k):
                self._d_update()
            self._g_update()
        return self._move(both, f"Step both: {k} update{'s' if k > 1 else ''} of D, then 1 of G")

    def run(self, steps, seconds=None):
        """Up to ``steps`` times :meth:`step_both` (what Play does); stops early if training diverges or,
        with ``seconds``, once that much time has passed (after at least one step).

        Args:
            steps: 1 … :data:`MAX_STEPS_PER_CALL`.
            seconds: None, or a time budget in seconds (Play's tick).

        Returns:
            the number of steps taken.
        """
        func = "GANPlaygroundState.run"
        steps = _check_int(steps, "steps", func, 1, MAX_STEPS_PER_CALL)
        if seconds is not None:
            check_number(seconds, "seconds", func, low=0, fix="Pass a time budget such as seconds=0.15, or None.")
        end = None if seconds is None else time.perf_counter() + seconds
        for done in range(steps):
            if (done and end is not None and time.perf_counter() > end) or not self.step_both():
                return done
        return steps

    # --- measuring ---------------------------------------------------------------------------------------
    def _record(self):
        gan = self.gan
        fake = gan.generate(self.z_eval)                                         # (1000, 2)
        if not np.all(np.isfinite(fake)):
            raise ValueError("the generated points are no longer finite.")
        a_real, a_fake = gan.logits(self.real_eval), gan.logits(fake)
        values = {"steps": self.steps, "d_steps": self.d_steps, "g_steps": self.g_steps,
                  "d_loss": discriminator_loss(a_real, a_fake, self._settings["loss"]),
                  "g_loss": generator_loss(a_fake, self._settings["loss"]),
                  "modes": modes_covered(fake, self.target)}
        for key, value in values.items():
            self.history[key].append(value)
        self._fake = fake
        self._frame = None

    @property
    def modes(self) -> int:
        """Modes covered by the 1,000 generated points now."""
        return int(self.history["modes"][-1])

    @property
    def fake(self) -> np.ndarray:
        """The generated points for the fixed evaluation noise, (1000, 2)."""
        return self._fake

    def frame(self) -> GANFrame:
        """What the picture shows now (computed once per move)."""
        if self._frame is None:
            self._frame = self._make_frame()
        return self._frame

    def _make_frame(self) -> GANFrame:
        gan, s = self.gan, self._settings
        x0, x1, y0, y1 = self.bounds
        gx, gy = np.linspace(x0, x1, _GRID), np.linspace(y0, y1, _GRID)
        xx, yy = np.meshgrid(gx, gy)                                             # (P, P) each
        with np.errstate(all="ignore"), single_thread_blas():
            surface = gan.discriminate(np.c_[xx.ravel(), yy.ravel()]).reshape(_GRID, _GRID)
            at = self._fake[:_ARROWS]
            arrows = -gan.sample_gradients(at)                                   # (A, 2): where G's loss pushes
        fake = self._fake[:_SHOW_FAKE]
        inside = (fake[:, 0] >= x0) & (fake[:, 0] <= x1) & (fake[:, 1] >= y0) & (fake[:, 1] <= y1)
        label = "D's raw output a (least squares)" if s["loss"] == "least_squares" else "D(x) = σ(logit)"
        history = {key: np.asarray(values) for key, values in self.history.items()}
        return GANFrame(steps=self.steps, d_steps=self.d_steps, g_steps=self.g_steps,
                        real=self.real_eval[:_SHOW_REAL], fake=fake, arrow_at=at, arrows=arrows,
                        grid_x=gx, grid_y=gy, surface=surface, surface_label=label, bounds=self.bounds,
                        outside=int(np.sum(~inside)), history=history, modes=self.modes,
                        n_modes=len(self.target.centers), d_loss=float(self.history["d_loss"][-1]),
                        g_loss=float(self.history["g_loss"][-1]), loss=s["loss"], title=self.describe(),
                        last=self.last)
