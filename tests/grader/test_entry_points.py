"""The CLI's exit status for CI and Gradescope's run_autograder layout."""
import json

from graders import autograder, cli


def write_rejected_submission(folder):
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("no cs231n package here")
    return folder


def test_min_score_sets_the_exit_status(tmp_path, capsys):
    sub = write_rejected_submission(tmp_path / "carol")
    out = tmp_path / "out"
    assert cli.main(["grade", str(sub), "--out", str(out), "--min-score", "0"]) == 0
    assert cli.main(["grade", str(sub), "--out", str(out), "--min-score", "50"]) == 1
    assert "below the minimum score 50: carol" in capsys.readouterr().out


def test_run_autograder_writes_gradescope_results(tmp_path):
    write_rejected_submission(tmp_path / "submission")
    doc = autograder.run(tmp_path)
    written = json.loads((tmp_path / "results" / "results.json").read_text())
    assert written == doc
    assert doc["score"] == 0 and doc["tests"][0]["name"] == "Grading"
    assert "cs231n" in doc["tests"][0]["output"]
