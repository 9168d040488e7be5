"""What a check is, for every assignment: the engine's side of the check catalogue.

An assignment's check modules (graders/assignments/<name>/checks/) say, for each rubric
id, how to run the check and how to judge it. A check is a function
`(rng, spec) -> (Job, judge)`, marked with @check(id):
  - rng draws the hidden inputs (seeded from the run's secret);
  - Job says what the sandboxed child must run (graders/child.py) on which arrays;
  - judge(outputs) compares what the child returned with expectations the
    trusted process computed from the reference, and returns a Verdict.
The child never sees the expectations, and nothing it returns is trusted
beyond being numbers to compare.
"""
import importlib
import pkgutil
import sys
from dataclasses import dataclass, field


class CatalogueError(ValueError):
    """Two checks of an assignment claim the same id; the message names both."""


_MARKED = {}  # module name -> {check id: check function}, filled as check modules are imported


def check(check_id, fast_path=True):
    """Mark a function as the check of a rubric id; load_checks finds it by the module that
    marks it (a decorated def, or a function a factory made: check("id")(make(...))).

    fast_path=False: the check runs in the workspace's naive view, where the modules the
    assignment's manifest lists as the fast path raise instead of computing
    (see graders/workspace.py).
    """
    module = sys._getframe(1).f_globals.get("__name__")  # the check module calling check(...)

    def mark(fn):
        fn.fast_path = fast_path
        if _MARKED.setdefault(module, {}).setdefault(check_id, fn) is not fn:
            raise CatalogueError("%s marks two checks with the id %r" % (module, check_id))
        return fn
    return mark


@dataclass
class Job:
    task: str                  # a task of graders/child.py
    params: dict               # JSON-serialisable task parameters
    arrays: dict               # name -> np.ndarray, the hidden inputs


@dataclass
class Figure:
    """A picture the report draws from a check's numbers. kind names the drawing (one of
    graders/report/plots.py's PLOTS), data its inputs, as JSON; the report knows no check ids."""
    kind: str
    title: str
    alt: str   # the picture in words, for screen readers
    data: dict


@dataclass
class Verdict:
    passed: bool
    measured: float | None
    message: str
    details: dict = field(default_factory=dict)
    diagnoses: list = field(default_factory=list)  # one sentence per recognised kind of mistake
    figures: list = field(default_factory=list)    # Figures for the report, never scored


class Missing(Exception):
    """The child did not return a value the check needs; str() says which, in plain words."""


class NotStarted(Missing):
    """The function returned None, the starter code's placeholder: the student has not begun it."""


class Outputs:
    """The arrays a child returned, looked up with plain-language errors."""

    def __init__(self, arrays, meta):
        self.arrays = arrays
        self.meta = meta

    def get(self, key, what):
        if key in self.arrays:
            return self.arrays[key]
        if "none:" + key in self.arrays:
            raise NotStarted("%s is None: the function returned the starter's placeholder (not started)" % what)
        raise Missing("%s is missing or not numeric" % what)

    def has(self, key):
        return key in self.arrays

    def prefixed(self, prefix):
        """{name: array} for every output named prefix + name."""
        return {k[len(prefix):]: v for k, v in self.arrays.items() if k.startswith(prefix)}


def load_checks(package):
    """{check id: check function} of every module of the package named `package` (dotted):
    a new check module is found without being listed anywhere."""
    found, owner = {}, {}
    for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
        name = "%s.%s" % (package, info.name)
        importlib.import_module(name)
        for check_id, fn in _MARKED.get(name, {}).items():
            if check_id in found:
                raise CatalogueError("two check modules mark the id %r: %s and %s" % (check_id, owner[check_id], name))
            found[check_id], owner[check_id] = fn, name
    return found
