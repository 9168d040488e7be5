"""The host paths of one run, and the host paths every run sees (system, Python)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


@dataclass(frozen=True)
class Paths:
    """The host paths of one run (see run_confined); workspace and writable are real paths."""

    workspace: Path
    readable: tuple[Path, ...]
    hidden: tuple[Path, ...]
    writable: tuple[Path, ...]


def checked_paths(workspace: Path, readable: Sequence[Path], hidden: Sequence[Path],
                  writable: Sequence[Path]) -> Paths:
    dirs = []
    for what, path in (("workspace", workspace), *(("writable path", w) for w in writable)):
        real = Path(os.path.realpath(path))
        if not real.is_dir():
            raise NotADirectoryError(f"{what} {path} is not a directory")
        dirs.append(real)
    return Paths(dirs[0], tuple(map(Path, readable)), tuple(map(Path, hidden)), tuple(dirs[1:]))


def is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def walk(root: Path) -> Iterator[str]:
    """Every path under root (root included), without following symlinks."""
    yield str(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            yield os.path.join(dirpath, name)


def python_dirs() -> list[Path]:
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
    return outermost({d for d in dirs if d.is_dir() and d != Path("/")
                      and not any(is_within(g, d) for g in guarded)})


def outermost(paths: set[Path]) -> list[Path]:
    """Drop paths that lie inside another one of the set."""
    return sorted(p for p in paths if not any(q != p and is_within(p, q) for q in paths))
