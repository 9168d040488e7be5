"""Grade the corpus's numeric gradient checks under many secret seeds, in this process.

Usage:
    python benchmarks/seed_sweep.py [--seeds N] [--base-seed S] [--workers W] [CHECK ...]

For every numeric gradient check (default: every check built on graders/checks/gradcheck.py)
and seeds S, S+1, ..., S+N-1, the reference and every correct variant (tests/submissions/variants/)
must pass, and every mutant of mutants.toml that lists the check
must fail. Prints, per check, the failures of correct code, the mutants' false passes and the
largest share of its allowance a correct sample used (1 is the limit; see
graders/checks/gradcheck.py), with the seed to replay it (CS231N_TEST_SEED in
tests/grader/test_seed_sweep.py, --base-seed here). Exits 1 on any failure or false pass.

The child's side runs in-process on each sample's code (no sandbox: the corpus is ours); the
reference's side is computed once per check and seed. Seeds run on W worker processes.
"""
import argparse
import os
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "submissions")]

import corpus  # noqa: E402
import inprocess  # noqa: E402


def cpu_seconds():
    """CPU time of this process and its reaped worker processes."""
    return sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def report(check_id, rows, n_seeds, seconds, cpu, kinds):
    """Print one check's summary; returns its failures of correct code plus its mutants' passes."""
    correct = [r for r in rows if kinds[r[2]] != "mutant"]
    failures = [r for r in correct if not r[3]]
    false_passes = [r for r in rows if kinds[r[2]] == "mutant" and r[3]]
    used = {r: float("inf") if r[4] is None else r[4] for r in correct}
    worst = max(correct, key=used.get)
    print("%-36s %4d seeds  %5.2f s/seed wall %5.2f s/seed CPU  correct failed %d/%d  mutants passed %d/%d  "
          "worst allowance used %.3g (%s, seed %d)" % (
              check_id, n_seeds, seconds / n_seeds, cpu / n_seeds, len(failures), len(correct), len(false_passes),
              len(rows) - len(correct), used[worst], worst[2], worst[1]))
    by_sample = {}
    for row in correct:
        by_sample[row[2]] = max(by_sample.get(row[2], 0.0), used[row])
    print("    worst per sample: " + "  ".join("%s %.3g" % kv for kv in sorted(by_sample.items())))
    for _, seed, name, _, _, message in failures + false_passes:
        print("    seed %d %s: %s" % (seed, name, message))
    sys.stdout.flush()
    return len(failures) + len(false_passes)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checks", nargs="*", help="default: every numeric gradient check")
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--base-seed", type=int, default=int(os.environ.get("CS231N_TEST_SEED") or secrets.randbits(32)))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    known = inprocess.numeric_checks()
    checks = args.checks or known
    unknown = set(checks) - set(known)
    if unknown:
        parser.error("not numeric gradient checks: %s" % ", ".join(sorted(unknown)))
    samples = [corpus.reference()] + corpus.variants() + corpus.mutants()
    kinds = {s.name: s.kind for s in samples}
    seeds = range(args.base_seed, args.base_seed + args.seeds)
    print("seeds %d..%d (--base-seed %d), %d workers" % (seeds[0], seeds[-1], args.base_seed, args.workers))
    bad, start = 0, time.perf_counter()
    for check_id in checks:
        names = [s.name for s in inprocess.numeric_samples(samples, check_id)]
        began, cpu = time.perf_counter(), cpu_seconds()
        with tempfile.TemporaryDirectory() as root:
            rows = inprocess.sweep(samples, [(check_id, seed, names) for seed in seeds], args.workers, root)
        bad += report(check_id, rows, len(seeds), time.perf_counter() - began, cpu_seconds() - cpu, kinds)
    print("%.0f s wall" % (time.perf_counter() - start))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
