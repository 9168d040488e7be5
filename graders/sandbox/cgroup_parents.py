"""Where runs' cgroups are made: below the grader's own cgroup, per hierarchy."""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

CONTROLLERS = ("memory", "pids")


@dataclass(frozen=True)
class CgroupParent:
    """The grader's own cgroup in one hierarchy, and the controllers a run gets there."""

    version: int  # 1 or 2
    path: Path
    controllers: tuple[str, ...]


@functools.lru_cache(maxsize=None)
def cgroup_parents() -> tuple[CgroupParent, ...]:
    return choose_cgroup_parents(own_cgroups(), cgroup_mounts())


def choose_cgroup_parents(own: Mapping[str, str], mounts: Sequence[tuple[str, str, str, set[str]]]
                          ) -> tuple[CgroupParent, ...]:
    """Where runs' cgroups are made: below the grader's own cgroup, in cgroup v2 for the
    controllers it delegates to its children, else in the v1 hierarchy of each controller.

    ``own`` and ``mounts`` are what :func:`own_cgroups` and :func:`cgroup_mounts` return.
    """
    parents, wanted = [], list(CONTROLLERS)
    for fstype, root, point, options in sorted(mounts, key=lambda m: m[0] != "cgroup2"):
        key = "" if fstype == "cgroup2" else next((c for c in wanted if c in options), None)
        path = mounted_path(root, point, own.get(key)) if key is not None else None
        if path is None:
            continue
        if fstype == "cgroup2":
            delegated = words(path / "cgroup.subtree_control")
            take = tuple(c for c in wanted if c in delegated)
        else:
            take = tuple(c for c in wanted if c in options)
        if take:
            parents.append(CgroupParent(2 if fstype == "cgroup2" else 1, path, take))
            wanted = [c for c in wanted if c not in take]
    return tuple(parents)


def own_cgroups() -> dict[str, str]:
    """The grader's cgroup per v1 controller, and under "" its cgroup v2 path."""
    own = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            for controller in controllers.split(",") if controllers else [""]:
                own[controller] = path
    return own


def cgroup_mounts() -> list[tuple[str, str, str, set[str]]]:
    """(type, root in its hierarchy, mount point, super options) of each cgroup mount."""
    mounts = []
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            fields, _, tail = line.partition(" - ")
            fields, tail = fields.split(), tail.split()
            if len(fields) >= 5 and len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
                mounts.append((tail[0], unescape(fields[3]), unescape(fields[4]),
                               set(tail[2].split(","))))
    return mounts


def unescape(field: str) -> str:
    """A mountinfo field with its octal escapes (\\040 for a space...) decoded."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), field)


def mounted_path(root: str, point: str, path: str | None) -> Path | None:
    """Where the cgroup ``path`` is in a hierarchy mounted at ``point`` from ``root``."""
    if path is None or not (path == root or path.startswith(root.rstrip("/") + "/")):
        return None
    found = Path(point) / path[len(root):].lstrip("/")
    return found if found.is_dir() else None


def words(path: Path) -> set[str]:
    try:
        return set(path.read_text().split())
    except OSError:
        return set()
