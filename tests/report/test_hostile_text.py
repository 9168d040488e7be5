"""Every rendering survives whatever text a student controls: names and printed bytes.

JUnit XML must stay well-formed XML 1.0, the CSV gradebook must never hold a live formula,
Gradescope's document must be clean UTF-8 JSON, and the HTML pages must show hostile text as
text. The property tests draw strings over every code point, lone surrogates included; they
are derandomized (hypothesis derives its examples from the test itself, no seed to replay).
"""
import csv
import io
import json
import re
import os
import xml.dom.minidom
import xml.etree.ElementTree as ET
import xml.sax
from html.parser import HTMLParser
from urllib.parse import unquote, unquote_to_bytes

from hypothesis import given, settings
from hypothesis import strategies as st
from report_fixtures import result_doc, write_folder

from graders.report.gradebook import gradebook_csv
from graders.report.gradescope import gradescope_results
from graders.report.html import write_submission_report
from graders.report.junit import junit_xml
from graders.report.summary import write_class_summary

PROPERTY = settings(max_examples=150, deadline=None, database=None, derandomize=True)
NASTY = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f", "\x7f", "\r", "\r\n", "\t",
         "\ud800", "\udcfc", "\udfff", "\ufffe", "\uffff", "]]>", "<", "&", '"', "'", "=", "+", "-", "@",
         "\U0001f600", "\u202e"]
TEXT = st.lists(st.one_of(st.characters(exclude_categories=()), st.sampled_from(NASTY)), max_size=40).map("".join)
XML_CHARS = re.compile("^[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*$")
HOSTILE_NAME = '<script>alert("x")</script>\'"&\x00\x1b[2J\udcfc=1'


def xml_visible(text):
    """The rule, spelt out: characters XML 1.0 cannot hold become Python-style escapes."""
    def allowed(ch):
        o = ord(ch)
        return ch in "\t\n\r" or 0x20 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD or o >= 0x10000
    return "".join(ch if allowed(ch) else ch.encode("unicode_escape").decode("ascii") for ch in text)


def as_parsed_text(text):
    """What an XML parser returns for element text: line ends normalised to \\n."""
    return xml_visible(text).replace("\r\n", "\n").replace("\r", "\n")


def hostile_doc(name, text, status="graded"):
    """A result document whose name, message and first checks carry text."""
    doc = result_doc() if status == "graded" else result_doc(status, text)
    doc["submission"] = name
    first, second = doc["checks"][0], doc["checks"][1]
    first.update(status="failed", score=0.0, message=text, hint=text, traceback=text, output=text)
    second.update(status="error", score=0.0, message="error: " + text, output=text)
    doc["checks"][2].update(section=text, id="odd" + text)
    return doc


# ----------------------------------------------------------------------------- JUnit XML

def parse_strictly(data):
    """Parse with ElementTree, minidom and SAX (all raise on a document that is not well-formed)."""
    xml.dom.minidom.parseString(data)
    xml.sax.parseString(data, xml.sax.handler.ContentHandler())
    return ET.fromstring(data)


@PROPERTY
@given(TEXT, TEXT, st.sampled_from(["graded", "rejected", "grader_error"]))
def test_junit_is_well_formed_whatever_the_text(name, text, status):
    doc = hostile_doc(name or "n", text, status)
    data = junit_xml(doc).encode("utf-8")
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert XML_CHARS.match(data.decode("utf-8"))
    suite = parse_strictly(data)
    assert suite.get("name") == xml_visible(name or "n")  # attribute values keep \t \n \r as references
    cases = suite.findall("testcase")
    assert len(cases) == len(doc["checks"]) and cases[2].get("name") == xml_visible("odd" + text)
    assert cases[2].get("classname") == xml_visible(text)  # the section (the document has no parts)
    if status == "graded":
        failure = cases[0].find("failure")
        assert failure.get("message") == xml_visible(text[:500])
        assert (failure.text or "") == as_parsed_text("\n".join(filter(None, [text, text, text])))
        system_out = cases[1].find("system-out")
        assert (system_out.text if text else system_out) == (as_parsed_text(text) if text else None)
    else:
        assert (suite.find("system-err").text or "") == as_parsed_text(text)


def test_junit_keeps_printable_text_and_shows_what_was_removed():
    doc = hostile_doc("M\\xfcller <&>", "ok \x00\x1b[31m red \ud800 \uffff caf\u00e9 \U0001f600")
    suite = parse_strictly(junit_xml(doc).encode("utf-8"))
    out = suite.findall("testcase")[0].find("system-out").text
    assert out == "ok \\x00\\x1b[31m red \\ud800 \\uffff caf\u00e9 \U0001f600"
    assert suite.get("name") == "M\\xfcller <&>"


# ----------------------------------------------------------------------------- CSV gradebook

def read_csv(text):
    return list(csv.reader(io.StringIO(text, newline="")))


@PROPERTY
@given(TEXT, TEXT)
def test_gradebook_cells_are_never_formulas(name, folder):
    doc = hostile_doc(name, "x")
    doc["status"] = name  # any text field, not only names
    rows = read_csv(gradebook_csv([(folder, doc)]))
    assert len(rows) == 2
    header, row = rows
    assert header[:5] == ["submission", "folder", "status", "score", "max_score"]
    for cell, value in zip(row[:3], [name, folder, name]):
        shown = xml_visible(value)
        assert cell == ("'" + shown if shown.startswith(("=", "+", "-", "@", "\t", "\r")) else shown)
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in header + row)
    assert float(row[3]) == doc["score"] and float(row[4]) == doc["max_score"]


def test_formula_names_are_quoted_and_numbers_stay_numbers():
    doc = result_doc()
    doc["submission"] = '=HYPERLINK("http://x","y")'
    doc["checks"][0]["score"] = -1.5    # the schema forbids it; numbers are never written as text anyway
    doc["checks"][1]["score"] = "-1"     # a string that looks like a number is text, and quoted
    rows = read_csv(gradebook_csv([("=cmd|' /C calc'!A0", doc), ("@SUM(1)", dict(result_doc(), submission="+1"))]))
    by_name = {row[0]: row for row in rows[1:]}
    formula = by_name["'=HYPERLINK(\"http://x\",\"y\")"]
    assert formula[1] == "'=cmd|' /C calc'!A0"
    assert formula[5] == "-1.5" and float(formula[5]) == -1.5 and formula[6] == "'-1"
    assert by_name["'+1"][1] == "'@SUM(1)" and float(by_name["'+1"][3]) == result_doc()["max_score"]


# ----------------------------------------------------------------------------- Gradescope

def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


@PROPERTY
@given(TEXT, st.sampled_from(["graded", "rejected", "grader_error"]))
def test_gradescope_document_is_clean_utf8_json(text, status):
    doc = hostile_doc("n", text, status)
    doc["notes"] = [text]
    results = gradescope_results(doc)
    encoded = json.dumps(results, ensure_ascii=False).encode("utf-8")  # fails on a lone surrogate
    assert json.loads(encoded) == results
    assert all(XML_CHARS.match(s) for s in strings(results))
    assert results["score"] == doc["score"] and len(results["tests"]) >= len(doc["checks"])
    assert xml_visible(text) in results["tests"][-len(doc["checks"])]["output"]


# ----------------------------------------------------------------------------- HTML pages

class Page(HTMLParser):
    """The tags and attributes of a page, and its text."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def assert_clean_page(data):
    page = data.decode("utf-8")  # strict: a lone surrogate would have been written as bytes that fail
    assert XML_CHARS.match(page), "a control character or surrogate reached the page"
    assert "<script>alert" not in page and "onerror" not in page
    return page, Page(page)


def test_hostile_names_and_output_render_as_text(tmp_path):
    out = tmp_path / "out"
    doc = hostile_doc(HOSTILE_NAME, HOSTILE_NAME + "\x0b\ufffe", "graded")
    folder = write_folder(out / "odd%3Cfolder", doc)
    write_submission_report(folder)
    write_folder(out / "alice", dict(result_doc(), submission="alice"))
    write_submission_report(out / "alice")
    shown = xml_visible(HOSTILE_NAME)

    page, report = assert_clean_page((folder / "report.html").read_bytes())
    assert "report could not be drawn" not in page
    assert [t for t, _ in report.tags].count("script") == 0
    assert shown in "".join(report.text)
    assert "&lt;script&gt;alert(" in page

    page, summary = assert_clean_page(write_class_summary(out).read_bytes())
    assert [t for t, _ in summary.tags].count("script") == 1  # the sorting script, allowed by its hash
    rows = [a for t, a in summary.tags if t == "tr" and "data-submission" in a]
    assert sorted(a["data-submission"] for a in rows) == sorted([shown, "alice"])
    links = [a["href"] for t, a in summary.tags if t == "a"]
    assert sorted(unquote(h) for h in links) == ["alice/report.html", "odd%3Cfolder/report.html"]
    assert all((out / unquote(h)).is_file() for h in links)


def test_a_folder_with_undecodable_bytes_is_linked_by_its_bytes(tmp_path):
    name = os.fsdecode(b"M\xfcller")
    write_folder(tmp_path / name, dict(result_doc(), submission="M\\xfcller"))
    write_submission_report(tmp_path / name)
    page, summary = assert_clean_page(write_class_summary(tmp_path).read_bytes())
    (link,) = [a["href"] for t, a in summary.tags if t == "a"]
    assert link == "M%FCller/report.html"
    assert (tmp_path / os.fsdecode(unquote_to_bytes(link))).is_file()
