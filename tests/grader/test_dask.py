"""Grading on a real Dask cluster on the loopback: a scheduler, two workers, one killed mid-batch."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from test_batch import (  # noqa: E402
    cli_process, grade_cli, graded_names, result_folders, verdicts, wait_until, write_samples,
)

SAMPLES = [
    "reference", "variant_vectorised", "variant_einsum", "template",
    "mutant_conv_forward_no_bias", "mutant_pool_forward_hardcoded_2x2", "mutant_pool_backward_assigns",
    "mutant_spatial_batchnorm_over_batch_only", "mutant_cnn_reg_without_half", "hostile_exit_at_import",
]
DASK = Path(sys.executable).with_name("dask")


def start(argv, log):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    return subprocess.Popen([str(DASK), *argv], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def workers_connected(scheduler_file, count):
    from distributed import Client
    with Client(scheduler_file=str(scheduler_file), timeout=10) as client:
        return len(client.scheduler_info()["workers"]) >= count


@pytest.fixture
def cluster(tmp_path):
    """A scheduler and two single-threaded workers (no nanny: a killed worker stays dead)."""
    if not DASK.exists():
        pytest.skip("the dask command is not installed next to this Python")
    scheduler_file = tmp_path / "scheduler.json"
    log = open(tmp_path / "cluster.log", "w")
    procs = [start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                    "--scheduler-file", str(scheduler_file)], log)]
    try:
        wait_until(scheduler_file.exists, 60, "the scheduler is up")
        for _ in range(2):
            procs.append(start(["worker", "--scheduler-file", str(scheduler_file), "--nthreads", "1",
                                "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"], log))
        wait_until(lambda: workers_connected(scheduler_file, 2), 60, "two workers joined")
        address = json.loads(scheduler_file.read_text())["address"]
        yield address, procs[1:]
    finally:
        for proc in procs:  # each in its own session: this kills only what the fixture started
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def test_a_batch_on_dask_survives_a_lost_worker(cluster, tmp_path):
    address, workers = cluster
    subs = tmp_path / "class"
    write_samples(subs, SAMPLES)
    local = tmp_path / "local"
    assert grade_cli(subs, "--out", local, "--workers", "2") == 0

    out = tmp_path / "out"
    proc = cli_process(subs, "--out", out, "--dask", address)
    try:
        wait_until(lambda: out.is_dir() and len(result_folders(out)) >= 2, 120, "two results exist", proc)
        workers[0].kill()  # SIGKILL: its task in flight is lost with it
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert workers[0].wait() == -signal.SIGKILL and workers[1].poll() is None
    assert result_folders(out) == sorted(SAMPLES)
    assert sorted(graded_names(out)) == sorted(SAMPLES)
    assert verdicts(out) == verdicts(local)
    for name in SAMPLES:
        assert {p.name for p in (out / name).iterdir()} == {p.name for p in (local / name).iterdir()}
    assert len((out / "gradebook.csv").read_text().splitlines()) == 1 + len(SAMPLES)

    # The same rules for resuming as a local run: nothing changed, nothing regraded.
    assert grade_cli(subs, "--out", out, "--dask", address) == 0
    assert sorted(graded_names(out)) == sorted(SAMPLES)
