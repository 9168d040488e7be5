"""The rubric: checks, points and tolerances, read from a TOML file.

Each assignment ships its own (graders/assignments/<name>/rubric.toml); an instructor
may pass another one. Loading validates it completely, so a typo fails before grading
starts with a message naming the check and the field.
"""
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

CHECK_FIELDS = {
    "id": str, "title": str, "section": str, "functions": list, "points": (int, float),
    "tolerance": (int, float), "measure": str, "time_limit": (int, float), "hint": str,
    "depends_on": list,
}
OPTIONAL_FIELDS = {"entries": int}


class RubricError(ValueError):
    """The rubric file is malformed; the message names the file, check and field."""


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    section: str
    functions: tuple[str, ...]
    points: float
    tolerance: float
    measure: str
    time_limit: float
    hint: str
    depends_on: tuple[str, ...]
    entries: int = 0  # numeric gradient checks: entries perturbed per argument (0: every one)
    section_title: str = ""  # the section's heading in reports ([sections] of the rubric)


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 3072
    max_processes: int = 32
    output_kb: int = 64


@dataclass(frozen=True)
class NotebookSettings:
    """How the student's notebook is run: reported, never scored."""
    enabled: bool = True
    cell_timeout: float = 120.0     # seconds before a cell is interrupted; the run goes on
    total_timeout: float = 600.0    # seconds for the whole notebook; later cells are not run
    max_processes: int = 64         # the kernel and its threads need more than a check
    synthetic_train: int = 2500     # images of the synthetic CIFAR-10 the notebook loads
    synthetic_test: int = 500
    parameters: dict = field(default_factory=dict)  # part -> {name: value} for its notebook's parameters cell


@dataclass(frozen=True)
class Rubric:
    checks: tuple[CheckSpec, ...]
    limits: Limits
    source: str
    notebook: NotebookSettings = NotebookSettings()
    skip: tuple[str, ...] = ()  # checks of the assignment this rubric leaves out on purpose

    def by_id(self):
        return {c.id: c for c in self.checks}

    def only(self, ids):
        """This rubric with only the checks named in ids, the others skipped, and dependencies on
        those dropped (a dependency explains a failure; it never changes a status)."""
        kept = tuple(replace(c, depends_on=tuple(d for d in c.depends_on if d in ids))
                     for c in self.checks if c.id in ids)
        return replace(self, checks=kept, skip=self.skip + tuple(c.id for c in self.checks if c.id not in ids))

    @property
    def max_score(self):
        return sum(c.points for c in self.checks)


def default_rubric_path():
    """The rubric of the shipped assignment (see graders/assignment.py)."""
    from .assignment import load_assignment

    return load_assignment().rubric_path


def load_rubric(path=None):
    """Read and validate a rubric (the shipped assignment's when path is None)."""
    path = Path(str(path or default_rubric_path()))
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise RubricError("cannot read rubric %s: %s" % (path, e)) from e
    titles = _parse_sections(path, data.get("sections", {}))
    checks = tuple(replace(_parse_check(path, i, raw), section_title=titles.get(raw.get("section"), ""))
                   for i, raw in enumerate(data.get("check", [])))
    if not checks:
        raise RubricError("rubric %s defines no [[check]] entries" % path)
    _validate_references(path, checks)
    try:
        limits = Limits(**data.get("limits", {}))
    except TypeError as e:
        raise RubricError("rubric %s, [limits]: %s" % (path, e)) from e
    notebook = _parse_notebook(path, data.get("notebook", {}))
    return Rubric(checks=checks, limits=limits, source=str(path), notebook=notebook, skip=_parse_skip(path, data, checks))


def _parse_sections(path, raw):
    """[sections]: section name -> the heading reports show for it."""
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        raise RubricError("rubric %s, [sections]: each entry should be a heading, e.g. conv = \"Convolution\"" % path)
    return raw


def _parse_skip(path, data, checks):
    skip = data.get("skip", [])
    if not isinstance(skip, list) or not all(isinstance(i, str) for i in skip):
        raise RubricError("rubric %s: skip should be a list of check ids" % path)
    both = sorted(set(skip) & {c.id for c in checks})
    if both:
        raise RubricError("rubric %s: %s both skipped and defined; remove one" % (path, ", ".join(both)))
    return tuple(skip)


def _parse_notebook(path, raw):
    where = "rubric %s, [notebook]" % path
    kinds = {f.name: f.type for f in fields(NotebookSettings)}
    unknown = sorted(set(raw) - set(kinds))
    if unknown:
        raise RubricError("%s: unknown fields %s; known: %s" % (where, unknown, sorted(kinds)))
    accepted = {bool: bool, float: (int, float), int: int, dict: dict}
    for name, value in raw.items():
        kind = accepted[kinds[name]]
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise RubricError("%s: field %r should be a %s, not %r" % (where, name, kinds[name].__name__, value))
        if kind is not bool and kind is not dict and value <= 0:
            raise RubricError("%s: field %r must be > 0" % (where, name))
    for part, values in raw.get("parameters", {}).items():
        if not isinstance(values, dict):
            raise RubricError("%s: parameters.%s should be a table of values for that part's notebook, e.g. "
                              "[notebook.parameters.%s]" % (where, part, part))
        bad = [k for k in values if not k.isidentifier()]
        if bad:
            raise RubricError("%s: parameters.%s: %s are not Python names" % (where, part, bad))
    return NotebookSettings(**raw)


def _parse_check(path, index, raw):
    where = "rubric %s, check #%d (%s)" % (path, index + 1, raw.get("id", "no id"))
    missing = sorted(set(CHECK_FIELDS) - set(raw))
    unknown = sorted(set(raw) - set(CHECK_FIELDS) - set(OPTIONAL_FIELDS))
    if missing or unknown:
        raise RubricError("%s: missing fields %s, unknown fields %s" % (where, missing, unknown))
    for name, kind in {**CHECK_FIELDS, **OPTIONAL_FIELDS}.items():
        if name in raw and (not isinstance(raw[name], kind) or isinstance(raw[name], bool)):
            raise RubricError("%s: field %r has the wrong type" % (where, name))
    if raw["points"] < 0 or raw["tolerance"] < 0 or raw["time_limit"] <= 0 or raw.get("entries", 0) < 0:
        raise RubricError("%s: points, tolerance and entries must be >= 0, time_limit > 0" % where)
    return CheckSpec(
        id=raw["id"], title=raw["title"], section=raw["section"],
        functions=tuple(raw["functions"]), points=float(raw["points"]),
        tolerance=float(raw["tolerance"]), measure=raw["measure"],
        time_limit=float(raw["time_limit"]), hint=raw["hint"],
        depends_on=tuple(raw["depends_on"]), entries=raw.get("entries", 0),
    )


def _validate_references(path, checks):
    ids = [c.id for c in checks]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RubricError("rubric %s: duplicate check ids %s" % (path, duplicates))
    for c in checks:
        unknown = [d for d in c.depends_on if d not in ids]
        if unknown:
            raise RubricError("rubric %s, check %s: depends_on names unknown checks %s" % (path, c.id, unknown))


def ensure_implemented(rubric, known_ids):
    """Raise RubricError unless the rubric and the check catalogue (known_ids) agree: every
    check and skipped id of the rubric is implemented, and every implemented check is either
    in the rubric or skipped, so a mistyped or forgotten id stops the run before anything is graded."""
    listed = [c.id for c in rubric.checks] + list(rubric.skip)
    unknown = [i for i in listed if i not in known_ids]
    if unknown:
        raise RubricError("rubric %s: no check is implemented under the id%s %s; the known ids are %s"
                          % (rubric.source, "s" if len(unknown) > 1 else "", ", ".join(unknown),
                             ", ".join(sorted(known_ids))))
    unlisted = sorted(set(known_ids) - set(listed))
    if unlisted:
        raise RubricError("rubric %s: the check%s %s %s no entry; add %s, or name %s in skip = [...] to leave %s out"
                          % (rubric.source, "s" if len(unlisted) > 1 else "", ", ".join(unlisted),
                             "have" if len(unlisted) > 1 else "has", "entries" if len(unlisted) > 1 else "one",
                             "them" if len(unlisted) > 1 else "it", "them" if len(unlisted) > 1 else "it"))
