"""Hostile submissions are contained, explained, and scored only for what they earn.

They are graded in the same session and thread pool as the rest of the corpus,
whose exact verdicts (test_corpus.py) show that the others were unaffected.
"""
import fcntl
import os
import subprocess
from pathlib import Path

import pytest
from conftest import GRADED_EXTRAS

from graders.sandbox import UID_POOL, available_mode, uid_lock_path

needs_bwrap = pytest.mark.skipif(available_mode() != "bwrap", reason="bubblewrap is not usable here")


def checks_of(graded, name):
    samples, _ = graded
    _, result = samples[name]
    assert result.status == "graded"
    return result, {c.id: c for c in result.checks}


def not_passed(checks):
    return {cid for cid, c in checks.items() if c.status != "passed"}


def test_exit_at_import_is_explained(graded):
    result, checks = checks_of(graded, "hostile_exit_at_import")
    # Only the update rules, whose optim.py imports no layers.py, earn their points.
    rules = {"sgd_momentum", "rmsprop", "adam"}
    assert result.score == sum(checks[c].max_score for c in rules)
    assert all(c.status == "error" for cid, c in checks.items() if cid not in rules)
    assert all(checks[c].status == "passed" for c in rules)
    assert "died" in checks["conv_forward"].message


def test_infinite_loop_times_out_and_the_rest_is_scored(graded):
    result, checks = checks_of(graded, "hostile_infinite_loop")
    assert checks["conv_forward"].status == "timeout"
    assert "time limit" in checks["conv_forward"].message
    # Everything that does not run the student's conv_forward_naive still earns its points.
    assert not_passed(checks) == {"conv_forward", "conv_backward_numeric", "conv_backward", "fast_layers"}
    # The checks built on it are not run: they would wait on the same loop for their own limits.
    for blocked in ("conv_backward_numeric", "conv_backward", "fast_layers"):
        assert checks[blocked].status == "skipped" and checks[blocked].blocked_by == ["conv_forward"], blocked
        assert checks[blocked].message.startswith("Not run: it builds on conv_forward (conv_forward was stopped "
                                                  "after the"), checks[blocked].message
    assert [c.id for c in checks.values() if c.status == "timeout"] == ["conv_forward"]
    assert result.seconds < 180  # one time limit (20 s here) and the other checks, with a generous margin


def test_memory_hog_is_stopped(graded):
    result, checks = checks_of(graded, "hostile_memory_hog")
    hog = checks["max_pool_forward"]
    assert hog.status == "error"
    assert "memory" in hog.message.lower()
    assert not_passed(checks) == {"max_pool_forward", "max_pool_backward_numeric", "max_pool_backward", "fast_layers"}


def test_fork_bomb_is_contained_and_nothing_is_left(graded):
    result, checks = checks_of(graded, "hostile_fork_bomb")
    # The process limit stops the forks; the bomb then answers correctly and earns the points.
    assert not_passed(checks) == set()
    assert orphaned_sandbox_uids() == []


def orphaned_sandbox_uids():
    """Sandbox uids with live processes that no grading run holds a lease on.

    A uid leased by a run still in progress (another grader on this machine) is not an
    orphan; the lease is the flock the sandbox holds on its lock file.
    """
    owners = subprocess.run(["ps", "-eo", "uid="], capture_output=True, text=True).stdout.split()
    orphans = []
    for uid in sorted({int(u) for u in owners if int(u) in UID_POOL}):
        try:
            fd = os.open(uid_lock_path(uid), os.O_RDWR)
        except FileNotFoundError:
            orphans.append(uid)
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            orphans.append(uid)  # nobody holds the lease, yet the uid still runs something
        except BlockingIOError:
            pass
        finally:
            os.close(fd)
    return orphans


def test_forged_output_earns_nothing(graded):
    result, checks = checks_of(graded, "hostile_forged_result")
    assert checks["conv_forward"].status != "passed"
    # What it printed is shown to humans (here from a check that ran to the end), never parsed.
    assert "ALL CHECKS PASSED" in checks["max_pool_forward"].output
    assert not_passed(checks) == {"conv_forward", "conv_backward_numeric", "conv_backward", "fast_layers"}


@needs_bwrap
def test_reference_solution_is_out_of_reach(graded):
    result, checks = checks_of(graded, "hostile_reads_reference")
    assert result.isolation == "bwrap"
    assert checks["conv_forward"].status == "error"
    assert "no reference solution found" in checks["conv_forward"].message


@needs_bwrap
def test_writes_outside_the_workspace_leave_no_trace(graded):
    samples, results_dir = graded
    result, checks = checks_of(graded, "hostile_writes_outside")
    assert not_passed(checks) == set()  # the rigged fast_layers.py never took effect
    mark = "cs231n-hostile-was-here"
    places = [Path("/tmp"), Path("/var/tmp"), Path.home(), results_dir, results_dir.parent]
    assert not [p for p in places if (p / mark).exists()]


@needs_bwrap
def test_network_is_unreachable(graded):
    result, checks = checks_of(graded, "hostile_network")
    assert GRADED_EXTRAS["connections"] == []
    assert checks["conv_forward"].status == "error"


NAIVE_CHECKS = {"conv_forward", "conv_backward", "conv_backward_numeric", "max_pool_forward",
                "max_pool_backward", "max_pool_backward_numeric", "fast_layers"}


@pytest.mark.parametrize("name", ["hostile_delegates_to_fast_path", "hostile_launders_fast_path"])
def test_naive_layers_cannot_reach_the_fast_path(graded, name):
    # Imported under another name, loaded by file path, with the profiler off: during the naive
    # layers' checks the fast path is not there, so delegation fails and says why.
    result, checks = checks_of(graded, name)
    for cid in ("conv_forward", "max_pool_forward"):
        assert checks[cid].status == "error", (cid, checks[cid].message)
        assert "is not available while the naive layers are graded" in checks[cid].message
    assert not_passed(checks) == NAIVE_CHECKS
    assert sum(checks[c].score for c in NAIVE_CHECKS) == 0
    assert any("tried to call the fast path" in f for f in result.flags)


def test_constant_layers_earn_nothing_from_gradient_checks(graded):
    # Constant forward passes and zero backward passes agree with their own numeric gradients;
    # the numeric checks count only for a forward pass that agrees with the reference.
    result, checks = checks_of(graded, "hostile_constant_layers")
    numeric = {"conv_backward_numeric", "max_pool_backward_numeric", "spatial_batchnorm_backward_numeric",
               "spatial_groupnorm_backward_numeric", "batchnorm_backward_numeric", "batchnorm_backward_alt_numeric",
               "layernorm_backward_numeric"}
    for cid in numeric:
        assert checks[cid].status == "failed" and checks[cid].score == 0, (cid, checks[cid].message)
        assert "not counted" in checks[cid].message
    # Its convnet is the reference's, built on the fast layers: those checks still pass.
    assert checks["cnn_gradcheck"].status == "passed"


def test_a_deflate_bomb_is_refused_unread(graded):
    result, checks = checks_of(graded, "hostile_npz_bomb")
    bombed = checks["conv_forward"]
    assert bombed.status == "error" and "no usable answer" in bombed.message and "declares" in bombed.message
    assert not_passed(checks) == {"conv_forward", "conv_backward", "conv_backward_numeric", "fast_layers"}


def test_planted_links_are_not_followed(graded):
    result, checks = checks_of(graded, "hostile_plants_links")
    planted = checks["conv_forward"]
    assert planted.status == "error" and "no usable answer" in planted.message, planted.message
    assert "is a symbolic link, which the grader does not follow" in planted.message
    assert not_passed(checks) == {"conv_forward", "conv_backward", "conv_backward_numeric", "fast_layers"}


def test_memory_outside_the_address_space_is_counted(graded):
    # 3 GiB in a memfd (and more in /dev/shm) is invisible to RLIMIT_AS; the run's cgroup counts it.
    result, checks = checks_of(graded, "hostile_memfd_hog")
    hog = checks["max_pool_forward"]
    if not any(c.startswith("memory (cgroup") for c in result.confinement):
        pytest.skip("no cgroup memory limit can be had here: %s" % (result.confinement,))
    assert hog.status == "error" and "memory limit" in hog.message, hog.message
    assert not_passed(checks) == {"max_pool_forward", "max_pool_backward_numeric", "max_pool_backward", "fast_layers"}


def test_a_flood_of_files_stays_in_its_own_run(graded):
    # Each run has fresh folders, removed afterwards: the files one check made cost no other check.
    result, checks = checks_of(graded, "hostile_many_files")
    assert checks["max_pool_forward"].status in ("error", "timeout")
    assert not_passed(checks) == {"max_pool_forward", "max_pool_backward_numeric", "max_pool_backward", "fast_layers"}


def test_the_result_says_which_limits_held(graded):
    result, _ = checks_of(graded, "reference")
    assert any(c.startswith("cpu time") for c in result.confinement), result.confinement
    if result.isolation == "bwrap":
        assert "filesystem (bubblewrap)" in result.confinement
