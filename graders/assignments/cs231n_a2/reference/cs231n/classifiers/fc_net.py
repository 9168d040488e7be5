"""A fully connected network of any depth for image classification."""
import numpy as np

from ..layer_utils import *
from ..layers import *


class FullyConnectedNet(object):
    """{affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax

    With L layers there are L - 1 hidden layers of sizes hidden_dims. Inputs are
    minibatches of shape (N, d_1, ..., d_k) with d_1 * ... * d_k = input_dim.

    Parameters, stored in self.params, for i = 1 .. L:
      Wi: (previous layer's size, layer i's size), bi: (layer i's size,)
    and, with normalization, for the hidden layers i = 1 .. L - 1:
      gammai: (layer i's size,), betai: (layer i's size,)
    """

    def __init__(
        self,
        hidden_dims,
        input_dim=3 * 32 * 32,
        num_classes=10,
        dropout_keep_ratio=1,
        normalization=None,
        reg=0.0,
        weight_scale=1e-2,
        dtype=np.float32,
        seed=None,
    ):
        """
        hidden_dims: list of the hidden layers' sizes
        input_dim: size of one flattened input
        num_classes: number of scores to produce
        dropout_keep_ratio: probability of keeping a hidden unit; 1 means no dropout
        normalization: None, "batchnorm" or "layernorm", after each hidden affine layer
        reg: L2 regularisation strength
        weight_scale: standard deviation of the Gaussian weight initialisation
        dtype: numpy dtype of every parameter and of the computation
        seed: if given, the dropout masks are drawn with this seed (for gradient checks)
        """
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}

        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        sizes = [input_dim] + list(hidden_dims) + [num_classes]
        for i in range(1, self.num_layers + 1):
            self.params["W%d" % i] = weight_scale * np.random.randn(sizes[i - 1], sizes[i])
            self.params["b%d" % i] = np.zeros(sizes[i])
            if normalization is not None and i < self.num_layers:
                self.params["gamma%d" % i] = np.ones(sizes[i])
                self.params["beta%d" % i] = np.zeros(sizes[i])
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        # Dropout layers share one parameter dict; its mode is set on every call of loss.
        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
            if seed is not None:
                self.dropout_param["seed"] = seed

        # One parameter dict per normalisation layer: batch norm keeps its running averages there.
        self.bn_params = []
        if self.normalization == "batchnorm":
            self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]
        if self.normalization == "layernorm":
            self.bn_params = [{} for _ in range(self.num_layers - 1)]

        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        """Scores, or loss and gradients, for a minibatch.

        X: (N, d_1, ..., d_k) inputs; y: (N,) integer labels, or None.
        With y None (test mode: no dropout, batch norm's running averages) returns
        scores: (N, num_classes). Otherwise (train mode) returns (loss, grads), grads
        holding the gradient of the loss for every key of self.params.
        """
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"
        if self.use_dropout:
            self.dropout_param["mode"] = mode
        if self.normalization == "batchnorm":
            for bn_param in self.bn_params:
                bn_param["mode"] = mode

        scores = None
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        caches = []
        h = X
        for i in range(1, self.num_layers):
            h, cache = self._hidden_forward(h, i)
            caches.append(cache)
        L = self.num_layers
        scores, last_cache = affine_forward(h, self.params["W%d" % L], self.params["b%d" % L])
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        if mode == "test":
            return scores

        loss, grads = 0.0, {}
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        loss, dscores = softmax_loss(scores, y)
        weights = [self.params["W%d" % i] for i in range(1, L + 1)]
        loss += 0.5 * self.reg * sum(np.sum(W * W) for W in weights)

        dh, grads["W%d" % L], grads["b%d" % L] = affine_backward(dscores, last_cache)
        for i in range(L - 1, 0, -1):
            dh = self._hidden_backward(dh, caches[i - 1], i, grads)
        for i in range(1, L + 1):
            grads["W%d" % i] += self.reg * self.params["W%d" % i]
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        return loss, grads

    # Room for helper methods of your own (say, one hidden layer's forward and backward pass).
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    def _hidden_forward(self, x, i):
        """Hidden layer i: affine, optional normalisation, relu, optional dropout.

        x: (N, ...) the previous layer's output; returns out: (N, size of layer i) and a cache.
        """
        out, affine_cache = affine_forward(x, self.params["W%d" % i], self.params["b%d" % i])
        norm_cache = dropout_cache = None
        if self.normalization == "batchnorm":
            out, norm_cache = batchnorm_forward(out, self.params["gamma%d" % i], self.params["beta%d" % i],
                                                self.bn_params[i - 1])
        elif self.normalization == "layernorm":
            out, norm_cache = layernorm_forward(out, self.params["gamma%d" % i], self.params["beta%d" % i],
                                                self.bn_params[i - 1])
        out, relu_cache = relu_forward(out)
        if self.use_dropout:
            out, dropout_cache = dropout_forward(out, self.dropout_param)
        return out, (affine_cache, norm_cache, relu_cache, dropout_cache)

    def _hidden_backward(self, dout, cache, i, grads):
        """Backward pass of hidden layer i: stores its parameters' gradients in grads, returns dx."""
        affine_cache, norm_cache, relu_cache, dropout_cache = cache
        if self.use_dropout:
            dout = dropout_backward(dout, dropout_cache)
        dout = relu_backward(dout, relu_cache)
        if self.normalization == "batchnorm":
            dout, grads["gamma%d" % i], grads["beta%d" % i] = batchnorm_backward(dout, norm_cache)
        elif self.normalization == "layernorm":
            dout, grads["gamma%d" % i], grads["beta%d" % i] = layernorm_backward(dout, norm_cache)
        dx, grads["W%d" % i], grads["b%d" % i] = affine_backward(dout, affine_cache)
        return dx

    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
