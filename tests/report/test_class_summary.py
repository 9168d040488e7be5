"""The class summary page from a folder of result.json files."""
import json

from report_fixtures import result_doc, write_folder

from graders.report.html import write_submission_report
from graders.report.summary import render_class_summary, write_class_summary


def failing(doc, *ids):
    for check in doc["checks"]:
        if check["id"] in ids:
            doc["score"] -= check["max_score"]
            check.update(status="failed", score=0.0)
    return doc


def batch(out):
    """Three graded submissions, one rejected, one unreadable result.json."""
    write_folder(out / "alice", dict(result_doc(), submission="alice"))
    write_folder(out / "bob", dict(failing(result_doc(), "conv_backward", "cnn_loss"), submission="bob"))
    write_folder(out / "carol & <dave>", dict(failing(result_doc(), "conv_backward"), submission="carol & <dave>"))
    write_folder(out / "eve", dict(result_doc("rejected", "not a zip file"), submission="eve"))
    (out / "broken").mkdir()
    (out / "broken" / "result.json").write_text("{")
    for name in ("alice", "bob", "carol & <dave>", "eve"):
        write_submission_report(out / name)
    return out


def rows_of(page, table):
    body = page.split('<table id="%s">' % table, 1)[1].split("</table>", 1)[0]
    return body.split("<tbody>", 1)[1].count("<tr ")


def test_summary_lists_every_submission_with_relative_links(tmp_path):
    page = render_class_summary(batch(tmp_path))
    assert rows_of(page, "submissions") == 4
    assert '<a href="alice/report.html">alice</a>' in page
    assert '<a href="carol%20%26%20%3Cdave%3E/report.html">carol &amp; &lt;dave&gt;</a>' in page
    assert "broken/result.json could not be read" in page
    assert 'class="small" data-sort="2">conv_backward, cnn_loss</td>' in page
    assert "not graded" in page


def test_pass_rates_put_the_most_failed_checks_first(tmp_path):
    page = render_class_summary(batch(tmp_path))
    rates = page.split('<table id="check-rates">', 1)[1]
    order = [part.split('"', 1)[0] for part in rates.split('<tr data-check="')[1:]]
    assert order[:2] == ["conv_backward", "cnn_loss"]
    assert len(order) == len(result_doc()["checks"])
    assert "1 / 3" in rates and "Over the 3 graded submission(s)" in page


def test_histogram_and_sorting_script_with_its_hash(tmp_path):
    page = write_class_summary(batch(tmp_path)).read_text()
    assert page.count('src="data:image/png;base64,') == 1
    assert page.count("<script>") == 1 and "script-src 'sha256-" in page


def test_an_empty_folder_gives_a_page_without_a_histogram(tmp_path):
    page = render_class_summary(tmp_path)
    assert "No histogram: there is no list of scores." in page
    assert rows_of(page, "submissions") == 0


def test_a_missing_report_is_not_linked(tmp_path):
    write_folder(tmp_path / "alice", result_doc())
    page = render_class_summary(tmp_path)
    assert "report.html" not in page and json.loads((tmp_path / "alice" / "result.json").read_text())


OVERLAP = "dx is wrong only where windows overlap: add them (+=) instead of assigning (=)."
NO_HALF = "The regularisation has no 0.5."


def diagnosed(doc, check_id, *sentences):
    next(c for c in doc["checks"] if c["id"] == check_id)["diagnoses"] = list(sentences)
    return doc


def test_diagnoses_across_the_class_most_common_first_with_links(tmp_path):
    bob = diagnosed(diagnosed(failing(result_doc(), "conv_backward", "cnn_loss"), "conv_backward", OVERLAP),
                    "cnn_loss", NO_HALF)
    carol = diagnosed(failing(result_doc(), "conv_backward"), "conv_backward", OVERLAP)
    write_folder(tmp_path / "bob", dict(bob, submission="bob"))
    write_folder(tmp_path / "carol & <dave>", dict(carol, submission="carol & <dave>"))
    write_folder(tmp_path / "alice", dict(result_doc(), submission="alice"))
    for name in ("bob", "carol & <dave>"):
        write_submission_report(tmp_path / name)
    page = render_class_summary(tmp_path)
    table = page.split('<table id="class-diagnoses">', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tbody>", 1)[1].split("<tr>")[1:]
    assert len(rows) == 2
    assert '<td class="num">2</td>' in rows[0] and "wrong only where windows overlap" in rows[0]
    assert '<a href="bob/report.html#check-conv_backward">bob</a>' in rows[0]
    assert '<a href="carol%20%26%20%3Cdave%3E/report.html#check-conv_backward">carol &amp; &lt;dave&gt;</a>' in rows[0]
    assert '<td class="num">1</td>' in rows[1] and "no 0.5" in rows[1] and "#check-cnn_loss" in rows[1]
    # Each report shows the sentence under its check.
    report = (tmp_path / "bob" / "report.html").read_text()
    assert report.count('<p class="diagnosis"><strong>Diagnosis:</strong>') == 2


def test_a_class_without_diagnoses_says_so(tmp_path):
    page = render_class_summary(batch(tmp_path))
    assert '<table id="class-diagnoses">' not in page
    assert "No failing check showed a mistake the grader recognises." in page


def with_parts(doc, not_submitted=()):
    """doc with a part per notebook of the shipped assignment, scored from its checks."""
    from graders.assignment import load_assignment

    doc["parts"] = []
    for notebook in load_assignment().notebooks:
        own = [c for c in doc["checks"] if c["section"] in notebook.sections]
        doc["parts"].append({"part": notebook.part, "notebook": notebook.file, "checks": [c["id"] for c in own],
                             "status": "not_submitted" if notebook.part in not_submitted else "graded",
                             "score": sum(c["score"] for c in own), "max_score": sum(c["max_score"] for c in own),
                             "message": ""})
    return doc


def test_parts_count_who_handed_each_in_and_average_those_who_did(tmp_path):
    write_folder(tmp_path / "alice", with_parts(dict(result_doc(), submission="alice")))
    bob = failing(result_doc(), "dropout_forward", "dropout_backward", "dropout_keep_rate", "fc_dropout_test_mode",
                  "fc_dropout_gradcheck", "conv_forward")
    write_folder(tmp_path / "bob", with_parts(dict(bob, submission="bob"), not_submitted={"Dropout"}))
    page = render_class_summary(tmp_path)
    assert "CS231n ConvolutionalNetworks" not in page  # the results name no assignment here
    assert rows_of(page, "part-summary") == 4
    assert ('<tr data-part="Dropout"><td>Dropout</td><td class="num">1</td><td class="num">1</td>\n'
            '      <td class="num">8 / 8</td></tr>') in page
    conv = page.split('<tr data-part="ConvolutionalNetworks">', 1)[1].split("</tr>", 1)[0]
    lost = next(c["max_score"] for c in bob["checks"] if c["id"] == "conv_forward")
    assert '<td class="num">2</td><td class="num">0</td>' in conv and "%g / 88" % (88 - lost / 2) in conv


def test_the_summary_names_the_assignment_its_results_were_graded_for(tmp_path):
    write_folder(tmp_path / "alice", dict(result_doc(), submission="alice", assignment="A course <2>"))
    assert "A course &lt;2&gt; &middot; class summary" in render_class_summary(tmp_path)
