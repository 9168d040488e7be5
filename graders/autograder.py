"""Gradescope's container entry point: grade /autograder/submission into results.json.

Gradescope runs `run_autograder` with the student's upload in /autograder/submission
and reads /autograder/results/results.json. Whatever happens, that file is written:
a grading that crashes still yields a valid document with a visible "Grader failed" test.
"""
import json
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import api, store
from .report.gradescope import failure_results


def run(root):
    """Grade root/submission; write root/results/results.json; return the Gradescope document."""
    root = Path(root)
    results_dir = root / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    out = Path(tempfile.mkdtemp(prefix="cs231n-autograder-"))
    try:
        (result,) = api.grade([root / "submission"], out)
        doc = json.loads((store.result_folder(out, result.submission) / "gradescope.json").read_text())
    except Exception:
        doc = failure_results("the grader failed:\n" + traceback.format_exc(limit=6), time.perf_counter() - start)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    (results_dir / "results.json").write_text(json.dumps(doc, indent=2))
    return doc


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    doc = run(argv[0] if argv else "/autograder")
    print("score %.2f; results in %s" % (doc["score"], Path(argv[0] if argv else "/autograder") / "results"))
    return 0
