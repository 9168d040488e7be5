"""The output folder of a batch: result folders published whole, the run log, the lock.

    OUT/<submission>/     result.json and its renderings, renamed into place only when complete
    OUT/.incoming/        folders being written (a killed run's leftovers go at the next start)
    OUT/runs.jsonl        one JSON line per event: run start and end, each submission graded or skipped
    OUT/.lock             held by the run writing to OUT
"""
import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from .result import validate

INCOMING = ".incoming"
RUNS = "runs.jsonl"
LOCK = ".lock"
LOCK_WAIT_SECONDS = 5.0


class BusyError(RuntimeError):
    """Another run is writing to the same output folder."""


@contextlib.contextmanager
def locked(out):
    """Hold OUT/.lock for the duration; refuse if another run holds it."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / LOCK, "a+") as f:
        if not acquire(f, LOCK_WAIT_SECONDS):
            f.seek(0)
            raise BusyError("%s is in use by another cs231n-grade run (%s); wait for it to finish, "
                            "or give another --out folder" % (out, f.read().strip() or "pid unknown")) from None
        f.seek(0)
        f.truncate()
        f.write("pid %d\n" % os.getpid())
        f.flush()
        yield


def acquire(f, seconds):
    """flock f, waiting up to `seconds`: a run killed a moment ago may still be exiting."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)


def clean_leftovers(out):
    """Remove what a killed run left half-written in OUT/.incoming; returns the names removed."""
    incoming = Path(out) / INCOMING
    if not incoming.is_dir():
        return []
    names = sorted(p.name for p in incoming.iterdir())
    shutil.rmtree(incoming)
    return names


def finish(out):
    """Remove OUT/.incoming once nothing is in it."""
    with contextlib.suppress(OSError):
        (Path(out) / INCOMING).rmdir()


def staging_folder(out, name):
    """A new empty folder OUT/.incoming/<name>.<random> to write one submission's outputs into."""
    incoming = Path(out) / INCOMING
    incoming.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=name + ".", dir=incoming))
    folder.chmod(0o755)
    return folder


def publish(staging, target):
    """Rename a complete staging folder to target, replacing an older target folder.

    Killed between the two renames, the old folder stays in .incoming (removed at the next
    start) and the submission has no result, so the next run grades it again.
    """
    staging, target = Path(staging), Path(target)
    if target.exists():
        old = staging.with_name(staging.name + ".old")
        os.rename(target, old)
        os.rename(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, target)


def discard(staging):
    shutil.rmtree(staging, ignore_errors=True)


def read_result(out, name):
    """The valid result.json document of OUT/<name>/, or None if it is missing or unusable."""
    try:
        doc = json.loads((Path(out) / name / "result.json").read_text())
        validate(doc)
    except Exception:  # missing, not JSON, or not a valid result: as good as absent
        return None
    return doc


class RunLog:
    """OUT/runs.jsonl: appends one JSON line per event, each with the run id and a UTC time."""

    def __init__(self, out, run_id):
        self.path, self.run_id = Path(out) / RUNS, run_id

    def record(self, event, **fields):
        line = {"run": self.run_id, "time": datetime.now(timezone.utc).isoformat(), "event": event}
        line.update(fields)
        with open(self.path, "a") as f:
            f.write(json.dumps(line, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())


def read_runs(out):
    """Every event recorded in OUT/runs.jsonl, oldest first (a torn last line is skipped)."""
    events = []
    with contextlib.suppress(FileNotFoundError), open(Path(out) / RUNS) as f:
        for line in f:
            with contextlib.suppress(ValueError):
                events.append(json.loads(line))
    return events
