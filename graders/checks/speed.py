"""The notebook's fast-layers section: fast and naive layers agree; speed-ups are reported.

The child times the student's naive layers and the provided fast ones on the
notebook's shapes (medians of repeats) and traces whether the naive layers
call into the fast path. Agreement is scored; speed-ups and the trace are only
reported (metrics and flags), never scored.
"""
from cs231n.fast_layers import (
    conv_backward_fast,
    conv_forward_fast,
    max_pool_backward_fast,
    max_pool_forward_fast,
)

from . import Job, check
from .compare import Tally

NAIVE_REPEATS, FAST_REPEATS = 3, 7
PAIRS = {  # naive case -> the fast case timed against it
    "conv_forward_naive": "conv_forward_fast",
    "conv_backward_naive": "conv_backward_fast",
    "max_pool_forward_naive": "max_pool_forward_fast",
    "max_pool_backward_naive": "max_pool_backward_fast",
}


def timed(module, function, args, repeats, cache_from=None):
    case = {"function": "cs231n.%s.%s" % (module, function), "args": args, "save": function,
            "repeats": repeats, "trace": module == "layers"}
    if cache_from:
        case["args"] = [args[0], {"result": cache_from, "index": 1}]
    return case


def cases():
    conv = [{"array": "conv_x"}, {"array": "conv_w"}, {"array": "conv_b"}, {"value": {"stride": 2, "pad": 1}}]
    pool = [{"array": "pool_x"}, {"value": {"pool_height": 2, "pool_width": 2, "stride": 2}}]
    out = []
    for kind, module, repeats in (("naive", "layers", NAIVE_REPEATS), ("fast", "fast_layers", FAST_REPEATS)):
        out += [
            timed(module, "conv_forward_" + kind, conv, repeats),
            timed(module, "conv_backward_" + kind, [{"array": "conv_dout"}], repeats, "conv_forward_" + kind),
            timed(module, "max_pool_forward_" + kind, pool, repeats),
            timed(module, "max_pool_backward_" + kind, [{"array": "pool_dout"}], repeats, "max_pool_forward_" + kind),
        ]
    return out


@check("fast_layers")
def fast_layers(rng, spec):
    # The notebook's shapes: conv x (100, 3, 31, 31), w (25, 3, 3, 3), stride 2, pad 1; pool 2x2 on (100, 3, 32, 32).
    arrays = {
        "conv_x": rng.standard_normal((100, 3, 31, 31)), "conv_w": rng.standard_normal((25, 3, 3, 3)),
        "conv_b": rng.standard_normal(25), "conv_dout": rng.standard_normal((100, 25, 16, 16)),
        "pool_x": rng.standard_normal((100, 3, 32, 32)), "pool_dout": rng.standard_normal((100, 3, 16, 16)),
    }
    # A case is repeated only while its runs so far took under 2 s: a slow naive layer runs once.
    job = Job("speed", {"cases": cases(), "budget_seconds": 2.0}, arrays)

    def judge(outputs):
        tally = Tally(spec.tolerance)
        conv_param = {"stride": 2, "pad": 1}
        out, cache = conv_forward_fast(arrays["conv_x"], arrays["conv_w"], arrays["conv_b"], conv_param)
        tally.add("conv_forward_naive out", outputs.get("conv_forward_naive/0", "conv_forward_naive out"), out)
        grads = conv_backward_fast(arrays["conv_dout"], cache)
        for k, name in enumerate(("dx", "dw", "db")):
            tally.add("conv_backward_naive " + name, outputs.get("conv_backward_naive/%d" % k, name), grads[k])
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
        out, cache = max_pool_forward_fast(arrays["pool_x"], pool_param)
        tally.add("max_pool_forward_naive out", outputs.get("max_pool_forward_naive/0", "max_pool_forward_naive out"), out)
        dx = max_pool_backward_fast(arrays["pool_dout"], cache)
        tally.add("max_pool_backward_naive dx", outputs.get("max_pool_backward_naive", "max_pool_backward_naive dx"), dx)
        verdict = tally.verdict()
        verdict.details.update(speedups(outputs.meta))
        return verdict

    return job, judge


def speedups(meta):
    """Speed-ups naive/fast from the child's timings (reported by the child, not trusted)."""
    timings = meta.get("timings") if isinstance(meta.get("timings"), dict) else {}
    result = {}
    for naive, fast in PAIRS.items():
        t_naive, t_fast = timings.get(naive), timings.get(fast)
        if isinstance(t_naive, (int, float)) and isinstance(t_fast, (int, float)) and t_fast > 0:
            result[naive] = {"naive_seconds": float(t_naive), "fast_seconds": float(t_fast), "speedup": float(t_naive) / float(t_fast)}
    calls = meta.get("fast_path_calls")
    return {"speedups": result, "fast_path_calls": [str(c) for c in calls][:50] if isinstance(calls, list) else []}
