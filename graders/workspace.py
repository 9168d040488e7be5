"""Folders to run one submission in: trusted provided files plus the student's own.

Only the files students are meant to edit are taken from the submission; every
other file of the package comes from the grader's trusted copy, with the
prebuilt Cython extension. Edits a student made to provided files are noted
and have no effect.

The package is laid out once per submission in two views, in a folder no child can
enter: the full one, and a "naive" one in which the fast layers, im2col and the
extension are stand-ins that raise FastPathUnavailable (the checks of the naive layers
run there, so a naive layer that delegates to the fast path fails and says why). Every
sandboxed run then gets folders of its own (fresh_run): a copy of one view as its
working directory, an input folder it can only read, and an output folder, all removed
afterwards. Nothing a run leaves behind (files, links, a changed provided file) reaches
another run, and the grader reads the output folder through a handle it holds, never
following a link.
"""
import contextlib
import functools
import hashlib
import importlib
import shutil
import tempfile
import types
from dataclasses import dataclass
from pathlib import Path

from .assignment import STAND_IN_ERROR
from .solutions import has_solution_region, strip_solutions

CHILD_SCRIPT = "grader_child.py"
SKIP = ("__pycache__", "datasets", "build")


@dataclass(frozen=True)
class RunFolders:
    """The folders of one sandboxed run."""

    root: Path     # the child's working directory: a fresh copy of a view (the package, the child script)
    inputs: Path   # written by the grader, read-only to the child
    out: Path      # the only folder outside root the child may write; read back as untrusted data

    @property
    def child_script(self):
        return self.root / CHILD_SCRIPT


@dataclass(frozen=True)
class Workspace:
    assignment: object               # the Assignment the workspace was built for
    views: Path                      # full/ and naive/, each holding the package and the child script
    runs: Path                       # one folder per run in progress
    student_files: tuple[str, ...]   # student files taken from the submission
    missing: tuple[str, ...]         # student files the submission lacks
    notes: tuple[str, ...]

    @contextlib.contextmanager
    def fresh_run(self, name, fast_path=True):
        """RunFolders for one run (named for messages), removed when the block ends."""
        base = Path(tempfile.mkdtemp(prefix=name + "-", dir=self.runs))
        base.chmod(0o711)
        try:
            folders = RunFolders(base / "ws", base / "in", base / "out")
            shutil.copytree(self.views / ("full" if fast_path else "naive"), folders.root, symlinks=True)
            folders.root.chmod(0o700)
            folders.inputs.mkdir(mode=0o755)
            folders.out.mkdir(mode=0o700)
            yield folders
        finally:
            shutil.rmtree(base, ignore_errors=True)


def build_workspace(submission, root, assignment, provided=None):
    """Lay out the views root/views/{full,naive} from the provided files (the assignment's
    reference package, or another folder) and the submission's student files; runs get their
    folders in root/runs (see Workspace.fresh_run)."""
    provided = Path(provided or assignment.reference)
    root = Path(root)
    views, runs = root / "views", root / "runs"
    views.mkdir(mode=0o700, parents=True)
    runs.mkdir(mode=0o711)
    students = student_files(provided)
    for name in ("full", "naive"):
        lay_out(views / name, submission, provided, students)
    stub_fast_path(views / "naive" / provided.name, assignment)
    taken = tuple(r for r in students if r in submission.files)
    missing = tuple(r for r in students if r not in submission.files)
    notes = ignored_edits(submission.files, provided, students)
    notes += ["%s is not in the submission: the starter's version stands in, so its functions are not started"
              % m for m in missing]
    return Workspace(assignment=assignment, views=views, runs=runs, student_files=taken, missing=missing, notes=tuple(notes))


def lay_out(folder, submission, provided, students):
    """folder/<package>: the provided files, and for each student file the student's version or,
    when the submission lacks it, the starter's (its solution regions stubbed); the child script."""
    shutil.copytree(provided, folder / provided.name, ignore=skip_solutions(provided, students))
    for relative in students:
        content = submission.files.get(relative)
        if content is None:
            content = strip_solutions((provided.parent / relative).read_text(), relative).encode()
        (folder / relative).write_bytes(content)
    shutil.copy(Path(__file__).with_name("child.py"), folder / CHILD_SCRIPT)


@functools.lru_cache(maxsize=4)
def student_files(provided):
    """The student files of the reference package at provided: every Python file with a solution
    region (see graders/release.py), as "<package>/..." paths. Never a hand-written list: a file that
    gains a region is a student file at once, and its solutions never reach a sandbox."""
    provided = Path(provided)
    found = []
    for path in sorted(provided.rglob("*.py")):
        relative = path.relative_to(provided)
        if any(part in SKIP for part in relative.parts[:-1]):
            continue
        if has_solution_region(path.read_text(errors="replace")):
            found.append("%s/%s" % (provided.name, relative.as_posix()))
    return tuple(found)


def stub_fast_path(package, assignment):
    """Replace the modules of package the assignment's naive view lists (the fast layers, im2col
    and the extension) by stand-ins that raise."""
    unavailable = assignment.naive_view.unavailable
    for entry in package.iterdir():
        if entry.name.split(".")[0] in unavailable:
            entry.unlink()
    for name in unavailable:
        (package / (name + ".py")).write_text(stub_source(name, assignment))


def stub_source(module_name, assignment):
    """A module standing in for <package>.<module_name>. `from it import *` yields the names the
    real module's star import yields: the modules it exports (np) are those modules, names of
    other packages (numpy's as_strided) are those objects, and everything of the package's own
    is a stand-in that raises FastPathUnavailable when called. Any other name asked for is a
    stand-in too."""
    message = assignment.naive_view.message
    lines = ['"""Not available here: %s"""' % assignment.unavailable_message(module_name),
             "", "", "class %s(RuntimeError):" % STAND_IN_ERROR, "    pass", "", "",
             "def _unavailable(name):", "    def stand_in(*args, **kwargs):",
             "        raise %s(%r.format(name=name))" % (STAND_IN_ERROR, message),
             "    stand_in.__name__ = name", "    return stand_in", "", "",
             "def __getattr__(name):", "    if name.startswith('__'):", "        raise AttributeError(name)",
             "    return _unavailable(name)", ""]
    names = star_names(assignment, module_name)
    own = own_modules(assignment)
    lines += [binding(name, value, own) for name, value in sorted(names.items())]
    return "\n".join(lines) + "\n"


def star_names(assignment, module_name):
    """{name: value} that `from <package>.module_name import *` yields with the reference's
    module ({} if it cannot load)."""
    try:
        module = assignment.import_reference(module_name)
    except ImportError:  # e.g. the extension is not built in a source checkout
        return {}
    public = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    return {n: getattr(module, n) for n in public}


def own_modules(assignment):
    """Test for a module name being the reference package's own: its private import name, or the
    bare name a compiled extension gives its functions (im2col_cython)."""
    files = {p.name.split(".")[0] for p in assignment.reference.iterdir()}
    return lambda origin: origin.startswith(assignment.reference_module) or origin.split(".")[0] in files


def binding(name, value, own):
    """The stand-in module's line binding name: a constant's value, an import of what is not the
    package's own (own(module name); so it works as in the real module), else a stand-in that
    raises."""
    if isinstance(value, (bool, int, float, str)):
        return "%s = %r" % (name, value)
    if isinstance(value, types.ModuleType) and not own(value.__name__):
        return "import %s as %s" % (value.__name__, name)
    origin, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if origin and qualname and not own(origin) and importable(origin, qualname, value):
        return "from %s import %s as %s" % (origin, qualname, name)
    return "%s = _unavailable(%r)" % (name, name)


def importable(module_name, attribute, value):
    """Whether `from module_name import attribute` gives exactly value."""
    try:
        return getattr(importlib.import_module(module_name), attribute, None) is value
    except ImportError:
        return False


def skip_solutions(provided, students):
    """copytree filter: junk folders, and the reference's own student files (its solutions)."""
    solutions = {provided.parent / relative for relative in students}

    def ignore(folder, names):
        return [n for n in names if n in SKIP or Path(folder) / n in solutions]

    return ignore


def ignored_edits(files, provided, students):
    """Notes for submitted provided files that differ from the trusted copies."""
    notes = []
    for relative, content in sorted(files.items()):
        if relative in students:
            continue
        trusted = provided.parent / relative
        if trusted.is_file() and digest(trusted.read_bytes()) != digest(content):
            notes.append(
                "%s differs from the provided file; the provided version was used (only %s are graded)"
                % (relative, " and ".join(students))
            )
    return notes


def digest(content):
    """Hash of a file's text with line endings and trailing whitespace normalised."""
    lines = content.decode("utf-8", "replace").replace("\r\n", "\n").split("\n")
    return hashlib.sha256("\n".join(l.rstrip() for l in lines).strip().encode()).hexdigest()
