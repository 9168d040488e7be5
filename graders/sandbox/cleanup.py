"""Ending a run: reaping the process the grader started, killing everything the run left."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass

from .cgroups import empty_cgroup
from .enforcement import Confinement
from .procs import descendants, kill, processes, sweep_uid


@dataclass
class Outcome:
    """What the grader saw of the process it started."""

    status: int | None = None  # wait status of the direct child
    cpu: float = 0.0
    timed_out: bool = False
    cleaned: bool = False  # kill_all ran after the child was reaped
    oom_kills: int = 0  # processes the run's cgroup OOM-killed


def reap(proc: subprocess.Popen, outcome: Outcome, block: bool = True) -> None:
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


def wait_for_exit(proc: subprocess.Popen, outcome: Outcome, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while outcome.status is None and time.monotonic() < deadline:
        reap(proc, outcome, block=False)
        if outcome.status is None:
            time.sleep(0.005)


def kill_all(proc: subprocess.Popen, conf: Confinement, outcome: Outcome) -> None:
    """Kill the child and everything it started; wait until they are gone.

    Descendants first (in bwrap mode this includes the sandbox's pid 1, whose death makes
    the kernel kill its whole pid namespace; bubblewrap then exits after reaping it), then
    the child's process group and session, then (with a leased uid) every process of that
    uid and (with a cgroup) every process in it, repeatedly, until none is left.
    """
    procs = processes()
    alive = outcome.status is None
    victims = set(descendants(proc.pid, procs)) if alive else set()
    victims |= {p.pid for p in procs if (p.pgid == proc.pid or p.sid == proc.pid)
                and not p.zombie and p.pid not in (proc.pid, os.getpid())}
    for pid in victims:
        kill(pid)
    if alive and conf.mode == "bwrap":
        wait_for_exit(proc, outcome, 2.0)
    if outcome.status is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        kill(proc.pid)
    if conf.ident.uid is not None:
        sweep_uid(conf.ident.uid)
    if conf.cgroup is not None:
        empty_cgroup(conf.cgroup)
