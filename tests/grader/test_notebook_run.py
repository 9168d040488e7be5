"""The student's notebook run by the grader: in the sandbox, reported, never scored.

Each sample is the reference's code with a notebook: the assignment's own, the template's
code with it, and small notebooks that loop forever, exhaust memory, crash the kernel,
outlast the total time limit, or are not notebooks at all. Every one gets a result saying
what happened, and its checks are graded all the same.
"""
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import corpus
from graders import api
from graders.notebook import invalid_reason
from graders.result import validate
from graders.rubric import load_rubric

ROOT = Path(__file__).resolve().parents[2]
CONV = "ConvolutionalNetworks.ipynb"
NOTEBOOK = (ROOT / "graders" / "assignments" / "cs231n_a2" / "notebooks" / CONV).read_bytes()
CELL_TIMEOUT, TOTAL_TIMEOUT = 5, 40
SLOW_CELLS = {"memory": 60}  # filling 3 GB of memory takes seconds on a busy machine


def small(*sources):
    cells = [new_markdown_cell("A small notebook")] + [new_code_cell(s) for s in sources]
    return nbformat.writes(new_notebook(cells=cells)).encode()


NOTEBOOKS = {
    "assignment": ("reference", NOTEBOOK),
    "template": ("template", NOTEBOOK),
    "loop": ("reference", small("import cs231n\nprint('before')", "while True:\n    pass", "print('after the loop')")),
    "memory": ("reference", small("print('before')", "hog = []\nwhile True:\n    hog.append(bytearray(2**28))",
                                  "del hog\nprint('after the hog')")),
    "crash": ("reference", small("print('before')", "import os\nos.abort()", "print('never')")),
    "slow": ("reference", small(*["import time\ntime.sleep(4)"] * 15)),
    "not_json": ("reference", b'{"cells": [ this is not JSON'),
    "nbformat3": ("reference", json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "cells": []}).encode()),
    "missing": ("reference", None),
}


def quick_rubric(name):
    """Two cheap checks; short notebook time limits except for the assignment's own notebook."""
    rubric = load_rubric()
    two = rubric.only({"conv_forward", "max_pool_forward"})
    if NOTEBOOKS[name][1] == NOTEBOOK:
        return two
    cell_timeout = SLOW_CELLS.get(name, CELL_TIMEOUT)
    notebook = replace(rubric.notebook, cell_timeout=cell_timeout, total_timeout=max(cell_timeout, TOTAL_TIMEOUT))
    return replace(two, notebook=notebook)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("notebooks")
    samples = {"reference": corpus.reference(), "template": corpus.template()}
    paths = []
    for name, (code, notebook) in NOTEBOOKS.items():
        path = corpus.write(replace(samples[code], name=name), base / "submissions")
        if notebook is not None:
            (path / CONV).write_bytes(notebook)
        paths.append(path)

    def grade(path):
        return api.grade_one(path, base / "out", quick_rubric(path.name), api.Options(), 5)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(grade, paths))
    return {r.submission: r for r in results}, base / "out"


def conv_notebook(doc):
    """The ConvolutionalNetworks entry of the document's notebooks (the others were not submitted)."""
    (entry,) = [n for n in doc["notebooks"] if n["name"] == CONV]
    return entry


def docs(runs, name):
    results, out = runs
    doc = json.loads((out / name / "result.json").read_text())
    validate(doc)
    return results[name], doc


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_checks_are_graded_whatever_the_notebook_does(runs, name):
    result, doc = docs(runs, name)
    expected = 0.0 if name == "template" else result.max_score
    assert result.status == "graded" and result.score == expected
    assert conv_notebook(doc)["message"]


def test_the_assignment_notebook_runs_against_the_reference(runs):
    result, doc = docs(runs, "assignment")
    notebook = conv_notebook(doc)
    assert notebook["status"] == "ran", notebook["message"]
    assert all(c["status"] == "ok" for c in notebook["cells"])
    injected = [c for c in notebook["cells"] if "injected-parameters" in c["tags"]]
    assert len(injected) == 1, "the grader's sizes go below the parameters cell"
    conv = next(r for r in notebook["reported"] if r["tag"] == "check:conv_forward_naive")
    error = float(conv["text"].split("out error:")[1].split()[0])
    assert error < 1e-7
    executed = nbformat.reads((runs[1] / "assignment" / CONV).read_text(), as_version=4)
    nbformat.validate(executed)
    assert any(o.get("output_type") == "display_data" for c in executed.cells for o in c.get("outputs", []))


def test_the_template_notebook_reports_each_stub(runs):
    _, doc = docs(runs, "template")
    notebook = conv_notebook(doc)
    assert notebook["status"] == "errors"
    errors = [c for c in notebook["cells"] if c["status"] == "error"]
    assert any(c["ename"] == "NotImplementedError" and "conv_forward_naive" in c["evalue"] for c in errors)
    assert "raised an error" in notebook["message"]


def test_an_endless_cell_is_interrupted_and_the_run_goes_on(runs):
    _, doc = docs(runs, "loop")
    notebook = conv_notebook(doc)
    statuses = [c["status"] for c in notebook["cells"]]
    assert notebook["status"] == "errors"
    assert statuses.count("timeout") == 1 and statuses[-1] == "ok"
    assert "%g s limit" % CELL_TIMEOUT in notebook["message"]


def test_a_memory_hog_is_stopped_and_the_run_goes_on(runs):
    _, doc = docs(runs, "memory")
    notebook = conv_notebook(doc)
    hog = [c for c in notebook["cells"] if c["status"] != "ok"]
    assert [c["ename"] for c in hog] in (["MemoryError"], ["DeadKernelError"])
    assert "MemoryError" in notebook["message"] or "memory" in notebook["message"]


def test_a_dead_kernel_keeps_the_cells_that_ran(runs):
    _, doc = docs(runs, "crash")
    notebook = conv_notebook(doc)
    assert notebook["status"] == "kernel_died"
    assert [c["status"] for c in notebook["cells"]] == ["ok", "ok", "kernel_died", "not_run"]
    executed = nbformat.reads((runs[1] / "crash" / CONV).read_text(), as_version=4)
    assert "before" in executed.cells[2].outputs[0]["text"]  # markdown, injected parameters, then ours


def test_the_total_time_limit_stops_the_run(runs):
    _, doc = docs(runs, "slow")
    notebook = conv_notebook(doc)
    assert notebook["status"] == "timeout"
    assert "%g s" % TOTAL_TIMEOUT in notebook["message"]
    statuses = [c["status"] for c in notebook["cells"]]
    assert statuses[:3] == ["ok"] * 3 and statuses[-1] == "not_run"


@pytest.mark.parametrize("name, words", [("not_json", "not valid JSON"), ("nbformat3", "nbformat 3")])
def test_an_unreadable_notebook_is_explained(runs, name, words):
    _, doc = docs(runs, name)
    assert conv_notebook(doc)["status"] == "invalid"
    assert words in conv_notebook(doc)["message"]
    assert not (runs[1] / name / CONV).exists()


def test_a_missing_notebook_is_said(runs):
    _, doc = docs(runs, "missing")
    assert conv_notebook(doc)["status"] == "missing" and "not run" in conv_notebook(doc)["message"]


@pytest.mark.parametrize("source, words", [
    (b"\xff\xfe not utf-8", "not UTF-8"),
    (b"[1, 2, 3]", "not a notebook"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                 "cells": [{"id": "a", "cell_type": "nonsense"}]}).encode(),
     "nbformat 4 schema"),
])
def test_invalid_reasons(source, words):
    assert words in invalid_reason(source)


def test_a_valid_notebook_has_no_invalid_reason():
    assert invalid_reason(NOTEBOOK) is None


@pytest.mark.parametrize("name", ["loop", "memory", "crash", "slow", "not_json", "assignment"])
def test_the_html_report_says_what_happened(runs, name):
    from markupsafe import escape

    _, doc = docs(runs, name)
    page = (runs[1] / name / "report.html").read_text()
    assert str(escape(conv_notebook(doc)["message"])) in page
    assert "%g / %g" % (doc["score"], doc["max_score"]) in page


OTHER_PARTS = ("FullyConnectedNets.ipynb", "BatchNormalization.ipynb", "Dropout.ipynb")


def test_the_other_parts_notebooks_run_against_the_reference(tmp_path):
    """Every notebook handed in runs, each with its own part's parameters, and is kept under its name."""
    path = corpus.write(replace(corpus.reference(), name="other_parts"), tmp_path / "submissions")
    for name in OTHER_PARTS:
        (path / name).write_bytes((ROOT / "graders" / "assignments" / "cs231n_a2" / "notebooks" / name).read_bytes())
    rubric = load_rubric().only({"affine_forward", "batchnorm_forward", "dropout_forward"})
    result = api.grade_one(path, tmp_path / "out", rubric, api.Options(), 5)
    doc = json.loads((tmp_path / "out" / "other_parts" / "result.json").read_text())
    validate(doc)
    runs = {n["name"]: n for n in doc["notebooks"]}
    assert list(runs) == [*OTHER_PARTS, CONV]
    for name in OTHER_PARTS:
        assert runs[name]["status"] == "ran", runs[name]["message"]
        injected = [c for c in runs[name]["cells"] if "injected-parameters" in c["tags"]]
        assert len(injected) == 1 and runs[name]["reported"], name
        nbformat.validate(nbformat.reads((tmp_path / "out" / "other_parts" / name).read_text(), as_version=4))
    assert runs[CONV]["status"] == "missing" and not (tmp_path / "out" / "other_parts" / CONV).exists()
    parts = {p.part: p for p in result.parts}
    assert [parts[n[:-len(".ipynb")]].status for n in OTHER_PARTS] == ["graded"] * 3
    assert result.score == result.max_score and parts["ConvolutionalNetworks"].status == "not_submitted"


def test_a_layer_that_never_returns_is_waited_for_once(tmp_path):
    """conv_forward_naive loops forever: its check times out, the checks built on it are not
    run, and the notebook leaves out the cells that check or use it instead of waiting on each."""
    looping = next(s for s in corpus.everything() if s.name == "hostile_infinite_loop")
    path = corpus.write(looping, tmp_path / "submissions")
    (path / CONV).write_bytes(NOTEBOOK)
    rubric = load_rubric().only({"conv_forward", "conv_backward", "max_pool_forward"})
    rubric = replace(rubric, checks=tuple(replace(c, time_limit=10) for c in rubric.checks))
    result = api.grade_one(path, tmp_path / "out", rubric, api.Options(), 5)
    checks = {c.id: c for c in result.checks}
    assert [checks[i].status for i in ("conv_forward", "conv_backward", "max_pool_forward")] == \
        ["timeout", "skipped", "passed"]
    # The message says where the time went, and on inputs of which sizes.
    assert re.fullmatch(r"stopped after the 10 s time limit while running conv_forward_naive on inputs of sizes "
                        r"\d+x3x\d+x\d+, \d+x3x\d+x\d+, \d+ \(the first of \d+ cases\)",
                        checks["conv_forward"].message), checks["conv_forward"].message
    run = next(n for n in result.notebooks if n.name == CONV)
    skipped = [c for c in run.cells if c.status == "skipped"]
    tags = {t for c in skipped for t in c.tags}
    assert {"check:conv_forward_naive", "uses:conv_forward_naive", "check:conv_backward_naive"} <= tags
    assert all(t.endswith(("conv_forward_naive", "conv_backward_naive")) for c in skipped for t in c.tags
               if t.startswith(("check:", "uses:")) and "naive" in t)
    assert not [c for c in run.cells if c.status == "timeout"]
    pooling = [c for c in run.cells if "check:max_pool_backward_naive" in c.tags]
    assert [c.status for c in pooling] == ["ok"]  # it uses no convolution, so it runs
    assert run.status == "errors" and "left out because they call code (conv_forward_naive did not return within" \
        in run.message, run.message
    assert result.seconds < 180  # one check's limit, the other checks and the notebook, with a generous margin
