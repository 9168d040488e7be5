"""The FullyConnectedNets checks, in-process: correct code passes them under several secret seeds,
each one-bug mutant fails exactly the ones of them it lists, and the named mistakes are named.

The child's side runs here on the samples' own packages (tests/submissions/inprocess.py); the
sandboxed runs of the same samples are in test_corpus.py, the numeric checks' seed sweep in
test_seed_sweep.py.
"""
import os
import secrets

import numpy as np
import pytest

import corpus
from inprocess import Draw, Sweep

from graders.assignment import load_assignment
from graders.rubric import load_rubric

CHECKS = ["affine_forward", "affine_backward_numeric", "affine_backward", "relu_forward", "relu_backward_numeric",
          "relu_backward", "softmax_loss", "fc_init", "fc_scores", "fc_loss", "fc_gradients", "fc_batchnorm",
          "fc_layernorm", "fc_dropout_test_mode", "fc_dropout_gradcheck"]
SEEDS = 3
SEED = int(os.environ.get("CS231N_TEST_SEED") or secrets.randbits(32))
print("test_fc_checks: CS231N_TEST_SEED=%d" % SEED)


def local_mutant(name, description, find, replace, fails):
    """A one-bug fc_net.py tested here only: its bug touches fc_init alone, and a mutant of the
    corpus (mutants.toml) is graded on the whole rubric in the sandbox, a minute each."""
    files = corpus.reference_files()
    path = corpus.STUDENT_FILES["fc_net"]
    files[path] = corpus.apply_mutation(files[path], {"name": name, "find": find, "replace": replace})
    return corpus.Sample("mutant_" + name, "mutant", files, description, tuple(fails))


LOCAL_MUTANTS = [
    local_mutant("fc_init_ignores_weight_scale", "draws the weights with standard deviation 1",
                 'self.params["W%d" % i] = weight_scale * np.random.randn(sizes[i - 1], sizes[i])',
                 'self.params["W%d" % i] = np.random.randn(sizes[i - 1], sizes[i])', ["fc_init"]),
    local_mutant("fc_norm_params_skip_last_hidden_layer", "no gamma and beta for the last hidden layer",
                 "if normalization is not None and i < self.num_layers:",
                 "if normalization is not None and i < self.num_layers - 1:", ["fc_init"]),
]
SAMPLES = [s for s in corpus.everything() if s.kind in ("reference", "variant", "mutant")] + LOCAL_MUTANTS
MUTANTS = [s for s in SAMPLES if s.kind == "mutant" and set(s.fails) & set(CHECKS)]
CORRECT = [s for s in SAMPLES if s.kind != "mutant"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    return Sweep(SAMPLES, tmp_path_factory.mktemp("samples"))


def test_the_rubric_grades_every_new_check_and_the_old_prerequisite_is_gone():
    rubric = load_rubric().by_id()
    assert set(CHECKS) <= set(rubric)
    assert "affine_relu_softmax" not in rubric and "affine_relu_softmax" not in load_assignment().checks()
    assert sum(rubric[c].points for c in CHECKS) == 27
    fc_mutants = [m for m in MUTANTS if m.name.startswith(("mutant_fc_", "mutant_affine_", "mutant_relu_"))]
    assert len(fc_mutants) >= 8 and {m.name for m in LOCAL_MUTANTS} <= {m.name for m in fc_mutants}


@pytest.mark.parametrize("check_id", CHECKS)
def test_correct_code_passes_under_several_seeds(sweep, check_id):
    names = [s.name for s in CORRECT]
    for seed in range(SEED, SEED + SEEDS):
        for _, _, name, passed, _, message in sweep.grade(check_id, seed, names):
            assert passed, (name, check_id, "CS231N_TEST_SEED=%d" % seed, message)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda s: s.name)
def test_a_mutant_fails_exactly_its_checks_among_these(sweep, mutant):
    for check_id in CHECKS:
        [(_, _, _, passed, _, message)] = sweep.grade(check_id, SEED, [mutant.name])
        assert passed == (check_id not in mutant.fails), (mutant.name, check_id, "CS231N_TEST_SEED=%d" % SEED, message)


OWN = [m for m in MUTANTS if m.diagnosis and set(m.fails) <= set(CHECKS)]


@pytest.mark.parametrize("mutant", OWN, ids=lambda s: s.name)
def test_a_mutant_with_a_known_pattern_is_named(sweep, mutant):
    package = sweep.package(mutant.name)
    found = []
    for check_id in mutant.fails:
        found += getattr(Draw(check_id, SEED).run(package), "diagnoses", [])
    assert any(mutant.diagnosis in d for d in found), (mutant.name, "CS231N_TEST_SEED=%d" % SEED, found)


def test_the_net_checks_send_the_parameters_they_judge_with():
    """The host sets every parameter of the student's net (nothing is left to the student's init)."""
    for check_id in ("fc_scores", "fc_loss", "fc_gradients", "fc_batchnorm", "fc_layernorm",
                     "fc_dropout_test_mode", "fc_dropout_gradcheck"):
        job = Draw(check_id, SEED).job
        sent = {k[len("param/"):] for k in job.arrays if k.startswith("param/")}
        hidden = len(job.params["kwargs"]["hidden_dims"])
        expected = {"%s%d" % (p, i) for i in range(1, hidden + 2) for p in "Wb"}
        if job.params["kwargs"].get("normalization"):
            expected |= {"%s%d" % (p, i) for i in range(1, hidden + 1) for p in ("gamma", "beta")}
        assert sent == expected, check_id
        assert all(np.any(job.arrays["param/" + k] != 0) for k in sent), check_id


CONSTANT_NET = '''

class FullyConnectedNet(FullyConnectedNet):
    """Hostile: a constant loss and zero gradients, which agree with their own numeric gradient."""

    def loss(self, X, y=None):
        if y is None:
            return np.zeros((X.shape[0], self.params["b%d" % self.num_layers].shape[0]))
        return 1.0, {k: np.zeros_like(v) for k, v in self.params.items()}
'''


def test_a_constant_network_earns_nothing_from_the_dropout_gradient_check(tmp_path):
    reference = corpus.reference()
    files = dict(reference.files)
    files["cs231n/classifiers/fc_net.py"] += CONSTANT_NET
    sample = corpus.Sample("constant_net", "hostile", files)
    [(_, _, _, passed, _, message)] = Sweep([sample], tmp_path).grade("fc_dropout_gradcheck", SEED, ["constant_net"])
    assert not passed and "not counted" in message, message
