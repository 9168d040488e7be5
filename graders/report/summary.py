"""The class summary page of a batch, out/index.html, from every out/*/result.json.

Score histogram, pass rate per check (the checks most students fail first), the diagnoses
seen across the class (the bugs most students make, each linking to the reports that show it)
and a table of submissions linking to each <name>/report.html. The table is complete without JavaScript;
a small inline script, allowed by its hash in the page's Content-Security-Policy, sorts it.
"""
import json
from pathlib import Path
from urllib.parse import quote

from . import plots
from ..result import atomic_write
from .templating import render, script_hash, template_source

FAILED = ("failed", "error", "timeout")
MAX_LINKS = 30  # reports linked per diagnosis


def load_results(out):
    """(folder name, document) for each readable out/*/result.json, and sentences for the others."""
    docs, problems = [], []
    for path in sorted(Path(out).glob("*/result.json")):
        try:
            doc = json.loads(path.read_text())
        except (OSError, UnicodeDecodeError, ValueError) as e:
            problems.append("%s/result.json could not be read (%s)" % (path.parent.name, e))
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("checks", []), list):
            problems.append("%s/result.json is not a result document" % path.parent.name)
            continue
        docs.append((path.parent.name, doc))
    return docs, problems


def pass_rates(docs):
    """Per check over the graded submissions: passed, total, percent; lowest rate first."""
    rates = {}
    for _, doc in docs:
        if doc.get("status") != "graded":
            continue
        for check in doc.get("checks", []):
            rate = rates.setdefault(check.get("id"), {"id": check.get("id"), "title": check.get("title", ""),
                                                      "passed": 0, "total": 0, "order": len(rates)})
            rate["total"] += 1
            rate["passed"] += check.get("status") == "passed"
    for rate in rates.values():
        rate["percent"] = 100.0 * rate["passed"] / rate["total"]
    return sorted(rates.values(), key=lambda r: (r["percent"], r["order"]))


def part_summaries(docs):
    """Per part of the assignment over the graded submissions: how many handed it in, how many
    did not, and the mean score of those who did; parts in the order they first appear."""
    parts = {}
    for _, doc in docs:
        if doc.get("status") != "graded":
            continue
        for part in doc.get("parts") or []:
            entry = parts.setdefault(str(part.get("part")), {"part": str(part.get("part")), "graded": 0,
                                                              "not_submitted": 0, "points": 0.0,
                                                              "max_score": part.get("max_score", 0) or 0})
            if part.get("status") == "not_submitted":
                entry["not_submitted"] += 1
            else:
                entry["graded"] += 1
                entry["points"] += part.get("score", 0) or 0
    for entry in parts.values():
        entry["mean"] = entry.pop("points") / entry["graded"] if entry["graded"] else None
    return list(parts.values())


def report_href(out, folder_name, anchor=""):
    """The link to a submission's report from index.html, or None when it has none."""
    if not (Path(out) / folder_name / "report.html").is_file():
        return None
    return quote(folder_name, safe="", errors="surrogateescape") + "/report.html" + anchor


def class_diagnoses(docs, out):
    """The diagnoses seen across the graded submissions, most submissions first:
    sentence, checks, count of submissions and links to the checks in their reports."""
    seen = {}
    for folder_name, doc in docs:
        if doc.get("status") != "graded":
            continue
        for check in doc.get("checks", []):
            for sentence in check.get("diagnoses") or []:
                entry = seen.setdefault(str(sentence), {"sentence": str(sentence), "checks": [], "names": [], "links": []})
                if check.get("id") not in entry["checks"]:
                    entry["checks"].append(str(check.get("id")))
                if folder_name in entry["names"]:
                    continue
                entry["names"].append(folder_name)
                href = report_href(out, folder_name, "#check-" + quote(str(check.get("id")), safe=""))
                if len(entry["links"]) < MAX_LINKS:
                    entry["links"].append({"name": str(doc.get("submission", folder_name)), "href": href})
    for entry in seen.values():
        entry["count"] = len(entry.pop("names"))
    return sorted(seen.values(), key=lambda e: (-e["count"], e["sentence"]))


def percent(doc):
    """The score as a percentage of the maximum (0 when the maximum is 0)."""
    score, top = doc.get("score", 0) or 0, doc.get("max_score", 0) or 0
    return 100.0 * score / top if top else 0.0


def submission_row(folder_name, doc, out):
    """One row of the submissions table; links only to reports that exist."""
    graded = doc.get("status") == "graded"
    failed = [c.get("id") for c in doc.get("checks", []) if c.get("status") in FAILED] if graded else []
    return {
        "name": str(doc.get("submission", folder_name)), "status": str(doc.get("status", "?")),
        "score": doc.get("score", 0) or 0, "max_score": doc.get("max_score", 0) or 0,
        "seconds": doc.get("seconds", 0) or 0, "failed": failed if graded else ["not graded"],
        "href": report_href(out, folder_name),
    }


def status_counts(docs):
    """(status, count) pairs, most common first."""
    counts = {}
    for _, doc in docs:
        counts[doc.get("status", "?")] = counts.get(doc.get("status", "?"), 0) + 1
    return sorted(counts.items(), key=lambda kv: -kv[1])


def histogram(percentages):
    """The histogram's view: the image, or the sentence saying why there is none."""
    try:
        return {"image": plots.score_histogram(percentages), "missing": None}
    except plots.PlotError as e:
        return {"image": None, "missing": "No histogram: %s." % e}


def render_class_summary(out):
    """The class summary page for every result.json in out."""
    docs, problems = load_results(out)
    graded = [percent(doc) for _, doc in docs if doc.get("status") == "graded"]
    script = template_source("sort.js.j2")
    return render(
        "summary.html.j2", rows=[submission_row(name, doc, out) for name, doc in docs], problems=problems,
        status_counts=status_counts(docs), graded_count=len(graded),
        mean_percent=sum(graded) / len(graded) if graded else None,
        histogram=histogram(graded), parts=part_summaries(docs), rates=pass_rates(docs),
        assignment=next((str(doc["assignment"]) for _, doc in docs if doc.get("assignment")), ""),
        diagnoses=class_diagnoses(docs, out),
        sort_script=script, script_sources=script_hash(script),
    )


def write_class_summary(out):
    """out/index.html; returns its path."""
    path = Path(out) / "index.html"
    atomic_write(path, render_class_summary(out))
    return path
