"""Reading files that student code wrote or shaped: bounded, never through a link, never unpickled.

This is the one reader of untrusted files on the host, and the one size policy for them.
Everything under a job's out/ folder was written by student code; the executed notebook
saved beside result.json was written by the student's kernel; a submission folder is the
student's own. Such files are opened relative to a directory handle, each path component
with O_NOFOLLOW, so no link is followed and nothing is read outside the folder given; they
must be regular files of at most their kind's cap below (checked with fstat before a byte
is read); JSON must be an object; and an .npz archive is checked entry by entry (count,
declared and actual sizes, dtype) before any array is allocated, so a small deflate bomb
or a forged header cannot make the grader allocate more than the cap.
"""
import errno
import io
import json
import os
import stat
import zipfile

import numpy as np

# The size policy: the most the host reads of each kind of untrusted file, in one place.
META_BYTES = 2**20                 # a check's meta.json
OUTPUTS_BYTES = 512 * 2**20        # a check's outputs.npz, as stored on disk
NOTEBOOK_BYTES = 48 * 2**20        # an executed notebook (figures make it large): as the kernel wrote it,
                                   # and the same bytes again when the report shows them
MAX_ENTRIES = 4096                 # arrays in one outputs.npz
MAX_ARRAY_BYTES = 512 * 2**20      # decompressed, over all arrays of one outputs.npz
NUMERIC_KINDS = "biuf"

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class UnreadableOutput(Exception):
    """An untrusted file cannot be used; str() says why, in plain words.

    missing: the file is simply not there (e.g. the child ended before writing it).
    link: a symbolic link stands where the file or a folder on its way should be.
    special: the file is there but is not a regular file (a FIFO, a device, a folder).
    too_large: the file's size in bytes when it is over the cap, else None.
    """

    def __init__(self, message, missing=False, link=False, special=False, too_large=None):
        super().__init__(message)
        self.missing, self.link, self.special, self.too_large = missing, link, special, too_large


def read_bytes(folder, name, limit):
    """The bytes of folder/name, a regular file of at most limit bytes; links are refused.

    name is a relative path with "/" separators ("out.json", "cs231n/layers.py"); see
    open_regular. Raises UnreadableOutput saying what is wrong.
    """
    with open_regular(folder, name) as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise UnreadableOutput("%s is %s, over the %s the grader reads of such a file"
                                   % (name, describe_size(size), describe_size(limit)), too_large=size)
        data = f.read(size + 1)  # never more than fstat saw, plus one byte to see it grow
    if len(data) > size:
        raise UnreadableOutput("%s grew while it was read, so the grader does not use it" % name)
    return data


def open_regular(folder, name):
    """folder/name opened for reading (a binary file object), a regular file reached without
    following any link.

    folder is opened once (O_NOFOLLOW | O_DIRECTORY) and each component of name relative to
    the one before it, so neither the folder, nor a folder on the way, nor the file can be
    swapped for a link to elsewhere. The caller bounds what it reads (read_bytes caps it).
    """
    parts = _components(name)
    try:
        dir_fd = os.open(folder, _DIR_FLAGS)
    except OSError as e:
        link = _is_link_error(e, folder)
        why = "is a symbolic link, which the grader does not follow" if link else \
            "is not a folder the grader can read (%s)" % e.strerror
        raise UnreadableOutput("%s %s" % (os.path.basename(os.path.normpath(str(folder))), why), link=link) from None
    try:
        for depth, part in enumerate(parts[:-1]):
            inner = _open_folder(dir_fd, part, "/".join(parts[:depth + 1]))
            os.close(dir_fd)
            dir_fd = inner
        fd = _open_file(dir_fd, parts[-1], name)
    finally:
        os.close(dir_fd)
    f = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        f.close()
        raise UnreadableOutput("%s is not a regular file, so the grader does not read it" % name, special=True)
    return f


def describe_size(size):
    """A byte count in words: "48 MiB", "1.5 KiB", "12 bytes"."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            return "%.3g %s" % (size / scale, unit)
    return "%d bytes" % size


def _components(name):
    parts = str(name).split("/")
    if not name or any(p in ("", ".", "..") for p in parts) or "\0" in str(name):
        raise UnreadableOutput("%r is not a plain relative file name, so the grader does not read it" % (name,))
    return parts


def _open_folder(dir_fd, part, shown):
    """A handle of the folder part inside dir_fd; a link is refused."""
    try:
        return os.open(part, _DIR_FLAGS, dir_fd=dir_fd)
    except OSError as e:
        link = _is_link_error(e, part, dir_fd)
        why = "is a symbolic link, which the grader does not follow" if link else \
            "is not a folder the grader can read (%s)" % e.strerror
        raise UnreadableOutput("%s %s" % (shown, why), missing=isinstance(e, FileNotFoundError), link=link) from None


def _open_file(dir_fd, part, name):
    try:
        return os.open(part, _FILE_FLAGS, dir_fd=dir_fd)
    except OSError as e:
        if _is_link_error(e, part, dir_fd):
            raise UnreadableOutput("%s is a symbolic link, which the grader does not follow" % name, link=True) from None
        if isinstance(e, FileNotFoundError):
            raise UnreadableOutput("%s does not exist" % name, missing=True) from None
        raise UnreadableOutput("%s cannot be opened (%s)" % (name, e.strerror)) from None


def _is_link_error(error, path, dir_fd=None):
    """True when opening path failed because it is a symbolic link (O_NOFOLLOW's ELOOP, or
    ENOTDIR for a link where a folder was asked for)."""
    if error.errno == errno.ELOOP:
        return True
    if error.errno != errno.ENOTDIR:
        return False
    try:
        return stat.S_ISLNK(os.stat(path, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


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
