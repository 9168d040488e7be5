"""The public self-checks students run: data in the bundle, no reference code, real verdicts."""
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from graders.assignment import load_assignment
from graders.release import PUBLIC_CHECKS, release
from graders.rubric import load_rubric

ASSIGNMENT = load_assignment()
PACKAGE = ASSIGNMENT.package
CHECKS_FILE = "%s/%s" % (PACKAGE, PUBLIC_CHECKS)

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ASSIGNMENT.reference
STUDENT_FILES = ("layers.py", "classifiers/cnn.py", "classifiers/fc_net.py", "optim.py")


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    """The students' zip from `release`, unpacked: cs231n/ with public_checks.json."""
    base = tmp_path_factory.mktemp("release")
    _, bundle = release(REFERENCE, base / "template", base / "a2.zip")
    folder = base / "student"
    with zipfile.ZipFile(bundle) as z:
        z.extractall(folder)
    return folder


def self_check(folder, *args):
    """python -m cs231n.self_check, run in the student's folder as the students' README says."""
    return subprocess.run([sys.executable, "-m", "cs231n.self_check", *args], cwd=folder,
                          capture_output=True, text=True, timeout=300)


def with_files(unpacked, tmp_path, source):
    """A copy of the unpacked assignment whose student files come from `source`."""
    import shutil

    folder = tmp_path / "student"
    shutil.copytree(unpacked, folder)
    for relative in STUDENT_FILES:
        (folder / "cs231n" / relative).write_text(source(relative))
    return folder


def test_the_bundle_carries_data_not_reference_code(unpacked):
    document = json.loads((unpacked / CHECKS_FILE).read_text())
    assert len(document["cases"]) >= 8
    for case in document["cases"].values():
        assert set(case) == {"procedure", "outputs", "tolerance", "hint", "inputs", "expected"}
        assert case["hint"] and len(case["expected"]) == len(case["outputs"])


def test_the_template_fails_every_check_and_says_why(unpacked):
    run = self_check(unpacked)
    assert run.returncode == 1
    assert "0 of" in run.stdout and "not implemented yet" in run.stdout and "hint:" in run.stdout


def test_a_correct_solution_passes(unpacked, tmp_path):
    folder = with_files(unpacked, tmp_path, lambda r: (REFERENCE / r).read_text())
    run = self_check(folder)
    assert run.returncode == 0, run.stdout + run.stderr
    cases = json.loads((unpacked / CHECKS_FILE).read_text())["cases"]
    assert "%d of %d public checks passed" % (len(cases), len(cases)) in run.stdout


def test_a_one_bug_solution_fails_its_check_only(unpacked, tmp_path):
    def source(relative):
        text = (REFERENCE / relative).read_text()
        return text.replace("loss += 0.5 * self.reg", "loss += self.reg") if relative.endswith("cnn.py") else text

    assert "loss += 0.5 * self.reg" in (REFERENCE / "classifiers/cnn.py").read_text()
    run = self_check(with_files(unpacked, tmp_path, source))
    assert run.returncode == 1
    failed = [line for line in run.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failed) == 1 and "ThreeLayerConvNet" in failed[0]


def test_only_selects_checks(unpacked):
    run = self_check(unpacked, "conv_forward")
    assert "0 of 2 public checks passed" in run.stdout


def test_the_document_is_the_same_every_time():
    rubric = load_rubric()
    assert ASSIGNMENT.public_checks(rubric) == ASSIGNMENT.public_checks(rubric)


def test_a_batchnorm_bug_fails_its_check_only(unpacked, tmp_path):
    """Test mode normalising with the batch's statistics fails the test-mode case and nothing else."""
    right = "x_hat = (x - running_mean) / np.sqrt(running_var + eps)"
    wrong = "x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)"
    assert right in (REFERENCE / "layers.py").read_text()

    def source(relative):
        return (REFERENCE / relative).read_text().replace(right, wrong)

    run = self_check(with_files(unpacked, tmp_path, source))
    failed = [line for line in run.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failed) == 1 and "batchnorm test mode" in failed[0], run.stdout


@pytest.mark.parametrize("right, wrong, why", [
    ("mask = (np.random.rand(*x.shape) < p) / p", "mask = np.random.rand(*x.shape) < p", "not inverted"),
    ("dx = dout * mask", "dx = dout", "the mask not applied backwards"),
])
def test_a_dropout_bug_fails_the_dropout_check_only(unpacked, tmp_path, right, wrong, why):
    assert right in (REFERENCE / "layers.py").read_text()

    def source(relative):
        return (REFERENCE / relative).read_text().replace(right, wrong)

    run = self_check(with_files(unpacked, tmp_path, source))
    failed = [line for line in run.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failed) == 1 and "dropout forward and backward" in failed[0], (why, run.stdout)
