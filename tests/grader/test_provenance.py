"""Provenance: a result is reused only while the submission, the rubric and the judging code are unchanged,
and the submission hash it records is the hash of the very bytes that were graded."""
import hashlib
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import corpus
from graders import api, batch, collect, intake, provenance
from graders.assignment import load_assignment
from graders.rubric import load_rubric

ASSIGNMENT = load_assignment()
LAYOUT = intake.Layout.of(ASSIGNMENT)

QUICK_RUBRIC = Path(__file__).resolve().parents[2] / "tests" / "submissions" / "quick_rubric.toml"
SEED = 20261201  # the grading seed of the tests below (they compare verdicts, not numbers)

GRADERS = Path(provenance.__file__).resolve().parent


def code_trees(tmp_path):
    """A copy of the grader's package and a small reference, as tree_sha256 takes them."""
    graders = shutil.copytree(GRADERS, tmp_path / "graders", ignore=shutil.ignore_patterns("__pycache__"))
    ref = tmp_path / "cs231n"
    ref.mkdir()
    (ref / "layers.py").write_text("def affine_forward(x, w, b):\n    return x.dot(w) + b, (x, w, b)\n")
    return {"graders": (graders, ("report",)), "assignment": (ref, ())}


def test_editing_a_check_or_the_reference_changes_the_code_hash(tmp_path):
    trees = code_trees(tmp_path)
    before = provenance.tree_sha256(trees)
    assert provenance.tree_sha256(trees) == before  # the same bytes, the same hash

    check = tmp_path / "graders" / "assignments" / "cs231n_a2" / "checks" / "conv.py"
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
    made = provenance.provenance_of(provenance.receive(tmp_path / "alice", LAYOUT), load_rubric(), ASSIGNMENT)
    assert made.code_sha256 == provenance.code_sha256(ASSIGNMENT.folder) and len(made.code_sha256) == 64


def test_receiving_reads_what_intake_reads_and_hashes_it(tmp_path):
    path = corpus.write(corpus.reference(), tmp_path)
    received = provenance.receive(path, LAYOUT)
    assert received.name == "reference" and received.refusal is None
    assert dict(received.submission.files) == dict(intake.read_submission(path).files)
    assert received.sha256 == provenance.submission_sha256(received.submission)


def one_check_rubric():
    rubric = load_rubric(QUICK_RUBRIC)
    return replace(rubric, checks=tuple(c for c in rubric.checks if c.id == "conv_forward"))


def test_a_submission_replaced_after_it_was_read_is_graded_and_hashed_as_read(tmp_path):
    print("grading seed", SEED)
    path = corpus.write(corpus.reference(), tmp_path / "class")
    stub = (corpus.write(corpus.template(), tmp_path / "other") / "cs231n" / "layers.py").read_bytes()
    as_read = provenance.submission_sha256(intake.read_submission(path))
    rubric, out = one_check_rubric(), tmp_path / "out"

    def replace_then_grade(job, received, made_from):
        (path / "cs231n" / "layers.py").write_bytes(stub)  # the student's file changes between intake and grading
        return api.grade_one(job.path, out, rubric, api.Options(), SEED, made_from, received)

    job = collect.Job("reference", path)
    first = batch.settle_one(job, out, rubric, False, replace_then_grade, ASSIGNMENT)
    assert not first.skipped
    assert [c.status for c in first.result.checks] == ["passed"]  # the reference's code, as read, was graded
    assert first.result.provenance.submission_sha256 == as_read  # and its hash is the one recorded
    now = provenance.submission_sha256(intake.read_submission(path))
    assert now != as_read

    def grade(job, received, made_from):
        return api.grade_one(job.path, out, rubric, api.Options(), SEED, made_from, received)

    second = batch.settle_one(job, out, rubric, False, grade, ASSIGNMENT)  # the stub on disk is not what was graded
    assert not second.skipped and second.result.provenance.submission_sha256 == now
    assert [c.status for c in second.result.checks] != ["passed"]
    assert batch.settle_one(job, out, rubric, False, grade, ASSIGNMENT).skipped


def test_a_refused_zip_records_the_hash_of_the_bytes_refused(tmp_path):
    path = tmp_path / "escape.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("cs231n/layers.py", "x = 1\n")
        z.writestr("../escape.py", "x = 2\n")
    refused = path.read_bytes()
    received = provenance.receive(path, LAYOUT)
    assert received.submission is None and "'..' component" in received.refusal
    assert received.sha256 == hashlib.sha256(refused).hexdigest()

    with zipfile.ZipFile(path, "w") as z:  # replaced by a valid zip after it was read
        z.writestr("cs231n/layers.py", "x = 1\n")
    result = api.grade_one(path, tmp_path / "out", one_check_rubric(), api.Options(), SEED, received=received)
    assert result.status == "rejected" and "'..' component" in result.message
    assert result.provenance.submission_sha256 == hashlib.sha256(refused).hexdigest()


def test_a_refused_folder_is_hashed_without_following_links(tmp_path):
    (tmp_path / "secret.txt").write_text("not the student's")
    folder = tmp_path / "no_code"
    folder.mkdir()
    (folder / "notes.txt").write_text("I could not finish")
    (folder / "link.txt").symlink_to(tmp_path / "secret.txt")
    received = provenance.receive(folder, LAYOUT)
    assert received.submission is None and "found no " in received.refusal and "cs231n/layers.py" in received.refusal
    before = received.sha256
    (tmp_path / "secret.txt").write_text("changed, but only the link's target")
    assert provenance.receive(folder, LAYOUT).sha256 == before  # the link is hashed by its target's name
    (folder / "notes.txt").write_text("I finished after all")
    assert provenance.receive(folder, LAYOUT).sha256 != before
    assert provenance.receive(tmp_path / "missing", LAYOUT).sha256 is None
