"""Figures the original notebook run printed that do not depend on the machine.

Each test replays a notebook cell's seeds and call sequence with the reference
package and compares with the printed digits.
"""
import numpy as np
from conftest import rel_error

from cs231n.layers import (
    max_pool_forward_naive,
    spatial_batchnorm_forward,
    spatial_groupnorm_forward,
)


def assert_printed(actual, printed, digits=8):
    """actual agrees with numbers printed to `digits` significant digits."""
    np.testing.assert_allclose(actual, printed, rtol=10.0 ** (1 - digits), atol=0)


def test_max_pool_forward_matches_the_hard_coded_answer():
    x_shape = (2, 3, 4, 4)
    x = np.linspace(-0.3, 0.4, num=np.prod(x_shape)).reshape(x_shape)
    pool_param = {"pool_width": 2, "pool_height": 2, "stride": 2}
    out, _ = max_pool_forward_naive(x, pool_param)
    correct_out = np.array(
        [
            [[[-0.26315789, -0.24842105], [-0.20421053, -0.18947368]],
             [[-0.14526316, -0.13052632], [-0.08631579, -0.07157895]],
             [[-0.02736842, -0.01263158], [0.03157895, 0.04631579]]],
            [[[0.09052632, 0.10526316], [0.14947368, 0.16421053]],
             [[0.20842105, 0.22315789], [0.26736842, 0.28210526]],
             [[0.32631579, 0.34105263], [0.38526316, 0.4]]],
        ]
    )
    # The notebook printed this difference between the exact output and the rounded constants.
    assert_printed(rel_error(out, correct_out), 4.1666665157267834e-08, digits=12)


def test_spatial_batchnorm_train_statistics():
    np.random.seed(231)
    N, C, H, W = 2, 3, 4, 5
    x = 4 * np.random.randn(N, C, H, W) + 10
    assert_printed(x.mean(axis=(0, 2, 3)), [9.33463814, 8.90909116, 9.11056338])
    assert_printed(x.std(axis=(0, 2, 3)), [3.61447857, 3.19347686, 3.5168142])

    out, _ = spatial_batchnorm_forward(x, np.ones(C), np.zeros(C), {"mode": "train"})
    assert out.shape == (2, 3, 4, 5)
    assert np.all(np.abs(out.mean(axis=(0, 2, 3))) < 1e-14)
    assert_printed(out.std(axis=(0, 2, 3)), [0.99999962, 0.99999951, 0.9999996])

    gamma, beta = np.asarray([3, 4, 5]), np.asarray([6, 7, 8])
    out, _ = spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
    assert_printed(out.mean(axis=(0, 2, 3)), [6.0, 7.0, 8.0], digits=12)
    assert_printed(out.std(axis=(0, 2, 3)), [2.99999885, 3.99999804, 4.99999798])


def test_spatial_batchnorm_test_time_statistics():
    np.random.seed(231)
    N, C, H, W = 10, 4, 11, 12
    bn_param = {"mode": "train"}
    gamma, beta = np.ones(C), np.zeros(C)
    for _ in range(50):
        x = 2.3 * np.random.randn(N, C, H, W) + 13
        spatial_batchnorm_forward(x, gamma, beta, bn_param)
    bn_param["mode"] = "test"
    x = 2.3 * np.random.randn(N, C, H, W) + 13
    a_norm, _ = spatial_batchnorm_forward(x, gamma, beta, bn_param)

    assert bn_param["running_mean"].shape == (C,)
    assert_printed(a_norm.mean(axis=(0, 2, 3)), [-0.08034406, 0.07562881, 0.05716371, 0.04378383])
    assert_printed(a_norm.std(axis=(0, 2, 3)), [0.96718744, 1.0299714, 1.02887624, 1.00585577])


def test_spatial_groupnorm_statistics():
    np.random.seed(231)
    N, C, H, W = 2, 6, 4, 5
    G = 2
    x = 4 * np.random.randn(N, C, H, W) + 10
    x_g = x.reshape((N * G, -1))
    assert_printed(x_g.mean(axis=1), [9.72505327, 8.51114185, 8.9147544, 9.43448077])
    assert_printed(x_g.std(axis=1), [3.67070958, 3.09892597, 4.27043622, 3.97521327])

    gamma, beta = np.ones((1, C, 1, 1)), np.zeros((1, C, 1, 1))
    # The notebook passes a batchnorm-style dict as gn_param; only 'eps' matters.
    out, _ = spatial_groupnorm_forward(x, gamma, beta, G, {"mode": "train"})
    out_g = out.reshape((N * G, -1))
    assert out.shape == (2, 6, 4, 5)
    assert np.all(np.abs(out_g.mean(axis=1)) < 1e-14)
    assert_printed(out_g.std(axis=1), [0.99999963, 0.99999948, 0.99999973, 0.99999968])
