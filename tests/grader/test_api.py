"""The API's promises for submissions that cannot be graded: a clear result, nothing lost."""
import json
import os
import sys
import zipfile

import pytest

from graders import api, batch, sandbox
from graders.result import validate
from graders.rubric import load_rubric


def grade_alone(path, out):
    return api.grade_one(path, out, load_rubric(), api.Options(), seed=1)


def test_path_escape_is_rejected_with_a_message(tmp_path):
    bad = tmp_path / "mallory.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("cs231n/layers.py", "x = 1\n")
        z.writestr("../escape.py", "x = 2\n")
    result = grade_alone(bad, tmp_path / "out")
    assert result.status == "rejected"
    assert "escape.py" in result.message and ".." in result.message
    assert all(c.status == "skipped" and c.score == 0 for c in result.checks)
    doc = json.loads((tmp_path / "out" / "mallory" / "result.json").read_text())
    validate(doc)
    assert doc["status"] == "rejected"


def test_not_a_zip_is_rejected(tmp_path):
    bad = tmp_path / "bob.zip"
    bad.write_bytes(b"this is not a zip archive")
    result = grade_alone(bad, tmp_path / "out")
    assert result.status == "rejected"
    assert "bob.zip" in result.message


def test_a_rejected_submission_does_not_stop_the_batch(tmp_path):
    bad = tmp_path / "empty"
    bad.mkdir()
    (bad / "notes.txt").write_text("no code here")
    results = api.grade([bad, tmp_path / "missing.zip"], tmp_path / "out", api.Options(seed=3))
    assert [r.status for r in results] == ["rejected", "rejected"]
    assert {p.name for p in (tmp_path / "out").iterdir() if p.is_dir()} == {"empty", "missing"}
    assert (tmp_path / "out" / "gradebook.csv").read_text().count("rejected") == 2


def test_parallel_workers_keep_the_order_and_lose_nothing(tmp_path):
    subs = []
    for name in ("dora", "eve", "finn", "gus"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "readme.txt").write_text("nothing to grade")
        subs.append(folder)
    seen = []
    results = api.grade(subs, tmp_path / "out", api.Options(seed=4), progress=seen.append, workers=3)
    assert [r.submission for r in results] == ["dora", "eve", "finn", "gus"]
    assert sorted(r.submission for r in seen) == ["dora", "eve", "finn", "gus"]
    assert len((tmp_path / "out" / "gradebook.csv").read_text().splitlines()) == 5


def test_a_sandbox_that_cannot_start_is_a_grader_error_never_a_zero(tmp_path):
    # As root in rlimits mode, a Python the sandbox's uid cannot reach (under /root, as here
    # with pyenv) cannot start any child: that is the grader's failure, graded again next run.
    trial = sandbox.run_confined([sys.executable, "-I", "-c", "pass"], tmp_path, mode="rlimits")
    if not trial.reason.startswith("could not start"):
        pytest.skip("a child starts in rlimits mode here: %s" % trial.reason)
    sub = tmp_path / "alice" / "cs231n"
    (sub / "classifiers").mkdir(parents=True)
    (sub / "layers.py").write_text("")
    (sub / "classifiers" / "cnn.py").write_text("")
    result = api.grade_one(tmp_path / "alice", tmp_path / "out", load_rubric(), api.Options(mode="rlimits"), 1)
    assert result.status == "grader_error", (result.status, result.message)
    assert result.score == 0 and all(c.status == "skipped" for c in result.checks)
    doc = json.loads((tmp_path / "out" / "alice" / "result.json").read_text())
    assert not batch.reusable(doc, result.provenance)
    assert os.path.isdir(tmp_path / "out" / "alice")
