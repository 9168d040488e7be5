"""Grade a synthetic class three ways and compare: sequential, --workers 2, and Dask.

Usage:
    python benchmarks/batch.py [--count 40] [--rubric FILE] [--workers 2] [--no-dask]

The class is drawn from tests/submissions/: the reference, the template, the correct
variants, every one-bug mutant and a few quick hostile submissions, topped up with copies
of the correct ones (under other names) to --count. Each way runs `cs231n-grade grade`
(python -m graders) on the same folder with the same seed and --force, into its own
output folder; the Dask way starts a local `dask scheduler` and --workers `dask worker
--nthreads 1` processes on the loopback, as a cluster of grading machines would.

Printed per way:
  submissions/min   the class size over the batch's wall time
  speed-up          against the sequential way of the same run
  peak MB           the largest resident set of one process of that way: the grader
                    (or Dask worker) process itself, or the largest sandboxed child
  overhead          the share of worker time not spent inside checks or the notebook:
                    1 - (sum of their seconds) / (workers x wall time)
and whether the three ways gave the same verdicts. Timings on a shared machine are
noisy: run it on an otherwise idle one. Needs the project installed (pip install
".[dask]") and bubblewrap for the real sandbox.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "submissions"))

import corpus  # noqa: E402

QUICK_HOSTILE = ("exit_at_import", "forged_result", "writes_outside")  # no time limits hit
SEED = "20261126"


@dataclass
class Way:
    name: str
    workers: int
    wall: float
    peak_mb: float
    busy: float          # seconds inside checks and notebooks, summed over submissions
    verdicts: dict       # submission -> {check id: status}


def build_class(folder, count):
    """Write >= count submissions into folder; returns their number."""
    correct = [corpus.reference()] + corpus.variants()
    samples = [corpus.template()] + correct + corpus.mutants()
    samples += [s for s in corpus.hostile() if s.name.split("hostile_", 1)[-1] in QUICK_HOSTILE]
    index = 0
    while len(samples) < count:
        base = correct[index % len(correct)]
        samples.append(replace(base, name="student_%03d_%s" % (len(samples), base.name)))
        index += 1
    for sample in samples:
        corpus.write(sample, folder)
    return len(samples)


def grade(submissions, out, workers, extra=(), rubric=None):
    """Run the CLI; returns (wall seconds, peak RSS in MB of it and its waited-for children)."""
    argv = [sys.executable, "-m", "graders", "grade", str(submissions), "--out", str(out), "--seed", SEED,
            "--force", "--workers", str(workers), *extra]
    if rubric:
        argv += ["--rubric", rubric]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit("grading failed (%s): %s" % (proc.returncode, proc.stderr.read()[-2000:]))
    return wall, usage.ru_maxrss / 1024


def read_results(out):
    """(verdicts by submission, seconds spent inside checks and notebooks)."""
    verdicts, busy = {}, 0.0
    for path in sorted(Path(out).glob("*/result.json")):
        doc = json.loads(path.read_text())
        verdicts[doc["submission"]] = {c["id"]: c["status"] for c in doc["checks"]}
        busy += sum(c["seconds"] for c in doc["checks"])
        busy += (doc.get("notebook") or {}).get("seconds", 0.0)
    return verdicts, busy


def local_way(name, submissions, base, workers, rubric):
    out = base / name
    wall, peak = grade(submissions, out, workers, rubric=rubric)
    verdicts, busy = read_results(out)
    return Way(name, workers, wall, peak, busy, verdicts)


def dask_way(submissions, base, workers, rubric):
    """The batch through a local scheduler and `workers` single-threaded worker processes."""
    from distributed import Client

    dask = [sys.executable, "-m", "dask"]
    scheduler_file = base / "scheduler.json"
    procs = [subprocess.Popen(dask + ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                      "--scheduler-file", str(scheduler_file)], stderr=subprocess.DEVNULL)]
    try:
        wait_for(scheduler_file.exists, "the scheduler to start")
        address = json.loads(scheduler_file.read_text())["address"]
        procs += [subprocess.Popen(dask + ["worker", address, "--nthreads", "1", "--no-dashboard"],
                                   stderr=subprocess.DEVNULL) for _ in range(workers)]
        with Client(address) as client:
            client.wait_for_workers(workers, timeout=120)
            out = base / "dask"
            wall, _ = grade(submissions, out, workers, extra=["--dask", address], rubric=rubric)
            peaks = client.run(peak_rss_mb)
        verdicts, busy = read_results(out)
        return Way("dask", workers, wall, max(peaks.values()), busy, verdicts)
    finally:
        for proc in procs[::-1]:
            proc.terminate()
            proc.wait(timeout=30)


def peak_rss_mb():
    """On a worker: its own peak RSS or its largest child's, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def wait_for(condition, what, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            sys.exit("timed out waiting for %s" % what)
        time.sleep(0.2)


def table(ways, count):
    sequential = ways[0]
    print("| way | workers | wall s | submissions/min | speed-up | peak MB | overhead |")
    print("|---|---|---|---|---|---|---|")
    for way in ways:
        overhead = 1 - way.busy / (way.workers * way.wall)
        print("| %s | %d | %.1f | %.1f | %.2fx | %.0f | %.1f%% |" % (
            way.name, way.workers, way.wall, 60 * count / way.wall, sequential.wall / way.wall,
            way.peak_mb, 100 * overhead))
    same = all(way.verdicts == sequential.verdicts for way in ways)
    print("\nverdicts identical across the ways: %s" % ("yes" if same else "NO"))
    for way in ways[1:]:
        differing = sorted(n for n in sequential.verdicts if way.verdicts.get(n) != sequential.verdicts[n])
        if differing:
            print("  %s differs on: %s" % (way.name, ", ".join(differing)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=40, help="submissions in the class (default 40)")
    parser.add_argument("--workers", type=int, default=2, help="parallel workers (default 2)")
    parser.add_argument("--rubric", help="another rubric (default: the shipped one)")
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask way")
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="cs231n-batch-bench-"))
    try:
        submissions = base / "class"
        count = build_class(submissions, args.count)
        print("class of %d submissions, %d cores, seed %s" % (count, os.cpu_count(), SEED), flush=True)
        ways = [local_way("sequential", submissions, base, 1, args.rubric)]
        ways.append(local_way("workers", submissions, base, args.workers, args.rubric))
        if not args.no_dask:
            ways.append(dask_way(submissions, base, args.workers, args.rubric))
        table(ways, count)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
