"""Grading a class: folders of submissions, workers, resume, SIGKILL and Ctrl-C, duplicates.

The batch tests grade with tests/submissions/quick_rubric.toml (five cheap checks), so a
submission takes a second or two; only the seed test reuses the session's full grading.
"""
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

import corpus
from conftest import capped_rubric
from graders import api, cli, collect, sandbox, store
from graders.assignment import load_assignment
from graders.intake import Layout
from graders.sandbox import UID_POOL

LAYOUT = Layout.of(load_assignment())

ROOT = Path(__file__).resolve().parents[2]
QUICK_RUBRIC = ROOT / "tests" / "submissions" / "quick_rubric.toml"
SEED = "20261126"
CLASS_SAMPLES = [
    "reference", "variant_vectorised", "variant_einsum",
    "mutant_conv_forward_no_bias", "mutant_pool_forward_hardcoded_2x2", "mutant_pool_backward_assigns",
    "mutant_spatial_batchnorm_over_batch_only", "mutant_batchnorm_momentum_reversed",
    "mutant_cnn_reg_without_half", "mutant_python2_print_statement",
    "hostile_exit_at_import", "hostile_forged_result",
]


# ----------------------------------------------------------------------------- helpers

def write_samples(folder, names):
    folder.mkdir(parents=True, exist_ok=True)
    by_name = {s.name: s for s in corpus.everything()}
    return [corpus.write(by_name[n], folder) for n in names]


def zip_folder(folder, archive):
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(folder).as_posix())
    shutil.rmtree(folder)
    return archive


def make_class(folder):
    """A class folder: 12 corpus samples, the template as a zip, two rejected ones, junk."""
    write_samples(folder, CLASS_SAMPLES + ["template"])
    zip_folder(folder / "template", folder / "template.zip")
    (folder / "no_code").mkdir()
    (folder / "no_code" / "notes.txt").write_text("I could not finish, sorry")
    with zipfile.ZipFile(folder / "escape.zip", "w") as z:
        z.writestr("cs231n/layers.py", "x = 1\n")
        z.writestr("../escape.py", "x = 2\n")
    (folder / ".DS_Store").write_bytes(b"\0junk")
    (folder / "__MACOSX").mkdir()
    (folder / "grades_2025.csv").write_text("not a submission\n")
    return folder


CLASS_IDS = sorted(CLASS_SAMPLES + ["template", "no_code", "escape"])


def grade_cli(*args):
    """Run the CLI in this process; returns its exit status."""
    return cli.main(["grade", *map(str, args), "--rubric", str(QUICK_RUBRIC), "--seed", SEED])


def cli_process(*args, env_extra=None, rubric=QUICK_RUBRIC):
    """Start the CLI as a subprocess importing exactly what this test process imports."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p), **(env_extra or {}))
    argv = [sys.executable, "-m", "graders", "grade", *map(str, args), "--rubric", str(rubric), "--seed", SEED]
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def verdicts(out):
    """submission -> (status, {check id: check status}) from every result.json in out."""
    found = {}
    for path in sorted(Path(out).glob("*/result.json")):
        doc = json.loads(path.read_text())
        found[doc["submission"]] = (doc["status"], {c["id"]: c["status"] for c in doc["checks"]})
    return found


def result_folders(out):
    return sorted(p.name for p in Path(out).iterdir() if p.is_dir() and not p.name.startswith("."))


def events(out, kind):
    return [e for e in store.read_runs(out) if e["event"] == kind]


def graded_names(out):
    return [e["submission"] for e in events(out, "graded")]


def wait_until(condition, timeout, what, proc=None):
    """Poll condition; fail after timeout seconds, or as soon as proc (if given) has exited."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail("the CLI exited (status %s) before %s:\n%s\n%s" % (proc.returncode, what, out, err))
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting until %s" % what)
        time.sleep(0.05)


def processes_of(marker):
    """Pids of live processes that mention marker in their command line or run inside it,
    or that run under a sandbox uid with their working folder inside marker."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            try:
                cwd = os.readlink(entry / "cwd")
            except OSError:
                cwd = ""
        except OSError:
            continue
        if "State:\tZ" in status:
            continue
        uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
        if marker in cmdline or cwd.startswith(marker) or (uid in UID_POOL and cwd.startswith(marker)):
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def klass(tmp_path_factory):
    base = tmp_path_factory.mktemp("batch")
    base.chmod(0o755)
    return make_class(base / "class")


@pytest.fixture(scope="module")
def sequential(klass, tmp_path_factory):
    """The class graded one submission at a time: the verdicts every other run must match."""
    out = tmp_path_factory.mktemp("sequential") / "out"
    assert grade_cli(klass, "--out", out, "--workers", "1") == 0
    return verdicts(out)


# ----------------------------------------------------------------------------- collecting

def test_a_folder_of_submissions_is_expanded_and_junk_ignored(tmp_path):
    make_class(tmp_path / "class")
    jobs = collect.collect([tmp_path / "class"], LAYOUT)
    assert sorted(j.id for j in jobs) == CLASS_IDS
    assert next(j for j in jobs if j.id == "template").path.name == "template.zip"
    # A submission folder given directly is one submission, not a folder of them.
    assert [j.id for j in collect.collect([tmp_path / "class" / "reference"], LAYOUT)] == ["reference"]
    assert [j.id for j in collect.collect([tmp_path / "class" / "reference" / "cs231n"], LAYOUT)] == ["cs231n"]
    assert [j.id for j in collect.collect([tmp_path / "class" / "no_code"], LAYOUT)] == ["no_code"]


def test_duplicate_ids_are_refused_before_grading(tmp_path, capsys):
    write_samples(tmp_path / "class", ["reference", "template"])
    write_samples(tmp_path / "zips", ["template"])
    zip_folder(tmp_path / "zips" / "template", tmp_path / "class" / "template.zip")
    out = tmp_path / "out"
    assert cli.main(["grade", str(tmp_path / "class"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "class" / "template") in err and str(tmp_path / "class" / "template.zip") in err
    assert not out.exists()

    write_samples(tmp_path / "more", ["reference"])
    (tmp_path / "more" / "extra").mkdir()  # makes "more" a folder of submissions
    assert cli.main(["grade", str(tmp_path / "class" / "reference"), str(tmp_path / "more"),
                     "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "class" / "reference") in err and str(tmp_path / "more" / "reference") in err
    assert not out.exists()


# ----------------------------------------------------------------------------- workers

def test_parallel_batch_gives_the_sequential_verdicts(klass, sequential, tmp_path):
    assert sorted(sequential) == CLASS_IDS
    assert sequential["reference"] == ("graded", {c: "passed" for c in sequential["reference"][1]})
    assert sequential["no_code"][0] == sequential["escape"][0] == "rejected"
    assert "failed" in sequential["mutant_conv_forward_no_bias"][1].values()

    out = tmp_path / "out"
    assert grade_cli(klass, "--out", out, "--workers", "2") == 0
    assert verdicts(out) == sequential
    assert sorted(graded_names(out)) == CLASS_IDS
    gradebook = (out / "gradebook.csv").read_text().splitlines()
    assert len(gradebook) == 1 + len(CLASS_IDS)
    assert not (out / store.INCOMING).exists()
    for name in CLASS_IDS:
        assert {"result.json", "gradescope.json", "junit.xml"} <= {p.name for p in (out / name).iterdir()}


# ----------------------------------------------------------------------------- resume

def test_resume_skips_what_is_up_to_date_and_regrades_what_changed(tmp_path):
    subs = tmp_path / "class"
    write_samples(subs, ["reference", "mutant_conv_forward_no_bias", "template"])
    out = tmp_path / "out"
    names = ["mutant_conv_forward_no_bias", "reference", "template"]

    def run(*extra):
        before = len(store.read_runs(out))
        assert grade_cli(subs, "--out", out, "--workers", "2", *extra) == 0
        new = store.read_runs(out)[before:]
        assert len((out / "gradebook.csv").read_text().splitlines()) == 4
        return (sorted(e["submission"] for e in new if e["event"] == "graded"),
                sorted(e["submission"] for e in new if e["event"] == "skipped"))

    assert run() == (names, [])
    first = verdicts(out)
    (out / store.INCOMING / "reference.x1y2").mkdir(parents=True)  # as a killed run leaves it
    assert run() == ([], names)
    assert not (out / store.INCOMING).exists()
    assert events(out, "start")[-1]["cleaned"] == ["reference.x1y2"]
    assert verdicts(out) == first

    assert run("--force") == (names, [])

    layers = subs / "mutant_conv_forward_no_bias" / "cs231n" / "layers.py"
    layers.write_text(layers.read_text() + "\n# edited after the deadline\n")
    assert run() == (["mutant_conv_forward_no_bias"], ["reference", "template"])

    changed = tmp_path / "rubric.toml"
    changed.write_text(QUICK_RUBRIC.read_text().replace("time_limit = 20", "time_limit = 25", 1))
    before = len(store.read_runs(out))
    assert cli.main(["grade", str(subs), "--out", str(out), "--rubric", str(changed), "--seed", SEED]) == 0
    assert sorted(e["submission"] for e in store.read_runs(out)[before:] if e["event"] == "graded") == names
    provenance = json.loads((out / "reference" / "result.json").read_text())["provenance"]
    assert set(provenance) == {"submission_sha256", "rubric_sha256", "grader_version", "code_sha256"}
    assert verdicts(out) == first


def test_a_batch_killed_with_sigkill_resumes_without_regrading(klass, sequential, tmp_path):
    out = tmp_path / "out"
    proc = cli_process(klass, "--out", out, "--workers", "1")
    try:
        wait_until(lambda: out.is_dir() and len(result_folders(out)) >= 3, 120, "three results exist", proc)
    finally:
        proc.kill()
        proc.communicate()
    killed_with = result_folders(out)
    assert len(killed_with) < len(CLASS_IDS), "the batch finished before it was killed"

    assert grade_cli(klass, "--out", out, "--workers", "2") == 0
    assert result_folders(out) == CLASS_IDS
    assert not (out / store.INCOMING).exists()
    graded = graded_names(out)
    assert sorted(graded) == CLASS_IDS, "each submission graded exactly once over both runs"
    assert set(killed_with) <= {e["submission"] for e in events(out, "skipped")}
    assert verdicts(out) == sequential


# ----------------------------------------------------------------------------- Ctrl-C

@pytest.fixture
def work():
    """A temporary folder for the grader's workspaces, in the system's temp folder: in rlimits
    mode as root the sandbox uid must reach it (pytest's tmp_path sits in a 0700 folder)."""
    folder = Path(tempfile.mkdtemp(prefix="cs231n-batch-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("isolation", [
    pytest.param("bwrap", marks=pytest.mark.skipif(
        sandbox.available_mode() != "bwrap", reason="bubblewrap is not usable on this machine")),
    "rlimits",
])
def test_ctrl_c_stops_cleanly_and_leaves_no_process(tmp_path, work, isolation):
    trial = sandbox.run_confined([sys.executable, "-I", "-c", "pass"], work, mode=isolation)
    if trial.exit_code != 0:  # e.g. rlimits as root with a Python under /root: see graders/sandbox/__init__.py
        pytest.skip("no child can start in %s mode here: %s" % (isolation, trial.reason))
    subs = tmp_path / "class"
    write_samples(subs, ["reference", "hostile_infinite_loop"])
    out = tmp_path / "out"
    # Time limits far beyond the wait below: only killing the run in flight ends the batch in time.
    patient = tmp_path / "rubric.toml"
    patient.write_text(QUICK_RUBRIC.read_text().replace("time_limit = 20", "time_limit = 900"))
    proc = cli_process(subs, "--out", out, "--workers", "2", "--isolation", isolation,
                       env_extra={"TMPDIR": str(work)}, rubric=patient)
    try:
        wait_until(lambda: (out / "reference").is_dir() and processes_of(str(work)), 120,
                   "the reference is graded and the infinite loop runs", proc)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "1 of 2 submissions done" in err and "run the same command again" in err
    assert processes_of(str(work)) == []
    assert result_folders(out) == ["reference"]
    assert events(out, "end")[-1]["interrupted"] is True


def test_sandboxed_children_run_one_blas_thread(work):
    """N workers keep about N cores busy: every child gets one BLAS/OpenMP thread."""
    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    code = "import os; print(' '.join(os.environ.get(k, '-') for k in %r))" % (names,)
    run = sandbox.run_confined([sys.executable, "-I", "-c", code], work)
    assert run.exit_code == 0, run.stderr
    assert run.stdout.split() == ["1", "1", "1"]


# ----------------------------------------------------------------------------- seeds

# cnn_overfit trains for several seconds per submission; its verdict is covered by the session's grading.
COSTLY = {"cnn_overfit"}


def checks_for(sample, rubric):
    """The checks a second seed regrades: all for correct samples; for a one-bug mutant, those
    of the rubric sections its bug touches (elsewhere it runs the reference's own code).
    Dependencies on checks left out are dropped: they change messages, never a status."""
    if sample.kind != "mutant" or sample.fails == ("*",):
        chosen = [c for c in rubric.checks if c.id not in COSTLY]
    else:
        sections = {c.section for c in rubric.checks if c.id in sample.fails}
        chosen = [c for c in rubric.checks if c.section in sections and c.id not in COSTLY]
    ids = {c.id for c in chosen}
    return [replace(c, depends_on=tuple(d for d in c.depends_on if d in ids)) for c in chosen]


def test_verdicts_do_not_depend_on_the_seed(graded, tmp_path):
    """The session graded the corpus with one secret seed; a second seed gives the same verdicts."""
    samples, _ = graded
    rubric = capped_rubric()
    chosen = [(s, r) for s, r in samples.values() if s.kind in ("reference", "variant", "mutant")]
    seed = secrets.randbits(63)
    base = tmp_path / "submissions"

    def regrade(item):
        sample, _ = item
        subset = rubric.only({c.id for c in checks_for(sample, rubric)})
        return api.grade_one(corpus.write(sample, base), tmp_path / "out", subset, api.Options(), seed)

    with ThreadPoolExecutor(max_workers=2) as pool:
        again = list(pool.map(regrade, chosen))
    for (sample, first), second in zip(chosen, again):
        before = {c.id: c.status for c in first.checks}
        assert {c.id: c.status for c in second.checks} == {c.id: before[c.id] for c in second.checks}, sample.name
