"""Fast convolution and max-pooling layers.

Same maths as the naive layers in cs231n.layers, vectorised:

* conv_*_im2col:  im2col (Cython) + one matrix product.
* conv_*_strides: np.pad + a strided view of every receptive field + one
  matrix product; the backward pass scatters with col2im_6d (Cython).
  conv_forward_fast / conv_backward_fast are these.
* max_pool_*_reshape: non-overlapping square pools as a reshape + max.
* max_pool_*_im2col:  any pool shape/stride via im2col + argmax.
* max_pool_forward_fast / max_pool_backward_fast pick between the two.

Every function keeps the dtype of its input (float32 stays float32).
"""
import sys

import numpy as np
from numpy.lib.stride_tricks import as_strided

try:
    from .im2col_cython import col2im_cython, im2col_cython, col2im_6d_cython
    from .im2col_cython import max_pool_backward_reshape_cython
    HAVE_CYTHON = True
except ImportError:
    HAVE_CYTHON = False
    print(
        "cs231n.fast_layers: the Cython extension im2col_cython is not built, "
        "falling back to slow numpy code.\nBuild it with\n"
        "    cd cs231n && python setup.py build_ext --inplace\n"
        "or install the project with pip (pip install .).",
        file=sys.stderr,
    )
    # Pure-numpy stand-ins with the same signatures, so everything still works.
    from .im2col import im2col as im2col_cython
    from .im2col import col2im as col2im_cython
    from .im2col import col2im_6d as col2im_6d_cython

from .im2col import *  # noqa: F401,F403  (im2col_indices, col2im_indices, ...)


# --------------------------------------------------------------------------
# Convolution via im2col
# --------------------------------------------------------------------------

def conv_forward_im2col(x, w, b, conv_param):
    """Convolution forward pass using im2col.

    x: (N, C, H, W), w: (F, C, HH, WW), b: (F,), conv_param: 'stride', 'pad'.
    Returns out: (N, F, H', W') and cache (x, w, b, conv_param, x_cols).
    """
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    stride, pad = conv_param["stride"], conv_param["pad"]
    assert (W + 2 * pad - WW) % stride == 0, (
        f"conv_forward_im2col: width does not tile: (W + 2*pad - WW) % stride != 0 "
        f"(W={W}, pad={pad}, WW={WW}, stride={stride})")
    assert (H + 2 * pad - HH) % stride == 0, (
        f"conv_forward_im2col: height does not tile: (H + 2*pad - HH) % stride != 0 "
        f"(H={H}, pad={pad}, HH={HH}, stride={stride})")
    out_h = (H + 2 * pad - HH) // stride + 1
    out_w = (W + 2 * pad - WW) // stride + 1

    # x_cols: (C*HH*WW, out_h*out_w*N), one column per receptive field.
    x_cols = im2col_cython(x, HH, WW, pad, stride)
    res = w.reshape(F, -1) @ x_cols                      # (F, out_h*out_w*N)
    # Columns are ordered (row, col, sample): move the sample axis to the
    # front and add the bias in the same pass.
    out = np.empty((N, F, out_h, out_w), dtype=res.dtype)
    np.add(res.reshape(F, out_h, out_w, N).transpose(3, 0, 1, 2),
           b.reshape(1, F, 1, 1).astype(res.dtype, copy=False), out=out)
    return out, (x, w, b, conv_param, x_cols)


def conv_backward_im2col(dout, cache):
    """Convolution backward pass using im2col.

    dout: (N, F, H', W').  Returns dx: (N, C, H, W), dw: (F, C, HH, WW), db: (F,).
    """
    x, w, b, conv_param, x_cols = cache
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    stride, pad = conv_param["stride"], conv_param["pad"]

    db = dout.sum(axis=(0, 2, 3))
    # Same column order as x_cols: (F, out_h*out_w*N).
    dout_cols = dout.transpose(1, 2, 3, 0).reshape(F, -1)
    dw = (dout_cols @ x_cols.T).reshape(w.shape)
    dx_cols = w.reshape(F, -1).T @ dout_cols             # (C*HH*WW, ...)
    dx = col2im_cython(dx_cols, N, C, H, W, HH, WW, pad, stride)
    return dx, dw, db


# --------------------------------------------------------------------------
# Convolution via a strided view (the default fast convolution)
# --------------------------------------------------------------------------

def conv_forward_strides(x, w, b, conv_param):
    """Convolution forward pass using np.pad + as_strided + one matmul.

    x: (N, C, H, W), w: (F, C, HH, WW), b: (F,), conv_param: 'stride', 'pad'.
    Output size is floored like the naive layer: H' = 1 + (H + 2*pad - HH) // stride.
    Returns out: (N, F, H', W') (C-contiguous) and cache (x, w, b, conv_param, x_cols).
    """
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    stride, pad = conv_param["stride"], conv_param["pad"]
    x_padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    Hp, Wp = H + 2 * pad, W + 2 * pad
    out_h = (Hp - HH) // stride + 1
    out_w = (Wp - WW) // stride + 1

    # A view of shape (C, HH, WW, N, out_h, out_w): element [c, i, j, n, y, x]
    # is x_padded[n, c, y*stride + i, x*stride + j].  No data is copied here.
    sn, sc, sh, sw = x_padded.strides
    x_view = as_strided(
        x_padded,
        shape=(C, HH, WW, N, out_h, out_w),
        strides=(sc, sh, sw, sn, stride * sh, stride * sw),
        writeable=False,
    )
    # One copy makes the receptive fields the columns of a matrix.
    x_cols = np.ascontiguousarray(x_view).reshape(C * HH * WW, N * out_h * out_w)

    # One (batched) matrix product, sample by sample: the result comes out
    # directly in (N, F, out_h*out_w) order, with no transpose pass.
    out = np.matmul(w.reshape(F, -1), x_cols.reshape(C * HH * WW, N, -1).transpose(1, 0, 2))
    out += b.reshape(1, F, 1)
    out = out.reshape(N, F, out_h, out_w)
    return out, (x, w, b, conv_param, x_cols)


def conv_backward_strides(dout, cache):
    """Convolution backward pass for conv_forward_strides.

    dout: (N, F, H', W').  Returns dx: (N, C, H, W), dw: (F, C, HH, WW), db: (F,).
    """
    x, w, b, conv_param, x_cols = cache
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    stride, pad = conv_param["stride"], conv_param["pad"]
    _, _, out_h, out_w = dout.shape

    db = dout.sum(axis=(0, 2, 3))
    # Work sample by sample (batched matmuls), as in the forward pass:
    # dout_n is (F, L) and the columns of sample n are x_cols_n: (K, L),
    # with K = C*HH*WW and L = out_h*out_w.
    K = C * HH * WW
    dout_n = dout.reshape(N, F, -1)
    x_cols_n = x_cols.reshape(K, N, -1).transpose(1, 0, 2)        # (N, K, L) view
    dw = np.matmul(dout_n, x_cols_n.transpose(0, 2, 1)).sum(axis=0).reshape(w.shape)
    # dx_cols has x_cols' layout (C, HH, WW, N, out_h, out_w); the batched
    # matmul writes each sample's (K, L) block straight into it.
    dx_cols = np.empty((K, N, out_h * out_w), dtype=dout.dtype)
    np.matmul(w.reshape(F, -1).T, dout_n, out=dx_cols.transpose(1, 0, 2))
    dx_cols = dx_cols.reshape(C, HH, WW, N, out_h, out_w)
    # Scatter-add every column entry back to the pixel it was read from.
    dx = col2im_6d_cython(dx_cols, N, C, H, W, HH, WW, pad, stride)
    return dx, dw, db


conv_forward_fast = conv_forward_strides
conv_backward_fast = conv_backward_strides


# --------------------------------------------------------------------------
# Max pooling
# --------------------------------------------------------------------------

def max_pool_forward_fast(x, pool_param):
    """Max-pooling forward pass, choosing the fastest applicable method.

    x: (N, C, H, W); pool_param: 'pool_height', 'pool_width', 'stride'.
    Square, non-overlapping pools that tile the input use the reshape method;
    everything else uses im2col.  Returns out: (N, C, H', W') and a tagged cache.
    """
    N, C, H, W = x.shape
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    same_size = ph == pw == stride
    tiles = H % ph == 0 and W % pw == 0
    if same_size and tiles:
        out, reshape_cache = max_pool_forward_reshape(x, pool_param)
        return out, ("reshape", reshape_cache)
    out, im2col_cache = max_pool_forward_im2col(x, pool_param)
    return out, ("im2col", im2col_cache)


def max_pool_backward_fast(dout, cache):
    """Max-pooling backward pass: dout (N, C, H', W') -> dx (N, C, H, W)."""
    method, real_cache = cache
    if method == "reshape":
        return max_pool_backward_reshape(dout, real_cache)
    if method == "im2col":
        return max_pool_backward_im2col(dout, real_cache)
    raise ValueError(
        f"max_pool_backward_fast: unknown cache tag {method!r}; "
        "expected 'reshape' or 'im2col' (use the cache from max_pool_forward_fast)")


def max_pool_forward_reshape(x, pool_param):
    """Max pooling for square pools with stride == pool size that tile x.

    x: (N, C, H, W) -> out: (N, C, H/pool, W/pool); cache (x, x_reshaped, out).
    """
    N, C, H, W = x.shape
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    assert ph == pw == stride, "max_pool_forward_reshape: needs pool_height == pool_width == stride"
    assert H % ph == 0 and W % pw == 0, "max_pool_forward_reshape: pools must tile the input"

    # x_reshaped[n, c, y, i, x, j] = x[n, c, y*ph + i, x*pw + j]; a view, no copy.
    x_reshaped = x.reshape(N, C, H // ph, ph, W // pw, pw)
    # Elementwise maximum over the ph*pw pool positions: much faster in numpy
    # than .max() over two short axes.
    out = x_reshaped[:, :, :, 0, :, 0].copy()
    for i in range(ph):
        for j in range(pw):
            if i or j:
                np.maximum(out, x_reshaped[:, :, :, i, :, j], out=out)
    return out, (x, x_reshaped, out)


def max_pool_backward_reshape(dout, cache):
    """Backward pass of max_pool_forward_reshape: dout (N, C, H', W') -> dx.

    Every input equal to its pool's maximum gets dout / (number of such ties).
    """
    x, x_reshaped, out = cache
    if HAVE_CYTHON:
        # Same result as the numpy code below in a single pass over x.
        ph, pw = x_reshaped.shape[3], x_reshaped.shape[5]
        return max_pool_backward_reshape_cython(dout, x, out, ph, pw)
    return _max_pool_backward_reshape_numpy(dout, x_reshaped, out)


def _max_pool_backward_reshape_numpy(dout, x_reshaped, out):
    """Numpy version of max_pool_backward_reshape (used without Cython)."""
    N, C, out_h, ph, out_w, pw = x_reshaped.shape
    positions = [(i, j) for i in range(ph) for j in range(pw)]
    # Work on one pool position (i, j) at a time: numpy is slow at comparing
    # and reducing over the two short in-pool axes directly.
    is_max = {(i, j): x_reshaped[:, :, :, i, :, j] == out for i, j in positions}
    n_ties = sum(m.astype(x_reshaped.dtype) for m in is_max.values())
    share = dout / n_ties
    dx_reshaped = np.empty(x_reshaped.shape, dtype=x_reshaped.dtype)
    for i, j in positions:
        np.multiply(is_max[(i, j)], share, out=dx_reshaped[:, :, :, i, :, j])
    return dx_reshaped.reshape(N, C, out_h * ph, out_w * pw)


def max_pool_forward_im2col(x, pool_param):
    """Max pooling for any pool shape and stride (overlapping pools too).

    x: (N, C, H, W) -> out: (N, C, H', W') with H' = 1 + (H - pool_height) // stride.
    Cache: (x, x_cols, x_cols_argmax, pool_param).
    """
    N, C, H, W = x.shape
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    assert (H - ph) % stride == 0, (
        f"max_pool_forward_im2col: (H - pool_height) % stride != 0 (H={H}, "
        f"pool_height={ph}, stride={stride})")
    assert (W - pw) % stride == 0, (
        f"max_pool_forward_im2col: (W - pool_width) % stride != 0 (W={W}, "
        f"pool_width={pw}, stride={stride})")
    out_h = (H - ph) // stride + 1
    out_w = (W - pw) // stride + 1

    # Treat every channel as its own one-channel image: one column per pool.
    x_split = x.reshape(N * C, 1, H, W)
    x_cols = im2col_cython(x_split, ph, pw, 0, stride)   # (ph*pw, out_h*out_w*N*C)
    x_cols_argmax = np.argmax(x_cols, axis=0)
    x_cols_max = np.take_along_axis(x_cols, x_cols_argmax[None], axis=0)
    out = x_cols_max.reshape(out_h, out_w, N, C).transpose(2, 3, 0, 1)
    return np.ascontiguousarray(out), (x, x_cols, x_cols_argmax, pool_param)


def max_pool_backward_im2col(dout, cache):
    """Backward pass of max_pool_forward_im2col: dout (N, C, H', W') -> dx.

    Each pool routes its gradient to its (first) maximum; overlapping pools
    add up in col2im.
    """
    x, x_cols, x_cols_argmax, pool_param = cache
    N, C, H, W = x.shape
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]

    # Same column order as x_cols: (out_h, out_w, N, C) flattened.
    dout_flat = dout.transpose(2, 3, 0, 1).ravel()
    dx_cols = np.zeros_like(x_cols, dtype=dout.dtype)
    np.put_along_axis(dx_cols, x_cols_argmax[None], dout_flat[None], axis=0)
    dx = col2im_cython(dx_cols, N * C, 1, H, W, ph, pw, 0, stride)
    return dx.reshape(x.shape)
