"""Running one prepared run: start the launcher, let it go, pump, clean up, decode."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .cgroups import enter_cgroup, oom_kills
from .cleanup import Outcome, kill_all, reap
from .command import launcher_argv, launcher_config, memfd, sandbox_args
from .enforcement import Confinement
from .landlock import landlock_plan
from .limits import Limits
from .paths import Paths
from .pump import Capture, pump, read_all
from .results import Report, RunResult, parse_report, run_result


@dataclass(frozen=True)
class _Channels:
    """The pipes between grader and launcher, and the launcher's config."""

    status_r: int  # launcher -> grader: errors, the program's status
    status_w: int
    gate_r: int  # grader -> launcher: "go" once cleanup is guaranteed
    gate_w: int
    config_fd: int

    def launcher_ends(self) -> tuple[int, int, int]:
        return self.status_w, self.gate_r, self.config_fd


def execute(argv: Sequence[str], paths: Paths, limits: Limits, env: Mapping[str, str],
            bwrap: str | None, conf: Confinement) -> RunResult:
    sandbox = sandbox_args(bwrap, paths, limits, conf)
    landlock = landlock_plan(paths, conf.landlock) if conf.landlock else None
    status_r, status_w = os.pipe()
    gate_r, gate_w = os.pipe()
    config = launcher_config(paths, limits, conf, landlock, status_w, gate_r)
    config_fd = memfd("sandbox-launcher-config", json.dumps(config).encode())
    channels = _Channels(status_r, status_w, gate_r, gate_w, config_fd)
    command = sandbox + launcher_argv(argv, config_fd)
    out, err = Capture(limits.output_bytes), Capture(limits.output_bytes)
    outcome = Outcome()
    start = time.monotonic()
    report = _supervise(command, paths.workspace, env, channels, start + limits.wall_seconds,
                        conf, out, err, outcome)
    outcome.oom_kills = oom_kills(conf.cgroup)
    wall = time.monotonic() - start
    return run_result(limits, conf, outcome, out, err, wall, report, paths.workspace)


def _supervise(command: list[str], cwd: Path, env: Mapping[str, str], channels: _Channels,
               deadline: float, conf: Confinement, out: Capture, err: Capture,
               outcome: Outcome) -> Report:
    """Start the command, say go, pump until the end; whatever happens, kill what is left
    and return the launcher's report."""
    proc = None
    try:
        try:
            proc = subprocess.Popen(command, cwd=cwd, env=env,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, pass_fds=channels.launcher_ends(),
                                    start_new_session=True)
        finally:
            for fd in channels.launcher_ends():
                os.close(fd)
        if conf.cgroup is not None:
            enter_cgroup(conf.cgroup, proc.pid)
        # Interrupted before this point, the launcher reads EOF and never runs argv.
        with contextlib.suppress(BrokenPipeError):  # the launcher is gone already
            os.write(channels.gate_w, b"go")
        pump(proc, out, err, outcome, deadline, conf)
    finally:
        os.close(channels.gate_w)
        if proc is not None:
            _end(proc, conf, outcome)
        report = parse_report(read_all(channels.status_r))
    return report


def _end(proc: subprocess.Popen, conf: Confinement, outcome: Outcome) -> None:
    """Kill what is left (unless pump did once the child was gone), reap, close the pipes."""
    if not outcome.cleaned:
        kill_all(proc, conf, outcome)
    if outcome.status is None:
        reap(proc, outcome)
    proc.stdout.close()
    proc.stderr.close()
