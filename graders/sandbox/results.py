"""What a run returns: the launcher's report decoded into a :class:`RunResult`."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path

from .cleanup import Outcome
from .enforcement import Confinement
from .limits import Limits
from .paths import walk
from .pump import Capture


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


@dataclass(frozen=True)
class Report:
    """What the launcher wrote on the status pipe (all fields optional)."""

    exit_code: int | None = None
    signal: int | None = None
    cpu: float | None = None
    error: str | None = None


def parse_report(text: str) -> Report:
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
    return Report(**fields)


def run_result(limits: Limits, conf: Confinement, outcome: Outcome, out: Capture,
               err: Capture, wall: float, report: Report, workspace: Path) -> RunResult:
    exit_code, sig = decode(outcome, report)
    cpu = max(outcome.cpu, report.cpu or 0.0)
    unreported = report.exit_code is None and report.signal is None and not outcome.timed_out
    if unreported and outcome.oom_kills:  # the memory limit killed the launcher too
        exit_code, sig = None, signal.SIGKILL
    start_error = report.error
    if start_error is None and conf.mode == "bwrap" and unreported and not outcome.oom_kills:
        start_error = f"the sandbox exited with code {exit_code} before starting the program"
    file_hit = exit_code not in (None, 0) and file_at_limit(workspace, limits.file_bytes)
    reason = describe(limits, exit_code, sig, outcome.timed_out, cpu, file_hit, start_error,
                      outcome.oom_kills > 0)
    return RunResult(mode=conf.mode, exit_code=exit_code, signal=sig,
                     timed_out=outcome.timed_out, stdout=out.text(), stderr=err.text(),
                     stdout_truncated=out.truncated, stderr_truncated=err.truncated,
                     wall_seconds=wall, cpu_seconds=cpu, reason=reason,
                     enforced=conf.enforced(), start_error=None if outcome.timed_out else start_error)


def decode(outcome: Outcome, report: Report) -> tuple[int | None, int | None]:
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


def describe(limits: Limits, exit_code: int | None, sig: int | None, timed_out: bool,
             cpu: float, file_limit_hit: bool, start_error: str | None,
             oom_killed: bool = False) -> str:
    """The plain-words reason of a run's end (oom_killed: the run's cgroup OOM-killed)."""
    memory = f"memory limit {limits.memory_bytes} bytes"
    if timed_out:
        return f"killed after {limits.wall_seconds:g} s wall-clock limit"
    if start_error:
        return f"could not start: {start_error}"
    if sig is not None:
        return _killed_by(limits, sig, cpu, oom_killed, memory)
    if file_limit_hit:
        return (f"exceeded file-size limit ({limits.file_bytes} bytes); "
                f"exited with code {exit_code}")
    ended = "exited normally" if exit_code == 0 else f"exited with code {exit_code}"
    return f"{ended}; the {memory} killed one of its processes" if oom_killed else ended


def _killed_by(limits: Limits, sig: int, cpu: float, oom_killed: bool, memory: str) -> str:
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
    return f"killed by {signal_name(sig)}"


def signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def file_at_limit(workspace: Path, file_bytes: int) -> bool:
    for path in walk(workspace):
        try:
            if os.lstat(path).st_size >= file_bytes and os.path.isfile(path):
                return True
        except OSError:
            continue
    return False
