"""One submission through the grader: intake -> workspace -> checks -> notebook -> result folder.

grade_one is the single path every submission takes, from the command line, a batch, a Dask
worker or Gradescope's run_autograder; it always leaves a complete result folder, whatever
the submission does. batch.py runs it over a class, cluster.py on remote workers, api.py
offers it as the Python API.
"""
import json
import shutil
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import __version__, confinement, diagnose, sandbox, store
from .assignment import STAND_IN_ERROR, Assignment, load_assignment
from .intake import Layout
from .report.gradebook import gradebook_csv
from .report.gradescope import gradescope_results
from .report.html import write_submission_report
from .report.junit import junit_xml
from .notebook import run_notebooks, stalled_from
from .parts import part_results, touched_functions
from .provenance import provenance_of, receive
from .report.summary import load_results, write_class_summary
from .result import CheckResult, SubmissionResult, atomic_write, write_result
from .runner import not_run, run_check
from .workspace import build_workspace


@dataclass(frozen=True)
class Options:
    assignment: Assignment = field(default_factory=load_assignment)  # what is graded
    rubric: str | None = None          # path of a rubric TOML; None: the assignment's own
    mode: str | None = None            # "bwrap" or "rlimits"; None: the best available
    keep_workspace: bool = False       # keep each submission's workspace for debugging
    seed: int | None = None            # the secret seed; None: a fresh one per run


def grade_one(path, out, rubric, options, seed, made_from=None, received=None):
    """Grade one submission; whatever happens, a complete result folder is written for it in out.

    path is the submission's zip or folder (None on a cluster worker, which has only what was
    received). received is the provenance.Received reading of it if the caller read it already:
    then it is graded from that reading and path is never read again. made_from is the
    Provenance of received if the caller computed it already. The outputs are written into
    out/.incoming/ and renamed into place when complete.
    """
    start = time.perf_counter()
    received = received or receive(path, Layout.of(options.assignment))
    name = received.name
    made_from = made_from or provenance_of(received, rubric, options.assignment)
    artifacts = {}
    try:
        if received.submission is None:
            result = empty_result(name, rubric, "rejected", received.refusal)
        else:
            result, artifacts = grade_submission(received.submission, rubric, options, seed, path)
    except Exception:  # a grader bug must not lose the submission's record
        result = empty_result(name, rubric, "grader_error", "the grader failed:\n" + traceback.format_exc(limit=8))
    result.seconds = round(time.perf_counter() - start, 3)
    result.provenance, result.assignment = made_from, options.assignment.title
    try:
        publish_result(result, Path(out), artifacts)
    except Exception:  # e.g. a rendering bug on this result: keep a record all the same
        return record_failure(name, out, rubric, "the grader could not write the result:\n"
                              + traceback.format_exc(limit=8), made_from, result.seconds)
    return result


def record_failure(name, out, rubric, message, made_from=None, seconds=0.0):
    """Publish (if at all possible) and return a grader_error result for submission name.

    The batch calls this when anything about one submission fails, so that the others go on;
    a grader_error is always graded again on the next run.
    """
    result = empty_result(name, rubric, "grader_error", message)
    result.seconds, result.provenance = seconds, made_from
    try:
        publish_result(result, Path(out))
    except Exception:
        pass  # the result is still returned, and counted, for this run
    return result


def publish_result(result, out, artifacts=None):
    """Write result.json, the files beside it ({name: bytes}) and its renderings into a staging
    folder, then rename it to the submission's result folder, out/<store.folder_name(id)>/;
    returns that folder."""
    staging = store.staging_folder(out, result.submission)
    target = store.result_folder(out, result.submission)
    try:
        for filename, content in (artifacts or {}).items():
            (staging / filename).write_bytes(content)
        write_result(result, staging / "result.json")
        write_renderings(staging)
        store.publish(staging, target)
    except BaseException:
        store.discard(staging)
        raise
    return target


def write_renderings(folder):
    """Gradescope's results.json, JUnit XML and the HTML report beside result.json, made from it."""
    doc = json.loads((folder / "result.json").read_text())
    atomic_write(folder / "gradescope.json", json.dumps(gradescope_results(doc), indent=2))
    atomic_write(folder / "junit.xml", junit_xml(doc))
    write_submission_report(folder)


def write_gradebook(out):
    """out/gradebook.csv and the class summary out/index.html from every result.json present in out."""
    results, _ = load_results(out)
    atomic_write(Path(out) / store.GRADEBOOK, gradebook_csv(results))
    write_class_summary(out)


def grade_submission(submission, rubric, options, seed, path=None):
    """The result of an intake.Submission and the files to save beside it ({file name: bytes}).

    path, where the submission was read from, is only a sample of the files the sandbox must
    not read (confinement.ensure); nothing is read from it here."""
    mode = options.mode or sandbox.available_mode()
    confinement.ensure(mode, options.assignment, path)
    root = Path(tempfile.mkdtemp(prefix="cs231n-grade-"))
    root.chmod(0o711)  # the sandbox's unprivileged uid must reach ws/ inside, not list it
    try:
        workspace = build_workspace(submission, root / "ws", options.assignment)
        results, held = run_checks(rubric, options.assignment.checks(), workspace, seed, mode)
        hidden = [options.assignment.reference]
        notebook_runs, artifacts = [], {}
        if rubric.notebook.enabled:
            notebook_runs, artifacts = run_notebooks(submission.notebooks, workspace, rubric, mode, hidden,
                                                     stalled_from(results))
    finally:
        if not options.keep_workspace:
            shutil.rmtree(root, ignore_errors=True)

    student_sources = {k: v for k, v in submission.files.items() if k in workspace.student_files}
    notes = list(submission.notes) + list(workspace.notes) + diagnose.syntax_problems(student_sources, options.assignment)
    return SubmissionResult(
        submission=submission.name, status="graded",
        score=round(sum(c.score for c in results), 6), max_score=rubric.max_score,
        isolation=mode, grader_version=__version__, rubric=rubric.source, seconds=0.0,
        notes=notes, flags=flags_for(results, options.assignment), metrics=metrics_for(results),
        confinement=sorted(set.intersection(*map(set, held))) if held else [],
        checks=results, parts=part_results(options.assignment, results, submission.notebooks,
                                           touched_functions(submission.files, options.assignment)),
        notebooks=notebook_runs,
    ), artifacts


def run_checks(rubric, checks, workspace, seed, mode):
    """Every check of the rubric, in its order, each drawing its inputs from its own generator
    seeded by (seed, check id). A check that builds on one that ran out of time (directly, or
    through another left out for that reason) is not run: it would wait on the same code for its
    own full limit. Returns (results, held): held lists, per sandboxed run, the limits that held."""
    hidden = [workspace.assignment.reference]
    results, held, stalled = [], [], {}  # stalled: check id -> the timed-out results it waits on
    for spec in rubric.checks:
        waits = {r.id: r for d in spec.depends_on for r in stalled.get(d, ())}
        if waits:
            result = not_run(spec, list(waits.values()))
        else:
            rng = np.random.default_rng([seed, *spec.id.encode()])
            result = run_check(spec, checks[spec.id], workspace, rng, rubric.limits, mode, hidden, held)
        if result.status == "timeout" or waits:
            stalled[spec.id] = list(waits.values()) or [result]
        results.append(result)
    explain_dependencies(results, rubric)
    return results, held


def explain_dependencies(results, rubric):
    """Say when a failed check depends on checks that failed too."""
    by_id = {r.id: r for r in results}
    specs = rubric.by_id()
    for r in results:
        if r.status == "passed" or r.blocked_by:  # a check not run says why itself
            continue
        r.blocked_by = [d for d in r.depends_on if by_id[d].status != "passed"]
        if not r.blocked_by:
            continue
        used = sorted({f for d in r.blocked_by for f in specs[d].functions} - set(r.functions))
        if used:
            why = "%s uses %s, which failed (%s)." % (", ".join(r.functions), ", ".join(used), ", ".join(r.blocked_by))
        else:
            why = "This builds on %s, which failed." % ", ".join(r.blocked_by)
        r.message = "%s %s" % (why, r.message)


def flags_for(results, assignment):
    """Notes for the instructor: checks whose code called a stand-in of the naive view."""
    return ["%s: %s" % (r.id, assignment.flag_for(r.functions)) for r in results if STAND_IN_ERROR in r.message]


def metrics_for(results):
    """The numbers the checks report for the whole submission (details["metrics"]), never scored."""
    metrics = {}
    for r in results:
        found = r.details.get("metrics")
        metrics.update(found if isinstance(found, dict) else {})
    return metrics


def empty_result(name, rubric, status, message):
    """A result for a submission that could not be graded: every check skipped, with the reason."""
    reason = "not graded: the submission was rejected" if status == "rejected" else "not graded: the grader failed"
    checks = [
        CheckResult(
            id=spec.id, title=spec.title, section=spec.section, section_title=spec.section_title,
            functions=list(spec.functions),
            status="skipped", score=0.0, max_score=spec.points, measured=None, tolerance=spec.tolerance,
            measure=spec.measure, message=reason, hint=None, seconds=0.0, depends_on=list(spec.depends_on),
        )
        for spec in rubric.checks
    ]
    return SubmissionResult(
        submission=name, status=status, score=0.0, max_score=rubric.max_score, isolation="none",
        grader_version=__version__, rubric=rubric.source, seconds=0.0, message=message, checks=checks,
    )
