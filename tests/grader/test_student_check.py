"""`cs231n-grade check`: the public self-checks on a student's package, in the sandbox."""
import corpus
import pytest

from graders import cli


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    base = tmp_path_factory.mktemp("check")
    mutant = next(m for m in corpus.mutants() if m.name == "mutant_pool_backward_assigns")
    samples = [corpus.reference(), corpus.template(), mutant]
    return {s.name: corpus.write(s, base) for s in samples}


def test_a_correct_package_passes(folders, capsys):
    assert cli.main(["check", str(folders["reference"])]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and "public checks passed" in out


def test_a_one_bug_package_fails_with_the_rubrics_hint(folders, capsys):
    assert cli.main(["check", str(folders["mutant_pool_backward_assigns"])]) == 1
    failed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL")]
    assert failed == [line for line in failed if "max_pool_backward" in line] and failed


def test_the_template_fails_with_hints(folders, capsys):
    assert cli.main(["check", str(folders["template"])]) == 1
    out = capsys.readouterr().out
    assert "not implemented yet" in out and "hint:" in out


def test_a_missing_folder_is_an_error_with_a_message(tmp_path, capsys):
    assert cli.main(["check", str(tmp_path / "nowhere")]) == 1
    assert "no such file or folder" in capsys.readouterr().err
