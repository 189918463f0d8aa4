"""scratch.attention: hand-worked values, float64 gradient checks and bad input."""
import numpy as np
import pytest

from dlhelpers.scratch.attention import (MHA_PARAM_NAMES, AttentionCache, MultiHeadAttentionCache,
                                         multi_head_attention_backward, multi_head_attention_forward,
                                         scaled_dot_product_attention, scaled_dot_product_attention_backward)
from dlhelpers.scratch.gradcheck import numerical_gradient, relative_error
from tests.helpers import TOL, check_backward


def _mha_params(rng, Dq=4, Dk=4, Dv=4, H=2, Kd=3, Vd=2, D_out=4):
    shapes = {"query/kernel": (Dq, H, Kd), "query/bias": (H, Kd), "key/kernel": (Dk, H, Kd), "key/bias": (H, Kd),
              "value/kernel": (Dv, H, Vd), "value/bias": (H, Vd), "attention_output/kernel": (H, Vd, D_out),
              "attention_output/bias": (D_out,)}
    return {k: rng.standard_normal(s) for k, s in shapes.items()}


def _qkv(rng, N=2, Tq=3, Tk=4, dk=3, dv=2, lead=()):
    return (rng.standard_normal((N, *lead, Tq, dk)), rng.standard_normal((N, *lead, Tk, dk)),
            rng.standard_normal((N, *lead, Tk, dv)))


def _mask(rng, shape, full_row=True):
    m = rng.random(shape) < 0.6
    m[..., 0] = True                       # every row sees at least its first key ...
    if full_row:
        m.reshape(-1, shape[-1])[1] = False   # ... except one row that sees nothing
    return m


# --- hand-worked values -------------------------------------------------------------------------------

def test_equal_keys_share_the_weight_equally():
    # q·k = 1 for both keys, so the scores tie and softmax gives 1/2 each: out = (2 + 4)/2 = 3
    q, k, v = np.array([[[1.0, 0.0]]]), np.array([[[1.0, 0.0], [1.0, 0.0]]]), np.array([[[2.0], [4.0]]])
    out, cache = scaled_dot_product_attention(q, k, v)
    np.testing.assert_array_equal(cache.weights, [[[0.5, 0.5]]])
    np.testing.assert_array_equal(out, [[[3.0]]])


def test_scores_are_scaled_by_the_square_root_of_dk():
    # dk = 4: scores = (q·k1, q·k2)/√4 = (2, 0)/2 = (1, 0); softmax = (e, 1)/(e + 1)
    q = np.array([[[1.0, 1.0, 0.0, 0.0]]])
    k = np.array([[[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]]])
    v = np.array([[[1.0, 0.0], [0.0, 1.0]]])
    out, cache = scaled_dot_product_attention(q, k, v)
    e = np.e
    np.testing.assert_allclose(cache.weights, [[[e / (e + 1), 1 / (e + 1)]]], rtol=1e-15)
    np.testing.assert_allclose(out, [[[e / (e + 1), 1 / (e + 1)]]], rtol=1e-15)


def test_a_masked_position_gets_weight_exactly_zero():
    # the second key would win (score 10 vs 0), but it is masked: all the weight goes to the first
    q, k, v = np.array([[[1.0]]]), np.array([[[0.0], [10.0]]]), np.array([[[5.0], [7.0]]])
    out, cache = scaled_dot_product_attention(q, k, v, mask=np.array([[True, False]]))
    assert cache.weights[0, 0, 1] == 0.0 and cache.weights[0, 0, 0] == 1.0
    assert out[0, 0, 0] == 5.0
    _, grads = scaled_dot_product_attention_backward(np.ones((1, 1, 1)), cache)
    assert grads["key"][0, 1, 0] == 0.0 and grads["value"][0, 1, 0] == 0.0   # a hidden key learns nothing


def test_a_fully_masked_row_has_zero_weights_and_zero_output_as_keras_softmax():
    rng = np.random.default_rng(0)
    q, k, v = _qkv(rng, N=1, Tq=2, Tk=3)
    mask = np.array([[True, False, True], [False, False, False]])
    out, cache = scaled_dot_product_attention(q, k, v, mask=mask)
    np.testing.assert_array_equal(cache.weights[0, 1], 0.0)
    np.testing.assert_array_equal(out[0, 1], 0.0)
    np.testing.assert_allclose(cache.weights[0, 0].sum(), 1.0, rtol=1e-15)
    assert cache.weights[0, 0, 1] == 0.0


def test_causal_mask_and_numeric_mask_agree_with_bool_mask():
    rng = np.random.default_rng(1)
    q, k, v = _qkv(rng, N=2, Tq=4, Tk=4)
    causal = np.tril(np.ones((4, 4), bool))
    out_bool, cache = scaled_dot_product_attention(q, k, v, mask=causal)
    out_num, _ = scaled_dot_product_attention(q, k, v, mask=causal.astype(float))
    out_full, _ = scaled_dot_product_attention(q, k, v, mask=np.broadcast_to(causal, (2, 4, 4)))
    np.testing.assert_array_equal(out_bool, out_num)
    np.testing.assert_array_equal(out_bool, out_full)
    assert np.all(np.triu(cache.weights[0], 1) == 0)          # no position looks ahead
    np.testing.assert_allclose(out_bool[:, 0], v[:, 0])          # the first position sees only itself


def test_heads_axis_equals_one_call_per_head():
    rng = np.random.default_rng(2)
    q, k, v = _qkv(rng, N=2, lead=(3,))
    mask = _mask(rng, (2, 3, 4))                                # (N, Tq, Tk): shared by every head
    out, cache = scaled_dot_product_attention(q, k, v, mask=mask)
    for h in range(3):
        out_h, cache_h = scaled_dot_product_attention(q[:, h], k[:, h], v[:, h], mask=mask)
        np.testing.assert_allclose(out[:, h], out_h, rtol=1e-14)
        np.testing.assert_allclose(cache.weights[:, h], cache_h.weights, rtol=1e-14)


def test_weights_rows_sum_to_one_and_huge_scores_stay_finite():
    q = np.array([[[1e4, -1e4], [0.0, 1e-3]]])
    k = np.array([[[1e4, 1e4], [-1e4, 1e4], [1e4, -1e4]]])
    v = np.arange(6.0).reshape(1, 3, 2)
    out, cache = scaled_dot_product_attention(q, k, v)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(cache.weights.sum(-1), 1.0, rtol=1e-15)


def test_float32_stays_float32():
    rng = np.random.default_rng(3)
    q, k, v = (a.astype(np.float32) for a in _qkv(rng))
    out, cache = scaled_dot_product_attention(q, k, v)
    dq, grads = scaled_dot_product_attention_backward(np.ones_like(out), cache)
    assert out.dtype == cache.weights.dtype == dq.dtype == grads["key"].dtype == grads["value"].dtype == np.float32


def test_single_head_with_identity_projections_is_plain_attention():
    # H = 1, Kd = Vd = D, identity kernels, zero biases: MHA = scaled dot-product attention
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 4))
    eye = np.eye(4)[:, None, :]                                  # (D, 1, D)
    p = {"query/kernel": eye, "key/kernel": eye, "value/kernel": eye, "attention_output/kernel": np.eye(4)[None],
         "query/bias": np.zeros((1, 4)), "key/bias": np.zeros((1, 4)), "value/bias": np.zeros((1, 4)),
         "attention_output/bias": np.zeros(4)}
    out, cache = multi_head_attention_forward(x, x, p)
    ref, ref_cache = scaled_dot_product_attention(x, x, x)
    np.testing.assert_allclose(out, ref, rtol=1e-14)
    np.testing.assert_allclose(cache.weights[:, 0], ref_cache.weights, rtol=1e-14)


def test_fully_masked_query_row_outputs_the_output_bias():
    rng = np.random.default_rng(5)
    p = _mha_params(rng)
    x = rng.standard_normal((1, 3, 4))
    mask = np.ones((3, 3), bool)
    mask[2] = False
    out, cache = multi_head_attention_forward(x, x, p, mask=mask)
    np.testing.assert_allclose(out[0, 2], p["attention_output/bias"], rtol=1e-15)
    np.testing.assert_array_equal(cache.weights[0, :, 2], 0.0)


# --- gradient checks (float64) ------------------------------------------------------------------------

@pytest.mark.parametrize("lead", [(), (2,)], ids=["3-D", "heads axis"])
@pytest.mark.parametrize("mask_kind", [None, "2-D", "full"])
def test_scaled_dot_product_attention_gradients(lead, mask_kind):
    rng = np.random.default_rng(6)
    q, k, v = _qkv(rng, N=2, Tq=3, Tk=5, lead=lead)
    mask = None if mask_kind is None else _mask(rng, (3, 5) if mask_kind == "2-D" else (2, *lead, 3, 5))

    def forward(query, key, value):
        return scaled_dot_product_attention(query, key, value, mask=mask)
    errors = check_backward(forward, scaled_dot_product_attention_backward, {"query": q, "key": k, "value": v})
    assert max(errors.values()) < TOL, errors


def _check_mha(inputs, params, key_given, mask, seed=0):
    """Gradient-check every input and parameter of multi_head_attention_forward (float64)."""
    def forward(query, value, key=None, **p):
        return multi_head_attention_forward(query, value, p, key=key, mask=mask)
    all_inputs = {**inputs, **params}
    out, cache = forward(**all_inputs)
    dout = np.random.default_rng(seed).standard_normal(out.shape)
    dquery, grads = multi_head_attention_backward(dout, cache)
    expected = set(MHA_PARAM_NAMES) | {"value"} | ({"key"} if key_given else set())
    assert set(grads) == expected
    analytic = {"query": dquery, **grads}
    for name, arr in all_inputs.items():
        num = numerical_gradient(lambda: float(np.sum(forward(**all_inputs)[0] * dout)), arr)
        assert analytic[name].shape == arr.shape
        if name == "key/bias":
            # q·(k + b) shifts every score of a query row by the same q·b: softmax ignores it, the gradient is 0
            assert np.abs(analytic[name]).max() < 1e-12 and np.abs(num).max() < 1e-8, (analytic[name], num)
            continue
        err = relative_error(analytic[name], num)
        assert err < TOL, (name, err)


@pytest.mark.parametrize("H", [1, 2])
@pytest.mark.parametrize("masked", [False, True])
def test_multi_head_cross_attention_gradients_with_a_separate_key(H, masked):
    rng = np.random.default_rng(7 + H)
    params = _mha_params(rng, Dq=4, Dk=3, Dv=5, H=H, Kd=3, Vd=2, D_out=6)
    inputs = {"query": rng.standard_normal((2, 3, 4)), "value": rng.standard_normal((2, 4, 5)),
              "key": rng.standard_normal((2, 4, 3))}
    _check_mha(inputs, params, True, _mask(rng, (2, 3, 4)) if masked else None)


@pytest.mark.parametrize("H", [1, 2])
@pytest.mark.parametrize("masked", [False, True])
def test_multi_head_attention_gradients_with_value_as_key(H, masked):
    rng = np.random.default_rng(11 + H)
    params = _mha_params(rng, Dq=3, Dk=4, Dv=4, H=H, Kd=2, Vd=3, D_out=3)
    inputs = {"query": rng.standard_normal((2, 3, 3)), "value": rng.standard_normal((2, 5, 4))}
    _check_mha(inputs, params, False, _mask(rng, (3, 5)) if masked else None)


def test_self_attention_total_gradient_is_dquery_plus_dvalue():
    rng = np.random.default_rng(13)
    p = _mha_params(rng)
    x = rng.standard_normal((2, 3, 4))
    mask = np.tril(np.ones((3, 3), bool))
    out, cache = multi_head_attention_forward(x, x, p, mask=mask)
    dout = rng.standard_normal(out.shape)
    dquery, grads = multi_head_attention_backward(dout, cache)
    num = numerical_gradient(lambda: float(np.sum(multi_head_attention_forward(x, x, p, mask=mask)[0] * dout)), x)
    assert relative_error(dquery + grads["value"], num) < TOL
    assert relative_error(dquery, num) > 1e-3                   # dquery alone is not the whole gradient


# --- bad input ----------------------------------------------------------------------------------------

def test_bad_input_to_scaled_dot_product_attention():
    rng = np.random.default_rng(14)
    q, k, v = _qkv(rng, N=2, Tq=3, Tk=4, dk=3, dv=2)
    f = scaled_dot_product_attention
    with pytest.raises(ValueError, match=r"query must be 3-D or 4-D .* for scaled_dot_product_attention; got shape \(3, 3\)"):
        f(q[0], k, v)
    with pytest.raises(ValueError, match="key must be 3-D"):
        f(q, k[0], v)
    with pytest.raises(ValueError, match=r"query.shape\[-1\] and key.shape\[-1\] must agree .*query \(2, 3, 3\) and key \(2, 4, 2\)"):
        f(q, k[..., :2], v)
    with pytest.raises(ValueError, match=r"key.shape\[-2\] and value.shape\[-2\] must agree .*key \(2, 4, 3\) and value \(2, 3, 2\)"):
        f(q, k, v[:, :3])
    with pytest.raises(ValueError, match="same leading"):
        f(q, k[:1], v[:1])
    with pytest.raises(ValueError, match=r"mask must be of shape \(3, 4\) or \(2, 3, 4\)"):
        f(q, k, v, mask=np.ones((4, 3), bool))
    with pytest.raises(ValueError, match="mask must be bools"):
        f(q, k, v, mask=np.full((3, 4), 0.5))
    with pytest.raises(TypeError, match="mask must be numeric"):
        f(q, k, v, mask="causal")
    bad = q.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="query must be finite"):
        f(bad, k, v)
    with pytest.raises(ValueError, match="value must be finite"):
        f(q, k, np.where(v > 0, np.inf, v))
    with pytest.raises(ValueError, match="key must be non-empty"):
        f(q, k[:, :0], v[:, :0])


def test_bad_dout_and_cache_for_scaled_dot_product_attention_backward():
    rng = np.random.default_rng(15)
    out, cache = scaled_dot_product_attention(*_qkv(rng))
    with pytest.raises(ValueError, match=r"dout must be the forward output's shape \(2, 3, 2\)"):
        scaled_dot_product_attention_backward(np.ones((2, 3, 3)), cache)
    for bad in (None, "cache", (cache.query, cache.key), {"weights": cache.weights}):
        with pytest.raises(TypeError, match="cache must be the AttentionCache"):
            scaled_dot_product_attention_backward(np.ones_like(out), bad)
    _, mha_cache = multi_head_attention_forward(rng.standard_normal((1, 2, 4)), rng.standard_normal((1, 2, 4)),
                                                _mha_params(rng))
    with pytest.raises(TypeError, match="cache must be the AttentionCache"):
        scaled_dot_product_attention_backward(np.ones_like(out), mha_cache)
    with pytest.raises(TypeError, match="cache must be the MultiHeadAttentionCache"):
        multi_head_attention_backward(np.ones((1, 2, 4)), cache)
    with pytest.raises(ValueError, match=r"dout must be the forward output's shape \(1, 2, 4\)"):
        multi_head_attention_backward(np.ones((1, 2, 3)), mha_cache)


def test_bad_input_to_multi_head_attention_forward():
    rng = np.random.default_rng(16)
    p = _mha_params(rng)                                      # D = 4, H = 2, Kd = 3, Vd = 2
    x = rng.standard_normal((2, 3, 4))
    f = multi_head_attention_forward
    with pytest.raises(ValueError, match=r"query must be 3-D \(N, T, features\) for multi_head_attention_forward"):
        f(x[0], x, p)
    with pytest.raises(ValueError, match="value must be 3-D"):
        f(x, x[0], p)
    with pytest.raises(TypeError, match="params must be a dict"):
        f(x, x, [p[n] for n in MHA_PARAM_NAMES])
    with pytest.raises(ValueError, match=r"params must be a dict with exactly the keys.*missing \['key/bias'\]"):
        f(x, x, {n: a for n, a in p.items() if n != "key/bias"})
    with pytest.raises(ValueError, match=r"params\['query/kernel'\] must be of shape \(5, 2, 3\)"):
        f(np.ones((2, 3, 5)), x, p)                           # D_q = 5 but the kernel has 4 rows
    with pytest.raises(ValueError, match=r"params\['value/bias'\] must be of shape \(2, 2\)"):
        f(x, x, {**p, "value/bias": np.zeros((2, 3))})
    with pytest.raises(ValueError, match=r"params\['attention_output/kernel'\] must be 3-D"):
        f(x, x, {**p, "attention_output/kernel": np.zeros((2, 2))})
    with pytest.raises(ValueError, match=r"key.shape\[1\] and value.shape\[1\] must agree.*key \(2, 2, 4\) and value \(2, 3, 4\)"):
        f(x, x, p, key=x[:, :2])
    with pytest.raises(ValueError, match="same batch size"):
        f(x, x[:1], p)
    with pytest.raises(ValueError, match=r"mask must be of shape \(3, 3\) or \(2, 3, 3\)"):
        f(x, x, p, mask=np.ones((2, 2, 3, 3), bool))
    with pytest.raises(ValueError, match=r"params\['query/bias'\] must be finite"):
        f(x, x, {**p, "query/bias": np.full((2, 3), np.nan)})
    with pytest.raises(ValueError, match="key must be finite"):
        f(x, x, p, key=np.full((2, 3, 4), np.inf))


def test_caches_are_frozen_records_exposing_the_weights():
    rng = np.random.default_rng(17)
    _, cache = scaled_dot_product_attention(*_qkv(rng))
    assert isinstance(cache, AttentionCache) and cache.weights.shape == (2, 3, 4)
    with pytest.raises(AttributeError):
        cache.weights = None
    x = rng.standard_normal((2, 3, 4))
    _, mcache = multi_head_attention_forward(x, x, _mha_params(rng))
    assert isinstance(mcache, MultiHeadAttentionCache) and mcache.weights.shape == (2, 2, 3, 3)
