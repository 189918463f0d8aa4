"""scratch.pooling ↔ keras.pooling: outputs and input gradients for every kind."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
from dlhelpers.data.course import worked_example  # noqa: E402
from dlhelpers.keras.pooling import POOL_LAYERS, pool2d_forward_and_grads, pool_layer  # noqa: E402
from dlhelpers.scratch import pooling as P  # noqa: E402

TOL = {np.float64: dict(rtol=1e-12, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}
CASES = [("max", dict(pool_size=2)), ("max", dict(pool_size=3, strides=2, padding="same")),
         ("average", dict(pool_size=2)), ("average", dict(pool_size=3, strides=1, padding="same")),
         ("average", dict(pool_size=(2, 3), strides=(1, 2))), ("global_max", {}), ("global_average", {})]


def _scratch(kind, x, kwargs):
    if kind.startswith("global"):
        return getattr(P, f"{kind}_pool2d")(x), getattr(P, f"{kind}_pool2d_backward")
    fwd = getattr(P, f"{kind}_pool2d_forward")
    return (fwd(x, kwargs.get("pool_size", 2), kwargs.get("strides"), kwargs.get("padding", "valid")),
            getattr(P, f"{kind}_pool2d_backward"))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind, kwargs", CASES)
def test_pooling_twins(kind, kwargs, dtype):
    rng = np.random.default_rng(1)
    x = (rng.permutation(2 * 7 * 6 * 3).reshape(2, 7, 6, 3) * 0.01).astype(dtype)   # distinct values: no ties
    (out, cache), backward = _scratch(kind, x, kwargs)
    dout = rng.standard_normal(out.shape).astype(dtype)
    dx, grads = backward(dout, cache)
    kout, kdx, kgrads = pool2d_forward_and_grads(kind, x, dout, **kwargs)
    assert grads == kgrads == {}                       # no parameters on either side
    np.testing.assert_allclose(out, kout, **TOL[dtype])
    np.testing.assert_allclose(dx, kdx, **TOL[dtype])


def test_course_4x4_example_in_keras():
    ex = worked_example("pool_4x4")                     # 2×2 windows, stride 2
    x = ex["image"][None, :, :, None]
    out, dx, _ = pool2d_forward_and_grads("max", x, np.ones((1, 2, 2, 1)))
    np.testing.assert_array_equal(out[0, :, :, 0], ex["max"])
    assert dx.sum() == 4 and dx[0, 0, 1, 0] == dx[0, 3, 0, 0] == 1          # the winners 20 and 112
    out, _, _ = pool2d_forward_and_grads("average", x, np.ones((1, 2, 2, 1)))
    np.testing.assert_array_equal(out[0, :, :, 0], ex["average"])           # (12+20+8+12)/4 = 13, ...


def test_pool_layer_kinds_and_bad_kind():
    assert set(POOL_LAYERS) == {"max", "average", "global_max", "global_average"}
    assert type(pool_layer("global_max")).__name__ == "GlobalMaxPooling2D"
    with pytest.raises(ValueError, match="kind must be one of 'max', 'average'"):
        pool_layer("min")
    with pytest.raises(ValueError, match="kind must be one of"):
        pool2d_forward_and_grads("median", np.ones((1, 4, 4, 1)), np.ones((1, 2, 2, 1)))
