"""Runs the student's notebook inside the sandbox, next to the student's code.

Usage (by graders.notebook, never by hand):  python -I notebook_child.py WORKSPACE IN_DIR OUT_DIR

IN_DIR/settings.json says what to do: {"cell_timeout": s, "total_timeout": s,
"parameters": {NAME: value}, "skip": {TAG: reason}}; IN_DIR/submitted.ipynb is the student's
notebook. The parameters become an "injected-parameters" cell right below the cell tagged
`parameters` (papermill's convention), so the notebook runs at the grader's sizes. A cell
carrying a tag of "skip" (say, `check:conv_forward_naive` when that function never returned in
the checks) is not run: it is recorded as "skipped" with the reason.

Every code cell runs in one ipykernel whose working directory is WORKSPACE. A cell that
raises is recorded and the run goes on; a cell that runs past cell_timeout is interrupted,
recorded and the run goes on; past total_timeout the remaining cells are not run; a kernel
that dies (memory, crash) ends the run. After every cell the notebook so far is saved to
OUT_DIR/executed.ipynb, so the cells that ran are kept whatever happens next. Each
code cell gets metadata["cs231n_grader"] = {"status", "seconds", "ename", "evalue"}.

Like child.py this file imports nothing of the grader, and everything it writes is
untrusted: the student's code runs in the same kernel and could rewrite any of it.
"""
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

TIMEOUT_ENAME = "CellTimeout"
GRADER_KEY = "cs231n_grader"


def main(workspace, in_dir, out_dir):
    settings = json.loads(open(os.path.join(in_dir, "settings.json")).read())
    nb = nbformat.read(os.path.join(in_dir, "submitted.ipynb"), as_version=4)
    inject_parameters(nb, settings["parameters"])
    out = os.path.join(out_dir, "executed.ipynb")
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            status = "not_run" if cell.source.strip() else "ok"  # an empty cell has nothing to run
            cell.metadata[GRADER_KEY] = {"status": status, "seconds": None, "ename": None, "evalue": None}
    skip = settings.get("skip") or {}
    for cell in nb.cells:
        reasons = [skip[t] for t in cell.get("metadata", {}).get("tags", []) if t in skip]
        if cell.cell_type == "code" and reasons:
            cell.metadata[GRADER_KEY].update(status="skipped", ename="NotRun", evalue=reasons[0])
    save(nb, out)

    client = NotebookClient(
        nb, timeout=int(settings["cell_timeout"]), interrupt_on_timeout=True, allow_errors=True,
        error_on_timeout={"ename": TIMEOUT_ENAME, "evalue": "interrupted after %g s" % settings["cell_timeout"],
                          "traceback": []},
        kernel_name="python3", startup_timeout=60, record_timing=False,
        resources={"metadata": {"path": workspace}},
    )
    client.on_cell_executed = record_reply
    deadline = time.monotonic() + settings["total_timeout"]
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not cell.source.strip() or cell.metadata[GRADER_KEY]["status"] == "skipped":
                continue
            remaining = deadline - time.monotonic()
            if remaining < 1:
                break  # the rest stay "not_run"
            client.timeout = int(min(settings["cell_timeout"], remaining))
            start = time.monotonic()
            try:
                client.execute_cell(cell, index)
            except DeadKernelError:
                cell.metadata[GRADER_KEY].update(status="kernel_died", ename="DeadKernelError",
                                                 evalue="the kernel died while running this cell")
                break
            finally:
                cell.metadata[GRADER_KEY]["seconds"] = round(time.monotonic() - start, 3)
                save(nb, out)


def inject_parameters(nb, parameters):
    """Insert a cell assigning `parameters` right below the `parameters` cell (or first)."""
    if not parameters:
        return
    lines = ["# Injected by the grader: smaller sizes for grading."]
    lines += ["%s = %r" % (name, tuple(v) if isinstance(v, list) else v) for name, v in parameters.items()]
    cell = nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": ["injected-parameters"]})
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    nb.cells.insert(tagged[0] + 1 if tagged else 0, cell)


def record_reply(cell, cell_index, execute_reply):
    """nbclient hook: the cell's outcome, from the kernel's execute_reply."""
    content = (execute_reply or {}).get("content", {})
    record = cell.metadata[GRADER_KEY]
    if content.get("status") == "error":
        timed_out = content.get("ename") == TIMEOUT_ENAME
        record.update(status="timeout" if timed_out else "error",
                      ename=str(content.get("ename")), evalue=str(content.get("evalue"))[:2000])
    else:
        record["status"] = "ok"


def save(nb, path):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
    os.replace(tmp, path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
