"""The CSV gradebook of a batch: one row per submission, one column per check."""
import csv
import io


def gradebook_csv(docs):
    """CSV text for result.json documents; check columns follow the first document's order."""
    check_ids = []
    for doc in docs:
        for check in doc.get("checks", []):
            if check["id"] not in check_ids:
                check_ids.append(check["id"])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["submission", "status", "score", "max_score"] + check_ids)
    for doc in sorted(docs, key=lambda d: d["submission"]):
        scores = {c["id"]: c["score"] for c in doc.get("checks", [])}
        writer.writerow([doc["submission"], doc["status"], doc["score"], doc["max_score"]]
                        + [scores.get(i, "") for i in check_ids])
    return out.getvalue()
