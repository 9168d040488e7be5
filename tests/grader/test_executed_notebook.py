"""The executed notebook the grader keeps is the one the report shows: one reader, one cap.

The notebook's kernel writes out/executed.ipynb; the grader reads it under
untrusted.NOTEBOOK_BYTES, keeps those very bytes beside result.json, and the report reads
them again through the same reader under the same cap. No kernel runs here: the file the
kernel would write is made by hand, as large as the cap allows.
"""
import json

import pytest

from graders import notebook, pipeline
from graders.result import CellRun, NotebookRun
from graders.rubric import load_rubric
from graders.untrusted import NOTEBOOK_BYTES, UnreadableOutput


def executed(size, marker="first line of a large output"):
    """An executed nbformat 4 notebook of a little over size bytes, as compact JSON: one code
    cell the runner marked as run, printing marker and then 1 MiB lines."""
    text = [marker + "\n"] + ["y" * (2**20 - 1) + "\n"] * (size // 2**20)
    cell = {"cell_type": "code", "id": "c1", "execution_count": 1, "source": "print(big)",
            "metadata": {notebook.GRADER_KEY: {"status": "ok", "seconds": 0.5}},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": text}]}
    doc = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(doc, separators=(",", ":")).encode()


def test_a_notebook_between_the_old_caps_is_kept_and_shown(tmp_path):
    # The report once read at most 20 MiB of a notebook the grader kept up to 48 MiB.
    out = tmp_path / "out"
    out.mkdir()
    written = executed(30 * 2**20)
    (out / "executed.ipynb").write_bytes(written)
    assert 20 * 2**20 < len(written) <= NOTEBOOK_BYTES

    nb, kept = notebook.read_executed(out)
    assert kept == written  # the bytes kept are the bytes read, not a re-serialisation that may grow
    assert [c.status for c in notebook.cell_runs(nb)] == ["ok"]

    result = pipeline.empty_result("alice", load_rubric(), "rejected", "")
    result.status = "graded"
    name = "ConvolutionalNetworks.ipynb"
    result.notebooks = [NotebookRun(name=name, part="ConvolutionalNetworks", status="ran",
                                    message="Every cell ran without an error.", file=name, seconds=1.0,
                                    cells=[CellRun(index=0, cell_id="c1", tags=[], status="ok", seconds=0.5)])]
    folder = pipeline.publish_result(result, tmp_path / "results", {name: kept})
    assert (folder / name).read_bytes() == written
    page = (folder / "report.html").read_text()
    assert "first line of a large output" in page
    assert "could not be read" not in page


def test_an_executed_notebook_over_the_cap_is_refused_with_its_size(tmp_path):
    with open(tmp_path / "executed.ipynb", "wb") as f:
        f.truncate(NOTEBOOK_BYTES + 2**20)
    with pytest.raises(UnreadableOutput, match="executed.ipynb is 49 MiB, over the 48 MiB the grader reads"):
        notebook.read_executed(tmp_path)


def test_a_link_in_place_of_the_executed_notebook_is_refused(tmp_path):
    (tmp_path / "planted.ipynb").write_bytes(executed(0))
    (tmp_path / "executed.ipynb").symlink_to(tmp_path / "planted.ipynb")
    with pytest.raises(UnreadableOutput, match="executed.ipynb is a symbolic link, which the grader does not follow"):
        notebook.read_executed(tmp_path)


def test_an_executed_notebook_of_another_version_is_refused(tmp_path):
    # Its bytes would be kept as they are, and the report reads nbformat 4 only.
    (tmp_path / "executed.ipynb").write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [],
                                                         "metadata": {}}))
    with pytest.raises(UnreadableOutput, match="damaged"):
        notebook.read_executed(tmp_path)
