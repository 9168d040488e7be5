

# ---- variant: the dropout mask drawn with np.random.binomial, a different mask for the same seed
def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = None
    if mode == "train":
        mask = np.random.binomial(1, p, size=x.shape) / p
        out = x * mask
    else:
        out = x.copy()
    return out.astype(x.dtype, copy=False), (dropout_param, mask)


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    return dout * mask if dropout_param["mode"] == "train" else dout


# ---- variant: batch and layer normalisation with a dict cache of every node, running averages
# ---- updated in place, and layer normalisation as batch normalisation of the transposed input. ----
def batchnorm_forward(x, gamma, beta, bn_param):
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    D = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))
    if mode == "train":
        mu = np.sum(x, axis=0) / x.shape[0]
        xc = x - mu
        var = np.sum(xc ** 2, axis=0) / x.shape[0]
        inv_std = 1.0 / np.sqrt(var + eps)
        x_hat = xc * inv_std
        out = x_hat * gamma + beta
        cache = {"xc": xc, "var": var, "inv_std": inv_std, "x_hat": x_hat, "gamma": gamma, "eps": eps}
        running_mean *= momentum
        running_mean += (1 - momentum) * mu
        running_var *= momentum
        running_var += (1 - momentum) * var
    elif mode == "test":
        out = (x - running_mean) / np.sqrt(running_var + eps) * gamma + beta
        cache = None
    else:
        raise ValueError(mode)
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    N = dout.shape[0]
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * cache["x_hat"], axis=0)
    dx_hat = dout * cache["gamma"]
    dinv_std = np.sum(dx_hat * cache["xc"], axis=0)
    dvar = dinv_std * -0.5 * (cache["var"] + cache["eps"]) ** -1.5
    dxc = dx_hat * cache["inv_std"] + dvar * 2.0 * cache["xc"] / N
    dmu = -np.sum(dxc, axis=0)
    return dxc + dmu / N, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    N = dout.shape[0]
    x_hat, gamma, inv_std = cache["x_hat"], cache["gamma"], cache["inv_std"]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx = gamma * inv_std / N * (N * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, ln_param):
    bn_param = {"mode": "train", "eps": ln_param.get("eps", 1e-5)}
    x_hat, cache = batchnorm_forward(x.T, np.ones(x.shape[0]), np.zeros(x.shape[0]), bn_param)
    return x_hat.T * gamma + beta, (cache, x_hat.T, gamma)


def layernorm_backward(dout, cache):
    bn_cache, x_hat, gamma = cache
    dx, _, _ = batchnorm_backward_alt((dout * gamma).T, bn_cache)
    return dx.T, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)
