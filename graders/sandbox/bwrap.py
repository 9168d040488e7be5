"""bubblewrap: finding it, what it supports, and the command line of a bwrap-mode run."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from .limits import Limits
from .paths import SYSTEM_DIRS, Paths, is_within, python_dirs


def bwrap_path() -> str | None:
    return shutil.which("bwrap") or (
        "/usr/bin/bwrap" if os.access("/usr/bin/bwrap", os.X_OK) else None)


@functools.lru_cache(maxsize=None)
def bwrap_features(bwrap: str) -> frozenset[str]:
    """The optional bubblewrap options this version knows (--perms: 0.5, --size: 0.7)."""
    try:
        text = subprocess.run([bwrap, "--help"], capture_output=True, text=True,
                              timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(opt for opt in ("--perms", "--size") if opt in text)


def bwrap_args(bwrap: str, paths: Paths, limits: Limits, launcher: Path, *, privileged: bool,
               features: frozenset[str] = frozenset({"--perms", "--size"})) -> list[str]:
    """The bubblewrap command line (up to, not including, the command).

    ``launcher`` (a real path) is the launcher's file, bound read-only at its own path
    unless a bound directory holds it already (the Python installation, when installed).
    """
    args = [bwrap, *_namespace_args(privileged)]
    bound: list[Path] = []  # host directories bound at their own path
    for name in SYSTEM_DIRS:
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
            bound.append(Path(name))
    size = max(limits.file_bytes, 2**20)
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += tmpfs_args("/tmp", "1777", size, features)
    args += tmpfs_args("/dev/shm", "1777", size, features)
    binds = {Path(os.path.realpath(p)): "--ro-bind" for p in (*python_dirs(), *paths.readable)}
    binds.update({p: "--bind" for p in (paths.workspace, *paths.writable)})
    if not any(is_within(launcher, b) for b in (*bound, *filter(Path.is_dir, binds))):
        binds.setdefault(launcher, "--ro-bind")
    made: set[Path] = {Path("/"), Path("/tmp"), Path("/dev"), Path("/proc")}
    for path in sorted(binds, key=lambda p: len(p.parts)):  # parents before children
        if path.exists():
            args += parent_dirs_args(path, bound, made, features)
            args += [binds[path], str(path), str(path)]
            bound.append(path)
    args += hide_args(paths.hidden, bound, features)
    args += ["--chdir", "/"]  # the launcher enters the workspace once it is the child's uid
    return args


def _namespace_args(privileged: bool) -> list[str]:
    """The namespaces, capabilities and process options of the sandbox."""
    if privileged:  # root: no user namespace, so that a dropped uid is a real host uid
        args = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup-try", "--cap-drop", "ALL",
                "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args = ["--unshare-all"]
    # --as-pid-1: the launcher is the namespace's init; bubblewrap reaps it, so when
    # bubblewrap has exited the whole pid namespace is gone.
    return args + ["--as-pid-1", "--die-with-parent", "--new-session", "--hostname", "sandbox"]


def tmpfs_args(dest: str, perms: str, size: int, features: frozenset[str]) -> list[str]:
    args = ["--perms", perms] if "--perms" in features else []
    args += ["--size", str(size)] if "--size" in features else []
    return args + ["--tmpfs", dest]


def parent_dirs_args(path: Path, bound: list[Path], made: set[Path],
                     features: frozenset[str]) -> list[str]:
    """Create the missing parents of a bind target as 0755 directories.

    (bubblewrap would make them 0700, which a dropped uid cannot traverse.)
    """
    args: list[str] = []
    for parent in reversed(path.parents):
        if parent in made or any(is_within(parent, b) for b in bound):
            continue
        args += (["--perms", "0755"] if "--perms" in features else []) + ["--dir", str(parent)]
        made.add(parent)
    return args


def hide_args(hidden: Sequence[Path], bound: list[Path], features: frozenset[str]) -> list[str]:
    """Cover each hidden path that one of the binds makes visible in the sandbox."""
    args: list[str] = []
    for h in hidden:
        real = Path(os.path.realpath(h))
        if not real.exists() or not any(is_within(real, b) for b in bound):
            continue
        if real.is_dir():
            args += tmpfs_args(str(real), "0555", 4096, features)
            args += ["--remount-ro", str(real)]
        else:
            args += ["--ro-bind", "/dev/null", str(real)]
    return args
