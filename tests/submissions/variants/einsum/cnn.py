

# ---- The model built from the naive layers, one step at a time. ----


class ThreeLayerConvNet(object):
    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100,
                 num_classes=10, weight_scale=1e-3, reg=0.0, dtype=np.float32):
        C, H, W = input_dim
        self.reg, self.dtype = reg, dtype
        shapes = {
            "W1": (num_filters, C, filter_size, filter_size),
            "W2": (num_filters * (H // 2) * (W // 2), hidden_dim),
            "W3": (hidden_dim, num_classes),
        }
        self.params = {}
        for i, name in enumerate(("W1", "W2", "W3")):
            self.params[name] = (weight_scale * np.random.randn(*shapes[name])).astype(dtype)
            self.params["b%d" % (i + 1)] = np.zeros(shapes[name][0 if i == 0 else 1], dtype=dtype)

    def loss(self, X, y=None):
        p = self.params
        pad = (p["W1"].shape[2] - 1) // 2
        c1, conv_cache = conv_forward_naive(X, p["W1"], p["b1"], {"stride": 1, "pad": pad})
        r1, relu1 = relu_forward(c1)
        pooled, pool_cache = max_pool_forward_naive(r1, {"pool_height": 2, "pool_width": 2, "stride": 2})
        h, fc_cache = affine_forward(pooled, p["W2"], p["b2"])
        hr, relu2 = relu_forward(h)
        scores, out_cache = affine_forward(hr, p["W3"], p["b3"])
        if y is None:
            return scores
        loss, d = softmax_loss(scores, y)
        weights = [p["W1"], p["W2"], p["W3"]]
        loss += 0.5 * self.reg * sum(np.sum(W * W) for W in weights)
        grads = {}
        d, grads["W3"], grads["b3"] = affine_backward(d, out_cache)
        d, grads["W2"], grads["b2"] = affine_backward(relu_backward(d, relu2), fc_cache)
        d = relu_backward(max_pool_backward_naive(d, pool_cache), relu1)
        _, grads["W1"], grads["b1"] = conv_backward_naive(d, conv_cache)
        for name in ("W1", "W2", "W3"):
            grads[name] = grads[name] + self.reg * p[name]
        return loss, grads
