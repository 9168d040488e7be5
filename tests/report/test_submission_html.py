"""The submission report rendered from hand-built result.json documents."""
import re

import pytest
from report_fixtures import (HOSTILE_HTML, hostile_notebook, notebook_section, overfit_figures, result_doc, speedup_figure,
                             write_folder)

from graders.report.html import render_submission, write_submission_report

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*(?!["']?(?:data:|#))""", re.I)


def check(doc, check_id):
    return next(c for c in doc["checks"] if c["id"] == check_id)


def assert_self_contained(page):
    """No external resource: every src/href is a data URI or an in-page anchor, no URL at all."""
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    assert "http://" not in page and "https://" not in page
    assert '<meta name="viewport"' in page


def test_graded_report_has_score_sections_checks_and_figures(tmp_path):
    doc = result_doc()
    check(doc, "fast_layers")["figures"] = [speedup_figure(
        {"conv_forward_naive": {"naive_seconds": 2.0, "fast_seconds": 0.01, "speedup": 200.0}})]
    check(doc, "cnn_overfit")["figures"] = overfit_figures()
    page = render_submission(doc, write_folder(tmp_path, doc))
    assert '<div class="score" id="score">%g / %g</div>' % (doc["max_score"], doc["max_score"]) in page
    assert doc["max_score"] == 147
    for heading in ("Convolution layers (naive)", "Three-layer convolutional network", "Fast layers",
                    "Batch and layer normalisation"):
        assert heading in page
    assert page.count("<tr data-check=") == len(doc["checks"]) == page.count("data-check-id=")
    assert page.count('src="data:image/png;base64,') == 3
    assert "bubblewrap sandbox" in page
    assert_self_contained(page)


def test_rejected_result_shows_its_message_and_no_figures(tmp_path):
    doc = result_doc("rejected", "submission.zip is not a zip file: upload the zip made by collect_submission")
    page = render_submission(doc, write_folder(tmp_path, doc))
    problem = page.split('id="problem"', 1)[1].split("</section>", 1)[0]
    assert "The submission was rejected" in problem and "is not a zip file" in problem
    assert "Figures from the grader" not in page and "<img" not in page
    assert page.count("<tr data-check=") == len(doc["checks"]) and "data-check-id=" not in page
    assert page.index('id="problem"') < page.index('id="summary"')
    assert "No student code ran" in page
    assert_self_contained(page)


def test_grader_error_result_renders_with_escaped_traceback(tmp_path):
    doc = result_doc("grader_error", "the grader failed:\nTraceback ...\nKeyError: '<b>W1</b>'")
    page = render_submission(doc, write_folder(tmp_path, doc))
    assert "The grader failed on this submission" in page and "tell the course staff" in page
    assert "KeyError: &#39;&lt;b&gt;W1&lt;/b&gt;&#39;" in page and "<b>W1" not in page


def test_failed_check_shows_hint_blocked_by_output_and_traceback(tmp_path):
    doc = result_doc()
    conv, backward = check(doc, "conv_forward"), check(doc, "conv_backward")
    conv.update(status="failed", score=0.0, measured=0.5, output="<i>printed</i>",
                traceback="File layers.py, line 3", hint="Check the output size")
    backward.update(status="failed", score=0.0, blocked_by=["conv_forward"])
    doc["score"] = doc["max_score"] - conv["max_score"] - backward["max_score"]
    doc["flags"] = ["conv_forward_naive mentions the fast path (conv_forward_fast) in its source"]
    page = render_submission(doc, write_folder(tmp_path, doc))
    card = page.split('id="check-conv_forward"', 1)[1].split("</article>", 1)[0]
    assert "Hint:" in card and "0.5 (tolerance 1e-06)" in card and "&lt;i&gt;printed&lt;/i&gt;" in card
    assert "<details><summary>Traceback</summary>" in card
    assert 'This check builds on\n' in page and 'href="#check-conv_forward">Convolution: naive forward pass</a>' in page
    assert "Instructor flags" in page and "mentions the fast path" in page
    assert "Hint:" not in page.split('id="check-max_pool_forward"', 1)[1].split("</article>", 1)[0]


def test_checks_without_figures_draw_none(tmp_path):
    doc = result_doc()
    check(doc, "cnn_overfit").update(status="timeout", score=0.0, details={})
    doc["score"] -= check(doc, "cnn_overfit")["max_score"]
    page = render_submission(doc, write_folder(tmp_path, doc))
    assert "<img" not in page and "Figures from the grader" not in page


def test_malformed_figures_are_not_drawn_and_say_why(tmp_path):
    doc = result_doc()
    bad_curves, bad_filters = overfit_figures()
    bad_curves["data"]["loss_history"] = [1.0, "x"]
    bad_filters["data"]["filters"] = [[[[1.0]]], [[[1.0, 2.0]]]]
    unknown = {"kind": "hologram", "title": "Unknown", "alt": "?", "data": {}}
    check(doc, "cnn_overfit")["figures"] = [bad_curves, bad_filters, unknown]
    check(doc, "fast_layers")["figures"] = [speedup_figure({"conv_forward_naive": "fast"})]
    page = render_submission(doc, write_folder(tmp_path, doc))
    assert "<img" not in page and page.count("Not drawn:") == 3 and "Unknown" not in page
    assert "the loss history is not a list of numbers" in page


def test_hostile_notebook_outputs_are_text_only(tmp_path):
    doc = result_doc()
    doc["notebooks"] = [notebook_section()]
    page = render_submission(doc, write_folder(tmp_path, doc, hostile_notebook()))
    assert "<script" not in page.lower()          # the page has no script of its own either
    assert "onerror" not in page and "onload" not in page and HOSTILE_HTML not in page
    assert "&lt;script&gt;alert(&#39;stderr&#39;)&lt;/script&gt;" in page
    assert "ValueError: &lt;b&gt;bad&lt;/b&gt; shape" in page
    assert "an output of type text/html is not shown" in page
    assert "an output of type application/javascript is not shown" in page
    assert "an output of type image/svg+xml is not shown" in page
    assert "&lt;IPython.core.display.HTML object&gt;" in page
    assert "claiming to be image/png was not a valid image" in page
    assert page.count('src="data:image/png;base64,iVBORw0KGgo') == 1
    assert "reported by the notebook (not scored)" in page
    assert "conv_forward_naive error: 2.2e-08" in page


@pytest.mark.parametrize("name, why", [
    ("../result.json", "is not a plain file name"), ("sub/notebook.ipynb", "is not a plain file name"),
    (".hidden", "is not a plain file name"), ("..", "is not a plain file name"),
    ("link.ipynb", "link.ipynb is a symbolic link, which the grader does not follow"),
    ("missing.ipynb", "missing.ipynb does not exist"),
])
def test_notebook_file_outside_or_linked_is_not_read(tmp_path, name, why):
    doc = result_doc()
    doc["notebooks"] = [notebook_section(file=name)]
    folder = write_folder(tmp_path / "sub", doc, hostile_notebook())
    (folder / "link.ipynb").symlink_to(folder / "notebook.ipynb")
    page = render_submission(doc, folder)
    assert "conv_forward_naive error" not in page and "Cell outputs" not in page
    assert why in page


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe", b'{"cells": 3}', b"[]", b'{"cells": [7, {"cell_type": "code", "outputs": [1, {"output_type": "stream", "text": 5}]}]}'])
def test_corrupt_notebook_gives_a_sentence(tmp_path, content):
    doc = result_doc()
    doc["notebooks"] = [notebook_section()]
    folder = write_folder(tmp_path, doc)
    (folder / "notebook.ipynb").write_bytes(content)
    page = render_submission(doc, folder)
    assert "Your notebook" in page and "Traceback" not in page


def test_notebook_without_file_lists_its_errors(tmp_path):
    doc = result_doc()
    doc["notebooks"] = [dict(notebook_section(), file=None)]
    page = render_submission(doc, write_folder(tmp_path, doc))
    assert "The grader kept no executed notebook" in page
    assert "cell 3: error &ndash; ValueError: &lt;b&gt;bad&lt;/b&gt; shape" in page  # index 2, counted from 1


def test_a_report_that_cannot_be_drawn_still_gets_a_page(tmp_path):
    doc = result_doc()
    folder = write_folder(tmp_path, doc)
    doc["checks"][0]["score"] = "ten"   # not a valid result: rendering fails, the page says so
    (folder / "result.json").write_text(__import__("json").dumps(doc))
    page = write_submission_report(folder).read_text()
    assert "This report could not be drawn" in page and "result.json" in page


def test_sparse_notebook_entries_render_and_long_reports_are_capped(tmp_path):
    doc = result_doc()
    folder = write_folder(tmp_path, doc, hostile_notebook())
    doc["notebooks"] = [dict(notebook_section(), cells=[{"index": 1}], reported=[{"text": "y" * 50_000}])]
    page = render_submission(doc, folder)
    assert "This report could not be drawn" not in page and "conv_forward_naive error" in page
    assert "y" * 10_000 in page and "y" * 10_001 not in page and "more characters not shown" in page
