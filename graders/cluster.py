"""Grading on an existing Dask distributed cluster: tasks carry bytes, not paths.

The client (the machine running cs231n-grade) reads each submission once (provenance.receive)
and sends that reading, the files intake read and their hash, to a worker as one task; the
worker grades exactly those files in its own sandbox and returns the result folder's files as
bytes; the client writes them into OUT exactly as a local run does. Workers need the grader installed, but no shared filesystem.

A task lost with its worker is run again elsewhere by the scheduler; one that loses
workers again and again (the scheduler's ``distributed.scheduler.allowed-failures``,
3 by default) or keeps raising (RETRIES) is recorded as a grader_error result saying so.
"""
import json
import shutil
import tempfile
import uuid
from pathlib import Path, PurePosixPath

from . import pipeline, sandbox, store
from .result import result_from_doc

RETRIES = 2          # extra tries of a task that raised on its worker
IN_FLIGHT = 256      # submissions handed to the cluster at once (the scheduler queues them)
POLL_SECONDS = 0.5   # how often a waiting client thread looks at sandbox.cancel


class ClusterError(RuntimeError):
    """The Dask scheduler cannot be reached; the message says what to check."""


def connect(address):
    """A distributed.Client for address, or ClusterError with what to do."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError("--dask needs the 'distributed' package: pip install 'cs231n-autograder[dask]'") from None
    try:
        return Client(address, timeout=30, set_as_default=False)
    except (OSError, TimeoutError) as e:
        raise ClusterError("cannot reach the Dask scheduler at %s (%s); check the address and that "
                           "the scheduler is running" % (address, e)) from None


def remote_grader(client, out, rubric, options, seed):
    """A grade(job, received, made_from) function for batch.settle_one that grades on the cluster."""
    def grade(job, received, made_from):
        if received.submission is None:  # rejected: no student code runs, so no need for a worker
            return pipeline.grade_one(job.path, out, rubric, options, seed, made_from, received)
        future = client.submit(grade_task, received, rubric, options, seed, made_from, pure=False,
                               retries=RETRIES, key="cs231n-grade-%s-%s" % (job.id, uuid.uuid4().hex[:8]))
        try:
            files = wait_for(future)
        except Exception as e:  # KilledWorker, or the task raising on every try (not Cancelled)
            return record_failure(job.id, out, rubric, made_from, e)
        return write_files(out, job.id, files)
    return grade


def grade_task(received, rubric, options, seed, made_from):
    """Runs on a worker: grade one submission as received by the client, return {relative path:
    bytes} of its result folder."""
    out = Path(tempfile.mkdtemp(prefix="cs231n-remote-"))
    try:
        result = pipeline.grade_one(None, out, rubric, options, seed, made_from, received)
        folder = store.result_folder(out, result.submission)
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    finally:
        shutil.rmtree(out, ignore_errors=True)


def wait_for(future):
    """The future's result; on sandbox.cancel (Ctrl-C) cancel the task and raise Cancelled."""
    from distributed import TimeoutError as DaskTimeout
    while True:
        if sandbox.cancel.is_set():
            future.cancel()
            raise sandbox.Cancelled("grading was cancelled")
        try:
            return future.result(timeout=POLL_SECONDS)
        except (DaskTimeout, TimeoutError):
            continue


def write_files(out, name, files):
    """Publish a worker's result folder as the result folder of submission id name in out;
    returns its SubmissionResult."""
    staging = store.staging_folder(out, name)
    try:
        for rel, data in files.items():
            path = PurePosixPath(rel)
            if path.is_absolute() or ".." in path.parts or not path.parts:
                raise ValueError("a worker returned a file outside the result folder: %r" % rel)
            (staging / path).parent.mkdir(parents=True, exist_ok=True)
            (staging / path).write_bytes(data)
        result = result_from_doc(json.loads(files["result.json"]))
        store.publish(staging, store.result_folder(out, name))
    except BaseException:
        store.discard(staging)
        raise
    return result


def record_failure(name, out, rubric, made_from, error):
    """A grader_error result for a task the cluster could not complete (regraded by the next run)."""
    message = ("the grader failed on the cluster: %s: %s. A task that loses its worker again and again "
               "(the scheduler's allowed-failures) ends here; run the batch again to retry it, or grade "
               "this submission locally to see what happens." % (type(error).__name__, error))
    result = pipeline.empty_result(name, rubric, "grader_error", message)
    result.provenance = made_from
    pipeline.publish_result(result, Path(out))
    return result
