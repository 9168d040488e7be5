"""An assignment: the folder of data and checks the engine grades with.

The engine (intake, workspace, sandbox, runner, batch, reports) names no function, class,
file or check of any assignment; it receives an Assignment and asks it. An assignment is a
folder:

    assignment.toml    the manifest: name, title, the package students edit, the notebooks
                       and the part each belongs to, the submission zip's name, the naive
                       view, explanations of errors particular to the assignment
    rubric.toml        points, tolerances, time limits, hints (graders/rubric.py)
    checks/            the check modules, each check marked with @check(id) (graders/checks)
    public_checks.py   (optional) the public self-checks' inputs, for the released template
    reference/<package>/   the reference package; its solution regions say which files
                       are the student's (graders/solutions.py)
    notebooks/         the notebooks students fill in

The assignments shipped with the grader are the folders of graders/assignments/; any other
folder laid out the same way can be named by its path. The folder is imported under a
private module name (graders.assignments.<folder> for a shipped one), so its checks reach
the reference as `from ..reference.<package> import ...`: the grader never imports the
reference as whichever `<package>` comes first on sys.path.
"""
import functools
import hashlib
import importlib
import importlib.machinery
import importlib.util
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

STAND_IN_ERROR = "FastPathUnavailable"  # the exception the naive view's stand-ins raise
SHIPPED = Path(__file__).resolve().parent / "assignments"
MANIFEST = "assignment.toml"


class ManifestError(ValueError):
    """The assignment's manifest is malformed or missing; the message names the file and the field."""


@dataclass(frozen=True)
class Notebook:
    file: str                  # "ConvolutionalNetworks.ipynb": a plain file name
    part: str                  # the part of the assignment it belongs to
    sections: tuple[str, ...]  # the rubric's sections whose checks make up that part


@dataclass(frozen=True)
class NaiveView:
    unavailable: tuple[str, ...]   # modules of the package replaced by stand-ins that raise
    message: str                   # what a stand-in raises; {name}: the function called
    flag: str                      # the instructor's flag; {functions}: the check's functions


@dataclass(frozen=True)
class Assignment:
    name: str
    title: str
    package: str
    notebooks: tuple[Notebook, ...]
    zip_name: str                  # the submission zip the course's collect script makes
    naive_view: NaiveView
    explanations: tuple[tuple[str, str], ...]  # (pattern, words) for errors particular to it
    source: str                    # the manifest's path, for messages
    module: str                    # the private name the folder is imported under

    @property
    def folder(self):
        return Path(self.source).parent

    @property
    def reference(self):
        """The reference package's folder (reference/<package> in the assignment's folder)."""
        return self.folder / "reference" / self.package

    @property
    def reference_module(self):
        """The reference package's private import name: <module>.reference.<package>."""
        return "%s.reference.%s" % (self.module, self.package)

    def import_reference(self, submodule=None):
        """The reference package (or one of its modules), imported under its private name."""
        import_folder(self)
        return importlib.import_module(self.reference_module + ("." + submodule if submodule else ""))

    @property
    def rubric_path(self):
        return self.folder / "rubric.toml"

    def notebook_path(self, notebook):
        return self.folder / "notebooks" / notebook.file

    def student_readme(self):
        """The README.md of the bundle students receive: the folder's student_README.md, or a
        short one made from the manifest if the assignment has none."""
        path = self.folder / "student_README.md"
        if path.is_file():
            return path.read_text(encoding="utf-8")
        notebooks = ", ".join("`%s`" % n.file for n in self.notebooks) or "no notebook"
        return ("# %s\n\nThis folder holds the `%s` package and the notebooks %s. Write your code "
                "between the START and END lines of each solution region and submit the folder as a zip.\n"
                % (self.title, self.package, notebooks))

    def checks(self):
        """{check id: check function} of the assignment's check modules."""
        from .checks import load_checks

        import_folder(self)
        return load_checks(self.module + ".checks")

    def rubric(self, path=None):
        """The assignment's rubric, or another one an instructor passes."""
        from .rubric import load_rubric

        return load_rubric(path or self.rubric_path)

    def public_checks(self, rubric):
        """The public self-checks' document (inputs, expected outputs, hints) students get with
        the template, from the assignment's public_checks module; None if it has none."""
        import_folder(self)
        try:
            module = importlib.import_module(self.module + ".public_checks")
        except ModuleNotFoundError as e:
            if e.name != self.module + ".public_checks":
                raise
            return None
        return module.public_checks_document(rubric, self)

    def unavailable_message(self, module):
        """What the naive view's stand-in for package.module raises."""
        return self.naive_view.message.format(name="%s.%s" % (self.package, module))

    def flag_for(self, functions):
        return self.naive_view.flag.format(functions=", ".join(functions))


def shipped():
    """The names of the assignments shipped with the grader."""
    return sorted(p.parent.name for p in SHIPPED.glob("*/" + MANIFEST))


def load_assignment(which=None):
    """The Assignment named `which`: a shipped assignment's name, or the path of an assignment
    folder or of its manifest. None: the one shipped assignment (an error if there are several)."""
    return _load(_manifest_path(which))


def _manifest_path(which):
    if which is None:
        names = shipped()
        if len(names) != 1:
            raise ManifestError("the grader ships %s; name one with --assignment" % (
                "the assignments " + ", ".join(names) if names else "no assignment"))
        which = names[0]
    which = str(which)
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", which) and (SHIPPED / which / MANIFEST).is_file():
        return SHIPPED / which / MANIFEST
    path = Path(which).resolve()
    path = path / MANIFEST if path.is_dir() else path
    if not path.is_file():
        raise ManifestError("no assignment %r: neither a shipped one (%s) nor a folder holding %s" % (
            which, ", ".join(shipped()) or "none", MANIFEST))
    return path


@functools.lru_cache(maxsize=16)
def _load(path):
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ManifestError("cannot read the assignment manifest %s: %s" % (path, e)) from e
    try:
        view = data["naive_view"]
        return Assignment(
            name=str(data["name"]), title=str(data["title"]), package=str(data["package"]),
            notebooks=_notebooks(path, data.get("notebook", [])),
            zip_name=str(data["submission"]["zip_name"]),
            naive_view=NaiveView(tuple(map(str, view["unavailable"])), str(view["message"]), str(view["flag"])),
            explanations=tuple((str(e["pattern"]), str(e["words"])) for e in data.get("explain", [])),
            source=str(path), module=module_name(path.parent))
    except (KeyError, TypeError) as e:
        raise ManifestError("assignment manifest %s: missing or malformed field %s" % (path, e)) from e


def _notebooks(path, raw):
    """The [[notebook]] entries: plain .ipynb file names, each part and section named once."""
    notebooks = tuple(Notebook(str(n["file"]), str(n["part"]), tuple(map(str, n.get("sections", []))))
                      for n in raw)
    for n in notebooks:
        if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_. -]*\.ipynb", n.file):
            raise ManifestError("assignment manifest %s: notebook file %r should be a plain file name "
                                "ending in .ipynb" % (path, n.file))
        if not re.fullmatch(r"[A-Za-z0-9_-]+", n.part):
            raise ManifestError("assignment manifest %s: part %r should be a name of letters, digits, _ "
                                "and -" % (path, n.part))
    for what, values in (("file", [n.file for n in notebooks]), ("part", [n.part for n in notebooks]),
                         ("section", [s for n in notebooks for s in n.sections])):
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise ManifestError("assignment manifest %s: the %s %s %s named by two notebooks; each "
                                "belongs to one" % (path, what, ", ".join(twice), "is" if len(twice) == 1 else "are"))
    return notebooks


def module_name(folder):
    """graders.assignments.<name> for a shipped folder; a name derived from the path otherwise,
    so two folders never share one."""
    if folder.parent == SHIPPED:
        return "%s.%s" % (__package__, "assignments." + folder.name)
    tag = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    return "_graded_assignment_%s_%s" % (re.sub(r"\W", "_", folder.name), tag)


def import_folder(assignment):
    """Import the assignment's folder as the package assignment.module (idempotent)."""
    if assignment.module in sys.modules:
        return sys.modules[assignment.module]
    if assignment.folder.parent == SHIPPED:
        return importlib.import_module(assignment.module)
    spec = importlib.machinery.ModuleSpec(assignment.module, None, is_package=True)
    spec.submodule_search_locations = [str(assignment.folder)]
    module = importlib.util.module_from_spec(spec)
    sys.modules[assignment.module] = module
    return module
