"""The process table: scanning /proc, finding descendants, killing a uid's processes."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass

SWEEP_SECONDS = 10.0  # how long to keep killing leftovers before giving up


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    pgid: int
    sid: int
    uids: tuple[int, ...]  # real, effective, saved, fs
    threads: int
    zombie: bool


def processes() -> list[Proc]:
    procs = []
    for name in os.listdir("/proc"):
        if name.isdigit() and (p := read_proc(int(name))) is not None:
            procs.append(p)
    return procs


def read_proc(pid: int) -> Proc | None:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8", errors="replace") as f:
            fields = dict(line.rstrip("\n").split(":", 1) for line in f if ":" in line)
    except OSError:
        return None

    def first(key: str, default: int = -1) -> int:
        values = fields.get(key, "").split()
        return int(values[0]) if values else default

    return Proc(pid=pid, ppid=first("PPid"), pgid=first("NSpgid"), sid=first("NSsid"),
                uids=tuple(int(v) for v in fields.get("Uid", "").split()),
                threads=first("Threads", 1), zombie=fields.get("State", "").split()[:1] == ["Z"])


def descendants(pid: int, procs: list[Proc]) -> list[int]:
    children: dict[int, list[int]] = {}
    for p in procs:
        children.setdefault(p.ppid, []).append(p.pid)
    found, stack = [], list(children.get(pid, []))
    while stack:
        child = stack.pop()
        found.append(child)
        stack.extend(children.get(child, []))
    return found


def kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def sweep_uid(uid: int) -> None:
    """Kill every (non-zombie) process of the leased uid until none is left."""
    deadline = time.monotonic() + SWEEP_SECONDS
    while time.monotonic() < deadline:
        left = [p.pid for p in processes() if uid in p.uids and not p.zombie]
        if not left:
            return
        for pid in left:
            kill(pid)
        time.sleep(0.005)
