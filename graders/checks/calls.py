"""Jobs of the child's "calls" task that many checks share, for any assignment.

A case is a dict with `args`: the forward's positional arguments in order
(numpy arrays become hidden inputs, anything else is passed as JSON), and
optionally `dout`, the upstream gradient for the backward pass.
"""
import numpy as np

from . import Job


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


def layer_job(module, forward, cases, backward=None):
    """Run module + forward (module: "package.layers.") on every case (case{i}/fwd/...) and, if
    given, module + backward (case{i}/bwd/...)."""
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
