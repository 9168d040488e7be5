"""Provenance: a result is reused only while the submission, the rubric and the judging code are unchanged."""
import shutil
from pathlib import Path

from graders import provenance

GRADERS = Path(provenance.__file__).resolve().parent


def code_trees(tmp_path):
    """A copy of the grader's package and a small reference, as tree_sha256 takes them."""
    graders = shutil.copytree(GRADERS, tmp_path / "graders", ignore=shutil.ignore_patterns("__pycache__"))
    ref = tmp_path / "cs231n"
    ref.mkdir()
    (ref / "layers.py").write_text("def affine_forward(x, w, b):\n    return x.dot(w) + b, (x, w, b)\n")
    return {"graders": (graders, ("report",)), "reference": (ref, ())}


def test_editing_a_check_or_the_reference_changes_the_code_hash(tmp_path):
    trees = code_trees(tmp_path)
    before = provenance.tree_sha256(trees)
    assert provenance.tree_sha256(trees) == before  # the same bytes, the same hash

    check = tmp_path / "graders" / "checks" / "conv.py"
    check.write_text(check.read_text() + "\nFORWARD_TOLERANCE = 1e-5\n")
    after_check = provenance.tree_sha256(trees)
    assert after_check != before

    layers = tmp_path / "cs231n" / "layers.py"
    layers.write_text(layers.read_text().replace("+ b", "+ 2 * b"))
    assert provenance.tree_sha256(trees) not in (before, after_check)


def test_renderers_and_caches_do_not_change_the_code_hash(tmp_path):
    trees = code_trees(tmp_path)
    before = provenance.tree_sha256(trees)
    html = tmp_path / "graders" / "report" / "html.py"
    html.write_text(html.read_text() + "\n# a new heading\n")
    (tmp_path / "graders" / "__pycache__").mkdir()
    (tmp_path / "graders" / "__pycache__" / "api.cpython-311.pyc.py").write_text("x")
    assert provenance.tree_sha256(trees) == before


def test_a_result_records_the_code_it_was_judged_with(tmp_path):
    sub = tmp_path / "alice" / "cs231n"
    sub.mkdir(parents=True)
    (sub / "layers.py").write_text("x = 1\n")
    from graders.rubric import load_rubric

    made = provenance.provenance_of(tmp_path / "alice", load_rubric())
    assert made.code_sha256 == provenance.code_sha256() and len(made.code_sha256) == 64
