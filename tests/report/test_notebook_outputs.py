"""Reading the untrusted executed notebook: caps, image checks, file names."""
import base64

from report_fixtures import png_bytes

from graders.report import notebook_outputs as nb


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
    import os
    os.mkfifo(tmp_path / "notebook.ipynb")
    try:
        nb.read_notebook_file(tmp_path, "notebook.ipynb")
    except nb.NotebookUnreadable as e:
        assert "not a regular file" in str(e)
    else:
        raise AssertionError("a FIFO was read as a notebook")
