"""Hand-built result documents and a hand-made executed notebook for the renderer's tests."""
import base64
import io
import json
from dataclasses import asdict

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from graders.pipeline import empty_result
from graders.result import validate
from graders.rubric import load_rubric

HOSTILE_HTML = '<script>document.title = "pwned"</script><img src=x onerror=alert(1)>'


def result_doc(status="graded", message=""):
    """A schema-valid result.json document for the shipped rubric; graded ones pass every check."""
    doc = asdict(empty_result("alice", load_rubric(), status if status != "graded" else "rejected", message))
    if status == "graded":
        doc.update(status="graded", isolation="bwrap", message="", seconds=42.5, score=doc["max_score"])
        for check in doc["checks"]:
            check.update(status="passed", score=check["max_score"], measured=0.0, message="largest error 0", seconds=0.3)
    validate(doc)
    return doc


def overfit_figures(filters=(8, 3, 7, 7)):
    """Figures like the cnn_overfit check's: training curves and first-layer filters."""
    rng = np.random.default_rng(0)
    curves = {"loss_history": list(np.linspace(2.3, 0.1, 30)), "train_acc_history": list(np.linspace(0.1, 1.0, 16)),
              "val_acc_history": list(np.linspace(0.1, 0.95, 16))}
    return [{"kind": "training_curves", "title": "Training", "alt": "curves", "data": curves},
            {"kind": "filter_grid", "title": "Filters", "alt": "grid",
             "data": {"filters": rng.standard_normal(filters).round(5).tolist()}}]


def speedup_figure(speedups):
    """A figure like the fast_layers check's."""
    return {"kind": "speedups", "title": "Speed-ups", "alt": "bars", "data": {"speedups": speedups}}


def png_bytes():
    """A real small PNG."""
    fig = Figure(figsize=(1, 1))
    FigureCanvasAgg(fig)
    fig.add_subplot().plot([0, 1], [1, 0])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=30)
    return buffer.getvalue()


def hostile_notebook():
    """An executed notebook: stream, error, a PNG, a fake PNG, and HTML/JS/SVG outputs."""
    nbformat = pytest.importorskip("nbformat")
    v4 = nbformat.v4
    png = base64.b64encode(png_bytes()).decode("ascii")
    fake_png = base64.b64encode(b"<svg onload=alert(1)>").decode("ascii")
    cells = [
        v4.new_markdown_cell("# The notebook"),
        v4.new_code_cell("print('hello')", outputs=[
            v4.new_output("stream", name="stdout", text="conv_forward_naive error: 2.2e-08\n"),
            v4.new_output("stream", name="stderr", text="<script>alert('stderr')</script>\n")]),
        v4.new_code_cell("raise ValueError", outputs=[
            v4.new_output("error", ename="ValueError", evalue="<b>bad</b> shape", traceback=["\x1b[31mValueError\x1b[0m"])]),
        v4.new_code_cell("plt.show()", outputs=[
            v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
            v4.new_output("display_data", data={"image/png": fake_png})]),
        v4.new_code_cell("HTML(...)", outputs=[
            v4.new_output("display_data", data={"text/html": HOSTILE_HTML}),
            v4.new_output("display_data", data={"application/javascript": "alert(1)"}),
            v4.new_output("display_data", data={"image/svg+xml": "<svg onload='alert(1)'/>"}),
            v4.new_output("execute_result", data={"text/html": HOSTILE_HTML, "text/plain": "<IPython.core.display.HTML object>"},
                          execution_count=4)]),
    ]
    return v4.new_notebook(cells=cells)


def notebook_section(file="notebook.ipynb"):
    """An entry of result.json's `notebooks` matching hostile_notebook()."""
    return {
        "name": "ConvolutionalNetworks.ipynb", "part": "ConvolutionalNetworks", "status": "errors", "message": "1 cell raised an error", "file": file, "seconds": 3.2,
        "cells": [
            {"index": 1, "cell_id": "a", "tags": ["check:conv_forward_naive"], "status": "ok", "seconds": 0.1, "ename": None, "evalue": None},
            {"index": 2, "cell_id": "b", "tags": [], "status": "error", "seconds": 0.0, "ename": "ValueError", "evalue": "<b>bad</b> shape"},
            {"index": 3, "cell_id": "c", "tags": [], "status": "ok", "seconds": 0.5, "ename": None, "evalue": None},
            {"index": 4, "cell_id": "d", "tags": [], "status": "ok", "seconds": 0.0, "ename": None, "evalue": None},
        ],
        "reported": [{"cell": 1, "tag": "check:conv_forward_naive", "text": "Testing conv_forward_naive\ndifference: <script>x</script> 2.2e-08"}],
    }


def write_folder(folder, doc, notebook=None):
    """folder/result.json (validated) and, if given, folder/notebook.ipynb."""
    validate(doc)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "result.json").write_text(json.dumps(doc))
    if notebook is not None:
        nbformat = pytest.importorskip("nbformat")
        nbformat.write(notebook, str(folder / "notebook.ipynb"))
    return folder
