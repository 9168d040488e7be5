"""A three-layer convolutional network for image classification."""
import numpy as np

from ..fast_layers import *
from ..layer_utils import *
from ..layers import *


class ThreeLayerConvNet(object):
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax

    The network takes minibatches of shape (N, C, H, W): N images of height H,
    width W and C channels. The convolution keeps H and W (stride 1, "same"
    padding for odd filter sizes), and the pool halves them.

    Parameters, stored in self.params:
      W1: (num_filters, C, filter_size, filter_size), b1: (num_filters,)
      W2: (num_filters * H // 2 * W // 2, hidden_dim), b2: (hidden_dim,)
      W3: (hidden_dim, num_classes), b3: (num_classes,)
    """

    def __init__(
        self,
        input_dim=(3, 32, 32),
        num_filters=32,
        filter_size=7,
        hidden_dim=100,
        num_classes=10,
        weight_scale=1e-3,
        reg=0.0,
        dtype=np.float32,
    ):
        """
        input_dim: (C, H, W) of one input
        num_filters: number of convolutional filters
        filter_size: width and height of each filter
        hidden_dim: number of units in the hidden affine layer
        num_classes: number of scores to produce
        weight_scale: standard deviation of the Gaussian weight initialisation
        reg: L2 regularisation strength
        dtype: numpy dtype of every parameter and of the computation
        """
        self.params = {}
        self.reg = reg
        self.dtype = dtype

        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        C, H, W = input_dim
        pooled_size = num_filters * (H // 2) * (W // 2)
        self.params["W1"] = weight_scale * np.random.randn(num_filters, C, filter_size, filter_size)
        self.params["b1"] = np.zeros(num_filters)
        self.params["W2"] = weight_scale * np.random.randn(pooled_size, hidden_dim)
        self.params["b2"] = np.zeros(hidden_dim)
        self.params["W3"] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params["b3"] = np.zeros(num_classes)
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        """Scores, or loss and gradients, for a minibatch.

        X: (N, C, H, W) inputs; y: (N,) integer labels, or None.
        If y is None, returns scores: (N, num_classes).
        Otherwise returns (loss, grads), grads[k] shaped like self.params[k].
        The loss is the softmax loss plus 0.5 * reg * sum(W ** 2) over W1, W2, W3.
        """
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        W3, b3 = self.params["W3"], self.params["b3"]

        # Stride 1 and this padding keep the spatial size (for odd filter sizes).
        filter_size = W1.shape[2]
        conv_param = {"stride": 1, "pad": (filter_size - 1) // 2}
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}

        scores = None
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        pooled, conv_cache = conv_relu_pool_forward(X, W1, b1, conv_param, pool_param)
        hidden, hidden_cache = affine_relu_forward(pooled, W2, b2)
        scores, scores_cache = affine_forward(hidden, W3, b3)
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        if y is None:
            return scores

        loss, grads = 0, {}
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        loss, dscores = softmax_loss(scores, y)
        loss += 0.5 * self.reg * sum(np.sum(W * W) for W in (W1, W2, W3))

        dhidden, grads["W3"], grads["b3"] = affine_backward(dscores, scores_cache)
        dpooled, grads["W2"], grads["b2"] = affine_relu_backward(dhidden, hidden_cache)
        _, grads["W1"], grads["b1"] = conv_relu_pool_backward(dpooled, conv_cache)

        # The derivative of 0.5 * reg * W ** 2 is reg * W.
        for name in ("W1", "W2", "W3"):
            grads[name] += self.reg * self.params[name]
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        return loss, grads
