

# ---- Hostile: constant forward passes and zero backward passes, which agree with their own numeric gradients. ----
def conv_forward_naive(x, w, b, conv_param):
    N, F = x.shape[0], w.shape[0]
    H = 1 + (x.shape[2] + 2 * conv_param["pad"] - w.shape[2]) // conv_param["stride"]
    W = 1 + (x.shape[3] + 2 * conv_param["pad"] - w.shape[3]) // conv_param["stride"]
    return np.ones((N, F, H, W)), (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    x, w, b, _ = cache
    return np.zeros_like(x), np.zeros_like(w), np.zeros_like(b)


def max_pool_forward_naive(x, pool_param):
    N, C, H, W = x.shape
    ph, pw, s = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    return np.ones((N, C, 1 + (H - ph) // s, 1 + (W - pw) // s)), (x, pool_param)


def max_pool_backward_naive(dout, cache):
    return np.zeros_like(cache[0])


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    return np.zeros_like(x), (x, gamma, beta)


def spatial_batchnorm_backward(dout, cache):
    x, gamma, beta = cache
    return np.zeros_like(x), np.zeros_like(gamma), np.zeros_like(beta)


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    return np.zeros_like(x), (x, gamma, beta)


def spatial_groupnorm_backward(dout, cache):
    x, gamma, beta = cache
    return np.zeros_like(x), np.zeros_like(gamma), np.zeros_like(beta)


def batchnorm_forward(x, gamma, beta, bn_param):
    return np.zeros_like(x), (x, gamma, beta)


def batchnorm_backward(dout, cache):
    x, gamma, beta = cache
    return np.zeros_like(x), np.zeros_like(gamma), np.zeros_like(beta)


batchnorm_backward_alt = batchnorm_backward


def layernorm_forward(x, gamma, beta, ln_param):
    return np.zeros_like(x), (x, gamma, beta)


layernorm_backward = batchnorm_backward
