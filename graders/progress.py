"""Showing a batch's progress: a live bar on a terminal, one plain line per submission otherwise."""
import sys

from tqdm import tqdm

HEADER = "%-28s %17s %7s  %s" % ("submission", "score", "time", "status")


def score_line(result, skipped=False):
    """One line for a finished submission: name, score, time and what went wrong."""
    failed = [c.id for c in result.checks if c.status != "passed" and c.max_score > 0]
    if result.status != "graded":
        status = result.status
    else:
        status = "%d check(s) lost points" % len(failed) if failed else "all passed"
    if skipped:
        status += " (up to date, not regraded)"
    return "%-28s %7.2f / %-7.2f %6.1fs  %s" % (
        result.submission[:28], result.score, result.max_score, result.seconds, status)


class Progress:
    """Called with each batch.Finished; prints lines to out, and a tqdm bar when err is a terminal."""

    def __init__(self, total, out=None, err=None, live=None):
        # The streams are looked up per call, not bound when this module was imported.
        out, err = out or sys.stdout, err or sys.stderr
        self.out = out
        self.problems = 0
        live = err.isatty() if live is None else live
        self.bar = tqdm(total=total, file=err, unit="submission", dynamic_ncols=True) if live else None
        self.lines = 0

    def __call__(self, finished):
        if not self.lines:  # the header waits until the rubric has loaded and grading began
            self.write(HEADER)
        self.lines += 1
        if finished.result.status != "graded":
            self.problems += 1
        self.write(score_line(finished.result, finished.skipped))
        if self.bar is not None:
            self.bar.set_postfix(problems=self.problems, refresh=False)
            self.bar.update(1)

    def write(self, line):
        if self.bar is not None:
            self.bar.write(line, file=self.out)
        else:
            print(line, file=self.out, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()
