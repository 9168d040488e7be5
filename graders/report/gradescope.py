"""Gradescope's autograder results.json from one result.json document.

Gradescope reads: score, execution_time, output, and tests[] with name, score,
max_score, status ("passed"/"failed"), output and visibility. Every string in the document
goes through safe_text.visible_escapes: NUL, escape sequences and lone surrogates a student
printed would otherwise reach Gradescope's parser and database as they are.
"""
from .safe_text import visible_strings

VISIBILITY = "visible"


def gradescope_results(doc):
    """The Gradescope document for one graded (or rejected, or failed) submission."""
    tests = [test_entry(c) for c in doc.get("checks", [])]
    if doc["status"] != "graded":
        tests.insert(0, {
            "name": "Grading" if doc["status"] == "rejected" else "Grader failed",
            "score": 0.0, "max_score": 0.0, "status": "failed",
            "output": doc.get("message") or "the submission could not be graded",
            "visibility": VISIBILITY,
        })
    return visible_strings({
        "score": float(doc.get("score", 0.0)),
        "execution_time": int(round(doc.get("seconds", 0))),
        "output": summary(doc),
        "visibility": VISIBILITY,
        "stdout_visibility": "hidden",
        "tests": tests,
    })


def test_entry(check):
    lines = [check["message"]]
    if check.get("hint") and check["status"] != "passed":
        lines.append("Hint: " + check["hint"])
    if check.get("traceback"):
        lines.append(check["traceback"])
    return {
        "name": "%s (%s)" % (check["title"], check["id"]),
        "score": float(check["score"]),
        "max_score": float(check["max_score"]),
        "status": "passed" if check["status"] == "passed" else "failed",
        "output": "\n".join(lines),
        "visibility": VISIBILITY,
    }


def summary(doc):
    lines = ["Score %.2f / %.2f" % (doc.get("score", 0), doc.get("max_score", 0))]
    for part in doc.get("parts", []):
        lines.append("  %s: %.2f / %.2f%s" % (part["part"], part["score"], part["max_score"],
                                             " (not submitted)" if part["status"] == "not_submitted" else ""))
    if doc.get("message"):
        lines.append(doc["message"])
    lines += doc.get("notes", [])
    lines.append("Isolation: %s" % doc.get("isolation", "none"))
    return "\n".join(lines)


def failure_results(message, seconds=0.0):
    """A valid Gradescope document when grading itself could not produce a result.json."""
    return gradescope_results({"status": "grader_error", "score": 0.0, "seconds": seconds,
                               "message": message, "checks": [], "max_score": 0.0})
