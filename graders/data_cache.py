"""The grader's private cache of the synthetic CIFAR-10 that student notebooks load.

    cached_cifar10(num_train, num_test, seed=0, cache=None) -> its cifar-10-batches-py folder

Notebooks unpickle these files in the sandboxed kernel, so whoever can write them runs code
in the next student's grading. The cache is therefore private to the grader:

* Where: ``$CS231N_GRADER_CACHE``; else ``/var/cache/cs231n-grader`` as root; else
  ``$XDG_CACHE_HOME/cs231n-grader`` (``~/.cache/cs231n-grader``). Never a shared temporary folder.
  The path is resolved once (links in it are followed then), and then opened folder by folder
  from ``/`` without following links: each folder on the way must belong to root or the grader
  and not be writable by group or others, unless it is sticky like ``/tmp`` (others cannot then
  rename what is in it, and what is in it is checked in turn).
* The cache folder, the lock file, each data set's folders and files must belong to the grader,
  not be writable by group or others, and be plain folders and files (no links). Each data set
  keeps ``sha256.json`` beside its ``cifar-10-batches-py``: the hash of every file, checked
  before each use.
* What fails a check is never used, written to or followed: a data set or lock file of the
  grader's own is removed and made again; anything else stops the grader with a
  :class:`CacheError` saying what is wrong and what to do.
* The host never unpickles anything from the cache; only sandboxed notebooks do.

Folders are 0755 and data files 0644: the sandboxed notebook reads them under another uid (in
``rlimits`` mode as root, every folder above the cache must then be searchable by others, o+x;
bubblewrap binds the folder read-only). The lock file is 0600, so no sandboxed process can hold it.
Concurrent graders share the cache: one writes a data set, under the lock, into a staging
folder renamed into place; the others wait and reuse it.
"""
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

from .synthetic import NUM_BATCHES, write_cifar10

CACHE_ENV = "CS231N_GRADER_CACHE"
ROOT_CACHE = Path("/var/cache/cs231n-grader")
LOCK = ".lock"
DATA = "cifar-10-batches-py"
MANIFEST = "sha256.json"
FILES = tuple("data_batch_%d" % b for b in range(1, NUM_BATCHES + 1)) + ("test_batch", "batches.meta")
MAX_MANIFEST_BYTES = 2**16
OPEN_FLAGS = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK  # O_NONBLOCK: a FIFO never blocks the open
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | OPEN_FLAGS
KINDS = {stat.S_IFDIR: "a folder", stat.S_IFREG: "a file", stat.S_IFLNK: "a link"}


class CacheError(RuntimeError):
    """The data cache cannot be used safely; the message says why and what to do."""


class Untrusted(Exception):
    """A data set in the cache is not exactly what the grader wrote (internal: it is made again)."""


def cached_cifar10(num_train, num_test, seed=0, cache=None):
    """The cifar-10-batches-py folder of write_cifar10(...), made once, checked before each reuse."""
    root = Path(os.path.realpath(cache or default_location()))
    name = "train%d-test%d-seed%d" % (num_train, num_test, seed)
    root_fd = open_cache_folder(root)
    try:
        with locked(root_fd, root):
            if problem_with(root_fd, root, name, (num_train, num_test, seed)):
                remove(root_fd, name)
                build(root_fd, root, name, num_train, num_test, seed)
    finally:
        os.close(root_fd)
    return root / name / DATA


def default_location():
    """$CS231N_GRADER_CACHE; /var/cache/cs231n-grader as root; else the user's XDG cache folder."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    if os.geteuid() == 0:
        return ROOT_CACHE
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache") / "cs231n-grader"


# --- the way to the cache folder --------------------------------------------------------------

def open_cache_folder(root):
    """A descriptor of the cache folder (made if missing), opened from / without following links."""
    fd = os.open("/", DIR_FLAGS)
    try:
        for path in [*reversed(root.parents), root][1:]:  # each folder below /, down to the cache
            refuse_if(ancestor_problem(os.fstat(fd)), path.parent, root, on_the_way=True)
            child = open_or_make_folder(fd, path)
            os.close(fd)
            fd = child
        refuse_if(entry_problem(os.fstat(fd), stat.S_IFDIR), root, root)
        return fd
    except BaseException:
        os.close(fd)
        raise


def open_or_make_folder(parent_fd, path):
    """Open the folder path (its name in parent_fd), making it 0755 if missing; CacheError if that fails."""
    made = False
    try:
        os.mkdir(path.name, 0o755, dir_fd=parent_fd)
        made = True
    except FileExistsError:
        pass
    except OSError as e:
        raise CacheError("The grader cannot make its data cache folder %s (%s). Make it (mkdir -p -m 755 %s) or "
                         "point %s at a folder the grader may write." % (path, e.strerror, path, CACHE_ENV)) from None
    try:
        fd = os.open(path.name, DIR_FLAGS, dir_fd=parent_fd)
    except OSError as e:
        raise CacheError("The grader cannot open %s, on the way to its data cache, as a folder without following "
                         "a link (%s): it is not one, or it changed after the path was resolved. Check it and "
                         "run again." % (path, e.strerror)) from None
    if made:
        os.fchmod(fd, 0o755)  # whatever the umask: the sandboxed notebook reads the cache under another uid
    return fd


def ancestor_problem(st):
    """Why a folder on the way to the cache lets someone other than root and the grader change it, or None."""
    if st.st_uid not in (0, os.geteuid()):
        return "belongs to uid %d, not to root or the grader (uid %d)" % (st.st_uid, os.geteuid())
    if st.st_mode & 0o022 and not st.st_mode & stat.S_ISVTX:
        return "can be written by group or others (mode %04o) and is not sticky" % stat.S_IMODE(st.st_mode)
    return None


def entry_problem(st, kind):
    """Why an entry of the cache (its lstat or fstat) is not the grader's own plain `kind`, or None."""
    if st.st_uid != os.geteuid():
        return "belongs to uid %d, not to the grader (uid %d)" % (st.st_uid, os.geteuid())
    if stat.S_IFMT(st.st_mode) != kind:
        return "is %s, not %s" % (kind_of(st), KINDS[kind])
    if st.st_mode & 0o022:
        return "can be written by group or others (mode %04o)" % stat.S_IMODE(st.st_mode)
    return None


def kind_of(st):
    return KINDS.get(stat.S_IFMT(st.st_mode), "a special file")


def refuse_if(problem, path, root, on_the_way=False):
    """Raise a CacheError saying what is wrong with path and what to do, if there is a problem."""
    if problem is None:
        return
    if on_the_way:
        todo = ("Only root and the grader may be able to change a folder on the way to the cache. Point "
                "%s at a folder that is private to the grader (say %s), or make %s belong to root or the "
                "grader and chmod go-w it." % (CACHE_ENV, ROOT_CACHE if os.geteuid() == 0 else
                                               "~/.cache/cs231n-grader", path))
    else:
        todo = ("Someone else may have planted it to hand notebooks their own data. Look at it, remove "
                "it (rm -r %s) and run again: the grader makes a fresh one." % path)
    raise CacheError("Refusing the grader's data cache %s: %s %s. %s" % (root, path, problem, todo))


# --- the lock ---------------------------------------------------------------------------------

@contextlib.contextmanager
def locked(root_fd, root):
    """Hold the cache's lock file (made 0600 if missing, never through a link) exclusively."""
    while True:
        clear_entry(root_fd, root, LOCK, stat.S_IFREG)
        fd = os.open(LOCK, os.O_RDWR | os.O_CREAT | OPEN_FLAGS, 0o600, dir_fd=root_fd)
        try:
            refuse_if(entry_problem(os.fstat(fd), stat.S_IFREG), root / LOCK, root)
            os.fchmod(fd, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            if still_there(root_fd, LOCK, fd):
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # another grader replaced a bad lock file meanwhile: lock the new one
    try:
        yield
    finally:
        os.close(fd)


def still_there(dir_fd, name, fd):
    """Whether name in dir_fd is still the file open as fd."""
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def clear_entry(root_fd, root, name, kind):
    """Remove name from the cache if it is the grader's but not a plain `kind`; refuse it if it is another's."""
    try:
        st = os.stat(name, dir_fd=root_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if st.st_uid != os.geteuid():
        refuse_if(entry_problem(st, kind), root / name, root)
    if entry_problem(st, kind):
        remove(root_fd, name)


# --- a data set -------------------------------------------------------------------------------

def problem_with(root_fd, root, name, params):
    """Why the data set `name` cannot be reused as it is (None if it can); CacheError if it is another's."""
    try:
        st = os.stat(name, dir_fd=root_fd, follow_symlinks=False)
    except FileNotFoundError:
        return "it is missing"
    if st.st_uid != os.geteuid():
        refuse_if(entry_problem(st, stat.S_IFDIR), root / name, root)
    try:
        verify(root_fd, name, params)
    except Untrusted as e:
        return str(e)
    return None


def verify(root_fd, name, params):
    """Raise Untrusted unless the data set is exactly what build() wrote, byte for byte."""
    with opened(root_fd, name, DIR_FLAGS, stat.S_IFDIR) as entry_fd:
        expect_names(entry_fd, {DATA, MANIFEST})
        hashes = read_manifest(entry_fd, params)
        with opened(entry_fd, DATA, DIR_FLAGS, stat.S_IFDIR) as data_fd:
            expect_names(data_fd, set(FILES))
            for file in FILES:
                with opened(data_fd, file, os.O_RDONLY | OPEN_FLAGS, stat.S_IFREG) as fd:
                    if sha256_of(fd) != hashes[file]:
                        raise Untrusted("%s changed after the grader wrote it" % file)


@contextlib.contextmanager
def opened(dir_fd, name, flags, kind):
    """name in dir_fd, opened without following a link; Untrusted unless it is the grader's plain `kind`."""
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError as e:
        raise Untrusted("%s: %s" % (name, e.strerror)) from None
    try:
        problem = entry_problem(os.fstat(fd), kind)
        if problem:
            raise Untrusted("%s %s" % (name, problem))
        yield fd
    finally:
        os.close(fd)


def expect_names(dir_fd, names):
    found = set(os.listdir(dir_fd))
    if found != names:
        raise Untrusted("it holds %s instead of %s" % (sorted(found), sorted(names)))


def read_manifest(entry_fd, params):
    """The recorded sha256 of each file; Untrusted unless the manifest is for these parameters and files."""
    with opened(entry_fd, MANIFEST, os.O_RDONLY | OPEN_FLAGS, stat.S_IFREG) as fd:
        raw = os.read(fd, MAX_MANIFEST_BYTES + 1)
    try:
        doc = json.loads(raw) if len(raw) <= MAX_MANIFEST_BYTES else None
    except ValueError:
        doc = None
    hashes = doc.get("sha256") if isinstance(doc, dict) and doc.get("params") == list(params) else None
    if not isinstance(hashes, dict) or set(hashes) != set(FILES):
        raise Untrusted("%s is not the one the grader wrote for %s" % (MANIFEST, params))
    return hashes


def sha256_of(fd):
    with open(os.dup(fd), "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def remove(root_fd, name):
    """Remove name from the cache folder if present, without following a link."""
    try:
        st = os.stat(name, dir_fd=root_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(name, dir_fd=root_fd)  # descends by descriptors: a link inside is removed, not followed
    else:
        os.unlink(name, dir_fd=root_fd)


def build(root_fd, root, name, num_train, num_test, seed):
    """Write the data set and its manifest into a fresh private folder, then rename it into place."""
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))  # 0700, new: nobody else can enter it
    try:
        data = write_cifar10(staging, num_train, num_test, seed)
        hashes = {}
        for file in FILES:
            with open(data / file, "rb") as f:
                hashes[file] = hashlib.file_digest(f, "sha256").hexdigest()
            os.chmod(data / file, 0o644)
        manifest = {"params": [num_train, num_test, seed], "sha256": hashes}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1))
        os.chmod(staging / MANIFEST, 0o644)
        for folder in (staging, data):
            os.chmod(folder, 0o755)
        os.replace(staging.name, name, src_dir_fd=root_fd, dst_dir_fd=root_fd)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
