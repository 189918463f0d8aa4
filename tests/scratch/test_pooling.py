import dataclasses

import numpy as np
import pytest

from dlhelpers.data.course import worked_example
from dlhelpers.scratch import pooling as P
from tests.helpers import TOL, check_backward

EX4 = worked_example("pool_4x4")
X44 = EX4["image"]


def test_course_4x4_example():
    kw = dict(pool_size=EX4["pool_size"], strides=EX4["stride"])
    mx = P.max_pool2d_forward(X44[None, :, :, None], **kw)[0][0, :, :, 0]
    av = P.average_pool2d_forward(X44[None, :, :, None], **kw)[0][0, :, :, 0]
    np.testing.assert_array_equal(mx, EX4["max"])
    np.testing.assert_array_equal(mx, [[20, 30], [112, 37]])
    # (12+20+8+12)/4 = 13, (30+0+2+0)/4 = 8, (34+70+112+100)/4 = 79, (37+4+25+12)/4 = 19.5 (the notes print 20)
    np.testing.assert_array_equal(av, EX4["average"])
    np.testing.assert_array_equal(av, [[13, 8], [79, 19.5]])


def test_course_5x5_stride_1_example():
    ex = worked_example("pool_5x5")
    out = P.max_pool2d_forward(ex["image"][None, :, :, None], pool_size=ex["pool_size"], strides=ex["stride"])[0]
    np.testing.assert_array_equal(out[0, :, :, 0], ex["max"])
    np.testing.assert_array_equal(out[0, :, :, 0], [[3, 3, 3], [3, 3, 3], [3, 2, 3]])


def test_max_backward_routes_to_the_winner():
    _, cache = P.max_pool2d_forward(X44[None, :, :, None])
    dx, grads = P.max_pool2d_backward(np.ones((1, 2, 2, 1)), cache)
    assert grads == {}                                                      # pooling has no parameters
    expected = np.zeros((4, 4))
    expected[0, 1] = expected[0, 2] = expected[3, 0] = expected[2, 2] = 1
    np.testing.assert_array_equal(dx[0, :, :, 0], expected)


def _distinct(rng, shape):
    # distinct values keep the max away from ties, where it has no derivative
    return rng.permutation(np.prod(shape)).reshape(shape) * 0.1 + rng.uniform(0, 0.01, shape)


@pytest.mark.parametrize("pool, strides, padding", [(2, None, "valid"), (3, 1, "valid"), (2, 2, "same"),
                                                    (3, 2, "same"), ((2, 3), (1, 2), "valid"), (3, 2, 1), (2, 1, 1)])
@pytest.mark.parametrize("kind", ["max", "average"])
def test_gradients(kind, pool, strides, padding):
    fwd = getattr(P, f"{kind}_pool2d_forward")
    bwd = getattr(P, f"{kind}_pool2d_backward")
    x = _distinct(np.random.default_rng(2), (2, 5, 6, 3))
    errs = check_backward(lambda x: fwd(x, pool, strides, padding), bwd, {"x": x})
    assert errs["x"] < TOL


def test_global_pooling_and_flatten():
    x = _distinct(np.random.default_rng(3), (2, 4, 3, 5))
    for fwd, bwd in ((P.global_max_pool2d, P.global_max_pool2d_backward),
                     (P.global_average_pool2d, P.global_average_pool2d_backward)):
        out, _ = fwd(x)
        assert out.shape == (2, 5)
        assert check_backward(fwd, bwd, {"x": x})["x"] < TOL
    np.testing.assert_array_equal(P.global_average_pool2d(x)[0], x.mean(axis=(1, 2)))
    flat, cache = P.flatten_forward(x)
    assert flat.shape == (2, 60) and flat[0, 1] == x[0, 0, 0, 1]            # channels-last, row-major
    dx, grads = P.flatten_backward(flat, cache)
    np.testing.assert_array_equal(dx, x)
    assert grads == {}


def test_pool_steps():
    steps = list(P.pool2d_steps(X44, 2, mode="average"))
    assert len(steps) == 4 and steps[-1].value == 19.5 and steps[-1].winner is None
    np.testing.assert_array_equal(steps[-1].output, [[13, 8], [79, 19.5]])
    maxed = list(P.pool2d_steps(X44, 2, mode="max"))
    # winners in the 4×4 example: 20 at (0, 1), 30 at (0, 2), 112 at (3, 0), 37 at (2, 2)
    assert [f.winner for f in maxed] == [(0, 1), (0, 2), (3, 0), (2, 2)]
    assert [X44[f.winner] for f in maxed] == [f.value for f in maxed]
    with pytest.raises(ValueError, match="mode must be one of 'max', 'average' for pool2d_steps; got 'median'"):
        list(P.pool2d_steps(X44, mode="median"))
    with pytest.raises(ValueError, match=r"mode must be one of .* for pool2d_steps; got array\(\[1., 2.\]\)"):
        list(P.pool2d_steps(X44, mode=np.array([1.0, 2.0])))      # validated before it is compared with "max"
    with pytest.raises(ValueError, match="pool_size .* must fit inside .* for pool2d_steps"):
        list(P.pool2d_steps(X44, 5, mode="average"))


@pytest.mark.parametrize("call, match", [
    (lambda: P.max_pool2d_forward(np.zeros((4, 4))), r"x must be 4-D"),
    (lambda: P.max_pool2d_forward(np.zeros((1, 2, 2, 1)), pool_size=3), "pool_size \\(3×3\\) must fit"),
    (lambda: P.average_pool2d_forward(np.zeros((1, 4, 4, 1)), strides=0), "strides must be > 0"),
    (lambda: P.max_pool2d_forward(np.zeros((1, 4, 4, 1)), pool_size=(2, 2, 2)), "pool_size must be an int or a pair"),
    # a window made only of padding: NaN for the average, -inf for the max, unless refused
    (lambda: P.average_pool2d_forward(np.ones((1, 4, 4, 1)), pool_size=2, padding=2),
     r"padding must be smaller than pool_size \(2×2\) on every side for average_pool2d_forward; got 2"),
    (lambda: P.max_pool2d_forward(np.ones((1, 4, 4, 1)), pool_size=(3, 2), strides=1, padding=2),
     "padding must be smaller than pool_size"),
    (lambda: list(P.pool2d_steps(np.ones((4, 4)), 2, padding=3)), "padding must be smaller than pool_size"),
    (lambda: P.max_pool2d_forward(np.zeros((0, 4, 4, 1))), r"x must be non-empty.*\(0, 4, 4, 1\)"),
    (lambda: P.average_pool2d_forward(np.zeros((1, 4, 4, 0))), "x must be non-empty"),
    (lambda: P.global_max_pool2d(np.zeros((2, 0, 3, 1))), "x must be non-empty"),
    (lambda: P.global_average_pool2d(np.zeros((2, 3, 3, 0))), "x must be non-empty"),
    (lambda: P.flatten_forward(np.zeros((2, 0))), "x must be non-empty"),
    # 'same' padding of a 10**6 window: a 10**6 × 10**6 padded map, refused before NumPy tries to allocate it
    (lambda: P.max_pool2d_forward(np.ones((1, 4, 4, 1)), 10 ** 6, None, "same"),
     r"pool_size must be small enough that the padded input holds at most 1,073,741,824 numbers .* for "
     r"max_pool2d_forward; got pool_size=1000000.*global_max_pool2d.*MAX_ELEMENTS"),
    (lambda: P.average_pool2d_forward(np.ones((1, 4, 4, 1)), 10 ** 12, None, "same"),
     "pool_size must be small enough .* for average_pool2d_forward"),
    (lambda: list(P.pool2d_steps(np.ones((4, 4)), 10 ** 12, padding="same")),
     "pool_size must be small enough .* for pool2d_steps"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_padding_up_to_the_window_minus_one_is_fine():
    x = np.arange(16.0).reshape(1, 4, 4, 1)
    out, _ = P.average_pool2d_forward(x, pool_size=2, padding=1)        # corner windows hold one real cell
    assert out.shape == (1, 3, 3, 1) and np.all(np.isfinite(out)) and out[0, 0, 0, 0] == 0.0
    out, _ = P.max_pool2d_forward(x, pool_size=2, padding=1)
    assert np.all(np.isfinite(out)) and out[0, 2, 2, 0] == 15.0


@pytest.mark.parametrize("call, match", [
    (lambda: P.max_pool2d_forward(np.zeros((1, 4, 4, 1)), pool_size="2"), "pool_size must be an integer"),
    (lambda: P.average_pool2d_forward(np.zeros((1, 4, 4, 1)), padding=1.5), r"padding must be.*\(float\)"),
    (lambda: P.max_pool2d_forward(np.zeros((1, 4, 4, 1)), strides=2.0), "strides must be an integer"),
])
def test_bad_setting_types(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def _pairs():
    x = _distinct(np.random.default_rng(7), (2, 4, 6, 3))
    return [("max_pool2d_backward", *P.max_pool2d_forward(x, 2, 1, "same"), P.MaxPoolCache),
            ("average_pool2d_backward", *P.average_pool2d_forward(x, 3, 2, 1), P.AvgPoolCache),
            ("global_max_pool2d_backward", *P.global_max_pool2d(x), P.GlobalMaxPoolCache),
            ("global_average_pool2d_backward", *P.global_average_pool2d(x), P.GlobalAvgPoolCache),
            ("flatten_backward", *P.flatten_forward(x), P.FlattenCache)]


@pytest.mark.parametrize("index", range(5))
def test_every_backward_checks_dout_and_cache(index):
    name, out, cache, cache_type = _pairs()[index]
    backward = getattr(P, name)
    assert isinstance(cache, cache_type) and dataclasses.is_dataclass(cache)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cache.x_shape = (1,)
    shape = str(out.shape).replace("(", "\\(").replace(")", "\\)")
    for bad in (np.ones(out.shape[:-1] + (out.shape[-1] + 1,)), np.ones(out.shape[1:]), np.ones((1, out.size))):
        with pytest.raises(ValueError, match=f"dout must be the forward output's shape {shape} for {name}"):
            backward(bad, cache)
    with pytest.raises(ValueError, match=f"dout must be finite.*{name}"):
        backward(np.full(out.shape, np.nan), cache)
    with pytest.raises(TypeError, match=f"cache must be the {cache_type.__name__} returned by"):
        backward(np.ones(out.shape), _pairs()[(index + 1) % 5][2])
    dx, grads = backward(np.ones(out.shape), cache)
    assert dx.shape == cache.x_shape and grads == {}


@pytest.mark.parametrize("kind", ["max", "average"])
def test_inputs_are_never_changed(kind):
    x = _distinct(np.random.default_rng(8), (2, 5, 5, 2))
    x_copy = x.copy()
    out, cache = getattr(P, f"{kind}_pool2d_forward")(x, 3, 2, 1)
    dout = np.random.default_rng(9).standard_normal(out.shape)
    dout_copy = dout.copy()
    dx, grads = getattr(P, f"{kind}_pool2d_backward")(dout, cache)
    assert grads == {}
    out += 1.0
    dx += 1.0
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(dout, dout_copy)


@pytest.mark.parametrize("padding", ["valid", "same", 1])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_average_pool_keeps_the_float_dtype(dtype, padding):
    x = np.arange(2 * 5 * 5 * 3, dtype=dtype).reshape(2, 5, 5, 3)
    out, cache = P.average_pool2d_forward(x, 3, 2, padding)
    assert out.dtype == dtype and cache.count.dtype == dtype      # the window count was float64 whatever x was
    ref, _ = P.average_pool2d_forward(x.astype(np.float64), 3, 2, padding)
    np.testing.assert_allclose(out, ref, rtol=1e-6)
    dx, _ = P.average_pool2d_backward(np.ones(out.shape, dtype), cache)
    assert dx.dtype == dtype
    # the gradient follows dout's dtype, whatever the forward pass saw
    other = np.float64 if dtype == np.float32 else np.float32
    assert P.average_pool2d_backward(np.ones(out.shape, other), cache)[0].dtype == other
