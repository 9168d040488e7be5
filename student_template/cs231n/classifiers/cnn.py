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

        pass

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

        pass

        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        if y is None:
            return scores

        loss, grads = 0, {}
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        pass

        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        return loss, grads
