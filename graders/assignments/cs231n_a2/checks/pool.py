"""Naive max pooling: forward and backward on hidden inputs, and the numeric gradient check."""
import numpy as np

from graders.checks import check, patterns
from graders.checks.compare import Tally
from graders.checks.gradcheck import chosen_entries, layer_gradcheck

from ..reference.cs231n.layers import max_pool_backward_naive, max_pool_forward_naive
from . import suspects
from .jobs import LAYERS, describe_case, layer_job

FORWARD_TOLERANCE = 1e-9  # the forward pass must agree this well before its gradient check counts

# (pool_height, pool_width, stride): tiling, overlapping, non-square, stride 1, stride 3.
GEOMETRIES = [(2, 2, 2), (3, 3, 2), (2, 3, 1), (3, 2, 3)]


def distinct_values(rng, shape):
    """Shuffled, evenly spaced values: no ties, so every window has one maximum
    and finite differences never cross from one maximum to another."""
    return rng.permutation(np.linspace(-3, 3, int(np.prod(shape)))).reshape(shape)


def draw_case(rng, ph, pw, stride):
    N, C = rng.integers(1, 4), rng.integers(1, 4)
    H = ph + stride * int(rng.integers(1, 4))
    W = pw + stride * int(rng.integers(1, 4))
    x = distinct_values(rng, (N, C, H, W))
    param = {"pool_height": ph, "pool_width": pw, "stride": stride}
    out, _ = max_pool_forward_naive(x, param)
    return {"args": [x, param], "dout": rng.standard_normal(out.shape)}


def draw_cases(rng):
    return [draw_case(rng, *geometry) for geometry in GEOMETRIES]


@check("max_pool_forward", fast_path=False)
def max_pool_forward(rng, spec):
    cases = draw_cases(rng)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, case in enumerate(cases):
            expected, _ = max_pool_forward_naive(*case["args"])
            tally.add("out of case %d %s" % (i, describe_case(case)), outputs.get("case%d/fwd/0" % i, "out"), expected,
                      suspects=suspects.pool_forward(*case["args"]))
        return tally.verdict()

    return layer_job("max_pool_forward_naive", cases), judge


@check("max_pool_backward", fast_path=False)
def max_pool_backward(rng, spec):
    cases = draw_cases(rng)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, case in enumerate(cases):
            _, cache = max_pool_forward_naive(*case["args"])
            expected = max_pool_backward_naive(case["dout"], cache)
            x, param = case["args"]
            tally.add("dx of case %d %s" % (i, describe_case(case)), outputs.get("case%d/bwd" % i, "dx"), expected,
                      suspects=suspects.pool_backward(x, case["dout"], param),
                      locate=lambda a, e, x=x, param=param: patterns.overlap_only(a, e, suspects.window_coverage(
                          *x.shape[2:], param["pool_height"], param["pool_width"], param["stride"])))
        return tally.verdict()

    return layer_job("max_pool_forward_naive", cases, backward="max_pool_backward_naive"), judge


@check("max_pool_backward_numeric", fast_path=False)
def max_pool_backward_numeric(rng, spec):
    # The notebook's shapes: x (3, 2, 8, 8), 2x2 pooling with stride 2.
    x = distinct_values(rng, (3, 2, 8, 8))
    dout = rng.standard_normal((3, 2, 4, 4))
    param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    return layer_gradcheck(LAYERS, "max_pool_forward_naive", "max_pool_backward_naive",
                           (max_pool_forward_naive, max_pool_backward_naive), [x, param], dout, {0: (None, "dx")},
                           tolerance=spec.tolerance, forward_tolerance=FORWARD_TOLERANCE,
                           entries=chosen_entries(rng, [x], [0], spec.entries))
