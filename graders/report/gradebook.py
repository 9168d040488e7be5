"""The CSV gradebook of a batch: one row per submission, one column per part, one per check.

Names, statuses and check ids are student- or file-controlled text. Every text cell is made
printable (safe_text.visible_escapes) and, when it starts with '=', '+', '-', '@', a tab or a
carriage return, prefixed with a single quote, so a spreadsheet shows it as text instead of
running it as a formula (OWASP's rule against CSV injection). Numbers are written as numbers.
"""
import csv
import io

from .safe_text import visible_escapes

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def gradebook_csv(results):
    """CSV text for (result folder name, result.json document) pairs, sorted by submission;
    part and check columns follow the order in which the documents first name each. A part's
    column is headed "part:<name>"."""
    docs = [doc for _, doc in results]
    part_names, check_ids = column_ids(docs, "parts", "part"), column_ids(docs, "checks", "id")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; the writer then quotes a cell holding \r too
    writer.writerow(cells(["submission", "folder", "status", "score", "max_score"]
                          + ["part:%s" % p for p in part_names] + check_ids))
    for folder, doc in sorted(results, key=lambda pair: (str(pair[1].get("submission", "")), pair[0])):
        writer.writerow(cells(row(folder, doc, part_names, check_ids)))
    return out.getvalue()


def column_ids(docs, key, name):
    """Every doc[key][*][name] in the documents (the parts' or the checks'), in the order they first appear."""
    found = []
    for doc in docs:
        for entry in doc.get(key, []):
            if entry.get(name) not in found:
                found.append(entry.get(name))
    return found


def row(folder, doc, part_names, check_ids):
    """One submission's values: names and status, total, each part's and each check's score ('' if absent)."""
    parts = {p.get("part"): p.get("score", "") for p in doc.get("parts", [])}
    scores = {c.get("id"): c.get("score", "") for c in doc.get("checks", [])}
    return ([doc.get("submission", folder), folder, doc.get("status", ""), doc.get("score", ""),
             doc.get("max_score", "")] + [parts.get(p, "") for p in part_names] + [scores.get(i, "") for i in check_ids])


def cells(values):
    return [cell(v) for v in values]


def cell(value):
    """A value as a CSV cell: numbers unchanged, text printable and never a formula."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = visible_escapes(str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text
