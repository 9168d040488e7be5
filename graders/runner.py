"""Running one check: write its job, run the child in the sandbox, read and judge the outputs.

The outputs are read as untrusted data: regular files only (no symlinks), size
capped, arrays loaded with allow_pickle=False, metadata parsed as JSON and used
for messages only. The verdict comes from the judge alone.
"""
import io
import json
import os
import stat
import sys
import time
from pathlib import Path

import numpy as np

from . import diagnose, sandbox
from .checks import Missing, Outputs, Verdict
from .checks.compare import ShapeMismatch
from .result import CheckResult, cap_text

MAX_OUTPUT_BYTES = 512 * 2**20
MAX_META_BYTES = 2**20


class UnreadableOutput(Exception):
    pass


def run_check(spec, make_job, workspace, rng, limits, mode, hidden=()):
    """Grade one rubric check; never raises for anything the student's code did."""
    start = time.perf_counter()
    job, judge = make_job(rng, spec)
    job_dir = workspace.job_dir(spec.id)
    write_job(job_dir, job)
    argv = [sys.executable, "-I", "-B", str(workspace.child_script), str(workspace.root), str(job_dir)]
    run = sandbox.run_confined(
        argv, workspace.root, limits_for(spec, limits), mode=mode,
        readable=[workspace.package, workspace.child_script], hidden=hidden,
    )
    output = cap_text((run.stdout + run.stderr).strip())
    try:
        arrays, meta = read_outputs(job_dir)
    except UnreadableOutput as e:
        arrays, meta = None, {"problem": str(e)}

    result = dict(output=output, start=start)  # seconds are taken once judged: judging is the check's work too
    if run.timed_out:
        return finish(spec, "timeout", None, "stopped after the %g s time limit while running %s"
                      % (spec.time_limit, meta.get("current") or "the student's code"), result)
    if arrays is None:
        return finish(spec, "error", None, "the process running your code died (%s)%s" % (
            run.reason, diagnose.from_output(output)), result)
    if meta.get("status") != "ok":
        return finish(spec, "error", None, diagnose.explain(meta), result,
                      traceback=str(meta.get("traceback") or "") or None)
    try:
        verdict = judge(Outputs(arrays, meta))
    except (Missing, ShapeMismatch) as e:
        verdict = Verdict(False, None, str(e))
    return finish(spec, "passed" if verdict.passed else "failed", verdict.measured, verdict.message,
                  result, details=verdict.details)


def finish(spec, status, measured, message, result, traceback=None, details=None):
    passed = status == "passed"
    return CheckResult(
        id=spec.id, title=spec.title, section=spec.section, functions=list(spec.functions),
        status=status, score=spec.points if passed else 0.0, max_score=spec.points,
        measured=None if measured is None or not np.isfinite(measured) else float(measured),
        tolerance=spec.tolerance, measure=spec.measure, message=message,
        hint=None if passed else spec.hint, seconds=round(time.perf_counter() - result["start"], 3),
        output=result["output"], traceback=cap_text(traceback) if traceback else None,
        depends_on=list(spec.depends_on), details=details or {},
    )


def limits_for(spec, limits):
    return sandbox.Limits(
        wall_seconds=spec.time_limit, cpu_seconds=int(spec.time_limit * 2) + 5,
        memory_bytes=limits.memory_mb * 2**20, max_processes=limits.max_processes,
        output_bytes=limits.output_kb * 2**10,
    )


def write_job(job_dir, job):
    (job_dir / "job.json").write_text(json.dumps({"task": job.task, "params": job.params}))
    np.savez(job_dir / "inputs.npz", allow_pickle=False, **job.arrays)


def read_untrusted(path, limit):
    """Bytes of a regular file the child wrote; refuses links, devices and oversized files."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        raise UnreadableOutput("%s was not written (%s)" % (Path(path).name, e.strerror)) from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise UnreadableOutput("%s is not a regular file of at most %d bytes" % (Path(path).name, limit))
        return f.read(limit + 1)


def read_outputs(job_dir):
    out = Path(job_dir) / "out"
    try:
        meta = json.loads(read_untrusted(out / "meta.json", MAX_META_BYTES))
    except ValueError:
        raise UnreadableOutput("meta.json is not valid JSON") from None
    if not isinstance(meta, dict):
        raise UnreadableOutput("meta.json is not a JSON object")
    data = read_untrusted(out / "outputs.npz", MAX_OUTPUT_BYTES)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except Exception as e:  # a corrupt or forged archive is just unreadable output
        raise UnreadableOutput("outputs.npz cannot be read (%s)" % e) from None
    return {k: v for k, v in arrays.items() if v.dtype.kind in "biuf"}, meta
