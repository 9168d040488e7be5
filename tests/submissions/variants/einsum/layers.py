

# ---- A correct solution written with einsum and loops over kernel offsets. ----


def _pad(x, pad):
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")


def _taps(shape_hw, stride, out_hw):
    """Slices picking, for one kernel offset, the input seen by every output position."""
    (kh, kw), (Ho, Wo) = shape_hw, out_hw
    return slice(kh, kh + stride * (Ho - 1) + 1, stride), slice(kw, kw + stride * (Wo - 1) + 1, stride)


def conv_forward_naive(x, w, b, conv_param):
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho, Wo = (H + 2 * pad - HH) // stride + 1, (W + 2 * pad - WW) // stride + 1
    xp = _pad(x, pad)
    out = np.zeros((N, F, Ho, Wo))
    for kh in range(HH):
        for kw in range(WW):
            rows, cols = _taps((kh, kw), stride, (Ho, Wo))
            out += np.einsum("nchw,fc->nfhw", xp[:, :, rows, cols], w[:, :, kh, kw])
    out += b.reshape(1, F, 1, 1)
    return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    HH, WW = w.shape[2:]
    Ho, Wo = dout.shape[2:]
    xp = _pad(x, pad)
    dxp, dw = np.zeros(xp.shape), np.zeros(w.shape)
    for kh in range(HH):
        for kw in range(WW):
            rows, cols = _taps((kh, kw), stride, (Ho, Wo))
            dw[:, :, kh, kw] = np.einsum("nfhw,nchw->fc", dout, xp[:, :, rows, cols])
            dxp[:, :, rows, cols] += np.einsum("nfhw,fc->nchw", dout, w[:, :, kh, kw])
    H, W = x.shape[2:]
    return dxp[:, :, pad:pad + H, pad:pad + W], dw, np.einsum("nfhw->f", dout)


def max_pool_forward_naive(x, pool_param):
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    Ho, Wo = (x.shape[2] - ph) // stride + 1, (x.shape[3] - pw) // stride + 1
    out = np.full(x.shape[:2] + (Ho, Wo), -np.inf)
    for kh in range(ph):
        for kw in range(pw):
            rows, cols = _taps((kh, kw), stride, (Ho, Wo))
            out = np.maximum(out, x[:, :, rows, cols])
    return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    out, _ = max_pool_forward_naive(x, pool_param)
    Ho, Wo = out.shape[2:]
    dx = np.zeros(x.shape)
    routed = np.zeros(out.shape, dtype=bool)  # the first maximum of a window takes the gradient
    for kh in range(ph):
        for kw in range(pw):
            rows, cols = _taps((kh, kw), stride, (Ho, Wo))
            wins = (x[:, :, rows, cols] == out) & ~routed
            dx[:, :, rows, cols] += np.where(wins, dout, 0.0)
            routed |= wins
    return dx


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    moved = np.moveaxis(x, 1, -1)
    out, cache = batchnorm_forward(moved.reshape(-1, x.shape[1]), gamma, beta, bn_param)
    return np.moveaxis(out.reshape(moved.shape), -1, 1), cache


def spatial_batchnorm_backward(dout, cache):
    moved = np.moveaxis(dout, 1, -1)
    dx, dgamma, dbeta = batchnorm_backward(moved.reshape(-1, dout.shape[1]), cache)
    return np.moveaxis(dx.reshape(moved.shape), -1, 1), dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    xg = x.reshape(N, G, C // G, H, W)
    count = xg[0, 0].size
    mean = np.einsum("ngchw->ng", xg) / count
    centred = xg - mean[:, :, None, None, None]
    var = np.einsum("ngchw,ngchw->ng", centred, centred) / count
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (centred * inv_std[:, :, None, None, None]).reshape(x.shape)
    return gamma * x_hat + beta, (x_hat, gamma, inv_std, G)


def spatial_groupnorm_backward(dout, cache):
    x_hat, gamma, inv_std, G = cache
    N, C, H, W = dout.shape
    dgamma = np.einsum("nchw,nchw->c", dout, x_hat).reshape(1, C, 1, 1)
    dbeta = np.einsum("nchw->c", dout).reshape(1, C, 1, 1)
    dxh = (dout * gamma).reshape(N, G, -1)
    xh = x_hat.reshape(N, G, -1)
    count = xh.shape[2]
    dx = dxh - dxh.sum(axis=2, keepdims=True) / count - xh * np.einsum("ngk,ngk->ng", dxh, xh)[:, :, None] / count
    return (dx * inv_std[:, :, None]).reshape(dout.shape), dgamma, dbeta
