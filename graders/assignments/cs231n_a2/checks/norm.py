"""Spatial batch and group normalisation: forward, backward, numeric gradient checks."""
from graders.checks import check
from graders.checks.compare import Tally
from graders.checks.gradcheck import chosen_entries, layer_gradcheck

from ..reference.cs231n.layers import (
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
    spatial_groupnorm_backward,
    spatial_groupnorm_forward,
)
from . import suspects
from .jobs import LAYERS, describe_case, judge_running_averages, layer_job, running_average_job

TRAIN_STEPS = 3
GRADS = {0: (0, "dx"), 1: (1, "dgamma"), 2: (2, "dbeta")}
# The forward pass must agree this well (its own check's tolerance) before its gradient check counts.
BATCHNORM_FORWARD_TOLERANCE, GROUPNORM_FORWARD_TOLERANCE = 1e-6, 1e-5


def draw_x(rng, shape, scale=4.0, shift=10.0):
    return scale * rng.standard_normal(shape) + shift


def batchnorm_sequence(rng):
    """Inputs for several train-mode calls followed by one test-mode call."""
    N, C, H, W = rng.integers(2, 5), rng.integers(2, 6), rng.integers(2, 6), rng.integers(2, 6)
    xs = [draw_x(rng, (N, C, H, W), 2.5, 7.0) for _ in range(TRAIN_STEPS + 1)]
    return xs, rng.standard_normal(C), rng.standard_normal(C), float(rng.uniform(0.7, 0.95))


@check("spatial_batchnorm_forward")
def spatial_batchnorm_forward_check(rng, spec):
    xs, gamma, beta, momentum = batchnorm_sequence(rng)
    job = running_average_job("spatial_batchnorm_forward", xs, gamma, beta, momentum)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        judge_running_averages(tally, outputs, spatial_batchnorm_forward, xs, gamma, beta, momentum)
        return tally.verdict()

    return job, judge


@check("spatial_batchnorm_backward")
def spatial_batchnorm_backward_check(rng, spec):
    xs, gamma, beta, _ = batchnorm_sequence(rng)
    case = {"args": [xs[0], gamma, beta, {"mode": "train"}], "dout": rng.standard_normal(xs[0].shape)}

    def judge(outputs):
        tally = Tally(spec.tolerance)
        _, cache = spatial_batchnorm_forward(*case["args"])
        expected = spatial_batchnorm_backward(case["dout"], cache)
        for k, name in enumerate(("dx", "dgamma", "dbeta")):
            tally.add(name, outputs.get("case0/bwd/%d" % k, name), expected[k])
        return tally.verdict()

    return layer_job("spatial_batchnorm_forward", [case], backward="spatial_batchnorm_backward"), judge


@check("spatial_batchnorm_backward_numeric")
def spatial_batchnorm_backward_numeric(rng, spec):
    # The notebook's shapes: (2, 3, 4, 5) with x = 5 randn + 12.
    x = draw_x(rng, (2, 3, 4, 5), 5.0, 12.0)
    args = [x, rng.standard_normal(3), rng.standard_normal(3), {"mode": "train"}]
    return layer_gradcheck(LAYERS, "spatial_batchnorm_forward", "spatial_batchnorm_backward",
                           (spatial_batchnorm_forward, spatial_batchnorm_backward), args,
                           rng.standard_normal(x.shape), GRADS, tolerance=spec.tolerance,
                           forward_tolerance=BATCHNORM_FORWARD_TOLERANCE,
                           entries=chosen_entries(rng, args, GRADS, spec.entries))


def groupnorm_cases(rng):
    """One case for each of G = 1, G = 2 and G = C (one channel per group)."""
    C = 2 * int(rng.integers(2, 4))
    cases = []
    for G in (1, 2, C):
        N, H, W = rng.integers(2, 4), rng.integers(2, 6), rng.integers(2, 6)
        # A small spread makes eps matter: adding it in the wrong place shows.
        x = draw_x(rng, (N, C, H, W), 0.1, 1.0)
        gamma, beta = rng.standard_normal((1, C, 1, 1)), rng.standard_normal((1, C, 1, 1))
        cases.append({"args": [x, gamma, beta, G, {}], "dout": rng.standard_normal(x.shape)})
    return cases


@check("spatial_groupnorm_forward")
def spatial_groupnorm_forward_check(rng, spec):
    cases = groupnorm_cases(rng)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, case in enumerate(cases):
            expected, _ = spatial_groupnorm_forward(*case["args"])
            tally.add("out with G=%d %s" % (case["args"][3], describe_case(case)), outputs.get("case%d/fwd/0" % i, "out"),
                      expected, suspects=suspects.spatial_groupnorm(*case["args"][:4]))
        return tally.verdict()

    return layer_job("spatial_groupnorm_forward", cases), judge


@check("spatial_groupnorm_backward")
def spatial_groupnorm_backward_check(rng, spec):
    cases = groupnorm_cases(rng)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, case in enumerate(cases):
            _, cache = spatial_groupnorm_forward(*case["args"])
            expected = spatial_groupnorm_backward(case["dout"], cache)
            C = case["args"][0].shape[1]
            for k, name in enumerate(("dx", "dgamma", "dbeta")):
                # The course documented dgamma and dbeta as (C,) in some years, (1, C, 1, 1) in others.
                shapes = [(C,)] if k else None
                tally.add("%s with G=%d" % (name, case["args"][3]), outputs.get("case%d/bwd/%d" % (i, k), name), expected[k], shapes)
        return tally.verdict()

    return layer_job("spatial_groupnorm_forward", cases, backward="spatial_groupnorm_backward"), judge


@check("spatial_groupnorm_backward_numeric")
def spatial_groupnorm_backward_numeric(rng, spec):
    # The notebook's shapes, (2, 6, 4, 5) with G = 2; a small spread, as above.
    x = draw_x(rng, (2, 6, 4, 5), 0.1, 1.0)
    args = [x, rng.standard_normal((1, 6, 1, 1)), rng.standard_normal((1, 6, 1, 1)), 2, {}]
    # The course documented dgamma and dbeta as (C,) in some years, (1, C, 1, 1) in others.
    return layer_gradcheck(LAYERS, "spatial_groupnorm_forward", "spatial_groupnorm_backward",
                           (spatial_groupnorm_forward, spatial_groupnorm_backward), args,
                           rng.standard_normal(x.shape), GRADS, tolerance=spec.tolerance,
                           forward_tolerance=GROUPNORM_FORWARD_TOLERANCE,
                           shapes={"dgamma": [(6,)], "dbeta": [(6,)]},
                           entries=chosen_entries(rng, args, GRADS, spec.entries))
