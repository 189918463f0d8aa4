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

from .._checks import _fail, as_array, check_choice, check_in_range, check_nonempty, check_number, check_positive, check_rng

__all__ = ["affine_transform", "flip", "rotate", "translate", "zoom", "salt_and_pepper", "random_flip",
           "random_rotation", "random_translation", "random_zoom", "rotation_matrix", "FILL_MODES"]

FILL_MODES = ("reflect", "constant", "nearest", "wrap")


def _images(x, func):
    x = as_array(x, "x", func, ndim=4, shape_hint="(N, H, W, C)",
                 fix="Add batch and channel axes, e.g. x[None, :, :, None].")
    return check_nonempty(x, "x", func)


def _per_image(value, name, func, n, *, positive=False):
    """A finite number, or one finite number per image → float array (n,)."""
    v = as_array(value, name, func, ndim=(0, 1), shape_hint=f"(a number or {n} numbers, one per image)",
                 dtype=np.float64)
    if v.ndim == 1 and v.shape[0] not in (1, n):
        _fail(name, func, f"a number or {n} numbers (one per image)", f"{v.shape[0]} numbers",
              "Pass one value, or one per image.")
    if positive and np.any(v <= 0):
        _fail(name, func, "> 0", f"{v.min():g}", "1 leaves the image unchanged; 1.2 zooms out, 0.8 zooms in.")
    return np.broadcast_to(v, (n,))


def _fill_value(fill_value, func):
    return check_number(fill_value, "fill_value", func, fix="Pass a finite number, e.g. fill_value=0.0.")


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
    """Resample images through a 2×3 output→input matrix (see the module doc).

    Args:
        x: images (N, H, W, C).
        matrix: (2, 3) for every image, or (N, 2, 3) one per image; finite.
        fill_mode: one of :data:`FILL_MODES`; fill_value: the constant for ``"constant"``.
        interpolation: ``"bilinear"`` or ``"nearest"``.

    Returns:
        Images of ``x``'s shape and dtype.
    """
    x = _images(x, "affine_transform")
    check_choice(fill_mode, "fill_mode", "affine_transform", FILL_MODES)
    check_choice(interpolation, "interpolation", "affine_transform", ("bilinear", "nearest"))
    fill_value = _fill_value(fill_value, "affine_transform")
    N, H, W, C = x.shape
    M = as_array(matrix, "matrix", "affine_transform", ndim=(2, 3), shape_hint="(2, 3) or (N, 2, 3)",
                 dtype=np.float64)
    if M.shape[-2:] != (2, 3) or (M.ndim == 3 and M.shape[0] not in (1, N)):
        _fail("matrix", "affine_transform", f"of shape (2, 3) or ({N}, 2, 3)", f"shape {M.shape}",
              "Build one with rotation_matrix(degrees, height, width).")
    M = np.broadcast_to(M, (N, 2, 3))
    ys, xs = np.meshgrid(np.arange(H, dtype=np.float64), np.arange(W, dtype=np.float64), indexing="ij")
    with np.errstate(over="ignore", invalid="ignore"):
        x_in = M[:, 0, 0, None, None] * xs + M[:, 0, 1, None, None] * ys + M[:, 0, 2, None, None]   # (N, H, W)
        y_in = M[:, 1, 0, None, None] * xs + M[:, 1, 1, None, None] * ys + M[:, 1, 2, None, None]
    if not (np.all(np.isfinite(x_in)) and np.all(np.isfinite(y_in))):
        _fail("matrix", "affine_transform", "small enough to map pixels to finite coordinates",
              f"entries up to {np.max(np.abs(M)):.3g}", "Use a translation of at most a few image sizes.")
    x_in, y_in = _map_coord(x_in, W, fill_mode), _map_coord(y_in, H, fill_mode)
    # far outside the image every read gives fill_value; clipping keeps the integer casts in range
    x_in, y_in = np.clip(x_in, -2.0, W + 1.0), np.clip(y_in, -2.0, H + 1.0)
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
    """Mirror left–right ("horizontal"), top–bottom ("vertical") or both.

    Shapes: x (N, H, W, C) → the same shape (a new array).
    """
    x = _images(x, "flip")
    check_choice(mode, "mode", "flip", ("horizontal", "vertical", "horizontal_and_vertical"))
    if mode in ("horizontal", "horizontal_and_vertical"):
        x = x[:, :, ::-1]
    if mode in ("vertical", "horizontal_and_vertical"):
        x = x[:, ::-1]
    return x.copy()


def rotation_matrix(degrees, height, width):
    """Output→input matrix rotating by ``degrees`` (counter-clockwise on screen for positive) about the centre.

    Args:
        degrees: a finite number; height, width: the image size in pixels (positive ints).

    Returns:
        A (2, 3) float array for :func:`affine_transform`.
    """
    check_number(degrees, "degrees", "rotation_matrix")
    check_positive(height, "height", "rotation_matrix", integer=True)
    check_positive(width, "width", "rotation_matrix", integer=True)
    t = math.radians(degrees)
    c, s = math.cos(t), math.sin(t)
    cx, cy = (width - 1) / 2, (height - 1) / 2
    return np.array([[c, -s, cx - cx * c + cy * s], [s, c, cy - cx * s - cy * c]])


def rotate(x, degrees, fill_mode="reflect", fill_value=0.0, interpolation="bilinear"):
    """Rotate every image by ``degrees`` (a number, or one per image) about its centre.

    Shapes: x (N, H, W, C), degrees () or (N,) → (N, H, W, C).
    """
    x = _images(x, "rotate")
    deg = _per_image(degrees, "degrees", "rotate", x.shape[0])
    M = np.stack([rotation_matrix(float(d), x.shape[1], x.shape[2]) for d in deg])
    return affine_transform(x, M, fill_mode, fill_value, interpolation)


def translate(x, dx, dy, fill_mode="reflect", fill_value=0.0, interpolation="bilinear"):
    """Shift the content by (dx, dy) pixels: positive dx moves it right, positive dy down.

    Shapes: x (N, H, W, C), dx and dy () or (N,) → (N, H, W, C).
    """
    x = _images(x, "translate")
    N = x.shape[0]
    dx = _per_image(dx, "dx", "translate", N)
    dy = _per_image(dy, "dy", "translate", N)
    M = np.zeros((N, 2, 3))
    M[:, 0, 0] = M[:, 1, 1] = 1.0
    M[:, 0, 2], M[:, 1, 2] = -dx, -dy
    return affine_transform(x, M, fill_mode, fill_value, interpolation)


def zoom(x, height_zoom, width_zoom=None, fill_mode="reflect", fill_value=0.0, interpolation="bilinear"):
    """Scale about the centre. As in Keras, a zoom value z samples a z-times larger region:
    z > 1 zooms **out** (content shrinks), z < 1 zooms in.

    Shapes: x (N, H, W, C), zooms () or (N,), each > 0 → (N, H, W, C).
    """
    x = _images(x, "zoom")
    N, H, W, _ = x.shape
    zy = _per_image(height_zoom, "height_zoom", "zoom", N, positive=True)
    zx = zy if width_zoom is None else _per_image(width_zoom, "width_zoom", "zoom", N, positive=True)
    M = np.zeros((N, 2, 3))
    M[:, 0, 0], M[:, 1, 1] = zx, zy
    M[:, 0, 2], M[:, 1, 2] = (W - 1) / 2 * (1 - zx), (H - 1) / 2 * (1 - zy)
    return affine_transform(x, M, fill_mode, fill_value, interpolation)


def salt_and_pepper(x, amount=0.05, rng=None, salt=1.0, pepper=0.0):
    """Set a fraction ``amount`` of pixels (all channels) to ``salt`` or ``pepper``, half each on average.

    Shapes: x (N, H, W, C) → the same shape; ``amount`` in [0, 1]; salt and pepper finite numbers.
    """
    x = _images(x, "salt_and_pepper")
    check_in_range(amount, "amount", "salt_and_pepper", 0.0, 1.0, inclusive=(True, True))
    check_number(salt, "salt", "salt_and_pepper")
    check_number(pepper, "pepper", "salt_and_pepper")
    rng = check_rng(rng, "salt_and_pepper")
    u = rng.random(x.shape[:3])[..., None]                      # one draw per pixel
    out = x.copy()
    out = np.where(u < amount / 2, pepper, out)
    out = np.where((u >= amount / 2) & (u < amount), salt, out)
    return out.astype(x.dtype)


# --- random versions with Keras's factors ---------------------------------------------------------------

def _range(factor, name, func, *, low=-1e6, high=1e6):
    """A number f (meaning [−f, f]) or a pair (low, high), finite and inside [low, high] → (lo, hi)."""
    if isinstance(factor, (tuple, list)) or (isinstance(factor, np.ndarray) and factor.ndim > 0):
        if len(factor) != 2:
            _fail(name, func, "a number f or a pair (low, high)", repr(factor), f"Pass e.g. {name}=0.1 or (-0.1, 0.2).")
        lo, hi = factor
    else:
        check_number(factor, name, func, fix=f"Pass e.g. {name}=0.1 or {name}=(-0.1, 0.2).")
        lo, hi = -factor, factor
    for v in (lo, hi):
        check_number(v, name, func, low=low, high=high, fix=f"Pass e.g. {name}=0.1 or {name}=(-0.1, 0.2).")
    if lo > hi:
        raise ValueError(f"{name} must be a number f (meaning [−f, f]) or a pair (low, high) with low <= high for "
                         f"{func}; got {factor!r}.")
    return float(lo), float(hi)


def random_flip(x, mode="horizontal", rng=None):
    """Flip each image with probability 1/2 (per axis), like keras.layers.RandomFlip.

    Shapes: x (N, H, W, C) → the same shape (a new array).
    """
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
    """Rotate each image by a uniform angle in [low, high] × 360° (factor as in keras.layers.RandomRotation).

    Shapes: x (N, H, W, C) → the same shape. ``kwargs`` go to :func:`rotate` (fill_mode, ...).
    """
    x = _images(x, "random_rotation")
    lo, hi = _range(factor, "factor", "random_rotation")
    deg = check_rng(rng, "random_rotation").uniform(lo * 360, hi * 360, len(x))
    return rotate(x, deg, **kwargs)


def random_translation(x, height_factor, width_factor, rng=None, **kwargs):
    """Shift each image by uniform fractions of its height and width (as keras.layers.RandomTranslation).

    Factors in [−1, 1] (a shift of at most one image size). Shapes: x (N, H, W, C) → the same shape.
    """
    x = _images(x, "random_translation")
    rng = check_rng(rng, "random_translation")
    hlo, hhi = _range(height_factor, "height_factor", "random_translation", low=-1.0, high=1.0)
    wlo, whi = _range(width_factor, "width_factor", "random_translation", low=-1.0, high=1.0)
    dy = rng.uniform(hlo, hhi, len(x)) * x.shape[1]
    dx = rng.uniform(wlo, whi, len(x)) * x.shape[2]
    return translate(x, dx, dy, **kwargs)


def random_zoom(x, height_factor, width_factor=None, rng=None, **kwargs):
    """Zoom each image by 1 + uniform(factor) (as keras.layers.RandomZoom: positive = zoom out).

    Factors in (−1, 1e6]: a zoom of 1 + factor must stay > 0. Shapes: x (N, H, W, C) → the same shape.
    """
    x = _images(x, "random_zoom")
    rng = check_rng(rng, "random_zoom")
    hlo, hhi = _range(height_factor, "height_factor", "random_zoom", low=-0.999)
    zy = 1 + rng.uniform(hlo, hhi, len(x))
    if width_factor is None:
        zx = zy
    else:
        wlo, whi = _range(width_factor, "width_factor", "random_zoom", low=-0.999)
        zx = 1 + rng.uniform(wlo, whi, len(x))
    return zoom(x, zy, zx, **kwargs)
