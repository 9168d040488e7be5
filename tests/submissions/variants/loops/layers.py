

# ---- A correct solution written with explicit loops, the way many students do it. ----


def conv_forward_naive(x, w, b, conv_param):
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    Ho = 1 + (H + 2 * pad - HH) // stride
    Wo = 1 + (W + 2 * pad - WW) // stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), "constant")
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    window = xp[n, :, i * stride:i * stride + HH, j * stride:j * stride + WW]
                    out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, Ho, Wo = dout.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), "constant")
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    for n in range(N):
        for f in range(F):
            db[f] += dout[n, f].sum()
            for i in range(Ho):
                for j in range(Wo):
                    hs, ws = i * stride, j * stride
                    dw[f] += xp[n, :, hs:hs + HH, ws:ws + WW] * dout[n, f, i, j]
                    dxp[n, :, hs:hs + HH, ws:ws + WW] += w[f] * dout[n, f, i, j]
    dx = dxp[:, :, pad:pad + H, pad:pad + W]
    return dx, dw, db


def max_pool_forward_naive(x, pool_param):
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    Ho, Wo = 1 + (H - ph) // stride, 1 + (W - pw) // stride
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, c, i, j] = np.max(x[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw])
    return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, Ho, Wo = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    window = x[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw]
                    r, s = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + r, j * stride + s] += dout[n, c, i, j]
    return dx


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    N, C, H, W = x.shape
    out = np.zeros_like(x)
    caches = []
    params = []
    for c in range(C):
        sub = {k: v for k, v in bn_param.items() if not k.startswith("running")}
        for key in ("running_mean", "running_var"):
            if key in bn_param:
                sub[key] = bn_param[key][c:c + 1]
        col, cache = batchnorm_forward(x[:, c].reshape(-1, 1), gamma[c:c + 1], beta[c:c + 1], sub)
        out[:, c] = col.reshape(N, H, W)
        caches.append(cache)
        params.append(sub)
    bn_param["running_mean"] = np.concatenate([p["running_mean"] for p in params])
    bn_param["running_var"] = np.concatenate([p["running_var"] for p in params])
    return out, caches


def spatial_batchnorm_backward(dout, cache):
    N, C, H, W = dout.shape
    dx = np.zeros_like(dout)
    dgamma, dbeta = np.zeros(C), np.zeros(C)
    for c in range(C):
        d, dg, db = batchnorm_backward(dout[:, c].reshape(-1, 1), cache[c])
        dx[:, c] = d.reshape(N, H, W)
        dgamma[c], dbeta[c] = dg[0], db[0]
    return dx, dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    eps = gn_param.get("eps", 1e-5)
    N, C, H, W = x.shape
    size = C // G
    x_hat = np.zeros_like(x)
    stds = np.zeros((N, G))
    for n in range(N):
        for g in range(G):
            group = x[n, g * size:(g + 1) * size]
            stds[n, g] = np.sqrt(group.var() + eps)
            x_hat[n, g * size:(g + 1) * size] = (group - group.mean()) / stds[n, g]
    return gamma * x_hat + beta, (x_hat, gamma, stds, G)


def spatial_groupnorm_backward(dout, cache):
    x_hat, gamma, stds, G = cache
    N, C, H, W = dout.shape
    size = C // G
    dgamma = np.sum(dout * x_hat, axis=(0, 2, 3)).reshape(1, C, 1, 1)
    dbeta = np.sum(dout, axis=(0, 2, 3)).reshape(1, C, 1, 1)
    dx = np.zeros_like(dout)
    for n in range(N):
        for g in range(G):
            part = slice(g * size, (g + 1) * size)
            dxh = dout[n, part] * gamma[0, part]
            xh = x_hat[n, part]
            dx[n, part] = (dxh - dxh.mean() - xh * np.mean(dxh * xh)) / stds[n, g]
    return dx, dgamma.reshape(C), dbeta.reshape(C)


# ---- The fully connected layers, written out step by step. ----


def affine_forward(x, w, b):
    N = x.shape[0]
    D = int(np.prod(x.shape[1:]))
    rows = np.reshape(x, (N, D))
    out = np.zeros((N, w.shape[1]))
    for i in range(N):
        out[i] = rows[i] @ w + b
    return out, (x, w, b)


def affine_backward(dout, cache):
    x, w, b = cache
    N = x.shape[0]
    rows = np.reshape(x, (N, -1))
    dx = np.reshape(dout @ w.T, x.shape)
    dw = np.zeros_like(w)
    for i in range(N):
        dw += np.outer(rows[i], dout[i])
    db = np.sum(dout, axis=0)
    return dx, dw, db


def relu_forward(x):
    return np.where(x > 0, x, 0.0), x


def relu_backward(dout, cache):
    dx = dout.copy()
    dx[cache <= 0] = 0
    return dx


def softmax_loss(x, y):
    N = x.shape[0]
    loss, dx = 0.0, np.zeros_like(x, dtype=float)
    for i in range(N):
        z = x[i] - np.max(x[i])
        p = np.exp(z) / np.sum(np.exp(z))
        loss -= np.log(p[y[i]])
        dx[i] = p
        dx[i, y[i]] -= 1
    return loss / N, dx / N
