"""FullyConnectedNet: parameters, initialisation, loss sanity and numeric gradient checks.

Every test draws from a fixed seed, SEED, so a failure replays exactly.
"""
import numpy as np
import pytest

from cs231n.classifiers.fc_net import FullyConnectedNet
from cs231n.gradient_check import eval_numerical_gradient

SEED = 231


def small_problem(N=3, D=7, C=4):
    rng = np.random.default_rng(SEED)
    print("seed", SEED)
    return rng.standard_normal((N, D)), rng.integers(0, C, size=N)


@pytest.mark.parametrize("normalization", [None, "batchnorm", "layernorm"])
def test_parameter_names_shapes_dtype_and_initial_values(normalization):
    np.random.seed(SEED)
    model = FullyConnectedNet([20, 30], input_dim=40, num_classes=5, normalization=normalization,
                              weight_scale=0.1, dtype=np.float64)
    shapes = {"W1": (40, 20), "b1": (20,), "W2": (20, 30), "b2": (30,), "W3": (30, 5), "b3": (5,)}
    if normalization:
        shapes.update({"gamma1": (20,), "beta1": (20,), "gamma2": (30,), "beta2": (30,)})
    assert {k: v.shape for k, v in model.params.items()} == shapes
    assert all(v.dtype == np.float64 for v in model.params.values())
    for name, value in model.params.items():
        if name.startswith("W"):
            assert 0.08 < value.std() < 0.12
        elif name.startswith("gamma"):
            assert np.all(value == 1)
        else:
            assert not np.any(value)
    assert len(model.bn_params) == (2 if normalization else 0)


def test_default_dtype_is_float32_and_dropout_param_carries_the_seed():
    model = FullyConnectedNet([5], input_dim=6, dropout_keep_ratio=0.3, seed=7)
    assert all(v.dtype == np.float32 for v in model.params.values())
    assert model.dropout_param == {"mode": "train", "p": 0.3, "seed": 7}
    assert FullyConnectedNet([5], input_dim=6).dropout_param == {}


def test_initial_loss_is_about_log_C_and_regularisation_adds_half_reg_sum_of_squares():
    rng = np.random.default_rng(SEED)
    print("seed", SEED)
    X, y = rng.standard_normal((50, 30)), rng.integers(0, 10, size=50)
    np.random.seed(SEED)
    model = FullyConnectedNet([40, 40], input_dim=30, weight_scale=1e-3, dtype=np.float64)
    loss, grads = model.loss(X, y)
    assert abs(loss - np.log(10)) < 0.01
    assert set(grads) == set(model.params)
    model.reg = 3.14
    reg_loss, reg_grads = model.loss(X, y)
    squares = sum(np.sum(model.params["W%d" % i] ** 2) for i in (1, 2, 3))
    assert reg_loss - loss == pytest.approx(0.5 * 3.14 * squares, rel=1e-9)
    for name in ("b1", "b2", "b3"):  # biases are not regularised
        np.testing.assert_allclose(reg_grads[name], grads[name])
    np.testing.assert_allclose(reg_grads["W2"] - grads["W2"], 3.14 * model.params["W2"], atol=1e-12)


def test_test_mode_returns_scores_without_dropout():
    X, _ = small_problem()
    np.random.seed(SEED)
    plain = FullyConnectedNet([6, 5], input_dim=7, num_classes=4, dtype=np.float64)
    dropped = FullyConnectedNet([6, 5], input_dim=7, num_classes=4, dropout_keep_ratio=0.5, dtype=np.float64)
    dropped.params = dict(plain.params)
    scores = dropped.loss(X)
    assert scores.shape == (3, 4)
    np.testing.assert_array_equal(scores, plain.loss(X))


def numeric_gradient_errors(model, X, y):
    """Per parameter, the largest difference from a numeric gradient relative to the largest entry
    with a floor of 1e-3 on that scale: the elementwise relative error of entries near zero is
    all rounding, and batch norm makes the gradient of the bias before it zero."""
    loss, grads = model.loss(X, y)
    errors = {}
    for name in sorted(model.params):
        numeric = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=1e-5)
        errors[name] = np.max(np.abs(grads[name] - numeric)) / max(np.max(np.abs(numeric)), 1e-3)
    return errors


@pytest.mark.parametrize("reg", [0.0, 3.14])
@pytest.mark.parametrize("normalization", [None, "batchnorm", "layernorm"])
def test_gradients_agree_with_numeric_ones(normalization, reg):
    X, y = small_problem(N=4, D=7, C=5)
    np.random.seed(SEED)
    model = FullyConnectedNet([6, 5], input_dim=7, num_classes=5, normalization=normalization, reg=reg,
                              weight_scale=5e-2, dtype=np.float64)
    for name in model.params:  # non-trivial gammas and betas
        if name.startswith(("gamma", "beta")):
            model.params[name] = model.params[name] + 0.3 * np.random.randn(*model.params[name].shape)
    errors = numeric_gradient_errors(model, X, y)
    assert max(errors.values()) < 1e-6, errors


def test_gradients_with_dropout_and_a_fixed_seed_agree_with_numeric_ones():
    X, y = small_problem(N=5, D=7, C=4)
    np.random.seed(SEED)
    model = FullyConnectedNet([8, 9], input_dim=7, num_classes=4, dropout_keep_ratio=0.6, seed=123,
                              weight_scale=5e-2, dtype=np.float64)
    first, _ = model.loss(X, y)
    assert model.loss(X, y)[0] == first  # the seed fixes the masks
    errors = numeric_gradient_errors(model, X, y)
    assert max(errors.values()) < 1e-6, errors
