"""Grading many submissions: a pool of grading threads, resume, Ctrl-C, the run log.

Each job runs in its own sandbox (the threads only wait on sandboxed child processes).
A submission whose complete result in OUT was made from the same files, rubric and grader
version is skipped unless forced; every graded or skipped submission is appended to
OUT/runs.jsonl as it finishes. Ctrl-C (KeyboardInterrupt in the main thread) sets
sandbox.cancel, which kills the runs in flight; run() then raises Interrupted.
"""
import contextlib
import os
import secrets
import signal
import threading
import traceback
import uuid
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__, cluster, confinement, pipeline, sandbox, store
from .provenance import provenance_of, receive, rubric_sha256
from .intake import Layout
from .result import SubmissionResult, result_from_doc
from .parts import check_parts
from .rubric import ensure_implemented


@dataclass
class Finished:
    job: object                # the collect.Job
    result: SubmissionResult
    skipped: bool              # True: an up-to-date result was already in OUT


@dataclass
class BatchReport:
    run_id: str
    results: list[SubmissionResult]               # in the order of the jobs
    graded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class Interrupted(KeyboardInterrupt):
    """The batch was stopped by Ctrl-C; finished results are kept, the rest can be resumed."""

    def __init__(self, done, total):
        super().__init__("%d of %d submissions done" % (done, total))
        self.done, self.total = done, total


def default_workers():
    """The number of cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def run(jobs, out, options, workers=None, force=False, progress=None, dask=None):
    """Grade jobs into out; progress(Finished) is called from the calling thread as each finishes.

    dask: the address of a Dask scheduler to grade on (see graders.cluster) instead of locally.
    """
    assignment = options.assignment
    rubric = assignment.rubric(options.rubric)
    ensure_implemented(rubric, assignment.checks())
    check_parts(rubric, assignment)
    seed = options.seed if options.seed is not None else secrets.randbits(63)
    out = Path(out)
    if dask is None:  # refuse before anything is graded (a cluster's workers check for themselves)
        confinement.ensure(options.mode or sandbox.available_mode(), assignment)
    with store.locked(out), _grader(dask, out, rubric, options, seed) as (grade, threads):
        log = store.RunLog(out, uuid.uuid4().hex[:12])
        cleaned = store.clean_leftovers(out)
        threads = threads or workers or default_workers()
        log.record("start", submissions=len(jobs), workers=threads, force=force, dask=dask,
                   grader_version=__version__, rubric_sha256=rubric_sha256(rubric), cleaned=cleaned)

        def settle(job):
            return settle_one(job, out, rubric, force, grade, assignment)

        report = BatchReport(log.run_id, [])
        finished = _run_pool(jobs, settle, threads, log, report, progress)
        report.results = [finished[job].result for job in jobs]
        pipeline.write_gradebook(out)
        store.finish(out)
        log.record("end", graded=len(report.graded), skipped=len(report.skipped), interrupted=False)
    return report


@contextlib.contextmanager
def _grader(dask, out, rubric, options, seed):
    """(grade(job, received, made_from), threads): local grading, or on the Dask cluster at address dask."""
    if dask is None:
        yield (lambda job, received, made_from:
               pipeline.grade_one(job.path, out, rubric, options, seed, made_from, received)), None
        return
    with cluster.connect(dask) as client:
        yield cluster.remote_grader(client, out, rubric, options, seed), cluster.IN_FLIGHT


def settle_one(job, out, rubric, force, grade, assignment):
    """Reuse the job's up-to-date result in out, or grade it with grade(job, received, made_from).

    The submission is read once (provenance.receive): the hash that decides reuse and is
    recorded in the result is the hash of the reading that is graded. Never raises for one
    submission's sake (only Cancelled and KeyboardInterrupt pass): a
    failure becomes that submission's grader_error result and the batch goes on.
    """
    try:
        received = receive(job.path, Layout.of(assignment), job.id)
        made_from = provenance_of(received, rubric, assignment)
        if not force:
            doc = store.read_result(out, job.id)
            if reusable(doc, made_from):
                return Finished(job, result_from_doc(doc), skipped=True)
        return Finished(job, grade(job, received, made_from), skipped=False)
    except Exception:
        message = "the grader failed on this submission:\n" + traceback.format_exc(limit=8)
        return Finished(job, pipeline.record_failure(job.id, out, rubric, message), skipped=False)


def reusable(doc, made_from):
    """True when doc is a result made from exactly made_from that a rerun need not redo."""
    return (doc is not None and made_from.submission_sha256 is not None
            and doc["status"] != "grader_error" and doc.get("provenance") == asdict(made_from))


def _run_pool(jobs, settle, workers, log, report, progress):
    """Run settle over jobs on a thread pool; on Ctrl-C cancel what is left and raise Interrupted."""
    finished = {}
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="grade")
    pending = {pool.submit(settle, job): job for job in jobs}
    try:
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                _record(pending.pop(future), future.result(), finished, log, report, progress)
    except KeyboardInterrupt:
        _stop(pool, pending, finished, log, report)
        raise Interrupted(len(finished), len(jobs)) from None
    except BaseException:
        _stop(pool, pending, finished, log, report)
        raise
    pool.shutdown()
    return finished


def _record(job, outcome, finished, log, report, progress):
    finished[job] = outcome
    (report.skipped if outcome.skipped else report.graded).append(job.id)
    result = outcome.result
    log.record("skipped" if outcome.skipped else "graded", submission=job.id, folder=job.folder,
               path=str(job.path), status=result.status, score=result.score, max_score=result.max_score,
               submission_sha256=result.provenance.submission_sha256 if result.provenance else None)
    if progress:
        progress(outcome)


def _stop(pool, pending, finished, log, report):
    """Kill the sandboxed runs in flight, wait for the threads, log what finished meanwhile."""
    previous = _ignore_sigint()  # a second Ctrl-C must not cut the cleanup short
    try:
        sandbox.cancel.set()
        pool.shutdown(wait=True, cancel_futures=True)
        for future, job in pending.items():
            if not future.cancelled() and future.exception() is None:
                _record(job, future.result(), finished, log, report, None)
        log.record("end", graded=len(report.graded), skipped=len(report.skipped), interrupted=True)
    finally:
        sandbox.cancel.clear()
        _restore_sigint(previous)


def _ignore_sigint():
    if threading.current_thread() is threading.main_thread():
        return signal.signal(signal.SIGINT, signal.SIG_IGN)
    return None


def _restore_sigint(previous):
    if previous is not None:
        signal.signal(signal.SIGINT, previous)
