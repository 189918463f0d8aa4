"""Data augmentation in NumPy: flips, rotation, translation, zoom and salt-and-pepper noise.

Geometric transforms share one routine, :func:`affine_transform`, with the conventions of
Keras's preprocessing layers (and TensorFlow's ImageProjectiveTransform): a 2×3 matrix maps each
*output* pixel (x, y) to the input location it samples, ``x_in = a0·x + a1·y + a2``,
``y_in = b0·x + b1·y + b2``, read with bilinear (or nearest) interpolation; locations outside the
image are filled by ``fill_mode``: "reflect" (Keras's default), "constant", "nearest" or "wrap".

The ``random_*`` functions take the same factors as the Keras layers (RandomFlip,
RandomRotation, RandomTranslation, RandomZoom) and an ``rng``.
"""
from __future__ import annotations

import math

import numpy as np

from .._checks import as_array, check_choice, check_in_range, check_rng

__all__ = ["affine_transform", "flip", "rotate", "translate", "zoom", "salt_and_pepper", "random_flip",
           "random_rotation", "random_translation", "random_zoom", "rotation_matrix", "FILL_MODES"]

FILL_MODES = ("reflect", "constant", "nearest", "wrap")


def _images(x, func):
    return as_array(x, "x", func, ndim=4, shape_hint="(N, H, W, C)",
                    fix="Add batch and channel axes, e.g. x[None, :, :, None].")


def _map_coord(c, n, mode):
    """Map (possibly outside) coordinates into the image, as TensorFlow's fill modes do."""
    if mode == "constant":
        return c
    if mode == "nearest":
        return np.clip(c, 0, n - 1)
    if mode == "wrap":                 # TensorFlow's rule, including its (n − 1) period quirk near the edges
        if n <= 1:
            return np.zeros_like(c)
        sz = n - 1
        out = np.where(c < 0, c + n * (np.trunc(-c / sz) + 1), np.where(c > n - 1, c - n * np.trunc(c / sz), c))
        return np.clip(out, 0, n - 1)
    # reflect: ... d c b a | a b c d | d c b a ...
    if n <= 1:
        return np.zeros_like(c)
    sz2 = 2 * n
    out = np.mod(c, sz2)
    out = np.where(out >= n, sz2 - out - 1, out)
    return np.clip(out, 0, n - 1)


def _read(img, yi, xi, fill_value):
    """img (N, H, W, C); integer index arrays (N, H, W); out-of-range reads give fill_value."""
    N, H, W, C = img.shape
    ok = (yi >= 0) & (yi < H) & (xi >= 0) & (xi < W)
    yc, xc = np.clip(yi, 0, H - 1), np.clip(xi, 0, W - 1)
    n = np.arange(N)[:, None, None]
    vals = img[n, yc, xc]                                               # (N, H, W, C)
    return np.where(ok[..., None], vals, fill_value)


def affine_transform(x, matrix, fill_mode="reflect", fill_value=0.0, interpolation="bilinear"):
    """Resample images through a 2×3 (or per-image (N, 2, 3)) output→input matrix (see the module doc)."""
    x = _images(x, "affine_transform")
    check_choice(fill_mode, "fill_mode", "affine_transform", FILL_MODES)
    check_choice(interpolation, "interpolation", "affine_transform", ("bilinear", "nearest"))
    N, H, W, C = x.shape
    M = np.broadcast_to(np.asarray(matrix, dtype=np.float64), (N, 2, 3))
    ys, xs = np.meshgrid(np.arange(H, dtype=np.float64), np.arange(W, dtype=np.float64), indexing="ij")
    x_in = M[:, 0, 0, None, None] * xs + M[:, 0, 1, None, None] * ys + M[:, 0, 2, None, None]   # (N, H, W)
    y_in = M[:, 1, 0, None, None] * xs + M[:, 1, 1, None, None] * ys + M[:, 1, 2, None, None]
    x_in, y_in = _map_coord(x_in, W, fill_mode), _map_coord(y_in, H, fill_mode)
    if interpolation == "nearest":             # halves round away from zero, as C's round()
        r = lambda v: (np.sign(v) * np.floor(np.abs(v) + 0.5)).astype(int)
        return _read(x, r(y_in), r(x_in), fill_value).astype(x.dtype)
    x0, y0 = np.floor(x_in), np.floor(y_in)
    wx, wy = (x_in - x0)[..., None], (y_in - y0)[..., None]
    x0, y0 = x0.astype(int), y0.astype(int)
    top = (1 - wx) * _read(x, y0, x0, fill_value) + wx * _read(x, y0, x0 + 1, fill_value)
    bottom = (1 - wx) * _read(x, y0 + 1, x0, fill_value) + wx * _read(x, y0 + 1, x0 + 1, fill_value)
    return ((1 - wy) * top + wy * bottom).astype(x.dtype)


def flip(x, mode="horizontal"):
    """Mirror left–right ("horizontal"), top–bottom ("vertical") or both."""
    x = _images(x, "flip")
    check_choice(mode, "mode", "flip", ("horizontal", "vertical", "horizontal_and_vertical"))
    if mode in ("horizontal", "horizontal_and_vertical"):
        x = x[:, :, ::-1]
    if mode in ("vertical", "horizontal_and_vertical"):
        x = x[:, ::-1]
    return x.copy()


def rotation_matrix(degrees, height, width):
    """Output→input matrix rotating by ``degrees`` (counter-clockwise on screen for positive) about the centre."""
    t = math.radians(degrees)
    c, s = math.cos(t), math.sin(t)
    cx, cy = (width - 1) / 2, (height - 1) / 2
    return np.array([[c, -s, cx - cx * c + cy * s], [s, c, cy - cx * s - cy * c]])


def rotate(x, degrees, fill_mode="reflect", fill_value=0.0, interpolation="bilinear"):
    """Rotate every image by ``degrees`` (a number, or one per image) about its centre."""
    x = _images(x, "rotate")
    deg = np.broadcast_to(np.asarray(degrees, dtype=float), (x.shape[0],))
    M = np.stack([rotation_matrix(d, x.shape[1], x.shape[2]) for d in deg])
    return affine_transform(x, M, fill_mode, fill_value, interpolation)


def translate(x, dx, dy, fill_mode="reflect", fill_value=0.0, interpolation="bilinear"):
    """Shift the content by (dx, dy) pixels: positive dx moves it right, positive dy down."""
    x = _images(x, "translate")
    N = x.shape[0]
    dx = np.broadcast_to(np.asarray(dx, dtype=float), (N,))
    dy = np.broadcast_to(np.asarray(dy, dtype=float), (N,))
    M = np.zeros((N, 2, 3))
    M[:, 0, 0] = M[:, 1, 1] = 1.0
    M[:, 0, 2], M[:, 1, 2] = -dx, -dy
    return affine_transform(x, M, fill_mode, fill_value, interpolation)


def zoom(x, height_zoom, width_zoom=None, fill_mode="reflect", fill_value=0.0, interpolation="bilinear"):
    """Scale about the centre. As in Keras, a zoom value z samples a z-times larger region:
    z > 1 zooms **out** (content shrinks), z < 1 zooms in."""
    x = _images(x, "zoom")
    N, H, W, _ = x.shape
    zy = np.broadcast_to(np.asarray(height_zoom, dtype=float), (N,))
    zx = zy if width_zoom is None else np.broadcast_to(np.asarray(width_zoom, dtype=float), (N,))
    if np.any(zy <= 0) or np.any(zx <= 0):
        raise ValueError(f"zoom values must be > 0 for zoom; got {zy.min()}, {zx.min()}. "
                         "1 leaves the image unchanged; 1.2 zooms out, 0.8 zooms in.")
    M = np.zeros((N, 2, 3))
    M[:, 0, 0], M[:, 1, 1] = zx, zy
    M[:, 0, 2], M[:, 1, 2] = (W - 1) / 2 * (1 - zx), (H - 1) / 2 * (1 - zy)
    return affine_transform(x, M, fill_mode, fill_value, interpolation)


def salt_and_pepper(x, amount=0.05, rng=None, salt=1.0, pepper=0.0):
    """Set a fraction ``amount`` of pixels (all channels) to ``salt`` or ``pepper``, half each on average."""
    x = _images(x, "salt_and_pepper")
    check_in_range(amount, "amount", "salt_and_pepper", 0.0, 1.0, inclusive=(True, True))
    rng = check_rng(rng, "salt_and_pepper")
    u = rng.random(x.shape[:3])[..., None]                      # one draw per pixel
    out = x.copy()
    out = np.where(u < amount / 2, pepper, out)
    out = np.where((u >= amount / 2) & (u < amount), salt, out)
    return out.astype(x.dtype)


# --- random versions with Keras's factors ---------------------------------------------------------------

def _range(factor, name, func):
    lo, hi = (-factor, factor) if np.isscalar(factor) else factor
    if lo > hi:
        raise ValueError(f"{name} must be a number f (meaning [−f, f]) or a pair (low, high) with low <= high for "
                         f"{func}; got {factor!r}.")
    return float(lo), float(hi)


def random_flip(x, mode="horizontal", rng=None):
    """Flip each image with probability 1/2 (per axis), like keras.layers.RandomFlip."""
    x = _images(x, "random_flip")
    check_choice(mode, "mode", "random_flip", ("horizontal", "vertical", "horizontal_and_vertical"))
    rng = check_rng(rng, "random_flip")
    out = x.copy()
    if mode in ("horizontal", "horizontal_and_vertical"):
        m = rng.random(len(x)) < 0.5
        out[m] = out[m][:, :, ::-1]
    if mode in ("vertical", "horizontal_and_vertical"):
        m = rng.random(len(x)) < 0.5
        out[m] = out[m][:, ::-1]
    return out


def random_rotation(x, factor, rng=None, **kwargs):
    """Rotate each image by a uniform angle in [low, high] × 360° (factor as in keras.layers.RandomRotation)."""
    x = _images(x, "random_rotation")
    lo, hi = _range(factor, "factor", "random_rotation")
    deg = check_rng(rng, "random_rotation").uniform(lo * 360, hi * 360, len(x))
    return rotate(x, deg, **kwargs)


def random_translation(x, height_factor, width_factor, rng=None, **kwargs):
    """Shift each image by uniform fractions of its height and width (as keras.layers.RandomTranslation)."""
    x = _images(x, "random_translation")
    rng = check_rng(rng, "random_translation")
    hlo, hhi = _range(height_factor, "height_factor", "random_translation")
    wlo, whi = _range(width_factor, "width_factor", "random_translation")
    dy = rng.uniform(hlo, hhi, len(x)) * x.shape[1]
    dx = rng.uniform(wlo, whi, len(x)) * x.shape[2]
    return translate(x, dx, dy, **kwargs)


def random_zoom(x, height_factor, width_factor=None, rng=None, **kwargs):
    """Zoom each image by 1 + uniform(factor) (as keras.layers.RandomZoom: positive = zoom out)."""
    x = _images(x, "random_zoom")
    rng = check_rng(rng, "random_zoom")
    hlo, hhi = _range(height_factor, "height_factor", "random_zoom")
    zy = 1 + rng.uniform(hlo, hhi, len(x))
    if width_factor is None:
        zx = zy
    else:
        wlo, whi = _range(width_factor, "width_factor", "random_zoom")
        zx = 1 + rng.uniform(wlo, whi, len(x))
    return zoom(x, zy, zx, **kwargs)
