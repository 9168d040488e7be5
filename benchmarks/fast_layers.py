"""Time cs231n's naive and fast conv / max-pool layers (and torch, if present).

Usage:
    python benchmarks/fast_layers.py [--repeats N] [--quick]

Cases: the assignment notebook's conv (x (100,3,31,31), w (25,3,3,3), stride 2,
pad 1) and pool (x (100,3,32,32), 2x2 stride 2), and the training network's
conv (x (50,3,32,32), w (32,3,7,7), stride 1, pad 3) and the 2x2 stride 2
pooling that follows it (input of the conv output's shape, (50,32,32,32));
each in float64 and float32, with random data.

Every number is the median wall time (time.perf_counter) over the repeats,
after one untimed warm-up call; the fwd+bwd rows add the two medians.
Backward passes are timed on their own: the forward pass (and, for torch, the
autograd graph) is built outside the timed region.  The naive convolution is
slow, so it gets at most 3 repeats, and --quick skips the naive layers.
Timings on a shared machine are noisy: run it on an otherwise idle one.

The reference package is the one installed with the grader (pip install the project):
it is imported from its assignment's folder, as the grader's checks import it.
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

from graders.assignments.cs231n_a2.reference.cs231n import fast_layers, layers

# Imported in main(), after numpy's BLAS has been inspected, so that
# threadpoolctl cannot mistake torch's BLAS for numpy's.
torch = torch_F = None

NAIVE_MAX_REPEATS = 3


def median_time(fn, repeats):
    """Median wall time of fn() in seconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# ---------------------------------------------------------------------------
# BLAS / thread information
# ---------------------------------------------------------------------------

def numpy_blas_info():
    """(description, number of BLAS threads) for numpy's BLAS."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        threadpool_info = None
    if threadpool_info is not None:
        blas = [p for p in threadpool_info() if p.get("user_api") == "blas"]
        if blas:
            p = blas[0]
            desc = "%s %s (%s), via threadpoolctl" % (
                p.get("internal_api"), p.get("version"), p.get("architecture"))
            return desc, int(p.get("num_threads"))
    # Without threadpoolctl: numpy's build configuration and the usual
    # environment variables (OpenBLAS/MKL default to one thread per CPU).
    desc = "unknown"
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        desc = "%s %s (np.show_config)" % (blas.get("name"), blas.get("version"))
    except (TypeError, KeyError):
        pass
    for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return desc + ", threads from $" + var, int(os.environ[var])
    return desc + ", threads assumed = CPU count", os.cpu_count() or 1


# ---------------------------------------------------------------------------
# One benchmark case = forward and backward of one layer in one dtype
# ---------------------------------------------------------------------------

def time_conv(x, w, b, conv_param, repeats, run_naive):
    """{'fwd'|'bwd': {'naive'|'fast'|'torch': seconds}} for one convolution."""
    times = {"fwd": {}, "bwd": {}}
    out, cache = fast_layers.conv_forward_fast(x, w, b, conv_param)
    dout = np.random.default_rng(1).standard_normal(out.shape).astype(x.dtype)

    times["fwd"]["fast"] = median_time(
        lambda: fast_layers.conv_forward_fast(x, w, b, conv_param), repeats)
    times["bwd"]["fast"] = median_time(
        lambda: fast_layers.conv_backward_fast(dout, cache), repeats)

    if run_naive:
        naive_repeats = min(repeats, NAIVE_MAX_REPEATS)
        _, naive_cache = layers.conv_forward_naive(x, w, b, conv_param)
        times["fwd"]["naive"] = median_time(
            lambda: layers.conv_forward_naive(x, w, b, conv_param), naive_repeats)
        times["bwd"]["naive"] = median_time(
            lambda: layers.conv_backward_naive(dout, naive_cache), naive_repeats)

    if torch is not None:
        tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        kwargs = dict(stride=conv_param["stride"], padding=conv_param["pad"])
        times["fwd"]["torch"] = median_time(
            lambda: torch_F.conv2d(tx, tw, tb, **kwargs), repeats)
        tout = torch_F.conv2d(tx, tw, tb, **kwargs)
        tdout = torch.from_numpy(dout)
        times["bwd"]["torch"] = median_time(
            lambda: torch.autograd.grad(tout, (tx, tw, tb), tdout, retain_graph=True),
            repeats)
    return times


def time_pool(x, pool_param, repeats, run_naive):
    """{'fwd'|'bwd': {'naive'|'fast'|'torch': seconds}} for one max pooling."""
    times = {"fwd": {}, "bwd": {}}
    out, cache = fast_layers.max_pool_forward_fast(x, pool_param)
    dout = np.random.default_rng(1).standard_normal(out.shape).astype(x.dtype)

    times["fwd"]["fast"] = median_time(
        lambda: fast_layers.max_pool_forward_fast(x, pool_param), repeats)
    times["bwd"]["fast"] = median_time(
        lambda: fast_layers.max_pool_backward_fast(dout, cache), repeats)

    if run_naive:
        _, naive_cache = layers.max_pool_forward_naive(x, pool_param)
        times["fwd"]["naive"] = median_time(
            lambda: layers.max_pool_forward_naive(x, pool_param), repeats)
        times["bwd"]["naive"] = median_time(
            lambda: layers.max_pool_backward_naive(dout, naive_cache), repeats)

    if torch is not None:
        tx = torch.tensor(x, requires_grad=True)
        kernel = (pool_param["pool_height"], pool_param["pool_width"])
        stride = pool_param["stride"]
        times["fwd"]["torch"] = median_time(
            lambda: torch_F.max_pool2d(tx, kernel, stride), repeats)
        tout = torch_F.max_pool2d(tx, kernel, stride)
        tdout = torch.from_numpy(dout)
        times["bwd"]["torch"] = median_time(
            lambda: torch.autograd.grad(tout, (tx,), tdout, retain_graph=True),
            repeats)
    return times


def make_cases():
    """(name, kind, shapes and params) of the benchmark cases."""
    return [
        ("conv 100x3x31x31 * 25x3x3x3 s2 p1", "conv",
         ((100, 3, 31, 31), (25, 3, 3, 3), {"stride": 2, "pad": 1})),
        ("pool 100x3x32x32 2x2 s2", "pool",
         ((100, 3, 32, 32), {"pool_height": 2, "pool_width": 2, "stride": 2})),
        ("conv 50x3x32x32 * 32x3x7x7 s1 p3", "conv",
         ((50, 3, 32, 32), (32, 3, 7, 7), {"stride": 1, "pad": 3})),
        ("pool 50x32x32x32 2x2 s2", "pool",
         ((50, 32, 32, 32), {"pool_height": 2, "pool_width": 2, "stride": 2})),
    ]


def run_case(kind, spec, dtype, repeats, run_naive):
    rng = np.random.default_rng(0)
    if kind == "conv":
        x_shape, w_shape, conv_param = spec
        x = rng.standard_normal(x_shape).astype(dtype)
        w = rng.standard_normal(w_shape).astype(dtype)
        b = rng.standard_normal(w_shape[0]).astype(dtype)
        return time_conv(x, w, b, conv_param, repeats, run_naive)
    x_shape, pool_param = spec
    x = rng.standard_normal(x_shape).astype(dtype)
    return time_pool(x, pool_param, repeats, run_naive)


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def fmt_ms(seconds):
    return "-" if seconds is None else "%.2f" % (seconds * 1e3)


def fmt_ratio(num, den, suffix="x"):
    if num is None or den is None:
        return "-"
    return "%.2f%s" % (num / den, suffix)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed repeats per measurement (default 7, 3 with --quick)")
    parser.add_argument("--quick", action="store_true",
                        help="skip the naive layers and use fewer repeats")
    args = parser.parse_args()
    repeats = args.repeats or (3 if args.quick else 7)

    blas_desc, blas_threads = numpy_blas_info()
    print("numpy %s, BLAS: %s" % (np.__version__, blas_desc))
    print("threads: numpy BLAS %d; numpy elementwise code and the Cython conv "
          "kernels 1; Cython max-pool backward up to %s (one per CPU)"
          % (blas_threads, os.cpu_count()))
    global torch, torch_F
    try:
        import torch
        import torch.nn.functional as torch_F
    except ImportError:
        torch = None
    print("cs231n Cython extension: %s"
          % ("built" if fast_layers.HAVE_CYTHON else "NOT built (numpy fallback)"))
    if torch is not None:
        torch.set_num_threads(blas_threads)
        print("torch %s, torch.set_num_threads(%d) to match numpy's BLAS"
              % (torch.__version__, torch.get_num_threads()))
    else:
        print("torch not importable: torch columns left empty")
    if hasattr(os, "getloadavg") and os.getloadavg()[0] > 0.5 * (os.cpu_count() or 1):
        print("WARNING: load average %.1f on %s CPUs: other processes are "
              "running, timings will be noisy" % (os.getloadavg()[0], os.cpu_count()))
    print("times: median of %d runs in ms (naive conv: at most %d runs)%s\n"
          % (repeats, NAIVE_MAX_REPEATS, "; --quick: naive skipped" if args.quick else ""))

    header = ("case", "dtype", "pass", "naive", "fast", "torch",
              "fast/naive speed-up", "fast/torch ratio")
    rows = []
    for name, kind, spec in make_cases():
        for dtype in (np.float64, np.float32):
            times = run_case(kind, spec, dtype, repeats, run_naive=not args.quick)
            # fwd+bwd: sum of the two medians (one training step of the layer).
            times["fwd+bwd"] = {
                k: times["fwd"][k] + times["bwd"][k]
                for k in times["fwd"] if k in times["bwd"]}
            for pass_name in ("fwd", "bwd", "fwd+bwd"):
                t = times[pass_name]
                naive, fast, tt = t.get("naive"), t.get("fast"), t.get("torch")
                rows.append((name, np.dtype(dtype).name, pass_name, fmt_ms(naive),
                             fmt_ms(fast), fmt_ms(tt), fmt_ratio(naive, fast),
                             fmt_ratio(fast, tt)))
            sys.stdout.flush()

    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = "  ".join("%-*s" % (widths[i], header[i]) for i in range(len(header)))
    print(line)
    print("-" * len(line))
    for r in rows:
        print("  ".join(("%-*s" if i < 3 else "%*s") % (widths[i], r[i])
                        for i in range(len(header))))
    print("\nfast/naive speed-up = naive time / fast time (higher is better); "
          "fast/torch ratio = fast time / torch time (below 1: faster than torch).")


if __name__ == "__main__":
    main()
