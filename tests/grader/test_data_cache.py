"""The grader's cache of synthetic CIFAR-10: private, checked before each use, never followed.

Student notebooks unpickle the cached files, so a planted or altered file would run a
student's code in another student's grading. Each test plants what an attacker could (or
damages the cache) and checks that the grader neither follows nor trusts it, that no file
outside the cache changes, and that nothing planted is ever unpickled by the grader.
"""
import os
import pickle
import re
import shutil
from pathlib import Path

import pytest

from graders import data_cache
from graders.data_cache import FILES, CacheError, cached_cifar10
from graders.synthetic import write_cifar10

SIZES = dict(num_train=30, num_test=10, seed=3)
OTHER_UID = 65534  # nobody
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="planting files of another uid needs root")


class Payload:
    """Unpickling this creates the marker file: it proves that someone unpickled a planted batch."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


@pytest.fixture
def places(tmp_path):
    """The cache folder (not made yet) and a folder outside it holding the attacker's files."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim").write_text("a file the grader must never write\n")
    (outside / "evil_batch").write_bytes(pickle.dumps(Payload(outside / "unpickled"), protocol=2))
    return tmp_path / "cache", outside


@pytest.fixture
def writes(monkeypatch):
    """How many times the cache wrote a data set."""
    calls = []

    def counting(*args, **kwargs):
        calls.append(args)
        return write_cifar10(*args, **kwargs)

    monkeypatch.setattr(data_cache, "write_cifar10", counting)
    return calls


@pytest.fixture(scope="module")
def expected(tmp_path_factory):
    """The bytes of each file of the data set, as write_cifar10 writes them."""
    folder = write_cifar10(tmp_path_factory.mktemp("expected"), **SIZES)
    return {name: (folder / name).read_bytes() for name in FILES}


def snapshot(folder):
    """Every entry below folder: kind, mode, size, mtime and bytes (links by their target)."""
    state = {}
    for path in sorted(Path(folder).rglob("*")):
        st = path.lstat()
        body = os.readlink(path) if path.is_symlink() else path.read_bytes() if path.is_file() else None
        state[str(path)] = (st.st_mode, st.st_size, st.st_mtime_ns, body)
    return state


def assert_sound(data, expected):
    """The returned folder holds exactly the grader's files, plain and private, with no link anywhere."""
    entry = data.parent
    for path in [entry.parent, entry, data, *entry.rglob("*")]:
        st = path.lstat()
        assert not path.is_symlink() and st.st_uid == os.geteuid() and not st.st_mode & 0o022, path
    assert {name: (data / name).read_bytes() for name in FILES} == expected
    assert oct((data / "test_batch").stat().st_mode & 0o777) == "0o644" and oct(data.stat().st_mode & 0o777) == "0o755"
    lock = entry.parent / ".lock"
    assert lock.is_file() and not lock.is_symlink() and lock.stat().st_mode & 0o777 == 0o600


def test_a_good_cache_is_made_once_and_reused(places, writes, expected):
    cache, _ = places
    data = cached_cifar10(**SIZES, cache=cache)
    assert data == cache / "train30-test10-seed3" / "cifar-10-batches-py"
    assert_sound(data, expected)
    before = snapshot(cache)
    assert cached_cifar10(**SIZES, cache=cache) == data
    assert len(writes) == 1 and snapshot(cache) == before


def link_the_lock(entry, outside):
    (entry.parent / ".lock").unlink()
    (entry.parent / ".lock").symlink_to(outside / "victim")


def link_the_lock_to_nothing(entry, outside):
    (entry.parent / ".lock").unlink()
    (entry.parent / ".lock").symlink_to(outside / "made_through_the_link")


def link_a_batch(entry, outside):
    (entry / "cifar-10-batches-py" / "data_batch_1").unlink()
    (entry / "cifar-10-batches-py" / "data_batch_1").symlink_to(outside / "evil_batch")


def tamper_with_a_batch(entry, outside):
    (entry / "cifar-10-batches-py" / "test_batch").write_bytes((outside / "evil_batch").read_bytes())


def let_others_write_a_batch(entry, outside):
    (entry / "cifar-10-batches-py" / "data_batch_2").chmod(0o666)


def let_the_group_write_the_data_folder(entry, outside):
    (entry / "cifar-10-batches-py").chmod(0o775)


def add_a_file(entry, outside):
    shutil.copy(outside / "evil_batch", entry / "cifar-10-batches-py" / "data_batch_6")


def link_the_data_set(entry, outside):
    """The whole data set a link to a copy the attacker controls (with a matching manifest)."""
    shutil.copytree(entry, outside / "copy")
    shutil.copy(outside / "evil_batch", outside / "copy" / "cifar-10-batches-py" / "data_batch_1")
    shutil.rmtree(entry)
    entry.symlink_to(outside / "copy")


def link_the_manifest(entry, outside):
    shutil.copy(entry / "sha256.json", outside / "sha256.json")
    (entry / "sha256.json").unlink()
    (entry / "sha256.json").symlink_to(outside / "sha256.json")


def drop_the_manifest(entry, outside):
    (entry / "sha256.json").unlink()


def replace_the_data_set_by_a_file(entry, outside):
    shutil.rmtree(entry)
    entry.write_bytes(b"not a folder")


@pytest.mark.parametrize("damage", [
    link_the_lock, link_the_lock_to_nothing, link_a_batch, tamper_with_a_batch, let_others_write_a_batch,
    let_the_group_write_the_data_folder, add_a_file, link_the_data_set, link_the_manifest, drop_the_manifest,
    replace_the_data_set_by_a_file,
], ids=lambda f: f.__name__)
def test_damage_of_the_graders_own_is_made_again_and_never_followed(places, writes, expected, damage):
    cache, outside = places
    data = cached_cifar10(**SIZES, cache=cache)
    damage(data.parent, outside)
    before = snapshot(outside)
    assert cached_cifar10(**SIZES, cache=cache) == data
    assert_sound(data, expected)
    assert snapshot(outside) == before, "a file outside the cache changed"
    assert not (outside / "unpickled").exists() and not (outside / "made_through_the_link").exists()
    lock_only = damage in (link_the_lock, link_the_lock_to_nothing)
    assert len(writes) == (1 if lock_only else 2)  # a bad lock file is replaced; the data set is still good


def plant_hostile_cache(cache, outside):
    """What a student could leave where the grader once kept its cache: a linked lock and their own pickles."""
    data = cache / "train30-test10-seed3" / "cifar-10-batches-py"
    data.mkdir(parents=True)
    for name in FILES:
        shutil.copy(outside / "evil_batch", data / name)
    (cache / ".lock").symlink_to(outside / "victim")


@as_root
def test_a_cache_folder_of_another_user_is_refused(places, writes):
    cache, outside = places
    plant_hostile_cache(cache, outside)
    for path in [cache, *cache.rglob("*")]:
        os.chown(path, OTHER_UID, OTHER_UID, follow_symlinks=False)
    before, planted = snapshot(outside), snapshot(cache)
    with pytest.raises(CacheError, match="belongs to uid %d.*rm -r %s" % (OTHER_UID, re.escape(str(cache)))):
        cached_cifar10(**SIZES, cache=cache)
    assert snapshot(outside) == before and snapshot(cache) == planted and not writes
    assert not (outside / "unpickled").exists()


@as_root
@pytest.mark.parametrize("planted", [".lock", "train30-test10-seed3"])
def test_an_entry_of_another_user_in_the_cache_is_refused(places, writes, planted):
    cache, outside = places
    cached_cifar10(**SIZES, cache=cache)
    shutil.rmtree(cache / planted) if planted != ".lock" else (cache / planted).unlink()
    plant_hostile_cache(cache / "elsewhere", outside)
    (cache / "elsewhere" / planted).rename(cache / planted)
    os.chown(cache / planted, OTHER_UID, OTHER_UID, follow_symlinks=False)
    before = snapshot(outside)
    with pytest.raises(CacheError, match="%s belongs to uid %d" % (re.escape(str(cache / planted)), OTHER_UID)):
        cached_cifar10(**SIZES, cache=cache)
    assert snapshot(outside) == before and not (outside / "unpickled").exists()


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757])
def test_a_cache_folder_others_can_write_is_refused(places, writes, mode):
    cache, outside = places
    plant_hostile_cache(cache, outside)
    cache.chmod(mode)
    before, planted = snapshot(outside), snapshot(cache)
    with pytest.raises(CacheError, match="can be written by group or others .*rm -r"):
        cached_cifar10(**SIZES, cache=cache)
    assert snapshot(outside) == before and snapshot(cache) == planted and not writes


def test_a_writable_folder_on_the_way_is_refused(tmp_path, writes):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # world-writable and not sticky: anyone could swap the cache folder
    words = "%s can be written by .* not sticky.*CS231N_GRADER_CACHE" % re.escape(str(shared))
    with pytest.raises(CacheError, match=words):
        cached_cifar10(**SIZES, cache=shared / "cache")
    assert not (shared / "cache").exists() and not writes


def test_a_sticky_shared_folder_on_the_way_is_allowed(tmp_path, writes, expected):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp: others cannot rename or remove what the grader made in it
    assert_sound(cached_cifar10(**SIZES, cache=shared / "cache"), expected)


@as_root
def test_a_folder_of_another_user_on_the_way_is_refused(tmp_path, writes):
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    os.chown(theirs, OTHER_UID, OTHER_UID)
    with pytest.raises(CacheError, match="%s belongs to uid %d" % (re.escape(str(theirs)), OTHER_UID)):
        cached_cifar10(**SIZES, cache=theirs / "cache")
    assert not (theirs / "cache").exists() and not writes


def test_made_folders_are_readable_by_the_sandbox_whatever_the_umask(tmp_path, writes, expected):
    old = os.umask(0o077)
    try:
        data = cached_cifar10(**SIZES, cache=tmp_path / "new" / "cache")
    finally:
        os.umask(old)
    assert_sound(data, expected)
    for folder in (tmp_path / "new", tmp_path / "new" / "cache", data.parent, data):
        assert folder.stat().st_mode & 0o777 == 0o755, folder


def test_the_default_location_is_private(monkeypatch, tmp_path):
    monkeypatch.delenv(data_cache.CACHE_ENV, raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert data_cache.default_location() == Path("/var/cache/cs231n-grader")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data_cache.default_location() == tmp_path / "xdg" / "cs231n-grader"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_cache.default_location() == tmp_path / "home" / ".cache" / "cs231n-grader"
    monkeypatch.setenv(data_cache.CACHE_ENV, str(tmp_path / "chosen"))
    assert data_cache.default_location() == tmp_path / "chosen"


@pytest.mark.parametrize("where, words", [
    ("a_file/cache", "cannot open .*a_file, on the way to its data cache, as a folder"),
    ("/proc/cs231n-cache", "cannot make its data cache folder /proc/cs231n-cache .*CS231N_GRADER_CACHE"),
])
def test_a_cache_that_cannot_be_made_is_explained(tmp_path, writes, where, words):
    (tmp_path / "a_file").write_text("not a folder")
    with pytest.raises(CacheError, match=words):
        cached_cifar10(**SIZES, cache=tmp_path / where)
    assert not writes


def test_a_manifest_for_other_sizes_is_not_trusted(places, writes, expected):
    """A data set renamed to another's name keeps its own manifest, which says what it is."""
    cache, _ = places
    other = cached_cifar10(num_train=20, num_test=10, seed=3, cache=cache)
    shutil.rmtree(cache / "train30-test10-seed3", ignore_errors=True)
    other.parent.rename(cache / "train30-test10-seed3")
    assert_sound(cached_cifar10(**SIZES, cache=cache), expected)
    assert len(writes) == 2


def test_the_grader_never_unpickles():
    """Only sandboxed notebooks read the pickled batches; the grader's own code loads no pickle at all.
    (An assignment's reference package is the students' code base: its data_utils unpickles the
    batches inside the sandbox, and the grader never imports it.)"""
    sources = [p for p in Path(data_cache.__file__).parent.rglob("*.py") if "reference" not in p.parts]
    unpickling = ("pickle.load", "pickle.Unpickler", "allow_pickle=True", "joblib", "dill", "shelve")
    found = [(p.name, word) for p in sources for word in unpickling if word in p.read_text()]
    assert found == []
