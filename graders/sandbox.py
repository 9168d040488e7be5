"""The one place that starts untrusted processes.

Student code is untrusted: it may be wrong, slow, crash, loop forever, eat memory,
fork-bomb, print megabytes, try to read the reference solution, other submissions or the
grader's output, write outside its workspace, or open network connections.  The grader runs
it only through :func:`run_confined`, which returns a :class:`RunResult` and never
interprets what the child printed.

Confinement model
=================

Two modes; :func:`available_mode` picks the strongest one that works on this machine.  The
result's ``mode`` says which one was used and its ``enforced`` lists, in plain words, every
limit that actually held for that run (what is missing there was not enforced), so the
report can tell the instructor.

``"bwrap"`` (bubblewrap; Linux with ``bwrap`` installed and namespaces allowed)
    The child sees a fresh root made only of read-only binds of the system (``/usr``,
    ``/bin``, ``/lib*``, ``/etc``), of the Python installation (its prefixes and library
    folders only, never the current folder or other ``sys.path`` entries), of each
    ``readable`` path, plus its ``workspace`` and each ``writable`` directory (read-write,
    at their own paths), a private ``/tmp`` and ``/dev/shm`` (size-capped tmpfs), a private
    ``/proc`` and a minimal ``/dev``.  Each ``hidden`` path is covered by an empty read-only
    tmpfs (directories) or ``/dev/null`` (files), wherever it appears in that view.  Nothing
    else of the host filesystem exists in the sandbox.  New network (only its own loopback),
    pid, ipc, uts and cgroup namespaces; ``--die-with-parent`` and ``--new-session``.

``"rlimits"`` (fallback, e.g. in a Docker container where bubblewrap cannot run)
    ``cwd=workspace``, a private ``TMPDIR`` (``.tmp`` inside the workspace, removed
    afterwards; set unless the caller's ``env`` has one) and, where the kernel offers
    Landlock (checked once; ``enforced`` says "filesystem (landlock ABI n)"), a filesystem
    allow-list applied to the program right before its ``exec``: read and execute the
    system directories, the Python installation and each ``readable`` path; read ``/proc``
    and the harmless devices (``/dev/null`` also written); read, write, create and delete
    in the workspace and each ``writable`` directory.  Everything else is denied (the host's
    ``/tmp`` and ``/dev/shm`` included).  Landlock only grants, so a directory holding a
    ``hidden`` path is granted its listing only and each of its other entries its own rule:
    the files of a hidden directory can then be listed but not read.  Without Landlock
    there is no filesystem confinement in this mode, and never any network isolation.

Limits, in both modes
    The process the grader starts is a tiny launcher (``_LAUNCHER``, run by this Python
    with ``-I -S``, its configuration read from a memfd) that forks the program and stays
    as its reaper; the program, right before its ``exec``, gets ``RLIMIT_CPU`` (SIGXCPU at
    the limit, SIGKILL a second later), ``RLIMIT_AS``, ``RLIMIT_FSIZE``, ``RLIMIT_NOFILE``,
    ``RLIMIT_CORE=0``, ``RLIMIT_NPROC``, ``oom_score_adj=1000`` (an OOM kill picks it, not
    the launcher), its uid (below), its cwd, ``no_new_privs`` and (rlimits mode) Landlock.
    The child gets exactly the environment given (or a minimal one: nothing of the
    grader's environment leaks).

Memory and processes (cgroup, root only)
    ``RLIMIT_AS`` counts address space, not memory held through ``memfd_create``, tmpfs or
    ``/dev/shm``.  So when the grader is root, every run also gets a fresh cgroup below the
    grader's own (as ``/proc/self/cgroup`` names it), in cgroup v2 for the controllers the
    grader's cgroup delegates to its children (listed in its ``cgroup.subtree_control``;
    the kernel allows that only in the root cgroup, since the grader itself sits in its
    cgroup), else in the v1 hierarchy of each controller: ``memory.max`` or
    ``memory.limit_in_bytes`` = ``memory_bytes`` (shared memory and page cache included;
    no swap where ``memory.swap.max`` or ``memory.memsw.limit_in_bytes`` exists) and
    ``pids.max`` = ``max_processes`` plus the launcher's own processes.  The grader puts
    the process it starts (and anything it started already) into that cgroup before it
    lets the launcher start the program, so everything the program forks is inside.  A
    program the cgroup's OOM killer killed ends "killed by SIGKILL (memory limit ...)".
    After the run everything in the cgroup is killed and the cgroup removed.  Where no cgroup can be
    made (not root, read-only cgroupfs, no delegation) the run goes on with the rlimits
    only.

Process count (``RLIMIT_NPROC``)
    Linux never enforces ``RLIMIT_NPROC`` for uid 0, nor inside a user namespace whose ids
    map to host uid 0.  So when the grader runs as root, every run leases a dedicated,
    otherwise unused uid (``UID_POOL``, one per concurrent run, held with a ``flock`` on
    :func:`uid_lock_path`, in a fixed directory so that the lease is machine-wide whatever
    the environment; or the caller's ``uid``); the workspace and each ``writable``
    directory are chowned to it for the run (and given back afterwards) and the program
    drops to it (``setgroups([])``, ``setgid``, ``setuid``).  In bwrap mode bubblewrap then
    runs *privileged* (no user namespace, capabilities cut to CAP_SETUID/CAP_SETGID) so the
    program really runs as that host uid; the limit is ``max_processes`` (threads count
    too).  When the grader is not root the child keeps the grader's uid and the limit is
    the number of that user's threads right now plus ``max_processes`` (plus bubblewrap's
    and the launcher's own processes): a fork bomb is stopped, but the budget is shared
    with the user's other processes.

Cleanup
    The launcher starts in a new session, only once the grader has armed its cleanup, and
    dies with the grader.  It reaps everything below the program: in bwrap mode it is the
    sandbox's pid 1 (``--as-pid-1``), so when it exits the kernel kills the whole pid
    namespace; in rlimits mode it is a child subreaper, so even daemonized descendants stay
    below it, and it kills them when the program exits.  On timeout, on exit, and when the
    grader is interrupted (``KeyboardInterrupt``, re-raised afterwards) the grader kills
    the launcher's descendants, process group and session and, with a leased uid, every
    process of that uid, and with a cgroup every process in it, until none is left.
    Setting :data:`cancel` (a ``threading.Event``) does the same for every run in flight,
    from any thread, and raises :class:`Cancelled` in the threads running them (new runs
    raise it before starting): a batch interrupted with Ctrl-C in its main thread stops its
    grading threads this way.  Limitation: in rlimits mode *without* root the program runs
    as the grader's user and could kill its launcher and then escape.

Requirements and limits of the model
    * As root, the files the program needs (the interpreter, ``readable`` paths) must be
      readable by an unprivileged uid.  In bwrap mode only the bound paths' own
      permissions matter (bubblewrap's parents of them are made 0755); in rlimits mode
      every parent directory, of the interpreter and of the workspace, must be searchable
      by others (a Python under ``/root`` or a workspace under pytest's 0700 ``tmp_path``
      is not: the run then ends "could not start ...", never falls back to root).
    * Disk use inside the workspace is capped per file (``RLIMIT_FSIZE``), not in total;
      the private ``/tmp`` and ``/dev/shm`` are tmpfs capped at ``file_bytes`` each.
    * In rlimits mode without root the child runs as the grader's user and can read what
      that user can read (including the grader's environment in ``/proc``), unless
      Landlock forbids it (``/proc`` stays readable).
    * With Landlock ABI 1 (Linux 5.13 to 5.18) renaming or linking a file into another
      directory is always refused.
    * bubblewrap needs ``--perms`` on ``--tmpfs`` (0.8 has it; Debian 12's package) when
      the grader is root, and unprivileged user namespaces when it is not; otherwise
      :func:`available_mode`'s trial run fails and "rlimits" is used.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import functools
import json
import os
import pwd
import re
import selectors
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Limits", "RunResult", "available_mode", "run_confined", "default_env", "UID_POOL",
           "uid_lock_path", "cancel", "Cancelled"]

MODES = ("bwrap", "rlimits")
#: Host uids leased (one per concurrent run) when the grader runs as root.  Chosen outside
#: the ranges used by Debian, systemd (dynamic users, nspawn) and usual subuid maps; a uid
#: that has an account or running processes is skipped.
UID_POOL = range(2_000_000_000, 2_000_001_000)
#: Where the leases' lock files live: the first of these that exists or can be made.  Fixed
#: paths (never TMPDIR), so that every grader on the machine leases from the same pool.
UID_LOCK_DIRS = (Path("/run/cs231n-sandbox-uids"), Path("/var/lock/cs231n-sandbox-uids"),
                 Path("/tmp/cs231n-sandbox-uids"))

_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
_PASSTHROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
_OWN_PROCESSES = {"bwrap": 2, "rlimits": 1}  # bubblewrap and/or the launcher
_DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
_CGROUP_CONTROLLERS = ("memory", "pids")
_DRAIN_SECONDS = 2.0  # how long to wait for the pipes to close once the program is gone
_SWEEP_SECONDS = 10.0  # how long to keep killing leftovers before giving up
_CHUNK = 65536
_CANCEL_POLL_SECONDS = 0.1  # how soon a run in flight notices `cancel`

#: Set to stop every run in flight and refuse new ones (see "Cleanup"); clear to allow runs again.
cancel = threading.Event()


class Cancelled(BaseException):
    """A run was stopped because :data:`cancel` was set.

    A BaseException, like KeyboardInterrupt, so that "record any error" handlers let it through.
    """


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 60.0
    cpu_seconds: int = 60  # RLIMIT_CPU
    memory_bytes: int = 4 * 2**30  # RLIMIT_AS; as root also the run's cgroup memory limit
    max_processes: int = 64  # RLIMIT_NPROC (and cgroup) budget of the run; threads count too
    output_bytes: int = 256 * 2**10  # kept of stdout, and of stderr; the rest is discarded
    file_bytes: int = 256 * 2**20  # RLIMIT_FSIZE; also the size of the private /tmp
    open_files: int = 256  # RLIMIT_NOFILE


@dataclass(frozen=True)
class RunResult:
    mode: str  # "bwrap" or "rlimits"
    exit_code: int | None  # None if killed by a signal
    signal: int | None
    timed_out: bool  # wall clock exceeded; the whole process tree was killed
    stdout: str  # decoded with errors="replace", capped
    stderr: str
    stdout_truncated: bool
    stderr_truncated: bool
    wall_seconds: float
    cpu_seconds: float  # user+sys CPU of the child and its reaped descendants
    reason: str  # plain words, e.g. "exited normally"
    #: The limits that held for this run, in plain words, e.g. "processes (cgroup v1)" or
    #: "filesystem (landlock ABI 7)"; a kind of confinement missing here was not enforced.
    enforced: tuple[str, ...] = ()
    #: Why the program never started (the sandbox or the launcher failed before its exec),
    #: None if it started. Set by the grader's side only: the program cannot forge it.
    start_error: str | None = None


# --------------------------------------------------------------------------------------
# The launcher: the child the grader starts (in bwrap mode: inside the sandbox, as its
# pid 1), run with `python -I -S -c`; argv[1] is the fd of a memfd holding its JSON
# config (it may be long: the Landlock rules), argv[2:] the program.
# 1. It waits for the grader's "go", so that an interrupted grader never leaves a program
#    running (the grader only says go once its cleanup is armed and, as root, the launcher
#    is in the run's cgroup).
# 2. It forks the program, which makes itself the OOM killer's first choice, sets the
#    rlimits, drops to the leased uid, enters the workspace, sets no_new_privs, restricts
#    its filesystem with Landlock (rlimits mode), restores the signals Python ignores and
#    execs.
# 3. It stays as the program's reaper (pid 1 of the sandbox, or a child subreaper in
#    rlimits mode, so that even daemonized descendants stay below it), reaps orphans until
#    the program exits, then (rlimits mode) kills what is left, and reports the program's
#    real exit status and CPU time on the status pipe.
_LAUNCHER = r"""
import ctypes, json, os, resource, signal, struct, sys, time
with open(int(sys.argv[1]), "rb") as config:
    cfg = json.loads(config.read())
argv = sys.argv[2:]
status = cfg["status_fd"]
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER = 1, 38, 36
LANDLOCK_CREATE_RULESET, LANDLOCK_ADD_RULE, LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_RULE_PATH_BENEATH = 1

def die_with(parent):
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(137)

def report(line):
    try:
        os.write(status, (line + "\n").encode())
    except OSError:
        pass

def fail(what, err):
    why = err.strerror
    if cfg["uid"] is not None and err.errno == 13:
        why += " (as sandbox uid %d: the path must be reachable by that uid)" % cfg["uid"]
    if cfg["landlock"] is not None and err.errno == 13:
        why += (" (Landlock: the path must lie in the system directories, the Python"
                " installation, a readable path, the workspace or a writable directory)")
    report("error " + what + ": " + why)
    sys.stderr.write("sandbox: " + what + ": " + why + "\n")
    os._exit(126 if err.errno in (1, 13) else 127)

def set_limits():
    for name, soft, hard in cfg["rlimits"]:
        which = getattr(resource, name)
        try:
            resource.setrlimit(which, (soft, hard))
        except (OSError, ValueError):  # unprivileged: cannot raise a hard limit
            cur = resource.getrlimit(which)[1]
            if cur != resource.RLIM_INFINITY:
                soft, hard = min(soft, cur), min(hard, cur)
            resource.setrlimit(which, (soft, hard))

def drop_privileges():
    if cfg["uid"] is None:
        return
    os.setgroups([])
    os.setgid(cfg["gid"])
    os.setuid(cfg["uid"])
    if os.getuid() != cfg["uid"] or os.geteuid() != cfg["uid"]:
        raise PermissionError(1, "could not drop to uid %d" % cfg["uid"])

def first_to_kill():
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass

def landlock(number, *args):
    ret = libc.syscall(ctypes.c_long(number), *args)
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return ret

def restrict_filesystem(plan):
    # struct landlock_ruleset_attr (its first field) and landlock_path_beneath_attr (packed)
    attr = struct.pack("=Q", plan["handled"])
    ruleset = landlock(LANDLOCK_CREATE_RULESET, attr, ctypes.c_size_t(len(attr)),
                       ctypes.c_uint32(0))
    for path, access in plan["rules"]:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except (FileNotFoundError, PermissionError):
            continue  # out of this uid's reach anyway
        rule = struct.pack("=Qi", access, fd)
        landlock(LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH),
                 rule, ctypes.c_uint32(0))
        os.close(fd)
    landlock(LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0))
    os.close(ruleset)

def become_program(reaper):
    first_to_kill()
    try:
        set_limits()
        drop_privileges()
        os.chdir(cfg["cwd"])
    except OSError as err:
        fail("could not confine the program in " + cfg["cwd"], err)
    die_with(reaper)  # after setuid, which clears it
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)  # also what Landlock requires
    if cfg["landlock"] is not None:
        try:
            restrict_filesystem(cfg["landlock"])
        except OSError as err:
            fail("could not restrict the filesystem with Landlock", err)
    for sig in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)
    os.set_inheritable(status, False)
    try:
        os.execvp(argv[0], argv)
    except OSError as err:
        fail("could not execute " + repr(argv[0]), err)

def children():
    me, kids = str(os.getpid()), []
    for name in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % name) as f:
                if f.read().rsplit(")", 1)[1].split()[1] == me:
                    kids.append(int(name))
        except (OSError, IndexError, ValueError):
            continue
    return kids

def kill_leftovers(seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for kid in children():
            try:
                os.kill(kid, signal.SIGKILL)
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            return
        time.sleep(0.002)

if cfg["parent_pid"] is not None:  # rlimits mode: no namespace to die with
    die_with(cfg["parent_pid"])
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
if os.read(cfg["gate_fd"], 2) != b"go":  # the grader gave up before it could clean up
    os._exit(0)
os.close(cfg["gate_fd"])
pid = os.fork()
if pid == 0:
    become_program(os.getppid())
while True:
    done, st = os.waitpid(-1, 0)
    if done == pid:
        break
if cfg["parent_pid"] is not None:
    kill_leftovers()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
report("cpu %r" % (usage.ru_utime + usage.ru_stime))
if os.WIFSIGNALED(st):
    report("signal %d" % os.WTERMSIG(st))
    os._exit(128 + os.WTERMSIG(st))
report("exit %d" % os.WEXITSTATUS(st))
os._exit(os.WEXITSTATUS(st))
"""


# ======================================================================================
# Public API
# ======================================================================================

_mode_lock = threading.Lock()
_mode_cache: str | None = None


def available_mode() -> str:
    """Return "bwrap" if bubblewrap exists and a trial sandbox runs Python, else "rlimits"."""
    global _mode_cache
    with _mode_lock:
        if _mode_cache is None:
            _mode_cache = "bwrap" if _bwrap_works() else "rlimits"
        return _mode_cache


def run_confined(
    argv: Sequence[str],
    workspace: Path,
    limits: Limits = Limits(),
    *,
    env: Mapping[str, str] | None = None,
    readable: Sequence[Path] = (),
    hidden: Sequence[Path] = (),
    writable: Sequence[Path] = (),
    mode: str | None = None,
    uid: int | None = None,
) -> RunResult:
    """Run ``argv`` confined, with ``workspace`` as its cwd.

    ``env`` is the child's complete environment (default: :func:`default_env`).
    ``readable`` paths are visible read-only and ``hidden`` ones unreadable (see the module
    docstring for each mode).  ``writable`` directories (outside the workspace) may be
    written besides the workspace and, as root, are lent to the run's uid like it.
    ``uid`` (root only) picks the uid to run as instead of leasing one from
    :data:`UID_POOL`; it must be unused by anything else.
    """
    mode = mode or available_mode()
    if mode not in MODES:
        raise ValueError(f"unknown sandbox mode {mode!r}; expected one of {MODES}")
    if not argv:
        raise ValueError("argv is empty")
    paths = _checked_paths(workspace, readable, hidden, writable)
    bwrap = _bwrap_path() if mode == "bwrap" else None
    if mode == "bwrap" and bwrap is None:
        raise RuntimeError("bwrap mode requested but bubblewrap is not installed")
    if uid is not None and os.geteuid() != 0 and uid != os.getuid():
        raise PermissionError("only root can run the child as another uid")
    if cancel.is_set():
        raise Cancelled("grading was cancelled")

    with (_identity(uid) as ident, _prepared_workspace(paths, ident, mode) as tmpdir,
          _run_cgroup(limits, mode) as cgroup):
        child_env = dict(env) if env is not None else default_env(paths.workspace, mode)
        if tmpdir is not None:
            child_env.setdefault("TMPDIR", str(tmpdir))
        landlock = _landlock_abi() if mode == "rlimits" else 0
        return _execute(argv, paths, limits, child_env, bwrap,
                        _Confinement(mode, ident, cgroup, landlock))


def uid_lock_path(uid: int) -> Path:
    """The lock file whose ``flock`` is the lease of a sandbox uid (leases exist as root only).

    Creates the lock directory if needed; raises RuntimeError if it is not private.
    """
    return _lock_dir() / f"{uid}.lock"


def default_env(workspace: Path, mode: str = "bwrap") -> dict[str, str]:
    """The minimal environment given to the child when the caller passes none."""
    bindir = os.path.dirname(sys.executable)
    env = {
        "PATH": f"{bindir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workspace),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    if mode == "bwrap":
        env["TMPDIR"] = "/tmp"
    env.update({k: os.environ[k] for k in _PASSTHROUGH_ENV if k in os.environ})
    return env


@dataclass(frozen=True)
class _Paths:
    """The host paths of one run (see run_confined); workspace and writable are real paths."""

    workspace: Path
    readable: tuple[Path, ...]
    hidden: tuple[Path, ...]
    writable: tuple[Path, ...]


def _checked_paths(workspace: Path, readable: Sequence[Path], hidden: Sequence[Path],
                   writable: Sequence[Path]) -> _Paths:
    dirs = []
    for what, path in (("workspace", workspace), *(("writable path", w) for w in writable)):
        real = Path(os.path.realpath(path))
        if not real.is_dir():
            raise NotADirectoryError(f"{what} {path} is not a directory")
        dirs.append(real)
    return _Paths(dirs[0], tuple(map(Path, readable)), tuple(map(Path, hidden)), tuple(dirs[1:]))


# ======================================================================================
# Who the child runs as (edge: uid leases, workspace ownership)
# ======================================================================================


@dataclass(frozen=True)
class _Identity:
    uid: int | None  # None: the child keeps the grader's uid
    gid: int | None


@contextlib.contextmanager
def _identity(uid: int | None) -> Iterator[_Identity]:
    """Who one run's child runs as: as root, a dedicated uid (leased unless given)."""
    if os.geteuid() != 0:
        yield _Identity(None, None)
    elif uid is not None:
        if uid == 0:
            raise ValueError("uid 0 cannot be confined (RLIMIT_NPROC does not apply)")
        yield _Identity(uid, uid)
    else:
        uid, lock_fd = _lease_uid()
        try:
            yield _Identity(uid, uid)
        finally:
            os.close(lock_fd)  # releases the flock


def _lease_uid() -> tuple[int, int]:
    """Lock a free uid of UID_POOL for this run; return it and the lock's fd."""
    for uid in UID_POOL:
        if _has_account(uid):
            continue
        fd = os.open(uid_lock_path(uid), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        if any(uid in p.uids and not p.zombie for p in _processes()):
            os.close(fd)
            continue
        return uid, fd
    raise RuntimeError(f"no free sandbox uid in {UID_POOL}")


def _lock_dir() -> Path:
    """The private directory of the uid leases' lock files (made if need be)."""
    path = next((p for p in UID_LOCK_DIRS
                 if os.path.lexists(p) or os.access(p.parent, os.W_OK | os.X_OK)), None)
    if path is None:
        raise RuntimeError("no place for the sandbox's uid leases: none of "
                           f"{', '.join(map(str, UID_LOCK_DIRS))} exists or can be made")
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    st = path.lstat()
    problems = [why for bad, why in (
        (not stat.S_ISDIR(st.st_mode), "it is not a directory (or is a symbolic link)"),
        (st.st_uid != os.geteuid(), f"it is owned by uid {st.st_uid}, not {os.geteuid()}"),
        (stat.S_IMODE(st.st_mode) != 0o700, f"its mode is {stat.S_IMODE(st.st_mode):o}, not 700"),
    ) if bad]
    if problems:
        raise RuntimeError(f"refusing to keep the sandbox's uid leases in {path}: "
                           f"{'; '.join(problems)}. Remove it (no grading may be running) "
                           "and the next run makes it anew.")
    return path


def _has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


@contextlib.contextmanager
def _prepared_workspace(paths: _Paths, ident: _Identity, mode: str) -> Iterator[Path | None]:
    """Prepare the workspace (and the writable directories) for one run; restore afterwards.

    In rlimits mode a private TMPDIR ``.tmp`` is made inside the workspace (and removed
    afterwards); it is yielded.  The trees are lent to the run's uid (:func:`_lent`).
    """
    tmpdir = paths.workspace / ".tmp" if mode == "rlimits" else None
    if tmpdir is not None:
        tmpdir.mkdir(mode=0o700, exist_ok=True)
    try:
        with _lent([paths.workspace, *paths.writable], ident):
            yield tmpdir
    finally:
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)


@contextlib.contextmanager
def _lent(roots: Sequence[Path], ident: _Identity) -> Iterator[None]:
    """With a dedicated uid, chown each tree to it for the run and give it back afterwards.

    Given back, what that uid owns gets its earlier owner back (new entries: the owner of
    their tree's root); nothing else is touched, so a planted hard link cannot be given away.
    """
    if ident.uid is None:
        yield
        return
    before = [(root, _owners(root)) for root in roots]
    try:
        for root in roots:
            _chown_tree(root, lambda _path: (ident.uid, ident.gid))
        yield
    finally:
        for root, owners in before:
            default = owners[str(root)]
            _chown_tree(root, lambda path: owners.get(path, default), only=ident.uid)


def _walk(root: Path) -> Iterator[str]:
    """Every path under root (root included), without following symlinks."""
    yield str(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            yield os.path.join(dirpath, name)


def _owners(root: Path) -> dict[str, tuple[int, int]]:
    owners = {}
    for path in _walk(root):
        try:
            st = os.lstat(path)
        except OSError:
            continue
        owners[path] = (st.st_uid, st.st_gid)
    return owners


def _chown_tree(root: Path, owner_of: Callable[[str], tuple[int, int]],
                only: int | None = None) -> None:
    """lchown every entry under root (root included) to owner_of(path); with ``only``,
    just the entries that uid owns."""
    for path in _walk(root):
        try:
            if only is None or os.lstat(path).st_uid == only:
                os.lchown(path, *owner_of(path))
        except OSError:
            pass


# ======================================================================================
# Planning (pure): limits, environment, bubblewrap arguments, launcher command
# ======================================================================================


def _nproc_budget(limits: Limits, ident: _Identity, mode: str) -> int:
    """RLIMIT_NPROC for the child: its uid's current threads plus the run's budget."""
    uid = ident.uid if ident.uid is not None else os.getuid()
    current = sum(p.threads for p in _processes() if p.uids[:1] == (uid,))
    overhead = _OWN_PROCESSES[mode] if ident.uid is None else 0  # else they run as root
    return current + overhead + limits.max_processes


def _rlimits(limits: Limits, nproc: int) -> list[tuple[str, int, int]]:
    return [
        ("RLIMIT_CPU", limits.cpu_seconds, limits.cpu_seconds + 1),
        ("RLIMIT_AS", limits.memory_bytes, limits.memory_bytes),
        ("RLIMIT_FSIZE", limits.file_bytes, limits.file_bytes),
        ("RLIMIT_NOFILE", limits.open_files, limits.open_files),
        ("RLIMIT_CORE", 0, 0),
        ("RLIMIT_NPROC", nproc, nproc),
    ]


def _launcher_argv(argv: Sequence[str], config_fd: int) -> list[str]:
    return [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(config_fd), *argv]


def _is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _python_dirs() -> list[Path]:
    """Directories of the Python installation the child needs, and nothing else.

    The prefixes (venv and base installation) and the installation's library folders
    (stdlib, site-packages, the user site if enabled). Other ``sys.path`` entries are never
    included: the current folder that ``python -m`` puts first, ``PYTHONPATH`` entries or a
    source checkout may hold a course folder with every student's submission. A folder
    that is ``/`` or holds the current folder or the home directory is never included.
    """
    import site
    import sysconfig

    guarded = [Path(os.path.realpath(p)) for p in (os.getcwd(), Path.home())]
    found = {sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))}
    for base in (None, {"base": sys.base_prefix, "platbase": sys.base_exec_prefix}):
        paths = sysconfig.get_paths(vars=base)
        found |= {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    found |= set(site.getsitepackages())
    if site.ENABLE_USER_SITE and site.USER_SITE:
        found.add(site.USER_SITE)
    dirs = {Path(os.path.realpath(p)) for p in found if p}
    return _outermost({d for d in dirs if d.is_dir() and d != Path("/")
                       and not any(_is_within(g, d) for g in guarded)})


def _outermost(paths: set[Path]) -> list[Path]:
    """Drop paths that lie inside another one of the set."""
    return sorted(p for p in paths if not any(q != p and _is_within(p, q) for q in paths))


def _bwrap_args(bwrap: str, paths: _Paths, limits: Limits, *, privileged: bool,
                features: frozenset[str] = frozenset({"--perms", "--size"})) -> list[str]:
    """The bubblewrap command line (up to, not including, the command)."""
    args = [bwrap]
    if privileged:  # root: no user namespace, so that a dropped uid is a real host uid
        args += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                 "--unshare-cgroup-try", "--cap-drop", "ALL",
                 "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-all"]
    # --as-pid-1: the launcher is the namespace's init; bubblewrap reaps it, so when
    # bubblewrap has exited the whole pid namespace is gone.
    args += ["--as-pid-1", "--die-with-parent", "--new-session", "--hostname", "sandbox"]
    bound: list[Path] = []  # host directories bound at their own path
    for name in _SYSTEM_DIRS:
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
            bound.append(Path(name))
    size = max(limits.file_bytes, 2**20)
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += _tmpfs_args("/tmp", "1777", size, features)
    args += _tmpfs_args("/dev/shm", "1777", size, features)
    binds = {Path(os.path.realpath(p)): "--ro-bind" for p in (*_python_dirs(), *paths.readable)}
    binds.update({p: "--bind" for p in (paths.workspace, *paths.writable)})
    made: set[Path] = {Path("/"), Path("/tmp"), Path("/dev"), Path("/proc")}
    for path in sorted(binds, key=lambda p: len(p.parts)):  # parents before children
        if path.exists():
            args += _parent_dirs_args(path, bound, made, features)
            args += [binds[path], str(path), str(path)]
            bound.append(path)
    args += _hide_args(paths.hidden, bound, features)
    args += ["--chdir", "/"]  # the launcher enters the workspace once it is the child's uid
    return args


def _tmpfs_args(dest: str, perms: str, size: int, features: frozenset[str]) -> list[str]:
    args = ["--perms", perms] if "--perms" in features else []
    args += ["--size", str(size)] if "--size" in features else []
    return args + ["--tmpfs", dest]


def _parent_dirs_args(path: Path, bound: list[Path], made: set[Path],
                      features: frozenset[str]) -> list[str]:
    """Create the missing parents of a bind target as 0755 directories.

    (bubblewrap would make them 0700, which a dropped uid cannot traverse.)
    """
    args: list[str] = []
    for parent in reversed(path.parents):
        if parent in made or any(_is_within(parent, b) for b in bound):
            continue
        args += (["--perms", "0755"] if "--perms" in features else []) + ["--dir", str(parent)]
        made.add(parent)
    return args


def _hide_args(hidden: Sequence[Path], bound: list[Path], features: frozenset[str]) -> list[str]:
    """Cover each hidden path that one of the binds makes visible in the sandbox."""
    args: list[str] = []
    for h in hidden:
        real = Path(os.path.realpath(h))
        if not real.exists() or not any(_is_within(real, b) for b in bound):
            continue
        if real.is_dir():
            args += _tmpfs_args(str(real), "0555", 4096, features)
            args += ["--remount-ro", str(real)]
        else:
            args += ["--ro-bind", "/dev/null", str(real)]
    return args


# Landlock's filesystem access rights (linux/landlock.h), and the ABI version that knows each.
_LL_EXECUTE, _LL_WRITE_FILE, _LL_READ_FILE, _LL_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_LL_REMOVE_DIR, _LL_REMOVE_FILE, _LL_MAKE_DIR, _LL_MAKE_REG = 1 << 4, 1 << 5, 1 << 7, 1 << 8
_LL_MAKE_SOCK, _LL_MAKE_FIFO, _LL_MAKE_SYM = 1 << 9, 1 << 10, 1 << 12
_LL_REFER, _LL_TRUNCATE, _LL_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_LL_BY_ABI = ((1, (1 << 13) - 1), (2, _LL_REFER), (3, _LL_TRUNCATE), (5, _LL_IOCTL_DEV))
_LL_READ = _LL_EXECUTE | _LL_READ_FILE | _LL_READ_DIR
_LL_WRITE = (_LL_READ | _LL_WRITE_FILE | _LL_REMOVE_DIR | _LL_REMOVE_FILE | _LL_MAKE_DIR
             | _LL_MAKE_REG | _LL_MAKE_SOCK | _LL_MAKE_FIFO | _LL_MAKE_SYM | _LL_REFER
             | _LL_TRUNCATE)
_LL_FILE = _LL_EXECUTE | _LL_WRITE_FILE | _LL_READ_FILE | _LL_TRUNCATE | _LL_IOCTL_DEV  # on a file


def _landlock_plan(paths: _Paths, abi: int) -> dict:
    """The launcher's Landlock plan (rlimits mode): every right this ABI knows is handled,
    i.e. denied unless a rule grants it (what is granted: the module docstring)."""
    grants: dict[Path, int] = {}

    def grant(path: str | Path, access: int) -> None:
        real = Path(os.path.realpath(path))
        if real.exists():
            grants[real] = grants.get(real, 0) | access

    for path in (*_SYSTEM_DIRS, *_python_dirs(), *paths.readable):
        grant(path, _LL_READ)
    grant("/proc", _LL_READ_FILE | _LL_READ_DIR)
    for device in _DEVICES:
        grant(device, _LL_READ_FILE)
    grant("/dev/null", _LL_WRITE_FILE | _LL_TRUNCATE)
    for path in (paths.workspace, *paths.writable):
        grant(path, _LL_WRITE)
    handled = sum(rights for version, rights in _LL_BY_ABI if version <= abi)
    hidden = [Path(os.path.realpath(h)) for h in paths.hidden]
    rules = []
    for path, access in grants.items():
        for where, rights in _around_hidden(path, access, hidden):
            rights &= handled if where.is_dir() else handled & _LL_FILE
            if rights:
                rules.append([str(where), rights])
    return {"handled": handled, "rules": rules}


def _around_hidden(path: Path, access: int, hidden: list[Path]) -> list[tuple[Path, int]]:
    """Landlock rules granting ``access`` beneath ``path``, except beneath hidden paths.

    Landlock rules only grant, so a directory on the way to a hidden path is granted its
    listing only and each of its entries its own rules, recursively (symbolic links aside:
    the rules of their targets apply).
    """
    if any(_is_within(path, h) for h in hidden):
        return []
    inside = [h for h in hidden if _is_within(h, path)]
    if not inside:
        return [(path, access)]
    rules = [(path, access & _LL_READ_DIR)]
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if not entry.is_symlink():
                    rules += _around_hidden(Path(entry.path), access, inside)
    except OSError:
        pass
    return rules


def _describe(limits: Limits, exit_code: int | None, sig: int | None, timed_out: bool,
              cpu: float, file_limit_hit: bool, start_error: str | None,
              oom_killed: bool = False) -> str:
    """The plain-words reason of a run's end (oom_killed: the run's cgroup OOM-killed)."""
    memory = f"memory limit {limits.memory_bytes} bytes"
    if timed_out:
        return f"killed after {limits.wall_seconds:g} s wall-clock limit"
    if start_error:
        return f"could not start: {start_error}"
    if sig is not None:
        name = _signal_name(sig)
        if sig == signal.SIGXCPU:
            return f"killed by SIGXCPU (CPU-time limit {limits.cpu_seconds} s)"
        if sig == signal.SIGXFSZ:
            return f"killed by SIGXFSZ (file-size limit {limits.file_bytes} bytes)"
        if sig == signal.SIGKILL:
            if oom_killed:
                return f"killed by SIGKILL ({memory}, shared memory included)"
            if cpu >= limits.cpu_seconds:
                return f"killed by SIGKILL (CPU-time limit {limits.cpu_seconds} s)"
            return "killed by SIGKILL (likely the memory limit)"
        return f"killed by {name}"
    if file_limit_hit:
        return (f"exceeded file-size limit ({limits.file_bytes} bytes); "
                f"exited with code {exit_code}")
    ended = "exited normally" if exit_code == 0 else f"exited with code {exit_code}"
    return f"{ended}; the {memory} killed one of its processes" if oom_killed else ended


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


# ======================================================================================
# Running (edge): spawn, pump the pipes, wait, kill everything, report
# ======================================================================================


@dataclass
class _Capture:
    cap: int
    data: bytearray = field(default_factory=bytearray)
    truncated: bool = False

    def add(self, chunk: bytes) -> None:
        room = self.cap - len(self.data)
        if len(chunk) > room:
            self.truncated = True
        if room > 0:
            self.data += chunk[:room]

    def text(self) -> str:
        return bytes(self.data).decode("utf-8", errors="replace")


@dataclass
class _Outcome:
    status: int | None = None  # wait status of the direct child
    cpu: float = 0.0
    timed_out: bool = False
    cleaned: bool = False  # _kill_all ran after the child was reaped
    oom_kills: int = 0  # processes the run's cgroup OOM-killed


@dataclass(frozen=True)
class _Confinement:
    """How one run is confined, besides its limits and paths."""

    mode: str
    ident: _Identity
    cgroup: _Cgroup | None  # as root, where one could be made
    landlock: int  # the Landlock ABI applied to the program (rlimits mode), 0: none

    def enforced(self) -> tuple[str, ...]:
        """What RunResult.enforced says."""
        words = ["cpu time, address space, file size, open files (rlimits)",
                 "processes (rlimit, own uid)" if self.ident.uid is not None
                 else "processes (rlimit, shared with the grader's user)"]
        words += self.cgroup.enforced if self.cgroup is not None else ()
        if self.mode == "bwrap":
            words += ["filesystem (bubblewrap)", "network (bubblewrap)"]
        elif self.landlock:
            words.append(f"filesystem (landlock ABI {self.landlock})")
        return tuple(words)


def _execute(argv: Sequence[str], paths: _Paths, limits: Limits, env: Mapping[str, str],
             bwrap: str | None, conf: _Confinement) -> RunResult:
    sandbox = [] if conf.mode != "bwrap" else _bwrap_args(
        bwrap, paths, limits, privileged=os.geteuid() == 0, features=_bwrap_features(bwrap))
    landlock = _landlock_plan(paths, conf.landlock) if conf.landlock else None
    status_r, status_w = os.pipe()  # launcher -> grader: errors, the program's status
    gate_r, gate_w = os.pipe()  # grader -> launcher: "go" once cleanup is guaranteed
    config = {"rlimits": _rlimits(limits, _nproc_budget(limits, conf.ident, conf.mode)),
              "uid": conf.ident.uid, "gid": conf.ident.gid, "cwd": str(paths.workspace),
              "status_fd": status_w, "gate_fd": gate_r, "landlock": landlock,
              "parent_pid": None if conf.mode == "bwrap" else os.getpid()}
    config_fd = _memfd("sandbox-launcher-config", json.dumps(config).encode())
    command = sandbox + _launcher_argv(argv, config_fd)
    out, err = _Capture(limits.output_bytes), _Capture(limits.output_bytes)
    outcome, proc = _Outcome(), None
    start = time.monotonic()
    try:
        try:
            proc = subprocess.Popen(command, cwd=paths.workspace, env=env,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE,
                                    pass_fds=(status_w, gate_r, config_fd),
                                    start_new_session=True)
        finally:
            for fd in (status_w, gate_r, config_fd):
                os.close(fd)
        if conf.cgroup is not None:
            _enter_cgroup(conf.cgroup, proc.pid)
        # Interrupted before this point, the launcher reads EOF and never runs argv.
        with contextlib.suppress(BrokenPipeError):  # the launcher is gone already
            os.write(gate_w, b"go")
        _pump(proc, out, err, outcome, start + limits.wall_seconds, conf)
    finally:
        os.close(gate_w)
        if proc is not None:
            if not outcome.cleaned:
                _kill_all(proc, conf, outcome)
            if outcome.status is None:
                _reap(proc, outcome)
            proc.stdout.close()
            proc.stderr.close()
        report = _parse_report(_read_all(status_r))
    outcome.oom_kills = _oom_kills(conf.cgroup)
    wall = time.monotonic() - start
    return _result(limits, conf, outcome, out, err, wall, report, paths.workspace)


def _memfd(name: str, data: bytes) -> int:
    """A memory file holding data, positioned at its start."""
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _pump(proc: subprocess.Popen, out: _Capture, err: _Capture, outcome: _Outcome, deadline: float,
          conf: _Confinement) -> None:
    """Read both pipes until the child is gone and the pipes are closed, or time is up."""
    sel = selectors.DefaultSelector()
    for pipe, capture in ((proc.stdout, out), (proc.stderr, err)):
        os.set_blocking(pipe.fileno(), False)
        sel.register(pipe.fileno(), selectors.EVENT_READ, capture)
    pidfd = _pidfd(proc.pid)
    if pidfd is not None:
        sel.register(pidfd, selectors.EVENT_READ, None)
    drain_until = None
    try:
        while True:
            now = time.monotonic()
            if outcome.status is None and now >= deadline:
                outcome.timed_out = True
                return
            if outcome.status is not None and (len(sel.get_map()) == 0 or now >= drain_until):
                return
            if cancel.is_set():
                raise Cancelled("grading was cancelled")  # _execute's cleanup kills the child
            timeout = min((deadline if outcome.status is None else drain_until) - now,
                          _CANCEL_POLL_SECONDS)
            if pidfd is None and outcome.status is None:
                timeout = min(timeout, 0.05)  # no pidfd: poll wait4
            for key, _ in sel.select(timeout):
                if key.data is None:
                    sel.unregister(pidfd)
                    _reap(proc, outcome, block=False)
                    continue
                chunk = _read_chunk(key.fd)
                if chunk:
                    key.data.add(chunk)
                elif chunk is not None:
                    sel.unregister(key.fd)
            if outcome.status is None and pidfd is None:
                _reap(proc, outcome, block=False)
            if outcome.status is not None and drain_until is None:
                # The program is gone; whatever it left behind must go too, so the
                # pipes close.
                _kill_all(proc, conf, outcome)
                outcome.cleaned = True
                drain_until = time.monotonic() + _DRAIN_SECONDS
    finally:
        sel.close()
        if pidfd is not None:
            os.close(pidfd)


def _read_chunk(fd: int) -> bytes | None:
    """A chunk of output, b"" at end of file, None if nothing is there yet."""
    try:
        return os.read(fd, _CHUNK)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _reap(proc: subprocess.Popen, outcome: _Outcome, block: bool = True) -> None:
    """wait4 the direct child; record its status and the CPU time of its tree."""
    try:
        pid, status, usage = os.wait4(proc.pid, 0 if block else os.WNOHANG)
    except ChildProcessError:
        return
    if pid == 0:
        return
    outcome.status = status
    outcome.cpu = usage.ru_utime + usage.ru_stime
    proc.returncode = os.waitstatus_to_exitcode(status)


def _read_all(fd: int, cap: int = _CHUNK) -> str:
    chunks, size = [], 0
    try:
        os.set_blocking(fd, False)
        while size < cap and (chunk := os.read(fd, _CHUNK)):
            chunks.append(chunk)
            size += len(chunk)
    except BlockingIOError:
        pass
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", errors="replace")


@dataclass(frozen=True)
class _Report:
    """What the launcher wrote on the status pipe (all fields optional)."""

    exit_code: int | None = None
    signal: int | None = None
    cpu: float | None = None
    error: str | None = None


def _parse_report(text: str) -> _Report:
    fields: dict = {}
    for line in text.splitlines():
        word, _, value = line.partition(" ")
        try:
            if word == "exit":
                fields.setdefault("exit_code", int(value))
            elif word == "signal":
                fields.setdefault("signal", int(value))
            elif word == "cpu":
                fields.setdefault("cpu", float(value))
            elif word == "error":
                fields.setdefault("error", value)
        except ValueError:
            continue
    return _Report(**fields)


def _result(limits: Limits, conf: _Confinement, outcome: _Outcome, out: _Capture,
            err: _Capture, wall: float, report: _Report, workspace: Path) -> RunResult:
    exit_code, sig = _decode(outcome, report)
    cpu = max(outcome.cpu, report.cpu or 0.0)
    unreported = report.exit_code is None and report.signal is None and not outcome.timed_out
    if unreported and outcome.oom_kills:  # the memory limit killed the launcher too
        exit_code, sig = None, signal.SIGKILL
    start_error = report.error
    if start_error is None and conf.mode == "bwrap" and unreported and not outcome.oom_kills:
        start_error = f"the sandbox exited with code {exit_code} before starting the program"
    file_hit = exit_code not in (None, 0) and _file_at_limit(workspace, limits.file_bytes)
    reason = _describe(limits, exit_code, sig, outcome.timed_out, cpu, file_hit, start_error,
                       outcome.oom_kills > 0)
    return RunResult(mode=conf.mode, exit_code=exit_code, signal=sig,
                     timed_out=outcome.timed_out, stdout=out.text(), stderr=err.text(),
                     stdout_truncated=out.truncated, stderr_truncated=err.truncated,
                     wall_seconds=wall, cpu_seconds=cpu, reason=reason,
                     enforced=conf.enforced(), start_error=None if outcome.timed_out else start_error)


def _decode(outcome: _Outcome, report: _Report) -> tuple[int | None, int | None]:
    """(exit_code, signal) of the program: from the launcher's report, else (the launcher
    itself was killed) from wait4 on the direct child."""
    if outcome.timed_out:
        return None, signal.SIGKILL
    if report.signal is not None:
        return None, report.signal
    if report.exit_code is not None:
        return report.exit_code, None
    status = outcome.status if outcome.status is not None else 0
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status)
    return os.WEXITSTATUS(status), None


def _file_at_limit(workspace: Path, file_bytes: int) -> bool:
    for path in _walk(workspace):
        try:
            if os.lstat(path).st_size >= file_bytes and os.path.isfile(path):
                return True
        except OSError:
            continue
    return False


# --------------------------------------------------------------------------------------
# Processes: scan /proc, kill what the run left behind
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Proc:
    pid: int
    ppid: int
    pgid: int
    sid: int
    uids: tuple[int, ...]  # real, effective, saved, fs
    threads: int
    zombie: bool


def _processes() -> list[_Proc]:
    procs = []
    for name in os.listdir("/proc"):
        if name.isdigit() and (p := _read_proc(int(name))) is not None:
            procs.append(p)
    return procs


def _read_proc(pid: int) -> _Proc | None:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as f:
            fields = dict(line.rstrip("\n").split(":", 1) for line in f if ":" in line)
    except OSError:
        return None

    def first(key: str, default: int = -1) -> int:
        values = fields.get(key, "").split()
        return int(values[0]) if values else default

    return _Proc(pid=pid, ppid=first("PPid"), pgid=first("NSpgid"), sid=first("NSsid"),
                 uids=tuple(int(v) for v in fields.get("Uid", "").split()),
                 threads=first("Threads", 1), zombie=fields.get("State", "").split()[:1] == ["Z"])


def _descendants(pid: int, procs: list[_Proc]) -> list[int]:
    children: dict[int, list[int]] = {}
    for p in procs:
        children.setdefault(p.ppid, []).append(p.pid)
    found, stack = [], list(children.get(pid, []))
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(children.get(child, []))
    return found


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_all(proc: subprocess.Popen, conf: _Confinement, outcome: _Outcome) -> None:
    """Kill the child and everything it started; wait until they are gone.

    Descendants first (in bwrap mode this includes the sandbox's pid 1, whose death makes
    the kernel kill its whole pid namespace; bubblewrap then exits after reaping it), then
    the child's process group and session, then (with a leased uid) every process of that
    uid and (with a cgroup) every process in it, repeatedly, until none is left.
    """
    procs = _processes()
    alive = outcome.status is None
    victims = set(_descendants(proc.pid, procs)) if alive else set()
    victims |= {p.pid for p in procs if (p.pgid == proc.pid or p.sid == proc.pid)
                and not p.zombie and p.pid not in (proc.pid, os.getpid())}
    for pid in victims:
        _kill(pid)
    if alive and conf.mode == "bwrap":
        _wait_for_exit(proc, outcome, 2.0)
    if outcome.status is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        _kill(proc.pid)
    if conf.ident.uid is not None:
        _sweep_uid(conf.ident.uid)
    if conf.cgroup is not None:
        _empty_cgroup(conf.cgroup)


def _wait_for_exit(proc: subprocess.Popen, outcome: _Outcome, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while outcome.status is None and time.monotonic() < deadline:
        _reap(proc, outcome, block=False)
        if outcome.status is None:
            time.sleep(0.005)


def _sweep_uid(uid: int) -> None:
    """Kill every (non-zombie) process of the leased uid until none is left."""
    deadline = time.monotonic() + _SWEEP_SECONDS
    while time.monotonic() < deadline:
        left = [p.pid for p in _processes() if uid in p.uids and not p.zombie]
        if not left:
            return
        for pid in left:
            _kill(pid)
        time.sleep(0.005)


# --------------------------------------------------------------------------------------
# Cgroups (root only): a fresh cgroup per run for memory and processes
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CgroupParent:
    """The grader's own cgroup in one hierarchy, and the controllers a run gets there."""

    version: int  # 1 or 2
    path: Path
    controllers: tuple[str, ...]


@dataclass(frozen=True)
class _Cgroup:
    """The cgroup of one run: one directory per hierarchy used."""

    dirs: tuple[tuple[int, Path], ...]  # (cgroup version, directory)
    memory: tuple[int, Path] | None  # the one with the memory controller
    enforced: tuple[str, ...]  # for RunResult.enforced


@contextlib.contextmanager
def _run_cgroup(limits: Limits, mode: str) -> Iterator[_Cgroup | None]:
    """A fresh cgroup with the run's limits (as root, where one can be had, else None);
    afterwards everything in it is killed and it is removed."""
    cgroup = _make_cgroup(limits, mode) if os.geteuid() == 0 else None
    try:
        yield cgroup
    finally:
        if cgroup is not None:
            _remove_cgroup(cgroup)


def _make_cgroup(limits: Limits, mode: str) -> _Cgroup | None:
    name = f"cs231n-sandbox-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    dirs, memory, enforced = [], None, []
    for parent in _cgroup_parents():
        path = parent.path / name
        try:
            path.mkdir()
            enforced += _set_cgroup_limits(parent, path, limits, mode)
        except OSError:  # e.g. a read-only cgroupfs: this hierarchy gives nothing
            with contextlib.suppress(OSError):
                path.rmdir()
            continue
        dirs.append((parent.version, path))
        if "memory" in parent.controllers:
            memory = (parent.version, path)
    return _Cgroup(tuple(dirs), memory, tuple(enforced)) if dirs else None


def _set_cgroup_limits(parent: _CgroupParent, path: Path, limits: Limits, mode: str) -> list[str]:
    """Write the run's limits into its new cgroup; return what they enforce, in words."""
    words = []
    if "memory" in parent.controllers:
        v2 = parent.version == 2
        _write(path / ("memory.max" if v2 else "memory.limit_in_bytes"), limits.memory_bytes)
        swap = path / ("memory.swap.max" if v2 else "memory.memsw.limit_in_bytes")
        if swap.exists():  # v1 counts memory+swap there: the same limit allows no swap
            _write(swap, 0 if v2 else limits.memory_bytes)
        words.append(f"memory (cgroup v{parent.version}, counts shared memory)")
    if "pids" in parent.controllers:
        _write(path / "pids.max", limits.max_processes + _OWN_PROCESSES[mode])
        words.append(f"processes (cgroup v{parent.version})")
    return words


def _write(path: Path, value: object) -> None:
    """Write to an existing (cgroupfs) file."""
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, str(value).encode())
    finally:
        os.close(fd)


def _enter_cgroup(cgroup: _Cgroup, pid: int) -> None:
    """Put the process the grader started, and what it started already (bubblewrap's
    child), into the run's cgroup: whatever they fork from now on is born inside."""
    for _, path in cgroup.dirs:
        try:
            _write(path / "cgroup.procs", pid)
        except OSError as e:
            raise RuntimeError(f"could not put the run into its cgroup {path}: {e.strerror}") from e
    for child in _descendants(pid, _processes()):
        for _, path in cgroup.dirs:
            with contextlib.suppress(ProcessLookupError):
                _write(path / "cgroup.procs", child)


def _oom_kills(cgroup: _Cgroup | None) -> int:
    """How many processes the run's cgroup OOM-killed."""
    if cgroup is None or cgroup.memory is None:
        return 0
    version, path = cgroup.memory
    try:
        text = (path / ("memory.events" if version == 2 else "memory.oom_control")).read_text()
    except OSError:
        return 0
    counts = dict(line.split() for line in text.splitlines() if len(line.split()) == 2)
    return int(counts.get("oom_kill", 0))


def _cgroup_pids(cgroup: _Cgroup) -> set[int]:
    pids: set[int] = set()
    for _, path in cgroup.dirs:
        with contextlib.suppress(OSError):
            pids.update(int(p) for p in (path / "cgroup.procs").read_text().split())
    return pids


def _empty_cgroup(cgroup: _Cgroup) -> None:
    """Kill every process in the run's cgroup until none is left (at most _SWEEP_SECONDS)."""
    deadline = time.monotonic() + _SWEEP_SECONDS
    while (pids := _cgroup_pids(cgroup)) and time.monotonic() < deadline:
        for version, path in cgroup.dirs:
            if version == 2 and (path / "cgroup.kill").exists():
                with contextlib.suppress(OSError):
                    _write(path / "cgroup.kill", 1)
        for pid in pids:
            _kill(pid)
        time.sleep(0.005)


def _remove_cgroup(cgroup: _Cgroup) -> None:
    """Empty the run's cgroup and remove its directories, retrying while they are busy."""
    deadline = time.monotonic() + _SWEEP_SECONDS
    left = [path for _, path in cgroup.dirs]
    while True:
        _empty_cgroup(cgroup)
        left = [path for path in left if not _removed(path)]
        if not left:
            return
        if time.monotonic() >= deadline:
            warnings.warn(f"sandbox: could not remove the cgroup(s) {', '.join(map(str, left))} "
                          "of a finished run (still busy); rmdir them once their processes "
                          "are gone", RuntimeWarning, stacklevel=2)
            return
        time.sleep(0.01)


def _removed(path: Path) -> bool:
    try:
        path.rmdir()
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return True


@functools.lru_cache(maxsize=None)
def _cgroup_parents() -> tuple[_CgroupParent, ...]:
    return _choose_cgroup_parents(_own_cgroups(), _cgroup_mounts())


def _choose_cgroup_parents(own: Mapping[str, str], mounts: Sequence[tuple[str, str, str, set[str]]]
                           ) -> tuple[_CgroupParent, ...]:
    """Where runs' cgroups are made: below the grader's own cgroup, in cgroup v2 for the
    controllers it delegates to its children, else in the v1 hierarchy of each controller.

    ``own`` and ``mounts`` are what :func:`_own_cgroups` and :func:`_cgroup_mounts` return.
    """
    parents, wanted = [], list(_CGROUP_CONTROLLERS)
    for fstype, root, point, options in sorted(mounts, key=lambda m: m[0] != "cgroup2"):
        key = "" if fstype == "cgroup2" else next((c for c in wanted if c in options), None)
        path = _mounted_path(root, point, own.get(key)) if key is not None else None
        if path is None:
            continue
        if fstype == "cgroup2":
            delegated = _words(path / "cgroup.subtree_control")
            take = tuple(c for c in wanted if c in delegated)
        else:
            take = tuple(c for c in wanted if c in options)
        if take:
            parents.append(_CgroupParent(2 if fstype == "cgroup2" else 1, path, take))
            wanted = [c for c in wanted if c not in take]
    return tuple(parents)


def _own_cgroups() -> dict[str, str]:
    """The grader's cgroup per v1 controller, and under "" its cgroup v2 path."""
    own = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                own[controller] = path
    return own


def _cgroup_mounts() -> list[tuple[str, str, str, set[str]]]:
    """(type, root in its hierarchy, mount point, super options) of each cgroup mount."""
    mounts = []
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            fields, _, tail = line.partition(" - ")
            fields, tail = fields.split(), tail.split()
            if len(fields) >= 5 and len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
                mounts.append((tail[0], _unescape(fields[3]), _unescape(fields[4]),
                               set(tail[2].split(","))))
    return mounts


def _unescape(field: str) -> str:
    """A mountinfo field with its octal escapes (\\040 for a space...) decoded."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def _mounted_path(root: str, point: str, path: str | None) -> Path | None:
    """Where the cgroup ``path`` is in a hierarchy mounted at ``point`` from ``root``."""
    if path is None or not (path == root or path.startswith(root.rstrip("/") + "/")):
        return None
    found = Path(point) / path[len(root):].lstrip("/")
    return found if found.is_dir() else None


def _words(path: Path) -> set[str]:
    try:
        return set(path.read_text().split())
    except OSError:
        return set()


# --------------------------------------------------------------------------------------
# Probing bubblewrap
# --------------------------------------------------------------------------------------


def _bwrap_path() -> str | None:
    return shutil.which("bwrap") or (
        "/usr/bin/bwrap" if os.access("/usr/bin/bwrap", os.X_OK) else None)


@functools.lru_cache(maxsize=None)
def _bwrap_features(bwrap: str) -> frozenset[str]:
    """The optional bubblewrap options this version knows (--perms: 0.5, --size: 0.7)."""
    try:
        text = subprocess.run([bwrap, "--help"], capture_output=True, text=True,
                              timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(opt for opt in ("--perms", "--size") if opt in text)


def _bwrap_works() -> bool:
    """Whether a real confined run (uid drop included when root) works in bwrap mode."""
    if _bwrap_path() is None or not sys.platform.startswith("linux"):
        return False
    with tempfile.TemporaryDirectory(prefix="sandbox-probe-") as probe:
        try:
            result = run_confined([sys.executable, "-I", "-S", "-c", "print('ok')"],
                                  Path(probe), Limits(wall_seconds=30), mode="bwrap")
        except (OSError, RuntimeError):
            return False
    return result.exit_code == 0 and result.stdout.strip() == "ok"


# --------------------------------------------------------------------------------------
# Probing Landlock
# --------------------------------------------------------------------------------------

_SYS_LANDLOCK_CREATE_RULESET = 444  # the same number on every architecture
_LANDLOCK_CREATE_RULESET_VERSION = 1


@functools.lru_cache(maxsize=None)
def _landlock_abi() -> int:
    """The kernel's Landlock ABI version; 0 if it has none (or a seccomp filter denies it)."""
    if not sys.platform.startswith("linux"):
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(ctypes.c_long(_SYS_LANDLOCK_CREATE_RULESET), None, ctypes.c_size_t(0),
                       ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION))
    return max(int(abi), 0)
