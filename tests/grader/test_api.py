"""The API's promises for submissions that cannot be graded: a clear result, nothing lost."""
import json
import zipfile

from graders import api
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
