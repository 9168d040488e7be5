"""The student template: generated from the reference, committed up to date, importable, all stubs."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graders.assignment import load_assignment
from graders.release import MarkerError, ReleaseError, build_template, file_mode, package_files, strip_solutions

ASSIGNMENT = load_assignment()

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ASSIGNMENT.reference
COMMITTED = ROOT / "student_template" / "cs231n"
REGENERATE = "student_template/ is out of date with the reference package: run `cs231n-grade release` at the repository root"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A template built from the reference now, as tmp/cs231n."""
    return build_template(REFERENCE, tmp_path_factory.mktemp("template") / "cs231n")


def test_template_holds_the_whole_package_without_artefacts(fresh):
    files = package_files(fresh)
    for needed in ("layers.py", "classifiers/cnn.py", "setup.py", "im2col_cython.pyx", "datasets/get_datasets.sh"):
        assert needed in files
    assert files == package_files(REFERENCE)
    on_disk = sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file())
    assert on_disk == files, "the template holds build artefacts"
    assert file_mode(fresh / "datasets" / "get_datasets.sh") == 0o755


def test_committed_template_matches_the_reference(fresh):
    assert COMMITTED.is_dir(), "student_template/cs231n is missing: " + REGENERATE
    assert package_files(COMMITTED) == package_files(fresh), REGENERATE
    differing = [f for f in package_files(fresh) if (COMMITTED / f).read_bytes() != (fresh / f).read_bytes()]
    assert not differing, "%s (differs: %s)" % (REGENERATE, ", ".join(differing))
    modes = [f for f in package_files(fresh) if file_mode(COMMITTED / f) != file_mode(fresh / f)]
    assert not modes, "%s (file modes differ: %s)" % (REGENERATE, ", ".join(modes))


def test_rebuilding_replaces_the_old_template(fresh, tmp_path):
    dest = tmp_path / "cs231n"
    build_template(REFERENCE, dest)
    (dest / "stale.py").write_text("x = 1\n")
    build_template(REFERENCE, dest)
    assert package_files(dest) == package_files(fresh)
    assert all((dest / f).read_bytes() == (fresh / f).read_bytes() for f in package_files(fresh))


def test_refuses_to_overwrite_other_folders(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ReleaseError, match="refusing to replace"):
        build_template(REFERENCE, tmp_path)
    with pytest.raises(ReleaseError, match="overlaps the reference"):
        build_template(REFERENCE, REFERENCE / "classifiers")
    with pytest.raises(ReleaseError, match="not found"):
        build_template(tmp_path / "nowhere", tmp_path / "out")
    with pytest.raises(ReleaseError, match="is not a reference package: none of its files holds a solution region"):
        build_template(tmp_path, tmp_path.parent / "out")  # a folder of other files is not a reference
    assert (tmp_path / "notes.txt").read_text() == "mine"


# Runs in a fresh interpreter that imports the template (no compiled extension) first.
STUB_PROBE = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import cs231n
modules = sys.argv[2].split()
for name in modules:
    importlib.import_module(name)
from cs231n import layers as L
from cs231n.classifiers.cnn import ThreeLayerConvNet

x, w, b = np.ones((2, 4, 5, 5)), np.ones((3, 4, 3, 3)), np.zeros(3)
gamma, beta = np.ones(4), np.zeros(4)
out = {"package": cs231n.__file__}
out["conv_forward_naive"] = repr(L.conv_forward_naive(x, w, b, {"stride": 1, "pad": 1})[0])
out["conv_backward_naive"] = repr(L.conv_backward_naive(np.ones((2, 3, 5, 5)), (x, w, b, {"stride": 1, "pad": 1})))
out["max_pool_forward_naive"] = repr(L.max_pool_forward_naive(x, {"pool_height": 2, "pool_width": 2, "stride": 2})[0])
out["max_pool_backward_naive"] = repr(L.max_pool_backward_naive(np.ones((2, 4, 2, 2)), (x, {"pool_height": 2, "pool_width": 2, "stride": 2})))
out["spatial_batchnorm_forward"] = repr(L.spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"}))
out["spatial_batchnorm_backward"] = repr(L.spatial_batchnorm_backward(x, None))
out["spatial_groupnorm_forward"] = repr(L.spatial_groupnorm_forward(x, gamma.reshape(1, 4, 1, 1), beta.reshape(1, 4, 1, 1), 2, {}))
out["spatial_groupnorm_backward"] = repr(L.spatial_groupnorm_backward(x, None))
out["dropout_backward"] = repr(L.dropout_backward(x, ({"mode": "train", "p": 0.5}, None)))
from cs231n import optim as O
for rule in ("sgd_momentum", "rmsprop", "adam"):
    out[rule] = repr(getattr(O, rule)(np.ones(3), np.ones(3))[0])

model = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=2, filter_size=3, hidden_dim=5)
out["params"] = repr(model.params)
# The provided code of loss() reads W1..b3 before the stubs: give it parameters.
shapes = {"W1": (2, 3, 3, 3), "b1": (2,), "W2": (32, 5), "b2": (5,), "W3": (5, 10), "b3": (10,)}
model.params = {k: np.ones(s) for k, s in shapes.items()}
X, y = np.ones((2, 3, 8, 8)), np.array([0, 1])
out["loss(X)"] = repr(model.loss(X))
out["loss(X, y)"] = repr(model.loss(X, y))
print(json.dumps(out))
"""

STARTER_OUTPUTS = {
    "conv_forward_naive": "None",
    "conv_backward_naive": "(None, None, None)",
    "max_pool_forward_naive": "None",
    "max_pool_backward_naive": "None",
    "spatial_batchnorm_forward": "(None, None)",
    "spatial_batchnorm_backward": "(None, None, None)",
    "spatial_groupnorm_forward": "(None, None)",
    "spatial_groupnorm_backward": "(None, None, None)",
    "dropout_backward": "None",
    "sgd_momentum": "None",
    "rmsprop": "None",
    "adam": "None",
    "params": "{}",
    "loss(X)": "None",
    "loss(X, y)": "(0, {})",
}


def module_names(package):
    """Dotted names of the package's modules (setup.py is a script, not a module)."""
    names = []
    for f in package_files(package):
        if f.endswith(".py") and f != "setup.py":
            parts = ["cs231n"] + f[:-3].split("/")
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_template_imports_and_its_stubs_return_the_starters_nones(fresh, tmp_path):
    parent = tmp_path / "student"
    shutil.copytree(fresh, parent / "cs231n")
    run = subprocess.run(
        [sys.executable, "-c", STUB_PROBE, str(parent), " ".join(module_names(fresh))],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "not built" in run.stderr  # fast_layers falls back to numpy: no extension in the template
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert Path(out.pop("package")).parent == parent / "cs231n"
    assert out == STARTER_OUTPUTS


def test_strip_solutions_indents_pass_like_the_markers():
    source = "def f():\n    x = 1\n        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****\n" \
             "        secret = 2\n        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****\n" \
             "\t# *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****\n\tsecret()\n" \
             "\t# *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****\n    return x\n"
    lines = strip_solutions(source).splitlines()
    assert lines == [
        "def f():", "    x = 1",
        "        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****", "", "        pass", "",
        "        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****",
        "\t# *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****", "", "\tpass", "",
        "\t# *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****",
        "    return x",
    ]
    assert strip_solutions("a = 1\n") == "a = 1\n"


START = "# *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****\n"
END = "# *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****\n"


@pytest.mark.parametrize(
    "source, where",
    [
        ("a = 1\nb = 2\n" + END, "f.py:3: END marker without a START"),
        ("a = 1\n" + START + "x = 1\n", "f.py:2: START marker never closed"),
        (START + "x = 1\n" + START + END, "f.py:3: START marker inside the region opened at line 1"),
        (START + END + END, "f.py:3: END marker without a START"),
    ],
)
def test_unbalanced_markers_name_the_line(source, where):
    with pytest.raises(MarkerError) as error:
        strip_solutions(source, "f.py")
    assert where in str(error.value)
