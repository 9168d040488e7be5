

# ---- A correct solution written with sliding windows and tensordot. ----
from numpy.lib.stride_tricks import sliding_window_view


def _windows(x, HH, WW, stride):
    """(N, C, H', W', HH, WW) view of every window at the given stride."""
    return sliding_window_view(x, (HH, WW), axis=(2, 3))[:, :, ::stride, ::stride]


def conv_forward_naive(x, w, b, conv_param):
    stride, pad = conv_param["stride"], conv_param["pad"]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = _windows(xp, w.shape[2], w.shape[3], stride)
    out = np.tensordot(windows, w, axes=([1, 4, 5], [1, 2, 3])).transpose(0, 3, 1, 2)
    return out + b[None, :, None, None], (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    F, C, HH, WW = w.shape
    Ho, Wo = dout.shape[2:]
    dw = np.tensordot(dout, _windows(xp, HH, WW, stride), axes=([0, 2, 3], [0, 2, 3]))
    dxp = np.zeros_like(xp)
    for kh in range(HH):
        for kw in range(WW):
            contribution = np.tensordot(dout, w[:, :, kh, kw], axes=(1, 0)).transpose(0, 3, 1, 2)
            dxp[:, :, kh:kh + stride * Ho:stride, kw:kw + stride * Wo:stride] += contribution
    dx = dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]
    return dx, dw, dout.sum(axis=(0, 2, 3))


def max_pool_forward_naive(x, pool_param):
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    return _windows(x, ph, pw, stride).max(axis=(4, 5)), (x, pool_param)


def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, Ho, Wo = dout.shape
    flat = _windows(x, ph, pw, stride).reshape(N, C, Ho, Wo, -1)
    r, s = np.divmod(flat.argmax(axis=-1), pw)
    n, c, i, j = np.indices((N, C, Ho, Wo))
    dx = np.zeros_like(x)
    np.add.at(dx, (n, c, i * stride + r, j * stride + s), dout)
    return dx


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    mode, eps, momentum = bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    C = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(C, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(C, dtype=x.dtype))
    g, bt = gamma[None, :, None, None], beta[None, :, None, None]
    if mode == "train":
        mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        x_hat = (x - mean[None, :, None, None]) / np.sqrt(var + eps)[None, :, None, None]
        bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mean
        bn_param["running_var"] = momentum * running_var + (1 - momentum) * var
        return g * x_hat + bt, (x_hat, gamma, np.sqrt(var + eps))
    x_hat = (x - running_mean[None, :, None, None]) / np.sqrt(running_var + eps)[None, :, None, None]
    bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
    return g * x_hat + bt, None


def spatial_batchnorm_backward(dout, cache):
    x_hat, gamma, std = cache
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3))
    dxh = dout * gamma[None, :, None, None]
    dx = dxh - dxh.mean(axis=(0, 2, 3), keepdims=True) - x_hat * (dxh * x_hat).mean(axis=(0, 2, 3), keepdims=True)
    return dx / std[None, :, None, None], dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    groups = x.reshape(N * G, -1)
    std = np.sqrt(groups.var(axis=1) + eps)[:, None]
    x_hat = ((groups - groups.mean(axis=1)[:, None]) / std).reshape(x.shape)
    return gamma * x_hat + beta, (x_hat, gamma, std, G)


def spatial_groupnorm_backward(dout, cache):
    x_hat, gamma, std, G = cache
    N = dout.shape[0]
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3), keepdims=True)
    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)
    dxh = (dout * gamma).reshape(N * G, -1)
    xh = x_hat.reshape(N * G, -1)
    dx = (dxh - dxh.mean(axis=1)[:, None] - xh * (dxh * xh).mean(axis=1)[:, None]) / std
    return dx.reshape(dout.shape), dgamma, dbeta
