"""What a result is made from: content hashes of the submission, the rubric and the code.

A submission is read once (receive): the hash recorded for it is the hash of exactly the
bytes intake read, and the grader grades from those same bytes, never from a second read
of the path; a file replaced on disk in between changes neither.

A rerun of a batch reuses a result only when its provenance (submission hash, rubric
hash, code hash, grader version) equals what the run would grade now. The code hash
covers everything a verdict depends on: the grader's modules that draw inputs, run the
child and judge (all of graders/ but the renderers in graders/report/) and the assignment's
folder (its checks, rubric and the reference package the expectations come from); editing
a check invalidates its old results.
"""
import functools
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from . import __version__, intake
from .result import Provenance
from .untrusted import UnreadableOutput, open_regular

CODE_SUFFIXES = (".py", ".pyx", ".toml", ".json")

_BLOCK = 1 << 20


@dataclass(frozen=True)
class Received:
    """One reading of a submission: what intake made of it, and the hash of those very bytes."""

    name: str                               # the submission id
    submission: intake.Submission | None    # what is graded; None when intake refused it
    refusal: str | None                     # intake's message when it refused the submission
    sha256: str | None                      # see receive(); None: nothing could be read


def receive(path, layout, name=None, limits=intake.IntakeLimits()):
    """Read the submission at path once, laid out as layout (an intake.Layout); the Received
    holds what to grade and its hash.

    The hash is submission_sha256 of the Submission that is graded. For a submission intake
    refuses it is the SHA-256 of the zip's bytes as intake read them, or, for a folder (or a
    zip that could not be read whole), of the raw files hashed after the refusal (nothing is
    graded from them); None when nothing can be read (a missing path), so that it is always
    regraded.
    """
    path = Path(path)
    name = name or intake.submission_name(path)
    archive = None
    try:
        if path.is_dir():
            submission = intake.read_submission(path, limits, name, layout)
        else:
            archive = intake.read_archive(path, limits)
            submission = intake.read_zip_bytes(archive, path.name, name, limits, layout)
    except intake.IntakeError as e:
        sha = hashlib.sha256(archive).hexdigest() if archive is not None else raw_sha256(path)
        return Received(name, None, str(e), sha)
    return Received(name, submission, None, submission_sha256(submission))


def provenance_of(received, rubric, assignment):
    """The Provenance of a result graded for assignment with rubric from received (see receive)."""
    return Provenance(submission_sha256=received.sha256, rubric_sha256=rubric_sha256(rubric),
                      grader_version=__version__, code_sha256=code_sha256(assignment.folder))


def submission_sha256(submission):
    """SHA-256 of the files intake read (sorted relative paths and bytes), then the notebooks."""
    digest = hashlib.sha256()
    for rel in sorted(submission.files):
        _add(digest, b"file", rel.encode(), submission.files[rel])
    for name in sorted(submission.notebooks):
        _add(digest, b"notebook", name.encode(), submission.notebooks[name])
    return digest.hexdigest()


def raw_sha256(path):
    """SHA-256 of a file, or of every file below a folder (sorted paths and bytes, links by target).

    A folder's files are opened through graders.untrusted (no link followed on the way) and
    streamed, so a large file costs time, not memory. None if anything cannot be read.
    """
    path = Path(path)
    digest = hashlib.sha256()
    try:
        if path.is_dir():
            top = os.path.realpath(path)  # the path given is followed; nothing below it is
            for rel, full in _walk(top):
                if os.path.islink(full):
                    _add(digest, b"link", rel.encode(), os.readlink(full).encode())
                elif os.path.isfile(full):
                    with open_regular(top, rel) as f:
                        _add_stream(digest, b"file", rel.encode(), f)
        elif path.is_file():
            with open(path, "rb") as f:
                while block := f.read(_BLOCK):
                    digest.update(block)
        else:
            return None
    except (OSError, UnreadableOutput):
        return None
    return digest.hexdigest()


def rubric_sha256(rubric):
    """SHA-256 of the rubric's checks, limits and notebook settings (not of its path, comments or layout)."""
    content = {"checks": [asdict(c) for c in rubric.checks], "limits": asdict(rubric.limits),
               "notebook": asdict(rubric.notebook)}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


@functools.lru_cache(maxsize=8)
def code_sha256(assignment_folder):
    """SHA-256 of the code verdicts depend on: the grader's modules and the assignment's folder
    (its checks, rubric and reference package)."""
    graders = Path(__file__).resolve().parent
    return tree_sha256({"graders": (graders, ("report",)), "assignment": (Path(assignment_folder), ())})


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


def _add_stream(digest, kind, name, f):
    """_add for the contents of an open regular file, read in blocks (its length from fstat)."""
    size = os.fstat(f.fileno()).st_size
    for part in (kind, name):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    digest.update(size.to_bytes(8, "big"))
    left = size
    while left and (block := f.read(min(_BLOCK, left))):
        digest.update(block)
        left -= len(block)
    if left:
        raise OSError("a file shrank while it was hashed")


def _walk(root):
    """(relative path, full path) of every entry below root, sorted, links not followed."""
    found = []
    for folder, dirs, files in os.walk(root):
        for entry in dirs + files:
            full = os.path.join(folder, entry)
            if entry in files or os.path.islink(full):
                found.append((os.path.relpath(full, root).replace(os.sep, "/"), full))
    return sorted(found)
