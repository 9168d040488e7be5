"""Update rules, the Solver's bookkeeping, and the CIFAR-10 loader."""
import pickle

import numpy as np
import pytest

from cs231n import optim
from cs231n.data_utils import CIFAR10_ENV_VAR, get_CIFAR10_data
from cs231n.solver import Solver
from cs231n.vis_utils import visualize_grid


def test_first_steps_follow_the_update_formulas():
    w, dw = np.array([1.0, -2.0, 3.0]), np.array([0.5, -0.25, 2.0])

    next_w, config = optim.sgd_momentum(w.copy(), dw, {"learning_rate": 0.1})
    np.testing.assert_allclose(config["velocity"], -0.1 * dw)
    np.testing.assert_allclose(next_w, w - 0.1 * dw)

    # RMSProp's first cache is (1 - 0.99) * dw**2, so the step is lr * dw / (0.1 |dw|).
    next_w, config = optim.rmsprop(w.copy(), dw, {"learning_rate": 0.1})
    np.testing.assert_allclose(next_w, w - np.sign(dw), atol=1e-6)

    # Adam's bias correction makes its first step lr * sign(dw), and t counts from 1.
    next_w, config = optim.adam(w.copy(), dw, {"learning_rate": 0.1})
    assert config["t"] == 1
    np.testing.assert_allclose(next_w, w - 0.1 * np.sign(dw), atol=1e-6)


@pytest.mark.parametrize("rule", ["sgd", "sgd_momentum", "rmsprop", "adam"])
def test_every_rule_minimises_a_quadratic(rule):
    w, config = np.array([3.0, -4.0]), {"learning_rate": 0.05}
    for _ in range(500):
        w, config = getattr(optim, rule)(w, 2 * w, config)
    assert np.linalg.norm(w) < 0.1


class NoisyLinear:
    """A linear softmax classifier whose weights jitter after each update."""

    def __init__(self, D, C):
        self.params = {"W": 0.01 * np.random.randn(D, C)}

    def loss(self, X, y=None):
        scores = X.dot(self.params["W"])
        if y is None:
            return scores
        shifted = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(probs[np.arange(len(y)), y]))
        probs[np.arange(len(y)), y] -= 1
        grad = X.T.dot(probs) / len(y) + np.random.randn(*self.params["W"].shape)
        return loss, {"W": grad}


def test_solver_restores_the_best_parameters():
    np.random.seed(0)
    X = np.random.randn(200, 5)
    y = np.argmax(X[:, :3], axis=1)
    data = {"X_train": X[:150], "y_train": y[:150], "X_val": X[150:], "y_val": y[150:]}
    model = NoisyLinear(5, 3)
    solver = Solver(model, data, update_rule="sgd", optim_config={"learning_rate": 0.5},
                    num_epochs=8, batch_size=25, verbose=False)
    solver.train()

    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 9
    assert solver.best_val_acc == max(solver.val_acc_history)
    assert solver.check_accuracy(data["X_val"], data["y_val"]) == solver.best_val_acc


def test_solver_rejects_unknown_arguments():
    data = {"X_train": np.zeros((2, 1)), "y_train": np.zeros(2, int), "X_val": np.zeros((2, 1)), "y_val": np.zeros(2, int)}
    with pytest.raises(ValueError, match="Unrecognized arguments"):
        Solver(NoisyLinear(1, 2), data, learning_rate=1)
    with pytest.raises(ValueError, match="update_rule"):
        Solver(NoisyLinear(1, 2), data, update_rule="nesterov")


def write_cifar_like(folder, per_batch, seed=0):
    rng = np.random.default_rng(seed)
    folder.mkdir()
    for name in ["data_batch_%d" % b for b in range(1, 6)] + ["test_batch"]:
        batch = {
            "data": rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8),
            "labels": rng.integers(0, 10, size=per_batch).tolist(),
        }
        with open(folder / name, "wb") as f:
            pickle.dump(batch, f)


def test_get_cifar10_data_reads_the_python_batches(tmp_path, monkeypatch):
    folder = tmp_path / "cifar-10-batches-py"
    write_cifar_like(folder, per_batch=12)
    monkeypatch.setenv(CIFAR10_ENV_VAR, str(folder))

    data = get_CIFAR10_data(num_training=40, num_validation=10, num_test=5)
    assert data["X_train"].shape == (40, 3, 32, 32)
    assert data["X_val"].shape == (10, 3, 32, 32)
    assert data["X_test"].shape == (5, 3, 32, 32)
    assert data["X_train"].dtype == np.float64
    assert data["X_train"].flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(data["X_train"].mean(axis=0), 0, atol=1e-9)

    raw = get_CIFAR10_data(num_training=40, num_validation=10, num_test=5, subtract_mean=False)
    with open(folder / "data_batch_1", "rb") as f:
        first = pickle.load(f)
    np.testing.assert_array_equal(raw["X_train"][0].ravel(), first["data"][0])
    # Validation rows follow the training rows: row 40 is row 4 of data_batch_4 (12 rows a batch).
    with open(folder / "data_batch_4", "rb") as f:
        fourth = pickle.load(f)
    np.testing.assert_array_equal(raw["X_val"][0].ravel(), fourth["data"][4])
    assert raw["y_val"][0] == fourth["labels"][4]


def test_missing_cifar10_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv(CIFAR10_ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="get_datasets.sh"):
        get_CIFAR10_data()


def test_visualize_grid_scales_each_tile():
    Xs = np.random.randn(5, 4, 3, 2)
    grid = visualize_grid(Xs, ubound=255.0, padding=1)
    assert grid.shape == (3 * 4 + 2, 3 * 3 + 2, 2)
    assert grid.min() == 0.0 and grid.max() == pytest.approx(255.0)
