"""The grader's reference comes from its installation, and a sandbox sees no course folder.

Run as `python -m graders` from a folder, Python puts that folder first on sys.path. From a
student's repository it holds the student's `cs231n/`; from a course folder it holds every
student's submission. Neither may reach the grader's process or a sandbox.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

from graders.assignment import load_assignment

ASSIGNMENT = load_assignment()
ROOT = Path(__file__).resolve().parents[2]
QUICK_RUBRIC = ROOT / "tests" / "submissions" / "quick_rubric.toml"
TEMPLATE = ROOT / "student_template" / "cs231n"
REFERENCE = ASSIGNMENT.reference


def python_m_graders(cwd, *args):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-m", "graders", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def submission(folder, layers_source, cnn_source):
    (folder / "cs231n" / "classifiers").mkdir(parents=True)
    (folder / "cs231n" / "layers.py").write_text(layers_source)
    (folder / "cs231n" / "classifiers" / "cnn.py").write_text(cnn_source)
    return folder


def test_a_cs231n_in_the_current_folder_is_not_the_reference(tmp_path):
    # A student's repository: its own cs231n/ at the top, graded with `python -m graders grade .`
    # from inside it. If the grader imported that package as its reference, the template's
    # answers (None) would be "expected" and the marker file would appear.
    repo = submission(tmp_path / "repo", (TEMPLATE / "layers.py").read_text(),
                      (TEMPLATE / "classifiers" / "cnn.py").read_text())
    marker = tmp_path / "imported-on-the-host"
    (repo / "cs231n" / "__init__.py").write_text("open(%r, 'w').close()\n" % str(marker))
    done = python_m_graders(repo, "grade", ".", "--out", str(tmp_path / "out"), "--rubric", str(QUICK_RUBRIC))
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    doc = json.loads((tmp_path / "out" / "repo" / "result.json").read_text())
    assert doc["status"] == "graded" and doc["score"] == 0


def test_a_sandbox_cannot_read_the_course_folder(tmp_path):
    # A course folder: alice's correct solution beside bob's submission, which copies it if it can.
    course = tmp_path / "course"
    alice = submission(course / "submissions" / "alice", (REFERENCE / "layers.py").read_text(),
                       (REFERENCE / "classifiers" / "cnn.py").read_text())
    copier = (TEMPLATE / "layers.py").read_text() + """

def conv_forward_naive(x, w, b, conv_param):
    found = {}
    exec(open(%r).read(), found)
    return found["conv_forward_naive"](x, w, b, conv_param)
""" % str(alice / "cs231n" / "layers.py")
    submission(course / "submissions" / "bob", copier, (TEMPLATE / "classifiers" / "cnn.py").read_text())
    done = python_m_graders(course, "grade", "submissions/bob", "--out", str(tmp_path / "out"),
                            "--rubric", str(QUICK_RUBRIC))
    assert done.returncode == 0, done.stderr
    doc = json.loads((tmp_path / "out" / "bob" / "result.json").read_text())
    conv = next(c for c in doc["checks"] if c["id"] == "conv_forward")
    assert conv["status"] == "error", conv["message"]
    assert "No such file" in conv["message"] or "Permission denied" in conv["message"], conv["message"]
