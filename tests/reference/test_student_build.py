"""The notebook's build step: `python setup.py build_ext --inplace` inside a cs231n/ folder."""
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "graders" / "assignments" / "cs231n_a2" / "reference" / "cs231n"


def test_setup_py_builds_the_extension_in_place(tmp_path):
    folder = tmp_path / "cs231n"
    shutil.copytree(PACKAGE, folder, ignore=shutil.ignore_patterns("*.so", "*.c", "build", "__pycache__"))
    build = subprocess.run(
        [sys.executable, "setup.py", "build_ext", "--inplace"], cwd=folder, capture_output=True, text=True
    )
    assert build.returncode == 0, build.stderr[-3000:]
    assert list(folder.glob("im2col_cython*.so"))

    # The freshly built package is the one imported, and it uses the compiled extension.
    probe = (
        "import cs231n.fast_layers as f, pathlib; "
        "print(f.HAVE_CYTHON, pathlib.Path(f.__file__).parent)"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["True", str(folder)]
    assert "not built" not in run.stderr
