"""Naive convolution: forward and backward on hidden inputs, and the numeric gradient check."""
from graders.checks import check, patterns
from graders.checks.compare import Tally
from graders.checks.gradcheck import chosen_entries, layer_gradcheck

from ..reference.cs231n.layers import conv_backward_naive, conv_forward_naive
from . import suspects
from .jobs import LAYERS, describe_case, layer_job

FORWARD_TOLERANCE = 1e-6  # the forward pass must agree this well before its gradient check counts

# (stride, pad, input shape, kernel shape): every run draws fresh sizes for each, with the
# shapes' orientation fixed, so a bug that shows for wide inputs shows in every run.
GEOMETRIES = [(1, 1, "square", "square"), (2, 0, "wide", "wide"), (3, 2, "tall", "square"), (1, 0, "square", "tall")]


def draw_sides(rng, shape, low, high):
    """(height, width) in [low, high) with the given orientation: square, tall or wide."""
    a = int(rng.integers(low, high))
    if shape == "square":
        return a, a
    b = int(rng.integers(a + 1, high + 1))
    return (b, a) if shape == "tall" else (a, b)


def draw_case(rng, stride, pad, x_shape, w_shape):
    """Random conv inputs whose filter fits a whole number of strides (the notebook's assumption)."""
    N, C, F = rng.integers(2, 4), rng.integers(1, 4), rng.integers(2, 5)
    HH, WW = draw_sides(rng, w_shape, 1, 4)
    H, W = draw_sides(rng, x_shape, max(HH, WW), 8)
    # Grow H and W until (H + 2 pad - HH) is a multiple of the stride.
    H += (-(H + 2 * pad - HH)) % stride
    W += (-(W + 2 * pad - WW)) % stride
    while (x_shape == "tall" and H <= W) or (x_shape == "wide" and W <= H):
        if x_shape == "tall":
            H += stride
        else:
            W += stride
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((F, C, HH, WW))
    b = rng.standard_normal(F)
    param = {"stride": stride, "pad": pad}
    out, _ = conv_forward_naive(x, w, b, param)
    return {"args": [x, w, b, param], "dout": rng.standard_normal(out.shape)}


def draw_cases(rng):
    return [draw_case(rng, *geometry) for geometry in GEOMETRIES]


@check("conv_forward", fast_path=False)
def conv_forward(rng, spec):
    cases = draw_cases(rng)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, case in enumerate(cases):
            expected, _ = conv_forward_naive(*case["args"])
            actual = outputs.get("case%d/fwd/0" % i, "out")
            tally.add("out of case %d %s" % (i, describe_case(case)), actual, expected,
                      suspects=suspects.conv_forward(*case["args"]))
        return tally.verdict()

    return layer_job("conv_forward_naive", cases), judge


@check("conv_backward", fast_path=False)
def conv_backward(rng, spec):
    cases = draw_cases(rng)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, case in enumerate(cases):
            _, cache = conv_forward_naive(*case["args"])
            expected = conv_backward_naive(case["dout"], cache)
            for k, name in enumerate(("dx", "dw", "db")):
                actual = outputs.get("case%d/bwd/%d" % (i, k), name)
                tally.add("%s of case %d %s" % (name, i, describe_case(case)), actual, expected[k],
                          locate=overlaps(case) if name == "dx" else None)
        return tally.verdict()

    return layer_job("conv_forward_naive", cases, backward="conv_backward_naive"), judge


def overlaps(case):
    """locate() for dx: names the bug when dx is wrong only where the filter's windows overlap."""
    x, w, _, param = case["args"]
    # The windows are counted only when dx turned out wrong.
    return lambda actual, expected: patterns.overlap_only(
        actual, expected, suspects.window_coverage(*x.shape[2:], *w.shape[2:], param["stride"], param["pad"]))


@check("conv_backward_numeric", fast_path=False)
def conv_backward_numeric(rng, spec):
    # The notebook's shapes: x (4, 3, 5, 5), w (2, 3, 3, 3), stride 1, pad 1.
    x, w, b = rng.standard_normal((4, 3, 5, 5)), rng.standard_normal((2, 3, 3, 3)), rng.standard_normal(2)
    dout = rng.standard_normal((4, 2, 5, 5))
    grads = {0: (0, "dx"), 1: (1, "dw"), 2: (2, "db")}
    return layer_gradcheck(LAYERS, "conv_forward_naive", "conv_backward_naive",
                           (conv_forward_naive, conv_backward_naive), [x, w, b, {"stride": 1, "pad": 1}], dout,
                           grads, tolerance=spec.tolerance, forward_tolerance=FORWARD_TOLERANCE,
                           entries=chosen_entries(rng, [x, w, b], grads, spec.entries))
