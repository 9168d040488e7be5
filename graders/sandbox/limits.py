"""What a run may use: :class:`Limits`, and the rlimits the launcher sets from them."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .procs import processes
from .uids import Identity

OWN_PROCESSES = {"bwrap": 2, "rlimits": 1}  # bubblewrap and/or the launcher


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 60.0
    cpu_seconds: int = 60  # RLIMIT_CPU
    memory_bytes: int = 4 * 2**30  # RLIMIT_AS; as root also the run's cgroup memory limit
    max_processes: int = 64  # RLIMIT_NPROC (and cgroup) budget of the run; threads count too
    output_bytes: int = 256 * 2**10  # kept of stdout, and of stderr; the rest is discarded
    file_bytes: int = 256 * 2**20  # RLIMIT_FSIZE; also the size of the private /tmp
    open_files: int = 256  # RLIMIT_NOFILE


def nproc_budget(limits: Limits, ident: Identity, mode: str) -> int:
    """RLIMIT_NPROC for the child: its uid's current threads plus the run's budget."""
    uid = ident.uid if ident.uid is not None else os.getuid()
    current = sum(p.threads for p in processes() if p.uids[:1] == (uid,))
    overhead = OWN_PROCESSES[mode] if ident.uid is None else 0  # else they run as root
    return current + overhead + limits.max_processes


def rlimits(limits: Limits, nproc: int) -> list[tuple[str, int, int]]:
    """The launcher's ``rlimits``: (name in :mod:`resource`, soft, hard)."""
    return [
        ("RLIMIT_CPU", limits.cpu_seconds, limits.cpu_seconds + 1),
        ("RLIMIT_AS", limits.memory_bytes, limits.memory_bytes),
        ("RLIMIT_FSIZE", limits.file_bytes, limits.file_bytes),
        ("RLIMIT_NOFILE", limits.open_files, limits.open_files),
        ("RLIMIT_CORE", 0, 0),
        ("RLIMIT_NPROC", nproc, nproc),
    ]
