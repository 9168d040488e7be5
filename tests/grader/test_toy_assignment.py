"""The engine grades any assignment folder: a toy one (tests/toy_assignment) with its own
reference, rubric and checks, through the same API, CLI and reports, with no change to the
engine and without the shipped assignment's package ever being involved."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from graders import api, cli, intake, workspace
from graders.assignment import ManifestError, load_assignment
from graders.solutions import strip_solutions

TOY = Path(__file__).resolve().parents[1] / "toy_assignment"
REFERENCE = TOY / "reference" / "toy" / "arith.py"


def submission(folder, source):
    (folder / "toy").mkdir(parents=True)
    (folder / "toy" / "arith.py").write_text(source)
    return folder


@pytest.fixture
def toy_class(tmp_path):
    """The reference, the untouched template, and one with square() wrong (a matrix product)."""
    right = REFERENCE.read_text()
    wrong = right.replace("return x * x", "return x @ x.T if x.ndim == 2 else x * x + 1")
    assert wrong != right
    klass = tmp_path / "class"
    return {
        "right": submission(klass / "right", right),
        "template": submission(klass / "template", strip_solutions(right)),
        "wrong_square": submission(klass / "wrong_square", wrong),
    }


def test_the_toy_manifest_is_an_assignment():
    toy = load_assignment(TOY)
    assert (toy.name, toy.package, toy.notebooks) == ("toy", "toy", ())
    assert toy.reference == TOY / "reference" / "toy"
    assert sorted(toy.checks()) == ["double", "square"]
    assert workspace.student_files(toy.reference) == ("toy/arith.py",)
    assert intake.Layout.of(toy).student_paths == ("arith.py",)
    assert not toy.module.startswith("graders.assignments.")  # its own private name


def test_the_engine_grades_the_toy_assignment(toy_class, tmp_path):
    options = api.Options(assignment=load_assignment(TOY), seed=7)
    results = {r.submission: r for r in api.grade(list(toy_class.values()), tmp_path / "out", options)}
    assert {name: (r.status, r.score, r.max_score) for name, r in results.items()} == {
        "right": ("graded", 5.0, 5.0), "template": ("graded", 0.0, 5.0), "wrong_square": ("graded", 3.0, 5.0)}
    square = next(c for c in results["wrong_square"].checks if c.id == "square")
    assert square.status == "failed" and "square" in square.message
    assert "not started" in next(c for c in results["template"].checks if c.id == "double").message
    assert (tmp_path / "out" / "right" / "report.html").is_file()
    assert (tmp_path / "out" / "index.html").is_file() and (tmp_path / "out" / "gradebook.csv").is_file()


def test_the_cli_selects_the_toy_assignment_by_its_folder(toy_class, tmp_path, capsys):
    status = cli.main(["--assignment", str(TOY), "grade", str(toy_class["right"].parent), "--out",
                       str(tmp_path / "out"), "--seed", "3"])
    assert status == 0, capsys.readouterr().err
    doc = json.loads((tmp_path / "out" / "wrong_square" / "result.json").read_text())
    assert doc["score"] == 3.0 and doc["rubric"] == str(TOY / "rubric.toml")


def test_an_unknown_assignment_is_one_clear_error(tmp_path, capsys):
    with pytest.raises(ManifestError, match="no assignment 'nonesuch'"):
        load_assignment("nonesuch")
    assert cli.main(["--assignment", str(tmp_path), "grade", str(tmp_path), "--out", str(tmp_path / "o")]) == 1
    assert "no assignment" in capsys.readouterr().err


def test_the_grader_never_imports_a_top_level_package_of_an_assignment():
    # The checks reach the reference under the assignment's private name; a student's cs231n
    # (or toy) first on sys.path is never what the grader's expectations come from.
    probe = ("import sys\nfrom graders.assignment import load_assignment\n"
             "for a in (load_assignment(), load_assignment(%r)):\n    a.checks()\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('cs231n', 'toy')))") % str(TOY)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd="/")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
