"""A folder to run one submission in: trusted provided files plus the student's own.

Only the files students are meant to edit are taken from the submission; every
other file of the package comes from the grader's trusted copy, with the
prebuilt Cython extension. Edits a student made to provided files are noted
and have no effect.
"""
import hashlib
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

STUDENT_FILES = ("cs231n/layers.py", "cs231n/classifiers/cnn.py")
CHILD_SCRIPT = "grader_child.py"
SKIP = ("__pycache__", "datasets", "build")


@dataclass(frozen=True)
class Workspace:
    root: Path           # the child's working directory; cs231n/ sits inside
    student_files: tuple[str, ...]   # student files taken from the submission
    missing: tuple[str, ...]         # student files the submission lacks
    notes: tuple[str, ...]

    @property
    def package(self):
        return self.root / "cs231n"

    @property
    def child_script(self):
        return self.root / CHILD_SCRIPT

    def job_dir(self, name):
        """A fresh, empty folder for one check's inputs and outputs."""
        path = self.root / "jobs" / name
        shutil.rmtree(path, ignore_errors=True)
        (path / "out").mkdir(parents=True)
        return path


def provided_package():
    """The trusted package the provided files and the extension are copied from."""
    return Path(str(resources.files("cs231n")))


def build_workspace(submission, root, provided=None):
    """Lay out root/cs231n from the provided files and the submission's student files."""
    provided = Path(provided or provided_package())
    root = Path(root)
    package = root / "cs231n"
    shutil.copytree(provided, package, ignore=skip_solutions(provided))

    taken, missing = [], []
    for relative in STUDENT_FILES:
        content = submission.files.get(relative)
        if content is None:
            missing.append(relative)
            continue
        (root / relative).write_bytes(content)
        taken.append(relative)

    shutil.copy(Path(__file__).with_name("child.py"), root / CHILD_SCRIPT)
    notes = ignored_edits(submission.files, provided)
    notes += ["%s is not in the submission: its checks fail" % m for m in missing]
    return Workspace(root=root, student_files=tuple(taken), missing=tuple(missing), notes=tuple(notes))


def skip_solutions(provided):
    """copytree filter: junk folders, and the reference's own student files (its solutions)."""
    solutions = {provided.parent / relative for relative in STUDENT_FILES}

    def ignore(folder, names):
        return [n for n in names if n in SKIP or Path(folder) / n in solutions]

    return ignore


def ignored_edits(files, provided):
    """Notes for submitted provided files that differ from the trusted copies."""
    notes = []
    for relative, content in sorted(files.items()):
        if relative in STUDENT_FILES:
            continue
        trusted = provided.parent / relative
        if trusted.is_file() and digest(trusted.read_bytes()) != digest(content):
            notes.append(
                "%s differs from the provided file; the provided version was used (only %s are graded)"
                % (relative, " and ".join(STUDENT_FILES))
            )
    return notes


def digest(content):
    """Hash of a file's text with line endings and trailing whitespace normalised."""
    lines = content.decode("utf-8", "replace").replace("\r\n", "\n").split("\n")
    return hashlib.sha256("\n".join(l.rstrip() for l in lines).strip().encode()).hexdigest()
