"""Shared helpers for the reference package's tests."""
import numpy as np
import pytest


def rel_error(x, y):
    """The notebook's relative error: max |x - y| / max(1e-8, |x| + |y|)."""
    x, y = np.asarray(x), np.asarray(y)
    return np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)))


def scaled_error(x, y):
    """Largest absolute difference relative to the largest magnitude of y.

    For float32 results, whose rounding makes the elementwise rel_error of
    near-zero entries meaningless.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return np.max(np.abs(x - y)) / max(np.max(np.abs(y)), 1e-30)


@pytest.fixture
def rng():
    return np.random.default_rng(231)
