"""scratch.attention ↔ keras.attention: same weights, same outputs and gradients as keras.layers.MultiHeadAttention."""
import numpy as np
import pytest

pytest.importorskip("tensorflow")
import dlhelpers.keras  # noqa: E402,F401  (sets the TF environment)
import keras  # noqa: E402
from dlhelpers.keras.attention import (multi_head_attention_forward_and_grads, multi_head_attention_layer,  # noqa: E402
                                       scaled_dot_product_attention_forward_and_grads)
from dlhelpers.scratch.attention import (MHA_PARAM_NAMES, multi_head_attention_backward,  # noqa: E402
                                         multi_head_attention_forward, scaled_dot_product_attention,
                                         scaled_dot_product_attention_backward)

# Keras multiplies the query by 1/√Kd converted to float32 (ops.cast of a Python float), even in a float64
# layer; for Kd = 1 and 4 that number is exact, so float64 parity holds to rounding. Other Kd agree to ~1e-8.
TOLS = {np.float64: dict(rtol=1e-10, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-5)}


def _params(rng, dtype, Dq, Dk, Dv, H, Kd, Vd, D_out):
    shapes = {"query/kernel": (Dq, H, Kd), "query/bias": (H, Kd), "key/kernel": (Dk, H, Kd), "key/bias": (H, Kd),
              "value/kernel": (Dv, H, Vd), "value/bias": (H, Vd), "attention_output/kernel": (H, Vd, D_out),
              "attention_output/bias": (D_out,)}
    return {k: (0.5 * rng.standard_normal(s)).astype(dtype) for k, s in shapes.items()}


def test_parameter_names_shapes_and_order_are_keras_multi_head_attention():
    layer = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3)
    layer(np.ones((1, 4, 5), "float32"), np.ones((1, 6, 7), "float32"), np.ones((1, 6, 8), "float32"))
    names = [w.path.split("/", 1)[1] for w in layer.weights]
    assert tuple(names) == MHA_PARAM_NAMES
    assert [tuple(w.shape) for w in layer.weights] == [(5, 2, 3), (2, 3), (8, 2, 3), (2, 3), (7, 2, 3), (2, 3),
                                                       (2, 3, 5), (5,)]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("H", [1, 2])
@pytest.mark.parametrize("kind", ["self", "cross", "cross with key"])
@pytest.mark.parametrize("masked", [False, True])
def test_multi_head_attention_matches_keras(dtype, H, kind, masked):
    rng = np.random.default_rng(10 * H + len(kind) + masked)
    N, Tq, Tk = 2, 3, 5 if kind != "self" else 3
    Dq, Dv, Dk = 4, (4 if kind == "self" else 6), 3
    Kd = 4 if dtype == np.float64 else 3
    key_given = kind == "cross with key"
    params = _params(rng, dtype, Dq, Dk if key_given else Dv, Dv, H, Kd, 2, 5 if kind != "self" else Dq)
    query = rng.standard_normal((N, Tq, Dq)).astype(dtype)
    value = query if kind == "self" else rng.standard_normal((N, Tk, Dv)).astype(dtype)
    key = rng.standard_normal((N, Tk, Dk)).astype(dtype) if key_given else None
    mask = None
    if masked:
        mask = rng.random((N, Tq, Tk)) < 0.6
        mask[..., 0] = True
        mask[0, 1] = False                     # one query row that may attend to nothing
    out, cache = multi_head_attention_forward(query, value, params, key=key, mask=mask)
    dout = rng.standard_normal(out.shape).astype(dtype)
    dquery, grads = multi_head_attention_backward(dout, cache)
    kout, kdquery, kgrads = multi_head_attention_forward_and_grads(query, value, params, dout, key=key, mask=mask)
    assert set(grads) == set(kgrads) == set(MHA_PARAM_NAMES) | {"value"} | ({"key"} if key_given else set())
    tol = TOLS[dtype]
    assert kout.dtype == out.dtype == dtype
    np.testing.assert_allclose(out, kout, **tol)
    np.testing.assert_allclose(dquery, kdquery, **tol)
    for name in grads:
        np.testing.assert_allclose(grads[name], kgrads[name], err_msg=name, **tol)
    # the weights a notebook draws are the scores Keras returns
    layer = multi_head_attention_layer(params)
    _, scores = layer(query, value, key, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_allclose(cache.weights, scores.numpy(), **tol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mask_kind", [None, "2-D", "3-D"])
def test_scaled_dot_product_attention_matches_tensorflow(dtype, mask_kind):
    rng = np.random.default_rng(3)
    q, k, v = (rng.standard_normal(s).astype(dtype) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 2)))
    mask = None if mask_kind is None else rng.random((3, 5) if mask_kind == "2-D" else (2, 3, 5)) < 0.6
    if mask is not None:
        mask[..., 0] = True
        mask.reshape(-1, 5)[1] = False
    out, cache = scaled_dot_product_attention(q, k, v, mask=mask)
    dout = rng.standard_normal(out.shape).astype(dtype)
    dq, grads = scaled_dot_product_attention_backward(dout, cache)
    kout, kdq, kgrads = scaled_dot_product_attention_forward_and_grads(q, k, v, dout, mask=mask)
    tol = TOLS[dtype]
    np.testing.assert_allclose(out, kout, **tol)
    np.testing.assert_allclose(dq, kdq, **tol)
    assert set(grads) == set(kgrads) == {"key", "value"}
    for name in grads:
        np.testing.assert_allclose(grads[name], kgrads[name], err_msg=name, **tol)


def test_layer_infers_sizes_and_keeps_the_weights():
    rng = np.random.default_rng(4)
    params = _params(rng, np.float64, Dq=4, Dk=3, Dv=6, H=2, Kd=4, Vd=5, D_out=7)
    layer = multi_head_attention_layer(params, num_heads=2, key_dim=4)
    assert (layer.num_heads, layer.key_dim, layer.value_dim) == (2, 4, 5) and layer.dtype == "float64"
    for w in layer.weights:
        np.testing.assert_array_equal(w.numpy(), params[w.path.split("/", 1)[1]])
    q, v, k = rng.standard_normal((1, 2, 4)), rng.standard_normal((1, 3, 6)), rng.standard_normal((1, 3, 3))
    assert layer(q, v, k).shape == (1, 2, 7)
    with pytest.raises(ValueError, match="num_heads must be 2"):
        multi_head_attention_layer(params, num_heads=3)
    with pytest.raises(ValueError, match="params must be a dict with exactly the keys"):
        multi_head_attention_layer({n: a for n, a in params.items() if n != "query/bias"})


def test_keras_fused_path_averages_a_fully_masked_row_where_the_softmax_path_gives_zero():
    # The documented difference: without return_attention_scores Keras takes ops.dot_product_attention,
    # whose fully masked row is a uniform average of the values; the scratch twin (and Keras's masked Softmax)
    # gives that row zero weights, so the output is the output bias. Rows with a visible key agree.
    rng = np.random.default_rng(5)
    params = _params(rng, np.float64, 4, 4, 4, 1, 4, 2, 4)
    x = rng.standard_normal((1, 3, 4))
    mask = np.array([[[True, False, True], [False, False, False], [True, True, True]]])
    layer = multi_head_attention_layer(params)
    fused = layer(x, x, attention_mask=mask).numpy()
    out, _ = multi_head_attention_forward(x, x, params, mask=mask)
    np.testing.assert_allclose(out[:, [0, 2]], fused[:, [0, 2]], rtol=1e-10)
    np.testing.assert_allclose(out[0, 1], params["attention_output/bias"], rtol=1e-15)
    v = np.einsum("ntd,dhv->nhtv", x, params["value/kernel"]) + params["value/bias"][:, None]   # (1, 1, 3, 2)
    average = np.einsum("nhv,hvo->no", v.mean(axis=2), params["attention_output/kernel"]) + params["attention_output/bias"]
    np.testing.assert_allclose(fused[:, 1], average, rtol=1e-10)


def test_bad_dout():
    rng = np.random.default_rng(6)
    params = _params(rng, np.float64, 4, 4, 4, 1, 4, 2, 4)
    x = rng.standard_normal((1, 3, 4))
    with pytest.raises(ValueError, match="dout must be the output's shape"):
        multi_head_attention_forward_and_grads(x, x, params, np.ones((1, 3, 3)))
    with pytest.raises(ValueError, match="dout must be the output's shape"):
        scaled_dot_product_attention_forward_and_grads(x, x, x, np.ones((1, 3)))
