"""The host reads student source (to explain syntax errors) without ever failing itself.

Python 3.11's compiler is not safe in several threads at once, and a deep enough expression
makes it raise RecursionError or MemoryError. Neither may turn a submission into a
grader_error: the source is compiled under a lock, and anything it raises becomes a note.
"""
import shutil
import threading
from pathlib import Path

import pytest

import corpus
from graders import api, diagnose
from graders.assignment import load_assignment
from graders.rubric import load_rubric

ASSIGNMENT = load_assignment()

ROOT = Path(__file__).resolve().parents[2]
QUICK_RUBRIC = ROOT / "tests" / "submissions" / "quick_rubric.toml"
SEED = 20261130
DEEP_TERMS = 200_000


def deep_expression_source():
    """cnn.py of the reference with one helper whose return value has 200,000 terms."""
    terms = "+".join(["x"] * DEEP_TERMS)
    return "\n\ndef _unrolled_sum(x):\n    return %s\n" % terms


def test_syntax_problems_from_many_threads_at_once():
    sources = {"cs231n/layers.py": corpus.reference_files()["cs231n/layers.py"],
               "cs231n/broken.py": "def f(:\n    pass\n"}
    answers, errors = [], []

    def work():
        try:
            for _ in range(20):
                answers.append(diagnose.syntax_problems(sources, ASSIGNMENT))
        except BaseException as e:  # a test that records, so the main thread can report it
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(answers) == 160
    assert all(a == answers[0] for a in answers)
    assert len(answers[0]) == 1 and answers[0][0].startswith("cs231n/broken.py line 1 does not parse")


@pytest.mark.parametrize("source", [
    "def f(x):\n    return " + "+".join(["x"] * DEEP_TERMS) + "\n",   # RecursionError
    "y = " + "-" * DEEP_TERMS + "1\n",                                 # MemoryError in the parser
    "y = " + "(" * 5000 + ")" * 5000 + "\n",                           # too many parentheses
    "y = 1\0\n",                                                       # a null byte
])
def test_source_the_compiler_cannot_take_becomes_a_note(source):
    problems = diagnose.syntax_problems({"cs231n/classifiers/cnn.py": source}, ASSIGNMENT)
    assert len(problems) == 1
    assert problems[0].startswith("cs231n/classifiers/cnn.py ")


def test_a_class_of_identical_submissions_grades_100_with_two_workers(tmp_path):
    """20 byte-identical correct submissions, graded three times over with two workers: full marks."""
    reference = corpus.write(corpus.reference(), tmp_path / "one")
    paths = []
    for i in range(20):
        paths.append(shutil.copytree(reference, tmp_path / "class" / ("student_%02d" % i)))
    for round_ in range(3):
        out = tmp_path / ("out_%d" % round_)
        results = api.grade(paths, out, api.Options(rubric=str(QUICK_RUBRIC), seed=SEED), workers=2)
        assert len(results) == 20
        for r in results:
            assert (r.status, r.score) == ("graded", r.max_score), "round %d: %s" % (round_, r.submission)


def test_a_200000_term_expression_is_graded_with_a_note(tmp_path):
    sample = corpus.reference()
    files = dict(sample.files)
    files["cs231n/classifiers/cnn.py"] += deep_expression_source()
    path = corpus.write(corpus.Sample("deep_expression", "hostile", files), tmp_path)
    result = api.grade_one(path, tmp_path / "out", load_rubric(QUICK_RUBRIC), api.Options(), SEED)

    assert result.status == "graded"
    checks = {c.id: c for c in result.checks}
    # layers.py is untouched: its functions earn their points.
    assert {cid for cid, c in checks.items() if c.status == "passed"} == {
        "conv_forward", "max_pool_forward", "max_pool_backward", "spatial_batchnorm_forward"}
    # cnn.py cannot be compiled by Python at all: the convnet check says why.
    assert checks["cnn_loss"].status == "error"
    assert "RecursionError" in checks["cnn_loss"].message
    assert any("cs231n/classifiers/cnn.py could not be checked" in n and "RecursionError" in n
               for n in result.notes), result.notes
