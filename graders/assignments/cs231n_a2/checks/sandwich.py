"""The notebook's gradient checks of the convolutional sandwich layers.

The sandwiches are provided code, built from the fast layers and the student's
relu_forward/relu_backward. Inputs are drawn so that no pre-activation sits
within finite-difference reach of ReLU's kink and no pooling window has a
near-tie, so a correct submission passes on every draw.
"""
import numpy as np

from graders.checks import check
from graders.checks.gradcheck import chosen_entries, layer_gradcheck

from ..reference.cs231n import layer_utils
from ..reference.cs231n.fast_layers import conv_forward_fast

SANDWICH = "cs231n.layer_utils."
MARGIN = 1e-4  # far beyond the finite differences' step of 1e-5
FORWARD_TOLERANCE = 1e-6  # the sandwich's out must agree this well before its gradient check counts
GRADS = {0: (0, "dx"), 1: (1, "dw"), 2: (2, "db")}


def smooth_inputs(rng, x_shape, w_shape, conv_param, pool):
    """Draw x, w, b until the ReLU and (if pooling) every window's maximum are well separated."""
    while True:
        x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(w_shape[0])
        a, _ = conv_forward_fast(x, w, b, conv_param)
        if np.min(np.abs(a)) < MARGIN:
            continue
        if pool and not windows_separated(np.maximum(a, 0)):
            continue
        return x, w, b


def windows_separated(a):
    """True if in every 2x2 window the largest positive value beats the runner-up by MARGIN."""
    N, C, H, W = a.shape
    windows = a.reshape(N, C, H // 2, 2, W // 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(-1, 4)
    top2 = np.sort(windows, axis=1)[:, -2:]
    gap = top2[:, 1] - top2[:, 0]
    return bool(np.all((top2[:, 1] == 0) | (gap > MARGIN)))


@check("conv_relu_pool")
def conv_relu_pool(rng, spec):
    conv_param = {"stride": 1, "pad": 1}
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    x, w, b = smooth_inputs(rng, (2, 3, 16, 16), (3, 3, 3, 3), conv_param, pool=True)
    dout = rng.standard_normal((2, 3, 8, 8))
    return layer_gradcheck(SANDWICH, "conv_relu_pool_forward", "conv_relu_pool_backward",
                           (layer_utils.conv_relu_pool_forward, layer_utils.conv_relu_pool_backward),
                           [x, w, b, conv_param, pool_param], dout, GRADS, tolerance=spec.tolerance,
                           forward_tolerance=FORWARD_TOLERANCE, entries=chosen_entries(rng, [x, w, b], GRADS, spec.entries))


@check("conv_relu")
def conv_relu(rng, spec):
    conv_param = {"stride": 1, "pad": 1}
    x, w, b = smooth_inputs(rng, (2, 3, 8, 8), (3, 3, 3, 3), conv_param, pool=False)
    dout = rng.standard_normal((2, 3, 8, 8))
    return layer_gradcheck(SANDWICH, "conv_relu_forward", "conv_relu_backward",
                           (layer_utils.conv_relu_forward, layer_utils.conv_relu_backward),
                           [x, w, b, conv_param], dout, GRADS, tolerance=spec.tolerance,
                           forward_tolerance=FORWARD_TOLERANCE, entries=chosen_entries(rng, [x, w, b], GRADS, spec.entries))
