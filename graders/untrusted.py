"""Reading what a sandboxed child wrote: bounded, never through a link, never unpickled.

Everything under a job's out/ folder was written by student code. It is read here
and nowhere else: files are opened relative to a directory handle without following
links, must be regular files under a size cap, JSON must be an object, and an .npz
archive is checked entry by entry (count, declared and actual sizes, dtype) before
any array is allocated, so a small deflate bomb or a forged header cannot make the
grader allocate more than the cap.
"""
import io
import json
import os
import stat
import zipfile

import numpy as np

MAX_ENTRIES = 4096            # arrays in one outputs.npz
MAX_ARRAY_BYTES = 512 * 2**20  # decompressed, over all arrays of one outputs.npz
NUMERIC_KINDS = "biuf"


class UnreadableOutput(Exception):
    """What the child wrote cannot be used; str() says why, in plain words.

    missing: the file is simply not there (the child ended before writing it).
    """

    def __init__(self, message, missing=False):
        super().__init__(message)
        self.missing = missing


def read_bytes(folder, name, limit):
    """The bytes of folder/name, a regular file of at most limit bytes; links are refused.

    folder is opened once (O_NOFOLLOW | O_DIRECTORY) and the file relative to it, so
    neither the folder nor the file can be swapped for a link to elsewhere.
    """
    try:
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as e:
        raise UnreadableOutput("%s is not a folder the grader can read (%s)" % (os.path.basename(folder), e.strerror)) from None
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError as e:
        raise UnreadableOutput("%s was not written (%s)" % (name, e.strerror),
                               missing=isinstance(e, FileNotFoundError)) from None
    finally:
        os.close(dir_fd)
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            raise UnreadableOutput("%s is not a regular file of at most %d bytes" % (name, limit))
        return f.read(info.st_size)  # what fstat saw; the child that wrote it is gone


def read_json_object(folder, name, limit):
    """folder/name parsed as a JSON object (NaN and Infinity refused)."""
    data = read_bytes(folder, name, limit)
    try:
        doc = json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise UnreadableOutput("%s is not valid JSON" % name) from None
    if not isinstance(doc, dict):
        raise UnreadableOutput("%s is not a JSON object" % name)
    return doc


def _refuse_constant(name):
    raise ValueError("%s is not JSON" % name)


def read_npz(folder, name, limit, max_entries=MAX_ENTRIES, max_array_bytes=MAX_ARRAY_BYTES):
    """The numeric arrays of folder/name, an .npz archive; non-numeric entries are dropped.

    Raises UnreadableOutput for an archive that is damaged, has more than max_entries
    entries, or whose arrays would take more than max_array_bytes in memory.
    """
    data = read_bytes(folder, name, limit)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > max_entries:
                raise UnreadableOutput("%s holds %d entries (at most %d are read)" % (name, len(entries), max_entries))
            budget = [max_array_bytes]
            arrays = (_read_entry(archive, entry, budget, name) for entry in entries if entry.filename.endswith(".npy"))
            return dict(pair for pair in arrays if pair is not None)
    except UnreadableOutput:
        raise
    except Exception as e:  # a corrupt or forged archive is just unreadable output
        raise UnreadableOutput("%s cannot be read (%s)" % (name, str(e)[:200])) from None


def _header(fp):
    """(shape, fortran_order, dtype) of an .npy stream positioned at its start."""
    version = np.lib.format.read_magic(fp)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(fp)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(fp)
    raise ValueError("unsupported .npy version %s" % (version,))


def _read_entry(archive, entry, budget, name):
    """(array name, array) of one entry, charged against budget[0] bytes before it is read;
    None for a non-numeric array (never read)."""
    with archive.open(entry) as fp:
        shape, fortran, dtype = _header(fp)
        if dtype.kind not in NUMERIC_KINDS or dtype.hasobject:
            return None
        count = int(np.prod(shape, dtype=object))
        size = count * dtype.itemsize
        if size > budget[0] or size > entry.file_size:
            raise UnreadableOutput("%s: %s declares %d bytes of data, more than it holds or the grader reads"
                                   % (name, entry.filename, size))
        budget[0] -= size
        raw = fp.read(size)
    if len(raw) != size:
        raise UnreadableOutput("%s: %s is truncated" % (name, entry.filename))
    array = np.frombuffer(raw, dtype=dtype, count=count)
    array = array.reshape(shape[::-1]).T if fortran else array.reshape(shape)
    return entry.filename[:-len(".npy")], array.copy()
