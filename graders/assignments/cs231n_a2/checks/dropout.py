"""Inverted dropout: dropout_forward and dropout_backward.

Students draw the mask in several correct ways (np.random.rand(*x.shape) < p,
np.random.binomial(1, p, x.shape), rand > 1 - p, ...), so the same seed need not give the
reference's mask. The checks judge structure instead of equality with the reference:
  - dropout_forward: in train mode every output is 0 or x / p, the same seed gives the same
    output again, and test mode returns x;
  - dropout_keep_rate: the share of kept units is p over many units (the Dropout notebook's
    "fraction of train-time output set to zero" is 1 - p);
  - dropout_backward: dx is the gradient of the student's own seeded forward pass, which is
    linear in x with slope out / x, so dx = dout * out / x; in test mode dx = dout.
"""
import numpy as np

from graders.checks import Job, Verdict, check
from graders.checks.compare import Tally

LAYERS = "cs231n.layers."
NOTEBOOK_KEEP = (0.25, 0.4, 0.7)  # the Dropout notebook's p values


def hidden_keep(rng):
    """A keep probability away from 0.5, where keeping with 1 - p would not show."""
    return float(rng.choice([rng.uniform(0.1, 0.35), rng.uniform(0.65, 0.9)]))


def forward_cases(rng, rows=(280, 350)):
    """[(x, dropout_param)]: the notebook's x = randn + 10 at its p values, and a 4-D x at a hidden p."""
    cases = []
    for p in NOTEBOOK_KEEP:
        x = rng.standard_normal(tuple(int(n) for n in rng.integers(*rows, size=2))) + 10
        cases.append((x, {"mode": "train", "p": p, "seed": int(rng.integers(2**31))}))
    x = rng.standard_normal((int(rng.integers(30, 40)), 3, 32, 32)) + 10
    cases.append((x, {"mode": "train", "p": hidden_keep(rng), "seed": int(rng.integers(2**31))}))
    return cases


def forward_calls(cases, arrays, backward=False):
    """Train-mode calls case{i}, a repeat of case 0 (same seed) and a test-mode call per case."""
    calls = []
    for i, (x, param) in enumerate(cases):
        arrays["x%d" % i] = x
        calls.append({"function": LAYERS + "dropout_forward", "args": [{"array": "x%d" % i}, {"value": param}],
                      "save": "case%d" % i})
        calls.append({"function": LAYERS + "dropout_forward", "save": "test%d" % i,
                      "args": [{"array": "x%d" % i}, {"value": {"mode": "test", "p": param["p"]}}]})
        if backward:
            arrays["dout%d" % i] = np.random.default_rng(param["seed"]).standard_normal(x.shape)
            for mode in ("case", "test"):
                calls.append({"function": LAYERS + "dropout_backward", "save": "%s%d/back" % (mode, i),
                              "args": [{"array": "dout%d" % i}, {"result": "%s%d" % (mode, i), "index": 1}]})
    x, param = cases[0]
    calls.append({"function": LAYERS + "dropout_forward", "args": [{"array": "x0"}, {"value": param}], "save": "again"})
    return calls


def nearest_allowed(out, x, p):
    """Each output moved to the nearer of 0 and x / p: out itself when out is inverted dropout of x."""
    scaled = x / p
    return np.where(np.abs(out) <= np.abs(out - scaled), 0.0, scaled)


def label(param):
    return "p=%g" % param["p"]


@check("dropout_forward")
def dropout_forward_check(rng, spec):
    cases, arrays = forward_cases(rng), {}
    calls = forward_calls(cases, arrays)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, (x, param) in enumerate(cases):
            out = np.asarray(outputs.get("case%d/0" % i, "train-mode out"), dtype=np.float64)
            flat = out.reshape(x.shape) if out.size == x.size else np.zeros(x.shape)
            tally.add("train-mode out with %s (each 0 or x / p)" % label(param), out,
                      nearest_allowed(flat, x, param["p"]), suspects=[
                          ("The kept units are not divided by p: inverted dropout scales them by 1 / p in train "
                           "mode, so that test mode needs no scaling.", lambda flat=flat, x=x: np.where(flat != 0, x, 0.0))])
            tally.add("test-mode out with %s (x itself)" % label(param), outputs.get("test%d/0" % i, "test-mode out"), x)
        tally.add("train-mode out called again with the same seed", outputs.get("again/0", "out"),
                  outputs.get("case0/0", "out"))
        return tally.verdict()

    return Job("calls", {"calls": calls}, arrays), judge


@check("dropout_keep_rate")
def dropout_keep_rate(rng, spec):
    cases, arrays = forward_cases(rng), {}
    calls = forward_calls(cases, arrays)

    def judge(outputs):
        worst, where, messages = 0.0, None, []
        for i, (x, param) in enumerate(cases):
            out = np.asarray(outputs.get("case%d/0" % i, "train-mode out"))
            kept = float(np.mean(out != 0))
            messages.append("%s: kept %.3f" % (label(param), kept))
            if abs(kept - param["p"]) >= worst:
                worst, where = abs(kept - param["p"]), label(param)
        passed = worst <= spec.tolerance
        message = "kept share off p by %.3g at %s (tolerance %.2g); %s" % (worst, where, spec.tolerance, "; ".join(messages))
        diagnoses = [] if passed else keep_rate_diagnoses(cases, outputs)
        return Verdict(passed, worst, message, diagnoses=diagnoses)

    return Job("calls", {"calls": calls}, arrays), judge


def keep_rate_diagnoses(cases, outputs):
    kept = [float(np.mean(np.asarray(outputs.get("case%d/0" % i, "out")) != 0)) for i in range(len(cases))]
    if all(abs(k - (1 - param["p"])) < 0.02 for k, (_, param) in zip(kept, cases)):
        return ["Units are kept with probability 1 - p: p is the probability of keeping a unit, not of dropping it."]
    return []


@check("dropout_backward")
def dropout_backward_check(rng, spec):
    cases, arrays = forward_cases(rng, rows=(20, 40)), {}
    calls = forward_calls(cases, arrays, backward=True)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        for i, (x, param) in enumerate(cases):
            dout = arrays["dout%d" % i]
            out = np.asarray(outputs.get("case%d/0" % i, "train-mode out"), dtype=np.float64)
            slope = out.reshape(x.shape) / x if out.size == x.size else np.zeros(x.shape)
            tally.add("train-mode dx with %s (dout * out / x, from your forward pass)" % label(param),
                      outputs.get("case%d/back" % i, "train-mode dx"), dout * slope,
                      suspects=[("dx ignores the mask: multiply dout by the mask the forward pass kept in its cache.",
                                 lambda dout=dout: dout)])
            tally.add("test-mode dx with %s (dout itself)" % label(param), outputs.get("test%d/back" % i, "test-mode dx"), dout)
        return tally.verdict()

    return Job("calls", {"calls": calls}, arrays), judge
