"""The student files follow from the reference's solution regions, never from a hand-written list.

A file with a region is a student file: the workspace holds the student's version of it, or the
starter's (regions stubbed) when the submission lacks it, and never the reference's solutions.
"""
import shutil
from pathlib import Path

from graders.assignment import load_assignment
from graders.intake import Submission
from graders.solutions import solution_lines
from graders.workspace import build_workspace, student_files

ASSIGNMENT = load_assignment()

REGION = """def momentum_step(w, dw, config):
    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    v = config["momentum"] * config["velocity"] - config["learning_rate"] * dw
    SECRET_SOLUTION_LINE = w + v
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    return SECRET_SOLUTION_LINE
"""


def test_the_shipped_reference_has_four_student_files():
    assert student_files(Path(ASSIGNMENT.reference)) == (
        "cs231n/classifiers/cnn.py", "cs231n/classifiers/fc_net.py", "cs231n/layers.py", "cs231n/optim.py")


def reference_with_a_third_student_file(tmp_path):
    provided = shutil.copytree(ASSIGNMENT.reference, tmp_path / "ref" / "cs231n",
                               ignore=shutil.ignore_patterns("__pycache__", "build", "datasets"))
    (provided / "momentum.py").write_text(REGION)
    return provided


def every_file_text(folder):
    return "\n".join(p.read_text(errors="replace") for p in Path(folder).rglob("*.py"))


def test_a_new_file_with_a_region_is_a_student_file_whose_solution_never_reaches_the_workspace(tmp_path):
    provided = reference_with_a_third_student_file(tmp_path)
    assert "cs231n/momentum.py" in student_files(provided)

    layers = (provided / "layers.py").read_bytes()
    submission = Submission("alice", {"cs231n/layers.py": layers}, None, None, ())
    workspace = build_workspace(submission, tmp_path / "ws", ASSIGNMENT, provided)

    assert set(workspace.missing) == {"cs231n/momentum.py", "cs231n/classifiers/cnn.py",
                                      "cs231n/classifiers/fc_net.py", "cs231n/optim.py"}
    assert workspace.student_files == ("cs231n/layers.py",)
    for view in ("full", "naive"):
        text = every_file_text(workspace.views / view)
        assert "SECRET_SOLUTION_LINE = w + v" not in text
        for line in solution_lines((provided / "classifiers" / "cnn.py").read_text()):
            assert line not in (workspace.views / view / "cs231n" / "classifiers" / "cnn.py").read_text()
        # The starter's version stands in: the function exists and is not started.
        stub = (workspace.views / view / "cs231n" / "momentum.py").read_text()
        assert "def momentum_step" in stub and "pass" in stub
    assert any("cs231n/momentum.py is not in the submission" in n for n in workspace.notes)


def test_the_students_own_version_is_used_when_submitted(tmp_path):
    provided = reference_with_a_third_student_file(tmp_path)
    mine = b"def momentum_step(w, dw, config):\n    return w - dw  # mine\n"
    submission = Submission("bob", {"cs231n/momentum.py": mine}, None, None, ())
    workspace = build_workspace(submission, tmp_path / "ws", ASSIGNMENT, provided)
    assert (workspace.views / "full" / "cs231n" / "momentum.py").read_bytes() == mine
    assert "cs231n/momentum.py" in workspace.student_files
