"""The sample corpus graded end to end: reference, template, variants, mutants."""
import json

import pytest

import corpus
from graders.assignment import load_assignment
from graders.parts import touched_functions
from graders.result import validate

def failed_checks(result):
    return sorted(c.id for c in result.checks if c.status != "passed")


def scored_checks(result):
    return [c for c in result.checks if c.max_score > 0]


def test_reference_scores_full_marks(graded):
    samples, _ = graded
    _, result = samples["reference"]
    assert result.status == "graded"
    assert failed_checks(result) == []
    assert result.score == result.max_score == 147
    assert result.flags == []


def test_template_scores_zero_on_every_student_check(graded):
    samples, _ = graded
    _, result = samples["template"]
    assert result.status == "graded"
    for check in scored_checks(result):
        assert check.status in ("failed", "error"), check.id
        assert check.score == 0
        assert check.message
    assert result.score == 0
    # Only unscored checks of provided code (prerequisites, sandwiches) can pass.
    assert all(c.max_score == 0 for c in result.checks if c.status == "passed")


def test_template_messages_say_what_is_missing(graded):
    samples, out = graded
    _, result = samples["template"]
    conv = next(c for c in result.checks if c.id == "conv_forward")
    assert "None" in conv.message and "not started" in conv.message
    assert conv.details == {"not_started": True}
    # The report marks the check, and the parts whose every scored function is a placeholder.
    page = (out / "template" / "report.html").read_text()
    assert '<span class="badge s-failed">not started</span>' in page
    assert "points &middot; not started</span></h2>" in page
    reference = (out / "reference" / "report.html").read_text()
    assert "not started" not in reference


@pytest.mark.parametrize("name", [s.name for s in corpus.variants()])
def test_correct_variants_score_full_marks(graded, name):
    samples, _ = graded
    _, result = samples[name]
    assert failed_checks(result) == [], [(c.id, c.message) for c in result.checks if c.status != "passed"]
    assert result.score == result.max_score


@pytest.mark.parametrize("name", [s.name for s in corpus.mutants()])
def test_each_mutant_fails_exactly_its_checks(graded, name):
    samples, _ = graded
    sample, result = samples[name]
    assert result.status == "graded"
    expected = [c.id for c in result.checks] if sample.fails == ("*",) else sample.fails
    assert failed_checks(result) == sorted(expected), {
        c.id: c.message for c in result.checks if c.status != "passed"
    }
    assert result.score < result.max_score


def test_the_parts_add_up_and_lose_exactly_their_checks_points(graded):
    """Each part scores its own checks: a mutant loses points only in the parts of the checks it
    fails. The corpus hands in no notebooks, so a part is not submitted exactly when the sample
    leaves every function its scored checks grade as the starter wrote it."""
    samples, _ = graded
    assignment = load_assignment()
    for name, (sample, result) in samples.items():
        if result.status != "graded":
            continue
        touched = touched_functions({k: v.encode() for k, v in sample.files.items()}, assignment)
        checks = {c.id: c for c in result.checks}
        assert [p.part for p in result.parts] == ["FullyConnectedNets", "BatchNormalization", "Dropout",
                                                  "ConvolutionalNetworks"], name
        assert sorted(i for p in result.parts for i in p.checks) == sorted(checks), name
        assert sum(p.score for p in result.parts) == pytest.approx(result.score), name
        for part in result.parts:
            own = [checks[i] for i in part.checks]
            assert part.score == pytest.approx(sum(c.score for c in own)), (name, part.part)
            assert (part.score < part.max_score) == any(c.status != "passed" and c.max_score for c in own), name
            started = any(touched.get(f) for c in own if c.max_score for f in c.functions)
            assert part.status == ("graded" if started else "not_submitted"), (name, part.part)
    assert {p.status for p in samples["template"][1].parts} == {"not_submitted"}
    assert {(p.status, p.score == p.max_score) for p in samples["reference"][1].parts} == {("graded", True)}


def test_every_result_file_is_valid(graded):
    samples, out = graded
    for name in samples:
        doc = json.loads((out / name / "result.json").read_text())
        validate(doc)
        assert doc["submission"] == name


def test_dependency_failures_are_explained(graded):
    samples, _ = graded
    _, result = samples["mutant_batchnorm_unbiased_variance"]
    sbn = next(c for c in result.checks if c.id == "spatial_batchnorm_forward")
    assert sbn.blocked_by == ["batchnorm_forward"]
    assert "uses batchnorm_forward, which failed (batchnorm_forward)" in sbn.message
    backward = next(c for c in result.checks if c.id == "spatial_batchnorm_backward")
    assert backward.blocked_by == ["spatial_batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt"]


def test_numpy2_and_python2_code_is_explained_in_plain_words(graded):
    samples, _ = graded
    _, result = samples["mutant_numpy2_removed_alias"]
    conv = next(c for c in result.checks if c.id == "conv_forward")
    assert conv.status == "error"
    assert "np.int no longer exists in NumPy 2" in conv.message
    # The traceback shows the student's frames only.
    assert "cs231n/layers.py" in conv.traceback and "grader_child" not in conv.traceback

    _, result = samples["mutant_python2_print_statement"]
    assert any("print is a function in Python 3" in note for note in result.notes)
    rules = ("sgd_momentum", "rmsprop", "adam")  # optim.py imports no layers.py
    assert all(c.status == "error" for c in result.checks if c.id not in rules)
    assert all(c.status == "passed" for c in result.checks if c.id in rules)


def test_edits_to_provided_files_have_no_effect(graded):
    samples, _ = graded
    _, result = samples["edited_provided_files"]
    assert result.score == result.max_score
    assert any(note.startswith("cs231n/fast_layers.py differs from the provided file") for note in result.notes)
