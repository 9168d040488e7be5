"""What a child wrote is read within bounds, never through a link; results stay valid JSON."""
import json
import os
import tracemalloc
import zipfile

import numpy as np
import pytest

from graders.result import CheckResult, SubmissionResult, bounded
from graders import untrusted
from graders.untrusted import UnreadableOutput, read_bytes, read_json_object, read_npz


def bomb(path, megabytes):
    """A deflate bomb: one .npy entry of `megabytes` zeros, a few hundred KB on disk."""
    header = np.lib.format.header_data_from_array_1_0(np.zeros(1))
    header["shape"] = (megabytes * 2**20 // 8,)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("out.npy", "w", force_zip64=True) as f:
            np.lib.format.write_array_header_1_0(f, header)
            for _ in range(megabytes):
                f.write(bytes(2**20))


def test_a_deflate_bomb_is_refused_before_it_is_inflated(tmp_path):
    bomb(tmp_path / "outputs.npz", 600)
    assert (tmp_path / "outputs.npz").stat().st_size < 5 * 2**20
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableOutput, match="declares"):
            read_npz(str(tmp_path), "outputs.npz", 64 * 2**20, max_array_bytes=256 * 2**20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20, peak


def test_a_forged_header_larger_than_its_data_is_refused(tmp_path):
    header = np.lib.format.header_data_from_array_1_0(np.zeros(1))
    header["shape"] = (10**12,)
    with zipfile.ZipFile(tmp_path / "outputs.npz", "w") as archive:
        with archive.open("x.npy", "w") as f:
            np.lib.format.write_array_header_1_0(f, header)
            f.write(bytes(80))
    with pytest.raises(UnreadableOutput, match="declares"):
        read_npz(str(tmp_path), "outputs.npz", 2**20)


def test_too_many_entries_are_refused(tmp_path):
    np.savez(tmp_path / "outputs.npz", **{"a%d" % i: np.zeros(1) for i in range(50)})
    with pytest.raises(UnreadableOutput, match="50 entries"):
        read_npz(str(tmp_path), "outputs.npz", 2**20, max_entries=40)


def test_numeric_arrays_are_read_and_others_dropped(tmp_path):
    np.savez(tmp_path / "outputs.npz", a=np.arange(6.0).reshape(2, 3), f=np.asfortranarray(np.eye(3)[:, :2]),
             i=np.arange(3), s=np.array(["text"]))
    arrays = read_npz(str(tmp_path), "outputs.npz", 2**20)
    assert sorted(arrays) == ["a", "f", "i"]
    assert np.array_equal(arrays["a"], np.arange(6.0).reshape(2, 3))
    assert np.array_equal(arrays["f"], np.eye(3)[:, :2])


def test_links_are_never_followed(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text('{"status": "ok"}')
    out = tmp_path / "out"
    out.mkdir()
    (out / "meta.json").symlink_to(secret)
    with pytest.raises(UnreadableOutput, match="meta.json is a symbolic link, which the grader does not follow"):
        read_json_object(str(out), "meta.json", 2**20)
    linked = tmp_path / "linked"
    linked.symlink_to(tmp_path)
    with pytest.raises(UnreadableOutput, match="linked is a symbolic link"):
        read_json_object(str(linked), "secret.json", 2**20)


def test_a_link_on_the_way_to_a_file_is_refused(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "layers.py").write_text("secret = 1\n")
    top = tmp_path / "submission"
    (top / "cs231n").mkdir(parents=True)
    (top / "cs231n" / "layers.py").write_text("x = 1\n")
    assert read_bytes(str(top), "cs231n/layers.py", 2**10) == b"x = 1\n"
    (top / "cs231n" / "classifiers").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UnreadableOutput, match="cs231n/classifiers is a symbolic link"):
        read_bytes(str(top), "cs231n/classifiers/layers.py", 2**10)


@pytest.mark.parametrize("name", ["../secret.json", "/etc/passwd", "a//b", "./x", "", "x/.."])
def test_names_that_leave_the_folder_are_refused(tmp_path, name):
    with pytest.raises(UnreadableOutput, match="not a plain relative file name"):
        read_bytes(str(tmp_path), name, 2**10)


def test_a_missing_file_is_said_to_be_missing(tmp_path):
    with pytest.raises(UnreadableOutput, match="meta.json does not exist") as caught:
        read_bytes(str(tmp_path), "meta.json", 2**10)
    assert caught.value.missing


def test_a_file_over_its_cap_is_refused_unread_with_its_size(tmp_path):
    with open(tmp_path / "executed.ipynb", "wb") as f:  # sparse: its size is all fstat sees
        f.truncate(untrusted.NOTEBOOK_BYTES + 1)
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableOutput, match=r"executed.ipynb is 48 MiB, over the 48 MiB the grader reads") as caught:
            read_bytes(str(tmp_path), "executed.ipynb", untrusted.NOTEBOOK_BYTES)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.too_large == untrusted.NOTEBOOK_BYTES + 1 and not caught.value.missing
    assert peak < 2**20, peak
    (tmp_path / "exact").write_bytes(b"x" * 100)
    assert read_bytes(str(tmp_path), "exact", 100) == b"x" * 100
    with pytest.raises(UnreadableOutput, match="exact is 100 bytes, over the 99 bytes"):
        read_bytes(str(tmp_path), "exact", 99)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "meta.json")
    with pytest.raises(UnreadableOutput, match="meta.json is not a regular file"):
        read_bytes(str(tmp_path), "meta.json", 2**10)


def test_json_with_nan_or_not_an_object_is_refused(tmp_path):
    (tmp_path / "meta.json").write_text('{"seconds": NaN}')
    with pytest.raises(UnreadableOutput, match="not valid JSON"):
        read_json_object(str(tmp_path), "meta.json", 2**20)
    (tmp_path / "meta.json").write_text("[1, 2]")
    with pytest.raises(UnreadableOutput, match="not a JSON object"):
        read_json_object(str(tmp_path), "meta.json", 2**20)


def result_with(details, metrics=None, measured=None):
    check = CheckResult(id="c", title="t", section="s", functions=[], status="failed", score=0.0, max_score=1.0,
                        measured=measured, tolerance=1e-6, measure="m", message="m", hint=None, seconds=0.0,
                        details=details)
    return SubmissionResult(submission="s", status="graded", score=0.0, max_score=1.0, isolation="bwrap",
                            grader_version="0", rubric="r", seconds=0.0, metrics=metrics or {}, checks=[check])


def test_infinite_and_nan_figures_still_make_a_valid_result():
    doc = json.loads(result_with({"errors": {"out": float("inf"), "dx": float("nan")}},
                                 {"speedups": {"conv": {"speedup": float("-inf")}}}).to_json())
    assert doc["checks"][0]["details"]["errors"] == {"out": None, "dx": None}
    assert doc["metrics"]["speedups"]["conv"]["speedup"] is None


def test_oversized_details_are_replaced_by_a_note():
    huge = {"history/x%d" % i: list(range(200)) for i in range(5000)}
    text = result_with(huge).to_json()
    assert len(text) < 64 * 2**10
    assert "exceeded the cap" in json.loads(text)["checks"][0]["details"]["dropped"]
    assert bounded({"a": 1}) == {"a": 1}
