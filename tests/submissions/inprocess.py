"""A sample's checks run in this process: the child's task on the sample's code, judged by the host.

No sandbox and no notebook: for sweeping many secret seeds over the numeric gradient checks,
which are pure functions of the sample's code and the drawn inputs. Never use this for code
that is not ours: the corpus's correct variants and one-bug mutants are, and none of them
changes numpy's global state or sys.path, which the host's judge shares with them here.

The child resolves functions by dotted names ("cs231n.layers.conv_forward_naive"), and a
sample's cnn.py may import "cs231n.layer_utils" absolutely, so a sample gets a whole copy of
the reference package with its student files written in, and is imported under the name
`cs231n` while its task runs: StudentPackage.active() swaps the `cs231n` entries of
sys.modules for the sample's and back. The checks bound the reference's functions when they
were imported, so the host's judge keeps using the reference.
"""
import contextlib
import importlib
import multiprocessing
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from graders.assignment import load_assignment
from graders import child
from graders.checks import Outputs
from graders.rubric import load_rubric

ASSIGNMENT = load_assignment()

GRADCHECK_TASKS = ("gradcheck", "model_gradcheck")  # the child's tasks of graders/checks/gradcheck.py


def numeric_checks():
    """The rubric's checks that judge a numeric gradient, in rubric order."""
    checks, rubric = ASSIGNMENT.checks(), load_rubric()
    return [spec.id for spec in rubric.checks
            if checks[spec.id](np.random.default_rng(0), spec)[0].task in GRADCHECK_TASKS]


def cs231n_modules():
    return [name for name in sys.modules if name == "cs231n" or name.startswith("cs231n.")]


class StudentPackage:
    """The reference package with a sample's student files, importable as `cs231n` on demand."""

    def __init__(self, sample, root):
        self.sample = sample
        self.folder = root / sample.name
        shutil.copytree(ASSIGNMENT.reference, self.folder / "cs231n", ignore=shutil.ignore_patterns("__pycache__"))
        for path, text in sample.files.items():
            (self.folder / path).write_text(text)
        self.modules = {}  # the sample's cs231n modules, kept between activations

    @contextlib.contextmanager
    def active(self):
        saved = {name: sys.modules.pop(name) for name in cs231n_modules()}
        sys.modules.update(self.modules)
        sys.path.insert(0, str(self.folder))
        importlib.invalidate_caches()
        try:
            yield
        finally:
            sys.path.remove(str(self.folder))
            self.modules = {name: sys.modules.pop(name) for name in cs231n_modules()}
            sys.modules.update(saved)


class Draw:
    """One check's draw under one seed, drawn as graders.pipeline does; judged once per sample."""

    def __init__(self, check_id, seed):
        self.check_id, self.seed = check_id, seed
        spec = load_rubric().by_id()[check_id]
        self.job, self.judge = ASSIGNMENT.checks()[check_id](np.random.default_rng([seed, *check_id.encode()]), spec)

    def run(self, package):
        """The sample's Verdict, or the exception its code raised or its returns caused in the judge
        (graders/runner.py fails the check then)."""
        outputs, meta = {}, {}
        arrays = {k: v.copy() for k, v in self.job.arrays.items()}
        try:
            with package.active():
                child.TASKS[self.job.task](self.job.params, arrays, outputs, meta)
            return self.judge(Outputs(outputs, meta))
        except Exception as exc:  # noqa: BLE001 - the sample's own error is its result
            return exc


def allowance_used(verdict):
    """The largest share of its allowance any gradient of a verdict used (above 1: failed)."""
    return max(verdict.details.get("allowance_used", {}).values(), default=0.0)


def numeric_samples(samples, check_id):
    """The samples the check must pass (reference, variants) or fail (mutants listing it)."""
    return [s for s in samples if s.kind != "mutant" or check_id in s.fails or "*" in s.fails]


class Sweep:
    """Grades samples' numeric checks under given seeds: one judge per (check, seed), shared by all samples."""

    def __init__(self, samples, root):
        self.samples, self.root, self.packages = {s.name: s for s in samples}, root, {}

    def package(self, name):
        if name not in self.packages:
            self.packages[name] = StudentPackage(self.samples[name], self.root)
        return self.packages[name]

    def grade(self, check_id, seed, names):
        """[(check, seed, name, passed, allowance used or None, message)] of the named samples."""
        draw, rows = Draw(check_id, seed), []
        for name in names:
            result = draw.run(self.package(name))
            if isinstance(result, Exception):
                rows.append((check_id, seed, name, False, None, "%s: %s" % (type(result).__name__, result)))
            else:
                rows.append((check_id, seed, name, result.passed, allowance_used(result), result.message))
        return rows


WORKER = {}  # the Sweep of a worker process


def start_worker(samples, root):
    WORKER["sweep"] = Sweep(samples, Path(tempfile.mkdtemp(prefix="worker", dir=root)))


def grade_item(item):
    return WORKER["sweep"].grade(*item)


def sweep(samples, plan, workers, root):
    """Rows (see Sweep.grade) of plan, a list of (check, seed, sample names), on worker processes
    that copy the samples' packages into folders under root."""
    if workers <= 1:
        start_worker(samples, root)
        return [row for item in plan for row in grade_item(item)]
    context = multiprocessing.get_context("fork")  # the workers inherit the pinned reference
    with ProcessPoolExecutor(workers, mp_context=context, initializer=start_worker, initargs=(samples, root)) as pool:
        return [row for rows in pool.map(grade_item, plan) for row in rows]
