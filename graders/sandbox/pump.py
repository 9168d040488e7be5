"""Reading a run's output while it runs: both pipes, capped, until the run is over."""

from __future__ import annotations

import os
import selectors
import subprocess
import time
from dataclasses import dataclass, field

from .cleanup import Outcome, kill_all, reap
from .enforcement import Confinement
from .interrupt import Cancelled, cancel

DRAIN_SECONDS = 2.0  # how long to wait for the pipes to close once the program is gone
CHUNK = 65536
CANCEL_POLL_SECONDS = 0.1  # how soon a run in flight notices `cancel`


@dataclass
class Capture:
    cap: int
    data: bytearray = field(default_factory=bytearray)
    truncated: bool = False

    def add(self, chunk: bytes) -> None:
        room = self.cap - len(self.data)
        if len(chunk) > room:
            self.truncated = True
        if room > 0:
            self.data += chunk[:room]

    def text(self) -> str:
        return bytes(self.data).decode("utf-8", errors="replace")


def pump(proc: subprocess.Popen, out: Capture, err: Capture, outcome: Outcome, deadline: float,
         conf: Confinement) -> None:
    """Read both pipes until the child is gone and the pipes are closed, or time is up."""
    sel = selectors.DefaultSelector()
    for pipe, capture in ((proc.stdout, out), (proc.stderr, err)):
        os.set_blocking(pipe.fileno(), False)
        sel.register(pipe.fileno(), selectors.EVENT_READ, capture)
    pidfd = _pidfd(proc.pid)
    if pidfd is not None:
        sel.register(pidfd, selectors.EVENT_READ, None)
    drain_until = None
    try:
        while True:
            now = time.monotonic()
            if outcome.status is None and now >= deadline:
                outcome.timed_out = True
                return
            if outcome.status is not None and (len(sel.get_map()) == 0 or now >= drain_until):
                return
            if cancel.is_set():
                raise Cancelled("grading was cancelled")  # execute's cleanup kills the child
            timeout = min((deadline if outcome.status is None else drain_until) - now,
                          CANCEL_POLL_SECONDS)
            if pidfd is None and outcome.status is None:
                timeout = min(timeout, 0.05)  # no pidfd: poll wait4
            _service(sel, timeout, proc, outcome, pidfd)
            if outcome.status is not None and drain_until is None:
                # The program is gone; whatever it left behind must go too, so the
                # pipes close.
                kill_all(proc, conf, outcome)
                outcome.cleaned = True
                drain_until = time.monotonic() + DRAIN_SECONDS
    finally:
        sel.close()
        if pidfd is not None:
            os.close(pidfd)


def _service(sel: selectors.BaseSelector, timeout: float, proc: subprocess.Popen,
             outcome: Outcome, pidfd: int | None) -> None:
    """Wait up to timeout for output or the child's exit, and take what came."""
    for key, _ in sel.select(timeout):
        if key.data is None:
            sel.unregister(pidfd)
            reap(proc, outcome, block=False)
            continue
        chunk = read_chunk(key.fd)
        if chunk:
            key.data.add(chunk)
        elif chunk is not None:
            sel.unregister(key.fd)
    if outcome.status is None and pidfd is None:
        reap(proc, outcome, block=False)


def read_chunk(fd: int) -> bytes | None:
    """A chunk of output, b"" at end of file, None if nothing is there yet."""
    try:
        return os.read(fd, CHUNK)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def read_all(fd: int, cap: int = CHUNK) -> str:
    """What a (non-blocking) pipe holds now, up to about cap bytes; closes fd."""
    chunks, size = [], 0
    try:
        os.set_blocking(fd, False)
        while size < cap and (chunk := os.read(fd, CHUNK)):
            chunks.append(chunk)
            size += len(chunk)
    except BlockingIOError:
        pass
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", errors="replace")
