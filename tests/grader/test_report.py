"""Gradescope, JUnit and CSV renderings of the graded corpus."""
import csv
import io
import json
import xml.etree.ElementTree as ET

import jsonschema

from graders.api import write_gradebook
from graders.report.gradescope import failure_results

# The fields Gradescope's autograder documentation defines for results.json.
GRADESCOPE_SCHEMA = {
    "type": "object",
    "required": ["score", "execution_time", "output", "tests"],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "integer", "minimum": 0},
        "output": {"type": "string"},
        "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "stdout_visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "score", "max_score", "status", "output", "visibility"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "status": {"enum": ["passed", "failed"]},
                    "output": {"type": "string"},
                    "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
                },
            },
        },
    },
}


def test_gradescope_results_are_valid_for_every_sample(graded):
    samples, out = graded
    for name, (_, result) in samples.items():
        doc = json.loads((out / name / "gradescope.json").read_text())
        jsonschema.validate(doc, GRADESCOPE_SCHEMA)
        assert doc["score"] == result.score
        assert len(doc["tests"]) == len(result.checks)
        assert sum(t["score"] for t in doc["tests"]) == result.score


def test_gradescope_document_when_grading_crashed():
    doc = failure_results("the grader could not start: bubblewrap missing")
    jsonschema.validate(doc, GRADESCOPE_SCHEMA)
    assert doc["score"] == 0 and doc["tests"][0]["name"] == "Grader failed"
    assert "bubblewrap" in doc["tests"][0]["output"]


def test_junit_has_one_testcase_per_check(graded):
    samples, out = graded
    for name, (_, result) in samples.items():
        suite = ET.fromstring((out / name / "junit.xml").read_text())
        cases = suite.findall("testcase")
        assert [c.get("name") for c in cases] == [c.id for c in result.checks]
        failing = {c.get("name") for c in cases if c.find("failure") is not None or c.find("error") is not None}
        assert failing == {c.id for c in result.checks if c.status in ("failed", "error", "timeout")}


def test_gradebook_has_a_row_per_submission(graded):
    samples, out = graded
    write_gradebook(out)
    rows = list(csv.DictReader(io.StringIO((out / "gradebook.csv").read_text())))
    assert sorted(r["submission"] for r in rows) == sorted(samples)
    reference = next(r for r in rows if r["submission"] == "reference")
    assert float(reference["score"]) == 147 and float(reference["conv_forward"]) == 9
