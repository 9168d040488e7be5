"""What a child wrote is read within bounds, never through a link; results stay valid JSON."""
import json
import tracemalloc
import zipfile

import numpy as np
import pytest

from graders.result import CheckResult, SubmissionResult, bounded
from graders.untrusted import UnreadableOutput, read_json_object, read_npz


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
    with pytest.raises(UnreadableOutput, match="not written"):
        read_json_object(str(out), "meta.json", 2**20)
    linked = tmp_path / "linked"
    linked.symlink_to(tmp_path)
    with pytest.raises(UnreadableOutput, match="not a folder"):
        read_json_object(str(linked), "secret.json", 2**20)


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
