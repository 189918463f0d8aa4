"""The bottleneck/denoising explorer: its noise, its scores, its cache, the PCA default, its shell clicked."""
import subprocess
import sys
import time

import numpy as np
import pytest

from dlhelpers.metrics import psnr, ssim
from dlhelpers.widgets.denoise_state import AMOUNTS, DEFAULT_SIZES, SIGMAS, DenoiseState, make_denoise_state
from dlhelpers.widgets.latent_state import PCACode, fit_pca_codes


def _digits(n=60, side=8, seed=0):
    """Small fake digits in [0, 1]: a bright bar whose position depends on the class, plus faint noise."""
    rng = np.random.default_rng(seed)
    x = 0.1 * rng.random((n, side, side))
    for i in range(n):
        c = i % 4
        x[i, 1 + c: 3 + c, 1:side - 1] += 0.8
    return np.clip(x, 0, 1)


class Counting:
    """A model whose reconstruct() counts its calls."""

    def __init__(self, model):
        self.model, self.calls = model, 0
        self.input_shape = model.input_shape

    def reconstruct(self, x):
        self.calls += 1
        return self.model.reconstruct(x)


@pytest.fixture
def setup():
    x = _digits()
    pcas = fit_pca_codes(x, (2, 5, 12))
    models = {k: Counting(m) for k, m in pcas.items()}
    names = {k: f"PCA-{k}" for k in pcas}
    return DenoiseState(models, x[:6], win_size=5, names=names), models, pcas, x[:6]


# --- noise ------------------------------------------------------------------------------------------------

def test_noise_levels_share_one_draw(setup):
    s, _, _, clean = setup
    assert np.array_equal(s.noisy(0.0, 0.0), clean)
    d1, d2 = s.noisy(0.1, 0.0) - clean, s.noisy(0.2, 0.0) - clean
    unclipped = (clean + 2 * d1 > 0) & (clean + 2 * d1 < 1) & (d2 != 0)
    assert unclipped.mean() > 0.5 and np.allclose(d2[unclipped], 2 * d1[unclipped])   # the same ε, twice as large
    assert 0.15 < np.std(d2[unclipped]) < 0.25
    hit_5 = s.noisy(0.0, 0.05) != clean
    hit_20 = s.noisy(0.0, 0.2) != clean
    assert np.all(hit_20[hit_5]) and 0.1 < hit_20.mean() < 0.3                          # nested: 5 % ⊂ 20 %
    assert set(np.unique(s.noisy(0.0, 0.2)[hit_20])) <= {0.0, 1.0}
    both = s.noisy(0.2, 0.2)
    assert np.array_equal(both[hit_20], s.noisy(0.0, 0.2)[hit_20]) and np.array_equal(both[~hit_20],
                                                                                     s.noisy(0.2, 0.0)[~hit_20])
    again = DenoiseState({2: PCACode.fit(_digits(), 2)}, clean, win_size=5)
    other = DenoiseState({2: PCACode.fit(_digits(), 2)}, clean, win_size=5, seed=1)
    assert np.array_equal(again.noisy(0.3, 0.1), s.noisy(0.3, 0.1))                    # the seed fixes the noise
    assert not np.array_equal(other.noisy(0.3, 0.1), s.noisy(0.3, 0.1))
    assert s.noisy(0.2, 0.1) is s.noisy(0.2, 0.1)                                       # computed once


# --- scores and cache ----------------------------------------------------------------------------------------

def test_frame_scores_are_psnr_and_ssim_of_the_models_output(setup):
    s, models, pcas, clean = setup
    s.set(size=5, sigma=0.3, amount=0.05)
    f = s.frame()
    noisy = s.noisy(0.3, 0.05)
    assert np.array_equal(f.noisy, noisy) and np.allclose(f.reconstruction, pcas[5].reconstruct(noisy), atol=1e-12)
    for i in range(len(clean)):
        assert f.psnr[i] == psnr(clean[i], f.reconstruction[i], 1.0)
        assert f.ssim[i] == ssim(clean[i], f.reconstruction[i], 1.0, win_size=5)
        assert f.noisy_psnr[i] == psnr(clean[i], noisy[i], 1.0)
        assert f.noisy_ssim[i] == ssim(clean[i], noisy[i], 1.0, win_size=5)
    assert [k for k, _, _ in f.by_size] == [2, 5, 12] and f.label == "PCA-5"
    assert f.labels == ("PCA-2", "PCA-5", "PCA-12")
    assert np.isclose(f.by_size[1][1], f.psnr.mean()) and np.isclose(f.by_size[1][2], f.ssim.mean())
    s.set(sigma=0.0, amount=0.0)
    assert np.all(np.isinf(s.frame().noisy_psnr)) and np.all(s.frame().noisy_ssim == 1.0)   # the clean input itself


def test_each_size_and_noise_is_computed_once(setup):
    s, models, _, _ = setup
    assert [m.calls for m in models.values()] == [0, 0, 0]       # nothing before the first frame
    s.frame()
    assert [m.calls for m in models.values()] == [1, 1, 1]       # every size at the current noise (the table)
    s.set(size=12)
    s.frame()
    assert [m.calls for m in models.values()] == [1, 1, 1] and s.seconds == 0.0
    s.set(sigma=0.5)
    s.frame()
    assert [m.calls for m in models.values()] == [2, 2, 2] and s.seconds > 0
    s.set(sigma=0.2, amount=0.1)
    s.frame()
    s.set(amount=0.0)
    s.frame()                                                    # a second visit: nothing new
    assert [m.calls for m in models.values()] == [3, 3, 3] and s.calls == {2: 3, 5: 3, 12: 3}
    s.precompute()
    n = len(SIGMAS) * len(AMOUNTS)
    assert [m.calls for m in models.values()] == [n, n, n]
    for sigma in SIGMAS:
        for amount in AMOUNTS:
            s.set(size=2, sigma=sigma, amount=amount)
            s.frame()
    assert [m.calls for m in models.values()] == [n, n, n] and s.seconds == 0.0


def test_models_get_their_own_input_shape():
    from dlhelpers.scratch.autoencoder import dense_autoencoder
    x = _digits(10)
    ae = dense_autoencoder(64, hidden=(8,), latent_dim=3, rng=0)                          # flat inputs (64,)
    seen = []

    def flat_fn(z):
        seen.append(z.shape)
        return z.reshape(len(z), -1) * 0.5                                                 # flat output, square

    s = DenoiseState({3: ae, 7: flat_fn}, x[..., None], win_size=3)                        # (N, 8, 8, 1) given
    f = s.frame()
    assert np.allclose(s.reconstruction(3), ae.reconstruct(s.noisy().reshape(10, 64)).reshape(10, 8, 8))
    assert seen == [(10, 8, 8, 1)] and np.allclose(s.reconstruction(7), 0.5 * s.noisy())   # a function: as given
    assert f.labels == ("Autoencoder, 3-unit code", "function, 7-unit code")


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"models": [1, 2]}, TypeError, "models must be a dict"),
    ({"models": {}}, ValueError, "non-empty"),
    ({"models": {0: None}}, ValueError, "sizes ≥ 1"),
    ({"models": {"8": None}}, TypeError, "whole-number"),
    ({"models": {8: "model"}}, TypeError, "reconstruct"),
    ({"images": np.zeros((33, 8, 8))}, ValueError, "at most 32"),
    ({"images": np.full((2, 8, 8), 2.0)}, ValueError, "inside value_range"),
    ({"images": np.zeros((2, 8, 8)), "value_range": (1, 1)}, ValueError, "lo < hi"),
    ({"win_size": 4}, ValueError, "odd"),
    ({"win_size": 9}, ValueError, "win_size must be"),
    ({"sigmas": (0.1, -0.1)}, ValueError, "sigmas must be"),
    ({"amounts": (0.5, 1.5)}, ValueError, "amounts must be"),
    ({"size": 3}, ValueError, "size must be one of 2, 5"),
    ({"sigma": 0.15}, ValueError, "sigma must be one of"),
    ({"images": np.zeros((2, 10))}, ValueError, "square images"),
    ({"names": {3: "AE"}}, ValueError, "names must be keyed"),
    ({"names": {2: 2}}, TypeError, "names must be a dict"),
])
def test_bad_arguments_give_clear_errors(kwargs, exc, match):
    x = _digits()
    args = {"models": {2: PCACode.fit(x, 2), 5: PCACode.fit(x, 5)}, "images": x[:3], "win_size": 5, **kwargs}
    with pytest.raises(exc, match=match):
        DenoiseState(args.pop("models"), args.pop("images"), **args)


def test_bad_choices_and_outputs_change_nothing(setup):
    s, *_ = setup
    s.set(size=5, sigma=0.1)
    for call, exc, match in [(lambda: s.set(size=4), ValueError, "size must be one of 2, 5, 12"),
                             (lambda: s.set(sigma="0.2"), TypeError, "sigma must be"),
                             (lambda: s.set(size=12, amount=0.3), ValueError, "amount must be one of")]:
        with pytest.raises(exc, match=match):
            call()
        assert (s.size, s.sigma, s.amount) == (5, 0.1, 0.0)
    bad = DenoiseState({2: lambda x: np.zeros((len(x), 7, 7))}, _digits(3), win_size=3)
    with pytest.raises(ValueError, match="digits' shape"):
        bad.frame()
    nan = DenoiseState({2: lambda x: np.full(x.shape, np.nan)}, _digits(3), win_size=3)
    with pytest.raises(ValueError, match="finite"):
        nan.frame()


def test_default_is_pca_fitted_on_the_training_digits():
    from dlhelpers.data import mnist_5k_split
    from dlhelpers.data.corrupt import pca_reconstruct
    train, test = mnist_5k_split()
    s = make_denoise_state(sigma=0.0)
    assert s.sizes == DEFAULT_SIZES and s.labels[4] == "PCA-32" and "PCA reconstructions, not trained" in s.description
    assert s.clean.shape == (10, 28, 28)
    assert [int(test.y[np.flatnonzero((test.images == img).all(axis=(1, 2)))[0]]) for img in s.clean] == list(range(10))
    for k in (2, 32):                                   # the same as the data module's PCA baseline
        assert np.allclose(s.reconstruction(k), pca_reconstruct(train.images, s.clean, k), atol=1e-9)
    means = [p for _, p, _ in s.frame().by_size]
    assert all(b >= a - 1e-9 for a, b in zip(means, means[1:]))      # nested subspaces: never worse with more k


# --- the pictures -------------------------------------------------------------------------------------------

def test_frame_html_and_figure(setup):
    from matplotlib.figure import Figure

    from dlhelpers.viz.denoise import denoise_figure, denoise_frame_html, denoise_snapshot_html, noise_text
    s, *_ = setup
    s.set(size=12, sigma=0.2, amount=0.05)
    f = s.frame()
    page = denoise_frame_html(f, message="a note")
    assert page.count("<img") == 3 * 6 and "<script" not in page and "a note" in page
    assert "Gaussian σ = 0.2 + salt-and-pepper 5 %" in page and "<b>PCA-12</b>" in page
    assert f"{np.mean(f.psnr):.1f} dB" in page and f"SSIM {np.mean(f.ssim):.3f}" in page
    assert "background:#fff3c4;font-weight:bold\">12</th>" in page                # the current size marked
    assert noise_text(0.0, 0.0) == "no noise"
    s.set(sigma=0.0, amount=0.0)
    assert "∞" in denoise_frame_html(s.frame())
    assert isinstance(denoise_figure(f), Figure)
    assert "static picture" in denoise_snapshot_html(page)


# --- the shell --------------------------------------------------------------------------------------------

pytest.importorskip("ipywidgets")


def _shell(**kwargs):
    from dlhelpers.widgets.denoise import DenoiseExplorer
    x = _digits()
    models = {k: Counting(m) for k, m in fit_pca_codes(x, (2, 5, 12)).items()}
    return DenoiseExplorer(models, x[:6], win_size=5, names={k: f"PCA-{k}" for k in models}, **kwargs), models


def test_sliders_update_the_frame_from_the_cache():
    w, models = _shell()
    s = w.state
    assert (s.size, s.sigma, s.amount) == (5, 0.2, 0.0) and "<b>PCA-5</b>" in w.html.value
    before = w.html.value
    w.size.value = 12
    print(f"\none bottleneck move (cached): {1000 * w.seconds:.1f} ms")
    assert s.size == 12 and "<b>PCA-12</b>" in w.html.value and w.html.value != before
    at_12 = w.html.value
    assert [m.calls for m in models.values()] == [1, 1, 1]
    w.sigma.value = 0.5
    print(f"one noise move (3 sizes computed): {1000 * w.seconds:.1f} ms")
    assert s.sigma == 0.5 and "Gaussian σ = 0.5" in w.html.value and [m.calls for m in models.values()] == [2, 2, 2]
    w.amount.value = 0.1
    assert "salt-and-pepper 10 %" in w.html.value
    w.sigma.value = 0.2                                         # (0.2, 10 %): new, each size once more
    assert [m.calls for m in models.values()] == [4, 4, 4]
    w.amount.value = 0.0
    assert w.html.value == at_12                                # back where it was: the same picture, from the cache
    assert [m.calls for m in models.values()] == [4, 4, 4]
    w._on_key({"key": "ArrowLeft"})
    assert s.size == 5 and w.size.value == 5
    w._on_key({"key": "ArrowUp"})
    assert s.sigma == 0.3 and w.sigma.value == 0.3
    for _ in range(6):
        w._on_key({"key": "ArrowDown"})                         # stops at the smallest level
    assert s.sigma == 0.0
    w._act(size=4)                                              # not offered: refused, shown, not raised
    assert s.size == 5 and "size must be one of" in w.message and "size must be one of" in w.html.value


def test_precompute_presenter_and_saved_picture():
    w, models = _shell(precompute=True, presenter=True)
    n = len(SIGMAS) * len(AMOUNTS)
    assert [m.calls for m in models.values()] == [n, n, n]
    start = time.perf_counter()
    w.sigma.value = 0.5
    w.size.value = 2
    w.amount.value = 0.2
    print(f"\nthree moves after precompute: {1000 * (time.perf_counter() - start):.1f} ms")
    assert [m.calls for m in models.values()] == [n, n, n]
    assert "font-size:24px" in w.html.value
    w.presenter_toggle.value = False
    assert "font-size:15px" in w.html.value and w.scale == 1.0
    bundle = w._repr_mimebundle_()
    page = bundle["text/html"]
    assert bundle["text/plain"] == "Bottleneck/denoising explorer (run the cell to use it)"
    assert "static picture of its first frame" in page and "VBox(" not in page and "<script" not in page


def test_default_explorer_never_imports_tensorflow():
    code = ("import sys, time\nimport dlhelpers.widgets\nfrom dlhelpers.widgets.denoise import DenoiseExplorer\n"
            "t = time.perf_counter(); w = DenoiseExplorer(); built = time.perf_counter() - t\n"
            "w.size.value = 64; w.sigma.value = 0.3; w.amount.value = 0.05\n"
            "print(w.state.sizes, 'PCA reconstructions, not trained networks' in w.html.value)\n"
            "print(f'built in {built:.1f} s, one noise move {1000 * w.seconds:.0f} ms', file=sys.stderr)\n"
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    print(out.stderr.strip())
    assert out.stdout.split("\n")[:2] == ["(2, 4, 8, 16, 32, 64, 128) True", "[]"]
