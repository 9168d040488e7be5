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

    pass

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

    pass

    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dw, db


def relu_forward(x):
    """Rectified linear unit, elementwise max(0, x). Returns out and cache x."""
    out = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

    pass

    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """Backward pass of the ReLU: the gradient flows where the input was positive."""
    x = cache
    dx = None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

    pass

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

    pass

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

        pass

        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    elif mode == "test":
        # Normalise with the running averages; the batch's own statistics play no part.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        pass

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

    pass

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

    pass

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

    pass

    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return out, cache


def layernorm_backward(dout, cache):
    """Backward pass of layer normalisation.

    dout: (N, D)
    Returns dx: (N, D), dgamma: (D,), dbeta: (D,).
    """
    dx, dgamma, dbeta = None, None, None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

    pass

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

        pass

        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    elif mode == "test":
        # Inverted dropout: nothing to do at test time.
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        pass

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

        pass

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

    pass

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

    pass

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

    pass

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

    pass

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

    pass

    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return out, cache


def spatial_batchnorm_backward(dout, cache):
    """Backward pass of spatial batch normalisation.

    dout: (N, C, H, W)
    Returns dx: (N, C, H, W), dgamma: (C,), dbeta: (C,).
    """
    dx, dgamma, dbeta = None, None, None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

    pass

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

    pass

    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return out, cache


def spatial_groupnorm_backward(dout, cache):
    """Backward pass of spatial group normalisation.

    dout: (N, C, H, W)
    Returns dx: (N, C, H, W), dgamma: (1, C, 1, 1), dbeta: (1, C, 1, 1).
    """
    dx, dgamma, dbeta = None, None, None
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

    pass

    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return dx, dgamma, dbeta
