"""Pure-numpy im2col / col2im helpers.

im2col turns every receptive field of an image batch into one column, so a
convolution becomes a single matrix product.  The layout matches the Cython
kernels in im2col_cython.pyx:

    cols: (C * field_height * field_width, N * out_h * out_w)
    row    = (c * field_height + i) * field_width + j
    column = (y * out_w + x) * N + n          (sample index fastest)

with out_h = (H + 2 * padding - field_height) // stride + 1 (likewise out_w).

These functions are the slow-but-simple reference and the fallback used when
the Cython extension has not been built.
"""
import numpy as np


def _out_size(size, field, padding, stride):
    """Floored output size of a sliding window; rejects empty outputs."""
    out = (size + 2 * padding - field) // stride + 1
    if stride < 1 or out < 1:
        raise ValueError(
            f"invalid geometry: size {size}, field {field}, "
            f"padding {padding}, stride {stride}")
    return out


def get_im2col_indices(x_shape, field_height, field_width, padding=1, stride=1):
    """Index arrays (k, i, j) such that x_padded[:, k, i, j] gives the columns.

    x_shape: (N, C, H, W).  k, i, j have shape (C*fh*fw, 1), (C*fh*fw, L) and
    (C*fh*fw, L) with L = out_h * out_w windows per sample.
    """
    N, C, H, W = x_shape
    out_h = _out_size(H, field_height, padding, stride)
    out_w = _out_size(W, field_width, padding, stride)

    # Offsets inside the window, one per row (channel-major, then i, then j).
    i0 = np.tile(np.repeat(np.arange(field_height), field_width), C)
    j0 = np.tile(np.arange(field_width), field_height * C)
    # Top-left corner of every window, one per column (row-major windows).
    i1 = stride * np.repeat(np.arange(out_h), out_w)
    j1 = stride * np.tile(np.arange(out_w), out_h)

    i = i0.reshape(-1, 1) + i1.reshape(1, -1)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    k = np.repeat(np.arange(C), field_height * field_width).reshape(-1, 1)
    return k, i, j


def im2col_indices(x, field_height, field_width, padding=1, stride=1):
    """x: (N, C, H, W) -> cols: (C*fh*fw, N*out_h*out_w) by fancy indexing."""
    p = padding
    x_padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), mode="constant")
    k, i, j = get_im2col_indices(x.shape, field_height, field_width, padding, stride)
    cols = x_padded[:, k, i, j]                 # (N, C*fh*fw, L)
    # Put the sample index last so that column = window * N + n.
    return cols.transpose(1, 2, 0).reshape(field_height * field_width * x.shape[1], -1)


def col2im_indices(cols, x_shape, field_height=3, field_width=3, padding=1, stride=1):
    """Adjoint of im2col_indices: cols (C*fh*fw, N*out_h*out_w) -> (N, C, H, W).

    np.add.at accumulates, so pixels shared by overlapping windows get the sum.
    """
    N, C, H, W = x_shape
    p = padding
    x_padded = np.zeros((N, C, H + 2 * p, W + 2 * p), dtype=cols.dtype)
    k, i, j = get_im2col_indices(x_shape, field_height, field_width, padding, stride)
    cols_reshaped = cols.reshape(C * field_height * field_width, -1, N)
    np.add.at(x_padded, (slice(None), k, i, j), cols_reshaped.transpose(2, 0, 1))
    return x_padded[:, :, p:p + H, p:p + W]


def im2col(x, field_height, field_width, padding, stride):
    """Same signature and result as im2col_cython (numpy fallback)."""
    return im2col_indices(x, field_height, field_width, padding, stride)


def col2im(cols, N, C, H, W, field_height, field_width, padding, stride):
    """Same signature and result as col2im_cython (numpy fallback)."""
    return col2im_indices(cols, (N, C, H, W), field_height, field_width, padding, stride)


def col2im_6d(cols, N, C, H, W, HH, WW, pad, stride):
    """Same signature and result as col2im_6d_cython (numpy fallback).

    cols: (C, HH, WW, N, out_h, out_w) -> dx: (N, C, H, W), accumulating.
    """
    out_h, out_w = cols.shape[4], cols.shape[5]
    x_padded = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=cols.dtype)
    # One strided slice-add per filter tap (i, j): HH*WW vectorised updates.
    for i in range(HH):
        for j in range(WW):
            window = (slice(None), slice(None),
                      slice(i, i + stride * out_h, stride),
                      slice(j, j + stride * out_w, stride))
            x_padded[window] += cols[:, i, j].transpose(1, 0, 2, 3)
    return x_padded[:, :, pad:pad + H, pad:pad + W]
