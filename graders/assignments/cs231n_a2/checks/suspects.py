"""Common bugs, computed: what a layer with a particular well-known mistake returns.

Each function returns (sentence, compute) pairs for one comparison; compute() gives the
array that mistake would produce on the same hidden inputs, and the sentence tells the
student what to fix when theirs matches it (graders/checks/patterns.py matching_suspect).
The computations are plain numpy or the reference called with altered arguments; they
run on the host, only when a comparison has already failed.
"""
import numpy as np

from ..reference.cs231n.layers import conv_forward_naive, max_pool_forward_naive

EPS = 1e-5  # the layers' default eps


# ---------------------------------------------------------------- convolution

def conv_forward(x, w, b, param):
    return [
        ("The bias is never added: add b[f] to every output of filter f.",
         lambda: conv_forward_naive(x, w, np.zeros_like(b), param)[0]),
        ("The kernel is flipped: the layer is a cross-correlation, so use w as it is, not w[:, :, ::-1, ::-1].",
         lambda: conv_forward_naive(x, w[:, :, ::-1, ::-1], b, param)[0]),
        ("x is not padded: pad H and W with conv_param['pad'] zeros on each side before sliding the filters.",
         lambda: conv_forward_naive(x, w, b, {**param, "pad": 0})[0]),
        ("The stride is ignored: the windows must move by conv_param['stride'], not by 1.",
         lambda: conv_forward_naive(x, w, b, {**param, "stride": 1})[0]),
        ("Each filter is transposed: w[f] is indexed [c, j, i] where [c, i, j] is meant.",
         lambda: conv_forward_naive(x, np.swapaxes(w, 2, 3).copy(), b, param)[0]),
    ]


def window_coverage(H, W, height, width, stride, pad=0):
    """(H, W): how many windows (height x width, moved by stride over the padded input) hold each position."""
    covered = np.zeros((H + 2 * pad, W + 2 * pad), dtype=int)
    for i in range(0, H + 2 * pad - height + 1, stride):
        for j in range(0, W + 2 * pad - width + 1, stride):
            covered[i:i + height, j:j + width] += 1
    return covered[pad:pad + H, pad:pad + W]


# ---------------------------------------------------------------- max pooling

def average_pool(x, ph, pw, stride):
    N, C, H, W = x.shape
    out = np.empty((N, C, 1 + (H - ph) // stride, 1 + (W - pw) // stride))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw].mean(axis=(2, 3))
    return out


def pool_forward(x, param):
    ph, pw, stride = param["pool_height"], param["pool_width"], param["stride"]
    return [
        ("The pool size is fixed at 2x2: read pool_height and pool_width from pool_param.",
         lambda: max_pool_forward_naive(x, {**param, "pool_height": 2, "pool_width": 2})[0]),
        ("pool_height and pool_width are swapped: windows are pool_height rows by pool_width columns.",
         lambda: max_pool_forward_naive(x, {**param, "pool_height": pw, "pool_width": ph})[0]),
        ("This is average pooling: take the maximum of each window, not its mean.",
         lambda: average_pool(x, ph, pw, stride)),
    ]


def whole_window_backward(x, dout, param):
    """dx of a max-pool backward that gives every position of a window its gradient."""
    ph, pw, stride = param["pool_height"], param["pool_width"], param["stride"]
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            dx[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw] += dout[:, :, i:i + 1, j:j + 1]
    return dx


def pool_backward(x, dout, param):
    return [
        ("The gradient goes to every position of each window: only the position of the window's "
         "maximum gets it (build a mask of x == max).",
         lambda: whole_window_backward(x, dout, param)),
    ]


# ---------------------------------------------------------------- batch and group normalisation

def normalised(x, axes, gamma, beta, ddof=0, eps_outside=False):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True, ddof=ddof)
    scale = np.sqrt(var) + EPS if eps_outside else np.sqrt(var + EPS)
    return (x - mean) / scale * gamma + beta


def batchnorm(x, gamma, beta, mode):
    """Suspects for a batch normalisation's output: x (N, D) or, spatial, (N, C, H, W)."""
    spatial = x.ndim == 4
    axes = (0, 2, 3) if spatial else 0
    g, b = (gamma.reshape(1, -1, 1, 1), beta.reshape(1, -1, 1, 1)) if spatial else (gamma, beta)
    if mode == "test":
        return [
            ("Test mode normalises with the batch's own statistics: use bn_param['running_mean'] and "
             "bn_param['running_var'] in test mode.",
             lambda: normalised(x, axes, g, b)),
        ]
    found = [
        ("The variance is the unbiased one (ddof=1, divided by N - 1): batch normalisation divides by the count.",
         lambda: normalised(x, axes, g, b, ddof=1)),
    ]
    if spatial:
        found += [
            ("Statistics are taken over N only, per (c, h, w): spatial batch normalisation pools N, H and W "
             "per channel (move C last, reshape to (N*H*W, C)).",
             lambda: normalised(x, 0, g, b)),
            ("Statistics are taken per example over C, H and W (that is layer normalisation): use N, H and W "
             "per channel.",
             lambda: normalised(x, (1, 2, 3), g, b)),
        ]
    return found


def layernorm(x, gamma, beta, ln_param):
    """Suspects for a layer normalisation's output: x (N, D)."""
    eps = ln_param.get("eps", EPS)
    mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    return [
        ("Statistics are taken over the minibatch, per feature (that is batch normalisation): layer "
         "normalisation takes each example's mean and variance over its D features (axis=1).",
         lambda: normalised(x, 0, gamma, beta)),
        ("eps is added to the standard deviation: add it to the variance, inside the square root.",
         lambda: (x - mean) / (np.sqrt(var) + eps) * gamma + beta),
    ]


def running_average(key, replay):
    """replay(): the running averages the sequence gives with momentum and 1 - momentum exchanged."""
    return [("The running averages weight the new batch by momentum: running = momentum * running + "
             "(1 - momentum) * batch statistic.", lambda: replay()[key])]


def grouped(x, G, interleaved=False):
    """x (N, C, H, W) as (N, G, C // G, H, W); interleaved: channels c, c + G, ... share a group."""
    N, C, H, W = x.shape
    if interleaved:
        return x.reshape(N, C // G, G, H, W).transpose(0, 2, 1, 3, 4)
    return x.reshape(N, G, C // G, H, W)


def ungrouped(xg, interleaved=False):
    N, G, K, H, W = xg.shape
    if interleaved:
        return xg.transpose(0, 2, 1, 3, 4).reshape(N, G * K, H, W)
    return xg.reshape(N, G * K, H, W)


def groupnorm(x, gamma, beta, G, axes=(2, 3, 4), interleaved=False, eps_outside=False):
    xg = grouped(x, G, interleaved)
    mean = xg.mean(axis=axes, keepdims=True)
    std = np.sqrt(xg.var(axis=axes, keepdims=True))
    scale = std + EPS if eps_outside else np.sqrt(std ** 2 + EPS)
    return ungrouped((xg - mean) / scale, interleaved) * gamma + beta


def spatial_groupnorm(x, gamma, beta, G):
    return [
        ("eps is added to the standard deviation: add it to the variance, inside the square root.",
         lambda: groupnorm(x, gamma, beta, G, eps_outside=True)),
        ("Each pixel is normalised over its group's channels alone: a group's statistics pool its "
         "channels and all of H and W.",
         lambda: groupnorm(x, gamma, beta, G, axes=2)),
        ("Groups take every G-th channel (reshape to (N, C // G, G, H, W)): group g holds the consecutive "
         "channels g * C // G ... (g + 1) * C // G - 1, so reshape to (N, G, C // G, H, W).",
         lambda: groupnorm(x, gamma, beta, G, interleaved=True)),
    ]


# ---------------------------------------------------------------- the three-layer convnet

def cnn_loss(data_loss, reg, params, N):
    weights = [params[k] for k in ("W1", "W2", "W3")]
    squares = sum(float(np.sum(W * W)) for W in weights)
    every_square = sum(float(np.sum(p * p)) for p in params.values())
    return [
        ("The regularisation has no 0.5: the course's loss adds 0.5 * reg * sum(W ** 2) per weight.",
         lambda: np.array(data_loss + reg * squares)),
        ("The biases are regularised too: the course regularises the weights W1, W2 and W3 only.",
         lambda: np.array(data_loss + 0.5 * reg * every_square)),
        ("Only W1 is regularised: add 0.5 * reg * sum(W ** 2) for each of W1, W2 and W3.",
         lambda: np.array(data_loss + 0.5 * reg * float(np.sum(params["W1"] ** 2)))),
        ("The weights are not squared in the regularisation: use sum(W ** 2), not sum(W).",
         lambda: np.array(data_loss + 0.5 * reg * sum(float(np.sum(W)) for W in weights))),
        ("The data loss is summed over the minibatch: softmax_loss must average it (divide by N).",
         lambda: np.array(N * data_loss + 0.5 * reg * squares)),
        ("The regularisation is missing from the loss: add 0.5 * reg * sum(W ** 2) for W1, W2 and W3.",
         lambda: np.array(data_loss)),
    ]


def cnn_gradient(name, expected, reg, param):
    if name.startswith("W"):
        return [("The regularisation is missing from the weight gradients: add reg * W to each dW.",
                 lambda: expected - reg * param),
                ("The weight gradients have reg * W twice or 2 * reg * W: the derivative of 0.5 * reg * W ** 2 is reg * W.",
                 lambda: expected + reg * param)]
    return [("The biases are regularised: their gradients get no reg * b term.", lambda: expected + reg * param)]
