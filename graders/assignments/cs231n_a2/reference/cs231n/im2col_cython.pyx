# cython: language_level=3, boundscheck=False, wraparound=False
# cython: cdivision=True, initializedcheck=False, nonecheck=False
"""Fast im2col / col2im kernels for cs231n.fast_layers.

All kernels work for float32 and float64 (a fused type) and return arrays of
the input's dtype; other dtypes are converted to float64 first.

Layouts
-------
im2col_cython(x, fh, fw, padding, stride) -> cols, shape (C*fh*fw, N*out_h*out_w)
    row index    = (c * fh + i) * fw + j        (channel, filter row, filter col)
    column index = (y * out_w + x) * N + n      (output row, output col, sample)
col2im_cython is its adjoint: it scatters-and-adds columns back to (N, C, H, W).
col2im_6d_cython(cols, ...) is the adjoint of the strided im2col used by
conv_forward_strides, whose columns have shape (C, HH, WW, N, out_h, out_w).

Output sizes are floored: out_h = (H + 2*padding - fh) // stride + 1.

Why the (C, H, W, N) working layout: with the sample index fastest, one
column block of im2col (fixed c, i, j, y, x and all n) is a contiguous run of
N numbers in both the input and the output, so im2col is a sequence of
memcpy calls and col2im a sequence of vectorisable contiguous additions.
"""
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from libc.string cimport memcpy

# The kernels rely on the C compiler vectorising simple loops (without it the
# max-pool backward kernel is ~10x slower).  GCC only does that well at -O3,
# but Python's build flags are often -O2 (e.g. Debian's python3), so ask GCC
# for -O3 here.  Clang vectorises at -O2 already.
cdef extern from *:
    """
    #if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__)
    #pragma GCC optimize ("O3")
    #endif
    """

ctypedef fused DTYPE_t:
    float
    double


def _as_float_array(a):
    """C-contiguous view/copy of `a` as float32 or float64 (kept if already)."""
    a = np.asarray(a)
    if a.dtype != np.float32 and a.dtype != np.float64:
        a = a.astype(np.float64)
    return np.ascontiguousarray(a)


def _zeros(shape, dtype):
    """Like np.zeros, but the memory is written right away.

    np.zeros gets lazily zeroed pages from the OS; the accumulating kernels
    would then fault twice per page (read, then copy-on-write) and force TLB
    flushes on every CPU, which costs more than the kernel itself.
    """
    a = np.empty(shape, dtype=dtype)
    a.fill(0)
    return a


_executor = None
_MIN_PARALLEL_SIZE = 1 << 17    # elements; below this threads cost more than they save


def _forget_executor():
    # A forked child inherits the executor object but not its threads.
    global _executor
    _executor = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_executor)


def _run_in_threads(run, n_items, size):
    """Call run(lo, hi) on chunks covering range(n_items), using all CPUs.

    For kernels that release the GIL and write disjoint outputs per item.
    """
    global _executor
    n_threads = min(os.cpu_count() or 1, n_items)
    if n_threads < 2 or size < _MIN_PARALLEL_SIZE:
        run(0, n_items)
        return
    bounds = [n_items * t // n_threads for t in range(n_threads + 1)]
    futures = []
    try:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=n_threads)
        for t in range(1, n_threads):
            futures.append(_executor.submit(run, bounds[t], bounds[t + 1]))
    except RuntimeError:
        pass    # no new threads allowed (e.g. a sandbox's process limit)
    # The calling thread takes the first chunk and any chunk not handed out.
    for t in [0] + list(range(len(futures) + 1, n_threads)):
        run(bounds[t], bounds[t + 1])
    for f in futures:
        f.result()


def _out_size(size, field, padding, stride):
    out = (size + 2 * padding - field) // stride + 1
    if stride < 1 or out < 1:
        raise ValueError(
            "invalid geometry: size %d, field %d, padding %d, stride %d"
            % (size, field, padding, stride))
    return out


def im2col_cython(x, field_height, field_width, padding, stride):
    """Unfold x: (N, C, H, W) into cols: (C*fh*fw, N*out_h*out_w)."""
    x = _as_float_array(x)
    N, C, H, W = x.shape
    fh, fw, p, s = int(field_height), int(field_width), int(padding), int(stride)
    out_h = _out_size(H, fh, p, s)
    out_w = _out_size(W, fw, p, s)
    # Zero-padded copy in (C, H, W, N) layout: see the module docstring.
    xt = np.zeros((C, H + 2 * p, W + 2 * p, N), dtype=x.dtype)
    xt[:, p:p + H, p:p + W, :] = x.transpose(1, 2, 3, 0)
    cols = np.empty((C * fh * fw, N * out_h * out_w), dtype=x.dtype)
    _im2col_kernel(xt, cols, fh, fw, s, out_h, out_w)
    return cols


def _im2col_kernel(const DTYPE_t[:, :, :, ::1] xt, DTYPE_t[:, ::1] cols,
                   Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t stride,
                   Py_ssize_t out_h, Py_ssize_t out_w):
    cdef Py_ssize_t C = xt.shape[0]
    cdef Py_ssize_t N = xt.shape[3]
    cdef Py_ssize_t c, i, j, y, xx, row
    cdef size_t nbytes = N * sizeof(DTYPE_t)
    if N == 0:
        return
    with nogil:
        for c in range(C):
            for i in range(fh):
                for j in range(fw):
                    row = (c * fh + i) * fw + j
                    for y in range(out_h):
                        if stride == 1:
                            # out_w neighbouring windows are one contiguous run
                            memcpy(&cols[row, y * out_w * N],
                                   &xt[c, y + i, j, 0], out_w * nbytes)
                        else:
                            for xx in range(out_w):
                                memcpy(&cols[row, (y * out_w + xx) * N],
                                       &xt[c, y * stride + i, xx * stride + j, 0],
                                       nbytes)


def col2im_cython(cols, N, C, H, W, field_height, field_width, padding, stride):
    """Adjoint of im2col_cython: cols (C*fh*fw, N*out_h*out_w) -> (N, C, H, W).

    Entries that im2col copied to several columns get the sum of those columns.
    """
    cols = _as_float_array(cols)
    N, C, H, W = int(N), int(C), int(H), int(W)
    fh, fw, p, s = int(field_height), int(field_width), int(padding), int(stride)
    out_h = _out_size(H, fh, p, s)
    out_w = _out_size(W, fw, p, s)
    if cols.shape != (C * fh * fw, N * out_h * out_w):
        raise ValueError("cols has shape %s, expected %s" % (
            cols.shape, (C * fh * fw, N * out_h * out_w)))
    xt = _zeros((C, H + 2 * p, W + 2 * p, N), cols.dtype)
    _col2im_kernel(cols, xt, fh, fw, s, out_h, out_w)
    # Back to (N, C, H, W), dropping the padding border.
    return np.ascontiguousarray(xt[:, p:p + H, p:p + W, :].transpose(3, 0, 1, 2))


def _col2im_kernel(const DTYPE_t[:, ::1] cols, DTYPE_t[:, :, :, ::1] xt,
                   Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t stride,
                   Py_ssize_t out_h, Py_ssize_t out_w):
    cdef Py_ssize_t C = xt.shape[0]
    cdef Py_ssize_t N = xt.shape[3]
    cdef Py_ssize_t c, i, j, y, xx, n, row, run
    cdef const DTYPE_t* src
    cdef DTYPE_t* dst
    if N == 0:
        return
    with nogil:
        for c in range(C):
            for i in range(fh):
                for j in range(fw):
                    row = (c * fh + i) * fw + j
                    for y in range(out_h):
                        if stride == 1:
                            # one contiguous run of out_w * N additions
                            src = &cols[row, y * out_w * N]
                            dst = &xt[c, y + i, j, 0]
                            run = out_w * N
                            for n in range(run):
                                dst[n] += src[n]
                        else:
                            for xx in range(out_w):
                                src = &cols[row, (y * out_w + xx) * N]
                                dst = &xt[c, y * stride + i, xx * stride + j, 0]
                                for n in range(N):
                                    dst[n] += src[n]


def col2im_6d_cython(cols, N, C, H, W, HH, WW, pad, stride):
    """Adjoint of the strided im2col of conv_forward_strides.

    cols: (C, HH, WW, N, out_h, out_w) -> dx: (N, C, H, W), accumulating.
    """
    cols = _as_float_array(cols)
    N, C, H, W = int(N), int(C), int(H), int(W)
    HH, WW, p, s = int(HH), int(WW), int(pad), int(stride)
    out_h = _out_size(H, HH, p, s)
    out_w = _out_size(W, WW, p, s)
    if cols.shape != (C, HH, WW, N, out_h, out_w):
        raise ValueError("cols has shape %s, expected %s" % (
            cols.shape, (C, HH, WW, N, out_h, out_w)))
    # Accumulate straight into the unpadded result: contributions that fall
    # on the zero padding are skipped, so there is no padded copy to crop.
    dx = _zeros((N, C, H, W), cols.dtype)
    _col2im_6d_kernel(cols, dx, p, s)
    return dx


def _col2im_6d_kernel(const DTYPE_t[:, :, :, :, :, ::1] cols,
                      DTYPE_t[:, :, :, ::1] dx, Py_ssize_t pad, Py_ssize_t stride):
    cdef Py_ssize_t C = cols.shape[0], HH = cols.shape[1], WW = cols.shape[2]
    cdef Py_ssize_t N = cols.shape[3], out_h = cols.shape[4], out_w = cols.shape[5]
    cdef Py_ssize_t H = dx.shape[2], W = dx.shape[3]
    cdef Py_ssize_t c, i, j, n, y, xx, row, col0, first, stop
    cdef const DTYPE_t* src
    cdef DTYPE_t* dst
    if N == 0 or C == 0:
        return
    # cols[c, i, j, n, y, xx] belongs to dx[n, c, y*stride + i - pad, xx*stride + j - pad].
    # Read cols sequentially; the writes stay inside one (n, c) image plane.
    with nogil:
        for c in range(C):
            for i in range(HH):
                for j in range(WW):
                    # Output columns xx in [first, stop) land inside the image.
                    col0 = j - pad
                    first = 0 if col0 >= 0 else (-col0 + stride - 1) // stride
                    stop = 0 if W - 1 - col0 < 0 else (W - 1 - col0) // stride + 1
                    if stop > out_w:
                        stop = out_w
                    if first >= stop:
                        continue
                    for n in range(N):
                        for y in range(out_h):
                            row = y * stride + i - pad
                            if row < 0 or row >= H:
                                continue
                            src = &cols[c, i, j, n, y, 0]
                            dst = &dx[n, c, row, 0]
                            if stride == 1:
                                for xx in range(first, stop):
                                    dst[xx + col0] += src[xx]
                            else:
                                for xx in range(first, stop):
                                    dst[xx * stride + col0] += src[xx]


def max_pool_backward_reshape_cython(dout, x, out, pool_height, pool_width):
    """Backward pass of non-overlapping max pooling that tiles x exactly.

    x: (N, C, H, W), out and dout: (N, C, H/pool_height, W/pool_width).
    Every x equal to its pool's maximum gets dout / (number of such ties).
    Returns dx: (N, C, H, W) with x's dtype.
    """
    x = _as_float_array(x)
    out = np.ascontiguousarray(out, dtype=x.dtype)
    dout = np.ascontiguousarray(dout, dtype=x.dtype)
    ph, pw = int(pool_height), int(pool_width)
    N, C, H, W = x.shape
    if ph < 1 or pw < 1 or H % ph or W % pw:
        raise ValueError("pools of %dx%d do not tile %dx%d" % (ph, pw, H, W))
    expected = (N, C, H // ph, W // pw)
    if out.shape != expected or dout.shape != expected:
        raise ValueError("out/dout have shapes %s/%s, expected %s"
                         % (out.shape, dout.shape, expected))
    dx = np.empty_like(x)
    # One (H, W) image plane per (n, c); planes are independent, so large
    # inputs are split between threads (the kernel runs without the GIL).
    planes = (x.reshape(N * C, H, W), out.reshape(N * C, H // ph, W // pw),
              dout.reshape(N * C, H // ph, W // pw), dx.reshape(N * C, H, W))

    def run(lo, hi):
        _pool_reshape_backward_kernel(
            *[a[lo:hi] for a in planes], np.empty((3, W), dtype=x.dtype), ph, pw)

    _run_in_threads(run, N * C, x.size)
    return dx


def _pool_reshape_backward_kernel(const DTYPE_t[:, :, ::1] x,
                                  const DTYPE_t[:, :, ::1] out,
                                  const DTYPE_t[:, :, ::1] dout,
                                  DTYPE_t[:, :, ::1] dx,
                                  DTYPE_t[:, ::1] scratch,
                                  Py_ssize_t ph, Py_ssize_t pw):
    # One row of pools at a time.  The pool maxima and gradients are first
    # spread to full image width, so that the per-pixel loop is a simple
    # contiguous loop the C compiler turns into branch-free SIMD code (a
    # data-dependent branch per pixel is several times slower).
    # Pass 1 assumes one maximum per pool and counts the pixels that matched;
    # only if some pool has tied maxima does pass 2 redo the work with shares.
    # (Pools whose maximum is NaN have no match; their gradient is unspecified.)
    cdef Py_ssize_t P = x.shape[0], W = x.shape[2]
    cdef Py_ssize_t out_h = out.shape[1], out_w = out.shape[2]
    cdef Py_ssize_t k, y, xx, i, j, t
    cdef Py_ssize_t hits = 0
    cdef DTYPE_t ties, share
    cdef const DTYPE_t* out_row
    cdef const DTYPE_t* dout_row
    cdef DTYPE_t* max_up = &scratch[0, 0]     # pool maximum above each pixel
    cdef DTYPE_t* grad_up = &scratch[1, 0]    # pool gradient above each pixel
    cdef DTYPE_t* matches = &scratch[2, 0]
    cdef const DTYPE_t* x_row
    cdef DTYPE_t* dx_row
    with nogil:
        for t in range(W):
            matches[t] = 0
        for k in range(P):
            for y in range(out_h):
                out_row = &out[k, y, 0]
                dout_row = &dout[k, y, 0]
                if pw == 2:
                    for xx in range(out_w):
                        max_up[2 * xx] = out_row[xx]
                        max_up[2 * xx + 1] = out_row[xx]
                    for xx in range(out_w):
                        grad_up[2 * xx] = dout_row[xx]
                        grad_up[2 * xx + 1] = dout_row[xx]
                else:
                    for j in range(pw):
                        for xx in range(out_w):
                            max_up[xx * pw + j] = out_row[xx]
                            grad_up[xx * pw + j] = dout_row[xx]
                for i in range(ph):
                    x_row = &x[k, y * ph + i, 0]
                    dx_row = &dx[k, y * ph + i, 0]
                    for t in range(W):
                        dx_row[t] = <DTYPE_t>(x_row[t] == max_up[t]) * grad_up[t]
                    for t in range(W):
                        matches[t] += <DTYPE_t>(x_row[t] == max_up[t])
            # Per image, so the floating-point counts stay exact.
            for t in range(W):
                hits += <Py_ssize_t>matches[t]
                matches[t] = 0
        if hits != P * out_h * out_w:
            # Pass 2 (ties): split each pool's gradient evenly between its maxima.
            for k in range(P):
                for y in range(out_h):
                    for xx in range(out_w):
                        for j in range(pw):
                            max_up[xx * pw + j] = out[k, y, xx]
                    for t in range(W):
                        matches[t] = 0
                    for i in range(ph):
                        x_row = &x[k, y * ph + i, 0]
                        for t in range(W):
                            matches[t] += <DTYPE_t>(x_row[t] == max_up[t])
                    for xx in range(out_w):
                        ties = 0
                        for j in range(pw):
                            ties += matches[xx * pw + j]
                        share = dout[k, y, xx] / ties
                        for j in range(pw):
                            grad_up[xx * pw + j] = share
                    for i in range(ph):
                        x_row = &x[k, y * ph + i, 0]
                        dx_row = &dx[k, y * ph + i, 0]
                        for t in range(W):
                            dx_row[t] = <DTYPE_t>(x_row[t] == max_up[t]) * grad_up[t]
