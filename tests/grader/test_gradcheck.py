"""The numeric gradient checks are judged on the host: correct code passes, forged numbers earn nothing.

The child's side runs here in-process on the reference package (graders/child.py imports
only numpy and cs231n), so many seeds are cheap; the sandboxed runs are in test_corpus.py
and test_hostile.py.
"""
import math
import os
import secrets

import numpy as np
import pytest

from graders import child
from graders.checks import Outputs, load_all
from graders.rubric import load_rubric

LAYER_CHECKS = ["conv_backward_numeric", "max_pool_backward_numeric", "spatial_batchnorm_backward_numeric",
                "spatial_groupnorm_backward_numeric", "conv_relu"]
SEED = int(os.environ.get("CS231N_TEST_SEED") or secrets.randbits(32))
print("test_gradcheck: CS231N_TEST_SEED=%d" % SEED)


def prepared(check_id, seed):
    """(judge, outputs the reference produces in the child's place) for one draw of the check."""
    spec = load_rubric().by_id()[check_id]
    job, judge = load_all()[check_id](np.random.default_rng([seed, *check_id.encode()]), spec)
    outputs, meta = {}, {}
    child.TASKS[job.task](job.params, {k: v.copy() for k, v in job.arrays.items()}, outputs, meta)
    return judge, outputs


def verdict(judge, outputs):
    return judge(Outputs(outputs, {}))


@pytest.mark.parametrize("check_id", LAYER_CHECKS)
def test_correct_layers_pass_under_many_seeds(check_id):
    for k in range(8):
        judge, outputs = prepared(check_id, SEED + k)
        v = verdict(judge, outputs)
        assert v.passed, (check_id, "CS231N_TEST_SEED=%d" % (SEED + k), v.message)


def forged(outputs, *, out=None, flat=False, zero_grads=False):
    """outputs as a forging child would send them."""
    forged = dict(outputs)
    if out is not None:
        forged["out"] = np.full_like(outputs["out"], out)
    for key, value in outputs.items():
        if flat and key.startswith(("plus/", "minus/")):
            forged[key] = np.full_like(value, float(np.sum(forged["out"])) if out is not None else value.flat[0])
        if zero_grads and key.startswith("analytic"):
            forged[key] = np.zeros_like(value)
    return forged


@pytest.mark.parametrize("check_id", LAYER_CHECKS[:4])
@pytest.mark.parametrize("how", ["constant", "stale", "zero_backward"])
def test_forged_layer_numbers_fail(check_id, how):
    judge, outputs = prepared(check_id, SEED)
    fake = {
        "constant": lambda: forged(outputs, out=1.0, flat=True, zero_grads=True),  # agrees with itself
        "stale": lambda: forged(outputs, flat=True, zero_grads=True),  # right at the input, flat around it
        "zero_backward": lambda: forged(outputs, zero_grads=True),
    }[how]()
    v = verdict(judge, fake)
    assert not v.passed, (check_id, how, v.message)


def test_forged_convnet_gradient_check_fails():
    judge, outputs = prepared("cnn_gradcheck", SEED)
    assert verdict(judge, outputs).passed
    # A constant loss of log(10), which tiny weights nearly give, with zero gradients.
    fake = dict(outputs, loss=np.asarray(math.log(10)))
    for key, value in outputs.items():
        if key.startswith(("plus/", "minus/")):
            fake[key] = np.full_like(value, math.log(10))
        if key.startswith("analytic/"):
            fake[key] = np.zeros_like(value)
    v = verdict(judge, fake)
    assert not v.passed and "not counted" in v.message, v.message
