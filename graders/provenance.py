"""What a result is made from: content hashes of the submission, the rubric and the code.

A rerun of a batch reuses a result only when its provenance (submission hash, rubric
hash, code hash, grader version) equals what the run would grade now. The code hash
covers everything a verdict depends on: the grader's modules that draw inputs, run the
child and judge (all of graders/ but the renderers in graders/report/) and the reference
package the expectations come from; editing a check invalidates its old results.
"""
import functools
import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

from . import __version__, intake, reference
from .result import Provenance

CODE_SUFFIXES = (".py", ".pyx", ".toml", ".json")

_BLOCK = 1 << 20


def provenance_of(path, rubric, name=None):
    """The Provenance a result for the submission at path, graded with rubric, would carry."""
    return Provenance(submission_sha256=fingerprint(path, name), rubric_sha256=rubric_sha256(rubric),
                      grader_version=__version__, code_sha256=code_sha256())


def fingerprint(path, name=None):
    """SHA-256 of what intake reads from path; of the raw files when intake refuses it.

    None when nothing can be read (a missing path): such a submission is always regraded.
    """
    try:
        return submission_sha256(intake.read_submission(path, name=name))
    except intake.IntakeError:
        return raw_sha256(path)


def submission_sha256(submission):
    """SHA-256 of the files intake read (sorted relative paths and bytes), then the notebook."""
    digest = hashlib.sha256()
    for rel in sorted(submission.files):
        _add(digest, b"file", rel.encode(), submission.files[rel])
    if submission.notebook is not None:
        _add(digest, b"notebook", b"", submission.notebook)
    return digest.hexdigest()


def raw_sha256(path):
    """SHA-256 of a file, or of every file below a folder (sorted paths and bytes, links by target)."""
    path = Path(path)
    digest = hashlib.sha256()
    try:
        if path.is_dir():
            for rel, full in _walk(path):
                if os.path.islink(full):
                    _add(digest, b"link", rel.encode(), os.readlink(full).encode())
                elif os.path.isfile(full):
                    _add(digest, b"file", rel.encode(), Path(full).read_bytes())
        elif path.is_file():
            with open(path, "rb") as f:
                while block := f.read(_BLOCK):
                    digest.update(block)
        else:
            return None
    except OSError:
        return None
    return digest.hexdigest()


def rubric_sha256(rubric):
    """SHA-256 of the rubric's checks, limits and notebook settings (not of its path, comments or layout)."""
    content = {"checks": [asdict(c) for c in rubric.checks], "limits": asdict(rubric.limits),
               "notebook": asdict(rubric.notebook)}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


@functools.lru_cache(maxsize=1)
def code_sha256():
    """SHA-256 of the code verdicts depend on: the grader's modules and the reference package."""
    graders = Path(__file__).resolve().parent
    return tree_sha256({"graders": (graders, ("report",)), "reference": (Path(reference.location()), ())})


def tree_sha256(trees):
    """SHA-256 of the code files (CODE_SUFFIXES) below each named root, sorted, caches and
    the excluded top-level folders left out. trees: {name: (root, excluded folder names)}."""
    digest = hashlib.sha256()
    for name, (root, excluded) in sorted(trees.items()):
        for rel, full in _walk(root):
            top = rel.split("/", 1)[0]
            if top in excluded or "__pycache__" in rel.split("/") or top == "build":
                continue
            if rel.endswith(CODE_SUFFIXES) and os.path.isfile(full) and not os.path.islink(full):
                _add(digest, b"code", ("%s/%s" % (name, rel)).encode(), Path(full).read_bytes())
    return digest.hexdigest()


def _add(digest, kind, name, data):
    """Feed one named item with length prefixes, so no two item lists hash alike."""
    for part in (kind, name, data):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)


def _walk(root):
    """(relative path, full path) of every entry below root, sorted, links not followed."""
    found = []
    for folder, dirs, files in os.walk(root):
        for entry in dirs + files:
            full = os.path.join(folder, entry)
            if entry in files or os.path.islink(full):
                found.append((os.path.relpath(full, root).replace(os.sep, "/"), full))
    return sorted(found)
