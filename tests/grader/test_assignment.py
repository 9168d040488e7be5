"""The assignment manifest: what the engine knows of the assignment comes from it."""
import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graders import pipeline, workspace
from graders.assignment import ManifestError, load_assignment
from graders.result import CheckResult

ASSIGNMENT = load_assignment()


def test_the_shipped_manifest_matches_the_reference():
    assignment = load_assignment()
    package = ASSIGNMENT.reference
    assert assignment.package == package.name
    # In the order students work through them; each is a part, made of the rubric's sections.
    assert [n.file for n in assignment.notebooks] == ["FullyConnectedNets.ipynb", "BatchNormalization.ipynb",
                                                      "Dropout.ipynb", "ConvolutionalNetworks.ipynb"]
    assert [n.part + ".ipynb" for n in assignment.notebooks] == [n.file for n in assignment.notebooks]
    sections = [s for n in assignment.notebooks for s in n.sections]
    assert sorted(sections) == sorted({c.section for c in assignment.rubric().checks})
    assert all(assignment.notebook_path(n).is_file() for n in assignment.notebooks)
    for module in assignment.naive_view.unavailable:  # each names a module the package has
        assert any(package.glob(module + ".*")), module


def manifest(tmp_path, old, new):
    """A copy of the shipped assignment's folder whose manifest has old replaced by new."""
    folder = shutil.copytree(ASSIGNMENT.folder, tmp_path / "assignment",
                             ignore=shutil.ignore_patterns("__pycache__", "build", "*.c"))
    text = Path(ASSIGNMENT.source).read_text()
    assert old in text
    path = folder / "assignment.toml"
    path.write_text(text.replace(old, new, 1))
    return path


def test_the_naive_view_is_built_from_the_manifest(tmp_path):
    assignment = load_assignment(manifest(tmp_path, '"im2col_cython"]', '"im2col_cython", "layer_utils"]'))
    assignment = dataclasses.replace(assignment, naive_view=dataclasses.replace(
        assignment.naive_view, message="{name} is switched off for this check"))
    package = tmp_path / "copy" / "cs231n"
    shutil.copytree(ASSIGNMENT.reference, package, ignore=shutil.ignore_patterns("__pycache__"))
    workspace.stub_fast_path(package, assignment)
    probe = ("import sys; sys.path.insert(0, %r)\n"
             "from cs231n.layer_utils import conv_relu_forward\n"
             "try:\n    conv_relu_forward(1, 2, 3, {})\n"
             "except Exception as e:\n    print(type(e).__name__, e)\n") % str(package.parent)
    done = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    shown = done.stdout
    assert shown.strip() == "FastPathUnavailable conv_relu_forward is switched off for this check"


def test_the_instructor_flag_comes_from_the_manifest():
    result = CheckResult(id="conv_forward", title="t", section="conv", functions=["conv_forward_naive"],
                         status="error", score=0.0, max_score=1.0, measured=None, tolerance=0.0, measure="m",
                         message="FastPathUnavailable: cs231n.fast_layers is not available", hint=None, seconds=0.1)
    assert pipeline.flags_for([result], ASSIGNMENT) == ["conv_forward: " + load_assignment().flag_for(["conv_forward_naive"])]
    assert pipeline.flags_for([dataclasses.replace(result, message="wrong values")], ASSIGNMENT) == []


@pytest.mark.parametrize("old, new, words", [
    ('package = "cs231n"', "", "'package'"),
    ("[naive_view]", "[naive_vue]", "'naive_view'"),
    ('name = "cs231n-assignment2"', 'name = "cs231n-assignment2', "cannot read"),
    ('sections = ["dropout"]', 'sections = ["dropout", "fc"]', "the section fc is named by two notebooks"),
    ('file = "Dropout.ipynb"', 'file = "../Dropout.ipynb"', "should be a plain file name ending in .ipynb"),
    ('part = "Dropout"', 'part = "Drop out"', "part 'Drop out' should be a name"),
])
def test_a_malformed_manifest_is_named(tmp_path, old, new, words):
    with pytest.raises(ManifestError) as caught:
        load_assignment(manifest(tmp_path, old, new))
    assert words in str(caught.value) and "assignment.toml" in str(caught.value)


def test_errors_are_explained_with_the_manifest_and_the_student_files():
    from graders import diagnose

    torch = diagnose.known_cause({"error_type": "ModuleNotFoundError", "error": "No module named 'torch'"}, ASSIGNMENT)
    words = load_assignment().explanations[0][1].format("torch")
    assert torch == words + "."  # the assignment's own explanation wins over the general one
    files = " and ".join(p.rsplit("/", 1)[-1] for p in workspace.student_files(ASSIGNMENT.reference))
    assert "layers.py" in files and "cnn.py" in files  # the files with solution regions
    other = diagnose.known_cause({"error_type": "ModuleNotFoundError", "error": "No module named 'cv2'"}, ASSIGNMENT)
    assert "'cv2'" in other and "%s may use numpy, the cs231n package" % files in other
    assert diagnose.known_cause({"error_type": "SystemExit", "error": "1"}, ASSIGNMENT).endswith("remove it from %s." % files)
