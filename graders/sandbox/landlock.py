"""Landlock (rlimits mode): the kernel's ABI, and the launcher's filesystem allow-list."""

from __future__ import annotations

import ctypes
import functools
import os
import sys
from pathlib import Path

from .paths import DEVICES, SYSTEM_DIRS, Paths, is_within, python_dirs

_SYS_LANDLOCK_CREATE_RULESET = 444  # the same number on every architecture
_LANDLOCK_CREATE_RULESET_VERSION = 1

# Landlock's filesystem access rights (linux/landlock.h), and the ABI version that knows each.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_DIR, MAKE_REG = 1 << 4, 1 << 5, 1 << 7, 1 << 8
MAKE_SOCK, MAKE_FIFO, MAKE_SYM = 1 << 9, 1 << 10, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
BY_ABI = ((1, (1 << 13) - 1), (2, REFER), (3, TRUNCATE), (5, IOCTL_DEV))
READ = EXECUTE | READ_FILE | READ_DIR
WRITE = (READ | WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_DIR | MAKE_REG | MAKE_SOCK
         | MAKE_FIFO | MAKE_SYM | REFER | TRUNCATE)
FILE = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the rights that apply to a file


@functools.lru_cache(maxsize=None)
def landlock_abi() -> int:
    """The kernel's Landlock ABI version; 0 if it has none (or a seccomp filter denies it)."""
    if not sys.platform.startswith("linux"):
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(ctypes.c_long(_SYS_LANDLOCK_CREATE_RULESET), None, ctypes.c_size_t(0),
                       ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION))
    return max(int(abi), 0)


def landlock_plan(paths: Paths, abi: int) -> dict:
    """The launcher's Landlock plan (rlimits mode): every right this ABI knows is handled,
    i.e. denied unless a rule grants it (what is granted: the package docstring)."""
    handled = sum(rights for version, rights in BY_ABI if version <= abi)
    hidden = [Path(os.path.realpath(h)) for h in paths.hidden]
    rules = []
    for path, access in _grants(paths).items():
        for where, rights in around_hidden(path, access, hidden):
            rights &= handled if where.is_dir() else handled & FILE
            if rights:
                rules.append([str(where), rights])
    return {"handled": handled, "rules": rules}


def _grants(paths: Paths) -> dict[Path, int]:
    """The rights granted beneath each (real, existing) path, hidden paths aside."""
    grants: dict[Path, int] = {}

    def grant(path: str | Path, access: int) -> None:
        real = Path(os.path.realpath(path))
        if real.exists():
            grants[real] = grants.get(real, 0) | access

    for path in (*SYSTEM_DIRS, *python_dirs(), *paths.readable):
        grant(path, READ)
    grant("/proc", READ_FILE | READ_DIR)
    for device in DEVICES:
        grant(device, READ_FILE)
    grant("/dev/null", WRITE_FILE | TRUNCATE)
    for path in (paths.workspace, *paths.writable):
        grant(path, WRITE)
    return grants


def around_hidden(path: Path, access: int, hidden: list[Path]) -> list[tuple[Path, int]]:
    """Landlock rules granting ``access`` beneath ``path``, except beneath hidden paths.

    Landlock rules only grant, so a directory on the way to a hidden path is granted its
    listing only and each of its entries its own rules, recursively (symbolic links aside:
    the rules of their targets apply).
    """
    if any(is_within(path, h) for h in hidden):
        return []
    inside = [h for h in hidden if is_within(h, path)]
    if not inside:
        return [(path, access)]
    rules = [(path, access & READ_DIR)]
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if not entry.is_symlink():
                    rules += around_hidden(Path(entry.path), access, inside)
    except OSError:
        pass
    return rules
