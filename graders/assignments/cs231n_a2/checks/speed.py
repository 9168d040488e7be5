"""The notebook's fast-layers section: fast and naive layers agree; speed-ups are reported.

The child times the student's naive layers on the notebook's shapes (medians of
repeats) in the workspace's naive view, where the fast path is not there to call.
The provided fast layers are the grader's own code: they are timed once per grading
process, in a plain subprocess with one BLAS thread as the children have. Agreement
is scored; the speed-ups are only reported, never scored.
"""
import functools
import json
import os
import subprocess
import sys
import threading

from graders.checks import Figure, Job, check
from graders.checks.compare import Tally

from ..reference.cs231n import fast_layers as provided_fast_layers
from ..reference.cs231n.fast_layers import (
    conv_backward_fast,
    conv_forward_fast,
    max_pool_backward_fast,
    max_pool_forward_fast,
)

NAIVE_REPEATS, FAST_REPEATS = 3, 7
CONV_PARAM = {"stride": 2, "pad": 1}
POOL_PARAM = {"pool_height": 2, "pool_width": 2, "stride": 2}
PAIRS = {  # naive case -> the fast case timed against it
    "conv_forward_naive": "conv_forward_fast",
    "conv_backward_naive": "conv_backward_fast",
    "max_pool_forward_naive": "max_pool_forward_fast",
    "max_pool_backward_naive": "max_pool_backward_fast",
}


def cases():
    """The naive layers timed by the child, each backward pass on its forward pass's cache."""
    conv = [{"array": "conv_x"}, {"array": "conv_w"}, {"array": "conv_b"}, {"value": CONV_PARAM}]
    pool = [{"array": "pool_x"}, {"value": POOL_PARAM}]

    def timed(function, args):
        return {"function": "cs231n.layers." + function, "args": args, "save": function, "repeats": NAIVE_REPEATS}

    return [
        timed("conv_forward_naive", conv),
        timed("conv_backward_naive", [{"array": "conv_dout"}, {"result": "conv_forward_naive", "index": 1}]),
        timed("max_pool_forward_naive", pool),
        timed("max_pool_backward_naive", [{"array": "pool_dout"}, {"result": "max_pool_forward_naive", "index": 1}]),
    ]


@check("fast_layers", fast_path=False)
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
        out, cache = conv_forward_fast(arrays["conv_x"], arrays["conv_w"], arrays["conv_b"], CONV_PARAM)
        tally.add("conv_forward_naive out", outputs.get("conv_forward_naive/0", "conv_forward_naive out"), out)
        grads = conv_backward_fast(arrays["conv_dout"], cache)
        for k, name in enumerate(("dx", "dw", "db")):
            tally.add("conv_backward_naive " + name, outputs.get("conv_backward_naive/%d" % k, name), grads[k])
        out, cache = max_pool_forward_fast(arrays["pool_x"], POOL_PARAM)
        tally.add("max_pool_forward_naive out", outputs.get("max_pool_forward_naive/0", "max_pool_forward_naive out"), out)
        dx = max_pool_backward_fast(arrays["pool_dout"], cache)
        tally.add("max_pool_backward_naive dx", outputs.get("max_pool_backward_naive", "max_pool_backward_naive dx"), dx)
        verdict = tally.verdict()
        measured = speedups(outputs.meta)
        verdict.details["metrics"] = measured  # the result's metrics gather every check's
        verdict.figures.append(Figure("speedups", "Speed-ups of the fast layers",
                                      "bar chart of fast-layer speed-ups", measured))
        return verdict

    return job, judge


def speedups(meta):
    """Speed-ups naive/fast: the child's timings of the naive layers (reported by the child, not
    trusted) against the grader's own timings of the fast layers."""
    timings = meta.get("timings") if isinstance(meta.get("timings"), dict) else {}
    fast = fast_timings()
    result = {}
    for naive, fast_name in PAIRS.items():
        t_naive, t_fast = timings.get(naive), fast.get(fast_name)
        if isinstance(t_naive, (int, float)) and isinstance(t_fast, (int, float)) and t_fast > 0 and t_naive >= 0:
            result[naive] = {"naive_seconds": float(t_naive), "fast_seconds": float(t_fast),
                             "speedup": float(t_naive) / float(t_fast)}
    return {"speedups": result}


# Run by fast_timings() in a subprocess: medians of the fast layers on the notebook's shapes.
_TIMING_SCRIPT = """
import json, sys, time
sys.path.insert(0, sys.argv[2])  # run with -I: nothing but the grader's own installation
import numpy as np
from cs231n import fast_layers as f
repeats = int(sys.argv[1])
rng = np.random.default_rng(0)
x, w, b = rng.standard_normal((100, 3, 31, 31)), rng.standard_normal((25, 3, 3, 3)), rng.standard_normal(25)
px = rng.standard_normal((100, 3, 32, 32))
def median(fn):
    times = []
    for _ in range(repeats):
        start = time.perf_counter(); fn(); times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]
out, cache = f.conv_forward_fast(x, w, b, %(conv)r)
pout, pcache = f.max_pool_forward_fast(px, %(pool)r)
print(json.dumps({
    "conv_forward_fast": median(lambda: f.conv_forward_fast(x, w, b, %(conv)r)),
    "conv_backward_fast": median(lambda: f.conv_backward_fast(np.ones_like(out), cache)),
    "max_pool_forward_fast": median(lambda: f.max_pool_forward_fast(px, %(pool)r)),
    "max_pool_backward_fast": median(lambda: f.max_pool_backward_fast(np.ones_like(pout), pcache)),
}))
""" % {"conv": CONV_PARAM, "pool": POOL_PARAM}
_timing_lock = threading.Lock()


def fast_timings():
    """{fast function: median seconds}, measured once per process; {} if the measurement failed."""
    with _timing_lock:
        return dict(_measure_fast())


@functools.cache
def _measure_fast():
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(provided_fast_layers.__file__)))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    env.update({k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ})
    try:
        done = subprocess.run([sys.executable, "-I", "-c", _TIMING_SCRIPT, str(FAST_REPEATS), package_parent], env=env,
                              capture_output=True, text=True, timeout=120, check=True)
        return tuple(json.loads(done.stdout).items())
    except (OSError, subprocess.SubprocessError, ValueError):
        return ()
