"""Comparing a student's arrays with the reference's, the way the notebook does."""
import numpy as np

from . import Verdict


class ShapeMismatch(Exception):
    pass


def rel_error(x, y):
    """The notebook's relative error: max |x - y| / max(1e-8, |x| + |y|); 0 for empty arrays."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.size == 0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)))
    return float("inf") if not np.isfinite(err) else float(err)


def error_against(actual, expected, what, shapes=None):
    """rel_error of actual against expected; a wrong shape raises ShapeMismatch.

    shapes: other accepted shapes (compared after reshaping to expected's).
    """
    actual, expected = np.asarray(actual), np.asarray(expected)
    accepted = [expected.shape] + [tuple(s) for s in (shapes or [])]
    if actual.shape not in accepted:
        raise ShapeMismatch(
            "%s has shape %s, expected %s" % (what, actual.shape, " or ".join(map(str, accepted)))
        )
    return rel_error(actual.reshape(expected.shape), expected)


class Tally:
    """Keeps the worst error over many comparisons and says where it was."""

    def __init__(self, tolerance):
        self.tolerance = tolerance
        self.worst, self.where = 0.0, None
        self.errors = {}

    def add(self, what, actual, expected, shapes=None):
        err = error_against(actual, expected, what, shapes)
        self.errors[what] = err
        if err > self.worst or self.where is None:
            self.worst, self.where = err, what
        return err

    def verdict(self):
        passed = self.worst <= self.tolerance
        message = "largest error %.3g in %s (tolerance %.1g)" % (self.worst, self.where, self.tolerance)
        details = {"errors": {k: v for k, v in self.errors.items()}}
        return Verdict(passed, self.worst, message, details)
