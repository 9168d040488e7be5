"""What grading produces: typed results and the one JSON document per submission.

result.json is the contract between the grader and everything that renders it
(reports, Gradescope, JUnit, CSV). Its schema is graders/result.schema.json;
every document written is validated against it first.
"""
import functools
import json
import math
import os
import threading
from dataclasses import asdict, dataclass, field
from importlib import resources

import jsonschema

SCHEMA_VERSION = 2
STATUSES = ("passed", "failed", "error", "timeout", "skipped")
OUTPUT_CAP = 8000  # characters of captured output kept per check
DETAILS_CAP = 256 * 2**10  # bytes of JSON a check's details (or the metrics) may take


@dataclass
class CheckResult:
    id: str
    title: str
    section: str
    functions: list[str]
    status: str
    score: float
    max_score: float
    measured: float | None
    tolerance: float
    measure: str
    message: str
    hint: str | None
    seconds: float
    output: str = ""
    traceback: str | None = None
    depends_on: list[str] = field(default_factory=list)
    blocked_by: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)
    diagnoses: list[str] = field(default_factory=list)  # what kind of mistake the check recognised
    figures: list[dict] = field(default_factory=list)   # {"kind", "title", "alt", "data"}: for the report
    section_title: str = ""                              # the section's heading (the rubric's [sections])


@dataclass
class CellRun:
    index: int             # position among all the notebook's cells
    cell_id: str | None
    tags: list[str]
    status: str            # "ok", "error", "timeout", "kernel_died" or "not_run"
    seconds: float | None
    ename: str | None = None
    evalue: str | None = None


@dataclass
class Reported:
    cell: int
    tag: str               # e.g. "check:conv_forward_naive"
    text: str              # what the cell printed; shown, never scored


@dataclass
class NotebookRun:
    name: str              # the assignment's notebook, e.g. "ConvolutionalNetworks.ipynb"
    part: str              # the part it belongs to
    status: str            # see result.schema.json "$defs/notebook"
    message: str
    file: str | None       # the executed notebook beside result.json
    seconds: float
    cells: list[CellRun] = field(default_factory=list)
    reported: list[Reported] = field(default_factory=list)


@dataclass
class PartResult:
    part: str              # "FullyConnectedNets": a notebook of the assignment and its checks
    notebook: str          # the notebook's file name
    status: str            # "graded" or "not_submitted" (see graders/parts.py)
    score: float
    max_score: float
    checks: list[str]      # the ids of its checks
    message: str = ""


@dataclass
class Provenance:
    """What a result was made from: a rerun with the same three values may reuse it."""

    submission_sha256: str | None  # the files intake read (see graders/provenance.py); None: unreadable
    rubric_sha256: str             # the rubric's checks and limits
    grader_version: str
    code_sha256: str | None = None  # the grader's judging code and the reference (None: an older result)


@dataclass
class SubmissionResult:
    submission: str
    status: str  # "graded", "rejected" (intake refused it) or "grader_error"
    score: float
    max_score: float
    isolation: str
    grader_version: str
    rubric: str
    seconds: float
    message: str = ""
    assignment: str = ""  # the assignment's title, for reports
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    confinement: list[str] = field(default_factory=list)  # the limits that held for every sandboxed run
    checks: list[CheckResult] = field(default_factory=list)
    parts: list[PartResult] = field(default_factory=list)      # one per notebook of the assignment
    notebooks: list[NotebookRun] = field(default_factory=list)  # the notebooks as run; [] when not run
    provenance: Provenance | None = None
    schema_version: int = SCHEMA_VERSION

    def to_json(self):
        doc = finite(asdict(self))
        for check in doc["checks"]:
            check["details"] = bounded(check["details"])
            check["figures"] = [dict(f, data=bounded(f["data"])) for f in check["figures"]]
        doc["metrics"] = bounded(doc["metrics"])
        validate(doc)
        return json.dumps(doc, indent=2, sort_keys=True, allow_nan=False)


def finite(value):
    """value with every NaN or infinite float replaced by None (JSON has no such numbers)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def bounded(details, cap=DETAILS_CAP):
    """details, or a note in their place when their JSON would take more than cap bytes."""
    size = len(json.dumps(details, allow_nan=False, default=str))
    if size <= cap:
        return details
    return {"dropped": "%d bytes of details exceeded the cap of %d bytes" % (size, cap)}


def result_from_doc(doc):
    """The SubmissionResult of a result.json document (validated first)."""
    validate(doc)
    fields = dict(doc)
    fields["checks"] = [CheckResult(**c) for c in doc["checks"]]
    fields["parts"] = [PartResult(**p) for p in doc["parts"]]
    fields["notebooks"] = [notebook_run(nb) for nb in doc["notebooks"]]
    if doc.get("provenance"):
        fields["provenance"] = Provenance(**doc["provenance"])
    return SubmissionResult(**fields)


def notebook_run(doc):
    """The NotebookRun of one entry of a result document's "notebooks"."""
    fields = dict(doc, cells=[CellRun(**c) for c in doc["cells"]],
                  reported=[Reported(**r) for r in doc["reported"]])
    return NotebookRun(**fields)


def schema():
    return json.loads(resources.files("graders").joinpath("result.schema.json").read_text())


@functools.cache
def validator():
    """The schema's validator, built (and the schema itself checked) once."""
    kind = jsonschema.validators.validator_for(schema())
    kind.check_schema(schema())
    return kind(schema())


def validate(doc):
    """Raise jsonschema.ValidationError if doc is not a valid result document."""
    error = jsonschema.exceptions.best_match(validator().iter_errors(doc))
    if error is not None:
        raise error


def write_result(result, path):
    """Write result.json atomically: a reader sees the old file or the whole new one."""
    atomic_write(path, result.to_json())


def atomic_write(path, text):
    """Write text as UTF-8 into a temporary file, then rename it to path. A lone surrogate,
    which UTF-8 cannot hold, is written as a visible escape (\\udcfc) instead of failing."""
    tmp = "%s.tmp.%d.%d" % (path, os.getpid(), threading.get_ident())
    with open(tmp, "w", encoding="utf-8", errors="backslashreplace") as f:
        f.write(text)
    os.replace(tmp, path)


def cap_text(text, limit=OUTPUT_CAP):
    """Keep the start and the end of a long text, marking what was cut."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return "%s\n[... %d characters cut ...]\n%s" % (text[:half], len(text) - limit, text[-half:])
