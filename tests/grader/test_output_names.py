"""Submission names a student controls never break the output folder.

A submission's id is its file or folder name without .zip, made printable; its result folder
is store.folder_name(id). Names that are the output folder's own files, dot-names, separators,
control characters, bytes that are not UTF-8 and very long names are graded into a folder of
their own, the gradebook and summary still name the student, and a second run skips them.
The property tests are derandomized (hypothesis derives its examples from the test itself).
"""
import csv
import io
import json
import os
import shutil
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from graders import api, cli, collect, intake, pipeline, store
from graders.assignment import load_assignment
from graders.rubric import load_rubric

LAYOUT = intake.Layout.of(load_assignment())

ROOT = Path(__file__).resolve().parents[2]
QUICK_RUBRIC = ROOT / "tests" / "submissions" / "quick_rubric.toml"
SEED = "20261126"
PROPERTY = settings(max_examples=300, deadline=None, database=None, derandomize=True)
HYPERLINK = '=HYPERLINK("http://x","y")'
FILE_HYPERLINK = '=HYPERLINK("x.example","y")'  # a file name cannot hold the '/' of http://
LATIN1 = os.fsdecode(b"M\xfcller")          # a file name written by a Latin-1 system
HOSTILE_IDS = [
    "runs.jsonl", "gradebook.csv", "index.html", "RUNS.JSONL", ".incoming", ".lock", ".", "..",
    "_runs.jsonl", "a/b", "../escape", "/etc", "back\\slash", "50%", "nul\x00here",
    "esc\x1b]0;pwned\x07", "new\nline", "M\udcfcller", "\ud800", "x" * 300, "\u00e9" * 120,
    HYPERLINK, "<script>alert(1)</script>",
]


# ----------------------------------------------------------------------------- the naming rule

@pytest.mark.parametrize("submission, folder", [
    ("alice", "alice"),
    ("\u00c9mile Zola", "\u00c9mile Zola"),
    (HYPERLINK, '=HYPERLINK("http:%2F%2Fx","y")'),
    ("runs.jsonl", "_runs.jsonl"),
    ("gradebook.csv", "_gradebook.csv"),
    ("index.html", "_index.html"),
    ("Index.HTML", "_Index.HTML"),
    (".incoming", "_.incoming"),
    (".lock", "_.lock"),
    (".", "_."),
    ("..", "_.."),
    ("", "_"),
    ("_alice", "__alice"),
    ("a/b", "a%2Fb"),
    ("../x", "_..%2Fx"),
    ("back\\slash", "back%5Cslash"),
    ("50%", "50%25"),
    ("a\x1bb", "a%1Bb"),
    ("a\x9bb", "a%C2%9Bb"),
    ("M\udcfcller", "M%ED%B3%BCller"),
])
def test_folder_names(submission, folder):
    assert store.folder_name(submission) == folder


def test_long_names_are_cut_with_a_hash():
    long_a, long_b = "a" * 300, "a" * 299 + "b"
    folder = store.folder_name(long_a)
    assert folder.startswith("a" * 80) and len(folder.encode()) <= store.MAX_FOLDER_BYTES
    assert store.folder_name(long_b) != folder
    wide = store.folder_name("\u00e9" * 120)  # two bytes each: the cut falls between characters
    assert len(wide.encode()) <= store.MAX_FOLDER_BYTES and wide.startswith("\u00e9" * 40)


def safe_folder(name):
    """True when name is one plain entry of a folder: no separator, not ., .., hidden or OUT's own."""
    return (name not in ("", ".", "..") and "/" not in name and "\\" not in name and "\0" not in name
            and not name.startswith(".") and name.casefold() not in store.OWN_FILES
            and all(ord(c) >= 0x20 and not 0x7f <= ord(c) <= 0x9f for c in name)
            and len(name.encode("utf-8")) <= store.MAX_FOLDER_BYTES)


@PROPERTY
@given(st.text(st.characters(exclude_categories=()), max_size=400))
def test_every_id_gets_a_safe_folder(submission):
    assert safe_folder(store.folder_name(submission))


@PROPERTY
@given(st.text(st.characters(exclude_categories=()), max_size=30),
       st.text(st.characters(exclude_categories=()), max_size=30))
@example("\x9b", "\udcc2\udc9b")   # U+009B against the two bytes of its UTF-8 as surrogate escapes
@example("runs.jsonl", "_runs.jsonl")
@example("%2F", "/")
def test_distinct_short_ids_get_distinct_folders(first, second):
    if first != second:
        assert store.folder_name(first) != store.folder_name(second)


def test_ids_are_printable():
    assert intake.submission_name(LATIN1 + ".zip") == "M\\xfcller"
    assert intake.submission_name("a\x1b]0;x\x07b.zip") == "a\\x1b]0;x\\x07b"
    assert intake.submission_name("new\nline") == "new\\nline"
    assert intake.submission_name("..zip") == "."
    assert intake.submission_name("\u00c9mile.ZIP") == "\u00c9mile"


# ----------------------------------------------------------------------------- collecting

def template_zip(path, source=ROOT / "student_template"):
    """A submission zip holding cs231n/layers.py and cs231n/classifiers/cnn.py from source."""
    with zipfile.ZipFile(path, "w") as z:
        z.write(source / "cs231n" / "layers.py", "cs231n/layers.py")
        z.write(source / "cs231n" / "classifiers" / "cnn.py", "cs231n/classifiers/cnn.py")
    return path


def test_two_ids_meeting_in_one_folder_are_refused(tmp_path, capsys):
    long = "y" * 250  # a file name of 254 bytes with .zip; its folder name is cut
    (tmp_path / "class").mkdir()
    template_zip(tmp_path / "class" / (long + ".zip"))
    twin = store.folder_name(long)  # a short name equal to the long one's folder
    template_zip(tmp_path / "class" / (twin + ".zip"))
    with pytest.raises(collect.CollectError, match="both in the result folder"):
        collect.collect([tmp_path / "class"], LAYOUT)
    assert cli.main(["grade", str(tmp_path / "class"), "--out", str(tmp_path / "out")]) == 2
    assert "would share one result folder" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------------------- publishing

def gradebook_text(out):
    """OUT/gradebook.csv as written (no newline translation: a cell may hold a carriage return)."""
    with open(out / store.GRADEBOOK, encoding="utf-8", newline="") as f:
        return f.read()


def hostile_result(name, rubric):
    """A rejected result for submission id name whose message and checks carry hostile text."""
    result = pipeline.empty_result(name, rubric, "rejected", "bad zip \x00\x1b[31m " + HYPERLINK)
    result.checks[0] = replace(result.checks[0], output="printed \x00\x0b\x0c\ud800\ufffe\uffff", traceback="tb \x1b")
    return result


def test_published_results_with_hostile_names_stay_in_their_own_folders(tmp_path):
    out = tmp_path / "out"
    rubric = load_rubric(QUICK_RUBRIC)
    out.mkdir()
    log = store.RunLog(out, "run1")
    log.record("start", submissions=len(HOSTILE_IDS))
    folders = {}
    for name in HOSTILE_IDS:
        folders[name] = pipeline.publish_result(hostile_result(name, rubric), out)
    api.write_gradebook(out)

    for name, folder in folders.items():
        assert folder.parent == out and folder.name == store.folder_name(name), name
        assert store.read_result(out, name)["submission"] == name
        ET.fromstring((folder / "junit.xml").read_bytes())
        (folder / "report.html").read_bytes().decode("utf-8")
    assert len(set(folders.values())) == len(HOSTILE_IDS)
    assert [e["event"] for e in store.read_runs(out)] == ["start"]
    rows = list(csv.DictReader(io.StringIO(gradebook_text(out), newline="")))
    shown = sorted(("'" + f.name) if f.name.startswith("=") else f.name for f in folders.values())
    assert sorted(r["folder"] for r in rows) == shown  # a folder named like a formula is quoted too
    assert (out / store.SUMMARY).is_file() and not any((out / store.INCOMING).iterdir())


def test_a_result_of_another_id_is_not_reused(tmp_path):
    rubric = load_rubric(QUICK_RUBRIC)
    folder = pipeline.publish_result(hostile_result("alice", rubric), tmp_path)
    shutil.copytree(folder, tmp_path / "bob")
    assert store.read_result(tmp_path, "alice")["submission"] == "alice"
    assert store.read_result(tmp_path, "bob") is None


# ----------------------------------------------------------------------------- a whole batch

def grade_cli(*args):
    return cli.main(["grade", *map(str, args), "--rubric", str(QUICK_RUBRIC), "--seed", SEED, "--workers", "2"])


@pytest.fixture
def hostile_class(tmp_path):
    """A class folder of template-like zips named like the output folder's files, a formula,
    a Latin-1 name and an escape sequence, next to alice (the reference); plus two zips given
    directly whose ids are dot-names."""
    klass = tmp_path / "class"
    klass.mkdir()
    names = ["runs.jsonl", "gradebook.csv", "index.html", FILE_HYPERLINK, LATIN1, "esc\x1b[2Jhere"]
    for name in names:
        template_zip(klass / (name + ".zip"))
    template_zip(klass / "alice.zip", ROOT / "graders" / "assignments" / "cs231n_a2" / "reference")
    (tmp_path / "direct").mkdir()
    direct = [template_zip(tmp_path / "direct" / ".lock.zip"), template_zip(tmp_path / "direct" / "..zip")]
    ids = sorted([intake.submission_name(n) for n in names] + ["alice", ".lock", "."])
    return [klass, *direct], ids


def test_a_class_with_hostile_names_is_graded_and_resumed(hostile_class, tmp_path):
    paths, ids = hostile_class
    out = tmp_path / "out"
    assert grade_cli(*paths, "--out", out) == 0

    events = store.read_runs(out)
    assert [e["event"] for e in events][0] == "start" and events[-1]["event"] == "end"
    assert sorted(e["submission"] for e in events if e["event"] == "graded") == ids
    for name in ids:
        doc = json.loads((store.result_folder(out, name) / "result.json").read_text())
        assert doc["submission"] == name and doc["status"] == "graded"
        assert doc["score"] == (doc["max_score"] if name == "alice" else 0), [
            (c["id"], c["status"], c["message"]) for c in doc["checks"] if c["status"] in ("error", "timeout")]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [store.folder_name(n) for n in ids] + [store.RUNS, store.GRADEBOOK, store.SUMMARY, store.LOCK])

    rows = list(csv.reader(io.StringIO(gradebook_text(out), newline="")))
    assert rows[0][:2] == ["submission", "folder"] and len(rows) == 1 + len(ids)
    names = {row[0]: row[1] for row in rows[1:]}
    assert names["'" + FILE_HYPERLINK] == "'" + FILE_HYPERLINK and names["runs.jsonl"] == "_runs.jsonl"
    assert names["M\\xfcller"] == "M%5Cxfcller" and names["."] == "_."
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    summary = (out / store.SUMMARY).read_text(encoding="utf-8")
    hrefs = [unquote(part.split('"', 1)[0]) for part in summary.split('<a href="')[1:]]
    assert sorted(hrefs) == sorted(store.folder_name(n) + "/report.html" for n in ids)
    assert "\x1b" not in summary and "esc\\x1b[2Jhere" in summary

    assert grade_cli(*paths, "--out", out) == 0  # resume: every result is up to date
    again = store.read_runs(out)[len(events):]
    assert sorted(e["submission"] for e in again if e["event"] == "skipped") == ids
    assert not any(e["event"] == "graded" for e in again)
