"""Running one check: write its job, run the child in the sandbox, read and judge the outputs.

The outputs are read as untrusted data: regular files only (no symlinks), size
capped, arrays loaded with allow_pickle=False, metadata parsed as JSON and used
for messages only. The verdict comes from the judge alone.
"""
import dataclasses
import json
import sys
import time

import numpy as np

from . import diagnose, sandbox
from .checks import Missing, NotStarted, Outputs, Verdict
from .checks.compare import ShapeMismatch
from .result import CheckResult, cap_text
from .untrusted import META_BYTES, OUTPUTS_BYTES, UnreadableOutput, read_json_object, read_npz

MESSAGE_CAP = 4000  # characters of a check's message (parts of it may come from the child's meta.json)
DIAGNOSIS_CAP = 600  # characters of one diagnosis


class SandboxUnavailable(RuntimeError):
    """The sandbox could not start the child: the grader's problem, never the student's."""


def run_check(spec, make_job, workspace, rng, limits, mode, hidden=(), held=None):
    """Grade one rubric check; never raises for anything the student's code did.

    held: a list to which the limits that held for the check's sandboxed run are appended.
    """
    start = time.perf_counter()
    job, judge = make_job(rng, spec)
    with workspace.fresh_run(spec.id, fast_path=getattr(make_job, "fast_path", True)) as run_dir:
        write_job(run_dir.inputs, job, workspace.student_files + workspace.missing)
        argv = [sys.executable, "-I", "-B", str(run_dir.child_script), str(run_dir.root), str(run_dir.inputs),
                str(run_dir.out)]
        run = sandbox.run_confined(
            argv, run_dir.root, limits_for(spec, limits), mode=mode,
            readable=[run_dir.inputs], writable=[run_dir.out], hidden=hidden,
        )
        try:
            arrays, meta = read_outputs(run_dir.out)
        except UnreadableOutput as e:
            arrays, meta = None, {"problem": str(e), "missing": e.missing}
    if run.start_error is not None:
        raise SandboxUnavailable("check %s: the sandbox %s" % (spec.id, run.reason))
    if held is not None:
        held.append(run.enforced)
    output = cap_text((run.stdout + run.stderr).strip())

    result = dict(output=output, start=start)  # seconds are taken once judged: judging is the check's work too
    if run.timed_out:
        return finish(spec, "timeout", None, "stopped after the %g s time limit while running %s%s"
                      % (spec.time_limit, meta.get("current") or ", ".join(spec.functions) or "the student's code",
                         input_shapes(job)), result)
    if arrays is None and run.exit_code == 0 and not meta["missing"]:  # it wrote something, but not an answer
        return finish(spec, "error", None, "the process running your code left no usable answer: %s"
                      % meta["problem"], result)
    if arrays is None:
        return finish(spec, "error", None, "the process running your code died (%s)%s" % (
            run.reason, diagnose.from_output(output)), result)
    if meta.get("status") != "ok":
        cause = diagnose.known_cause(meta, workspace.assignment)  # may quote the child's words: capped like the message
        return finish(spec, "error", None, diagnose.explain(meta, workspace.assignment), result,
                      traceback=str(meta.get("traceback") or "") or None,
                      diagnoses=[cap_text(cause, DIAGNOSIS_CAP)] if cause else [])
    try:
        verdict = judge(Outputs(arrays, meta))
    except (Missing, ShapeMismatch) as e:
        verdict = Verdict(False, None, str(e), {"not_started": True} if isinstance(e, NotStarted) else {},
                          getattr(e, "diagnoses", []))
    except Exception as e:  # returned values of an unexpected kind: the student's, reported as such
        return finish(spec, "error", None, "the grader could not compare what your code returned (%s: %s); "
                      "check the types and shapes your functions return" % (type(e).__name__, str(e)[:300]), result)
    diagnoses = [cap_text(str(d), DIAGNOSIS_CAP) for d in verdict.diagnoses][:3]
    message = verdict.message if not diagnoses else "%s. Diagnosis: %s" % (verdict.message, " ".join(diagnoses))
    return finish(spec, "passed" if verdict.passed else "failed", verdict.measured, message,
                  result, details=verdict.details, diagnoses=diagnoses,
                  figures=[dataclasses.asdict(f) for f in verdict.figures])


def input_shapes(job, shown=4):
    """" on inputs of sizes 3x3x3x3, 4x3x3x3, 4": the sizes of the hidden inputs the grader drew
    (of the first case, when the job holds several, "case0/arg0", ...), so a student can tell a
    slow layer from one that never returns."""
    arrays = [(name, value) for name, value in job.arrays.items() if hasattr(value, "shape")]
    first = arrays[0][0].split("/", 1)[0] + "/" if arrays and "/" in arrays[0][0] else ""
    sizes = ["x".join(map(str, value.shape)) or "1" for name, value in arrays if name.startswith(first)]
    if not sizes:
        return ""
    cases = len({name.split("/", 1)[0] for name, _ in arrays}) if first else 1
    return " on inputs of sizes %s%s%s" % (", ".join(sizes[:shown]), ", ..." if len(sizes) > shown else "",
                                           " (the first of %d cases)" % cases if cases > 1 else "")


def not_run(spec, stalled):
    """The result of a check left out because checks it builds on ran out of time (stalled: their
    timed-out results): running it would wait on the same code again for its own full limit."""
    why = "; ".join("%s was %s" % (r.id, r.message) for r in stalled)
    result = finish(spec, "skipped", None, "Not run: it builds on %s (%s), so it would only wait on the same "
                    "code again. Make that check return in time first." % (", ".join(r.id for r in stalled), why),
                    dict(output="", start=time.perf_counter()))
    result.blocked_by = [r.id for r in stalled]
    return result


def finish(spec, status, measured, message, result, traceback=None, details=None, diagnoses=(), figures=()):
    passed = status == "passed"
    return CheckResult(
        id=spec.id, title=spec.title, section=spec.section, section_title=spec.section_title,
            functions=list(spec.functions),
        status=status, score=spec.points if passed else 0.0, max_score=spec.points,
        measured=None if measured is None or not np.isfinite(measured) else float(measured),
        tolerance=spec.tolerance, measure=spec.measure, message=cap_text(str(message), MESSAGE_CAP),
        hint=None if passed else spec.hint, seconds=round(time.perf_counter() - result["start"], 3),
        output=result["output"], traceback=cap_text(traceback) if traceback else None,
        depends_on=list(spec.depends_on), details=details or {}, diagnoses=list(diagnoses),
        figures=list(figures),
    )


def limits_for(spec, limits):
    return sandbox.Limits(
        wall_seconds=spec.time_limit, cpu_seconds=int(spec.time_limit * 2) + 5,
        memory_bytes=limits.memory_mb * 2**20, max_processes=limits.max_processes,
        output_bytes=limits.output_kb * 2**10,
    )


def write_job(folder, job, student_files=()):
    """job.json and inputs.npz in folder, readable by the sandbox's uid; student_files (paths in
    the workspace) are the files whose frames a traceback shows."""
    (folder / "job.json").write_text(json.dumps({"task": job.task, "params": job.params,
                                                 "student_files": list(student_files)}))
    np.savez(folder / "inputs.npz", allow_pickle=False, **job.arrays)
    for name in ("job.json", "inputs.npz"):
        (folder / name).chmod(0o644)


def read_outputs(out):
    """(numeric arrays, meta) the child wrote into the folder out, read as untrusted data."""
    out = str(out)
    meta = read_json_object(out, "meta.json", META_BYTES)
    return read_npz(out, "outputs.npz", OUTPUTS_BYTES), meta
