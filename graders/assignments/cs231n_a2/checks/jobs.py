"""Builders for the child jobs this assignment's checks share (see graders/checks/calls.py
for the cases they take)."""
import functools
import numpy as np

from graders.checks import Job, calls
from graders.checks.calls import describe_case  # noqa: F401  (the checks import it from here)

from . import suspects

LAYERS = "cs231n.layers."


def layer_job(forward, cases, backward=None, module=LAYERS):
    """calls.layer_job on the student's layers module."""
    return calls.layer_job(module, forward, cases, backward)


def call_modes(count, test_last):
    """The mode of each call of a sequence: train, then test for the last one if test_last."""
    return ["test" if test_last and k == count - 1 else "train" for k in range(count)]


def running_average_job(forward, xs, gamma, beta, momentum, test_last=True):
    """Train-mode calls of a batchnorm-style forward on xs[:-1], then a test-mode call on xs[-1]
    (or train-mode calls on every x, test_last=False).

    All calls share one bn_param dict, as in the notebook; each call's output is step{k}/0
    and the dict's running averages after it are dict/step{k}/bn_param/<key>.
    """
    arrays = {"gamma": gamma, "beta": beta}
    calls = []
    for k, (x, mode) in enumerate(zip(xs, call_modes(len(xs), test_last))):
        arrays["x%d" % k] = x
        calls.append({
            "function": LAYERS + forward,
            "args": [{"array": "x%d" % k}, {"array": "gamma"}, {"array": "beta"}, {"dict": "bn_param"}],
            "save": "step%d" % k,
            "update": {"bn_param": {"mode": mode}},
            "export_dicts": ["bn_param"],
        })
    return Job("calls", {"dicts": {"bn_param": {"momentum": momentum}}, "calls": calls}, arrays)


def judge_running_averages(tally, outputs, reference_forward, xs, gamma, beta, momentum, test_last=True):
    """Replay running_average_job with the reference; returns the reference's caches."""
    bn_param, caches = {"momentum": momentum}, []
    # The suspect "momentum reversed" is replayed only if a running average turns out wrong.
    reversed_momentum = functools.lru_cache(maxsize=1)(
        lambda: replay_running_averages(reference_forward, xs, gamma, beta, 1.0 - momentum, test_last))
    for k, (x, mode) in enumerate(zip(xs, call_modes(len(xs), test_last))):
        bn_param["mode"] = mode
        expected, cache = reference_forward(x, gamma, beta, bn_param)
        caches.append(cache)
        label = "%s-mode call %d" % (bn_param["mode"], k + 1)
        tally.add("out of the %s" % label, outputs.get("step%d/0" % k, "out"), expected,
                  suspects=suspects.batchnorm(x, gamma, beta, bn_param["mode"]))
        for key in ("running_mean", "running_var"):
            actual = outputs.get("dict/step%d/bn_param/%s" % (k, key), "bn_param['%s']" % key)
            tally.add("bn_param['%s'] after the %s" % (key, label), actual, bn_param[key],
                      suspects=suspects.running_average(key, lambda k=k: reversed_momentum()[k]))
    return caches


def replay_running_averages(reference_forward, xs, gamma, beta, momentum, test_last=True):
    """The running averages after each call of the sequence, computed with the given momentum."""
    bn_param, states = {"momentum": momentum}, []
    for x, mode in zip(xs, call_modes(len(xs), test_last)):
        bn_param["mode"] = mode
        reference_forward(x, gamma, beta, bn_param)
        states.append({key: np.copy(bn_param[key]) for key in ("running_mean", "running_var")})
    return states
