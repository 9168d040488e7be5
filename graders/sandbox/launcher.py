"""The launcher: the process the grader starts for each run, run as root before the drop.

The grader runs this file with its own interpreter, ``python -I -S launcher.py CONFIG_FD
PROGRAM...`` (in bwrap mode inside the sandbox, as its pid 1): ``CONFIG_FD`` is a memfd
holding its JSON configuration (it may be long: the Landlock rules), the rest the program.
``-I`` keeps the environment, the user site and the script's folder out of ``sys.path``,
``-S`` the site-packages: this module imports the standard library only, never the grader.

1. It waits for the grader's "go", so that an interrupted grader never leaves a program
   running (the grader only says go once its cleanup is armed and, as root, the launcher
   is in the run's cgroup).
2. It forks the program, which makes itself the OOM killer's first choice, sets the
   rlimits, drops to the leased uid, enters the workspace, sets no_new_privs, restricts
   its filesystem with Landlock (rlimits mode), restores the signals Python ignores and
   execs.
3. It stays as the program's reaper (pid 1 of the sandbox, or a child subreaper in
   rlimits mode, so that even daemonized descendants stay below it), reaps orphans until
   the program exits, then (rlimits mode) kills what is left, and reports the program's
   real exit status and CPU time on the status pipe: ``error WHAT: WHY`` (the program never
   started), ``cpu SECONDS``, then ``signal N`` or ``exit N``.

The configuration's keys: ``rlimits`` ([name, soft, hard] for :mod:`resource`), ``uid`` and
``gid`` (null: keep the launcher's), ``cwd``, ``status_fd``, ``gate_fd``, ``landlock`` (null,
or ``{"handled": rights, "rules": [[path, rights], ...]}``) and ``parent_pid`` (the grader's
pid in rlimits mode, null in bwrap mode).
"""

import ctypes
import json
import os
import resource
import signal
import struct
import sys
import time

PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER = 1, 38, 36
LANDLOCK_CREATE_RULESET, LANDLOCK_ADD_RULE, LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_RULE_PATH_BENEATH = 1
EACCES, EPERM = 13, 1


def load_libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def die_with(libc, parent):
    """Be killed when ``parent`` dies (or exit now if it is gone already)."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(137)


def report(cfg, line):
    """One line on the status pipe to the grader."""
    try:
        os.write(cfg["status_fd"], (line + "\n").encode())
    except OSError:
        pass


def fail(cfg, what, err):
    """The program cannot start: say why, on the status pipe and on stderr, and exit."""
    why = err.strerror
    if cfg["uid"] is not None and err.errno == EACCES:
        why += " (as sandbox uid %d: the path must be reachable by that uid)" % cfg["uid"]
    if cfg["landlock"] is not None and err.errno == EACCES:
        why += (" (Landlock: the path must lie in the system directories, the Python"
                " installation, a readable path, the workspace or a writable directory)")
    report(cfg, "error " + what + ": " + why)
    sys.stderr.write("sandbox: " + what + ": " + why + "\n")
    os._exit(126 if err.errno in (EPERM, EACCES) else 127)


def set_limits(cfg):
    for name, soft, hard in cfg["rlimits"]:
        which = getattr(resource, name)
        try:
            resource.setrlimit(which, (soft, hard))
        except (OSError, ValueError):  # unprivileged: cannot raise a hard limit
            cur = resource.getrlimit(which)[1]
            if cur != resource.RLIM_INFINITY:
                soft, hard = min(soft, cur), min(hard, cur)
            resource.setrlimit(which, (soft, hard))


def drop_privileges(cfg):
    if cfg["uid"] is None:
        return
    os.setgroups([])
    os.setgid(cfg["gid"])
    os.setuid(cfg["uid"])
    if os.getuid() != cfg["uid"] or os.geteuid() != cfg["uid"]:
        raise PermissionError(EPERM, "could not drop to uid %d" % cfg["uid"])


def first_to_kill():
    """Make this process the OOM killer's first choice."""
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("1000")
    except OSError:
        pass


def landlock(libc, number, *args):
    """A Landlock system call; raises OSError on failure."""
    ret = libc.syscall(ctypes.c_long(number), *args)
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return ret


def restrict_filesystem(libc, plan):
    """Apply the Landlock plan to this process (and what it will exec)."""
    # struct landlock_ruleset_attr (its first field) and landlock_path_beneath_attr (packed)
    attr = struct.pack("=Q", plan["handled"])
    ruleset = landlock(libc, LANDLOCK_CREATE_RULESET, attr, ctypes.c_size_t(len(attr)),
                       ctypes.c_uint32(0))
    for path, access in plan["rules"]:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except (FileNotFoundError, PermissionError):
            continue  # out of this uid's reach anyway
        rule = struct.pack("=Qi", access, fd)
        landlock(libc, LANDLOCK_ADD_RULE, ctypes.c_int(ruleset),
                 ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH), rule, ctypes.c_uint32(0))
        os.close(fd)
    landlock(libc, LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0))
    os.close(ruleset)


def become_program(cfg, libc, argv, reaper):
    """In the forked child: confine this process, then exec the program (never returns)."""
    first_to_kill()
    try:
        set_limits(cfg)
        drop_privileges(cfg)
        os.chdir(cfg["cwd"])
    except OSError as err:
        fail(cfg, "could not confine the program in " + cfg["cwd"], err)
    die_with(libc, reaper)  # after setuid, which clears it
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)  # also what Landlock requires
    if cfg["landlock"] is not None:
        try:
            restrict_filesystem(libc, cfg["landlock"])
        except OSError as err:
            fail(cfg, "could not restrict the filesystem with Landlock", err)
    for sig in (signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_DFL)
    os.set_inheritable(cfg["status_fd"], False)
    try:
        os.execvp(argv[0], argv)
    except OSError as err:
        fail(cfg, "could not execute " + repr(argv[0]), err)


def children():
    """The pids of this process's children."""
    me, kids = str(os.getpid()), []
    for name in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % name) as f:
                if f.read().rsplit(")", 1)[1].split()[1] == me:
                    kids.append(int(name))
        except (OSError, IndexError, ValueError):
            continue
    return kids


def kill_leftovers(seconds=5.0):
    """Kill and reap every process left below this one (a subreaper), for at most seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for kid in children():
            try:
                os.kill(kid, signal.SIGKILL)
            except OSError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            return
        time.sleep(0.002)


def reap_until(pid):
    """Reap every child (orphans included) until ``pid`` exits; return its wait status."""
    while True:
        done, st = os.waitpid(-1, 0)
        if done == pid:
            return st


def finish(cfg, st):
    """Report the program's CPU time and end, then exit the way it did."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    report(cfg, "cpu %r" % (usage.ru_utime + usage.ru_stime))
    if os.WIFSIGNALED(st):
        report(cfg, "signal %d" % os.WTERMSIG(st))
        os._exit(128 + os.WTERMSIG(st))
    report(cfg, "exit %d" % os.WEXITSTATUS(st))
    os._exit(os.WEXITSTATUS(st))


def main(args):
    """``args``: the config's fd, then the program's argv."""
    with open(int(args[0]), "rb") as config:
        cfg = json.loads(config.read())
    libc = load_libc()
    if cfg["parent_pid"] is not None:  # rlimits mode: no namespace to die with
        die_with(libc, cfg["parent_pid"])
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    if os.read(cfg["gate_fd"], 2) != b"go":  # the grader gave up before it could clean up
        os._exit(0)
    os.close(cfg["gate_fd"])
    pid = os.fork()
    if pid == 0:
        become_program(cfg, libc, args[1:], os.getppid())
    st = reap_until(pid)
    if cfg["parent_pid"] is not None:
        kill_leftovers()
    finish(cfg, st)


if __name__ == "__main__":
    main(sys.argv[1:])
