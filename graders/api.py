"""The grader's Python API: grade submissions and write one result.json each.

    from graders.api import grade
    results = grade(["alice.zip", "bob/"], out="results/")

grade runs a batch (graders/batch.py) over the submissions the paths name; grade_one grades
one submission with a given rubric and seed (graders/pipeline.py).
"""
from . import batch, collect
from .pipeline import Options, grade_one, write_gradebook

__all__ = ["Options", "grade", "grade_one", "write_gradebook"]


def grade(paths, out, options=Options(), progress=None, workers=1, force=False):
    """Grade each submission path into out/<folder>/result.json; returns the results in order.

    Each path is one submission (see graders.collect for folders of submissions). workers > 1
    grades that many at once, each in its own sandbox (threads suffice: the work happens in
    the sandboxed child processes). A submission whose result in out was made from the same
    files, rubric and grader version is not graded again unless force is true. progress(result)
    is called as each one finishes, from one thread at a time. Raises collect.CollectError
    (nothing graded) when two paths share a name.
    """
    def report(finished):
        if progress:
            progress(finished.result)

    return batch.run(collect.as_submissions(paths), out, options, workers, force, report).results
