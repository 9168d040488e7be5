"""Tests for graders.intake: accepted layouts, junk, names, and every refusal rule.

All archives are real zip files built in tmp_path with zipfile; folders and symlinks are real.
The "header lies about its size" case is made by patching the size fields of a real zip's
local and central headers.
"""
import contextlib
import dataclasses
import io
import os
import stat
import struct
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graders import intake
from graders.intake import IntakeError, IntakeLimits, Submission, read_submission

LAYERS = b"def conv_forward_naive(x, w, b, conv_param):\n    pass\n"
CNN = b"class ThreeLayerConvNet(object):\n    pass\n"
NB = b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 2}'
CONV = "ConvolutionalNetworks.ipynb"

PACKAGE = {
    "cs231n/__init__.py": b"",
    "cs231n/layers.py": LAYERS,
    "cs231n/fast_layers.py": b"# fast\n",
    "cs231n/layer_utils.py": b"# sandwich\n",
    "cs231n/solver.py": b"# solver\n",
    "cs231n/im2col_cython.pyx": b"# cython\n",
    "cs231n/setup.py": b"# setup\n",
    "cs231n/classifiers/__init__.py": b"",
    "cs231n/classifiers/cnn.py": CNN,
    "cs231n/datasets/get_datasets.sh": b"#!/bin/sh\n",
}
PACKAGE_KEYS = {k for k in PACKAGE if k.endswith((".py", ".pyx"))}
EDITED = {"cs231n/layers.py": LAYERS, "cs231n/classifiers/cnn.py": CNN}

FAST = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


# ----------------------------------------------------------------------------- helpers

def make_zip(path, entries, compression=zipfile.ZIP_DEFLATED):
    """Write a zip holding entries: a dict or list of (raw name, bytes or ZipInfo tweak)."""
    items = entries.items() if isinstance(entries, dict) else entries
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in items:
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return path


def zip_bytes(entries):
    buffer = io.BytesIO()
    make_zip(buffer, entries)
    return buffer.getvalue()


def make_tree(root, files):
    for rel, data in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def with_prefix(prefix, files):
    return {f"{prefix}{k}": v for k, v in files.items()}


def patch_header(path, entry, local_offset, central_offset, fmt, value):
    """Overwrite one field of an entry's local and central headers in a zip file."""
    data = bytearray(path.read_bytes())
    raw = entry.encode()
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(entry).header_offset
    struct.pack_into(fmt, data, local + local_offset, value)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46: at + 46 + name_len] == raw:
            struct.pack_into(fmt, data, at + central_offset, value)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def refused(path, *fragments, **kwargs):
    """read_submission must raise IntakeError whose message holds every fragment."""
    with pytest.raises(IntakeError) as caught:
        read_submission(path, **kwargs)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def notes_text(sub):
    return "\n".join(sub.notes)


# ----------------------------------------------------------------------------- accepted zips

def test_package_at_zip_root_with_notebook(tmp_path):
    sub = read_submission(make_zip(tmp_path / "a2_code_submission.zip",
                                   {**PACKAGE, "ConvolutionalNetworks.ipynb": NB,
                                    "FullyConnectedNets.ipynb": b"{}", "Scratch.ipynb": b"{}"}))
    assert isinstance(sub, Submission)
    assert sub.name == "a2_code_submission"
    assert set(sub.files) == PACKAGE_KEYS
    assert sub.files["cs231n/layers.py"] == LAYERS
    assert sub.files["cs231n/classifiers/cnn.py"] == CNN
    assert sub.notebooks[CONV] == NB and sub.notebook_paths[CONV] == "ConvolutionalNetworks.ipynb"
    assert "found cs231n/ at the top level" in sub.notes
    assert sub.notebooks["FullyConnectedNets.ipynb"] == b"{}"  # every notebook of the assignment is read
    assert "BatchNormalization.ipynb and Dropout.ipynb were not found" in sub.notes
    assert "Scratch.ipynb" in notes_text(sub)  # listed as not read


@pytest.mark.parametrize("top", ["assignment2/", "cs231n-2019-assignment2/", "a/b/"])
def test_package_under_a_top_folder(tmp_path, top):
    entries = with_prefix(top, {**PACKAGE, "ConvolutionalNetworks.ipynb": NB})
    sub = read_submission(make_zip(tmp_path / "a2.zip", entries))
    assert set(sub.files) == PACKAGE_KEYS
    assert sub.notebooks[CONV] == NB and sub.notebook_paths[CONV] == f"{top}ConvolutionalNetworks.ipynb"
    assert f"found cs231n/ under {top}" in sub.notes


def test_zip_with_only_the_edited_files(tmp_path):
    sub = read_submission(make_zip(tmp_path / "assignment2.zip", EDITED))
    assert dict(sub.files) == EDITED
    assert dict(sub.notebooks) == {} and dict(sub.notebook_paths) == {}
    assert ("no notebook was found: FullyConnectedNets.ipynb, BatchNormalization.ipynb, Dropout.ipynb, "
            "ConvolutionalNetworks.ipynb") in sub.notes


def test_flat_files_are_mapped_into_the_package(tmp_path):
    sub = read_submission(make_zip(tmp_path / "flat.zip",
                                   {"layers.py": LAYERS, "cnn.py": CNN,
                                    "ConvolutionalNetworks.ipynb": NB}))
    assert dict(sub.files) == EDITED
    assert sub.notebooks[CONV] == NB
    assert "mapped cnn.py to cs231n/classifiers/cnn.py" in sub.notes
    assert any("no cs231n/ folder" in note for note in sub.notes)


def test_flat_cnn_is_not_moved_when_classifiers_cnn_exists(tmp_path):
    entries = {"layers.py": LAYERS, "cnn.py": b"# old\n", "classifiers/cnn.py": CNN}
    sub = read_submission(make_zip(tmp_path / "flat.zip", entries))
    assert sub.files["cs231n/classifiers/cnn.py"] == CNN
    assert sub.files["cs231n/cnn.py"] == b"# old\n"


def test_windows_backslash_names_are_normalised(tmp_path):
    entries = {k.replace("/", "\\"): v for k, v in EDITED.items()}
    sub = read_submission(make_zip(tmp_path / "win.zip", entries))
    assert dict(sub.files) == EDITED
    assert any("backslashes" in note for note in sub.notes)


def test_dot_and_empty_components_are_normalised(tmp_path):
    entries = {"./cs231n/layers.py": LAYERS, "cs231n//classifiers/./cnn.py": CNN}
    assert dict(read_submission(make_zip(tmp_path / "dots.zip", entries)).files) == EDITED


def test_directory_entries_are_skipped(tmp_path):
    entries = {"cs231n/": b"", "cs231n/classifiers/": b"", **EDITED}
    assert dict(read_submission(make_zip(tmp_path / "dirs.zip", entries)).files) == EDITED


def test_stored_entries_are_read(tmp_path):
    path = make_zip(tmp_path / "stored.zip", EDITED, compression=zipfile.ZIP_STORED)
    assert dict(read_submission(path).files) == EDITED


def test_junk_is_ignored_without_reading_and_noted(tmp_path):
    bomb = b"\0" * (4 * 2**20)  # would be refused if it were read
    junk = {
        "__MACOSX/cs231n/._layers.py": b"\0\x05\x16\x07",
        "__MACOSX/._ConvolutionalNetworks.ipynb": b"x",
        ".DS_Store": b"x", "cs231n/.DS_Store": b"x", "cs231n/._cnn.py": b"x",
        "cs231n/__pycache__/layers.cpython-311.pyc": b"x",
        "cs231n/classifiers/__pycache__/cnn.cpython-311.pyc": b"x",
        "cs231n/im2col_cython.c": b"x",
        "cs231n/im2col_cython.cpython-311-x86_64-linux-gnu.so": b"x",
        "cs231n/build/temp.linux-x86_64-cpython-311/im2col_cython.o": b"x",
        "build/lib/cs231n/layers.py": b"stale",
        "cs231n/datasets/cifar-10-batches-py/data_batch_1": bomb,
        "cs231n/datasets/cifar-10-batches-py/batches.meta": b"x",
        ".ipynb_checkpoints/ConvolutionalNetworks-checkpoint.ipynb": b"old",
    }
    sub = read_submission(make_zip(tmp_path / "junk.zip",
                                   {**PACKAGE, **junk, "ConvolutionalNetworks.ipynb": NB}))
    assert set(sub.files) == PACKAGE_KEYS
    assert sub.notebooks[CONV] == NB
    text = notes_text(sub)
    assert "ignored 3 file(s) under cs231n/datasets/" in text
    assert "ignored 2 file(s) under __MACOSX/" in text
    assert "ignored 2 file(s) under 2 __pycache__/ folders" in text
    assert "ignored 2 file(s) under 2 build/ folders" in text
    assert "ignored 1 file(s) under .ipynb_checkpoints/" in text
    assert f"ignored 3 {intake.METADATA_LABEL}" in text
    assert f"ignored 2 {intake.COMPILED_LABEL}" in text


def test_large_junk_does_not_count_against_the_caps(tmp_path):
    limits = IntakeLimits(max_file_bytes=1000, max_total_bytes=2000)
    entries = {**EDITED, "cs231n/datasets/cifar-10-batches-py/data_batch_1": os.urandom(5000)}
    assert dict(read_submission(make_zip(tmp_path / "s.zip", entries), limits).files) == EDITED


def test_notebook_next_to_the_package_is_preferred(tmp_path):
    entries = {"ConvolutionalNetworks.ipynb": b"shallow",
               **with_prefix("assignment2/", {**EDITED, "ConvolutionalNetworks.ipynb": NB})}
    sub = read_submission(make_zip(tmp_path / "s.zip", entries))
    assert sub.notebooks[CONV] == NB
    assert sub.notebook_paths[CONV] == "assignment2/ConvolutionalNetworks.ipynb"


def test_notebook_elsewhere_shallowest_is_used(tmp_path):
    entries = {**EDITED, "notebooks/deeper/ConvolutionalNetworks.ipynb": b"deep",
               "notebooks/ConvolutionalNetworks.ipynb": NB}
    sub = read_submission(make_zip(tmp_path / "s.zip", entries))
    assert sub.notebooks[CONV] == NB and sub.notebook_paths[CONV] == "notebooks/ConvolutionalNetworks.ipynb"
    assert any("not next to the package folder" in note for note in sub.notes)


def test_shallowest_package_root_wins(tmp_path):
    entries = {**with_prefix("a/", EDITED),
               "a/b/cs231n/layers.py": b"deeper", "old/x/cs231n/layers.py": b"older"}
    sub = read_submission(make_zip(tmp_path / "s.zip", entries))
    assert dict(sub.files) == EDITED


def test_named_package_beats_shallower_flat_files(tmp_path):
    entries = {"layers.py": b"stray", **with_prefix("assignment2/", EDITED)}
    sub = read_submission(make_zip(tmp_path / "s.zip", entries))
    assert dict(sub.files) == EDITED
    assert "layers.py" in notes_text(sub)


def test_zip_holding_one_inner_zip_is_unwrapped(tmp_path):
    inner = zip_bytes({**PACKAGE, "ConvolutionalNetworks.ipynb": NB})
    path = make_zip(tmp_path / "alice.zip", {"a2_code_submission.zip": inner,
                                             "__MACOSX/._a2_code_submission.zip": b"x"})
    sub = read_submission(path)
    assert sub.name == "alice"
    assert set(sub.files) == PACKAGE_KEYS and sub.notebooks[CONV] == NB
    assert sub.notebook_paths[CONV] == "ConvolutionalNetworks.ipynb"
    assert any("a2_code_submission.zip" in note for note in sub.notes)


def test_inner_zip_obeys_the_same_rules(tmp_path):
    inner = zip_bytes({**EDITED, "../evil.py": b"x"})
    refused(make_zip(tmp_path / "outer.zip", {"a2.zip": inner}), "../evil.py", "'..'")


def test_inner_zip_is_unwrapped_one_level_only(tmp_path):
    innermost = zip_bytes(EDITED)
    middle = zip_bytes({"inner.zip": innermost})
    refused(make_zip(tmp_path / "outer.zip", {"middle.zip": middle}),
            "inner.zip", "one level", "cs231n/layers.py")


def test_inner_zip_is_ignored_when_a_package_is_present(tmp_path):
    entries = {**EDITED, "a2_code_submission.zip": zip_bytes({"cs231n/layers.py": b"other"})}
    sub = read_submission(make_zip(tmp_path / "s.zip", entries))
    assert dict(sub.files) == EDITED
    assert "a2_code_submission.zip" in notes_text(sub)


def test_the_module_never_extracts(tmp_path, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("extract called")
    monkeypatch.setattr(zipfile.ZipFile, "extract", forbidden)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", forbidden)
    make_zip(tmp_path / "s.zip", {**PACKAGE, "ConvolutionalNetworks.ipynb": NB})
    before = sorted(p for p in tmp_path.rglob("*"))
    read_submission(tmp_path / "s.zip")
    assert sorted(p for p in tmp_path.rglob("*")) == before


def test_result_is_immutable(tmp_path):
    sub = read_submission(make_zip(tmp_path / "s.zip", EDITED))
    with pytest.raises(TypeError):
        sub.files["cs231n/layers.py"] = b""
    with pytest.raises(dataclasses.FrozenInstanceError):
        sub.name = "other"
    with pytest.raises(dataclasses.FrozenInstanceError):
        IntakeLimits().max_entries = 1


# ----------------------------------------------------------------------------- names

def test_name_defaults_and_override(tmp_path):
    assert read_submission(make_zip(tmp_path / "alice.zip", EDITED)).name == "alice"
    assert read_submission(make_zip(tmp_path / "carol.ZIP", EDITED)).name == "carol"
    bob = make_tree(tmp_path / "bob", EDITED)
    assert read_submission(bob).name == "bob"
    assert read_submission(f"{bob}/").name == "bob"
    assert read_submission(str(bob), name="student-7").name == "student-7"


# ----------------------------------------------------------------------------- accepted folders

def test_folder_holding_the_package(tmp_path):
    root = make_tree(tmp_path / "dave", {**PACKAGE, "ConvolutionalNetworks.ipynb": NB,
                                         "collect_submission.sh": b"zip"})
    sub = read_submission(root)
    assert set(sub.files) == PACKAGE_KEYS
    assert sub.notebooks[CONV] == NB and sub.notebook_paths[CONV] == "ConvolutionalNetworks.ipynb"


def test_folder_that_is_the_package_itself(tmp_path):
    make_tree(tmp_path, {**PACKAGE, "ConvolutionalNetworks.ipynb": NB})
    sub = read_submission(tmp_path / "cs231n")
    assert sub.name == "cs231n"
    assert set(sub.files) == PACKAGE_KEYS
    assert CONV not in sub.notebooks
    assert "the folder given is the cs231n/ package itself" in sub.notes


def test_folder_with_nested_layout_and_junk(tmp_path):
    root = make_tree(tmp_path / "erin", with_prefix("assignment2/", {
        **PACKAGE, "ConvolutionalNetworks.ipynb": NB,
        "cs231n/__pycache__/layers.cpython-311.pyc": b"x",
        "cs231n/datasets/cifar-10-batches-py/data_batch_1": b"x" * 100,
        ".ipynb_checkpoints/ConvolutionalNetworks-checkpoint.ipynb": b"old",
        ".DS_Store": b"x",
    }))
    sub = read_submission(root)
    assert set(sub.files) == PACKAGE_KEYS and sub.notebooks[CONV] == NB
    text = notes_text(sub)
    assert "skipped assignment2/cs231n/datasets/ without reading it" in text
    assert "skipped assignment2/cs231n/__pycache__/ without reading it" in text
    assert f"ignored 1 {intake.METADATA_LABEL}" in text


def test_folder_holding_exactly_one_zip(tmp_path):
    folder = tmp_path / "frank"
    folder.mkdir()
    make_zip(folder / "a2_code_submission.zip", {**PACKAGE, "ConvolutionalNetworks.ipynb": NB})
    (folder / ".DS_Store").write_bytes(b"x")
    sub = read_submission(folder)
    assert sub.name == "frank"
    assert set(sub.files) == PACKAGE_KEYS and sub.notebooks[CONV] == NB


def test_folder_symlinks_in_junk_or_unread_files_are_accepted(tmp_path):
    data = make_tree(tmp_path / "data", {"data_batch_1": b"x"})
    root = make_tree(tmp_path / "gina", {**EDITED, "cs231n/datasets/get_datasets.sh": b"sh"})
    os.symlink(data, root / "cs231n/datasets/cifar-10-batches-py")
    os.symlink(tmp_path / "elsewhere.md", root / "README.md")  # dangling, never read
    os.symlink(data, root / "assignment1")
    sub = read_submission(root)
    assert dict(sub.files) == EDITED
    assert "did not follow symlinked folder(s): assignment1" in sub.notes


# ----------------------------------------------------------------------------- folder refusals

def test_folder_symlinked_source_file_is_refused(tmp_path):
    real = tmp_path / "real_layers.py"
    real.write_bytes(LAYERS)
    root = make_tree(tmp_path / "h", {"cs231n/classifiers/cnn.py": CNN})
    os.symlink(real, root / "cs231n/layers.py")
    refused(root, "cs231n/layers.py", "symbolic link")


def test_folder_symlinked_folder_inside_the_package_is_refused(tmp_path):
    real = make_tree(tmp_path / "real", {"cnn.py": CNN})
    root = make_tree(tmp_path / "i", {"cs231n/layers.py": LAYERS})
    os.symlink(real, root / "cs231n/classifiers")
    refused(root, "cs231n/classifiers", "symbolic link to a folder")


def test_folder_symlinked_folder_on_the_path_is_named(tmp_path):
    real = make_tree(tmp_path / "real", EDITED)
    root = tmp_path / "j"
    root.mkdir()
    os.symlink(real, root / "assignment2")
    refused(root, "assignment2", "not followed", "cs231n/layers.py")


def test_folder_symlinked_notebook_is_refused(tmp_path):
    (tmp_path / "nb.ipynb").write_bytes(NB)
    root = make_tree(tmp_path / "k", EDITED)
    os.symlink(tmp_path / "nb.ipynb", root / "ConvolutionalNetworks.ipynb")
    refused(root, "ConvolutionalNetworks.ipynb", "symbolic link")


def test_folder_special_file_is_refused_without_blocking(tmp_path):
    root = make_tree(tmp_path / "l", {"cs231n/classifiers/cnn.py": CNN})
    os.mkfifo(root / "cs231n/layers.py")
    refused(root, "cs231n/layers.py", "not a regular file")


def test_folder_unreadable_file_is_refused(tmp_path, monkeypatch):
    root = make_tree(tmp_path / "m", EDITED)
    real_open = os.open

    def deny(path, *args, **kwargs):
        if str(path).endswith("layers.py"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)
    monkeypatch.setattr(os, "open", deny)
    refused(root, "cs231n/layers.py", "could not read", "Permission denied")


def test_folder_too_many_entries_is_refused(tmp_path):
    root = make_tree(tmp_path / "n", {**EDITED, **{f"notes/{i}.txt": b"" for i in range(20)}})
    refused(root, "n holds more than 10", limits=IntakeLimits(max_entries=10))


def test_folder_file_over_the_cap_is_refused(tmp_path):
    root = make_tree(tmp_path / "o", {**EDITED, "cs231n/big.py": b"#" * 5000})
    refused(root, "cs231n/big.py", "limit for one file",
            limits=IntakeLimits(max_file_bytes=1000))


def test_missing_path_is_refused(tmp_path):
    refused(tmp_path / "nobody.zip", "nobody.zip", "no such file or folder")


# ----------------------------------------------------------------------------- zip refusals

@pytest.mark.parametrize("bad, why", [
    ("/etc/passwd.py", "absolute path"),
    ("\\windows\\evil.py", "absolute path"),
    ("\\\\server\\share\\evil.py", "absolute path"),
    ("C:/Users/evil.py", "drive letter"),
    ("c:\\evil.py", "drive letter"),
    ("../evil.py", "'..'"),
    ("cs231n/../../evil.py", "'..'"),
    ("..\\..\\evil.py", "'..'"),
    ("cs231n\\..\\..\\evil.py", "'..'"),
    ("__MACOSX/../../evil", "'..'"),
])
def test_unsafe_entry_names_are_refused(tmp_path, bad, why):
    refused(make_zip(tmp_path / "bad.zip", {**EDITED, bad: b"x"}), f"'{bad}'", why, "bad.zip")


def test_symlink_entry_is_refused(tmp_path):
    link = zipfile.ZipInfo("cs231n/layers.py")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(link, "/etc/passwd")
        archive.writestr("cs231n/classifiers/cnn.py", CNN)
    refused(path, "cs231n/layers.py", "symbolic link")


def test_encrypted_entry_is_refused(tmp_path):
    path = make_zip(tmp_path / "secret.zip", EDITED)
    patch_header(path, "cs231n/layers.py", 6, 8, "<H", 0x1)  # general-purpose flag: encrypted
    refused(path, "cs231n/layers.py", "encrypted")


def test_too_many_entries_is_refused(tmp_path):
    entries = {**EDITED, **{f"notes/{i}.txt": b"" for i in range(10)}}
    refused(make_zip(tmp_path / "many.zip", entries), "many.zip", "12 entries",
            limits=IntakeLimits(max_entries=5))


def test_archive_too_large_is_refused(tmp_path):
    refused(make_zip(tmp_path / "huge.zip", EDITED), "huge.zip", "allowed for a submission archive",
            limits=IntakeLimits(max_archive_bytes=100))


def test_zip_bomb_entry_is_refused(tmp_path):
    bomb = b"\0" * (4 * 2**20)
    path = make_zip(tmp_path / "bomb.zip", {**EDITED, "cs231n/bomb.py": bomb})
    assert path.stat().st_size < 20_000
    refused(path, "cs231n/bomb.py", "zip bomb")


def test_entry_over_the_file_cap_is_refused(tmp_path):
    path = make_zip(tmp_path / "big.zip", {**EDITED, "cs231n/big.py": os.urandom(5000)})
    refused(path, "cs231n/big.py", "limit for one file", limits=IntakeLimits(max_file_bytes=1000))


def test_notebook_over_the_file_cap_is_refused(tmp_path):
    entries = {**EDITED, "ConvolutionalNetworks.ipynb": os.urandom(5000)}
    path = make_zip(tmp_path / "nb.zip", entries)
    refused(path, "ConvolutionalNetworks.ipynb", "limit for one file",
            limits=IntakeLimits(max_file_bytes=1000))


def test_total_over_the_cap_is_refused(tmp_path):
    entries = {**EDITED, **{f"cs231n/part{i}.py": os.urandom(600) for i in range(3)}}
    refused(make_zip(tmp_path / "total.zip", entries), "add up to more than", "cs231n/",
            limits=IntakeLimits(max_total_bytes=1500))


def test_header_that_lies_about_its_size_is_refused(tmp_path):
    # 4 MiB of zeros deflates to ~4 KiB; the headers are patched to declare 1000 bytes, so
    # neither the declared size nor the declared ratio gives it away.
    path = make_zip(tmp_path / "liar.zip", {**EDITED, "cs231n/liar.py": b"\0" * (4 * 2**20)})
    patch_header(path, "cs231n/liar.py", 22, 24, "<L", 1000)  # uncompressed size fields
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("cs231n/liar.py").file_size == 1000
    refused(path, "cs231n/liar.py", "liar.zip")


def test_streamed_bytes_are_capped_whatever_the_declared_size(tmp_path):
    # zipfile itself stops at the declared size, so our own cap is checked white-box here.
    path = make_zip(tmp_path / "s.zip", {**EDITED, "cs231n/big.py": os.urandom(5000)})
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("cs231n/big.py")
        lying = intake._Entry(info.filename, info.filename, size=10, ref=info)
        source = intake._ZipSource(archive, "s.zip", IntakeLimits())
        with pytest.raises(IntakeError, match="cs231n/big.py.*limit for one file"):
            intake._read_capped(source, lying, 1000, "")


def test_folder_read_refuses_a_path_through_a_symlinked_folder(tmp_path):
    # Covers a folder swapped for a link between the walk and the read.
    real = make_tree(tmp_path / "real", {"layers.py": LAYERS})
    root = tmp_path / "q"
    root.mkdir()
    os.symlink(real, root / "cs231n")
    entry = intake._Entry("cs231n/layers.py", "cs231n/layers.py", len(LAYERS),
                          ref=str(root / "cs231n/layers.py"))
    with pytest.raises(IntakeError, match="cs231n/layers.py.*symbolic link"):
        intake._read_capped(intake._FolderSource(root, "q"), entry, 1000, "")


def test_folder_given_through_a_link_is_read(tmp_path):
    # The path the grader is given may be a link (the instructor's); links below it are not followed.
    real = make_tree(tmp_path / "real", {"cs231n/layers.py": LAYERS})
    os.symlink(real, tmp_path / "given")
    assert read_submission(tmp_path / "given").files["cs231n/layers.py"] == LAYERS


def test_folder_file_that_grew_over_the_cap_after_the_walk_is_refused(tmp_path):
    root = make_tree(tmp_path / "r", {"cs231n/layers.py": LAYERS})
    entry = intake._Entry("cs231n/layers.py", "cs231n/layers.py", len(LAYERS), ref=str(root / "cs231n/layers.py"))
    (root / "cs231n/layers.py").write_bytes(LAYERS * 100)
    with pytest.raises(IntakeError, match="cs231n/layers.py' is .* over the 1000 bytes limit for one file"):
        intake._read_capped(intake._FolderSource(root, "r"), entry, 1000, "")


def test_declared_size_over_the_cap_is_refused_before_reading(tmp_path):
    path = make_zip(tmp_path / "claims.zip", {**EDITED, "cs231n/claims.py": b"x" * 100})
    patch_header(path, "cs231n/claims.py", 22, 24, "<L", 10**9)
    refused(path, "cs231n/claims.py", "limit for one file")


def test_not_a_zip_is_refused(tmp_path):
    path = tmp_path / "homework.zip"
    path.write_text("this is not a zip")
    refused(path, "homework.zip", "not a readable zip")


def test_truncated_zip_is_refused(tmp_path):
    path = make_zip(tmp_path / "cut.zip", PACKAGE)
    path.write_bytes(path.read_bytes()[:-30])
    refused(path, "cut.zip", "not a readable zip")


def test_corrupt_entry_data_is_refused(tmp_path):
    path = make_zip(tmp_path / "rot.zip", {**EDITED, "cs231n/rot.py": os.urandom(4000)})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        start = archive.getinfo("cs231n/rot.py").header_offset + 30 + len("cs231n/rot.py")
    data[start + 100: start + 200] = bytes(100)
    path.write_bytes(bytes(data))
    refused(path, "cs231n/rot.py", "damaged")


@pytest.mark.parametrize("first, second", [
    ("cs231n/layers.py", "cs231n/layers.py"),
    ("cs231n/layers.py", "./cs231n/layers.py"),
    ("cs231n/layers.py", "cs231n\\layers.py"),
    ("cs231n/layers.py", "cs231n//layers.py"),
    ("__MACOSX/._x", "__MACOSX/./._x"),
])
def test_duplicate_names_are_refused(tmp_path, first, second):
    with pytest.warns(UserWarning) if first == second else contextlib.nullcontext():
        path = make_zip(tmp_path / "dup.zip",
                        [("cs231n/classifiers/cnn.py", CNN), (first, b"a"), (second, b"b")])
    refused(path, f"'{first}'", f"'{second}'", "each file once")


def test_two_roots_at_the_same_depth_are_refused(tmp_path):
    entries = {**with_prefix("a/", EDITED), **with_prefix("b/", EDITED)}
    refused(make_zip(tmp_path / "two.zip", entries), "a/cs231n/", "b/cs231n/", "only one")


def test_missing_package_lists_what_was_found(tmp_path):
    entries = {"README.md": b"hi", "notes/todo.txt": b"x", "FullyConnectedNets.ipynb": b"{}",
               "__MACOSX/._README.md": b"x"}
    message = refused(make_zip(tmp_path / "wrong.zip", entries),
                      "wrong.zip", "README.md", "notes/", "FullyConnectedNets.ipynb",
                      "cs231n/layers.py", "cs231n/classifiers/cnn.py", "Expected layout")
    assert "collect_submission" in message


def test_empty_zip_is_refused(tmp_path):
    refused(make_zip(tmp_path / "empty.zip", {}), "empty.zip", "It is empty")


def test_several_zips_are_not_guessed_between(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    make_zip(folder / "a2.zip", EDITED)
    make_zip(folder / "a2_code_submission.zip", EDITED)
    refused(folder, "several zips", "a2.zip", "a2_code_submission.zip")


# ----------------------------------------------------------------------------- properties

SAFE_PART = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-",
                    min_size=1, max_size=8).filter(lambda p: p not in intake.JUNK_DIRS)
SEPARATORS = st.sampled_from(["/", "\\", "//", "/./", "\\.\\"])


def _join(parts, seps):
    text = parts[0]
    for part, sep in zip(parts[1:], seps):
        text += sep + part
    return text


@FAST
@given(parts=st.lists(SAFE_PART, min_size=1, max_size=4),
       seps=st.lists(SEPARATORS, min_size=4, max_size=4),
       suffix=st.sampled_from([".py", ".pyx"]), lead=st.sampled_from(["", "./"]))
def test_random_safe_paths_are_accepted_and_normalised(tmp_path, parts, seps, suffix, lead):
    key = "cs231n/" + "/".join(parts) + suffix
    if key in EDITED or parts[0] == "datasets":
        return
    raw = lead + _join(["cs231n", *parts], seps) + suffix
    path = make_zip(tmp_path / "prop.zip", {**EDITED, raw: b"payload"})
    sub = read_submission(path)
    assert sub.files[key] == b"payload"
    assert set(sub.files) == set(EDITED) | {key}


@FAST
@given(parts=st.lists(SAFE_PART, min_size=0, max_size=4),
       seps=st.lists(SEPARATORS, min_size=5, max_size=5), where=st.integers(0, 4))
def test_any_dotdot_component_is_refused(tmp_path, parts, seps, where):
    parts = [*parts[:where], "..", *parts[where:], "x.py"]
    raw = _join(parts, seps)
    path = make_zip(tmp_path / "prop.zip", {**EDITED, raw: b"x"})
    refused(path, f"'{raw}'", "'..'")
