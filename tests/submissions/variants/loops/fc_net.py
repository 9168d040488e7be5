

# ---- A FullyConnectedNet written as many students do: one dict of caches, layer by layer. ----


class FullyConnectedNet(object):
    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None):
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}
        dims = [input_dim] + hidden_dims + [num_classes]
        for l in range(self.num_layers):
            self.params["W" + str(l + 1)] = np.random.normal(0, weight_scale, (dims[l], dims[l + 1]))
            self.params["b" + str(l + 1)] = np.zeros(dims[l + 1])
        if normalization:
            for l in range(self.num_layers - 1):
                self.params["gamma" + str(l + 1)] = np.ones(dims[l + 1])
                self.params["beta" + str(l + 1)] = np.zeros(dims[l + 1])
        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
            if seed is not None:
                self.dropout_param["seed"] = seed
        self.bn_params = []
        if self.normalization == "batchnorm":
            self.bn_params = [{"mode": "train"} for i in range(self.num_layers - 1)]
        if self.normalization == "layernorm":
            self.bn_params = [{} for i in range(self.num_layers - 1)]
        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"
        if self.use_dropout:
            self.dropout_param["mode"] = mode
        if self.normalization == "batchnorm":
            for bn_param in self.bn_params:
                bn_param["mode"] = mode

        cache = {}
        out = X
        for l in range(1, self.num_layers):
            W, b = self.params["W%d" % l], self.params["b%d" % l]
            if self.normalization is None:
                out, cache["fc%d" % l] = affine_relu_forward(out, W, b)
            else:
                out, cache["fc%d" % l] = affine_forward(out, W, b)
                norm = batchnorm_forward if self.normalization == "batchnorm" else layernorm_forward
                out, cache["norm%d" % l] = norm(out, self.params["gamma%d" % l], self.params["beta%d" % l],
                                                self.bn_params[l - 1])
                out, cache["relu%d" % l] = relu_forward(out)
            if self.use_dropout:
                out, cache["drop%d" % l] = dropout_forward(out, self.dropout_param)
        L = self.num_layers
        scores, cache["fc%d" % L] = affine_forward(out, self.params["W%d" % L], self.params["b%d" % L])
        if mode == "test":
            return scores

        grads = {}
        loss, dout = softmax_loss(scores, y)
        for l in range(1, L + 1):
            loss += 0.5 * self.reg * np.sum(self.params["W%d" % l] ** 2)
        dout, grads["W%d" % L], grads["b%d" % L] = affine_backward(dout, cache["fc%d" % L])
        grads["W%d" % L] += self.reg * self.params["W%d" % L]
        for l in reversed(range(1, L)):
            if self.use_dropout:
                dout = dropout_backward(dout, cache["drop%d" % l])
            if self.normalization is None:
                dout, dW, db = affine_relu_backward(dout, cache["fc%d" % l])
            else:
                dout = relu_backward(dout, cache["relu%d" % l])
                back = batchnorm_backward_alt if self.normalization == "batchnorm" else layernorm_backward
                dout, grads["gamma%d" % l], grads["beta%d" % l] = back(dout, cache["norm%d" % l])
                dout, dW, db = affine_backward(dout, cache["fc%d" % l])
            grads["W%d" % l] = dW + self.reg * self.params["W%d" % l]
            grads["b%d" % l] = db
        return loss, grads
