"""The assignment being graded, as data the engine reads (graders/assignment.toml).

The engine (intake, workspace, sandbox, runner, reports) should name no function, class,
file or check of any assignment; what it must know about one comes from here. Today the
manifest covers the package name, the notebooks, the submission zip's name and the naive
view (the modules stubbed out for checks that must not use the fast path, the message the
stand-ins raise, and the instructor's flag for a check that called one) and explanations
of errors particular to the assignment. The student files
are not listed: they follow from the reference's solution regions (graders/workspace.py).
"""
import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

STAND_IN_ERROR = "FastPathUnavailable"  # the exception the naive view's stand-ins raise


class ManifestError(ValueError):
    """The assignment's manifest is malformed; the message names the file and the field."""


@dataclass(frozen=True)
class Notebook:
    file: str   # "ConvolutionalNetworks.ipynb"
    part: str   # the part of the assignment it belongs to


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

    def unavailable_message(self, module):
        """What the naive view's stand-in for package.module raises."""
        return self.naive_view.message.format(name="%s.%s" % (self.package, module))

    def flag_for(self, functions):
        return self.naive_view.flag.format(functions=", ".join(functions))


def default_manifest_path():
    return Path(str(resources.files("graders").joinpath("assignment.toml")))


@functools.lru_cache(maxsize=8)
def load_assignment(path=None):
    """The Assignment of a manifest (the shipped one when path is None)."""
    path = Path(path or default_manifest_path())
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ManifestError("cannot read the assignment manifest %s: %s" % (path, e)) from e
    try:
        view = data["naive_view"]
        return Assignment(
            name=str(data["name"]), title=str(data["title"]), package=str(data["package"]),
            notebooks=tuple(Notebook(str(n["file"]), str(n["part"])) for n in data.get("notebook", [])),
            zip_name=str(data["submission"]["zip_name"]),
            naive_view=NaiveView(tuple(map(str, view["unavailable"])), str(view["message"]), str(view["flag"])),
            explanations=tuple((str(e["pattern"]), str(e["words"])) for e in data.get("explain", [])),
            source=str(path))
    except (KeyError, TypeError) as e:
        raise ManifestError("assignment manifest %s: missing or malformed field %s" % (path, e)) from e
