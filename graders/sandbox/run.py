"""The entry points: :func:`run_confined`, :func:`available_mode` and :func:`default_env`."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from .bwrap import bwrap_path
from .cgroups import run_cgroup
from .enforcement import Confinement
from .execute import execute
from .interrupt import Cancelled, cancel
from .landlock import landlock_abi
from .lending import prepared_workspace
from .limits import Limits
from .paths import checked_paths
from .results import RunResult
from .uids import identity

MODES = ("bwrap", "rlimits")
_PASSTHROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

_mode_lock = threading.Lock()
_mode_cache: str | None = None


def available_mode() -> str:
    """Return "bwrap" if bubblewrap exists and a trial sandbox runs Python, else "rlimits"."""
    global _mode_cache
    with _mode_lock:
        if _mode_cache is None:
            _mode_cache = "bwrap" if _bwrap_works() else "rlimits"
        return _mode_cache


def _bwrap_works() -> bool:
    """Whether a real confined run (uid drop included when root) works in bwrap mode."""
    if bwrap_path() is None or not sys.platform.startswith("linux"):
        return False
    with tempfile.TemporaryDirectory(prefix="sandbox-probe-") as probe:
        try:
            result = run_confined([sys.executable, "-I", "-S", "-c", "print('ok')"],
                                  Path(probe), Limits(wall_seconds=30), mode="bwrap")
        except (OSError, RuntimeError):
            return False
    return result.exit_code == 0 and result.stdout.strip() == "ok"


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
    ``readable`` paths are visible read-only and ``hidden`` ones unreadable (see the package
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
    paths = checked_paths(workspace, readable, hidden, writable)
    bwrap = bwrap_path() if mode == "bwrap" else None
    if mode == "bwrap" and bwrap is None:
        raise RuntimeError("bwrap mode requested but bubblewrap is not installed")
    if uid is not None and os.geteuid() != 0 and uid != os.getuid():
        raise PermissionError("only root can run the child as another uid")
    if cancel.is_set():
        raise Cancelled("grading was cancelled")

    with (identity(uid) as ident, prepared_workspace(paths, ident, mode) as tmpdir,
          run_cgroup(limits, mode) as cgroup):
        child_env = dict(env) if env is not None else default_env(paths.workspace, mode)
        if tmpdir is not None:
            child_env.setdefault("TMPDIR", str(tmpdir))
        landlock = landlock_abi() if mode == "rlimits" else 0
        return execute(argv, paths, limits, child_env, bwrap,
                       Confinement(mode, ident, cgroup, landlock))


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
