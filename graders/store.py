"""The output folder of a batch: result folders published whole, the run log, the lock.

    OUT/<folder>/         one submission's result.json and renderings, renamed into place only when
                          complete; <folder> is folder_name(submission id), the id itself unless unsafe
    OUT/.incoming/        folders being written (a killed run's leftovers go at the next start)
    OUT/runs.jsonl        one JSON line per event: run start and end, each submission graded or skipped
    OUT/gradebook.csv     one row per result (written by api.write_gradebook)
    OUT/index.html        the class summary (written by report.summary)
    OUT/.lock             held by the run writing to OUT
"""
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from .result import validate

INCOMING = ".incoming"
RUNS = "runs.jsonl"
GRADEBOOK = "gradebook.csv"
SUMMARY = "index.html"
LOCK = ".lock"
OWN_FILES = frozenset({INCOMING, RUNS, GRADEBOOK, SUMMARY, LOCK})
LOCK_WAIT_SECONDS = 5.0
MAX_FOLDER_BYTES = 100   # staging adds ".<random>" and ".old"; file names stop at 255 bytes
_ENCODED = re.compile(r"[%/\\\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def folder_name(submission):
    """The name of a submission's result folder in OUT: the id itself unless that is unsafe.

    1. '%', '/', '\\', control characters and lone surrogates are percent-encoded (their UTF-8
       bytes, surrogates as if they were characters): "a/b" -> "a%2Fb", "a\\x1b" -> "a%1B";
    2. a name that is empty, starts with '.' or '_', or is one of OUT's own files in any case
       gets a '_' in front: "runs.jsonl" -> "_runs.jsonl", ".lock" -> "_.lock", "_x" -> "__x";
    3. a name over MAX_FOLDER_BYTES bytes is cut at a character and ends with '~' and the first
       12 hex digits of the id's SHA-256.
    Steps 1 and 2 map distinct ids to distinct names (UTF-8 is a prefix code and '%' itself is
    encoded); collect.check_unique refuses ids that still meet after a cut, so two submissions
    of one batch never share a folder.
    """
    return _shortened(_prefixed(_percent_encoded(submission)), submission)


def _percent_encoded(name):
    return _ENCODED.sub(lambda m: "".join("%%%02X" % b for b in _utf8(m.group())), name)


def _prefixed(name):
    if not name or name.startswith((".", "_")) or name.casefold() in OWN_FILES:
        return "_" + name
    return name


def _shortened(name, submission):
    if len(name.encode("utf-8")) <= MAX_FOLDER_BYTES:
        return name
    head = name.encode("utf-8")[:MAX_FOLDER_BYTES - 13].decode("utf-8", "ignore")
    return "%s~%s" % (head, hashlib.sha256(_utf8(submission)).hexdigest()[:12])


def _utf8(text):
    """UTF-8 bytes of text, a lone surrogate encoded like any other code point."""
    return text.encode("utf-8", "surrogatepass")


def result_folder(out, submission):
    """OUT/<folder_name(submission)>: where a submission's result is published."""
    return Path(out) / folder_name(submission)


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


def staging_folder(out, submission):
    """A new empty folder OUT/.incoming/<folder>.<random> to write one submission's outputs into."""
    incoming = Path(out) / INCOMING
    incoming.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=folder_name(submission) + ".", dir=incoming))
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


def read_result(out, submission):
    """The valid result.json document of the submission's result folder, or None if it is
    missing, unusable or the result of another submission id."""
    try:
        doc = json.loads((result_folder(out, submission) / "result.json").read_text(encoding="utf-8"))
        validate(doc)
    except Exception:  # missing, not JSON, or not a valid result: as good as absent
        return None
    return doc if doc["submission"] == submission else None


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
