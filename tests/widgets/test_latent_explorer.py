"""The latent-space explorer: its state against the decoder it is given, its cache, its pictures, its shell clicked."""
import subprocess
import sys
import time

import numpy as np
import pytest

from dlhelpers.widgets.latent_state import (LatentState, PCACode, encode_2d, fit_pca_codes, model_inputs)

G = 6            # grid cells per side in these tests


def _digits(n=60, side=8, seed=0):
    """Small fake digits in [0, 1]: a bright bar whose position depends on the class, plus noise."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 4
    x = 0.15 * rng.random((n, side, side))
    for i, c in enumerate(labels):
        x[i, 1 + c: 3 + c, 1:side - 1] += 0.8
    return np.clip(x, 0, 1), labels


class Counting:
    """A decoder that counts its calls (and the codes it was given)."""

    def __init__(self, decode):
        self.decode, self.calls, self.codes = decode, 0, 0

    def __call__(self, z):
        self.calls += 1
        self.codes += len(z)
        return self.decode(z)


@pytest.fixture
def pca_state():
    x, y = _digits()
    pca = PCACode.fit(x, 2)
    dec = Counting(pca.decode)
    return LatentState(dec, pca.encode(x), labels=y, images=x, grid_size=G, steps=5), dec, pca, x, y


# --- the stand-in model -----------------------------------------------------------------------------------

def test_pca_code_is_scikit_learns_pca():
    from sklearn.decomposition import PCA
    x, _ = _digits(80)
    codes = fit_pca_codes(x, (2, 5))
    ref = PCA(5).fit(x.reshape(80, -1))
    rows = x[:7].reshape(7, -1)
    assert np.allclose(codes[5].reconstruct(x[:7]).reshape(7, -1), ref.inverse_transform(ref.transform(rows)),
                       atol=1e-10)
    assert np.allclose(np.abs(codes[5].encode(x[:7])), np.abs(ref.transform(rows)), atol=1e-10)   # up to sign
    assert np.array_equal(codes[2].components, codes[5].components[:2])             # one decomposition
    top = codes[5].components
    assert np.all(top[np.arange(5), np.argmax(np.abs(top), axis=1)] > 0)             # signs fixed: repeatable
    assert codes[2].decode(np.zeros((3, 2))).shape == (3, 8, 8)
    assert np.allclose(codes[2].decode(np.zeros((1, 2)))[0], x.mean(axis=0))         # z = 0 is the mean image


def test_model_inputs_follow_the_declared_shape():
    from dlhelpers.scratch.autoencoder import dense_autoencoder
    from dlhelpers.scratch.vae import build_dense_vae
    x, _ = _digits(5)
    ae = dense_autoencoder(64, hidden=(4,), latent_dim=2, rng=0)
    vae = build_dense_vae(input_shape=(8, 8, 1), latent_dim=2, hidden=(4,), rng=0)
    assert model_inputs(ae, x).shape == (5, 64) and model_inputs(vae, x).shape == (5, 8, 8, 1)
    assert model_inputs(object(), x).shape == (5, 8, 8)                              # declares nothing: as given
    assert np.array_equal(encode_2d(vae, x), vae.encode(x[..., None])[0])            # a VAE's codes are μ
    with pytest.raises(ValueError, match="samples of 64 values"):
        model_inputs(ae, np.zeros((2, 7, 7)))


# --- the state -----------------------------------------------------------------------------------------

def test_moving_decodes_once_per_point(pca_state):
    s, dec, pca, x, y = pca_state
    assert dec.calls == 2 and s.decode_calls == 2                # the grid, then the line (its first point is shown)
    assert s.mode == "point" and np.array_equal(s.z, s.codes[s.endpoints[0]])
    s.move(0.3, -0.4)
    assert dec.calls == 3 and np.allclose(s.image, pca.decode(np.array([[0.3, -0.4]]))[0], atol=1e-12)
    first = s.image.copy()
    s.move(z1=-1.0)                                              # z2 kept
    assert dec.calls == 4 and np.array_equal(s.z, [-1.0, -0.4]) and not np.allclose(s.image, first)
    s.move(0.3, -0.4)                                            # back: from the cache
    assert dec.calls == 4 and np.array_equal(s.image, first)
    s.pick_cell(2, 3)                                            # the grid was decoded in the first call
    assert dec.calls == 4 and np.array_equal(s.image, s.grid[2, 3])
    assert np.array_equal(s.z, [s.grid_z1[3], s.grid_z2[2]]) and s.frame().cell == (2, 3)
    s.set_step(2)
    assert dec.calls == 4 and s.mode == "line" and np.array_equal(s.image, s.strip[2])


def test_grid_is_the_decoder_at_the_cell_centres(pca_state):
    s, dec, pca, x, y = pca_state
    assert s.grid.shape == (G, G, 8, 8)
    x0, x1, y0, y1 = s.bounds
    assert np.all(np.diff(s.grid_z1) > 0) and np.all(np.diff(s.grid_z2) < 0)        # left→right, top→bottom
    assert np.isclose(s.grid_z1[0] - x0, x1 - s.grid_z1[-1]) and np.isclose(y1 - s.grid_z2[0], s.grid_z2[-1] - y0)
    for r, c in [(0, 0), (1, 4), (G - 1, G - 1)]:
        z = np.array([[s.grid_z1[c], s.grid_z2[r]]])
        assert np.allclose(s.grid[r, c], pca.decode(z)[0], atol=1e-12)
        assert s.cell_of(z[0]) == (r, c)
    inside = ((s.codes[:, 0] >= x0) & (s.codes[:, 0] <= x1) & (s.codes[:, 1] >= y0) & (s.codes[:, 1] <= y1))
    assert inside.mean() >= 0.98 and s.outside == int((~inside).sum())
    assert s.cell_at(0.0, 0.0) == (0, 0) and s.cell_at(1.0, 1.0) == (G - 1, G - 1)
    assert s.cell_at(0.5 / G, 2.5 / G) == (2, 0) and s.cell_at(-0.01, 1.2) == (G - 1, 0)       # clamped
    assert s.cell_of(np.array([x1 + 1.0, 0.0])) is None


def test_line_ends_are_the_two_digits_reconstructions():
    from dlhelpers.scratch.autoencoder import dense_autoencoder
    from dlhelpers.scratch.vae import build_dense_vae
    x, y = _digits(40)
    ae = dense_autoencoder(64, hidden=(16,), latent_dim=2, rng=0)
    ae.fit(x.reshape(40, -1), epochs=3, batch_size=8, rng=0)
    vae = build_dense_vae(input_shape=(8, 8, 1), latent_dim=2, hidden=(8,), rng=1)
    for model, flat in ((ae, x.reshape(40, -1)), (vae, x[..., None])):
        s = LatentState.from_model(model, x, y, grid_size=4, steps=7)
        s.set_endpoints(3, 10)
        rec = model.reconstruct(flat[[3, 10]]).reshape(2, 8, 8)
        assert np.allclose(s.strip[0], rec[0], atol=1e-12) and np.allclose(s.strip[-1], rec[1], atol=1e-12)
        t = np.linspace(0, 1, 7)[:, None]
        assert np.allclose(s.line, (1 - t) * s.codes[3] + t * s.codes[10], atol=1e-14)
        assert np.allclose(s.strip[3], model.decode(s.line[3:4]).reshape(8, 8), atol=1e-12)
        assert np.array_equal(s.frame().endpoint_images, x[[3, 10]]) and s.frame().endpoint_labels == (3, 2)
        assert type(model).__name__ in s.description


def test_random_pairs_steps_and_points(pca_state):
    s, dec, pca, x, y = pca_state
    assert s.labels[s.endpoints[0]] != s.labels[s.endpoints[1]]          # the default pair: two classes
    pairs = []
    for _ in range(5):
        s.random_pair()
        a, b = s.endpoints
        assert a != b and y[a] != y[b] and s.mode == "line"
        pairs.append((a, b))
    again = LatentState(pca.decode, pca.encode(x), labels=y, grid_size=G, steps=5)
    assert [again.random_pair().endpoints for _ in range(5)] == pairs    # the same seed, the same pairs
    assert len(set(pairs)) > 1
    s.set_step(4)
    assert np.array_equal(s.z, s.codes[s.endpoints[1]])                 # the last step is digit b's code
    s.set_steps(9)
    assert s.strip.shape == (9, 8, 8) and s.step == 4 and np.array_equal(s.z, s.line[4])
    s.set_steps(3)
    assert s.step == 2 and s.line.shape == (3, 2)
    calls = dec.calls
    s.set_steps(9)                                                      # these 9 points were decoded before
    assert dec.calls == calls
    s.move(0.0, 0.0)
    s.set_endpoints(1, 2)                                               # in point mode the point stays
    assert s.mode == "point" and np.array_equal(s.z, [0.0, 0.0])


@pytest.mark.parametrize("make, exc, match", [
    (lambda d, c, y: LatentState(d, c[:, :1]), ValueError, "codes must be"),
    (lambda d, c, y: LatentState(d, np.where(np.arange(len(c))[:, None] == 3, np.nan, c)), ValueError, "finite"),
    (lambda d, c, y: LatentState(d, c, labels=y[:-1]), ValueError, "one class per code"),
    (lambda d, c, y: LatentState(d, c, labels=y - 5), ValueError, "whole numbers"),
    (lambda d, c, y: LatentState("decode", c), TypeError, "decode must be callable"),
    (lambda d, c, y: LatentState(lambda z: np.zeros((len(z) + 1, 8, 8)), c), ValueError, "images \\(one per code\\)"),
    (lambda d, c, y: LatentState(lambda z: np.full((len(z), 8, 8), np.nan), c), ValueError, "finite"),
    (lambda d, c, y: LatentState(lambda z: np.zeros((len(z), 10)), c), ValueError, "square images"),
    (lambda d, c, y: LatentState(d, c, grid_size=1), ValueError, "grid_size must be"),
    (lambda d, c, y: LatentState(d, c, steps=41), ValueError, "steps must be"),
    (lambda d, c, y: LatentState(d, c, endpoints=(2, 2)), ValueError, "two different digits"),
    (lambda d, c, y: LatentState(d, c, value_range=(1, 0)), ValueError, "lo < hi"),
])
def test_bad_arguments_give_clear_errors(make, exc, match):
    x, y = _digits()
    pca = PCACode.fit(x, 2)
    with pytest.raises(exc, match=match):
        make(pca.decode, pca.encode(x), y)


def test_bad_moves_give_clear_errors_and_change_nothing(pca_state):
    s, dec, pca, x, y = pca_state
    s.set_step(1)
    z, ends = s.z.copy(), s.endpoints
    for call, exc, match in [(lambda: s.move(np.nan, 0.0), ValueError, "z1 must be"),
                             (lambda: s.move(0.0, "1"), TypeError, "z2 must be"),
                             (lambda: s.pick_cell(G, 0), ValueError, "row must be"),
                             (lambda: s.set_endpoints(0, len(x)), ValueError, "b must be"),
                             (lambda: s.set_endpoints(4, 4), ValueError, "two different digits"),
                             (lambda: s.set_step(5), ValueError, "step must be"),
                             (lambda: s.set_steps(1), ValueError, "steps must be")]:
        with pytest.raises(exc, match=match):
            call()
        assert np.array_equal(s.z, z) and s.endpoints == ends and s.mode == "line"
    with pytest.raises(ValueError, match="2-D code"):
        LatentState.from_model(PCACode.fit(x, 3), x)
    with pytest.raises(TypeError, match="encode"):
        encode_2d(object(), x)


# --- the pictures -------------------------------------------------------------------------------------------

def test_pictures_png_html_and_figure(pca_state):
    from matplotlib.figure import Figure

    from dlhelpers.viz.latent import (latent_figure, latent_frame_html, latent_frame_png, latent_grid_png,
                                      latent_snapshot_html, strip_image)
    s, dec, pca, x, y = pca_state
    f1 = s.frame()
    png = latent_frame_png(f1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    s.set_step(3)
    f2 = s.frame()
    assert latent_frame_png(f2) != png and latent_frame_png(f1) == png           # blitting leaves no trace
    assert latent_frame_png(f1, scale=1.6) != png
    grid = latent_grid_png(f1)
    width, height = int.from_bytes(grid[16:20], "big"), int.from_bytes(grid[20:24], "big")
    assert (width, height) == (G * 9 * 2, G * 9 * 2)          # (8 + 1) px per cell, tiny images doubled
    assert latent_grid_png(f2) != grid                        # the frame moved with the point
    row = strip_image(f2)
    assert row.shape[0] == 8 and np.isnan(row).any() and np.array_equal(row[:, :8], x[f2.endpoints[0]])
    assert isinstance(latent_figure(f2), Figure)
    page = latent_frame_html(f2, png=b"x", message="a note")
    assert 'class="dl-latent"' in page and "step <b>3</b> of 4" in page and "a note" in page
    assert "<script" not in page and "data:image/png;base64,eA==" in page
    assert "static picture" in latent_snapshot_html(page, grid)


# --- the shell --------------------------------------------------------------------------------------------

pytest.importorskip("ipywidgets")


def _shell(**kwargs):
    from dlhelpers.widgets.latent import LatentExplorer
    x, y = _digits()
    return LatentExplorer(PCACode.fit(x, 2), x, y, grid_size=G, steps=5, **kwargs), x, y


def test_sliders_grid_clicks_and_the_line():
    w, x, y = _shell()
    s = w.state
    before = w.html.value
    start = time.perf_counter()
    w.z1.value = w.z1.min + 3 * w.z1.step
    print(f"\none slider move (decode, draw, both pictures): {1000 * (time.perf_counter() - start):.1f} ms")
    assert np.isclose(s.z[0], w.z1.min + 3 * w.z1.step) and s.mode == "point" and w.html.value != before
    image = s.image.copy()
    w.z2.value = w.z2.max
    assert s.z[1] == w.z2.max and not np.array_equal(s.image, image)
    grid = w.grid_image.value
    w.click_grid(0.99, 0.01)                                       # top-right cell
    assert s.frame().cell == (0, G - 1) and np.array_equal(s.image, s.grid[0, G - 1])
    assert np.isclose(w.z1.value, s.grid_z1[-1]) and np.isclose(w.z2.value, s.grid_z2[0])    # sliders follow
    assert w.grid_image.value != grid
    width, height = w._grid_px
    w._on_grid_event({"type": "click", "dataX": 0.5 * width / G, "dataY": height - 1})      # ipyevents' click
    assert s.frame().cell == (G - 1, 0)
    w._on_grid_event({"type": "click", "relativeX": 1.5 * 30, "relativeY": 2.5 * 30,
                      "boundingRectWidth": G * 30, "boundingRectHeight": G * 30})        # another zoom
    assert s.frame().cell == (2, 1)
    ends = s.endpoints
    w.random_button.click()
    assert s.endpoints != ends and (w.index_a.value, w.index_b.value) == s.endpoints and s.mode == "line"
    w.step.value = 4
    assert s.step == 4 and np.array_equal(s.z, s.codes[s.endpoints[1]]) and "step <b>4</b>" in w.html.value
    w.steps.value = 9
    assert s.strip.shape[0] == 9 and w.step.max == 8 and w.play.max == 8
    w.index_a.value = 7
    assert s.endpoints[0] == 7 and w.message == ""
    w.index_b.value = 7                                            # refused, shown, not raised
    assert s.endpoints[0] == 7 and s.endpoints[1] != 7 and "two different digits" in w.message
    assert "two different digits" in w.html.value


def test_keyboard_presenter_and_saved_picture():
    w, x, y = _shell()
    s = w.state
    w._on_key({"key": "ArrowRight"})
    assert s.mode == "line" and s.step == 0
    w._on_key({"key": "ArrowRight"})
    w._on_key({"key": "ArrowRight"})
    assert s.step == 2 and w.step.value == 2
    w._on_key({"key": "ArrowLeft"})
    assert s.step == 1
    ends = s.endpoints
    w._on_key({"key": "r"})
    assert s.endpoints != ends
    w._on_key({"key": "Home"})
    assert s.step == 0
    assert "font-size:15px" in w.html.value
    w.presenter_toggle.value = True
    assert "font-size:24px" in w.html.value and w.random_button.style.font_size == "24px"
    assert w._grid_px[0] > G * 9 * 2                              # the grid is larger too
    bundle = w._repr_mimebundle_()
    page = bundle["text/html"]
    assert bundle["text/plain"] == "Latent-space explorer (run the cell to use it)"
    assert "static picture of its first frame" in page and "VBox(" not in page and "<script" not in page
    assert "font-size:15px" in page and "Manifold" in page       # drawn at normal size for the saved notebook
    assert _shell(presenter=True)[0].scale > 1


def test_default_explorer_uses_a_stated_stand_in_and_never_imports_tensorflow():
    code = ("import sys, time\nimport dlhelpers.widgets\nfrom dlhelpers.widgets.latent import LatentExplorer\n"
            "t = time.perf_counter(); w = LatentExplorer(); built = time.perf_counter() - t\n"
            "w.z1.value = 0.5; w.click_grid(0.3, 0.7); w.random_button.click(); w.step.value = 3\n"
            "print(len(w.state.codes), w.state.labels is not None, w.state.image.shape)\n"
            "print('Stand-in model, not a trained network: PCA with 2 components' in w.html.value)\n"
            "print(f'built in {built:.1f} s, one click {1000 * w.seconds:.0f} ms', file=sys.stderr)\n"
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    print(out.stderr.strip())
    assert out.stdout.split("\n")[:3] == ["4000 True (28, 28)", "True", "[]"]
