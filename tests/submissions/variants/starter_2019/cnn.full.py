from builtins import object

from ..layer_utils import *

# ---- A cnn.py of the 2019 starter's shape: np and every layer come only through the star
# import of layer_utils, as the course's starter code allows. ----


class ThreeLayerConvNet(object):
    """conv - relu - 2x2 max pool - affine - relu - affine - softmax"""

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7,
                 hidden_dim=100, num_classes=10, weight_scale=1e-3, reg=0.0,
                 dtype=np.float32):
        self.params = {}
        self.reg = reg
        self.dtype = dtype

        channels, height, width = input_dim
        shapes = {
            "W1": (num_filters, channels, filter_size, filter_size),
            "W2": (num_filters * (height // 2) * (width // 2), hidden_dim),
            "W3": (hidden_dim, num_classes),
        }
        for layer, (weights, fan_out) in enumerate(
                [(shapes["W1"], num_filters), (shapes["W2"], hidden_dim), (shapes["W3"], num_classes)], 1):
            self.params["W%d" % layer] = np.random.randn(*weights) * weight_scale
            self.params["b%d" % layer] = np.zeros(fan_out)

        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        W1, b1 = self.params['W1'], self.params['b1']
        W2, b2 = self.params['W2'], self.params['b2']
        W3, b3 = self.params['W3'], self.params['b3']

        filter_size = W1.shape[2]
        conv_param = {'stride': 1, 'pad': (filter_size - 1) // 2}
        pool_param = {'pool_height': 2, 'pool_width': 2, 'stride': 2}

        scores = None
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        first, first_cache = conv_relu_pool_forward(X, W1, b1, conv_param, pool_param)
        flat = first.reshape(first.shape[0], -1)
        second, second_cache = affine_relu_forward(flat, W2, b2)
        scores, third_cache = affine_forward(second, W3, b3)
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        if y is None:
            return scores

        loss, grads = 0, {}
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
        data_loss, dscores = softmax_loss(scores, y)
        weights = (W1, W2, W3)
        loss = data_loss + 0.5 * self.reg * np.sum([np.sum(w * w) for w in weights])

        dsecond, grads['W3'], grads['b3'] = affine_backward(dscores, third_cache)
        dflat, grads['W2'], grads['b2'] = affine_relu_backward(dsecond, second_cache)
        dfirst = dflat.reshape(first.shape)
        _, grads['W1'], grads['b1'] = conv_relu_pool_backward(dfirst, first_cache)
        for i, w in enumerate(weights, 1):
            grads['W%d' % i] = grads['W%d' % i] + self.reg * w
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        return loss, grads
