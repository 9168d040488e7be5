"""The student's executed notebook, read as untrusted data for the HTML report.

The file beside result.json was written by a kernel running student code, so nothing in it
is trusted: it is read through graders/untrusted.py (no link followed, the same size cap,
NOTEBOOK_BYTES, under which the grader kept it), only plain text and PNG/JPEG images (checked
by their magic bytes) come out of here, sizes are capped, and HTML, JavaScript, SVG and every other rich output are dropped
with a note. The report's template escapes all text it is given.
"""
import base64
import binascii
import json
import re
from dataclasses import dataclass, field

from ..untrusted import NOTEBOOK_BYTES, UnreadableOutput, read_bytes

MAX_CELLS = 300                     # code cells shown
MAX_CELL_TEXT = 10_000              # characters of text output per cell
MAX_SOURCE = 4_000                  # characters of a cell's source shown
MAX_IMAGES = 40                     # images shown over the whole notebook
MAX_IMAGE_BYTES = 2 * 1024 * 1024   # decoded size of one image
MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
PLAIN_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class NotebookUnreadable(Exception):
    """The executed notebook cannot be shown; the message says why, as a sentence."""


@dataclass
class Output:
    kind: str               # "text", "error", "image" or "note"
    text: str = ""
    stream: str = ""        # stdout / stderr for streams, "result" for text/plain
    image: str = ""         # a data URI, for kind "image"


@dataclass
class Cell:
    index: int
    source: str
    outputs: list[Output] = field(default_factory=list)


def safe_name(name):
    """True for a plain file name: no folders, no `..`, no leading dot."""
    return isinstance(name, str) and PLAIN_NAME.fullmatch(name) is not None and ".." not in name


def read_notebook_file(folder, name):
    """The parsed JSON of folder/name, read by graders.untrusted (no link followed, at most
    NOTEBOOK_BYTES); NotebookUnreadable saying why not."""
    if not safe_name(name):
        raise NotebookUnreadable("The notebook file name %r is not a plain file name, so it is not shown." % (name,))
    try:
        data = read_bytes(str(folder), name, NOTEBOOK_BYTES)
    except UnreadableOutput as e:
        raise NotebookUnreadable("The executed notebook could not be read: %s. Its outputs are not shown." % e) from None
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise NotebookUnreadable("The executed notebook %s is not valid JSON, so its outputs cannot be shown." % name) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("cells"), list):
        raise NotebookUnreadable("The executed notebook %s has no list of cells, so its outputs cannot be shown." % name)
    return doc


def joined(value):
    """Notebook text fields are a string or a list of strings; anything else is empty."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(v for v in value if isinstance(v, str))
    return ""


def clip(text, limit):
    """text cut to limit characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    return text[:limit] + "\n[... %d more characters not shown ...]" % (len(text) - limit)


def image_uri(mime, value):
    """A data URI for base64 image data that really is a PNG/JPEG of bounded size, else None."""
    if not isinstance(value, (str, list)):
        return None
    encoded = re.sub(r"\s+", "", joined(value))
    if len(encoded) > MAX_IMAGE_BYTES * 4 // 3 + 4:
        return None
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(MAGIC[mime]):
        return None
    return "data:%s;base64,%s" % (mime, base64.b64encode(raw).decode("ascii"))


def rich_outputs(data, budget):
    """Outputs for one display_data / execute_result mime bundle."""
    if not isinstance(data, dict):
        return []
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            if budget["images"] <= 0:
                return [Output("note", "an image was not shown: at most %d images are shown per notebook" % MAX_IMAGES)]
            uri = image_uri(mime, data[mime])
            if uri:
                budget["images"] -= 1
                return [Output("image", image=uri)]
            return [Output("note", "an output claiming to be %s was not a valid image and is not shown" % mime)]
    if "text/plain" in data:
        return [Output("text", joined(data["text/plain"]), "result")]
    kinds = ", ".join(sorted(str(k) for k in data)[:5])
    return [Output("note", "an output of type %s is not shown (reports show only text and PNG/JPEG images)" % kinds)]


def convert_output(output, budget):
    """Safe outputs for one nbformat output."""
    if not isinstance(output, dict):
        return []
    kind = output.get("output_type")
    if kind == "stream":
        name = output.get("name") if output.get("name") in ("stdout", "stderr") else "stdout"
        return [Output("text", ANSI.sub("", joined(output.get("text"))), name)]
    if kind in ("display_data", "execute_result"):
        return rich_outputs(output.get("data"), budget)
    if kind == "error":
        text = "%s: %s" % (joined(output.get("ename")), joined(output.get("evalue")))
        return [Output("error", ANSI.sub("", text))]
    return []


def cap_cell_text(outputs):
    """Keep at most MAX_CELL_TEXT characters of text over a cell's outputs."""
    left = MAX_CELL_TEXT
    for out in outputs:
        if out.kind in ("text", "error"):
            out.text = clip(out.text, max(left, 0)) if left > 0 else "[... output not shown: this cell printed too much ...]"
            left -= len(out.text)
    return outputs


def code_cells(doc):
    """The notebook's code cells with their safe outputs, indexed among all cells."""
    cells, budget = [], {"images": MAX_IMAGES}
    for index, cell in enumerate(doc["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        if len(cells) == MAX_CELLS:
            break
        raw = cell.get("outputs") if isinstance(cell.get("outputs"), list) else []
        outputs = [o for item in raw for o in convert_output(item, budget)]
        cells.append(Cell(index, clip(joined(cell.get("source")), MAX_SOURCE), cap_cell_text(outputs)))
    return cells
