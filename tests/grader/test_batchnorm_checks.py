"""The batch and layer normalisation checks, in-process: correct code passes them under several
secret seeds, and each one-bug mutant of batchnorm or layernorm fails exactly the ones it lists.

The child's side runs here on the samples' own packages (tests/submissions/inprocess.py);
the sandboxed runs of the same samples are in test_corpus.py.
"""
import os
import secrets

import pytest

import corpus
from inprocess import Draw, Sweep

from graders.rubric import load_rubric

CHECKS = ["batchnorm_forward", "batchnorm_test_mode", "batchnorm_backward", "batchnorm_backward_numeric",
          "batchnorm_backward_alt", "batchnorm_backward_alt_numeric", "layernorm_forward", "layernorm_backward",
          "layernorm_backward_numeric"]
SEEDS = 4
SEED = int(os.environ.get("CS231N_TEST_SEED") or secrets.randbits(32))
print("test_batchnorm_checks: CS231N_TEST_SEED=%d" % SEED)

SAMPLES = [s for s in corpus.everything() if s.kind in ("reference", "variant", "mutant")]
MUTANTS = [s for s in SAMPLES if s.kind == "mutant" and set(s.fails) & set(CHECKS)]
CORRECT = [s for s in SAMPLES if s.kind != "mutant"]
# The mutants of this slice: their bugs are in batchnorm or layernorm (the spatial layer builds on them).
OWN = [m for m in MUTANTS if m.name.startswith(("mutant_batchnorm", "mutant_layernorm"))]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    return Sweep(SAMPLES, tmp_path_factory.mktemp("samples"))


def test_the_rubric_grades_every_new_check_and_drops_the_prerequisite():
    rubric = load_rubric().by_id()
    assert set(CHECKS) <= set(rubric)
    assert "batchnorm" not in rubric
    assert all(rubric[c].points > 0 for c in CHECKS)
    # Spatial batch normalisation builds on these; the dependencies say so.
    assert set(rubric["spatial_batchnorm_forward"].depends_on) == {"batchnorm_forward", "batchnorm_test_mode"}
    assert len(OWN) >= 8


@pytest.mark.parametrize("check_id", CHECKS)
def test_correct_code_passes_under_several_seeds(sweep, check_id):
    names = [s.name for s in CORRECT]
    for seed in range(SEED, SEED + SEEDS):
        for _, _, name, passed, _, message in sweep.grade(check_id, seed, names):
            assert passed, (name, check_id, "CS231N_TEST_SEED=%d" % seed, message)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda s: s.name)
def test_a_mutant_fails_exactly_its_checks_among_these(sweep, mutant):
    for seed in (SEED, SEED + 1):
        for check_id in CHECKS:
            [(_, _, _, passed, _, message)] = sweep.grade(check_id, seed, [mutant.name])
            assert passed == (check_id not in mutant.fails), (
                mutant.name, check_id, "CS231N_TEST_SEED=%d" % seed, message)


@pytest.mark.parametrize("mutant", [m for m in OWN if m.diagnosis], ids=lambda s: s.name)
def test_a_mutant_with_a_known_pattern_is_named(sweep, mutant):
    package = sweep.package(mutant.name)
    found = []
    for check_id in set(mutant.fails) & set(CHECKS):
        verdict = Draw(check_id, SEED).run(package)
        found += getattr(verdict, "diagnoses", [])
    assert any(mutant.diagnosis in d for d in found), (mutant.name, "CS231N_TEST_SEED=%d" % SEED, found)


def test_test_mode_is_judged_on_running_averages_unlike_the_batchs():
    """The hidden running averages are far from the batch's statistics, so using the batch's shows."""
    job = Draw("batchnorm_test_mode", SEED).job
    for i in range(2):
        x, mean = job.arrays["case%d/x" % i], job.arrays["case%d/running_mean" % i]
        assert abs(x.mean() - mean.mean()) > 1.0
