"""Every backward function against a numeric gradient of its forward."""
import numpy as np
import pytest
from conftest import rel_error

from cs231n import fast_layers, layer_utils, layers
from cs231n.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array


def numeric_grads(forward, args, dout, wrt):
    """Numeric gradients of sum(forward(*args)[0] * dout) w.r.t. args[i] for i in wrt."""
    grads = []
    for i in wrt:
        def f(v, i=i):
            call = list(args)
            call[i] = v
            return forward(*call)[0]

        grads.append(eval_numerical_gradient_array(f, args[i], dout))
    return grads


def check(forward, backward, args, wrt, tol, rng):
    out, cache = forward(*args)
    dout = rng.standard_normal(out.shape)
    analytic = backward(dout, cache)
    if not isinstance(analytic, tuple):
        analytic = (analytic,)
    numeric = numeric_grads(forward, args, dout, wrt)
    for k, (a, n) in enumerate(zip(analytic, numeric)):
        assert a.shape == n.shape, "gradient %d: shape %s != %s" % (k, a.shape, n.shape)
        assert rel_error(a, n) < tol, "gradient %d: rel error %g" % (k, rel_error(a, n))


def test_affine(rng):
    args = (rng.standard_normal((4, 2, 3)), rng.standard_normal((6, 5)), rng.standard_normal(5))
    check(layers.affine_forward, layers.affine_backward, args, [0, 1, 2], 1e-8, rng)


def test_relu(rng):
    x = rng.standard_normal((5, 7))
    x[np.abs(x) < 1e-3] = 0.5  # keep the kink out of the finite differences
    check(layers.relu_forward, layers.relu_backward, (x,), [0], 1e-9, rng)


def test_softmax_loss(rng):
    x = rng.standard_normal((8, 5))
    y = rng.integers(5, size=8)
    loss, dx = layers.softmax_loss(x, y)
    dx_num = eval_numerical_gradient(lambda v: layers.softmax_loss(v, y)[0], x, verbose=False)
    assert rel_error(dx, dx_num) < 1e-7
    assert abs(layers.softmax_loss(np.zeros((8, 5)), y)[0] - np.log(5)) < 1e-12


def test_svm_loss(rng):
    # Scores spread well apart, so no margin sits at the kink where the hinge has no derivative.
    x = rng.permuted(np.arange(40.0)).reshape(8, 5) * 0.3
    y = rng.integers(5, size=8)
    loss, dx = layers.svm_loss(x, y)
    dx_num = eval_numerical_gradient(lambda v: layers.svm_loss(v, y)[0], x, verbose=False)
    assert rel_error(dx, dx_num) < 1e-7
    # Equal scores violate every margin by exactly 1: the loss is the number of wrong classes.
    assert layers.svm_loss(np.zeros((8, 5)), y)[0] == pytest.approx(4.0)


@pytest.mark.parametrize("backward", [layers.batchnorm_backward, layers.batchnorm_backward_alt])
def test_batchnorm(backward, rng):
    x = 5 * rng.standard_normal((6, 4)) + 3
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)

    def forward(x, gamma, beta):
        return layers.batchnorm_forward(x, gamma, beta, {"mode": "train"})

    check(forward, backward, (x, gamma, beta), [0, 1, 2], 1e-7, rng)


def test_batchnorm_backward_alt_matches_staged(rng):
    x = rng.standard_normal((9, 3))
    _, cache = layers.batchnorm_forward(x, np.ones(3), np.zeros(3), {"mode": "train"})
    dout = rng.standard_normal((9, 3))
    for a, b in zip(layers.batchnorm_backward(dout, cache), layers.batchnorm_backward_alt(dout, cache)):
        assert rel_error(a, b) < 1e-10


def test_batchnorm_backward_alt_matches_staged_with_scale_and_shift(rng):
    """Both backward passes read the one cache batchnorm_forward returns, for any gamma and batch size."""
    for N, D in ((2, 1), (5, 7), (40, 3)):
        x = 3 * rng.standard_normal((N, D)) - 2
        _, cache = layers.batchnorm_forward(x, rng.standard_normal(D), rng.standard_normal(D), {"mode": "train"})
        dout = rng.standard_normal((N, D))
        for a, b in zip(layers.batchnorm_backward(dout, cache), layers.batchnorm_backward_alt(dout, cache)):
            assert rel_error(a, b) < 1e-8


def test_batchnorm_running_averages_and_test_mode(rng):
    """Train mode folds the batch's biased statistics in with momentum; test mode uses only the averages."""
    D, momentum = 4, 0.8
    gamma, beta = rng.standard_normal(D), rng.standard_normal(D)
    bn_param = {"mode": "train", "momentum": momentum}
    mean, var = np.zeros(D), np.zeros(D)
    for _ in range(3):
        x = 2 * rng.standard_normal((7, D)) + 5
        out, _ = layers.batchnorm_forward(x, gamma, beta, bn_param)
        mean = momentum * mean + (1 - momentum) * x.mean(axis=0)
        var = momentum * var + (1 - momentum) * x.var(axis=0)
        assert rel_error(bn_param["running_mean"], mean) < 1e-12
        assert rel_error(bn_param["running_var"], var) < 1e-12
        # The output's columns have mean beta and standard deviation |gamma| (up to eps).
        assert rel_error(out.mean(axis=0), beta) < 1e-10
        assert rel_error(out.std(axis=0), np.abs(gamma)) < 1e-5
    bn_param["mode"] = "test"
    x = rng.standard_normal((3, D))
    out, _ = layers.batchnorm_forward(x, gamma, beta, bn_param)
    assert rel_error(out, gamma * (x - mean) / np.sqrt(var + 1e-5) + beta) < 1e-12
    # A test-mode call leaves the running averages alone.
    assert rel_error(bn_param["running_mean"], mean) < 1e-12


def test_layernorm_normalises_each_row(rng):
    x = 4 * rng.standard_normal((3, 9)) + 7
    out, _ = layers.layernorm_forward(x, np.ones(9), np.zeros(9), {})
    assert np.max(np.abs(out.mean(axis=1))) < 1e-12
    assert rel_error(out.std(axis=1), np.ones(3)) < 1e-5


def test_layernorm(rng):
    x = 5 * rng.standard_normal((4, 6)) + 3
    gamma, beta = rng.standard_normal(6), rng.standard_normal(6)

    def forward(x, gamma, beta):
        return layers.layernorm_forward(x, gamma, beta, {})

    check(forward, layers.layernorm_backward, (x, gamma, beta), [0, 1, 2], 1e-7, rng)


def test_dropout(rng):
    x = rng.standard_normal((10, 10)) + 10

    def forward(x):
        return layers.dropout_forward(x, {"mode": "train", "p": 0.6, "seed": 123})

    check(forward, layers.dropout_backward, (x,), [0], 1e-9, rng)


CONV_CASES = [
    # (x shape, w shape, stride, pad)
    ((2, 3, 5, 5), (2, 3, 3, 3), 1, 1),
    ((2, 2, 7, 5), (3, 2, 3, 2), 2, 0),
    ((1, 3, 6, 8), (2, 3, 2, 3), 3, 2),
]


@pytest.mark.parametrize("x_shape, w_shape, stride, pad", CONV_CASES)
@pytest.mark.parametrize(
    "forward, backward",
    [
        (layers.conv_forward_naive, layers.conv_backward_naive),
        (fast_layers.conv_forward_fast, fast_layers.conv_backward_fast),
    ],
)
def test_conv(forward, backward, x_shape, w_shape, stride, pad, rng):
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    param = {"stride": stride, "pad": pad}

    def fwd(x, w, b):
        return forward(x, w, b, param)

    check(fwd, backward, (x, w, b), [0, 1, 2], 1e-7, rng)


POOL_CASES = [
    ((2, 3, 8, 8), (2, 2, 2)),
    ((2, 2, 7, 9), (3, 3, 2)),  # overlapping windows
    ((1, 2, 6, 7), (2, 3, 1)),  # non-square, stride 1
]


@pytest.mark.parametrize("x_shape, pool", POOL_CASES)
@pytest.mark.parametrize(
    "forward, backward",
    [
        (layers.max_pool_forward_naive, layers.max_pool_backward_naive),
        (fast_layers.max_pool_forward_fast, fast_layers.max_pool_backward_fast),
    ],
)
def test_max_pool(forward, backward, x_shape, pool, rng):
    x = rng.standard_normal(x_shape)
    param = {"pool_height": pool[0], "pool_width": pool[1], "stride": pool[2]}

    def fwd(x):
        return forward(x, param)

    check(fwd, backward, (x,), [0], 1e-8, rng)


def test_spatial_batchnorm(rng):
    x = 5 * rng.standard_normal((2, 3, 4, 5)) + 12
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)

    def forward(x, gamma, beta):
        return layers.spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})

    check(forward, layers.spatial_batchnorm_backward, (x, gamma, beta), [0, 1, 2], 1e-6, rng)


@pytest.mark.parametrize("G", [1, 2, 6])
def test_spatial_groupnorm(G, rng):
    x = 5 * rng.standard_normal((2, 6, 4, 5)) + 12
    gamma, beta = rng.standard_normal((1, 6, 1, 1)), rng.standard_normal((1, 6, 1, 1))

    def forward(x, gamma, beta):
        return layers.spatial_groupnorm_forward(x, gamma, beta, G, {})

    # With G = 1 a group holds 120 values and some dx entries are tiny, hence 1e-5.
    check(forward, layers.spatial_groupnorm_backward, (x, gamma, beta), [0, 1, 2], 1e-5, rng)


def test_conv_relu_pool(rng):
    x, w, b = rng.standard_normal((2, 3, 8, 8)), rng.standard_normal((3, 3, 3, 3)), rng.standard_normal(3)
    conv = {"stride": 1, "pad": 1}
    pool = {"pool_height": 2, "pool_width": 2, "stride": 2}

    def forward(x, w, b):
        return layer_utils.conv_relu_pool_forward(x, w, b, conv, pool)

    check(forward, layer_utils.conv_relu_pool_backward, (x, w, b), [0, 1, 2], 1e-6, rng)


def test_conv_relu(rng):
    x, w, b = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((3, 3, 3, 3)), rng.standard_normal(3)

    def forward(x, w, b):
        return layer_utils.conv_relu_forward(x, w, b, {"stride": 1, "pad": 1})

    check(forward, layer_utils.conv_relu_backward, (x, w, b), [0, 1, 2], 1e-6, rng)


def test_conv_bn_relu(rng):
    x, w, b = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    conv_param, bn_param = {"stride": 1, "pad": 1}, {"mode": "train"}

    def forward(x, w, gamma, beta):
        return layer_utils.conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, bn_param)

    def backward(dout, cache):
        dx, dw, db, dgamma, dbeta = layer_utils.conv_bn_relu_backward(dout, cache)
        # Batch norm subtracts the per-channel mean, so the conv bias has no effect.
        np.testing.assert_allclose(db, 0, atol=1e-10)
        return dx, dw, dgamma, dbeta

    check(forward, backward, (x, w, gamma, beta), [0, 1, 2, 3], 1e-5, rng)


def test_affine_relu(rng):
    x, w, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 5)), rng.standard_normal(5)
    check(layer_utils.affine_relu_forward, layer_utils.affine_relu_backward, (x, w, b), [0, 1, 2], 1e-7, rng)
