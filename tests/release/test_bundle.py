"""The zip students receive: its contents, its reproducibility, and that no solution leaks into it."""
import json
import zipfile
from pathlib import Path

import pytest

from graders.assignment import load_assignment
from graders import cli
from graders.release import (
    PUBLIC_CHECKS, ReleaseError, assignment_notebooks, build_bundle, build_template, package_files, release,
    solution_lines, strip_solutions,
)
from graders.rubric import load_rubric

ASSIGNMENT = load_assignment()
PACKAGE = ASSIGNMENT.package
CHECKS_FILE = "%s/%s" % (PACKAGE, PUBLIC_CHECKS)

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ASSIGNMENT.reference
NOTEBOOKS = assignment_notebooks(ASSIGNMENT)
NAMES = ("FullyConnectedNets.ipynb", "BatchNormalization.ipynb", "Dropout.ipynb", "ConvolutionalNetworks.ipynb")
README = ASSIGNMENT.student_readme()


@pytest.fixture(scope="module")
def notebook():
    return ASSIGNMENT.notebook_path(ASSIGNMENT.notebooks[0])


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A template folder holding cs231n/, built from the reference."""
    folder = tmp_path_factory.mktemp("template")
    build_template(REFERENCE, folder / "cs231n")
    return folder


@pytest.fixture(scope="module")
def bundle(template, notebook, tmp_path_factory):
    checks = ASSIGNMENT.public_checks(load_rubric())
    return build_bundle(tmp_path_factory.mktemp("bundle") / "assignment.zip", template, PACKAGE, NOTEBOOKS, README,
                        public_checks=checks)


def read_all(zip_path):
    with zipfile.ZipFile(zip_path) as z:
        return {info.filename: (z.read(info), info) for info in z.infolist()}


def test_bundle_holds_the_template_the_notebooks_and_a_readme(bundle, template):
    files = read_all(bundle)
    expected = {"cs231n/" + f for f in package_files(template / "cs231n")}
    expected |= {"README.md", CHECKS_FILE, *NAMES}
    assert set(files) == expected
    for needed in ("cs231n/datasets/get_datasets.sh", "cs231n/setup.py", "cs231n/im2col_cython.pyx"):
        assert needed in files
    for name in NAMES:
        assert files[name][0] == (ASSIGNMENT.folder / "notebooks" / name).read_bytes()
    assert files["cs231n/layers.py"][0] == (template / "cs231n" / "layers.py").read_bytes()
    assert (files["cs231n/datasets/get_datasets.sh"][1].external_attr >> 16) & 0o777 == 0o755
    readme = files["README.md"][0].decode()
    assert readme == README
    for step in ("python setup.py build_ext --inplace", "get_datasets.sh", "jupyter notebook FullyConnectedNets.ipynb",
                 *NAMES):
        assert step in readme


def test_bundle_is_reproducible(bundle, template, notebook, tmp_path):
    checks = ASSIGNMENT.public_checks(load_rubric())
    again = build_bundle(tmp_path / "again.zip", template / "cs231n", PACKAGE, NOTEBOOKS, README, public_checks=checks)
    assert again.read_bytes() == bundle.read_bytes()
    infos = [info for _, info in read_all(bundle).values()]
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_extra_files_are_added_and_clashes_refused(template, notebook, tmp_path):
    check = tmp_path / "self_check.py"
    check.write_text("print('ok')\n")
    path = build_bundle(tmp_path / "b.zip", template, PACKAGE, [notebook], README,
                        extra_files=[check, ("checks/again.py", check)])
    files = read_all(path)
    assert files["self_check.py"][0] == files["checks/again.py"][0] == check.read_bytes()
    with pytest.raises(ReleaseError, match="README.md twice"):
        build_bundle(tmp_path / "c.zip", template, PACKAGE, [notebook], README, extra_files=[("README.md", check)])
    with pytest.raises(ReleaseError, match="relative path"):
        build_bundle(tmp_path / "c.zip", template, PACKAGE, [notebook], README, extra_files=[("../x.py", check)])


def test_bad_inputs_give_clear_errors(template, notebook, tmp_path):
    with pytest.raises(ReleaseError, match="notebook .* not found"):
        build_bundle(tmp_path / "b.zip", template, PACKAGE, [tmp_path / "missing.ipynb"], README)
    (tmp_path / "broken.ipynb").write_text("not json")
    with pytest.raises(ReleaseError, match="not a Jupyter notebook"):
        build_bundle(tmp_path / "b.zip", template, PACKAGE, [tmp_path / "broken.ipynb"], README)
    with pytest.raises(ReleaseError, match="still holds code inside its solution regions"):
        build_bundle(tmp_path / "b.zip", REFERENCE, PACKAGE, [notebook], README)
    with pytest.raises(ReleaseError, match="no student template"):
        build_bundle(tmp_path / "b.zip", tmp_path, PACKAGE, [notebook], README)
    assert not (tmp_path / "b.zip").exists()


def secret_lines():
    """Solution lines of the reference that its provided code (any file) does not also contain."""
    sources = {f: (REFERENCE / f).read_text() for f in package_files(REFERENCE)}
    provided = "\n".join(strip_solutions(text, f) for f, text in sources.items())
    solutions = {line for f, text in sources.items() if f.endswith(".py") for line in solution_lines(text)}
    return {line for line in solutions if line not in provided}


def searchable_texts(name, data):
    """A bundle file's text, plus its cells' sources for a notebook (JSON escapes quotes)."""
    text = data.decode("utf-8", errors="replace")
    if not name.endswith(".ipynb"):
        return [text]
    cells = json.loads(text)["cells"]
    return [text] + ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]


def test_no_solution_line_leaks_into_the_bundle(bundle):
    """No line of a solution region of the reference appears anywhere in any file of the bundle.

    Lines that the reference's provided code (outside the solution regions) also contains are
    exempt: generic lines such as `N, C, H, W = x.shape` are not secrets.
    """
    secrets = secret_lines()
    assert len(secrets) > 50  # the regions were found
    leaks = [
        "%s: %s" % (name, line)
        for name, (data, _) in read_all(bundle).items()
        for text in searchable_texts(name, data)
        for line in secrets
        if line in text
    ]
    assert not leaks, "solution code in the bundle:\n" + "\n".join(sorted(set(leaks)))


def test_release_writes_the_template_and_the_bundle(tmp_path):
    package, zip_path = release(REFERENCE, tmp_path / "student_template", tmp_path / "a2.zip")
    assert package == tmp_path / "student_template" / "cs231n"
    files = read_all(zip_path)
    assert "cs231n/layers.py" in files and set(NAMES) <= set(files)


def test_release_needs_every_notebook_of_the_assignment(tmp_path):
    """A notebooks folder that lacks one is refused, by name, before anything is written."""
    partial = tmp_path / "notebooks"
    partial.mkdir()
    for path in NOTEBOOKS[:3]:
        (partial / path.name).write_bytes(path.read_bytes())
    with pytest.raises(ReleaseError, match="holds no ConvolutionalNetworks.ipynb: the bundle needs every notebook"):
        release(REFERENCE, tmp_path / "other", tmp_path / "b.zip", partial)
    assert not (tmp_path / "other").exists() and not (tmp_path / "b.zip").exists()
    (partial / "ConvolutionalNetworks.ipynb").write_text("not json")
    with pytest.raises(ReleaseError, match="not a Jupyter notebook"):
        release(REFERENCE, tmp_path / "other", tmp_path / "b.zip", partial)
    assert not (tmp_path / "other").exists()


def test_cli_release(tmp_path, capsys):
    argv = ["release", "--reference", str(REFERENCE), "--template", str(tmp_path / "t"),
            "--bundle", str(tmp_path / "a2.zip"), "--notebooks", str(NOTEBOOKS[0].parent)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "template written to" in out and "bundle written to" in out
    assert (tmp_path / "t" / "cs231n" / "layers.py").is_file() and (tmp_path / "a2.zip").is_file()
    assert cli.main(["release", "--reference", str(tmp_path / "nowhere"), "--template", str(tmp_path / "u")]) == 1
    assert "reference package" in capsys.readouterr().err
