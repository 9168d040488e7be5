"""The parts of a result as each renderer shows them: the HTML report, Gradescope and the gradebook."""
import csv
import io
from dataclasses import asdict

from graders.assignment import load_assignment
from graders.parts import part_results
from graders.report.gradebook import gradebook_csv
from graders.report.gradescope import gradescope_results
from graders.report.junit import junit_xml
from graders.report.html import render_submission
from graders.result import CheckResult, validate

from report_fixtures import notebook_section, result_doc, write_folder

ASSIGNMENT = load_assignment()


def one_part_doc():
    """A graded document of a student who handed in FullyConnectedNets.ipynb alone (its checks
    pass, every other check failed on the starter's placeholders)."""
    doc = result_doc()
    fc = set(ASSIGNMENT.notebooks[0].sections)
    for check in doc["checks"]:
        if check["section"] not in fc:
            check.update(status="failed", score=0.0, message="not started", details={"not_started": True})
    checks = [CheckResult(**c) for c in doc["checks"]]
    untouched = {f: False for c in checks for f in c.functions}  # the starter's code throughout
    doc["parts"] = [asdict(p) for p in part_results(ASSIGNMENT, checks, {"FullyConnectedNets.ipynb"}, untouched)]
    doc["score"] = sum(p["score"] for p in doc["parts"])
    doc["notebooks"] = [dict(notebook_section(file=None), name="FullyConnectedNets.ipynb", part="FullyConnectedNets",
                             status="ran", message="Every cell ran without an error.", cells=[], reported=[])]
    validate(doc)
    return doc


def test_the_report_has_a_row_per_part_and_says_what_was_not_submitted(tmp_path):
    doc = one_part_doc()
    page = render_submission(doc, write_folder(tmp_path, doc))
    assert page.count('<tr data-part="') == 4
    assert '<tr data-part="FullyConnectedNets"><td>FullyConnectedNets</td><td><span class="badge s-graded">graded</span>' in page
    for name in ("BatchNormalization", "Dropout", "ConvolutionalNetworks"):
        assert ('<tr data-part="%s"><td>%s</td><td><span class="badge s-not_submitted">not submitted</span>'
                % (name, name)) in page
        assert "%s.ipynb was not submitted and its functions are still the starter&#39;s placeholders" % name in page
    assert '<a href="#notebook-FullyConnectedNets">FullyConnectedNets.ipynb</a>' in page
    assert '<section id="notebook-FullyConnectedNets">' in page


def test_the_report_names_the_assignment_it_was_given(tmp_path):
    doc = dict(one_part_doc(), assignment="A course & its assignment")
    page = render_submission(doc, write_folder(tmp_path, doc))
    assert "A course &amp; its assignment &middot; grading report" in page


def test_gradescope_lists_the_parts_in_its_summary():
    doc = one_part_doc()
    output = gradescope_results(doc)["output"]
    fc = next(p for p in doc["parts"] if p["part"] == "FullyConnectedNets")
    assert "  FullyConnectedNets: %.2f / %.2f\n" % (fc["score"], fc["max_score"]) in output
    assert "  Dropout: 0.00 / 8.00 (not submitted)" in output


def test_the_gradebook_has_a_column_per_part_before_the_checks():
    doc = one_part_doc()
    rows = list(csv.reader(io.StringIO(gradebook_csv([("alice", doc)]))))
    header, row = rows
    parts = ["part:FullyConnectedNets", "part:BatchNormalization", "part:Dropout", "part:ConvolutionalNetworks"]
    assert header[5:9] == parts and header[9] == doc["checks"][0]["id"]
    values = dict(zip(header, row))
    assert float(values["part:FullyConnectedNets"]) == float(values["score"]) > 0
    assert float(values["part:ConvolutionalNetworks"]) == 0


def test_junit_classnames_name_the_part_and_the_section():
    doc = one_part_doc()
    xml = junit_xml(doc)
    assert '<testcase classname="FullyConnectedNets.fc" name="affine_forward"' in xml
    assert '<testcase classname="Dropout.dropout" name="dropout_forward"' in xml
