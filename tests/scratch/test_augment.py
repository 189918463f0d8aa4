import numpy as np
import pytest

from dlhelpers.scratch import augment as G


def img(h=5, w=4, c=1, n=1):
    return np.arange(n * h * w * c, dtype=float).reshape(n, h, w, c)


def test_flips():
    x = img()
    np.testing.assert_array_equal(G.flip(x)[0, :, :, 0], x[0, :, ::-1, 0])
    np.testing.assert_array_equal(G.flip(x, "vertical")[0, :, :, 0], x[0, ::-1, :, 0])
    np.testing.assert_array_equal(G.flip(G.flip(x, "horizontal_and_vertical"), "horizontal_and_vertical"), x)


def test_rotate_90_degrees_is_exact_on_a_square():
    x = img(5, 5)
    r = G.rotate(x, 90, fill_mode="constant")
    # +90° turns the picture a quarter turn counter-clockwise, like np.rot90
    np.testing.assert_allclose(r[0, :, :, 0], np.rot90(x[0, :, :, 0], k=1), atol=1e-12)
    np.testing.assert_allclose(G.rotate(x, 0), x)


def test_translate_by_whole_pixels():
    x = img(4, 4)
    t = G.translate(x, dx=1, dy=0, fill_mode="constant", fill_value=-1)
    np.testing.assert_array_equal(t[0, :, 1:, 0], x[0, :, :-1, 0])
    np.testing.assert_array_equal(t[0, :, 0, 0], -1)
    r = G.translate(x, dx=1, dy=0, fill_mode="reflect")
    np.testing.assert_array_equal(r[0, :, 0, 0], x[0, :, 0, 0])        # a b c d → a a b c


def test_zoom():
    x = img(6, 6)
    np.testing.assert_allclose(G.zoom(x, 1.0), x)
    zin = G.zoom(x, 0.5, fill_mode="constant")
    assert zin[0, 2:4, 2:4, 0].std() < x[0, :, :, 0].std()           # zoomed in: the centre fills the frame


def test_salt_and_pepper():
    x = np.full((4, 50, 50, 3), 0.5)
    y = G.salt_and_pepper(x, amount=0.2, rng=0)
    changed = (y != 0.5).any(axis=-1)
    assert abs(changed.mean() - 0.2) < 0.02
    assert set(np.unique(y)) == {0.0, 0.5, 1.0}
    assert np.all((y == 0.5).all(-1) | (y == 0.0).all(-1) | (y == 1.0).all(-1))    # whole pixels change
    np.testing.assert_array_equal(G.salt_and_pepper(x, 0.2, rng=3), G.salt_and_pepper(x, 0.2, rng=3))


def test_random_versions_are_seeded_and_bounded():
    x = np.random.default_rng(0).random((6, 8, 8, 1))
    for fn, kw in ((G.random_flip, {}), (G.random_rotation, {"factor": 0.1}),
                   (G.random_translation, {"height_factor": 0.2, "width_factor": 0.2}),
                   (G.random_zoom, {"height_factor": 0.2})):
        a, b = fn(x, rng=1, **kw), fn(x, rng=1, **kw)
        np.testing.assert_array_equal(a, b)
        assert a.shape == x.shape and not np.array_equal(a, x)
    flipped = G.random_flip(x, rng=0)
    assert all(np.array_equal(f, o) or np.array_equal(f, o[:, ::-1]) for f, o in zip(flipped, x))


@pytest.mark.parametrize("call, match", [
    (lambda: G.rotate(np.zeros((8, 8)), 10), r"x must be 4-D \(N, H, W, C\)"),
    (lambda: G.rotate(np.zeros((1, 8, 8, 1)), 10, fill_mode="mirror"), "fill_mode must be one of"),
    (lambda: G.zoom(np.zeros((1, 8, 8, 1)), 0), "height_zoom must be > 0 for zoom"),
    (lambda: G.salt_and_pepper(np.zeros((1, 8, 8, 1)), 1.5), "amount must be in"),
    (lambda: G.random_rotation(np.zeros((1, 8, 8, 1)), (0.2, 0.1)), "low <= high"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


X = np.zeros((1, 4, 4, 1))


@pytest.mark.parametrize("call, exc, match", [
    (lambda: G.random_rotation(X, float("nan")), ValueError, "factor must be a number, finite for random_rotation"),
    (lambda: G.random_rotation(X, "a"), TypeError, "factor must be a number for random_rotation"),
    (lambda: G.random_rotation(X, (0.1, np.inf)), ValueError, "factor must be a number, finite"),
    (lambda: G.random_translation(X, 3.0, 0.1), ValueError, r"height_factor must be in \[-1.0, 1.0\]"),
    (lambda: G.random_zoom(X, (-1.5, 0.2)), ValueError, r"height_factor must be in \[-0.999"),
    (lambda: G.rotate(X, float("nan")), ValueError, r"degrees must be finite \(no NaN or inf\) for rotate"),
    (lambda: G.rotate(X, [10, 20, 30]), ValueError, r"degrees must be a number or 1 numbers \(one per image\)"),
    (lambda: G.translate(X, float("inf"), 0), ValueError, r"dx must be finite \(no NaN or inf\) for translate"),
    (lambda: G.zoom(X, float("nan")), ValueError, r"height_zoom must be finite \(no NaN or inf\) for zoom"),
    (lambda: G.affine_transform(X, np.zeros((3, 3))), ValueError, r"matrix must be of shape \(2, 3\) or \(1, 2, 3\)"),
    (lambda: G.affine_transform(X, np.full((2, 3), 1e308)), ValueError, "matrix must be small enough"),
    (lambda: G.affine_transform(X, np.eye(2, 3), fill_value="a"), TypeError, "fill_value must be a number"),
    (lambda: G.rotate(np.zeros((0, 4, 4, 1)), 10), ValueError, r"x must be non-empty for rotate; got shape \(0, 4, 4, 1\)"),
    (lambda: G.flip(np.zeros((1, 0, 4, 1))), ValueError, "x must be non-empty for flip"),
    (lambda: G.salt_and_pepper(X, 0.1, salt="a"), TypeError, "salt must be a number for salt_and_pepper"),
    (lambda: G.salt_and_pepper(X, float("nan")), ValueError, "amount must be in"),
    (lambda: G.rotation_matrix(10, 0, 4), ValueError, "height must be > 0 for rotation_matrix"),
])
def test_bad_settings_give_our_messages(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_a_huge_finite_shift_fills_everything_and_inputs_stay_unchanged():
    x = img(4, 4)
    keep = x.copy()
    out = G.translate(x, 1e300, 0, fill_mode="constant", fill_value=-1)
    np.testing.assert_array_equal(out, -1)
    for fn in (G.flip, G.random_flip, lambda v: G.rotate(v, 30), lambda v: G.salt_and_pepper(v, 0.5, rng=0)):
        fn(x)
    np.testing.assert_array_equal(x, keep)


def test_a_zero_d_array_factor_gets_our_message():
    with pytest.raises(TypeError, match="factor must be a number for random_rotation"):
        G.random_rotation(X, np.array(0.2))
