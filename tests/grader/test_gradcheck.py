"""The numeric gradient checks are judged on the host: correct code passes, forged numbers earn nothing.

The child's side runs here in-process on the reference package (graders/child.py imports
only numpy and cs231n), so many seeds are cheap; the sandboxed runs are in test_corpus.py
and test_hostile.py.
"""
import dataclasses
import math
import os
import secrets

import numpy as np
import pytest

from graders.assignment import load_assignment
from graders import child
from graders.checks import Outputs
from graders.checks.gradcheck import central_differences, chosen_entries, entries_param
from graders.rubric import load_rubric

ASSIGNMENT = load_assignment()

LAYER_CHECKS = ["conv_backward_numeric", "max_pool_backward_numeric", "spatial_batchnorm_backward_numeric",
                "spatial_groupnorm_backward_numeric", "conv_relu"]
SEED = int(os.environ.get("CS231N_TEST_SEED") or secrets.randbits(32))
print("test_gradcheck: CS231N_TEST_SEED=%d" % SEED)


def prepared(check_id, seed, **changes):
    """(judge, outputs the reference produces in the child's place) for one draw of the check,
    with the rubric entry's fields changed as given."""
    spec = dataclasses.replace(load_rubric().by_id()[check_id], **changes)
    job, judge = ASSIGNMENT.checks()[check_id](np.random.default_rng([seed, *check_id.encode()]), spec)
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


def test_sparse_differences_are_the_full_ones_at_their_entries():
    rng = np.random.default_rng(SEED)
    args = [rng.standard_normal((3, 4, 5)), rng.standard_normal(7), {"p": 2}]

    def scalar(a):
        return float(np.sum(np.sin(a[0])) * np.sum(a[1] ** a[2]["p"]))

    entries = chosen_entries(rng, args, [0, 1], 6)
    assert sorted(entries) == [0, 1] and all(len(set(e)) == 6 for e in entries.values())
    full = central_differences(scalar, args, [0, 1], 1e-5)
    sparse = central_differences(scalar, args, [0, 1], 1e-5, entries)
    outputs = {}
    child.central_values(scalar, args, [0, 1], 1e-5, outputs, entries_param(entries))
    for i in (0, 1):
        for k, sign in enumerate(("plus", "minus")):
            assert np.array_equal(sparse[i][k], full[i][k].reshape(-1)[entries[i]]), ("CS231N_TEST_SEED=%d" % SEED)
            assert np.array_equal(outputs["%s/%d" % (sign, i)], sparse[i][k])  # the child's twin agrees


def test_arguments_no_larger_than_the_count_are_perturbed_whole():
    rng = np.random.default_rng(SEED)
    args = [np.zeros(40), np.zeros((2, 3)), np.zeros(41)]
    assert sorted(chosen_entries(rng, args, [0, 1, 2], 40)) == [2]
    assert chosen_entries(rng, args, [0, 1, 2], 0) == {}


def test_the_sparse_convnet_check_draws_secret_entries_and_catches_a_wrong_gradient():
    judge, outputs = prepared("cnn_gradcheck", SEED)
    spec = load_rubric().by_id()["cnn_gradcheck"]
    assert spec.entries > 0
    # The parameters in name order: W1, W2, W3, b1, b2, b3. W2 (192 x 7) is sampled, b1 (3,) is whole.
    assert outputs["plus/1"].shape == (spec.entries,) and outputs["plus/3"].shape == (3,)
    assert verdict(judge, outputs).passed
    job_a = ASSIGNMENT.checks()["cnn_gradcheck"](np.random.default_rng([SEED, 1]), spec)[0]
    job_b = ASSIGNMENT.checks()["cnn_gradcheck"](np.random.default_rng([SEED, 2]), spec)[0]
    assert job_a.params["entries"]["1"] != job_b.params["entries"]["1"]  # the seed chooses them
    wrong = dict(outputs, **{"analytic/W2": 2.0 * outputs["analytic/W2"]})
    v = verdict(judge, wrong)
    assert not v.passed and "W2" in v.message, ("CS231N_TEST_SEED=%d" % SEED, v.message)


def test_entries_zero_perturbs_every_entry():
    judge, outputs = prepared("conv_relu", SEED, entries=0)
    assert outputs["plus/0"].shape == (2, 3, 8, 8)
    assert verdict(judge, outputs).passed, "CS231N_TEST_SEED=%d" % SEED
