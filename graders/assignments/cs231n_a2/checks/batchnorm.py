"""Batch and layer normalisation of (N, D) inputs: the BatchNormalization notebook's layers.

  - batchnorm_forward: train-mode calls sharing one bn_param (outputs and the running
    averages written back with a hidden momentum), and a call with bn_param's defaults;
  - batchnorm_test_mode: test-mode calls given running averages the grader chose, far from
    the batch's own statistics, which must normalise x;
  - batchnorm_backward, batchnorm_backward_alt, layernorm_backward: against the reference on
    hidden shapes, each fed the cache of the student's own forward pass, and against the
    numeric gradient of the student's forward pass (graders/checks/gradcheck.py);
  - layernorm_forward: against the reference on hidden shapes, with the default eps and another.
"""
import copy

import numpy as np

from graders.checks import Job, check
from graders.checks.compare import Tally
from graders.checks.gradcheck import chosen_entries, layer_gradcheck

from ..reference.cs231n.layers import (
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    layernorm_backward,
    layernorm_forward,
)
from . import suspects
from .jobs import LAYERS, describe_case, judge_running_averages, layer_job, running_average_job

TRAIN_CALLS = 3
GRADS = {0: (0, "dx"), 1: (1, "dgamma"), 2: (2, "dbeta")}
FORWARD_TOLERANCE = 1e-6  # the forward's own check's tolerance, before its gradient check counts
REFERENCE = {"batchnorm_backward": batchnorm_backward, "batchnorm_backward_alt": batchnorm_backward_alt}


def draw_x(rng, shape, scale=3.0, shift=5.0):
    return scale * rng.standard_normal(shape) + shift


def draw_shape(rng):
    """(N, D) with N >= 3: with two rows x_hat is +-1 whatever x, and dx is rounding noise."""
    return int(rng.integers(3, 9)), int(rng.integers(1, 7))


def train_sequence(rng):
    N, D = draw_shape(rng)
    xs = [draw_x(rng, (N, D)) for _ in range(TRAIN_CALLS)]
    return xs, rng.standard_normal(D), rng.standard_normal(D), float(rng.uniform(0.6, 0.85))


@check("batchnorm_forward")
def batchnorm_forward_check(rng, spec):
    xs, gamma, beta, momentum = train_sequence(rng)
    job = running_average_job("batchnorm_forward", xs, gamma, beta, momentum, test_last=False)
    # One more call with nothing but the mode: momentum 0.9, eps 1e-5 and zero running averages.
    plain = draw_x(rng, draw_shape(rng))
    plain_gamma, plain_beta = rng.standard_normal(plain.shape[1]), rng.standard_normal(plain.shape[1])
    job.arrays.update({"plain/x": plain, "plain/gamma": plain_gamma, "plain/beta": plain_beta})
    job.params["dicts"]["plain"] = {"mode": "train"}
    job.params["calls"].append({
        "function": LAYERS + "batchnorm_forward", "save": "plain", "export_dicts": ["plain"],
        "args": [{"array": "plain/x"}, {"array": "plain/gamma"}, {"array": "plain/beta"}, {"dict": "plain"}]})

    def judge(outputs):
        tally = Tally(spec.tolerance)
        judge_running_averages(tally, outputs, batchnorm_forward, xs, gamma, beta, momentum, test_last=False)
        bn_param = {"mode": "train"}
        expected, _ = batchnorm_forward(plain, plain_gamma, plain_beta, bn_param)
        tally.add("out with bn_param's defaults", outputs.get("plain/0", "out"), expected,
                  suspects=suspects.batchnorm(plain, plain_gamma, plain_beta, "train"))
        for key in ("running_mean", "running_var"):
            tally.add("bn_param['%s'] with the default momentum 0.9" % key,
                      outputs.get("dict/plain/plain/%s" % key, "bn_param['%s']" % key), bn_param[key])
        return tally.verdict()

    return job, judge


def test_mode_cases(rng):
    """Test-mode calls given running averages far from the batch's own statistics."""
    cases = []
    for eps in (None, 1e-3):
        N, D = draw_shape(rng)
        param = {"mode": "test", "running_mean": rng.standard_normal(D),
                 "running_var": rng.uniform(0.5, 3.0, D), "momentum": float(rng.uniform(0.6, 0.85))}
        if eps is not None:
            param["eps"] = eps
        cases.append({"x": draw_x(rng, (N, D)), "gamma": rng.standard_normal(D), "beta": rng.standard_normal(D),
                      "param": param})
    return cases


@check("batchnorm_test_mode")
def batchnorm_test_mode(rng, spec):
    cases, arrays, calls = test_mode_cases(rng), {}, []
    for i, case in enumerate(cases):
        for name in ("x", "gamma", "beta"):
            arrays["case%d/%s" % (i, name)] = case[name]
        mapping = {}
        for key, value in case["param"].items():
            if isinstance(value, np.ndarray):
                arrays["case%d/%s" % (i, key)] = value
                mapping[key] = {"array": "case%d/%s" % (i, key)}
            else:
                mapping[key] = {"value": value}
        calls.append({"function": LAYERS + "batchnorm_forward", "save": "case%d" % i,
                      "args": [{"array": "case%d/x" % i}, {"array": "case%d/gamma" % i},
                               {"array": "case%d/beta" % i}, {"mapping": mapping}]})

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, case in enumerate(cases):
            param = {k: np.copy(v) if isinstance(v, np.ndarray) else v for k, v in case["param"].items()}
            expected, _ = batchnorm_forward(case["x"], case["gamma"], case["beta"], param)
            label = "(%s; eps=%s)" % ("x".join(map(str, case["x"].shape)), param.get("eps", "default"))
            tally.add("test-mode out of case %d %s" % (i + 1, label), outputs.get("case%d/0" % i, "test-mode out"), expected,
                      suspects=suspects.batchnorm(case["x"], case["gamma"], case["beta"], "test"))
        return tally.verdict()

    return Job("calls", {"calls": calls}, arrays), judge


def backward_cases(rng, count=3):
    cases = []
    for _ in range(count):
        N, D = draw_shape(rng)
        cases.append({"args": [draw_x(rng, (N, D)), rng.standard_normal(D), rng.standard_normal(D), {"mode": "train"}],
                      "dout": rng.standard_normal((N, D))})
    return cases


def without_gamma(forward, backward, case):
    """dx of a backward pass that forgets the factor gamma (dx_hat = dout instead of gamma * dout)."""
    x, gamma = case["args"][0], case["args"][1]
    _, cache = forward(x, np.ones_like(gamma), np.zeros_like(gamma), *copy.deepcopy(case["args"][3:]))
    return backward(case["dout"], cache)[0]


def judge_backward(spec, cases, forward, backward):
    # Labels and arguments as drawn: the forward passes below write into their param dicts.
    labels = [describe_case(case) for case in cases]
    cases = copy.deepcopy(cases)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, case in enumerate(cases):
            _, cache = forward(*copy.deepcopy(case["args"]))
            expected = backward(case["dout"], cache)
            for k, name in enumerate(("dx", "dgamma", "dbeta")):
                found = [("dx is missing the factor gamma: the gradient reaches x_hat as gamma * dout.",
                          lambda case=case: without_gamma(forward, backward, case))] if k == 0 else []
                tally.add("%s of case %d %s" % (name, i + 1, labels[i]),
                          outputs.get("case%d/bwd/%d" % (i, k), name), expected[k], suspects=found)
        return tally.verdict()
    return judge


def register_backward(name):
    @check(name)
    def backward_check(rng, spec):
        cases = backward_cases(rng)
        return layer_job("batchnorm_forward", cases, backward=name), judge_backward(
            spec, cases, batchnorm_forward, REFERENCE[name])

    @check(name + "_numeric")
    def backward_numeric(rng, spec):
        # The notebook's shapes: N = 4, D = 5, x = 5 randn + 12.
        args = [draw_x(rng, (4, 5), 5.0, 12.0), rng.standard_normal(5), rng.standard_normal(5), {"mode": "train"}]
        return layer_gradcheck(LAYERS, "batchnorm_forward", name, (batchnorm_forward, REFERENCE[name]), args,
                               rng.standard_normal((4, 5)), GRADS, tolerance=spec.tolerance,
                               forward_tolerance=FORWARD_TOLERANCE,
                               entries=chosen_entries(rng, args, GRADS, spec.entries))


for _name in REFERENCE:
    register_backward(_name)


def layernorm_cases(rng, count=3):
    cases = []
    for k in range(count):
        N, D = int(rng.integers(1, 6)), int(rng.integers(3, 9))  # D >= 3: see draw_shape
        # A small spread in one case makes eps matter: adding it in the wrong place shows.
        x = draw_x(rng, (N, D), 0.05, 1.0) if k == 0 else draw_x(rng, (N, D))
        ln_param = {"eps": 1e-3} if k == 2 else {}
        cases.append({"args": [x, rng.standard_normal(D), rng.standard_normal(D), ln_param],
                      "dout": rng.standard_normal((N, D))})
    return cases


@check("layernorm_forward")
def layernorm_forward_check(rng, spec):
    cases = layernorm_cases(rng)
    labels = [describe_case(case) for case in cases]

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, case in enumerate(cases):
            expected, _ = layernorm_forward(*case["args"])
            tally.add("out of case %d %s" % (i + 1, labels[i]), outputs.get("case%d/fwd/0" % i, "out"),
                      expected, suspects=suspects.layernorm(*case["args"]))
        return tally.verdict()

    return layer_job("layernorm_forward", cases), judge


@check("layernorm_backward")
def layernorm_backward_check(rng, spec):
    cases = layernorm_cases(rng)
    return layer_job("layernorm_forward", cases, backward="layernorm_backward"), judge_backward(
        spec, cases, layernorm_forward, layernorm_backward)


@check("layernorm_backward_numeric")
def layernorm_backward_numeric(rng, spec):
    # The notebook's shapes: N = 4, D = 5, x = 5 randn + 12.
    args = [draw_x(rng, (4, 5), 5.0, 12.0), rng.standard_normal(5), rng.standard_normal(5), {}]
    return layer_gradcheck(LAYERS, "layernorm_forward", "layernorm_backward", (layernorm_forward, layernorm_backward),
                           args, rng.standard_normal((4, 5)), GRADS, tolerance=spec.tolerance,
                           forward_tolerance=FORWARD_TOLERANCE, entries=chosen_entries(rng, args, GRADS, spec.entries))
