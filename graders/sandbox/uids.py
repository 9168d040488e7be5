"""Who the child runs as: as root, a dedicated uid leased from a machine-wide pool."""

from __future__ import annotations

import contextlib
import fcntl
import os
import pwd
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .procs import processes

#: Host uids leased (one per concurrent run) when the grader runs as root.  Chosen outside
#: the ranges used by Debian, systemd (dynamic users, nspawn) and usual subuid maps; a uid
#: that has an account or running processes is skipped.
UID_POOL = range(2_000_000_000, 2_000_001_000)
#: Where the leases' lock files live: the first of these that exists or can be made.  Fixed
#: paths (never TMPDIR), so that every grader on the machine leases from the same pool.
UID_LOCK_DIRS = (Path("/run/cs231n-sandbox-uids"), Path("/var/lock/cs231n-sandbox-uids"),
                 Path("/tmp/cs231n-sandbox-uids"))


@dataclass(frozen=True)
class Identity:
    uid: int | None  # None: the child keeps the grader's uid
    gid: int | None


@contextlib.contextmanager
def identity(uid: int | None) -> Iterator[Identity]:
    """Who one run's child runs as: as root, a dedicated uid (leased unless given)."""
    if os.geteuid() != 0:
        yield Identity(None, None)
    elif uid is not None:
        if uid == 0:
            raise ValueError("uid 0 cannot be confined (RLIMIT_NPROC does not apply)")
        yield Identity(uid, uid)
    else:
        uid, lock_fd = lease_uid()
        try:
            yield Identity(uid, uid)
        finally:
            os.close(lock_fd)  # releases the flock


def uid_lock_path(uid: int) -> Path:
    """The lock file whose ``flock`` is the lease of a sandbox uid (leases exist as root only).

    Creates the lock directory if needed; raises RuntimeError if it is not private.
    """
    return lock_dir() / f"{uid}.lock"


def lease_uid() -> tuple[int, int]:
    """Lock a free uid of UID_POOL for this run; return it and the lock's fd."""
    for uid in UID_POOL:
        if has_account(uid):
            continue
        fd = os.open(uid_lock_path(uid), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        if any(uid in p.uids and not p.zombie for p in processes()):
            os.close(fd)
            continue
        return uid, fd
    raise RuntimeError(f"no free sandbox uid in {UID_POOL}")


def lock_dir() -> Path:
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


def has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True
