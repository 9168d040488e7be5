"""Tests of graders/sandbox/ with real processes (no mocks).

Each test runs in every mode this machine offers ("bwrap" needs bubblewrap; "rlimits" is
always there); assertions about filesystem and network isolation only in bwrap mode.
"""

from __future__ import annotations

import ast
import errno
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import graders
from graders.sandbox import UID_POOL, Limits, RunResult, available_mode, run_confined, uid_lock_path
from graders.sandbox import cgroup_parents, command, launcher, uids

MODES = [
    pytest.param("bwrap", marks=pytest.mark.skipif(
        available_mode() != "bwrap", reason="bubblewrap is not usable on this machine")),
    "rlimits",
]
SMALL = Limits(wall_seconds=10.0, cpu_seconds=5, memory_bytes=512 * 2**20, max_processes=16,
               output_bytes=64 * 2**10, file_bytes=2**20, open_files=64)
IS_ROOT = os.geteuid() == 0
REPO = Path(__file__).resolve().parents[2]
# The reference solution's sources: what a sandboxed child must never list or read.
REFERENCE_SOURCES = REPO / "graders" / "assignments" / "cs231n_a2" / "reference"


@pytest.fixture(params=MODES)
def mode(request) -> str:
    return request.param


def make_workspace() -> Path:
    """A fresh workspace directly in the system temp folder: in rlimits mode as root the
    dropped uid must be able to reach it (pytest's tmp_path sits in a 0700 folder)."""
    return Path(tempfile.mkdtemp(prefix="sandbox-test-ws-"))


@pytest.fixture
def workspace() -> Iterator[Path]:
    ws = make_workspace()
    yield ws
    shutil.rmtree(ws, ignore_errors=True)


def _reachable_by_others(path: str) -> bool:
    """Whether an unprivileged uid can execute path (every parent searchable by others)."""
    real = Path(os.path.realpath(path))
    return all(os.stat(p).st_mode & stat.S_IXOTH for p in (real, *real.parents))


def python_for(mode: str) -> str:
    """The interpreter for the child: the grader's own, unless an unprivileged uid cannot
    reach it in rlimits mode as root (e.g. pyenv under /root), then the system one."""
    if mode == "bwrap" or not IS_ROOT or (
            _reachable_by_others(sys.executable) and _reachable_by_others(sys.base_prefix)):
        return sys.executable
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.path.exists(candidate) and _reachable_by_others(candidate):
            return candidate
    pytest.skip("no Python an unprivileged uid can run (needed in rlimits mode as root)")


def run(mode: str, workspace: Path, code: str, limits: Limits = SMALL, *args: str,
        **kwargs) -> RunResult:
    """Write code to main.py in the workspace and run it confined."""
    (workspace / "main.py").write_text(textwrap.dedent(code))
    return run_confined([python_for(mode), "main.py", *args], workspace, limits, mode=mode,
                        **kwargs)


def leftovers(marker: str) -> list[int]:
    """Live (non-zombie) processes whose command line carries marker.

    Every process a test's child forks inherits its command line, marker included.
    (Not by uid: another grader on the machine may lease the same uid right after.)
    """
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            state = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if state != "Z" and marker.encode() in cmdline.split(b"\0"):
            found.append(int(name))
    return found


def run_cgroups() -> list[str]:
    """The cgroups of runs made by this test process that still exist (named after its pid)."""
    prefix = f"cs231n-sandbox-{os.getpid()}-"
    return [os.path.join(top, name) for top, dirs, _ in os.walk("/sys/fs/cgroup")
            for name in dirs if name.startswith(prefix)]


def user_threads() -> int:
    """Threads the grader's user runs right now (what RLIMIT_NPROC counts)."""
    total = 0
    for name in os.listdir("/proc"):
        try:
            status = Path(f"/proc/{name}/status").read_text() if name.isdigit() else ""
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields and int(fields["Uid"].split()[0]) == os.getuid():
            total += int(fields["Threads"])
    return total


# --------------------------------------------------------------------------------------
# Normal runs
# --------------------------------------------------------------------------------------


def test_available_mode_is_cached_and_known():
    assert available_mode() in ("bwrap", "rlimits")
    assert available_mode() is available_mode()


def test_normal_script_returns_exit_code_and_output(mode, workspace):
    result = run(mode, workspace, """
        import os, sys
        print("hello", os.getcwd())
        print("warning", file=sys.stderr)
        with open("out.txt", "w") as f:
            f.write("written")
        sys.exit(7)
    """)
    assert result.mode == mode
    assert (result.exit_code, result.signal, result.timed_out) == (7, None, False)
    assert result.stdout == f"hello {workspace}\n"
    assert result.stderr == "warning\n"
    assert not result.stdout_truncated and not result.stderr_truncated
    assert result.reason == "exited with code 7"
    assert (workspace / "out.txt").read_text() == "written"
    assert 0 < result.wall_seconds < SMALL.wall_seconds
    assert result.cpu_seconds > 0


def test_exit_zero_is_exited_normally(mode, workspace):
    result = run(mode, workspace, "print('ok')")
    assert (result.exit_code, result.reason, result.stdout) == (0, "exited normally", "ok\n")


def test_default_environment_is_minimal(mode, workspace, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET", "s3cr3t-token")
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    result = run(mode, workspace, """
        import json, os
        env = dict(os.environ)
        try:  # the grader's own environment, if the child could read it
            env["parent"] = open(f"/proc/{os.getppid()}/environ", "rb").read().decode()
        except OSError:
            pass
        print(json.dumps(env))
    """)
    assert result.exit_code == 0, result.stderr
    if mode == "bwrap" or IS_ROOT:
        assert "s3cr3t-token" not in result.stdout
    env = __import__("json").loads(result.stdout)
    assert "GRADER_SECRET" not in env
    assert env["OPENBLAS_CORETYPE"] == "Haswell"
    assert env["HOME"] == str(workspace)
    assert env["PYTHONHASHSEED"] == "0" and env["OMP_NUM_THREADS"] == "1"
    assert env["LANG"] == "C.UTF-8" and env["PYTHONDONTWRITEBYTECODE"] == "1"


def test_explicit_environment_is_complete(mode, workspace):
    # PWD is set by bubblewrap, LC_CTYPE by Python's own C-locale coercion, TMPDIR (if the
    # caller gave none) by the rlimits mode.
    code = "import os; print(sorted(set(os.environ) - {'PWD', 'LC_CTYPE', 'TMPDIR'}))"
    result = run(mode, workspace, code, env={"ONLY": "this", "PATH": "/usr/bin:/bin"})
    assert result.stdout == "['ONLY', 'PATH']\n", result.stderr


def test_program_that_cannot_start(mode, workspace):
    result = run_confined(["/nonexistent/program"], workspace, SMALL, mode=mode)
    assert result.exit_code == 127
    assert result.reason.startswith("could not start")


# --------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------


def test_infinite_loop_times_out_and_leaves_nothing(mode, workspace):
    marker = uuid.uuid4().hex
    limits = Limits(**{**SMALL.__dict__, "wall_seconds": 1.5})
    result = run(mode, workspace, """
        import os, time
        for _ in range(3):
            if os.fork() == 0:
                os.setsid()  # tries to leave the process group
                while True:
                    time.sleep(1)
        while True:
            pass
    """, limits, marker)
    assert result.timed_out
    assert (result.exit_code, result.signal) == (None, signal.SIGKILL)
    assert result.reason == "killed after 1.5 s wall-clock limit"
    assert 1.5 <= result.wall_seconds < 6
    assert leftovers(marker) == []


def test_daemonized_grandchild_is_killed_when_the_program_exits(mode, workspace):
    marker = uuid.uuid4().hex
    result = run(mode, workspace, """
        import os, time
        if os.fork() == 0:  # the classic daemon: fork, setsid, fork, parent exits
            os.setsid()
            if os.fork() == 0:
                time.sleep(30)
            os._exit(0)
        os.wait()
        print("main exits")
    """, SMALL, marker)
    assert result.stdout == "main exits\n", result.stderr
    assert result.reason == "exited normally"
    assert leftovers(marker) == []


def test_cpu_hog_gets_sigxcpu(mode, workspace):
    limits = Limits(**{**SMALL.__dict__, "cpu_seconds": 1})
    result = run(mode, workspace, "while True: pass", limits)
    assert not result.timed_out
    assert (result.exit_code, result.signal) == (None, signal.SIGXCPU)
    assert result.reason == "killed by SIGXCPU (CPU-time limit 1 s)"
    assert result.cpu_seconds >= 0.9


def test_unbounded_allocation_is_stopped(mode, workspace):
    limits = Limits(**{**SMALL.__dict__, "memory_bytes": 256 * 2**20})
    grader_limit = resource.getrlimit(resource.RLIMIT_AS)
    result = run(mode, workspace, """
        chunks = []
        while True:
            chunks.append(bytearray(16 * 2**20))
    """, limits)
    assert not result.timed_out
    assert result.exit_code != 0
    assert "MemoryError" in result.stderr or result.signal == signal.SIGKILL
    # The grader is unaffected: its own limit is unchanged and it can still allocate.
    assert resource.getrlimit(resource.RLIMIT_AS) == grader_limit
    assert len(bytearray(512 * 2**20)) == 512 * 2**20


def test_fork_bomb_is_contained(mode, workspace):
    marker = uuid.uuid4().hex
    limits = Limits(**{**SMALL.__dict__, "max_processes": 12})
    already = user_threads()
    result = run(mode, workspace, """
        import os, sys, time
        print(os.getuid(), flush=True)
        count = 0
        while count < 10_000:
            try:
                pid = os.fork()
            except OSError as e:
                print(count, e.errno, flush=True)
                break
            if pid == 0:
                time.sleep(60)
                os._exit(0)
            count += 1
    """, limits, marker)
    assert result.exit_code == 0, result.stderr
    forks, err = map(int, result.stdout.split()[1:3])
    assert err == errno.EAGAIN
    assert forks >= 8
    if IS_ROOT:  # a dedicated uid: the budget is exactly the run's
        assert forks <= 12
    else:  # the budget sits on top of the user's other processes (and bubblewrap's)
        assert forks <= 12 + already + 3
    assert leftovers(marker) == []
    assert run_cgroups() == []


SHARED_MEMORY_HOG = """
    import os, sys
    if sys.argv[1] == "memfd":
        fd = os.memfd_create("hog")
    else:
        fd = os.open(os.path.join(sys.argv[1], "hog"), os.O_WRONLY | os.O_CREAT, 0o600)
    for _ in range(600):  # 600 MiB that are never mapped: no address space
        os.write(fd, bytes(2**20))
    print("held 600 MiB")
"""


@pytest.mark.skipif(not IS_ROOT, reason="runs get a cgroup only when the grader is root")
@pytest.mark.parametrize("where", ["memfd", "tmpfs"])
def test_shared_memory_counts_against_the_memory_limit(mode, where):
    """tmpfs: bubblewrap's private /dev/shm; in rlimits mode, where Landlock keeps the child
    out of the host's /dev/shm, a workspace made on /dev/shm itself."""
    limits = Limits(**{**SMALL.__dict__, "memory_bytes": 256 * 2**20, "file_bytes": 2**30})
    on_shm = where == "tmpfs" and mode == "rlimits"
    ws = Path(tempfile.mkdtemp(prefix="sandbox-test-ws-", dir="/dev/shm" if on_shm else None))
    target = "memfd" if where == "memfd" else str(ws) if on_shm else "/dev/shm"
    try:
        result = run(mode, ws, SHARED_MEMORY_HOG, limits, target)
    finally:
        shutil.rmtree(ws, ignore_errors=True)
    if not any(word.startswith("memory (cgroup") for word in result.enforced):
        pytest.skip(f"no memory cgroup can be made here (enforced: {result.enforced})")
    assert "held" not in result.stdout
    assert result.signal == signal.SIGKILL
    assert result.reason == "killed by SIGKILL (memory limit 268435456 bytes, shared memory included)"
    assert run_cgroups() == []


def test_output_flood_is_capped_and_does_not_block(mode, workspace):
    result = run(mode, workspace, """
        import sys
        line = "x" * 1023 + "\\n"
        for _ in range(10 * 1024):  # 10 MiB on each stream
            sys.stdout.write(line)
            sys.stderr.write(line)
        print("done", file=sys.stderr)
    """)
    assert result.exit_code == 0
    assert not result.timed_out
    assert result.stdout_truncated and result.stderr_truncated
    assert len(result.stdout) == len(result.stderr) == SMALL.output_bytes
    assert result.stdout.startswith("x" * 1023 + "\n")


def test_invalid_utf8_is_replaced(mode, workspace):
    result = run(mode, workspace, "import sys; sys.stdout.buffer.write(b'ok\\xff\\n')")
    assert result.stdout == "ok\ufffd\n"


def test_big_file_hits_file_size_limit(mode, workspace):
    result = run(mode, workspace, """
        with open("big.bin", "wb") as f:
            for _ in range(8):
                f.write(bytes(2**20))
    """)
    assert result.exit_code != 0
    assert "file-size limit" in result.reason
    assert (workspace / "big.bin").stat().st_size == SMALL.file_bytes


def test_open_files_are_limited(mode, workspace):
    result = run(mode, workspace, """
        import resource
        print(resource.getrlimit(resource.RLIMIT_NOFILE)[0],
              resource.getrlimit(resource.RLIMIT_CORE)[0])
    """)
    assert result.stdout.split() == [str(SMALL.open_files), "0"]


def test_keyboard_interrupt_kills_the_run(mode, workspace):
    marker = uuid.uuid4().hex

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    try:
        with pytest.raises(KeyboardInterrupt):
            run(mode, workspace, """
                import os, time
                for _ in range(3):
                    if os.fork() == 0:
                        break
                time.sleep(30)
            """, SMALL, marker)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert leftovers(marker) == []


# --------------------------------------------------------------------------------------
# Identity (root only): a dedicated uid per concurrent run, workspace given back
# --------------------------------------------------------------------------------------


@pytest.mark.skipif(not IS_ROOT, reason="uid leases are used only when the grader is root")
def test_concurrent_runs_get_distinct_uids(mode):
    results = {}

    def one(i: int) -> None:
        ws = make_workspace()
        try:
            results[i] = run(mode, ws, "import os, time; print(os.getuid()); time.sleep(1)")
        finally:
            shutil.rmtree(ws, ignore_errors=True)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    uids = {int(r.stdout) for r in results.values()}
    assert len(uids) == 2 and 0 not in uids


LEASE_HOLDER = """
import sys
sys.path.insert(0, sys.argv[1])
from graders.sandbox import uids
with uids.identity(None) as identity:  # the lease run_confined takes
    print(identity.uid, flush=True)
    sys.stdin.read()  # held until the test closes stdin
"""


@pytest.mark.skipif(not IS_ROOT, reason="uid leases are used only when the grader is root")
def test_uid_leases_are_machine_wide_whatever_tmpdir(tmp_path):
    home = str(Path(graders.__file__).resolve().parents[1])
    holders = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        holders.append(subprocess.Popen(
            [sys.executable, "-c", LEASE_HOLDER, home], env={**os.environ, "TMPDIR": str(tmp_path / name)},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    try:
        uids = [int(holder.stdout.readline() or -1) for holder in holders]  # both hold one now
    finally:
        errors = [holder.communicate()[1] for holder in holders]
    assert len(set(uids)) == 2 and all(uid in UID_POOL for uid in uids), errors
    assert all(tmp_path not in uid_lock_path(uid).parents for uid in uids)


def test_uid_lock_dir_must_be_private(monkeypatch, tmp_path):
    place = tmp_path / "uids"
    monkeypatch.setattr(uids, "UID_LOCK_DIRS", (place,))
    assert uid_lock_path(7) == place / "7.lock"
    assert stat.S_IMODE(place.lstat().st_mode) == 0o700
    place.chmod(0o755)
    with pytest.raises(RuntimeError, match="its mode is 755, not 700"):
        uid_lock_path(7)
    place.rmdir()
    place.symlink_to(tmp_path)
    with pytest.raises(RuntimeError, match="not a directory"):
        uid_lock_path(7)


@pytest.mark.skipif(not IS_ROOT, reason="only root can pick the child's uid")
def test_explicit_uid(mode, workspace):
    uid = UID_POOL.stop + 4321  # outside the pool, so no concurrent run leases it
    result = run(mode, workspace, "import os; print(os.getuid(), os.getgid(), os.getgroups())",
                 uid=uid)
    assert result.stdout == f"{uid} {uid} []\n", result.stderr


@pytest.mark.skipif(not IS_ROOT, reason="ownership changes only when the grader is root")
def test_workspace_ownership_is_given_back(mode, workspace):
    (workspace / "given.txt").write_text("input")
    result = run(mode, workspace, """
        import os
        open("given.txt", "a").write(" and more")
        open("made.txt", "w").write("new")
        print(os.getuid())
    """)
    assert result.exit_code == 0, result.stderr
    assert (workspace / "given.txt").read_text() == "input and more"
    for name in ("given.txt", "made.txt", "main.py", "."):
        st = (workspace / name).stat()
        assert (st.st_uid, st.st_gid) == (0, 0), name


# --------------------------------------------------------------------------------------
# Isolation (bwrap only)
# --------------------------------------------------------------------------------------


@pytest.fixture
def host_tree(tmp_path: Path) -> dict[str, Path]:
    """Host files around the workspace: a readable folder with hidden parts, a secret."""
    data = tmp_path / "data"
    (data / "solution").mkdir(parents=True)
    (data / "input.txt").write_text("public")
    (data / "solution" / "answer.py").write_text("secret solution")
    (data / "key.txt").write_text("secret key")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "answer.txt").write_text("secret")
    return {"data": data, "secret": secret}


def test_bwrap_filesystem_view(workspace, host_tree):
    if available_mode() != "bwrap":
        pytest.skip("bubblewrap is not usable on this machine")
    data, secret = host_tree["data"], host_tree["secret"]
    result = run("bwrap", workspace, f"""
        import os
        def attempt(what, fn):
            try:
                print(what, "ok", repr(fn()))
            except OSError as e:
                print(what, "failed", type(e).__name__)
        attempt("readable", lambda: open({str(data / 'input.txt')!r}).read())
        attempt("secret", lambda: open({str(secret / 'answer.txt')!r}).read())
        attempt("hidden-dir", lambda: os.listdir({str(data / 'solution')!r}))
        attempt("hidden-in-dir", lambda: open({str(data / 'solution' / 'answer.py')!r}).read())
        attempt("hidden-file", lambda: open({str(data / 'key.txt')!r}).read())
        attempt("repo", lambda: os.listdir({str(REFERENCE_SOURCES)!r}))
        attempt("tests", lambda: os.listdir({str(REPO / 'tests')!r}))
        attempt("grader-home", lambda: os.listdir("/root/.ssh"))
    """, readable=[data], hidden=[data / "solution", data / "key.txt"])
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert REFERENCE_SOURCES.is_dir()  # so that "repo" is refused, not merely absent
    assert lines["readable"] == "ok 'public'", result.stderr
    assert lines["secret"].startswith("failed")
    assert lines["hidden-dir"] == "ok []"
    assert lines["hidden-in-dir"].startswith("failed")
    assert lines["hidden-file"] in ("ok ''", "failed PermissionError")
    assert lines["repo"].startswith("failed")  # the reference solution's sources
    assert lines["tests"].startswith("failed")
    assert lines["grader-home"].startswith("failed")


def test_bwrap_cannot_write_outside_workspace(workspace, host_tree, tmp_path):
    if available_mode() != "bwrap":
        pytest.skip("bubblewrap is not usable on this machine")
    data = host_tree["data"]
    targets = [tmp_path / "outside.txt", data / "planted.txt", Path("/usr/planted.txt"),
               Path(sys.prefix) / "planted.txt"]
    result = run("bwrap", workspace, f"""
        for path in {[str(t) for t in targets]!r}:
            try:
                open(path, "w").write("x")
                print("wrote", path)
            except OSError as e:
                print("failed", path, type(e).__name__)
        open("/tmp/scratch", "w").write("private tmp works")
    """, readable=[data])
    assert result.exit_code == 0, result.stderr
    for target in targets:
        assert not target.exists(), target
    assert f"failed {data / 'planted.txt'}" in result.stdout


def test_bwrap_has_no_network(workspace):
    if available_mode() != "bwrap":
        pytest.skip("bubblewrap is not usable on this machine")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.1)
        port = server.getsockname()[1]
        result = run("bwrap", workspace, f"""
            import socket
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
                print("connected")
            except OSError as e:
                print("failed", type(e).__name__)
        """)
        with pytest.raises(OSError):  # nobody ever knocked
            server.accept()
    assert result.stdout.startswith("failed"), result.stdout + result.stderr


def test_bwrap_hides_host_processes(workspace):
    if available_mode() != "bwrap":
        pytest.skip("bubblewrap is not usable on this machine")
    result = run("bwrap", workspace, """
        import os
        print(len([p for p in os.listdir("/proc") if p.isdigit()]))
    """)
    assert int(result.stdout) <= 4


def test_bwrap_hides_an_installed_package(workspace):
    """As the grader hides the installed reference package inside site-packages."""
    if available_mode() != "bwrap":
        pytest.skip("bubblewrap is not usable on this machine")
    package = Path(pytest.__file__).resolve().parent  # some package of the grader's Python
    result = run("bwrap", workspace, f"""
        import os
        print(os.listdir({str(package)!r}))
        try:
            open({str(package / '__init__.py')!r}).read()
            print("read")
        except OSError as e:
            print("failed", type(e).__name__)
        import json  # the rest of the installation still works
    """, hidden=[package])
    assert result.stdout.splitlines() == ["[]", "failed FileNotFoundError"], result.stderr
    assert result.exit_code == 0


# --------------------------------------------------------------------------------------
# Writable directories (both modes) and Landlock (rlimits mode)
# --------------------------------------------------------------------------------------


@pytest.fixture
def open_tree() -> Iterator[dict[str, Path]]:
    """Host files in a folder any uid may enter, so that in rlimits mode as root only
    Landlock, not the file permissions, can keep the child out."""
    root = Path(tempfile.mkdtemp(prefix="sandbox-test-tree-"))
    root.chmod(0o755)
    data = root / "data"
    (data / "solution").mkdir(parents=True)
    (data / "input.txt").write_text("public")
    (data / "notes.txt").write_text("also public")
    (data / "solution" / "answer.py").write_text("secret solution")
    (data / "key.txt").write_text("secret key")
    (root / "outside.txt").write_text("secret")
    (root / "out").mkdir()
    yield {"root": root, "data": data, "out": root / "out"}
    shutil.rmtree(root, ignore_errors=True)


ATTEMPT = """
    import os
    def attempt(what, fn):
        try:
            print(what, "ok", repr(fn()))
        except OSError as e:
            print(what, "failed", type(e).__name__)
"""


def test_writable_directories(mode, workspace, open_tree):
    out, root = open_tree["out"], open_tree["root"]
    result = run(mode, workspace, ATTEMPT + f"""
    attempt("out", lambda: open({str(out / 'result.txt')!r}, "w").write("written"))
    attempt("out-dir", lambda: os.mkdir({str(out / 'logs')!r}))
    attempt("beside", lambda: open({str(root / 'planted.txt')!r}, "w").write("x"))
    """, writable=[out])
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["out"] == "ok 7" and lines["out-dir"] == "ok None", result.stderr
    assert (out / "result.txt").read_text() == "written"
    if mode == "bwrap" or IS_ROOT or "filesystem (landlock" in " ".join(result.enforced):
        assert lines["beside"].startswith("failed") and not (root / "planted.txt").exists()
    if IS_ROOT:  # lent to the run's uid, given back afterwards
        for path in (out, out / "result.txt", out / "logs"):
            assert (path.stat().st_uid, path.stat().st_gid) == (0, 0), path
    with pytest.raises(NotADirectoryError, match="writable path"):
        run_confined(["true"], workspace, writable=[root / "outside.txt"], mode=mode)


def landlock_or_skip(workspace: Path) -> None:
    trial = run("rlimits", workspace, "pass")
    if not any(word.startswith("filesystem (landlock") for word in trial.enforced):
        pytest.skip(f"this kernel offers no Landlock (enforced: {trial.enforced})")


def test_rlimits_landlock_confines_the_filesystem(workspace, open_tree):
    landlock_or_skip(workspace)
    data, root = open_tree["data"], open_tree["root"]
    scratch = f"sandbox-test-{uuid.uuid4().hex}"
    result = run("rlimits", workspace, ATTEMPT + f"""
    attempt("readable", lambda: open({str(data / 'input.txt')!r}).read())
    attempt("beside-hidden", lambda: open({str(data / 'notes.txt')!r}).read())
    attempt("hidden-in-dir", lambda: open({str(data / 'solution' / 'answer.py')!r}).read())
    attempt("hidden-file", lambda: open({str(data / 'key.txt')!r}).read())
    attempt("outside", lambda: open({str(root / 'outside.txt')!r}).read())
    attempt("repo", lambda: os.listdir({str(REFERENCE_SOURCES)!r}))
    attempt("write-readable", lambda: open({str(data / 'planted.txt')!r}, "w").write("x"))
    attempt("write-tmp", lambda: open("/tmp/{scratch}", "w").write("x"))
    attempt("write-shm", lambda: open("/dev/shm/{scratch}", "w").write("x"))
    attempt("workspace", lambda: open("made.txt", "w").write("x"))
    attempt("tmpdir", lambda: open(os.path.join(os.environ["TMPDIR"], "t"), "w").write("x"))
    attempt("devnull", lambda: open("/dev/null", "w").write("x"))
    attempt("proc", lambda: "Pid" in open("/proc/self/status").read())
    """, readable=[data], hidden=[data / "solution", data / "key.txt"])
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert result.exit_code == 0, result.stderr
    assert REFERENCE_SOURCES.is_dir()  # so that "repo" is refused, not merely absent
    assert lines["readable"] == "ok 'public'" and lines["beside-hidden"] == "ok 'also public'"
    for denied in ("hidden-in-dir", "hidden-file", "outside", "repo", "write-readable",
                   "write-tmp", "write-shm"):
        assert lines[denied] == "failed PermissionError", denied
    for allowed in ("workspace", "tmpdir", "devnull", "proc"):
        assert lines[allowed].startswith("ok"), allowed
    assert not Path("/tmp", scratch).exists() and not Path("/dev/shm", scratch).exists()


def test_rlimits_landlock_still_runs_numpy(workspace):
    landlock_or_skip(workspace)
    python = python_for("rlimits")
    if subprocess.run([python, "-c", "import numpy"], capture_output=True).returncode != 0:
        pytest.skip(f"{python} (the Python an unprivileged uid can run) has no numpy")
    result = run("rlimits", workspace, "import numpy; print(numpy.arange(4).sum())")
    assert (result.exit_code, result.stdout) == (0, "6\n"), result.stderr


# --------------------------------------------------------------------------------------
# Where runs' cgroups go (the choice only: this machine may not have every layout)
# --------------------------------------------------------------------------------------


def test_cgroup_v2_is_used_for_what_the_graders_cgroup_delegates(tmp_path):
    own = {"": "/grader", "memory": "/grader", "pids": "/"}
    (tmp_path / "unified" / "grader").mkdir(parents=True)
    (tmp_path / "unified" / "grader" / "cgroup.subtree_control").write_text("cpu memory\n")
    (tmp_path / "pids").mkdir()
    mounts = [("cgroup", "/", str(tmp_path / "pids"), {"rw", "pids"}),
              ("cgroup2", "/", str(tmp_path / "unified"), {"rw"})]
    assert cgroup_parents.choose_cgroup_parents(own, mounts) == (
        cgroup_parents.CgroupParent(2, tmp_path / "unified" / "grader", ("memory",)),
        cgroup_parents.CgroupParent(1, tmp_path / "pids", ("pids",)),
    )


def test_cgroup_v1_mounted_from_inside_the_hierarchy(tmp_path):
    """As in a container that sees only its own part of each hierarchy, at the mount point."""
    own = {"": "/", "memory": "/docker/abc", "pids": "/docker/abc/sub"}
    (tmp_path / "memory").mkdir()
    (tmp_path / "pids" / "sub").mkdir(parents=True)
    (tmp_path / "unified").mkdir()  # a cgroup2 mount delegating nothing
    mounts = [("cgroup2", "/", str(tmp_path / "unified"), {"rw"}),
              ("cgroup", "/docker/abc", str(tmp_path / "memory"), {"rw", "memory"}),
              ("cgroup", "/docker/abc", str(tmp_path / "pids"), {"rw", "pids"}),
              ("cgroup", "/other", str(tmp_path / "elsewhere"), {"rw", "memory"})]
    assert cgroup_parents.choose_cgroup_parents(own, mounts) == (
        cgroup_parents.CgroupParent(1, tmp_path / "memory", ("memory",)),
        cgroup_parents.CgroupParent(1, tmp_path / "pids" / "sub", ("pids",)),
    )


def test_launcher_is_a_standalone_stdlib_script():
    """The launcher runs as root before the drop, as a file with ``-I -S``: it imports the
    standard library only, and no module beside it could shadow one."""
    tree = ast.parse(Path(launcher.__file__).read_text(), launcher.__file__)
    imports = [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert not any(isinstance(node, ast.ImportFrom) and node.level for node in imports)
    names = {alias.name for node in imports if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in imports if isinstance(node, ast.ImportFrom)}
    assert {name.split(".")[0] for name in names} <= sys.stdlib_module_names
    siblings = {path.stem for path in Path(launcher.__file__).parent.glob("*.py")}
    assert not siblings & sys.stdlib_module_names
    assert command.launcher_argv(["prog", "arg"], 7) == [
        sys.executable, "-I", "-S", str(command.LAUNCHER), "7", "prog", "arg"]
