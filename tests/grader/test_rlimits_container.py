"""rlimits mode as a Gradescope container runs it: as root, without bubblewrap, with a Python
outside /root (the system's), the grader pip-installed into a virtual environment.

There the sandboxed child sees the real filesystem, confined by Landlock: a submission that
goes looking for the reference solution (the installed package, a checkout of the grader)
finds nothing, and one that is correct still scores.
"""
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import corpus
from graders.sandbox.landlock import landlock_abi

ROOT = Path(__file__).resolve().parents[2]
QUICK_RUBRIC = ROOT / "tests" / "submissions" / "quick_rubric.toml"
SYSTEM_PYTHON = Path("/usr/bin/python3.11")

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not SYSTEM_PYTHON.exists() or not landlock_abi(),
    reason="needs root, the system's Python 3.11 (/usr/bin) and a kernel with Landlock, as a Gradescope container has")


@pytest.fixture(scope="module")
def container_grader():
    """cs231n-grade installed with the system's Python in a folder every uid can reach."""
    folder = Path(tempfile.mkdtemp(prefix="cs231n-container-"))
    folder.chmod(0o755)
    venv = folder / "venv"
    subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", str(ROOT)], check=True, timeout=1200)
    yield venv / "bin" / "cs231n-grade"
    shutil.rmtree(folder, ignore_errors=True)


def test_rlimits_mode_keeps_the_reference_out_of_reach(container_grader, tmp_path):
    samples = {s.name: s for s in corpus.everything()}
    subs = tmp_path / "class"
    for name in ("reference", "hostile_reads_reference"):
        corpus.write(samples[name], subs)
    out = tmp_path / "out"
    done = subprocess.run([str(container_grader), "grade", str(subs), "--out", str(out), "--isolation", "rlimits",
                           "--rubric", str(QUICK_RUBRIC), "--workers", "2"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    honest = json.loads((out / "reference" / "result.json").read_text())
    assert honest["isolation"] == "rlimits" and honest["score"] == honest["max_score"], honest["checks"]
    thief = json.loads((out / "hostile_reads_reference" / "result.json").read_text())
    conv = next(c for c in thief["checks"] if c["id"] == "conv_forward")
    assert conv["status"] == "error" and conv["score"] == 0
    assert "no reference solution found" in conv["message"], conv["message"]
