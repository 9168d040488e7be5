"""Layers for the convolutional-network assignment, written in plain numpy.

Every ``*_forward`` function returns ``(out, cache)``; every ``*_backward``
function takes ``(dout, cache)`` and returns the gradient(s) with respect to
the forward's inputs, shaped like those inputs.

The regions between the START/END marker lines are the parts students write;
the release tool replaces them with stubs. Everything else is provided code.
"""
import numpy as np


def affine_forward(x, w, b):
    """Fully connected layer.

    x: (N, d_1, ..., d_k), flattened to (N, D) with D = d_1 * ... * d_k
    w: (D, M)
    b: (M,)
    Returns out: (N, M) and cache (x, w, b).
    """
    out = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    out = x.reshape(x.shape[0], -1).dot(w) + b
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    """Backward pass of the fully connected layer.

    dout: (N, M)
    Returns dx: (N, d_1, ..., d_k), dw: (D, M), db: (M,).
    """
    x, w, b = cache
    dx, dw, db = None, None, None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T.dot(dout)
    db = dout.sum(axis=0)
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dw, db


def relu_forward(x):
    """Rectified linear unit, elementwise max(0, x). Returns out and cache x."""
    out = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    out = np.maximum(0, x)
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """Backward pass of the ReLU: the gradient flows where the input was positive."""
    x = cache
    dx = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    dx = dout * (x > 0)
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx


def svm_loss(x, y):
    """Multiclass SVM (hinge) loss with margin 1, averaged over the minibatch.

    x: (N, C) class scores
    y: (N,) integer labels in [0, C)
    Returns loss (scalar) and dx: (N, C).
    """
    N = x.shape[0]
    correct = x[np.arange(N), y][:, None]
    margins = np.maximum(0, x - correct + 1.0)
    margins[np.arange(N), y] = 0
    loss = np.sum(margins) / N
    # Every violated margin pushes its class score up and the correct one down.
    violated = (margins > 0).astype(x.dtype)
    dx = violated
    dx[np.arange(N), y] = -np.sum(violated, axis=1)
    dx /= N
    return loss, dx


def softmax_loss(x, y):
    """Softmax cross-entropy loss, averaged over the minibatch.

    x: (N, C) class scores
    y: (N,) integer labels in [0, C)
    Returns loss (scalar) and dx: (N, C).
    """
    loss, dx = None, None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    # Shifting by the row maximum leaves the softmax unchanged and keeps exp() finite.
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    N = x.shape[0]
    loss = -np.sum(log_probs[np.arange(N), y]) / N
    dx = np.exp(log_probs)
    dx[np.arange(N), y] -= 1
    dx /= N
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return loss, dx


def batchnorm_forward(x, gamma, beta, bn_param):
    """Batch normalisation over the minibatch.

    x: (N, D); gamma, beta: (D,)
    bn_param: dict with 'mode' ('train' or 'test') and optional 'eps' (1e-5),
      'momentum' (0.9), 'running_mean' and 'running_var' ((D,), start at zeros).
      The running averages are written back into bn_param.
    In train mode the batch statistics (biased variance) normalise x and update
    running = momentum * running + (1 - momentum) * batch; in test mode the
    running averages normalise x.
    Returns out: (N, D) and a cache for either backward function.
    """
    mode = bn_param["mode"]
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)

    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))

    out, cache = None, None
    if mode == "train":
        # Normalise with the batch's mean and (biased) variance, scale and shift,
        # and fold the batch's statistics into the running averages.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        mean = x.mean(axis=0)                  # (D,)
        var = x.var(axis=0)                    # (D,), divided by N
        std = np.sqrt(var + eps)               # (D,)
        x_hat = (x - mean) / std               # (N, D)
        out = gamma * x_hat + beta
        cache = (x_hat, gamma, std)
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    elif mode == "test":
        # Normalise with the running averages; the batch's own statistics play no part.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        x_hat = (x - running_mean) / np.sqrt(running_var + eps)
        out = gamma * x_hat + beta
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    else:
        raise ValueError('Invalid forward batchnorm mode "%s"' % mode)

    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    """Backward pass of batch normalisation, one node of the graph at a time.

    The forward graph: xc = x - mean, var = mean(xc ** 2), std = sqrt(var + eps),
    x_hat = xc / std, out = gamma * x_hat + beta (means over the N rows).
    dout: (N, D)
    Returns dx: (N, D), dgamma: (D,), dbeta: (D,).
    """
    dx, dgamma, dbeta = None, None, None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    x_hat, gamma, std = cache
    N = dout.shape[0]
    xc = x_hat * std                           # (N, D), x minus its mean

    dbeta = dout.sum(axis=0)                   # out = gamma * x_hat + beta
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma                      # (N, D)

    dxc = dx_hat / std                         # x_hat = xc / std, through xc
    dstd = -np.sum(dx_hat * xc, axis=0) / std**2   # ... and through std, (D,)
    dvar = dstd / (2 * std)                    # std = sqrt(var + eps)
    dxc += 2 * xc * dvar / N                   # var = mean(xc ** 2)
    dmean = -dxc.sum(axis=0)                   # xc = x - mean
    dx = dxc + dmean / N                       # mean = sum(x) / N
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    """Backward pass of batch normalisation as one closed-form expression.

    The same gradients as batchnorm_backward, with the graph collapsed on paper into a
    single expression for dx in terms of dout, gamma, x_hat and the standard deviation.
    dout: (N, D); cache: the one batchnorm_forward returns (same as for batchnorm_backward).
    Returns dx: (N, D), dgamma: (D,), dbeta: (D,).
    """
    dx, dgamma, dbeta = None, None, None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    # Per column, with dx_hat = gamma * dout and means over the N rows:
    #   dx = (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)) / std
    x_hat, gamma, std = cache
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    dx = (dx_hat - dx_hat.mean(axis=0) - x_hat * np.mean(dx_hat * x_hat, axis=0)) / std
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, ln_param):
    """Layer normalisation: each sample normalised over its D features.

    x: (N, D); gamma, beta: (D,); ln_param: dict with optional 'eps' (1e-5).
    Returns out: (N, D) and cache. Train and test behave the same.
    """
    out, cache = None, None
    eps = ln_param.get("eps", 1e-5)
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    # Batch normalisation with the roles of the axes swapped: statistics per row.
    mean = x.mean(axis=1, keepdims=True)                # (N, 1)
    std = np.sqrt(x.var(axis=1, keepdims=True) + eps)   # (N, 1)
    x_hat = (x - mean) / std                            # (N, D)
    out = gamma * x_hat + beta
    cache = (x_hat, gamma, std)
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return out, cache


def layernorm_backward(dout, cache):
    """Backward pass of layer normalisation.

    dout: (N, D)
    Returns dx: (N, D), dgamma: (D,), dbeta: (D,).
    """
    dx, dgamma, dbeta = None, None, None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    x_hat, gamma, std = cache
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    # The closed form of batchnorm_backward_alt with means over each row's D features.
    row_mean = dx_hat.mean(axis=1, keepdims=True)                  # (N, 1)
    row_projection = np.mean(dx_hat * x_hat, axis=1, keepdims=True)  # (N, 1)
    dx = (dx_hat - row_mean - x_hat * row_projection) / std
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dgamma, dbeta


def dropout_forward(x, dropout_param):
    """Inverted dropout.

    dropout_param: dict with 'p' (probability of KEEPING a unit), 'mode'
      ('train' or 'test') and optional 'seed' for reproducible masks.
    Train mode keeps each unit with probability p and scales it by 1/p, so test
    mode is the identity. Returns out (same shape and dtype as x) and cache
    (dropout_param, mask); mask is None in test mode.
    """
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])

    mask, out = None, None
    if mode == "train":
        # Keep each unit with probability p, scale the kept ones by 1 / p; the mask is cached.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        mask = (np.random.rand(*x.shape) < p) / p
        out = x * mask
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    elif mode == "test":
        # Inverted dropout: nothing to do at test time.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        out = x
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    else:
        raise ValueError('Invalid forward dropout mode "%s"' % mode)

    cache = (dropout_param, mask)
    if out is not None:  # None: not written yet, and reported as such
        out = out.astype(x.dtype, copy=False)
    return out, cache


def dropout_backward(dout, cache):
    """Backward pass of inverted dropout: the same mask scales the gradient."""
    dropout_param, mask = cache
    dx = None
    if dropout_param["mode"] == "train":
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        dx = dout * mask
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    elif dropout_param["mode"] == "test":
        dx = dout
    return dx


def conv_forward_naive(x, w, b, conv_param):
    """Naive convolution (cross-correlation) with zero padding.

    x: (N, C, H, W) input
    w: (F, C, HH, WW) filters
    b: (F,) biases
    conv_param: dict with 'stride' and 'pad' (zeros added on every side of H and W)
    Returns out: (N, F, H', W') with
      H' = 1 + (H + 2 * pad - HH) // stride
      W' = 1 + (W + 2 * pad - WW) // stride
    and cache (x, w, b, conv_param). x is not modified.
    """
    out = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride

    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((N, F, H_out, W_out), dtype=np.result_type(x, w))
    w_rows = w.reshape(F, -1)
    # One loop per output position: each step correlates every sample's
    # receptive field with every filter at once.
    for i in range(H_out):
        for j in range(W_out):
            top, left = i * stride, j * stride
            field = x_pad[:, :, top:top + HH, left:left + WW].reshape(N, -1)
            out[:, :, i, j] = field.dot(w_rows.T) + b
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    cache = (x, w, b, conv_param)
    return out, cache


def conv_backward_naive(dout, cache):
    """Backward pass of the naive convolution.

    dout: (N, F, H', W') upstream gradient
    cache: (x, w, b, conv_param) from conv_forward_naive
    Returns dx: (N, C, H, W), dw: (F, C, HH, WW), db: (F,).
    """
    dx, dw, db = None, None, None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    x, w, b, conv_param = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape

    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = dout.sum(axis=(0, 2, 3))
    for i in range(H_out):
        for j in range(W_out):
            top, left = i * stride, j * stride
            window = (slice(None), slice(None), slice(top, top + HH), slice(left, left + WW))
            grad = dout[:, :, i, j]  # (N, F)
            # Each output position touched one field per sample: accumulate,
            # because fields overlap whenever stride < kernel size.
            dw += np.tensordot(grad, x_pad[window], axes=(0, 0))
            dx_pad[window] += np.tensordot(grad, w, axes=(1, 0))
    # Drop the padding by explicit bounds: a [pad:-pad] slice would be empty for pad = 0.
    dx = dx_pad[:, :, pad:pad + H, pad:pad + W]
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dw, db


def max_pool_forward_naive(x, pool_param):
    """Naive max pooling (no padding).

    x: (N, C, H, W)
    pool_param: dict with 'pool_height', 'pool_width' and 'stride'
    Returns out: (N, C, H', W') with
      H' = 1 + (H - pool_height) // stride
      W' = 1 + (W - pool_width) // stride
    and cache (x, pool_param).
    """
    out = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    N, C, H, W = x.shape
    H_out = 1 + (H - ph) // stride
    W_out = 1 + (W - pw) // stride

    out = np.empty((N, C, H_out, W_out), dtype=x.dtype)
    for i in range(H_out):
        for j in range(W_out):
            top, left = i * stride, j * stride
            out[:, :, i, j] = x[:, :, top:top + ph, left:left + pw].max(axis=(2, 3))
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    cache = (x, pool_param)
    return out, cache


def max_pool_backward_naive(dout, cache):
    """Backward pass of naive max pooling.

    dout: (N, C, H', W')
    cache: (x, pool_param) from max_pool_forward_naive
    Returns dx: (N, C, H, W). Each window's gradient goes to the first position
    holding its maximum; overlapping windows accumulate.
    """
    dx = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    x, pool_param = cache
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    stride = pool_param["stride"]
    N, C, H_out, W_out = dout.shape

    dx = np.zeros_like(x)
    n_idx, c_idx = np.indices((N, C))
    for i in range(H_out):
        for j in range(W_out):
            top, left = i * stride, j * stride
            window = x[:, :, top:top + ph, left:left + pw].reshape(N, C, -1)
            r, s = np.divmod(window.argmax(axis=2), pw)
            # += rather than =: with overlapping windows one input can win twice.
            dx[n_idx, c_idx, top + r, left + s] += dout[:, :, i, j]
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Spatial batch normalisation: per-channel statistics over N, H and W.

    x: (N, C, H, W); gamma, beta: (C,)
    bn_param: as for batchnorm_forward; running averages have shape (C,).
    Returns out: (N, C, H, W) and cache.
    """
    out, cache = None, None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    # Move channels last so each channel is one column of an (N*H*W, C) matrix,
    # then reuse the ordinary batchnorm.
    N, C, H, W = x.shape
    x_rows = x.transpose(0, 2, 3, 1).reshape(-1, C)
    out_rows, cache = batchnorm_forward(x_rows, gamma, beta, bn_param)
    out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return out, cache


def spatial_batchnorm_backward(dout, cache):
    """Backward pass of spatial batch normalisation.

    dout: (N, C, H, W)
    Returns dx: (N, C, H, W), dgamma: (C,), dbeta: (C,).
    """
    dx, dgamma, dbeta = None, None, None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    N, C, H, W = dout.shape
    dout_rows = dout.transpose(0, 2, 3, 1).reshape(-1, C)
    dx_rows, dgamma, dbeta = batchnorm_backward_alt(dout_rows, cache)
    dx = dx_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Spatial group normalisation: per-sample statistics over groups of channels.

    x: (N, C, H, W); G: number of groups, dividing C
    gamma, beta: (1, C, 1, 1) per-channel scale and shift
    gn_param: dict with optional 'eps' (1e-5)
    Each sample's C channels are split into G consecutive groups of C // G
    channels; each group is normalised over its channels and all H * W
    positions. Returns out: (N, C, H, W) and cache.
    """
    out, cache = None, None
    eps = gn_param.get("eps", 1e-5)
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    N, C, H, W = x.shape
    x_groups = x.reshape(N, G, -1)
    mean = x_groups.mean(axis=2, keepdims=True)
    std = np.sqrt(x_groups.var(axis=2, keepdims=True) + eps)
    x_hat = ((x_groups - mean) / std).reshape(N, C, H, W)
    out = gamma * x_hat + beta
    cache = (x_hat, gamma, std, G)
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return out, cache


def spatial_groupnorm_backward(dout, cache):
    """Backward pass of spatial group normalisation.

    dout: (N, C, H, W)
    Returns dx: (N, C, H, W), dgamma: (1, C, 1, 1), dbeta: (1, C, 1, 1).
    """
    dx, dgamma, dbeta = None, None, None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    x_hat, gamma, std, G = cache
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)
    dgamma = np.sum(dout * x_hat, axis=(0, 2, 3), keepdims=True)

    # Within a group this is layernorm's backward pass over C // G * H * W values.
    dx_hat = (dout * gamma).reshape(N, G, -1)
    x_hat_groups = x_hat.reshape(N, G, -1)
    dx = (
        dx_hat
        - dx_hat.mean(axis=2, keepdims=True)
        - x_hat_groups * np.mean(dx_hat * x_hat_groups, axis=2, keepdims=True)
    ) / std
    dx = dx.reshape(N, C, H, W)
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dgamma, dbeta
