"""Scratch augmentation ↔ Keras preprocessing layers, with the random factors pinned to one value."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401
import keras  # noqa: E402
from dlhelpers.keras.augment import SaltAndPepper, augmentation  # noqa: E402
from dlhelpers.scratch import augment as G  # noqa: E402

X = np.random.default_rng(0).random((3, 9, 7, 2)).astype("float32")
MODES = [(fm, interp) for fm in G.FILL_MODES for interp in ("bilinear", "nearest")]


@pytest.mark.parametrize("fill_mode, interpolation", MODES)
def test_rotation_translation_zoom_match(fill_mode, interpolation):
    kw = dict(fill_mode=fill_mode, interpolation=interpolation, fill_value=0.3)
    pairs = [
        (keras.layers.RandomRotation((0.07, 0.07), **kw), G.rotate(X, 0.07 * 360, **kw)),
        (keras.layers.RandomRotation((-0.3, -0.3), **kw), G.rotate(X, -0.3 * 360, **kw)),
        (keras.layers.RandomTranslation((0.2, 0.2), (-0.5, -0.5), **kw), G.translate(X, -0.5 * 7, 0.2 * 9, **kw)),
        (keras.layers.RandomZoom((0.3, 0.3), **kw), G.zoom(X, 1.3, **kw)),
        (keras.layers.RandomZoom((-0.4, -0.4), (0.2, 0.2), **kw), G.zoom(X, 0.6, 1.2, **kw)),
    ]
    for layer, ours in pairs:
        np.testing.assert_allclose(ours, layer(X, training=True).numpy(), atol=1e-6)


def test_flip_and_inference_passthrough():
    np.testing.assert_array_equal(G.flip(X, "horizontal"), X[:, :, ::-1])
    layer = keras.layers.RandomFlip("horizontal", seed=0)
    out = layer(X, training=True).numpy()
    assert all(np.array_equal(o, x) or np.array_equal(o, x[:, ::-1]) for o, x in zip(out, X))
    pipe = augmentation(flip="horizontal", rotation=0.1, translation=0.1, zoom=0.1, noise=0.05, seed=0)
    np.testing.assert_array_equal(pipe(X, training=False).numpy(), X)
    assert [type(l).__name__ for l in pipe.layers] == ["RandomFlip", "RandomRotation", "RandomTranslation",
                                                        "RandomZoom", "SaltAndPepper"]


def test_salt_and_pepper_layer_statistics():
    x = np.full((4, 50, 50, 3), 0.5, dtype="float32")
    ours = G.salt_and_pepper(x, 0.2, rng=0)
    theirs = SaltAndPepper(0.2, seed=0)(x, training=True).numpy()
    for y in (ours, theirs):
        changed = (y != 0.5).any(-1)
        assert abs(changed.mean() - 0.2) < 0.02
        assert abs((y == 1).all(-1).mean() - 0.1) < 0.02 and abs((y == 0).all(-1).mean() - 0.1) < 0.02
    np.testing.assert_array_equal(SaltAndPepper(0.2)(x, training=False).numpy(), x)
    with pytest.raises(ValueError, match="amount must be in"):
        SaltAndPepper(2.0)
