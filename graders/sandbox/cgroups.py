"""The cgroup of one run (root only): made with its limits, entered, emptied and removed."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .cgroup_parents import CgroupParent, cgroup_parents
from .limits import OWN_PROCESSES, Limits
from .procs import SWEEP_SECONDS, descendants, kill, processes


@dataclass(frozen=True)
class Cgroup:
    """The cgroup of one run: one directory per hierarchy used."""

    dirs: tuple[tuple[int, Path], ...]  # (cgroup version, directory)
    memory: tuple[int, Path] | None  # the one with the memory controller
    enforced: tuple[str, ...]  # for RunResult.enforced


@contextlib.contextmanager
def run_cgroup(limits: Limits, mode: str) -> Iterator[Cgroup | None]:
    """A fresh cgroup with the run's limits (as root, where one can be had, else None);
    afterwards everything in it is killed and it is removed."""
    cgroup = make_cgroup(limits, mode) if os.geteuid() == 0 else None
    try:
        yield cgroup
    finally:
        if cgroup is not None:
            remove_cgroup(cgroup)


def make_cgroup(limits: Limits, mode: str) -> Cgroup | None:
    name = f"cs231n-sandbox-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    dirs, memory, enforced = [], None, []
    for parent in cgroup_parents():
        path = parent.path / name
        try:
            path.mkdir()
            enforced += set_cgroup_limits(parent, path, limits, mode)
        except OSError:  # e.g. a read-only cgroupfs: this hierarchy gives nothing
            with contextlib.suppress(OSError):
                path.rmdir()
            continue
        dirs.append((parent.version, path))
        if "memory" in parent.controllers:
            memory = (parent.version, path)
    return Cgroup(tuple(dirs), memory, tuple(enforced)) if dirs else None


def set_cgroup_limits(parent: CgroupParent, path: Path, limits: Limits, mode: str) -> list[str]:
    """Write the run's limits into its new cgroup; return what they enforce, in words."""
    words = []
    if "memory" in parent.controllers:
        v2 = parent.version == 2
        write(path / ("memory.max" if v2 else "memory.limit_in_bytes"), limits.memory_bytes)
        swap = path / ("memory.swap.max" if v2 else "memory.memsw.limit_in_bytes")
        if swap.exists():  # v1 counts memory+swap there: the same limit allows no swap
            write(swap, 0 if v2 else limits.memory_bytes)
        words.append(f"memory (cgroup v{parent.version}, counts shared memory)")
    if "pids" in parent.controllers:
        write(path / "pids.max", limits.max_processes + OWN_PROCESSES[mode])
        words.append(f"processes (cgroup v{parent.version})")
    return words


def write(path: Path, value: object) -> None:
    """Write to an existing (cgroupfs) file."""
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, str(value).encode())
    finally:
        os.close(fd)


def enter_cgroup(cgroup: Cgroup, pid: int) -> None:
    """Put the process the grader started, and what it started already (bubblewrap's
    child), into the run's cgroup: whatever they fork from now on is born inside."""
    for _, path in cgroup.dirs:
        try:
            write(path / "cgroup.procs", pid)
        except OSError as e:
            raise RuntimeError(f"could not put the run into its cgroup {path}: {e.strerror}") from e
    for child in descendants(pid, processes()):
        for _, path in cgroup.dirs:
            with contextlib.suppress(ProcessLookupError):
                write(path / "cgroup.procs", child)


def oom_kills(cgroup: Cgroup | None) -> int:
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


def cgroup_pids(cgroup: Cgroup) -> set[int]:
    pids: set[int] = set()
    for _, path in cgroup.dirs:
        with contextlib.suppress(OSError):
            pids.update(int(p) for p in (path / "cgroup.procs").read_text().split())
    return pids


def empty_cgroup(cgroup: Cgroup) -> None:
    """Kill every process in the run's cgroup until none is left (at most SWEEP_SECONDS)."""
    deadline = time.monotonic() + SWEEP_SECONDS
    while (pids := cgroup_pids(cgroup)) and time.monotonic() < deadline:
        for version, path in cgroup.dirs:
            if version == 2 and (path / "cgroup.kill").exists():
                with contextlib.suppress(OSError):
                    write(path / "cgroup.kill", 1)
        for pid in pids:
            kill(pid)
        time.sleep(0.005)


def remove_cgroup(cgroup: Cgroup) -> None:
    """Empty the run's cgroup and remove its directories, retrying while they are busy."""
    deadline = time.monotonic() + SWEEP_SECONDS
    left = [path for _, path in cgroup.dirs]
    while True:
        empty_cgroup(cgroup)
        left = [path for path in left if not removed(path)]
        if not left:
            return
        if time.monotonic() >= deadline:
            warnings.warn(f"sandbox: could not remove the cgroup(s) {', '.join(map(str, left))} "
                          "of a finished run (still busy); rmdir them once their processes "
                          "are gone", RuntimeWarning, stacklevel=2)
            return
        time.sleep(0.01)


def removed(path: Path) -> bool:
    try:
        path.rmdir()
    except FileNotFoundError:
        pass
    except OSError:
        return False
    return True
