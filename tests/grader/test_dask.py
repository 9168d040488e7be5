"""Grading on a real Dask cluster on the loopback: a scheduler, two workers, one killed mid-batch."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from graders import batch  # noqa: E402
from graders.result import Provenance  # noqa: E402
from test_batch import (  # noqa: E402
    cli_process, grade_cli, graded_names, result_folders, verdicts, wait_until, write_samples,
)

SAMPLES = [
    "reference", "variant_vectorised", "variant_einsum", "template",
    "mutant_conv_forward_no_bias", "mutant_pool_forward_hardcoded_2x2", "mutant_pool_backward_assigns",
    "mutant_spatial_batchnorm_over_batch_only", "mutant_cnn_reg_without_half", "hostile_exit_at_import",
]
DASK = Path(sys.executable).with_name("dask")


KILLER = "hostile_infinite_loop"  # runs long enough to be caught in flight, twice


def start(argv, log, **env_extra):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p), **env_extra)
    return subprocess.Popen([str(DASK), *argv], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def workers_connected(scheduler_file, count):
    from distributed import Client
    with Client(scheduler_file=str(scheduler_file), timeout=10) as client:
        return len(client.scheduler_info()["workers"]) >= count


@pytest.fixture
def cluster(tmp_path):
    """A scheduler that gives a task up after losing 2 workers with it and queues no task on a
    busy worker, and three single-threaded workers (no nanny: a killed worker stays dead)."""
    if not DASK.exists():
        pytest.skip("the dask command is not installed next to this Python")
    scheduler_file = tmp_path / "scheduler.json"
    log = open(tmp_path / "cluster.log", "w")
    procs = [start(["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                    "--scheduler-file", str(scheduler_file)], log,
                   DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="1",
                   # One task per worker thread, none queued behind it: a task queued on a worker
                   # the test kills would die with it, and twice over would end as KilledWorker.
                   DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION="1.0")]
    try:
        wait_until(scheduler_file.exists, 60, "the scheduler is up")
        for _ in range(3):
            procs.append(start(["worker", "--scheduler-file", str(scheduler_file), "--nthreads", "1",
                                "--no-nanny", "--no-dashboard", "--host", "127.0.0.1"], log))
        wait_until(lambda: workers_connected(scheduler_file, 3), 60, "three workers joined")
        yield scheduler_file
    finally:
        for proc in procs:  # each in its own session: this kills only what the fixture started
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def worker_running(client, name, exclude):
    """The address of a worker (not in exclude) processing the task of submission name, or None."""
    for address, keys in client.processing().items():
        if address not in exclude and any("-%s-" % name in str(k) for k in keys):
            return address
    return None


def test_dask_batch_retries_lost_tasks_and_gives_up_on_a_worker_killer(cluster, tmp_path):
    from distributed import Client
    subs = tmp_path / "class"
    write_samples(subs, SAMPLES + [KILLER])
    local = tmp_path / "local"
    write_samples(tmp_path / "local_class", SAMPLES)
    assert grade_cli(tmp_path / "local_class", "--out", local, "--workers", "2") == 0

    out = tmp_path / "out"
    address = json.loads(cluster.read_text())["address"]
    proc = cli_process(subs, "--out", out, "--dask", address)
    try:
        with Client(scheduler_file=str(cluster), timeout=10) as client:
            pids, killed = client.run(os.getpid), []
            for _ in range(2):  # lost once: run again elsewhere; lost twice: given up
                found = []
                wait_until(lambda: found.append(worker_running(client, KILLER, killed)) or found[-1],
                           120, "a worker runs %s" % KILLER, proc)
                os.kill(pids[found[-1]], signal.SIGKILL)
                killed.append(found[-1])
        _, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 2, err  # a grader_error result is in the batch

    assert result_folders(out) == sorted(SAMPLES + [KILLER])
    assert sorted(graded_names(out)) == sorted(SAMPLES + [KILLER])
    doc = json.loads((out / KILLER / "result.json").read_text())
    assert doc["status"] == "grader_error" and "KilledWorker" in doc["message"]
    assert not batch.reusable(doc, Provenance(**doc["provenance"]))  # the next run tries it again
    got = verdicts(out)
    del got[KILLER]
    assert got == verdicts(local)
    for name in SAMPLES:
        assert {p.name for p in (out / name).iterdir()} == {p.name for p in (local / name).iterdir()}
    assert len((out / "gradebook.csv").read_text().splitlines()) == 2 + len(SAMPLES)
