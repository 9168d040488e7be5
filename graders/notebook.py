"""Running the student's notebooks: in the sandbox, on synthetic data, reported and never scored.

Each notebook of the assignment that the submission holds runs after the checks, in a run of
its own against the same workspace (the student's files with the trusted provided ones), with
the rubric's [notebook.parameters.<part>] sizes injected below its `parameters` cell. graders/notebook_child.py does the running inside the sandbox;
this module prepares the run and reads what comes back as untrusted data: the executed
notebook is read through graders/untrusted.py under its cap (NOTEBOOK_BYTES), parsed and
validated as nbformat 4, and only its cells' outcomes and printed text are taken from it.
The bytes kept beside result.json, under the notebook's own file name, are exactly the bytes
read, so the report, reading them again under the same cap, can show every notebook that was kept.
"""
import json
import shutil
import sys
import time
import traceback
from pathlib import Path

from . import sandbox
from .result import CellRun, NotebookRun, Reported
from .data_cache import cached_cifar10
from .untrusted import NOTEBOOK_BYTES, UnreadableOutput, read_bytes

CHILD_SCRIPT = "notebook_child.py"
GRADER_KEY = "cs231n_grader"         # the cell metadata notebook_child.py writes
MAX_REPORTED_CHARS = 3000            # printed text kept per check cell
CELL_STATUSES = ("ok", "error", "timeout", "kernel_died", "not_run", "skipped")
STARTUP_SECONDS = 90                 # kernel start and shutdown, on top of total_timeout


def stalled_from(results):
    """{function: why} of the functions of the checks that ran out of time: the notebooks leave
    out the cells tagged check:<function> or uses:<function> for them (a cell that calls a
    student function, directly or through the provided code, says so with uses:), instead of
    waiting a cell's limit on each."""
    functions = {}
    for r in results:
        if r.status == "timeout":
            why = "%s did not return within %d s in the checks" % (", ".join(r.functions), round(r.seconds))
            functions.update((f, why) for f in r.functions if f not in functions)
    return functions


def run_notebooks(notebooks, workspace, rubric, mode, hidden=(), stalled=None):
    """Run each notebook of the assignment that the submission holds (notebooks: file name ->
    bytes); returns ([NotebookRun, one per notebook of the assignment], {file name: executed bytes}).
    stalled ({function: why}, see stalled_from): code the checks found never returning, kept out of the runs."""
    runs, executed = [], {}
    for notebook in workspace.assignment.notebooks:
        run, kept = run_notebook(notebook, notebooks.get(notebook.file), workspace, rubric, mode, hidden, stalled)
        runs.append(run)
        executed.update({run.file: kept} if kept else {})
    return runs, executed


def run_notebook(notebook, source, workspace, rubric, mode, hidden=(), stalled=None):
    """Run one submitted notebook (an assignment.Notebook, its bytes or None); returns
    (NotebookRun, executed bytes or None).

    Never raises for what the notebook does; a failure of the grader's own is recorded as
    "failed", so the submission keeps its graded checks.
    """
    start = time.perf_counter()
    try:
        return execute(notebook, source, workspace, rubric, mode, hidden, start, stalled)
    except Exception:
        return finished(notebook, start, "failed", "The grader could not run %s; the checks are graded without "
                        "it. Details for the course staff:\n%s" % (notebook.file, traceback.format_exc(limit=4))), None


def execute(notebook, source, workspace, rubric, mode, hidden, start, stalled=None):
    settings = rubric.notebook
    name = notebook.file
    if source is None:
        return finished(notebook, start, "missing", "No %s was found in the submission, so it was not run; "
                        "its checks were graded without it." % name), None
    problem = invalid_reason(source)
    if problem:
        return finished(notebook, start, "invalid", "%s could not be run: %s. Its checks were graded without it; "
                        "open the notebook in Jupyter, save it and submit it again." % (name, problem)), None

    data = cached_cifar10(settings.synthetic_train, settings.synthetic_test)
    with workspace.fresh_run("notebook-" + notebook.part) as run_dir:
        prepare(source, run_dir.inputs, settings, settings.parameters.get(notebook.part, {}), skip_tags(stalled))
        run = sandbox.run_confined(
            [sys.executable, "-I", "-B", str(run_dir.inputs / CHILD_SCRIPT), str(run_dir.root),
             str(run_dir.inputs), str(run_dir.out)],
            run_dir.root, limits_for(settings, rubric.limits), env=environment(run_dir.root, data, mode), mode=mode,
            readable=[run_dir.inputs, data], writable=[run_dir.out], hidden=hidden,
        )
        try:
            nb, executed = read_executed(run_dir.out)
        except UnreadableOutput as e:
            return finished(notebook, start, "failed", "%s could not be run (%s): %s. Its checks were graded "
                            "without it.%s" % (name, run.reason, e, tail(run))), None
    cells = cell_runs(nb)
    status, message = summarise(cells, run, settings)
    run_result = finished(notebook, start, status, message, cells=cells, reported=reported(nb), file=name)
    return run_result, executed


def finished(notebook, start, status, message, cells=(), reported=(), file=None):
    return NotebookRun(name=notebook.file, part=notebook.part, status=status, message=message, file=file,
                       seconds=round(time.perf_counter() - start, 3), cells=list(cells), reported=list(reported))


def invalid_reason(source):
    """Why the submitted bytes are not a runnable nbformat 4 notebook, or None."""
    import nbformat

    try:
        doc = json.loads(source.decode("utf-8"))
    except UnicodeDecodeError as e:
        return "it is not UTF-8 text (byte %d)" % e.start
    except json.JSONDecodeError as e:
        return "it is not valid JSON (line %d, column %d: %s)" % (e.lineno, e.colno, e.msg)
    if not isinstance(doc, dict) or "cells" not in doc:
        return "it is JSON but not a notebook (no \"cells\")"
    if doc.get("nbformat") != 4:
        return "it is nbformat %r; only version 4 is supported" % doc.get("nbformat")
    try:
        nbformat.validate(nbformat.from_dict(doc))
    except nbformat.ValidationError as e:
        return "it does not follow the nbformat 4 schema (%s)" % str(e.message)[:300]
    return None


def skip_tags(stalled):
    """{tag: reason} of the cells not to run: those checking or using a function that never returned."""
    return {"%s:%s" % (kind, f): why for f, why in (stalled or {}).items() for kind in ("check", "uses")}


def prepare(source, inputs, settings, parameters, skip=None):
    """The run's inputs: the notebook, the settings (with the values for its parameters cell and
    the tags of the cells not to run) and the runner script, readable by the sandbox."""
    (inputs / "submitted.ipynb").write_bytes(source)
    settings_doc = {"cell_timeout": settings.cell_timeout, "total_timeout": settings.total_timeout,
                    "parameters": parameters, "skip": skip or {}}
    (inputs / "settings.json").write_text(json.dumps(settings_doc))
    shutil.copy(Path(__file__).with_name(CHILD_SCRIPT), inputs / CHILD_SCRIPT)
    for entry in inputs.iterdir():
        entry.chmod(0o644)


def environment(root, data, mode):
    env = sandbox.default_env(root, mode)
    env.update(CS231N_CIFAR10_DIR=str(data), JUPYTER_PLATFORM_DIRS="1", MPLBACKEND="Agg")
    return env


def limits_for(settings, limits):
    """The checks' memory and output caps; the notebook's own time and process budgets."""
    wall = settings.total_timeout + STARTUP_SECONDS
    return sandbox.Limits(wall_seconds=wall, cpu_seconds=int(2 * wall), memory_bytes=limits.memory_mb * 2**20,
                          max_processes=settings.max_processes, output_bytes=limits.output_kb * 2**10)


def read_executed(out):
    """(out/executed.ipynb as an nbformat 4 node, the bytes it was parsed from); UnreadableOutput
    if absent, over NOTEBOOK_BYTES, damaged, or of another nbformat version (the bytes are kept
    as they are, so they must be version 4 as they stand)."""
    import nbformat

    data = read_bytes(str(out), "executed.ipynb", NOTEBOOK_BYTES)
    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=nbformat.NO_CONVERT)
        if nb.get("nbformat") != 4:
            raise ValueError("nbformat %r, not 4" % (nb.get("nbformat"),))
        nbformat.validate(nb)
    except Exception as e:  # anything the student's code wrote there is just damaged output
        raise UnreadableOutput("the executed notebook is damaged (%s)" % str(e)[:200]) from None
    return nb, data


def cell_runs(nb):
    """Each code cell's outcome, from the runner's metadata checked against the cell's outputs."""
    runs = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        record = cell.metadata.get(GRADER_KEY)
        record = record if isinstance(record, dict) else {}
        status = record.get("status") if record.get("status") in CELL_STATUSES else "not_run"
        error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
        if status == "ok" and error is not None:
            status = "error"  # the outputs, not the metadata, are what the student sees
        seconds = record.get("seconds")
        runs.append(CellRun(
            index=index, cell_id=text_or_none(cell.get("id"), 100), tags=tags_of(cell), status=status,
            seconds=float(seconds) if isinstance(seconds, (int, float)) and seconds >= 0 else None,
            ename=text_or_none(record.get("ename") or (error or {}).get("ename"), 200),
            evalue=text_or_none(record.get("evalue") or (error or {}).get("evalue"), 2000),
        ))
    return runs


def reported(nb):
    """What each `check:` cell printed: shown as reported by the notebook, never scored."""
    figures = []
    for index, cell in enumerate(nb.cells):
        checks = [t for t in tags_of(cell) if t.startswith("check:")]
        if cell.cell_type != "code" or not checks:
            continue
        text = "".join(printed(o) for o in cell.get("outputs", []))
        if text.strip():
            figures.append(Reported(cell=index, tag=", ".join(checks), text=text[:MAX_REPORTED_CHARS]))
    return figures


def printed(output):
    if output.get("output_type") == "stream" and output.get("name") == "stdout":
        return str(output.get("text", ""))
    if output.get("output_type") == "execute_result":
        return str(output.get("data", {}).get("text/plain", "")) + "\n"
    return ""


def summarise(cells, run, settings):
    """The run's status and a sentence saying what happened (cells counted from 1, as Jupyter users do)."""
    died = [c for c in cells if c.status == "kernel_died"]
    not_run = [c for c in cells if c.status == "not_run"]
    errors = [c for c in cells if c.status == "error"]
    slow = [c for c in cells if c.status == "timeout"]
    skipped = [c for c in cells if c.status == "skipped"]
    if died:
        return "kernel_died", ("The kernel died while running cell %d; %s after it did not run. Running out of "
                               "memory or a crash in native code (a segfault, os.abort) does this."
                               % (died[0].index + 1, count(not_run, "cell")))
    if not_run and (run.timed_out or any(c.status not in ("not_run", "skipped") for c in cells)):
        return "timeout", ("The notebook's time limit of %g s stopped the run at cell %d; %s did not run."
                           % (settings.total_timeout, not_run[0].index + 1, count(not_run, "cell")))
    if not_run:
        return "failed", "The notebook did not start (%s).%s" % (run.reason, tail(run))
    parts = []
    if errors:
        parts.append("%s raised an error (first: cell %d, %s)" % (
            count(errors, "cell"), errors[0].index + 1, errors[0].ename))
    if slow:
        parts.append("%s ran past the %g s limit and %s interrupted (first: cell %d)" % (
            count(slow, "cell"), settings.cell_timeout, "was" if len(slow) == 1 else "were", slow[0].index + 1))
    if skipped:
        parts.append("%s %s left out because %s (%s)" % (
            count(skipped, "cell"), "was" if len(skipped) == 1 else "were",
            "it calls code" if len(skipped) == 1 else "they call code", skipped[0].evalue))
    if parts:
        return "errors", "The notebook ran to the end, but %s." % "; ".join(parts)
    return "ran", "Every cell ran without an error."


def count(items, noun):
    return "%d %s%s" % (len(items), noun, "" if len(items) == 1 else "s")


def tail(run, chars=600):
    text = (run.stderr or run.stdout or "").strip()
    return " Its last output: %s" % text[-chars:] if text else ""


def tags_of(cell):
    tags = cell.get("metadata", {}).get("tags", [])
    return [str(t)[:100] for t in tags[:20]] if isinstance(tags, list) else []


def text_or_none(value, limit):
    return None if value is None else str(value)[:limit]
