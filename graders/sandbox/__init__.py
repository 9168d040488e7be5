"""The one place that starts untrusted processes.

Student code is untrusted: it may be wrong, slow, crash, loop forever, eat memory,
fork-bomb, print megabytes, try to read the reference solution, other submissions or the
grader's output, write outside its workspace, or open network connections.  The grader runs
it only through :func:`run_confined`, which returns a :class:`RunResult` and never
interprets what the child printed.

Confinement model
=================

Two modes; :func:`available_mode` picks the strongest one that works on this machine.  The
result's ``mode`` says which one was used and its ``enforced`` lists, in plain words, every
limit that actually held for that run (what is missing there was not enforced), so the
report can tell the instructor.

``"bwrap"`` (bubblewrap; Linux with ``bwrap`` installed and namespaces allowed)
    The child sees a fresh root made only of read-only binds of the system (``/usr``,
    ``/bin``, ``/lib*``, ``/etc``), of the Python installation (its prefixes and library
    folders only, never the current folder or other ``sys.path`` entries), of each
    ``readable`` path and of the launcher's own file (when outside those: a source
    checkout), plus its ``workspace`` and each ``writable`` directory (read-write, at their
    own paths), a private ``/tmp`` and ``/dev/shm`` (size-capped tmpfs), a private
    ``/proc`` and a minimal ``/dev``.  Each ``hidden`` path is covered by an empty read-only
    tmpfs (directories) or ``/dev/null`` (files), wherever it appears in that view.  Nothing
    else of the host filesystem exists in the sandbox.  New network (only its own loopback),
    pid, ipc, uts and cgroup namespaces; ``--die-with-parent`` and ``--new-session``.

``"rlimits"`` (fallback, e.g. in a Docker container where bubblewrap cannot run)
    ``cwd=workspace``, a private ``TMPDIR`` (``.tmp`` inside the workspace, removed
    afterwards; set unless the caller's ``env`` has one) and, where the kernel offers
    Landlock (checked once; ``enforced`` says "filesystem (landlock ABI n)"), a filesystem
    allow-list applied to the program right before its ``exec``: read and execute the
    system directories, the Python installation and each ``readable`` path; read ``/proc``
    and the harmless devices (``/dev/null`` also written); read, write, create and delete
    in the workspace and each ``writable`` directory.  Everything else is denied (the host's
    ``/tmp`` and ``/dev/shm`` included).  Landlock only grants, so a directory holding a
    ``hidden`` path is granted its listing only and each of its other entries its own rule:
    the files of a hidden directory can then be listed but not read.  Without Landlock
    there is no filesystem confinement in this mode, and never any network isolation.

Limits, in both modes
    The process the grader starts is a tiny launcher (``launcher.py``, a file run by this
    Python with ``-I -S``, so it imports the standard library only; its configuration read
    from a memfd) that forks the program and stays as its reaper; the program, right
    before its ``exec``, gets ``RLIMIT_CPU`` (SIGXCPU at the limit, SIGKILL a second later), ``RLIMIT_AS``, ``RLIMIT_FSIZE``, ``RLIMIT_NOFILE``,
    ``RLIMIT_CORE=0``, ``RLIMIT_NPROC``, ``oom_score_adj=1000`` (an OOM kill picks it, not
    the launcher), its uid (below), its cwd, ``no_new_privs`` and (rlimits mode) Landlock.
    The child gets exactly the environment given (or a minimal one: nothing of the
    grader's environment leaks).

Memory and processes (cgroup, root only)
    ``RLIMIT_AS`` counts address space, not memory held through ``memfd_create``, tmpfs or
    ``/dev/shm``.  So when the grader is root, every run also gets a fresh cgroup below the
    grader's own (as ``/proc/self/cgroup`` names it), in cgroup v2 for the controllers the
    grader's cgroup delegates to its children (listed in its ``cgroup.subtree_control``;
    the kernel allows that only in the root cgroup, since the grader itself sits in its
    cgroup), else in the v1 hierarchy of each controller: ``memory.max`` or
    ``memory.limit_in_bytes`` = ``memory_bytes`` (shared memory and page cache included;
    no swap where ``memory.swap.max`` or ``memory.memsw.limit_in_bytes`` exists) and
    ``pids.max`` = ``max_processes`` plus the launcher's own processes.  The grader puts
    the process it starts (and anything it started already) into that cgroup before it
    lets the launcher start the program, so everything the program forks is inside.  A
    program the cgroup's OOM killer killed ends "killed by SIGKILL (memory limit ...)".
    After the run everything in the cgroup is killed and the cgroup removed.  Where no cgroup can be
    made (not root, read-only cgroupfs, no delegation) the run goes on with the rlimits
    only.

Process count (``RLIMIT_NPROC``)
    Linux never enforces ``RLIMIT_NPROC`` for uid 0, nor inside a user namespace whose ids
    map to host uid 0.  So when the grader runs as root, every run leases a dedicated,
    otherwise unused uid (``UID_POOL``, one per concurrent run, held with a ``flock`` on
    :func:`uid_lock_path`, in a fixed directory so that the lease is machine-wide whatever
    the environment; or the caller's ``uid``); the workspace and each ``writable``
    directory are chowned to it for the run (and given back afterwards) and the program
    drops to it (``setgroups([])``, ``setgid``, ``setuid``).  In bwrap mode bubblewrap then
    runs *privileged* (no user namespace, capabilities cut to CAP_SETUID/CAP_SETGID) so the
    program really runs as that host uid; the limit is ``max_processes`` (threads count
    too).  When the grader is not root the child keeps the grader's uid and the limit is
    the number of that user's threads right now plus ``max_processes`` (plus bubblewrap's
    and the launcher's own processes): a fork bomb is stopped, but the budget is shared
    with the user's other processes.

Cleanup
    The launcher starts in a new session, only once the grader has armed its cleanup, and
    dies with the grader.  It reaps everything below the program: in bwrap mode it is the
    sandbox's pid 1 (``--as-pid-1``), so when it exits the kernel kills the whole pid
    namespace; in rlimits mode it is a child subreaper, so even daemonized descendants stay
    below it, and it kills them when the program exits.  On timeout, on exit, and when the
    grader is interrupted (``KeyboardInterrupt``, re-raised afterwards) the grader kills
    the launcher's descendants, process group and session and, with a leased uid, every
    process of that uid, and with a cgroup every process in it, until none is left.
    Setting :data:`cancel` (a ``threading.Event``) does the same for every run in flight,
    from any thread, and raises :class:`Cancelled` in the threads running them (new runs
    raise it before starting): a batch interrupted with Ctrl-C in its main thread stops its
    grading threads this way.  Limitation: in rlimits mode *without* root the program runs
    as the grader's user and could kill its launcher and then escape.

Requirements and limits of the model
    * As root, the files the program needs (the interpreter, ``readable`` paths) must be
      readable by an unprivileged uid.  In bwrap mode only the bound paths' own
      permissions matter (bubblewrap's parents of them are made 0755); in rlimits mode
      every parent directory, of the interpreter and of the workspace, must be searchable
      by others (a Python under ``/root`` or a workspace under pytest's 0700 ``tmp_path``
      is not: the run then ends "could not start ...", never falls back to root).
    * Disk use inside the workspace is capped per file (``RLIMIT_FSIZE``), not in total;
      the private ``/tmp`` and ``/dev/shm`` are tmpfs capped at ``file_bytes`` each.
    * In rlimits mode without root the child runs as the grader's user and can read what
      that user can read (including the grader's environment in ``/proc``), unless
      Landlock forbids it (``/proc`` stays readable).
    * With Landlock ABI 1 (Linux 5.13 to 5.18) renaming or linking a file into another
      directory is always refused.
    * bubblewrap needs ``--perms`` on ``--tmpfs`` (0.8 has it; Debian 12's package) when
      the grader is root, and unprivileged user namespaces when it is not; otherwise
      :func:`available_mode`'s trial run fails and "rlimits" is used.

Modules
=======

``run``: the entry points.  ``paths``: the host paths a run sees.  ``uids``: who the
child runs as (uid leases).  ``lending``: the workspace lent to that uid.  ``limits``:
:class:`Limits` and the rlimits.  ``cgroup_parents`` and ``cgroups``: a run's cgroup.
``bwrap`` and ``landlock``: the filesystem view of each mode.  ``command``: the command
line and the launcher's configuration.  ``launcher``: the program that runs it, on the
child's side.  ``execute``, ``pump`` and ``cleanup``: running, reading, killing.
``results``: :class:`RunResult`.  ``procs``: the process table.  ``interrupt``:
:data:`cancel`.  ``enforcement``: what a run's confinement enforces, in words.
"""

from .interrupt import Cancelled, cancel
from .limits import Limits
from .results import RunResult
from .run import MODES, available_mode, default_env, run_confined
from .uids import UID_POOL, uid_lock_path

__all__ = ["Limits", "RunResult", "available_mode", "run_confined", "default_env", "UID_POOL",
           "uid_lock_path", "cancel", "Cancelled", "MODES"]
