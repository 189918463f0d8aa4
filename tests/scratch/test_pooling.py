import numpy as np
import pytest

from dlhelpers.scratch import pooling as P
from tests.helpers import TOL, check_backward

X44 = np.array([[12, 20, 30, 0], [8, 12, 2, 0], [34, 70, 37, 4], [112, 100, 25, 12.]])


def test_course_4x4_example():
    mx = P.max_pool2d_forward(X44[None, :, :, None])[0][0, :, :, 0]
    av = P.average_pool2d_forward(X44[None, :, :, None])[0][0, :, :, 0]
    np.testing.assert_array_equal(mx, [[20, 30], [112, 37]])
    # (12+20+8+12)/4 = 13, (30+0+2+0)/4 = 8, (34+70+112+100)/4 = 79, (37+4+25+12)/4 = 19.5 (the notes print 20)
    np.testing.assert_array_equal(av, [[13, 8], [79, 19.5]])


def test_course_3x3_stride_1_example():
    x = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1.]])
    out = P.max_pool2d_forward(x[None, :, :, None], pool_size=3, strides=1)[0][0, :, :, 0]
    np.testing.assert_array_equal(out, [[3, 3, 3], [3, 3, 3], [3, 2, 3]])


def test_max_backward_routes_to_the_winner():
    _, cache = P.max_pool2d_forward(X44[None, :, :, None])
    dx, _ = P.max_pool2d_backward(np.ones((1, 2, 2, 1)), cache)
    expected = np.zeros((4, 4))
    expected[0, 1] = expected[0, 2] = expected[3, 0] = expected[2, 2] = 1
    np.testing.assert_array_equal(dx[0, :, :, 0], expected)


def _distinct(rng, shape):
    # distinct values keep the max away from ties, where it has no derivative
    return rng.permutation(np.prod(shape)).reshape(shape) * 0.1 + rng.uniform(0, 0.01, shape)


@pytest.mark.parametrize("pool, strides, padding", [(2, None, "valid"), (3, 1, "valid"), (2, 2, "same"),
                                                    (3, 2, "same"), ((2, 3), (1, 2), "valid")])
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
    np.testing.assert_array_equal(P.flatten_backward(flat, cache)[0], x)


def test_pool_steps():
    steps = list(P.pool2d_steps(X44, 2, mode="average"))
    assert len(steps) == 4 and steps[-1].value == 19.5 and steps[-1].winner is None
    np.testing.assert_array_equal(steps[-1].output, [[13, 8], [79, 19.5]])
    maxed = list(P.pool2d_steps(X44, 2, mode="max"))
    # winners in the 4×4 example: 20 at (0, 1), 30 at (0, 2), 112 at (3, 0), 37 at (2, 2)
    assert [f.winner for f in maxed] == [(0, 1), (0, 2), (3, 0), (2, 2)]
    assert [X44[f.winner] for f in maxed] == [f.value for f in maxed]
    with pytest.raises(ValueError, match="mode must be"):
        list(P.pool2d_steps(X44, mode="median"))


@pytest.mark.parametrize("call, match", [
    (lambda: P.max_pool2d_forward(np.zeros((4, 4))), r"x must be 4-D"),
    (lambda: P.max_pool2d_forward(np.zeros((1, 2, 2, 1)), pool_size=3), "pool_size \\(3×3\\) must fit"),
    (lambda: P.average_pool2d_forward(np.zeros((1, 4, 4, 1)), strides=0), "strides must be > 0"),
    (lambda: P.max_pool2d_forward(np.zeros((1, 4, 4, 1)), pool_size=(2, 2, 2)), "pool_size must be an int or a pair"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
