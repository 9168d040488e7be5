"""Before student code runs in rlimits mode: what the sandbox must not read, it cannot read.

In bubblewrap mode the child sees only what is bound into its fresh root. In rlimits
mode (Docker containers such as Gradescope's, where bubblewrap cannot run) it sees the
real filesystem, limited by file permissions and, where the kernel has it, Landlock.
Permissions alone cannot be trusted to hide every copy of the solution (a checkout of
the grader, a backup, other students' submissions), so before grading in that mode the
grader runs a probe in the sandbox, exactly as a check's child is confined, and refuses
to grade, with a message saying what to do, unless

  1. Landlock confined the probe's filesystem, and
  2. the probe could read neither the reference's files nor the submission's own (which
     stand for the other students' submissions that may sit beside it).

The probe runs the grader's own code, and its answer only ever stops grading; it never
earns a point.
"""
import json
import os
import sys
import tempfile
import threading
from pathlib import Path

from . import sandbox
from .workspace import student_files


class ConfinementError(RuntimeError):
    """The sandbox could read what it must not; str() says what and what to do."""


_PROBE = r"""
import json, sys
readable = []
for path in sys.argv[1:]:
    try:
        with open(path, "rb") as f:
            f.read(1)
        readable.append(path)
    except OSError:
        pass
print(json.dumps(readable))
"""
_verified = set()
_lock = threading.Lock()


def ensure(mode, assignment, submission_path=None):
    """Raise ConfinementError unless a child sandboxed in `mode` is confined as described above.

    bwrap mode binds neither the reference nor any submission into the sandbox: nothing to check.
    """
    if mode != "rlimits":
        return
    location = assignment.reference  # the reference's student files hold its solutions
    secrets = [location.parent / relative for relative in student_files(location)]
    if submission_path is not None:  # its files stand for its neighbours', other students' work
        secrets += sample_files(Path(os.path.realpath(submission_path)))
    key = tuple(map(str, secrets))
    with _lock:
        if key in _verified:
            return
        readable, enforced = probe(secrets, location)
        if not any(e.startswith("filesystem (landlock") for e in enforced):
            raise ConfinementError(
                "refusing to grade in rlimits mode: this kernel does not offer Landlock, so student code "
                "could read the reference solution and other submissions. Install bubblewrap "
                "(apt-get install bubblewrap) or grade on a Linux kernel with Landlock (5.13 or later).")
        if readable:
            raise ConfinementError(
                "refusing to grade in rlimits mode: sandboxed student code could read %s. Install "
                "bubblewrap (apt-get install bubblewrap), or move these out of the Python installation."
                % ", ".join(readable))
        _verified.add(key)


def sample_files(path, count=3):
    """A few regular files of the submission at path (a zip, or files in a folder)."""
    if path.is_file():
        return [path]
    found = []
    for folder, _, files in os.walk(path):
        found += [Path(folder) / f for f in files[:count - len(found)]]
        if len(found) >= count:
            break
    return found


def probe(paths, reference):
    """(the paths a child sandboxed in rlimits mode could read, what its sandbox enforced)."""
    with tempfile.TemporaryDirectory(prefix="cs231n-probe-") as folder:
        os.chmod(folder, 0o711)
        workspace = Path(folder) / "ws"
        workspace.mkdir()
        run = sandbox.run_confined([sys.executable, "-I", "-S", "-c", _PROBE, *map(str, paths)], workspace,
                                   sandbox.Limits(wall_seconds=60), mode="rlimits", hidden=[reference])
    try:
        readable = json.loads(run.stdout)
    except ValueError:
        raise ConfinementError("could not try the rlimits sandbox (%s): %s" % (run.reason, run.stderr[-500:])) from None
    return [p for p in readable if isinstance(p, str)], run.enforced
