"""The HTML reports of the graded corpus, opened in a real headless Chromium.

Chromium runs with its console on stderr: every console message (an uncaught error, a
refused resource under the page's Content-Security-Policy) fails the test. The DOM is
dumped after the page's scripts ran. Without Chromium these tests skip, unless the
environment variable CI is set: there they fail, because CI installs it (.ci/run).
"""
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from graders.api import write_gradebook

SAMPLES = ["reference", "template", "mutant_pool_backward_assigns", "hostile_forged_result"]
FIGURES = ["bar chart of fast-layer speed-ups", "training loss and accuracy curves",
           "grid of the first convolution layer's filters"]
CONSOLE = re.compile(r"^.*(?::CONSOLE[:(]|Uncaught ).*$", re.M)


def chromium():
    """The Chromium binary; skip without one, or fail when running in CI."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    message = "Chromium is not installed: install it with `apt-get install chromium` (as .ci/run does)"
    if os.environ.get("CI"):
        pytest.fail(message + "; CI must run the browser tests")
    pytest.skip(message)


class Page:
    """One page as headless Chromium saw it: the DOM after scripts, console lines, a screenshot."""

    def __init__(self, url, workdir, width=412, height=2400):
        workdir.mkdir(parents=True, exist_ok=True)
        self.screenshot = workdir / "screenshot.png"
        command = [
            chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--no-first-run", "--user-data-dir=%s" % (workdir / "profile"), "--enable-logging=stderr", "--v=0",
            "--window-size=%d,%d" % (width, height), "--screenshot=%s" % self.screenshot, "--dump-dom", url,
        ]
        run = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=workdir)
        assert run.returncode == 0, "chromium failed (%d):\n%s" % (run.returncode, run.stderr[-3000:])
        self.dom, self.console = run.stdout, CONSOLE.findall(run.stderr)
        self.elements = Elements.of(self.dom)

    def having(self, tag, **attrs):
        """Elements of this tag whose attributes include the given ones (None: present, any value)."""
        return [e for t, e in self.elements if t == tag and all(
            k in e and (v is None or e[k] == v) for k, v in attrs.items())]


class Elements(HTMLParser):
    """Every start tag of a document with its attributes, in order."""

    @classmethod
    def of(cls, html):
        parser = cls()
        parser.found = []
        parser.feed(html)
        return parser.found

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, {k.replace("-", "_"): (v or "") for k, v in attrs}))


def file_url(path, fragment=""):
    return Path(path).resolve().as_uri() + fragment


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000, "no usable screenshot at %s" % path


def test_console_detection_catches_errors_and_refused_resources(tmp_path):
    """The detector itself: a script error and an image the page's CSP refuses are both seen."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; script-src 'unsafe-inline'\"><title>bad</title></head><body>"
        '<p id="x">x</p><img src="https://example.invalid/a.png" alt="">'
        '<script>document.getElementById("x").dataset.ran = "yes"; notDefinedAnywhere();</script></body></html>')
    seen = Page(file_url(page), tmp_path / "browser")
    assert any("Uncaught ReferenceError" in line for line in seen.console), seen.console
    assert any("Content Security Policy" in line for line in seen.console), seen.console
    assert seen.having("p", id="x", data_ran="yes")


@pytest.mark.parametrize("name", SAMPLES)
def test_submission_report_in_chromium(graded, tmp_path, name):
    samples, out = graded
    result = samples[name][1]
    page = Page(file_url(out / name / "report.html"), tmp_path)
    assert page.console == [], "console messages:\n" + "\n".join(page.console)
    score = re.search(r'<div class="score" id="score">([^<]*)</div>', page.dom).group(1)
    assert score == "%s / %s" % (points(result.score), points(result.max_score))
    assert [e["data_check"] for e in page.having("tr", data_check=None)] == [c.id for c in result.checks]
    assert [e["id"] for e in page.having("article", data_check_id=None)] == ["check-" + c.id for c in sorted_by_section(result)]
    assert not page.having("script") and all(i["src"].startswith("data:image/") for i in page.having("img"))
    if name == "reference":
        for alt in FIGURES:
            assert len(page.having("img", alt=alt)) == 1, alt
    if name == "template":  # checks that fail before measuring anything declare no figures
        assert 'id="figures"' not in page.dom and "Not drawn" not in page.dom
    assert_png(page.screenshot)


@pytest.mark.parametrize("name, check_id", [("mutant_pool_backward_assigns", "max_pool_backward"),
                                            ("mutant_conv_forward_no_bias", "conv_forward")])
def test_failing_conv_and_pool_checks_show_where_and_what(graded, tmp_path, name, check_id):
    samples, out = graded
    result = samples[name][1]
    check = next(c for c in result.checks if c.id == check_id)
    page = Page(file_url(out / name / "report.html", "#check-" + check_id), tmp_path, width=1024)
    assert page.console == [], "console messages:\n" + "\n".join(page.console)
    article = page.dom.split('id="check-%s"' % check_id, 1)[1].split("</article>", 1)[0]
    maps = [e for e in page.having("svg", **{"class": "errmap"}) if e["aria_label"].startswith("where ")]
    assert article.count('aria-label="where ') == len(check.details["pictures"]) <= len(maps)
    # One square per spatial position of the first picture, each with its error as a tooltip.
    first = check.details["pictures"][0]
    squares = article.split('aria-label="where ', 1)[1].split("</svg>", 1)[0].count("<rect ")
    assert squares == len(first["map"]) * len(first["map"][0]) + 1  # and the frame
    assert article.count('<p class="diagnosis">') == len(check.diagnoses) >= 1
    assert check.diagnoses[0].split(":")[0] in article
    assert_png(page.screenshot)


def test_class_summary_in_chromium(graded, tmp_path):
    samples, out = graded
    write_gradebook(out)   # writes index.html beside gradebook.csv
    page = Page(file_url(out / "index.html", "#sort=score-desc"), tmp_path, width=1024, height=1600)
    assert page.console == [], "console messages:\n" + "\n".join(page.console)
    assert page.having("table", id="submissions", data_sortable="ready")
    rows = [e["data_submission"] for e in page.having("tr", data_submission=None)]
    assert sorted(rows) == sorted(samples)
    scores = [samples[n][1].score for n in rows]
    assert scores == sorted(scores, reverse=True), "the table is not sorted by score"
    for name in samples:
        assert page.having("a", href="%s/report.html" % name), name
    assert len(page.having("img", alt="histogram of the scores")) == 1
    assert len(page.having("tr", data_check=None)) == len(samples["reference"][1].checks)
    # The bugs of the class: the mutants' diagnoses, each linking to the check in its report.
    assert page.having("table", id="class-diagnoses")
    assert page.having("a", href="mutant_pool_backward_assigns/report.html#check-max_pool_backward")
    assert_png(page.screenshot)


def points(value):
    return ("%.2f" % value).rstrip("0").rstrip(".")


def sorted_by_section(result):
    """Checks in the report's order: sections in order of first appearance, rubric order within."""
    sections = list(dict.fromkeys(c.section for c in result.checks))
    return sorted(result.checks, key=lambda c: sections.index(c.section))
