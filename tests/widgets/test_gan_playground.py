"""The GAN playground: its state against the scratch GAN, its presets re-measured, its picture, its shell clicked."""
import subprocess
import sys
import time

import numpy as np
import pytest

from dlhelpers.metrics import modes_covered
from dlhelpers.widgets.gan_state import DEFAULT_SETTINGS, PRESETS, GANFrame, GANPlaygroundState

STALL, MOVES, COVERS = PRESETS          # the stalled run, the same with the other loss, the balanced run


def _params(net):
    return {k: v.copy() for k, v in net.params.items()}


def _same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def _changed(a, b):
    """Names of the arrays that differ."""
    return {k for k in a if not np.array_equal(a[k], b[k])}


# --- the state ------------------------------------------------------------------------------------

def test_defaults_and_counters():
    s = GANPlaygroundState()
    assert s.settings == DEFAULT_SETTINGS and s.steps == s.d_steps == s.g_steps == 0
    assert DEFAULT_SETTINGS == {**DEFAULT_SETTINGS, **PRESETS[COVERS]["settings"]}   # the defaults are a preset
    assert len(s.history["steps"]) == 1 and s.target.name == "ring" and len(s.target.centers) == 8
    assert s.fake.shape == (1000, 2) and s.modes == modes_covered(s.fake, s.target)
    assert s.step_both() and (s.steps, s.d_steps, s.g_steps) == (1, 1, 1)
    assert s.step_d() and (s.steps, s.d_steps, s.g_steps) == (2, 2, 1)
    assert s.step_g() and (s.steps, s.d_steps, s.g_steps) == (3, 2, 2)
    assert s.history["steps"] == [0, 1, 2, 3] and s.history["d_steps"] == [0, 1, 2, 2]
    assert all(len(v) == 4 for v in s.history.values())
    s.configure(k=3)
    assert s.step_both() and (s.steps, s.d_steps, s.g_steps) == (1, 3, 1)
    assert s.run(4) == 4 and (s.steps, s.d_steps, s.g_steps) == (5, 15, 5)
    assert "Step both: 3 updates of D, then 1 of G" in s.last


def test_step_d_changes_only_d_and_step_g_only_g():
    s = GANPlaygroundState()
    s.run(3)
    d0, g0 = _params(s.gan.discriminator), _params(s.gan.generator)
    s.step_d()
    d1, g1 = _params(s.gan.discriminator), _params(s.gan.generator)
    assert _same(g0, g1) and _changed(d0, d1) == set(d0)           # every D array moved, no G array
    s.step_g()
    d2, g2 = _params(s.gan.discriminator), _params(s.gan.generator)
    assert _same(d1, d2) and _changed(g1, g2) == set(g1)


@pytest.mark.parametrize("k", [1, 3])
def test_step_both_is_k_d_steps_then_one_g_step(k):
    a, b = GANPlaygroundState(k=k, seed=5), GANPlaygroundState(k=k, seed=5)
    for _ in range(2):
        a.step_both()
        for _ in range(k):
            b.step_d()
        b.step_g()
    assert _same(_params(a.gan.discriminator), _params(b.gan.discriminator))
    assert _same(_params(a.gan.generator), _params(b.gan.generator))
    assert (a.d_steps, a.g_steps) == (b.d_steps, b.g_steps) == (2 * k, 2)
    assert a.history["d_loss"][-1] == b.history["d_loss"][-1] and a.steps == 2 and b.steps == 2 * (k + 1)


def test_step_both_is_the_scratch_gans_train_step():
    """The same batches and noise through GAN.train_step give the same weights (the state adds nothing)."""
    s = GANPlaygroundState(k=2, seed=3)
    ref = GANPlaygroundState(k=2, seed=3)
    gan, rng, b = ref.gan, ref.rng, ref.settings["batch_size"]
    x, z = [], []
    for _ in range(2):                                            # the draws in the state's order
        x.append(ref.target.points[rng.integers(0, len(ref.target.points), size=b)])
        z.append(gan.noise(b, rng))
    z_g = gan.noise(b, rng)
    gan.train_step(np.stack(x), z=(np.stack(z), z_g))
    s.step_both()
    assert _same(_params(s.gan.discriminator), _params(gan.discriminator))
    assert _same(_params(s.gan.generator), _params(gan.generator))


def test_reset_restores_the_start_exactly():
    s = GANPlaygroundState(loss="least_squares", seed=2)
    d0, g0, f0 = _params(s.gan.discriminator), _params(s.gan.generator), s.frame()
    s.run(3)
    s.step_d()
    after = _params(s.gan.generator)
    s.reset()
    f1 = s.frame()
    assert _same(d0, _params(s.gan.discriminator)) and _same(g0, _params(s.gan.generator))
    assert s.steps == s.d_steps == s.g_steps == 0 and len(s.history["steps"]) == 1
    for name in ("real", "fake", "surface", "arrows", "arrow_at"):
        np.testing.assert_array_equal(getattr(f0, name), getattr(f1, name))
    s.run(3)
    s.step_d()
    assert _same(after, _params(s.gan.generator))                  # the same random stream again


def test_settings_changes_rebuild():
    s = GANPlaygroundState()
    s.run(2)
    s.configure(noise_dim=5, hidden_width=8, hidden_depth=3, target="grid", optimizer="sgd", activation="tanh")
    assert s.steps == 0 and len(s.history["steps"]) == 1 and s.gan.noise_dim == 5
    assert len(s.gan.generator.layers) == 4 and s.gan.generator.layers[0].units == 8
    assert s.target.name == "grid" and len(s.target.centers) == 25 and s.frame().n_modes == 25
    assert type(s.gan.d_optimizer).__name__ == "SGD" and s.gan.d_optimizer.learning_rate == 0.005
    s.configure(loss="minimax", d_learning_rate=0.01, g_learning_rate=0.0005, k=4)
    assert s.gan.loss == "minimax" and s.gan.k == 4 and s.gan.g_optimizer.learning_rate == 0.0005
    assert type(s.gan.g_optimizer).__name__ == "SGD"
    s.configure(optimizer="adam")
    assert s.gan.d_optimizer.beta_1 == 0.5 and s.gan.d_optimizer is not s.gan.g_optimizer
    assert s.step_both() and s.steps == 1


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(target="circle"), ValueError, "target must be one of 'ring', 'grid', 'moons', 'spiral'"),
    (dict(loss="wasserstein"), ValueError, "loss must be one of 'minimax', 'non_saturating', 'least_squares'"),
    (dict(optimizer="rmsprop"), ValueError, "optimizer must be one of 'adam', 'sgd'"),
    (dict(d_learning_rate=0), ValueError, r"d_learning_rate must be in \(0, 1\]"),
    (dict(g_learning_rate="0.1"), TypeError, "g_learning_rate must be a number"),
    (dict(k=0), ValueError, r"k must be in \[1, 20\]"),
    (dict(k=2.5), TypeError, "k must be an integer"),
    (dict(noise_dim=17), ValueError, r"noise_dim must be in \[1, 16\]"),
    (dict(hidden_depth=0), ValueError, r"hidden_depth must be in \[1, 4\]"),
    (dict(activation="step"), ValueError, "activation must be one of 'relu', 'leaky_relu', 'tanh'"),
    (dict(batch_size=True), TypeError, "batch_size must be an integer"),
    (dict(colour="red"), ValueError, "setting name must be one of"),
])
def test_bad_settings_give_clear_errors_and_change_nothing(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        GANPlaygroundState(**kwargs)
    s = GANPlaygroundState()
    s.step_both()
    with pytest.raises(exc, match=match):
        s.configure(**{"hidden_width": 8, **kwargs})
    assert s.settings == DEFAULT_SETTINGS and s.steps == 1          # nothing applied, not even hidden_width
    with pytest.raises(ValueError, match=r"steps must be in \[1, 100000\]"):
        s.run(0)


def test_presets_by_name_and_a_time_budget_for_run():
    from dlhelpers.widgets.gan_state import preset_of, preset_settings
    for name in PRESETS:
        assert preset_of(preset_settings(name)) == name
        assert set(PRESETS[name]["settings"]) <= set(DEFAULT_SETTINGS)
    assert preset_of(DEFAULT_SETTINGS) == COVERS and preset_of({**DEFAULT_SETTINGS, "seed": 1}) is None
    assert preset_settings(STALL)["noise_dim"] == DEFAULT_SETTINGS["noise_dim"]
    with pytest.raises(ValueError, match="preset must be one of"):
        preset_settings("fast")
    s = GANPlaygroundState()
    assert s.run(10_000, seconds=0.0) == 1                         # a zero budget still takes one step
    t0 = time.perf_counter()
    done = s.run(10_000, seconds=0.3)
    assert 1 <= done < 10_000 and time.perf_counter() - t0 < 2.0
    with pytest.raises(ValueError, match="seconds must be in"):
        s.run(5, seconds=-1)


def test_frame_holds_the_scratch_gans_numbers():
    s = GANPlaygroundState()
    s.run(5)
    f = s.frame()
    assert isinstance(f, GANFrame) and f is s.frame()              # computed once per move
    P = len(f.grid_x)
    xx, yy = np.meshgrid(f.grid_x, f.grid_y)
    np.testing.assert_allclose(f.surface, s.gan.discriminate(np.c_[xx.ravel(), yy.ravel()]).reshape(P, P),
                               rtol=1e-12)
    assert f.surface.min() >= 0 and f.surface.max() <= 1 and f.surface_label == "D(x) = σ(logit)"
    np.testing.assert_allclose(f.arrows, -s.gan.sample_gradients(f.arrow_at), rtol=1e-12)
    np.testing.assert_array_equal(f.fake, s.gan.generate(s.z_eval)[:len(f.fake)])
    assert f.real.shape[1] == 2 and f.modes == modes_covered(s.fake, s.target) and f.n_modes == 8
    assert len(f.history["steps"]) == 6 and f.steps == 5
    x0, x1, y0, y1 = f.bounds
    assert x0 < s.target.points[:, 0].min() and x1 > s.target.points[:, 0].max()
    s.step_g()
    assert s.frame() is not f and s.frame().g_steps == f.g_steps + 1
    s.configure(loss="least_squares")
    s.run(30)
    f = s.frame()
    assert f.surface_label.startswith("D's raw output") and f.surface.min() < 0.5 < f.surface.max()


def test_a_diverging_run_stops_with_a_message():
    s = GANPlaygroundState(optimizer="sgd", d_learning_rate=1.0, g_learning_rate=1.0, hidden_width=256,
                           hidden_depth=4)
    done = s.run(200)
    assert done < 200 and s.steps == done and len(s.history["steps"]) == done + 1
    assert s.g_steps == done and s.history["g_steps"][-1] == done          # the failed move is undone
    assert s.error.startswith(f"training diverged at move {done + 1}") and "Lower the learning rates" in s.error
    assert not s.step_both() and not s.step_d() and s.steps == done
    assert np.all(np.isfinite(s.frame().fake))                     # the last good picture is kept
    s.reset()
    assert s.error == "" and s.step_both()


# --- the presets, re-measured ----------------------------------------------------------------------

@pytest.mark.slow
def test_presets_reproduce_their_measured_modes():
    """Each preset, run for its steps from seed 0, lands on the figure recorded in PRESETS (± one mode)."""
    states = {}
    for name, p in PRESETS.items():
        s = GANPlaygroundState(**p["settings"])
        t0 = time.perf_counter()
        s.run(p["steps"])
        states[name] = s
        grad = float(np.linalg.norm(s.frame().arrows, axis=1).mean())
        print(f"\n{name}: {s.modes} of 8 modes after {s.steps} steps (recorded {p['modes']}), "
              f"mean |∂ℓ_G/∂x| {grad:.2f}, median D(G(z)) {np.median(s.gan.discriminate(s.fake)):.3f}, "
              f"{time.perf_counter() - t0:.1f} s")
        assert abs(s.modes - p["modes"]) <= 1
    stall, moves, covers = (states[n] for n in (STALL, MOVES, COVERS))
    assert stall.modes <= 1 and moves.modes >= 2 and covers.modes >= 7
    assert max(stall.history["modes"][-400:]) <= 1                  # no progress over the last 400 steps
    # the two runs differ in the loss only; the saturating one leaves G with a far smaller push
    assert {k: v for k, v in stall.settings.items() if k != "loss"} == \
        {k: v for k, v in moves.settings.items() if k != "loss"}
    g_stall = np.linalg.norm(stall.frame().arrows, axis=1).mean()
    g_moves = np.linalg.norm(moves.frame().arrows, axis=1).mean()
    assert g_moves > 3 * g_stall
    assert np.median(stall.gan.discriminate(stall.fake)) < 0.1       # D rejects the generated points


# --- the picture --------------------------------------------------------------------------------------

def test_picture_png_html_and_figure():
    from matplotlib.figure import Figure

    from dlhelpers.viz.gan import gan_figure, gan_frame_html, gan_frame_png, gan_snapshot_html
    s = GANPlaygroundState()
    s.run(3)
    f3 = s.frame()
    png = gan_frame_png(f3)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    s.run(2)
    f5 = s.frame()
    assert gan_frame_png(f5) != png
    assert gan_frame_png(f3) == png                                # same frame, same bytes, whatever came between
    s2 = GANPlaygroundState(loss="least_squares", target="spiral")
    f = s2.frame()
    assert gan_frame_png(f)[:4] == b"\x89PNG" and gan_frame_png(f3, scale=1.6) != png
    fig = gan_figure(f3)
    assert isinstance(fig, Figure) and len(fig.axes) == 4
    page = gan_frame_html(f5, png=b"x", message="a note")
    assert 'class="dl-gan"' in page and "<b>step 5</b>" in page and "modes covered" in page and "a note" in page
    assert "<script" not in page and "data:image/png;base64,eA==" in page
    assert "static picture" in gan_snapshot_html(page)


# --- the shell ------------------------------------------------------------------------------------------

pytest.importorskip("ipywidgets")


def _shell(**kwargs):
    from dlhelpers.widgets import GANPlayground
    return GANPlayground(**kwargs)


def test_every_click_of_step_both_advances_the_state():
    w = _shell()
    assert w.state.steps == 0 and "<b>step 0</b>" in w.html.value
    for n in range(1, 4):
        before = w.html.value
        w.step_both_button.click()
        assert w.state.steps == n and len(w.state.history["steps"]) == n + 1 and w.state.g_steps == n
        assert f"<b>step {n}</b>" in w.html.value and w.html.value != before
    w.step_d_button.click()
    w.step_g_button.click()
    assert (w.state.steps, w.state.d_steps, w.state.g_steps) == (5, 4, 4)
    w.reset_button.click()
    assert w.state.steps == 0 and "<b>step 0</b>" in w.html.value
    assert w.back_button.layout.display == "none" and w.step_both_button is w.next_button


def test_controls_rebuild_and_presets_apply():
    w = _shell()
    assert w.preset.value == COVERS and "8 of 8 modes after 600 steps" in w.html.value     # the defaults
    w.step_both_button.click()
    w.k.value = 3
    assert w.state.settings["k"] == 3 and w.state.steps == 0 and w.preset.value == "(your own settings)"
    w.noise_dim.value = 4
    w.hidden_width.value = 16
    assert w.state.gan.noise_dim == 4 and w.state.gan.generator.layers[0].units == 16
    w.preset.value = STALL
    assert w.state.settings == {**DEFAULT_SETTINGS, **PRESETS[STALL]["settings"]} and w.loss.value == "minimax"
    assert w.noise_dim.value == 2 and w.state.steps == 0
    assert "0 of 8 modes after 800 steps" in w.html.value
    w.loss.value = "non_saturating"                              # the other preset of the pair
    assert w.preset.value == MOVES and "3 of 8 modes" in w.html.value
    w.g_learning_rate.value = 0.02
    assert w.preset.value == "(your own settings)" and "modes after" not in w.html.value
    with pytest.raises(ValueError, match="preset must be one of"):
        _shell(preset="fast")
    assert _shell(k=15).k.value == 15 and _shell(k=15).state.settings["k"] == 15
    w2 = _shell(preset=STALL, batch_size=64)                   # a preset plus one's own change
    assert w2.state.settings["d_learning_rate"] == 0.3 and w2.state.settings["batch_size"] == 64
    assert w2.preset.value == "(your own settings)"


def test_play_runs_several_steps_per_tick_and_pauses():
    w = _shell()
    w.play_button.click()
    assert w.playing and w.play.playing and w.play_button.description == "❚❚ Pause"
    times = []
    for tick in range(1, 13):
        t0 = time.perf_counter()
        w.play.value = tick
        times.append(time.perf_counter() - t0)
    steps = w.state.steps
    assert steps > 12                                            # more than one move per tick
    w.play_button.click()
    assert not w.playing and w.play_button.description == "▶ Play"
    w.play.value = 13                                            # a late tick after Pause changes nothing
    assert w.state.steps == steps
    w.play_button.click()
    w.step_both_button.click()                                   # a click stops Play
    assert not w.playing and w.state.steps == steps + 1
    print(f"\nPlay: {steps} moves in 12 ticks; tick median {1000 * np.median(times):.0f} ms, "
          f"max {1000 * max(times):.0f} ms (the max includes redrawing the axes when their range grows)")
    assert np.median(times) < 0.5                                # 0.15 s of training plus one picture


def test_play_stops_when_training_diverges():
    w = _shell(optimizer="sgd", d_learning_rate=1.0, g_learning_rate=1.0, hidden_width=128, hidden_depth=4)
    w.play_button.click()
    for tick in range(1, 400):
        w.play.value = tick
        if not w.playing:
            break
    assert not w.playing and w.state.error and "diverged" in w.html.value
    assert w.step_both_button.disabled and w.play_button.disabled
    w.reset_button.click()
    assert not w.step_both_button.disabled and w.state.error == ""


def test_keyboard_presenter_and_saved_picture():
    w = _shell()
    assert w.keys is not None and w.keys.source is w.stage
    w._on_key({"type": "keydown", "key": "ArrowRight"})
    w._on_key({"type": "keydown", "key": "d"})
    w._on_key({"type": "keydown", "key": "G"})
    assert (w.state.steps, w.state.d_steps, w.state.g_steps) == (3, 2, 2)
    w._on_key({"type": "keydown", "key": "ArrowLeft"})           # no Back in a GAN
    assert w.state.steps == 3
    w._on_key({"type": "keydown", "key": " "})
    assert w.playing
    w._on_key({"type": "keydown", "key": " "})
    w._on_key({"type": "keydown", "key": "Home"})
    assert not w.playing and w.state.steps == 0
    assert "<b>d</b> step D" in w.hint.value
    assert "font-size:15px" in w.html.value and w.step_d_button.style.font_size == "15px"
    w.presenter_toggle.value = True
    assert "font-size:24px" in w.html.value and w.step_d_button.style.font_size == "24px"
    assert _shell(presenter=True).scale > 1
    bundle = w._repr_mimebundle_()
    page = bundle["text/html"]
    assert bundle["text/plain"] == "GAN playground (run the cell to use it)"
    assert "static picture of its first frame" in page and "<b>step 0</b>" in page and "<script" not in page
    assert "font-size:15px" in page                               # drawn at normal size for the saved notebook


def test_clicking_never_imports_tensorflow():
    code = ("import sys\nfrom dlhelpers.widgets import GANPlayground\n"
            "w = GANPlayground()\nfor _ in range(3): w.step_both_button.click()\n"
            "w.step_d_button.click(); w.step_g_button.click(); w.loss.value = 'least_squares'\n"
            "w.play_button.click(); w.play.value = 1; w.play_button.click()\n"
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
