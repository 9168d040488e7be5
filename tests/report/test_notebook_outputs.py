"""Reading the untrusted executed notebook: caps, image checks, file names."""
import base64
import json
import os

import pytest
from report_fixtures import png_bytes

from graders.report import notebook_outputs as nb
from graders.untrusted import NOTEBOOK_BYTES


def code_cell(outputs):
    return {"cell_type": "code", "source": ["x = 1\n", "x"], "outputs": outputs}


def test_images_are_capped_per_notebook():
    png = base64.b64encode(png_bytes()).decode("ascii")
    outputs = [{"output_type": "display_data", "data": {"image/png": png}}] * (nb.MAX_IMAGES + 3)
    (cell,) = nb.code_cells({"cells": [code_cell(outputs)]})
    assert sum(o.kind == "image" for o in cell.outputs) == nb.MAX_IMAGES
    assert sum(o.kind == "note" for o in cell.outputs) == 3


def test_text_is_capped_per_cell():
    outputs = [{"output_type": "stream", "name": "stdout", "text": "x" * nb.MAX_CELL_TEXT}] * 3
    (cell,) = nb.code_cells({"cells": [code_cell(outputs)]})
    assert sum(len(o.text) for o in cell.outputs) < nb.MAX_CELL_TEXT + 200
    assert "not shown" in cell.outputs[-1].text


def test_jpeg_accepted_by_magic_bytes_and_other_data_refused():
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0" + b"\0" * 20).decode("ascii")
    assert nb.image_uri("image/jpeg", jpeg).startswith("data:image/jpeg;base64,/9j/")
    assert nb.image_uri("image/png", jpeg) is None
    assert nb.image_uri("image/png", "not base64 at all!") is None
    assert nb.image_uri("image/png", {"a": 1}) is None


def test_cell_indices_count_every_cell_and_ansi_codes_are_removed():
    cells = [{"cell_type": "markdown", "source": "# hi"},
             code_cell([{"output_type": "error", "ename": "\x1b[31mKeyError\x1b[0m", "evalue": "'W1'"}])]
    (cell,) = nb.code_cells({"cells": cells})
    assert cell.index == 1 and cell.outputs[0].text == "KeyError: 'W1'"


def test_plain_names_only():
    assert nb.safe_name("notebook.ipynb") and nb.safe_name("Convolutional_Networks-1.ipynb")
    for name in ("../x.ipynb", "a/b", ".", "..", ".x", "a..b", "", None, "x\n", "x" * 300):
        assert not nb.safe_name(name), name


def test_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "notebook.ipynb")
    with pytest.raises(nb.NotebookUnreadable, match="notebook.ipynb is not a regular file"):
        nb.read_notebook_file(tmp_path, "notebook.ipynb")


def big_notebook(size):
    """An executed notebook of about size bytes: one cell printing "first line" and then
    1 MiB lines of text."""
    lines = ["first line\n"] + ["y" * (2**20 - 1) + "\n"] * (size // 2**20)
    cell = code_cell([{"output_type": "stream", "name": "stdout", "text": lines}])
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def test_a_notebook_between_the_old_caps_is_shown(tmp_path):
    # The report once read at most 20 MiB while the grader kept executed notebooks up to 48 MiB.
    (tmp_path / "notebook.ipynb").write_bytes(big_notebook(30 * 2**20))
    assert 20 * 2**20 < (tmp_path / "notebook.ipynb").stat().st_size <= NOTEBOOK_BYTES
    (cell,) = nb.code_cells(nb.read_notebook_file(tmp_path, "notebook.ipynb"))
    assert cell.outputs[0].text.startswith("first line\n")


def test_a_notebook_over_the_cap_gets_a_sentence_with_its_size(tmp_path):
    with open(tmp_path / "notebook.ipynb", "wb") as f:
        f.truncate(NOTEBOOK_BYTES + 5 * 2**20)
    with pytest.raises(nb.NotebookUnreadable, match=r"^The executed notebook could not be read: notebook.ipynb "
                       r"is 53 MiB, over the 48 MiB the grader reads of such a file. Its outputs are not shown.$"):
        nb.read_notebook_file(tmp_path, "notebook.ipynb")


def test_a_link_in_place_of_the_notebook_is_refused(tmp_path):
    (tmp_path / "elsewhere.ipynb").write_bytes(big_notebook(0))
    (tmp_path / "notebook.ipynb").symlink_to(tmp_path / "elsewhere.ipynb")
    with pytest.raises(nb.NotebookUnreadable, match="notebook.ipynb is a symbolic link, which the grader does not follow"):
        nb.read_notebook_file(tmp_path, "notebook.ipynb")
    (tmp_path / "linked").symlink_to(tmp_path)
    with pytest.raises(nb.NotebookUnreadable, match="linked is a symbolic link"):
        nb.read_notebook_file(tmp_path / "linked", "elsewhere.ipynb")
