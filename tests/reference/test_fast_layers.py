"""Fast layers against the naive ones over a property-based grid of shapes.

float64 must agree to the notebook's rel_error of 1e-9; float32 results are
compared by their largest error relative to the output's scale, since float32
rounding makes the elementwise relative error of near-zero entries meaningless.
"""
import numpy as np
from conftest import rel_error, scaled_error
from hypothesis import given, settings
from hypothesis import strategies as st

from cs231n import fast_layers
from cs231n.layers import (
    conv_backward_naive,
    conv_forward_naive,
    max_pool_backward_naive,
    max_pool_forward_naive,
)

DTYPES = st.sampled_from([np.float64, np.float32])
SEEDS = st.integers(0, 2**32 - 1)


def assert_close(fast, naive, dtype):
    assert fast.dtype == dtype, "dtype %s, expected %s" % (fast.dtype, np.dtype(dtype))
    assert fast.shape == naive.shape
    if dtype == np.float64:
        assert rel_error(fast, naive) < 1e-9
    else:
        assert scaled_error(fast, naive) < 1e-5


@st.composite
def conv_cases(draw, divisible=False):
    stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    HH, WW = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    H = draw(st.integers(max(1, HH - 2 * pad), 11))
    W = draw(st.integers(max(1, WW - 2 * pad), 11))
    if divisible:
        # conv_forward_im2col needs the filter to fit a whole number of strides.
        H += (-(H + 2 * pad - HH)) % stride
        W += (-(W + 2 * pad - WW)) % stride
    N, C, F = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    return (N, C, H, W), (F, C, HH, WW), {"stride": stride, "pad": pad}


def run_conv(forward, backward, case, dtype, seed):
    x_shape, w_shape, conv_param = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)

    out_naive, cache_naive = conv_forward_naive(x, w, b, conv_param)
    out_fast, cache_fast = forward(x, w, b, conv_param)
    assert_close(out_fast, out_naive, dtype)

    dout = rng.standard_normal(out_naive.shape).astype(dtype)
    for fast, naive in zip(backward(dout, cache_fast), conv_backward_naive(dout, cache_naive)):
        assert_close(fast, naive, dtype)


@settings(max_examples=150, deadline=None)
@given(case=conv_cases(), dtype=DTYPES, seed=SEEDS)
def test_conv_strides_matches_naive(case, dtype, seed):
    run_conv(fast_layers.conv_forward_fast, fast_layers.conv_backward_fast, case, dtype, seed)


@settings(max_examples=100, deadline=None)
@given(case=conv_cases(divisible=True), dtype=DTYPES, seed=SEEDS)
def test_conv_im2col_matches_naive(case, dtype, seed):
    run_conv(fast_layers.conv_forward_im2col, fast_layers.conv_backward_im2col, case, dtype, seed)


@st.composite
def pool_cases(draw, tiling):
    if tiling:
        size = draw(st.integers(1, 4))
        ph = pw = stride = size
        H, W = size * draw(st.integers(1, 5)), size * draw(st.integers(1, 5))
    else:
        ph, pw, stride = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
        # The general path needs windows that end exactly at the border.
        H = ph + stride * draw(st.integers(0, 5))
        W = pw + stride * draw(st.integers(0, 5))
    N, C = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return (N, C, H, W), {"pool_height": ph, "pool_width": pw, "stride": stride}


def run_pool(case, dtype, seed, expected_path):
    x_shape, pool_param = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    out_naive, cache_naive = max_pool_forward_naive(x, pool_param)
    out_fast, cache_fast = fast_layers.max_pool_forward_fast(x, pool_param)
    assert cache_fast[0] == expected_path
    assert_close(out_fast, out_naive, dtype)

    dout = rng.standard_normal(out_naive.shape).astype(dtype)
    dx_fast = fast_layers.max_pool_backward_fast(dout, cache_fast)
    assert_close(dx_fast, max_pool_backward_naive(dout, cache_naive), dtype)


@settings(max_examples=100, deadline=None)
@given(case=pool_cases(tiling=True), dtype=DTYPES, seed=SEEDS)
def test_pool_reshape_path_matches_naive(case, dtype, seed):
    run_pool(case, dtype, seed, "reshape")


@settings(max_examples=150, deadline=None)
@given(case=pool_cases(tiling=False), dtype=DTYPES, seed=SEEDS)
def test_pool_general_path_matches_naive(case, dtype, seed):
    x_shape, p = case
    tiles = p["pool_height"] == p["pool_width"] == p["stride"]
    tiles = tiles and x_shape[2] % p["stride"] == 0 and x_shape[3] % p["stride"] == 0
    run_pool(case, dtype, seed, "reshape" if tiles else "im2col")


def test_transcript_shapes_agree():
    """The notebook's speed-up cells: conv (100,3,31,31) stride 2 pad 1 and 2x2 pooling."""
    np.random.seed(231)
    x = np.random.randn(100, 3, 31, 31)
    w = np.random.randn(25, 3, 3, 3)
    b = np.random.randn(25)
    dout = np.random.randn(100, 25, 16, 16)
    run_conv_param = {"stride": 2, "pad": 1}
    out_naive, cache_naive = conv_forward_naive(x, w, b, run_conv_param)
    out_fast, cache_fast = fast_layers.conv_forward_fast(x, w, b, run_conv_param)
    assert rel_error(out_naive, out_fast) < 1e-9
    for naive, fast in zip(conv_backward_naive(dout, cache_naive), fast_layers.conv_backward_fast(dout, cache_fast)):
        assert rel_error(naive, fast) < 1e-9

    x = np.random.randn(100, 3, 32, 32)
    dout = np.random.randn(100, 3, 16, 16)
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out_naive, cache_naive = max_pool_forward_naive(x, pool_param)
    out_fast, cache_fast = fast_layers.max_pool_forward_fast(x, pool_param)
    assert rel_error(out_naive, out_fast) == 0.0
    dx_fast = fast_layers.max_pool_backward_fast(dout, cache_fast)
    assert rel_error(max_pool_backward_naive(dout, cache_naive), dx_fast) == 0.0


def test_unknown_pool_cache_is_refused():
    import pytest

    with pytest.raises(ValueError, match="cache"):
        fast_layers.max_pool_backward_fast(np.zeros((1, 1, 1, 1)), ("bogus", None))
