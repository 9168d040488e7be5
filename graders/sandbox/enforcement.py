"""How one run is confined besides its limits and paths, and what RunResult.enforced says."""

from __future__ import annotations

from dataclasses import dataclass

from .cgroups import Cgroup
from .uids import Identity


@dataclass(frozen=True)
class Confinement:
    """How one run is confined, besides its limits and paths."""

    mode: str
    ident: Identity
    cgroup: Cgroup | None  # as root, where one could be made
    landlock: int  # the Landlock ABI applied to the program (rlimits mode), 0: none

    def enforced(self) -> tuple[str, ...]:
        """What RunResult.enforced says."""
        words = ["cpu time, address space, file size, open files (rlimits)",
                 "processes (rlimit, own uid)" if self.ident.uid is not None
                 else "processes (rlimit, shared with the grader's user)"]
        words += self.cgroup.enforced if self.cgroup is not None else ()
        if self.mode == "bwrap":
            words += ["filesystem (bubblewrap)", "network (bubblewrap)"]
        elif self.landlock:
            words.append(f"filesystem (landlock ABI {self.landlock})")
        return tuple(words)
