"""ThreeLayerConvNet: shapes, loss sanity, gradients and the ability to overfit."""
import numpy as np
import pytest
from conftest import rel_error

from cs231n.classifiers.cnn import ThreeLayerConvNet
from cs231n.gradient_check import eval_numerical_gradient
from cs231n.solver import Solver


def test_parameters_have_the_documented_shapes_and_dtype():
    model = ThreeLayerConvNet(input_dim=(3, 16, 12), num_filters=5, filter_size=3, hidden_dim=7)
    expected = {
        "W1": (5, 3, 3, 3), "b1": (5,),
        "W2": (5 * 8 * 6, 7), "b2": (7,),
        "W3": (7, 10), "b3": (10,),
    }
    assert {k: v.shape for k, v in model.params.items()} == expected
    assert all(v.dtype == np.float32 for v in model.params.values())
    assert 0.5e-3 < model.params["W2"].std() < 2e-3
    assert not np.any(model.params["b2"])


def test_initial_loss_is_about_log_10_and_rises_with_regularisation():
    np.random.seed(0)
    model = ThreeLayerConvNet()
    X = np.random.randn(50, 3, 32, 32)
    y = np.random.randint(10, size=50)
    loss, grads = model.loss(X, y)
    assert abs(loss - np.log(10)) < 0.01
    assert set(grads) == set(model.params)

    model.reg = 0.5
    reg_loss, _ = model.loss(X, y)
    weights = sum(np.sum(model.params[k].astype(np.float64) ** 2) for k in ("W1", "W2", "W3"))
    assert reg_loss > loss
    assert reg_loss - loss == pytest.approx(0.5 * 0.5 * weights, rel=1e-4)


def test_scores_without_labels():
    model = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=2, filter_size=3, hidden_dim=4)
    scores = model.loss(np.random.randn(3, 3, 8, 8))
    assert scores.shape == (3, 10)


def gradient_errors(weight_scale, reg, h):
    """Max relative error of every gradient against a numeric one, on the notebook's small net."""
    np.random.seed(231)
    X = np.random.randn(2, 3, 16, 16)
    y = np.random.randint(10, size=2)
    model = ThreeLayerConvNet(
        num_filters=3, filter_size=3, input_dim=(3, 16, 16), hidden_dim=7,
        dtype=np.float64, weight_scale=weight_scale, reg=reg,
    )
    _, grads = model.loss(X, y)
    errors = {}
    for name in sorted(grads):
        num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=h)
        errors[name] = rel_error(num, grads[name])
    return errors


def test_notebook_gradient_check():
    # The notebook's settings: gradients of ~1e-7 make h = 1e-6 differences noisy,
    # so it accepts "relative errors up to the order of e-2" (it printed W2 1.78e-02).
    errors = gradient_errors(weight_scale=1e-3, reg=0.0, h=1e-6)
    assert max(errors.values()) < 1e-2 * 5, errors


@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_gradient_check_well_conditioned(reg):
    # Larger weights give gradients the finite differences resolve well.
    errors = gradient_errors(weight_scale=1e-2, reg=reg, h=1e-5)
    assert max(errors.values()) < 1e-4, errors


def test_overfits_one_hundred_examples():
    np.random.seed(231)
    X = np.random.randn(100, 3, 32, 32)
    y = np.random.randint(10, size=100)
    # Validating on the training set makes "best parameters" the best-fitting ones.
    data = {"X_train": X, "y_train": y, "X_val": X, "y_val": y}
    model = ThreeLayerConvNet(weight_scale=1e-2)
    solver = Solver(
        model, data, num_epochs=15, batch_size=50, update_rule="adam",
        optim_config={"learning_rate": 1e-3}, verbose=False,
    )
    solver.train()
    assert solver.check_accuracy(X, y) >= 0.9
    assert solver.loss_history[-1] < solver.loss_history[0]
