"""Intake: turn one student submission (a zip or a folder) into the files the grader needs.

`read_submission` accepts the layouts students actually hand in, for the assignment's package
(its `Layout`; `cs231n` in the examples): the package at the top of a zip, inside one top folder
(`assignment2/cs231n/...`), only the edited files, flat `layers.py` / `cnn.py` with no package
folder, a folder holding `cs231n/` (or the `cs231n/` folder itself), and a zip or folder that
only wraps one inner zip (unwrapped one level). It returns a `Submission` holding every `*.py`
and `*.pyx` of the package under keys starting with "cs231n/", the bytes of each of the
assignment's notebooks that is present (`FullyConnectedNets.ipynb`, ...), and plain-language
notes for the report.

Safety rules (anything else is refused with an `IntakeError` whose text tells the student or
instructor what is wrong and what to do):

- Nothing is extracted or written to disk; zip entries are streamed with bounded reads, and
  sizes declared in zip headers are never trusted alone.
- Entry names must be relative and stay inside the submission: no absolute paths, drive
  letters or `..` components. Backslashes are read as folder separators (old Windows zip tools
  write them) and the result must obey the same rules; names that collide after this
  normalisation are refused.
- Symbolic links are never followed. A link in a zip is refused (unless it sits in ignored
  junk); in a folder, a link (or special file) is refused when the grader would read it, and a
  linked folder is refused when it is inside the package. A folder's files are read through
  graders/untrusted.py, each path component opened without following links.
- `IntakeLimits` caps the archive size, the entry count, each file read, the total read and
  the compression ratio of every entry read (entries that unpack to 64 KiB or less are exempt
  from the ratio test, so tiny but repetitive files are not mistaken for zip bombs).
- Junk (`__MACOSX/`, `__pycache__/`, `.ipynb_checkpoints/`, `build/`, `cs231n/datasets/`,
  compiled files, `.DS_Store`, ...) is skipped without being read, and summarised in the notes.
"""
from __future__ import annotations

import functools
import io
import os
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO, Mapping, Protocol

from .assignment import load_assignment
from .untrusted import UnreadableOutput, describe_size, read_bytes
from .workspace import student_files

SOURCE_SUFFIXES = (".py", ".pyx")
JUNK_DIRS = frozenset({
    "__MACOSX", "__pycache__", ".ipynb_checkpoints", "build", "cifar-10-batches-py",
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".pytest_cache", ".mypy_cache",
    ".idea", ".vscode",
})
METADATA_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
COMPILED_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd", ".c", ".o", ".dll", ".dylib")
METADATA_LABEL = "macOS/Windows metadata file(s) (.DS_Store, ._*)"
COMPILED_LABEL = "compiled or generated file(s) (*.pyc, *.so, *.c, ...)"

REMAKE_ZIP = "Re-create the zip with the course's collect_submission script and submit again."

_CHUNK = 64 * 1024
_RATIO_FLOOR = 64 * 1024  # entries unpacking to at most this many bytes skip the ratio test
_DRIVE = re.compile(r"[A-Za-z]:")
_EOCD = struct.Struct("<4s4H2LH")  # zip "end of central directory" record
_ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError,
                    RuntimeError, OSError, ValueError, struct.error)


@dataclass(frozen=True)
class IntakeLimits:
    """Caps on what intake will open and read."""

    max_archive_bytes: int = 100 * 2**20  # size of the zip file itself
    max_total_bytes: int = 64 * 2**20     # sum of uncompressed sizes of the files we read
    max_file_bytes: int = 8 * 2**20       # any one file we read
    max_entries: int = 5000               # entries in an archive / files walked in a folder
    max_ratio: float = 200.0              # compression ratio of any entry (zip-bomb guard)


@dataclass(frozen=True)
class Layout:
    """What intake looks for in a submission: the assignment's package and student files."""

    package: str                     # "cs231n"
    student_paths: tuple[str, ...]   # inside the package: "layers.py", "classifiers/cnn.py", ...
    notebooks: tuple[str, ...]       # the assignment's notebooks, by file name
    zip_name: str                    # what the course's collect script makes

    @classmethod
    @functools.cache
    def of(cls, assignment):
        """The layout of an Assignment: its student files are those of its reference with a
        solution region, so no list of them is written anywhere."""
        paths = tuple(sorted(p.split("/", 1)[1] for p in student_files(assignment.reference)))
        notebooks = tuple(n.file for n in assignment.notebooks)
        return cls(assignment.package, paths, notebooks, assignment.zip_name)

    def expected(self) -> str:
        held = " and ".join(self.student_paths)
        beside = f" (next to {', '.join(self.notebooks)})" if self.notebooks else ""
        command = " ".join(("zip -r", self.zip_name, self.package) + self.notebooks)
        return (f"Expected layout: a {self.package}/ folder holding {held}{beside}, at the top "
                "of the zip or inside one folder, as made by the course's collect_submission script "
                f"(or `{command}`).")


@dataclass(frozen=True)
class Submission:
    """What the grader needs from one submission."""

    name: str                   # submission id: file/folder name without .zip
    files: Mapping[str, bytes]  # "cs231n/layers.py", "cs231n/classifiers/cnn.py", ... -> content
    notebooks: Mapping[str, bytes]      # "ConvolutionalNetworks.ipynb" -> content, for those found
    notebook_paths: Mapping[str, str]   # where each was found, as named in the submission (or inner zip)
    notes: tuple[str, ...]      # plain-language notes for the report


class IntakeError(Exception):
    """A submission that cannot be accepted; str(error) says why and what to do."""


@dataclass(frozen=True)
class _Entry:
    """One file (or, in a folder, one link) found in a submission."""

    name: str                  # as named in the submission
    path: str                  # normalised relative path with forward slashes
    size: int                  # declared (zip) or stat (folder) size in bytes
    kind: str = "file"         # "file", "symlink", "dirlink" (link to a folder) or "special"
    ref: object = field(default=None, compare=False, repr=False)  # ZipInfo or absolute path


@dataclass(frozen=True)
class _Listing:
    """Everything in a submission that is not junk, plus what messages need."""

    label: str                 # how messages name the submission
    entries: tuple[_Entry, ...]
    top: tuple[str, ...]       # top-level names (folders end with "/"), for messages
    notes: tuple[str, ...]     # ignored junk, separators, unwrapping


class _Source(Protocol):
    label: str

    def read(self, entry: _Entry, cap: int) -> bytes:
        """Return the entry's bytes, or at least cap + 1 bytes if it is larger than cap."""


class _TooLarge(Exception):
    """A source found an entry over the cap without reading it; args[0] is its size."""


# ----------------------------------------------------------------------------- entry point

def read_submission(path: Path | str, limits: IntakeLimits = IntakeLimits(),
                    name: str | None = None, layout: Layout | None = None) -> Submission:
    """Read a submission zip or folder laid out for layout (None: the shipped assignment's);
    raise IntakeError if it cannot be accepted."""
    layout = layout or Layout.of(load_assignment())
    target = Path(path)
    sub_name = name or _default_name(target)
    if target.is_dir():
        listing = _FolderWalk(target, limits, layout.package).run()
        return _assemble(listing, _FolderSource(target, listing.label), sub_name, limits, True, layout)
    return read_zip_bytes(read_archive(target, limits), target.name, sub_name, limits, layout)


def read_archive(path: Path | str, limits: IntakeLimits = IntakeLimits()) -> bytes:
    """The bytes of a submission zip, read once and whole (at most max_archive_bytes), so that
    what is hashed and what is graded are the same bytes; IntakeError if it cannot be read.
    The path given is followed (it is the caller's, not the student's)."""
    target = Path(path)
    if not target.is_file():
        raise IntakeError(f"{target}: no such file or folder. Give the submission zip, "
                          "or the folder that holds the assignment's package.")
    _check_archive_size(target.stat().st_size, target.name, limits)
    try:
        with open(target, "rb") as stream:
            data = stream.read(limits.max_archive_bytes + 1)
    except OSError as exc:
        raise IntakeError(f"{target.name}: could not open the file ({exc.strerror or exc}). "
                          "Check that it exists and is readable by the grader.") from exc
    _check_archive_size(len(data), target.name, limits)  # it grew since it was measured
    return data


def read_zip_bytes(data: bytes, label: str, name: str,
                   limits: IntakeLimits = IntakeLimits(), layout: Layout | None = None) -> Submission:
    """The Submission in a zip archive's bytes (see read_archive); label names it in messages."""
    layout = layout or Layout.of(load_assignment())
    return _read_zip_stream(io.BytesIO(data), label, name, limits, True, (), layout)


def submission_name(path: Path | str) -> str:
    """The id a submission gets from its path: the file or folder name without .zip, made
    printable (see readable_name)."""
    return _default_name(Path(path))


def _default_name(target: Path) -> str:
    base = Path(os.path.abspath(target)).name
    if base.lower().endswith(".zip") and len(base) > 4:
        base = base[:-4]
    return readable_name(base) or "submission"


def readable_name(name: str) -> str:
    """A file name as printable text: bytes that are not UTF-8 and control characters become
    Python-style escapes ("M\\xfcller", "a\\x1bb"), so the id can be shown on a terminal, in
    a spreadsheet or in XML as it is. Other characters are kept."""
    try:
        name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that escapes no byte (only from Python callers)
        pass
    return "".join(_escaped(ch) if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in name)


def _escaped(ch: str) -> str:
    return ch.encode("unicode_escape").decode("ascii")


def _assemble(listing: _Listing, source: _Source, name: str, limits: IntakeLimits,
              unwrap: bool, layout: Layout) -> Submission:
    root = _find_root(listing, layout)
    if root is None:
        inner = _single_zip(listing) if unwrap else None
        if inner is None:
            raise _not_found(listing, unwrap, layout)
        return _unwrap(inner, source, listing, name, limits, layout)
    plan, plan_notes = _plan_files(listing.entries, root, layout)
    notebooks, nb_notes = _pick_notebooks(listing.entries, root, layout)
    files, nb_bytes = _read_planned(source, plan, notebooks, limits)
    notes = ((_layout_note(root, listing.label, layout.package),) + plan_notes + nb_notes + listing.notes
             + _unused_notes(listing.entries, plan, notebooks))
    return Submission(name=name, files=MappingProxyType(files), notebooks=MappingProxyType(nb_bytes),
                      notebook_paths=MappingProxyType({k: e.name for k, e in notebooks.items()}), notes=notes)


# ----------------------------------------------------------------------------- paths and junk

def _normalise(raw: str, label: str) -> str:
    """Return an archive entry name as a safe relative path with forward slashes."""
    text = raw.replace("\\", "/")
    if text.startswith("/"):
        raise _bad_name(label, raw, "is an absolute path")
    if _DRIVE.match(text):
        raise _bad_name(label, raw, "starts with a drive letter")
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise _bad_name(label, raw, "has a '..' component, which points outside the submission")
    return "/".join(parts)


def _bad_name(label: str, raw: str, why: str) -> IntakeError:
    return IntakeError(f"{label}: the entry '{raw}' {why}; such names are not accepted. "
                       f"{REMAKE_ZIP}")


def _is_junk_dir(parts: list[str], package: str) -> bool:
    last = parts[-1]
    return (last in JUNK_DIRS or last.endswith(".egg-info")
            or (last == "datasets" and len(parts) > 1 and parts[-2] == package))


def _junk_label(path: str, package: str, is_dir: bool = False) -> str | None:
    """Why a path is ignored: its junk folder ("a/__pycache__/") or a file category; else None."""
    parts = path.split("/")
    folders = parts if is_dir else parts[:-1]
    for depth in range(1, len(folders) + 1):
        if _is_junk_dir(folders[:depth], package):
            return "/".join(folders[:depth]) + "/"
    if is_dir:
        return None
    leaf = parts[-1]
    if leaf in METADATA_FILES or leaf.startswith("._"):
        return METADATA_LABEL
    return COMPILED_LABEL if leaf.lower().endswith(COMPILED_SUFFIXES) else None


def _ignored_notes(ignored: Counter[str], walked: bool) -> tuple[str, ...]:
    """Summarise ignored junk, grouping folders of the same name (e.g. many __pycache__/)."""
    groups: dict[str, list[str]] = {}
    for label in sorted(ignored):
        key = label.rstrip("/").rsplit("/", 1)[-1] + "/" if label.endswith("/") else label
        groups.setdefault(key, []).append(label)
    return tuple(_ignored_note(key, labels, sum(ignored[x] for x in labels), walked)
                 for key, labels in groups.items())


def _ignored_note(key: str, labels: list[str], count: int, walked: bool) -> str:
    if not key.endswith("/"):
        return f"ignored {count} {key}"
    where = labels[0] if len(labels) == 1 else f"{len(labels)} {key} folders"
    if walked:
        return f"skipped {where} without reading it (not needed for grading)"
    return f"ignored {count} file(s) under {where}"


def _parent(path: str) -> str:
    return path.rpartition("/")[0]


def _basename(path: str) -> str:
    return path.rpartition("/")[2]


def _depth(path: str) -> int:
    return path.count("/") + 1 if path else 0


# ----------------------------------------------------------------------------- zips

def _check_archive_size(size: int, label: str, limits: IntakeLimits) -> None:
    if size > limits.max_archive_bytes:
        raise IntakeError(
            f"{label} is {describe_size(size)}, more than the {describe_size(limits.max_archive_bytes)} allowed "
            "for a submission archive. Leave out data sets (the package's datasets/) and other "
            f"large files. {REMAKE_ZIP}")


def _check_count(count: int, label: str, limits: IntakeLimits) -> None:
    if count > limits.max_entries:
        raise IntakeError(
            f"{label} holds {count} entries, more than the {limits.max_entries} allowed. Submit "
            f"only the package and the notebooks, without data or virtual environments. "
            f"{REMAKE_ZIP}")


def _declared_entry_count(stream: BinaryIO) -> int | None:
    """The entry count in the end-of-central-directory record, read before zipfile parses it."""
    end = stream.seek(0, io.SEEK_END)
    start = max(0, end - _EOCD.size - 0xFFFF)
    stream.seek(start)
    tail = stream.read(end - start)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        return None
    fields = _EOCD.unpack_from(tail, at)
    if at + _EOCD.size + fields[7] != len(tail):  # not the real record: let zipfile decide
        return None
    return None if fields[4] == 0xFFFF else fields[4]  # 0xFFFF: zip64, counted after parsing


def _read_zip_stream(stream: BinaryIO, label: str, name: str, limits: IntakeLimits,
                     unwrap: bool, notes: tuple[str, ...], layout: Layout) -> Submission:
    count = _declared_entry_count(stream)
    if count is not None:
        _check_count(count, label, limits)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error) as exc:
        raise IntakeError(f"{label} is not a readable zip archive ({exc}). Submit the zip made "
                          f"by the course's collect_submission script. {REMAKE_ZIP}") from exc
    with archive:
        listing = _list_zip(archive, label, limits, layout.package)
        listing = _Listing(listing.label, listing.entries, listing.top, notes + listing.notes)
        return _assemble(listing, _ZipSource(archive, label, limits), name, limits, unwrap, layout)


def _list_zip(archive: zipfile.ZipFile, label: str, limits: IntakeLimits, package: str) -> _Listing:
    infos = archive.infolist()
    _check_count(len(infos), label, limits)
    entries, seen, ignored, top = [], {}, Counter(), set()
    for info in infos:
        path = _normalise(info.filename, label)
        is_dir = info.filename.endswith(("/", "\\"))
        if path:
            top.add(path.split("/")[0] + ("/" if is_dir or "/" in path else ""))
        if is_dir or not path:
            continue
        _check_unique(path, info.filename, seen, label)
        junk = _junk_label(path, package)
        if junk:
            ignored[junk] += 1
            continue
        _check_zip_flags(info, label)
        entries.append(_Entry(info.filename, path, info.file_size, ref=info))
    notes = _ignored_notes(ignored, walked=False) + _backslash_note(infos)
    return _Listing(label, tuple(entries), tuple(sorted(top)), notes)


def _check_unique(path: str, raw: str, seen: dict[str, str], label: str) -> None:
    if path in seen:
        raise IntakeError(f"{label}: the entries '{seen[path]}' and '{raw}' both name {path}; "
                          f"a zip must hold each file once. {REMAKE_ZIP}")
    seen[path] = raw


def _check_zip_flags(info: zipfile.ZipInfo, label: str) -> None:
    if stat.S_ISLNK(info.external_attr >> 16):
        raise IntakeError(f"{label}: the entry '{info.filename}' is a symbolic link; links are not "
                          f"accepted. Zip real copies of the files instead. {REMAKE_ZIP}")
    if info.flag_bits & 0x1:
        raise IntakeError(f"{label}: the entry '{info.filename}' is encrypted "
                          f"(password-protected). Submit a zip without a password. {REMAKE_ZIP}")


def _backslash_note(infos: list[zipfile.ZipInfo]) -> tuple[str, ...]:
    if any("\\" in info.filename for info in infos):
        return ("entry names used backslashes (\\); they were read as folder separators",)
    return ()


@dataclass(frozen=True)
class _ZipSource:
    """Bounded, ratio-checked reads of zip entries."""

    archive: zipfile.ZipFile
    label: str
    limits: IntakeLimits

    def read(self, entry: _Entry, cap: int) -> bytes:
        info = entry.ref
        self._check_ratio(entry, info.file_size, info.compress_size)
        try:
            with self.archive.open(info) as stream:
                return self._drain(entry, stream, info.compress_size, cap)
        except _ZIP_READ_ERRORS as exc:
            raise IntakeError(
                f"{self.label}: could not read the entry '{entry.name}' ({exc}); the zip is "
                f"damaged or uses an unsupported compression method. {REMAKE_ZIP}") from exc

    def _drain(self, entry: _Entry, stream: BinaryIO, packed: int, cap: int) -> bytes:
        chunks, got = [], 0
        while got <= cap and (chunk := stream.read(_CHUNK)):
            chunks.append(chunk)
            got += len(chunk)
            self._check_ratio(entry, got, packed)
        return b"".join(chunks)

    def _check_ratio(self, entry: _Entry, size: int, packed: int) -> None:
        if size > _RATIO_FLOOR and size > self.limits.max_ratio * packed:
            raise IntakeError(
                f"{self.label}: the entry '{entry.name}' unpacks from {describe_size(packed)} to "
                f"{describe_size(size)} or more, a compression ratio over {self.limits.max_ratio:g}; "
                f"it looks like a zip bomb and is refused. {REMAKE_ZIP}")


# ----------------------------------------------------------------------------- folders

class _FolderWalk:
    """Lists a folder without following links or entering junk folders."""

    def __init__(self, top: Path, limits: IntakeLimits, package: str) -> None:
        self.top, self.limits, self.package = top, limits, package
        self.label = Path(os.path.abspath(top)).name or str(top)
        self.seen = 0
        self.entries: list[_Entry] = []
        self.ignored: Counter[str] = Counter()
        self.top_names: set[str] = set()

    def run(self) -> _Listing:
        pending = [""]
        while pending:
            rel = pending.pop()
            for item in self._scan(rel):
                path = f"{rel}/{item.name}" if rel else item.name
                if self._visit(item, path):
                    pending.append(path)
        return _Listing(self.label, tuple(sorted(self.entries, key=lambda e: e.path)),
                        tuple(sorted(self.top_names)), _ignored_notes(self.ignored, walked=True))

    def _scan(self, rel: str) -> list[os.DirEntry]:
        try:
            with os.scandir(self.top / rel) as items:
                found = sorted(items, key=lambda item: item.name)
        except OSError as exc:
            raise IntakeError(f"{self.label}: could not list the folder '{rel or '.'}' "
                              f"({exc.strerror or exc}). Check its permissions.") from exc
        self.seen += len(found)
        if self.seen > self.limits.max_entries:
            raise IntakeError(f"{self.label} holds more than {self.limits.max_entries} files and "
                              f"folders. Point the grader at the folder holding {self.package}/, without "
                              "data, virtual environments or other assignments.")
        return found

    def _visit(self, item: os.DirEntry, path: str) -> bool:
        """Record one directory entry; return True if the walk should descend into it."""
        try:
            link, is_dir = item.is_symlink(), item.is_dir()  # is_dir follows: tells folder links
            regular = item.is_file(follow_symlinks=False)
            size = item.stat(follow_symlinks=False).st_size
        except OSError as exc:
            raise IntakeError(f"{self.label}: could not inspect '{path}' "
                              f"({exc.strerror or exc}). Check its permissions.") from exc
        if "/" not in path:
            self.top_names.add(path + ("/" if is_dir else ""))
        junk = _junk_label(path, self.package, is_dir)
        if junk:
            self.ignored[junk] += 1
            return False
        if is_dir and not link:
            return True
        kind = "dirlink" if is_dir else "symlink" if link else "file" if regular else "special"
        self.entries.append(_Entry(path, path, size, kind, ref=item.path))
        return False


@dataclass(frozen=True)
class _FolderSource:
    """Bounded reads of regular files (graders.untrusted.read_bytes), refusing anything
    reached through a link: every folder on the way is opened without following links."""

    top: Path
    label: str

    def read(self, entry: _Entry, cap: int) -> bytes:
        try:  # the path given is followed (it is the grader's caller's); nothing below it is
            return read_bytes(os.path.realpath(self.top), entry.path, cap)
        except UnreadableOutput as exc:
            if exc.too_large is not None:
                raise _TooLarge(exc.too_large) from None
            if exc.link:
                raise _link_error(self.label, entry.name, "is reached through a symbolic link") from None
            if exc.special:
                raise _link_error(self.label, entry.name, "is not a regular file") from None
            raise IntakeError(
                f"{self.label}: could not read '{entry.name}' ({exc}). Check that the file exists "
                "and is readable by the grader, then grade again.") from None


def _link_error(label: str, name: str, what: str) -> IntakeError:
    return IntakeError(f"{label}: '{name}' {what}; the grader does not follow links or read "
                       "special files. Replace it with a real copy and submit again.")


# ----------------------------------------------------------------------------- layout

def _package_root(path: str, student: str) -> str | None:
    """The package folder that path implies if it is the student file `student` (a path inside
    the package), where it belongs or flat beside the others ("cnn.py" for "classifiers/cnn.py")."""
    if path == student or path.endswith("/" + student):
        return path[:len(path) - len(student)].rstrip("/")
    folder, sub = _parent(path), _parent(student)
    if sub and _basename(path) == _basename(student) and _basename(folder) != _basename(sub):
        return folder
    return None


def _root_candidates(entries: tuple[_Entry, ...], layout: Layout) -> set[str]:
    """Folders that look like the package: they hold a student file, in place or flat."""
    found = set()
    for entry in entries:
        if entry.kind == "dirlink":
            continue
        found.update(r for r in (_package_root(entry.path, s) for s in layout.student_paths) if r is not None)
    return found


def _find_root(listing: _Listing, layout: Layout) -> str | None:
    """The package folder: one named as the package if any, else a flat one; the shallowest wins."""
    candidates = _root_candidates(listing.entries, layout)
    pool = {c for c in candidates if _basename(c) == layout.package} or candidates
    if not pool:
        return None
    depth = min(_depth(c) for c in pool)
    best = sorted(c for c in pool if _depth(c) == depth)
    if len(best) > 1:
        shown = " and ".join(f"{c}/" for c in best[:2])
        raise IntakeError(f"{listing.label}: found two {layout.package} packages at the same depth, {shown}; "
                          "the grader cannot tell which to grade. Keep only one and submit again.")
    return best[0]


def _plan_files(entries: tuple[_Entry, ...], root: str,
                layout: Layout) -> tuple[dict[str, _Entry], tuple[str, ...]]:
    """Map the package's sources (and any folder links inside it) to "<package>/..." keys."""
    package = layout.package
    start = f"{root}/" if root else ""
    wanted = [e for e in entries if e.path.startswith(start)
              and (e.path.endswith(SOURCE_SUFFIXES) or e.kind == "dirlink")]
    plan = {f"{package}/{e.path[len(start):]}": e for e in wanted}
    notes = []
    for student in layout.student_paths:  # a student file handed in flat goes where it belongs
        flat, nested = f"{package}/{_basename(student)}", f"{package}/{student}"
        if flat != nested and flat in plan and nested not in plan:
            plan[nested] = plan.pop(flat)
            notes.append(f"mapped {plan[nested].name} to {nested}")
    return plan, tuple(notes)


def _pick_notebooks(entries: tuple[_Entry, ...], root: str,
                    layout: Layout) -> tuple[dict[str, _Entry], tuple[str, ...]]:
    """Each of the assignment's notebooks that the submission holds, by file name; notes on
    those not found and those not next to the package."""
    picked, notes = {}, []
    for name in layout.notebooks:
        entry, note = _pick_notebook(entries, root, layout.package, name)
        if entry is not None:
            picked[name] = entry
        notes += [note] if note else []
    missing = [name for name in layout.notebooks if name not in picked]
    if missing:
        notes.append(f"{' and '.join(missing)} {'was' if len(missing) == 1 else 'were'} not found"
                     if picked else "no notebook was found: " + ", ".join(missing))
    return picked, tuple(notes)


def _pick_notebook(entries: tuple[_Entry, ...], root: str, package: str,
                   name: str) -> tuple[_Entry | None, str | None]:
    """The notebook next to the package if there is one, else the shallowest anywhere."""
    found = sorted((e for e in entries if _basename(e.path) == name), key=lambda e: (_depth(e.path), e.path))
    beside = _parent(root) if _basename(root) == package else root
    near = [e for e in found if _parent(e.path) == beside]
    if near:
        return near[0], None
    if not found:
        return None, None
    extra = f" (found {len(found)} copies)" if len(found) > 1 else ""
    return found[0], f"used {found[0].name}{extra}; it is not next to the package folder"


def _layout_note(root: str, label: str, package: str) -> str:
    if _basename(root) == package:
        where = _parent(root)
        return f"found {package}/ under {where}/" if where else f"found {package}/ at the top level"
    if not root and label == package:
        return f"the folder given is the {package}/ package itself"
    where = f"in {root}/" if root else "at the top level"
    return f"no {package}/ folder: read the files {where} as the {package} package"


def _unused_notes(entries: tuple[_Entry, ...], plan: dict[str, _Entry],
                  notebooks: dict[str, _Entry]) -> tuple[str, ...]:
    used = {e.path for e in plan.values()} | {e.path for e in notebooks.values()}
    links = [e.name for e in entries if e.kind == "dirlink" and e.path not in used]
    rest = [e.name for e in entries if e.kind != "dirlink" and e.path not in used]
    notes = (f"did not follow symlinked folder(s): {', '.join(links)}",) if links else ()
    if rest:
        shown = ", ".join(rest[:5]) + (f" and {len(rest) - 5} more" if len(rest) > 5 else "")
        notes += (f"not read (not needed for grading): {shown}",)
    return notes


def _single_zip(listing: _Listing) -> _Entry | None:
    zips = [e for e in listing.entries if e.path.lower().endswith(".zip")]
    return zips[0] if len(zips) == 1 else None


def _not_found(listing: _Listing, unwrapped: bool, layout: Layout) -> IntakeError:
    shown = ", ".join(listing.top[:8]) + (f" and {len(listing.top) - 8} more"
                                          if len(listing.top) > 8 else "")
    missing = " and no ".join(f"{layout.package}/{s}" for s in layout.student_paths)
    parts = [f"{listing.label}: found no {missing}.",
             f"Its top level holds: {shown}." if shown else "It is empty."]
    links = [e.name for e in listing.entries if e.kind == "dirlink"]
    if links:
        parts.append(f"Symbolic links to folders are not followed ({', '.join(links[:3])}); "
                     "replace them with real folders.")
    zips = [e.name for e in listing.entries if e.path.lower().endswith(".zip")]
    if len(zips) > 1 and unwrapped:
        parts.append(f"It holds several zips ({', '.join(zips[:3])}); submit only one.")
    elif zips and not unwrapped:
        parts.append(f"It holds {zips[0]} inside a zip; only one level of zips is unwrapped.")
    parts.append(layout.expected())
    return IntakeError(" ".join(parts))


# ----------------------------------------------------------------------------- reading

def _require_regular(entry: _Entry, label: str) -> None:
    what = {"symlink": "is a symbolic link", "dirlink": "is a symbolic link to a folder",
            "special": "is not a regular file"}.get(entry.kind)
    if what:
        raise _link_error(label, entry.name, what)


def _read_capped(source: _Source, entry: _Entry, cap: int, advice: str) -> bytes:
    _require_regular(entry, source.label)
    try:
        data = b"" if entry.size > cap else source.read(entry, cap)
        size = max(entry.size, len(data))
    except _TooLarge as grown:  # it grew over the cap after it was listed
        size = grown.args[0]
    if size > cap:
        raise IntakeError(f"{source.label}: '{entry.name}' is {describe_size(size)} or more, over the "
                          f"{describe_size(cap)} limit for one file. {advice}")
    return data


def _read_planned(source: _Source, plan: dict[str, _Entry], notebooks: dict[str, _Entry],
                  limits: IntakeLimits) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The planned package files and the notebooks (by file name), read under the caps."""
    advice = "Clear large notebook outputs and remove large files, then submit again."
    items = [(("file", k), e) for k, e in sorted(plan.items())] + [(("notebook", k), e) for k, e in notebooks.items()]
    files, nb_bytes, total = {}, {}, 0
    for (kind, key), entry in items:
        data = _read_capped(source, entry, limits.max_file_bytes, advice)
        total += len(data)
        if total > limits.max_total_bytes:
            raise IntakeError(f"{source.label}: the files to grade add up to more than "
                              f"{describe_size(limits.max_total_bytes)} (limit reached at '{entry.name}'). "
                              f"{advice}")
        (nb_bytes if kind == "notebook" else files)[key] = data
    return files, nb_bytes


def _unwrap(inner: _Entry, source: _Source, listing: _Listing, name: str,
            limits: IntakeLimits, layout: Layout) -> Submission:
    """Read a submission that is a single zip inside a folder or zip (one level only)."""
    data = _read_capped(source, inner, limits.max_archive_bytes,
                        f"Leave out data sets ({layout.package}/datasets/) and other large files.")
    note = f"the submission holds a single zip, {inner.name}; read the files from it"
    label = f"{inner.name} (inside {listing.label})"
    return _read_zip_stream(io.BytesIO(data), label, name, limits, False, listing.notes + (note,), layout)
