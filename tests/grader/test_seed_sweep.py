"""Correct code passes every numeric gradient check under every secret seed; the mutants never do.

The reference and each correct variant of the corpus (tests/submissions/variants/) are graded on
every numeric gradient check under 200 consecutive seeds, and every mutant of mutants.toml that
lists the check among those it must fail under the first 25 of them. The child's task runs in-process
on each sample's own layers.py and cnn.py (tests/submissions/inprocess.py: no sandbox, no
notebook), the host's judge is the grader's, and the reference's side of a draw is computed
once for all samples. Set CS231N_TEST_SEED to replay a run; benchmarks/seed_sweep.py sweeps
more seeds and prints how much of its allowance correct code used.
"""
import os
import secrets

import pytest

import corpus
import inprocess

SEED = int(os.environ.get("CS231N_TEST_SEED") or secrets.randbits(32))
print("test_seed_sweep: CS231N_TEST_SEED=%d" % SEED)

SEEDS = 200  # for the reference and the correct variants: none may fail under any of them
MUTANT_SEEDS = 25  # the first of those seeds, for the mutants: none may pass
# CPU seconds per seed on a 2-core machine (benchmarks/seed_sweep.py), for the correct samples
# and for the mutants: naive convolution 1.6 and 2.2, max pooling 0.85 and 0.7, the convnet
# 0.8 and 0.65, spatial batch and group norm 0.25 and 0.25, the sandwiches 0.3 and 0.05, the
# affine and ReLU layers 0.1 together, the fully connected net with dropout 0.25 and 0.3, batch
# and layer norm of (N, D) inputs 0.15 for their three checks together. The
# correct samples under SEEDS take about 920 CPU seconds; a mutant's bug is far beyond the
# finite differences' noise, so fewer seeds suffice for them, and benchmarks/seed_sweep.py
# sweeps them under 200 or more.
WORKERS = min(2, os.cpu_count() or 1)


def samples():
    return [corpus.reference()] + corpus.variants() + corpus.mutants()


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """{(check, seed, name): (kind, passed, allowance used, message)} for the whole plan."""
    every = samples()
    kinds = {s.name: s.kind for s in every}
    plan = []
    for check_id in inprocess.numeric_checks():
        names = [s.name for s in inprocess.numeric_samples(every, check_id)]
        correct = [name for name in names if kinds[name] != "mutant"]
        plan += [(check_id, seed, names if seed < SEED + MUTANT_SEEDS else correct)
                 for seed in range(SEED, SEED + SEEDS)]
    rows = inprocess.sweep(every, plan, WORKERS, tmp_path_factory.mktemp("sweep"))
    for check_id in inprocess.numeric_checks():  # how close correct code came to failing (1 fails)
        used = [r[4] for r in rows if r[0] == check_id and kinds[r[2]] != "mutant" and r[4] is not None]
        print("%s: %d seeds, largest share of the allowance used by correct code %.3g"
              % (check_id, SEEDS, max(used, default=float("nan"))))
    return {(c, seed, name): (kinds[name], passed, used, message) for c, seed, name, passed, used, message in rows}


def replay(check_id, seed, name, message):
    return "%s for %s under CS231N_TEST_SEED=%d (alone: benchmarks/seed_sweep.py --base-seed %d --seeds 1 %s): %s" % (
        check_id, name, SEED, seed, check_id, message)


def test_correct_code_passes_every_numeric_check_under_every_seed(swept):
    failures = [replay(c, seed, name, row[3]) for (c, seed, name), row in swept.items()
                if row[0] != "mutant" and not row[1]]
    assert not failures, "\n".join(failures)


def test_mutants_fail_their_numeric_checks_under_every_seed(swept):
    passes = [replay(c, seed, name, row[3]) for (c, seed, name), row in swept.items() if row[0] == "mutant" and row[1]]
    assert not passes, "\n".join(passes)


def test_every_numeric_check_is_swept_with_all_its_samples(swept):
    checks = inprocess.numeric_checks()
    assert {"conv_backward_numeric", "max_pool_backward_numeric", "spatial_batchnorm_backward_numeric",
            "spatial_groupnorm_backward_numeric", "conv_relu", "conv_relu_pool", "cnn_gradcheck"} <= set(checks)
    for check_id in checks:
        seeds_of = {}
        for (c, seed, name) in swept:
            if c == check_id:
                seeds_of.setdefault(name, set()).add(seed)
        for name in ("reference", "variant_einsum", "variant_loops", "variant_vectorised"):
            assert len(seeds_of.get(name, ())) == SEEDS >= 200, (check_id, name)
        for name in ("mutant_" + m for m in MUTANTS_OF.get(check_id, ())):
            assert len(seeds_of.get(name, ())) == MUTANT_SEEDS, (check_id, name)


# A few of the mutants each numeric check must catch (mutants.toml lists them all).
MUTANTS_OF = {"conv_backward_numeric": ("conv_backward_missing_db", "conv_backward_assigns_dx"),
              "max_pool_backward_numeric": ("pool_backward_whole_window",),
              "spatial_batchnorm_backward_numeric": ("batchnorm_unbiased_variance",),
              "spatial_groupnorm_backward_numeric": ("groupnorm_eps_outside_sqrt",),
              "cnn_gradcheck": ("softmax_loss_not_averaged",)}


def test_a_sample_runs_its_own_code_and_the_reference_stays(tmp_path):
    import sys

    import cs231n.layers

    reference_layers = cs231n.layers
    package = inprocess.StudentPackage(next(s for s in samples() if s.name == "variant_loops"), tmp_path)
    for _ in range(2):  # the sample's modules are kept between activations
        with package.active():
            import cs231n.layers as student_layers
            import cs231n.layer_utils as student_utils
            assert student_layers is not reference_layers
            assert student_layers.__file__.startswith(str(tmp_path))
            assert "np.sum(window * w[f])" in open(student_layers.__file__).read()  # the loops variant's conv
            assert student_utils.relu_forward is student_layers.relu_forward  # provided code uses the sample's layers
        assert sys.modules["cs231n.layers"] is reference_layers
