"""The HTML report of one graded submission, made from result.json and the files beside it.

    write_submission_report(folder)   # folder/result.json -> folder/report.html

The page is self-contained (inline CSS, images as data URIs, no script, no external URL)
and its Content-Security-Policy forbids loading anything else. Figures come from the
grader's own run: each check may declare some (its result's "figures"), drawn by kind with
plots.PLOTS; the page names no check. The student's executed notebook is read as untrusted data.
"""
import json
import traceback
from html import escape
from pathlib import Path

from . import plots
from .pictures import picture_views
from .notebook_outputs import MAX_CELL_TEXT, MAX_CELLS, NotebookUnreadable, clip, code_cells, read_notebook_file
from ..result import atomic_write
from .templating import render

ISOLATION = {
    "bwrap": "Your code ran in a bubblewrap sandbox: no network, a read-only system, its workspace "
             "as the only writable folder, and limits on time, memory, processes and output.",
    "rlimits": "bubblewrap was not available, so your code ran under a separate user with resource limits "
               "(time, CPU, memory, processes, file size, output) and a Landlock file-system allow-list, "
               "without the sandbox's network isolation.",
    "none": "No student code ran for this result.",
}
FALLBACK = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>%(name)s: report not available</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 48rem; margin: 1rem auto; padding: 0 1rem">
<h1>%(name)s</h1>
<p><strong>This report could not be drawn.</strong> The grading result itself is intact in result.json
(and gradescope.json, junit.xml) beside this page. Please send the error below to the course staff.</p>
<pre style="white-space: pre-wrap">%(error)s</pre>
</body></html>
"""
STATUS_WORDS = {"graded": "Graded", "rejected": "Rejected", "grader_error": "Grader error"}


def section_heading(section, title=""):
    """The section's heading: its title from the rubric, else its name made readable."""
    return str(title or "") or str(section).replace("_", " ").capitalize() or "Other checks"


def check_view(check, titles):
    """What the template shows of one check (every field present, hint only when it failed)."""
    passed = check.get("status") == "passed"
    diagnoses = [] if passed else [str(d) for d in (check.get("diagnoses") or [])[:3]]
    message = str(check.get("message") or "")
    if diagnoses:  # the diagnoses are shown on their own below the message
        message = message.split(". Diagnosis: ", 1)[0]
    return {
        "id": str(check.get("id", "?")), "title": str(check.get("title", check.get("id", "?"))),
        "status": str(check.get("status", "skipped")), "passed": passed,
        "score": check.get("score", 0), "max_score": check.get("max_score", 0),
        "measured": check.get("measured"), "tolerance": check.get("tolerance"),
        "measure": check.get("measure") or "", "message": message,
        "hint": None if passed else check.get("hint"), "seconds": check.get("seconds"),
        "functions": [str(f) for f in check.get("functions") or []],
        "output": check.get("output") or "", "traceback": check.get("traceback") or "",
        "blocked_by": [{"id": b, "title": titles.get(b, b)} for b in check.get("blocked_by") or []],
        "diagnoses": diagnoses,
        "not_started": not passed and isinstance(check.get("details"), dict) and check["details"].get("not_started") is True,
        "pictures": [] if passed else picture_views(check.get("details")),
    }


def section_views(checks):
    """Checks grouped by rubric section, sections in the order they first appear."""
    titles = {c.get("id"): c.get("title", c.get("id")) for c in checks}
    sections = {}
    for check in checks:
        name = check.get("section") or "other"
        sections.setdefault(name, []).append(check_view(check, titles))
    headings = {}
    for check in checks:
        headings.setdefault(check.get("section") or "other", check.get("section_title"))
    return [{"name": name, "heading": section_heading(name, headings[name]), "checks": items,
             "not_started": all(c["not_started"] or not c["max_score"] for c in items) and any(c["not_started"] for c in items),
             "score": sum(c["score"] for c in items), "max_score": sum(c["max_score"] for c in items)}
            for name, items in sections.items()]


def figure(title, alt, draw, *args):
    """A figure's view: the image, or the sentence saying why there is none."""
    try:
        return {"title": title, "alt": alt, "image": draw(*args), "missing": None}
    except plots.PlotError as e:
        return {"title": title, "alt": alt, "image": None, "missing": "Not drawn: %s." % e}


def declared_figures(doc):
    """The figures the checks declared, in the order of the checks, each a dict with kind, title,
    alt and a data dict (result.json is validated, but older or hand-made ones may lack some)."""
    found = []
    for check in doc.get("checks") or []:
        for f in (check.get("figures") if isinstance(check, dict) else None) or []:
            if isinstance(f, dict) and isinstance(f.get("data"), dict):
                found.append(f)
    return found


def figure_views(doc):
    """Each declared figure drawn (or the sentence saying why it could not be)."""
    return [figure(str(f.get("title", "")), str(f.get("alt", "")), plots.PLOTS[f["kind"]], f["data"])
            for f in declared_figures(doc) if f.get("kind") in plots.PLOTS]


def speedup_rows(doc):
    """The measured timings behind a speed-up chart, as table rows."""
    rows = []
    for f in declared_figures(doc):
        speedups = f["data"].get("speedups") if f.get("kind") == "speedups" else None
        for name, entry in (speedups if isinstance(speedups, dict) else {}).items():
            if isinstance(entry, dict):
                rows.append({"name": str(name), "naive": entry.get("naive_seconds"),
                             "fast": entry.get("fast_seconds"), "speedup": entry.get("speedup")})
    return rows


def cell_number(index):
    """Cells are counted from 1 on the page, as in the grader's messages."""
    return index + 1 if isinstance(index, int) else "?"


def cell_run(cell):
    """One entry of notebook.cells with every field the template reads."""
    return {"index": cell.get("index"), "number": cell_number(cell.get("index")), "status": str(cell.get("status", "?")), "seconds": cell.get("seconds"),
            "tags": [str(t) for t in cell.get("tags") or []], "ename": cell.get("ename"), "evalue": cell.get("evalue")}


def reported(entry):
    """One entry of notebook.reported: what a check cell printed, capped."""
    return {"cell": entry.get("cell"), "number": cell_number(entry.get("cell")), "tag": str(entry.get("tag", "")), "text": clip(str(entry.get("text", "")), MAX_CELL_TEXT)}


PART_WORDS = {"graded": "graded", "not_submitted": "not submitted"}


def part_views(doc):
    """One row per part of the assignment: its score, its status and its notebook's status."""
    notebooks = {n.get("part"): n for n in doc.get("notebooks") or [] if isinstance(n, dict)}
    views = []
    for part in doc.get("parts") or []:
        if not isinstance(part, dict):
            continue
        name = str(part.get("part", "?"))
        notebook = notebooks.get(name) or {}
        views.append({"name": name, "notebook": str(part.get("notebook", "")),
                      "status": str(part.get("status", "graded")),
                      "status_word": PART_WORDS.get(part.get("status"), str(part.get("status"))),
                      "score": part.get("score", 0), "max_score": part.get("max_score", 0),
                      "message": str(part.get("message") or ""),
                      "notebook_status": str(notebook.get("status", "")) if notebook else ""})
    return views


def notebook_view(notebook, folder):
    """One notebook's section: the run's summary, cells with their outputs, reported figures."""
    if not isinstance(notebook, dict):
        return None
    runs = {c.get("index"): cell_run(c) for c in notebook.get("cells") or [] if isinstance(c, dict)}
    view = {"name": str(notebook.get("name") or "notebook"), "part": str(notebook.get("part") or ""),
            "status": notebook.get("status", "?"), "message": notebook.get("message") or "",
            "seconds": notebook.get("seconds"), "problem": None, "cells": [], "more_cells": False,
            "errors": [c for c in runs.values() if c["status"] != "ok"],
            "reported": [reported(r) for r in notebook.get("reported") or [] if isinstance(r, dict)]}
    if not notebook.get("file"):
        view["problem"] = "The grader kept no executed notebook, so no cell outputs are shown."
        return view
    try:
        cells = code_cells(read_notebook_file(folder, notebook["file"]))
    except NotebookUnreadable as e:
        view["problem"] = str(e)
        return view
    view["cells"] = [{"cell": cell, "number": cell_number(cell.index), "run": runs.get(cell.index) or {}}
                     for cell in cells]
    view["more_cells"] = len(cells) == MAX_CELLS
    return view


def submission_view(doc, folder):
    """Every value the submission template shows."""
    checks = [c for c in doc.get("checks") or [] if isinstance(c, dict)]
    score, max_score = doc.get("score", 0) or 0, doc.get("max_score", 0) or 0
    counts = {}
    for check in checks:
        counts[check.get("status", "skipped")] = counts.get(check.get("status", "skipped"), 0) + 1
    isolation = doc.get("isolation", "none")
    return {
        "doc": doc, "name": str(doc.get("submission", Path(folder).name)),
        "status": doc.get("status", "grader_error"),
        "status_word": STATUS_WORDS.get(doc.get("status"), str(doc.get("status"))),
        "score": score, "max_score": max_score,
        "percent": max(0.0, min(100.0, 100.0 * score / max_score)) if max_score else 0.0,
        "counts": sorted(counts.items()), "sections": section_views(checks),
        "isolation": isolation, "isolation_text": ISOLATION.get(isolation, "Unknown isolation mode."),
        "confinement": [str(c) for c in doc.get("confinement") or []][:20],
        "figures": figure_views(doc) if doc.get("status") == "graded" else [],
        "speedups": speedup_rows(doc), "parts": part_views(doc),
        "notebooks": [notebook_view(n, folder) for n in doc.get("notebooks") or [] if isinstance(n, dict)],
        "assignment": str(doc.get("assignment") or ""),
    }


def render_submission(doc, folder):
    """The report page for one result.json document; folder holds the files beside it."""
    return render("submission.html.j2", **submission_view(doc, folder))


def fallback_page(folder, error):
    """A minimal page when the report could not be drawn; plain strings, so it works even
    when the templates themselves are the problem. result.json is still valid."""
    return FALLBACK % {"name": escape(Path(folder).name), "error": escape(error)}


def write_submission_report(folder):
    """folder/report.html from folder/result.json; a rendering failure gives a short page saying so."""
    folder = Path(folder)
    doc = json.loads((folder / "result.json").read_text())
    try:
        page = render_submission(doc, folder)
    except Exception:  # the report must never cost the submission its other files
        page = fallback_page(folder, traceback.format_exc(limit=4))
    atomic_write(folder / "report.html", page)
    return folder / "report.html"
