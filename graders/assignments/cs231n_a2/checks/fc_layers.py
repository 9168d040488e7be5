"""The FullyConnectedNets notebook's layers: affine, ReLU and the softmax loss.

Forward and backward passes are compared with the reference on hidden inputs of drawn
shapes (affine inputs of 2 to 4 dimensions, flattened by the layer); the backward passes
also get the notebook's numeric gradient check (graders/checks/gradcheck.py).
"""
import numpy as np

from graders.checks import check
from graders.checks.compare import Tally
from graders.checks.gradcheck import layer_gradcheck

from ..reference.cs231n.layers import affine_backward, affine_forward, relu_backward, relu_forward, softmax_loss
from .jobs import LAYERS, describe_case, layer_job

FORWARD_TOLERANCE = 1e-9  # the forward pass must agree this well before its gradient check counts


def affine_case(rng, trailing):
    """x of shape (N, *trailing), w (prod(trailing), M), b (M,) and an upstream gradient."""
    N, M = int(rng.integers(2, 6)), int(rng.integers(2, 7))
    x = rng.standard_normal((N,) + tuple(trailing))
    w = rng.standard_normal((int(np.prod(trailing)), M))
    b = rng.standard_normal(M)
    return {"args": [x, w, b], "dout": rng.standard_normal((N, M))}


def affine_cases(rng):
    """A flat input and inputs of three and four dimensions, each of drawn sizes."""
    sizes = [tuple(int(n) for n in rng.integers(2, 5, size=k)) for k in (1, 2, 3)]
    return [affine_case(rng, trailing) for trailing in sizes]


def away_from_zero(rng, shape):
    """Normal entries at least 0.1 from zero: a finite difference never crosses ReLU's kink,
    and no entry is exactly 0, where the course leaves the gradient's choice open."""
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < 0.1, np.sign(x + 1e-12) * 0.1 + x, x)


def relu_cases(rng):
    shapes = [(int(rng.integers(2, 6)), int(rng.integers(2, 9))), tuple(int(n) for n in rng.integers(2, 5, size=4))]
    return [{"args": [away_from_zero(rng, s)], "dout": rng.standard_normal(s)} for s in shapes]


@check("affine_forward")
def affine_forward_check(rng, spec):
    cases = affine_cases(rng)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, case in enumerate(cases):
            expected, _ = affine_forward(*case["args"])
            tally.add("out of case %d %s" % (i, describe_case(case)), outputs.get("case%d/fwd/0" % i, "out"), expected)
        return tally.verdict()

    return layer_job("affine_forward", cases), judge


@check("affine_backward")
def affine_backward_check(rng, spec):
    cases = affine_cases(rng)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, case in enumerate(cases):
            _, cache = affine_forward(*case["args"])
            expected = affine_backward(case["dout"], cache)
            for k, name in enumerate(("dx", "dw", "db")):
                tally.add("%s of case %d %s" % (name, i, describe_case(case)),
                          outputs.get("case%d/bwd/%d" % (i, k), name), expected[k])
        return tally.verdict()

    return layer_job("affine_forward", cases, backward="affine_backward"), judge


@check("affine_backward_numeric")
def affine_backward_numeric(rng, spec):
    # The notebook's shapes: x (10, 2, 3), w (6, 5), b (5,).
    x, w, b = rng.standard_normal((10, 2, 3)), rng.standard_normal((6, 5)), rng.standard_normal(5)
    dout = rng.standard_normal((10, 5))
    return layer_gradcheck(LAYERS, "affine_forward", "affine_backward", (affine_forward, affine_backward),
                           [x, w, b], dout, {0: (0, "dx"), 1: (1, "dw"), 2: (2, "db")},
                           tolerance=spec.tolerance, forward_tolerance=FORWARD_TOLERANCE)


@check("relu_forward")
def relu_forward_check(rng, spec):
    cases = relu_cases(rng)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, case in enumerate(cases):
            expected, _ = relu_forward(*case["args"])
            tally.add("out of case %d %s" % (i, describe_case(case)), outputs.get("case%d/fwd/0" % i, "out"), expected)
        return tally.verdict()

    return layer_job("relu_forward", cases), judge


@check("relu_backward")
def relu_backward_check(rng, spec):
    cases = relu_cases(rng)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, case in enumerate(cases):
            _, cache = relu_forward(*case["args"])
            tally.add("dx of case %d %s" % (i, describe_case(case)), outputs.get("case%d/bwd" % i, "dx"),
                      relu_backward(case["dout"], cache))
        return tally.verdict()

    return layer_job("relu_forward", cases, backward="relu_backward"), judge


@check("relu_backward_numeric")
def relu_backward_numeric(rng, spec):
    # The notebook's shape, (10, 10), with no entry within 0.1 of the kink.
    x, dout = away_from_zero(rng, (10, 10)), rng.standard_normal((10, 10))
    return layer_gradcheck(LAYERS, "relu_forward", "relu_backward", (relu_forward, relu_backward),
                           [x], dout, {0: (None, "dx")}, tolerance=spec.tolerance, forward_tolerance=FORWARD_TOLERANCE)


def softmax_cases(rng):
    """Scores of drawn sizes: small ones (the notebook's 0.001 * randn) and spread-out ones."""
    cases = []
    for scale in (1e-3, 1.0, 8.0):
        N, C = int(rng.integers(3, 12)), int(rng.integers(2, 11))
        cases.append({"args": [scale * rng.standard_normal((N, C)), rng.integers(0, C, size=N)]})
    return cases


def softmax_suspects(x, y):
    """What a softmax loss summed instead of averaged over the minibatch would return."""
    loss, _ = softmax_loss(x, y)
    return [("The loss is summed over the minibatch: divide it by N, as the gradient is.",
             lambda: np.array(loss * x.shape[0]))]


@check("softmax_loss")
def softmax_loss_check(rng, spec):
    cases = softmax_cases(rng)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, case in enumerate(cases):
            loss, dx = softmax_loss(*case["args"])
            label = "case %d %s" % (i, describe_case(case))
            tally.add_scalar("loss of " + label, outputs.get("case%d/fwd/0" % i, "loss"), np.array(loss),
                             suspects=softmax_suspects(*case["args"]))
            tally.add("dx of " + label, outputs.get("case%d/fwd/1" % i, "dx"), dx)
        return tally.verdict()

    return layer_job("softmax_loss", cases), judge
