"""The update-rule and dropout checks, in-process: correct code passes them under many secret
seeds, and each one-bug mutant of optim.py or dropout fails exactly the ones it lists.

The child's side runs here on the samples' own packages (tests/submissions/inprocess.py);
the sandboxed runs of the same samples are in test_corpus.py.
"""
import os
import secrets

import pytest

import corpus
from inprocess import Draw, Sweep

from graders.rubric import load_rubric

CHECKS = ["sgd_momentum", "rmsprop", "adam", "dropout_forward", "dropout_keep_rate", "dropout_backward"]
SEEDS = 6
SEED = int(os.environ.get("CS231N_TEST_SEED") or secrets.randbits(32))
print("test_update_rules_dropout: CS231N_TEST_SEED=%d" % SEED)

SAMPLES = [s for s in corpus.everything() if s.kind in ("reference", "variant", "mutant")]
MUTANTS = [s for s in SAMPLES if s.kind == "mutant" and set(s.fails) & set(CHECKS)]
CORRECT = [s for s in SAMPLES if s.kind != "mutant"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    return Sweep(SAMPLES, tmp_path_factory.mktemp("samples"))


def test_the_rubric_grades_every_new_check():
    assert set(CHECKS) <= set(load_rubric().by_id())
    assert len(OWN) >= 9


@pytest.mark.parametrize("check_id", CHECKS)
def test_correct_code_passes_under_many_seeds(sweep, check_id):
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


# The mutants of this slice (the others' diagnoses come from elsewhere, such as a layers.py that does not import);
# the convnet's training and the fully connected net's dropout checks build on theirs.
OWN = [m for m in MUTANTS if set(m.fails) <= set(CHECKS) | {"cnn_overfit", "fc_dropout_test_mode", "fc_dropout_gradcheck"}]


@pytest.mark.parametrize("mutant", [m for m in OWN if m.diagnosis], ids=lambda s: s.name)
def test_a_mutant_with_a_known_pattern_is_named(sweep, mutant):
    package = sweep.package(mutant.name)
    found = []
    for check_id in set(mutant.fails) & set(CHECKS):  # cnn_overfit's training is left to test_corpus
        verdict = Draw(check_id, SEED).run(package)
        found += getattr(verdict, "diagnoses", [])
    assert any(mutant.diagnosis in d for d in found), (mutant.name, "CS231N_TEST_SEED=%d" % SEED, found)


def test_the_notebook_step_is_judged_from_linspace_inputs():
    """The notebook's sgd_momentum cell: its first expected entry is -0.4 + 0.9 * 0.6 + 1e-3 * 0.6."""
    job = Draw("sgd_momentum", SEED).job
    assert job.arrays["notebook/w"][0, 0] == -0.4 and job.arrays["notebook/config/velocity"][0, 0] == 0.6
    from cs231n import optim

    next_w, _ = optim.sgd_momentum(job.arrays["notebook/w"], job.arrays["notebook/dw0"],
                                   {"learning_rate": 1e-3, "velocity": job.arrays["notebook/config/velocity"]})
    assert next_w[0, 0] == pytest.approx(0.1406)
