"""The parts of a result: each notebook of the assignment with its checks, and what is not submitted."""
import dataclasses

import pytest

import corpus
from graders import api
from graders.assignment import load_assignment
from graders.parts import check_parts, part_results, touched_functions
from graders.result import CheckResult
from graders.rubric import RubricError

ASSIGNMENT = load_assignment()
RUBRIC = ASSIGNMENT.rubric()


def results(status_of=lambda spec: "passed"):
    """A CheckResult per check of the shipped rubric; status_of(spec) says passed or failed."""
    made = []
    for spec in RUBRIC.checks:
        status = status_of(spec)
        made.append(CheckResult(
            id=spec.id, title=spec.title, section=spec.section, functions=list(spec.functions),
            status="passed" if status == "passed" else "failed",
            score=spec.points if status == "passed" else 0.0, max_score=spec.points, measured=None,
            tolerance=spec.tolerance, measure=spec.measure, message="", hint=None, seconds=0.1))
    return made


def by_part(parts):
    return {p.part: p for p in parts}


def files_of(sample):
    return {k: v.encode() for k, v in sample.files.items()}


TEMPLATE, REFERENCE = files_of(corpus.template()), files_of(corpus.reference())
LAYERS = "cs231n/layers.py"


def test_every_part_of_a_whole_submission_is_graded_and_the_parts_add_up():
    touched = touched_functions(REFERENCE, ASSIGNMENT)
    parts = part_results(ASSIGNMENT, results(), {n.file for n in ASSIGNMENT.notebooks}, touched)
    assert [p.part for p in parts] == ["FullyConnectedNets", "BatchNormalization", "Dropout", "ConvolutionalNetworks"]
    assert all(p.status == "graded" and p.message == "" and p.score == p.max_score > 0 for p in parts)
    assert sum(p.max_score for p in parts) == RUBRIC.max_score == 147
    assert sorted(i for p in parts for i in p.checks) == sorted(c.id for c in RUBRIC.checks)
    # The network's normalisation and dropout are graded with their notebooks, as the course teaches them.
    assert set(by_part(parts)["Dropout"].checks) == {"dropout_forward", "dropout_backward", "dropout_keep_rate",
                                                     "fc_dropout_test_mode", "fc_dropout_gradcheck"}
    assert {"fc_batchnorm", "fc_layernorm"} <= set(by_part(parts)["BatchNormalization"].checks)


def test_the_template_touches_nothing_and_the_reference_every_student_function():
    assert not any(touched_functions(TEMPLATE, ASSIGNMENT).values())
    touched = touched_functions(REFERENCE, ASSIGNMENT)
    assert {"affine_forward", "FullyConnectedNet.loss", "ThreeLayerConvNet.__init__", "adam"} <= set(touched)
    graded = {f for c in RUBRIC.checks for f in c.functions if f in touched}
    assert all(touched[f] for f in graded)


def test_a_student_who_hands_in_one_notebook_is_graded_on_that_part():
    parts = by_part(part_results(ASSIGNMENT, results(lambda spec: "failed"), {"FullyConnectedNets.ipynb"},
                                 touched_functions(TEMPLATE, ASSIGNMENT)))
    assert parts["FullyConnectedNets"].status == "graded" and parts["FullyConnectedNets"].message == ""
    for name in ("BatchNormalization", "Dropout", "ConvolutionalNetworks"):
        assert parts[name].status == "not_submitted" and parts[name].score == 0
        assert parts[name].message == ("%s.ipynb was not submitted and its functions are still the starter's "
                                       "placeholders, so this part scores nothing." % name)


def edited(files, function, statement):
    """files with statement added to the first solution region of function in layers.py."""
    text = files[LAYERS].decode()
    at = text.index("def %s(" % function)
    at = text.index("pass\n", at)
    return {**files, LAYERS: (text[:at] + statement + "\n" + " " * 8 + text[at:]).encode()}


def test_code_without_its_notebook_is_graded_and_says_so():
    """A part is not submitted only when nothing of it was: started code is graded all the same."""
    touched = touched_functions(edited(TEMPLATE, "dropout_forward", "out = x"), ASSIGNMENT)
    assert [f for f, changed in touched.items() if changed] == ["dropout_forward"]
    parts = by_part(part_results(ASSIGNMENT, results(lambda spec: "failed"), set(), touched))
    assert parts["Dropout"].status == "graded" and parts["Dropout"].score == 0
    assert parts["Dropout"].message == "Dropout.ipynb was not submitted; the part is graded on your code alone."
    assert parts["ConvolutionalNetworks"].status == "not_submitted"


def test_comments_are_not_a_start_and_unreadable_code_is_an_attempt():
    assert not any(touched_functions(edited(TEMPLATE, "dropout_forward", "# out = x, I think"), ASSIGNMENT).values())
    broken = {**TEMPLATE, LAYERS: TEMPLATE[LAYERS] + b"\ndef half_written(:\n"}
    touched = touched_functions(broken, ASSIGNMENT)
    assert touched["affine_forward"] and touched["dropout_forward"] and not touched["adam"]
    assert touched_functions({**TEMPLATE, LAYERS: b"\xff\xfe"}, ASSIGNMENT)["conv_forward_naive"]


def test_a_part_without_checks_in_the_rubric_follows_its_notebook():
    rubric = RUBRIC.only({c.id for c in RUBRIC.checks if c.section == "conv"})
    checks = [c for c in results() if c.section == "conv"]
    parts = by_part(part_results(ASSIGNMENT, checks, {"ConvolutionalNetworks.ipynb"},
                                 touched_functions(REFERENCE, ASSIGNMENT)))
    assert parts["ConvolutionalNetworks"].max_score == rubric.max_score
    assert parts["Dropout"].status == "not_submitted" and parts["Dropout"].message == "Dropout.ipynb was not submitted."
    assert parts["Dropout"].max_score == 0 and parts["Dropout"].checks == []


def test_the_shipped_rubric_fits_the_parts():
    check_parts(RUBRIC, ASSIGNMENT)


def test_a_section_in_no_part_stops_the_run():
    loose = dataclasses.replace(RUBRIC, checks=tuple(dataclasses.replace(c, section="extras") if c.id == "relu_forward"
                                                      else c for c in RUBRIC.checks))
    with pytest.raises(RubricError, match=r"the section extras is in no part of the assignment; add it to the "
                                          r"sections of a \[\[notebook\]\] in .*assignment.toml"):
        check_parts(loose, ASSIGNMENT)


def test_notebook_parameters_for_an_unknown_part_stop_the_run():
    settings = dataclasses.replace(RUBRIC.notebook, parameters={**RUBRIC.notebook.parameters, "Dropuot": {"N": 1}})
    with pytest.raises(RubricError, match=r"\[notebook.parameters.Dropuot\] names no part of the assignment"):
        check_parts(dataclasses.replace(RUBRIC, notebook=settings), ASSIGNMENT)


QUICK = {"affine_forward", "batchnorm_forward", "dropout_forward", "conv_forward"}  # one cheap check per part


def graded_parts(tmp_path, sample, notebooks):
    """Grade sample (a corpus sample) with these notebooks beside its package, on one cheap check
    per part and without running the notebooks; the result's parts by name."""
    path = corpus.write(sample, tmp_path / "submissions")
    for name in notebooks:
        (path / name).write_bytes(ASSIGNMENT.notebook_path(next(n for n in ASSIGNMENT.notebooks
                                                                if n.file == name)).read_bytes())
    rubric = RUBRIC.only(QUICK)
    rubric = dataclasses.replace(rubric, notebook=dataclasses.replace(rubric.notebook, enabled=False))
    result = api.grade_one(path, tmp_path / "out", rubric, api.Options(), 7)
    assert result.status == "graded" and result.notebooks == []
    return by_part(result.parts), result


def test_a_template_with_one_notebook_is_graded_on_that_part_only(tmp_path):
    parts, result = graded_parts(tmp_path, corpus.template(), ["FullyConnectedNets.ipynb"])
    assert parts["FullyConnectedNets"].status == "graded" and parts["FullyConnectedNets"].score == 0
    assert [parts[p].status for p in ("BatchNormalization", "Dropout", "ConvolutionalNetworks")] == ["not_submitted"] * 3
    assert parts["Dropout"].checks == ["dropout_forward"] and parts["Dropout"].max_score == RUBRIC.by_id()["dropout_forward"].points
    assert "BatchNormalization.ipynb and Dropout.ipynb and ConvolutionalNetworks.ipynb were not found" in result.notes


def test_finished_code_without_notebooks_is_graded_in_every_part(tmp_path):
    parts, result = graded_parts(tmp_path, corpus.reference(), [])
    assert all(p.status == "graded" and p.score == p.max_score > 0 for p in parts.values())
    assert sum(p.score for p in parts.values()) == result.score == result.max_score
    assert parts["ConvolutionalNetworks"].message == ("ConvolutionalNetworks.ipynb was not submitted; the part is "
                                                      "graded on your code alone.")
