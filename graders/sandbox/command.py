"""The command the grader starts for one run: bubblewrap's (bwrap mode), then the launcher's,
and the launcher's configuration."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import launcher
from .bwrap import bwrap_args, bwrap_features
from .enforcement import Confinement
from .limits import Limits, nproc_budget, rlimits
from .paths import Paths

#: The launcher's file, run by this interpreter as a script (never imported by the child).
LAUNCHER = Path(os.path.realpath(launcher.__file__))


def sandbox_args(bwrap: str | None, paths: Paths, limits: Limits, conf: Confinement) -> list[str]:
    """bubblewrap's command line in bwrap mode (up to the launcher's), else nothing."""
    if conf.mode != "bwrap":
        return []
    return bwrap_args(bwrap, paths, limits, LAUNCHER, privileged=os.geteuid() == 0,
                      features=bwrap_features(bwrap))


def launcher_argv(argv: Sequence[str], config_fd: int) -> list[str]:
    """The launcher's command line: ``-I`` (isolated: no environment, user site or script
    folder on ``sys.path``) and ``-S`` (no site-packages), so it imports the stdlib only."""
    return [sys.executable, "-I", "-S", str(LAUNCHER), str(config_fd), *argv]


def launcher_config(paths: Paths, limits: Limits, conf: Confinement, landlock: dict | None,
                    status_fd: int, gate_fd: int) -> dict:
    """The launcher's JSON configuration (its keys: the launcher's docstring)."""
    return {"rlimits": rlimits(limits, nproc_budget(limits, conf.ident, conf.mode)),
            "uid": conf.ident.uid, "gid": conf.ident.gid, "cwd": str(paths.workspace),
            "status_fd": status_fd, "gate_fd": gate_fd, "landlock": landlock,
            "parent_pid": None if conf.mode == "bwrap" else os.getpid()}


def memfd(name: str, data: bytes) -> int:
    """A memory file holding data, positioned at its start."""
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
