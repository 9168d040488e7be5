"""Builders for the child jobs most checks share.

A case is a dict with `args`: the forward's positional arguments in order
(numpy arrays become hidden inputs, anything else is passed as JSON), and
optionally `dout`, the upstream gradient for the backward pass.
"""
import numpy as np

from . import Job

LAYERS = "cs231n.layers."


def arg_specs(prefix, args, arrays):
    """Argument specs for the child, registering array arguments under prefix."""
    specs = []
    for j, value in enumerate(args):
        if isinstance(value, np.ndarray):
            name = "%s/arg%d" % (prefix, j)
            arrays[name] = value
            specs.append({"array": name})
        else:
            specs.append({"value": value})
    return specs


def layer_job(forward, cases, backward=None, module=LAYERS):
    """Run forward on every case (case{i}/fwd/...) and, if given, backward (case{i}/bwd/...)."""
    arrays, calls = {}, []
    for i, case in enumerate(cases):
        prefix = "case%d" % i
        calls.append({
            "function": module + forward,
            "args": arg_specs(prefix, case["args"], arrays),
            "save": prefix + "/fwd",
        })
        if backward:
            arrays[prefix + "/dout"] = case["dout"]
            calls.append({
                "function": module + backward,
                "args": [{"array": prefix + "/dout"}, {"result": prefix + "/fwd", "index": 1}],
                "save": prefix + "/bwd",
            })
    return Job("calls", {"calls": calls}, arrays)


def numgrad_job(forward, backward, args, dout, wrt, h=1e-5, module=LAYERS):
    """The notebook's numeric gradient check of a student's forward/backward pair."""
    arrays = {"dout": dout}
    params = {
        "forward": module + forward,
        "backward": module + backward,
        "args": arg_specs("in", args, arrays),
        "dout": "dout",
        "wrt": list(wrt),
        "h": h,
    }
    return Job("numgrad", params, arrays)


def judge_numgrad(tally, outputs, wrt_to_grad, names):
    """Compare numeric/<i> with analytic/<j> for every (i, j) in wrt_to_grad."""
    for (i, j), name in zip(wrt_to_grad, names):
        numeric = outputs.get("numeric/%d" % i, "the numeric gradient for %s" % name)
        analytic = outputs.get("analytic/%d" % j if j is not None else "analytic", name)
        tally.add(name, analytic, numeric)
    return tally.verdict()


def describe_case(case):
    """A short label for a case, for messages: shapes and scalar parameters."""
    parts = []
    for value in case["args"]:
        if isinstance(value, np.ndarray):
            parts.append("x".join(map(str, value.shape)))
        elif isinstance(value, dict):
            parts.append(", ".join("%s=%s" % kv for kv in sorted(value.items()) if not isinstance(kv[1], (list, dict))))
        else:
            parts.append(repr(value))
    return "(" + "; ".join(parts) + ")"
