"""Comparing a student's arrays with the reference's, the way the notebook does."""
import numpy as np

from . import Verdict
from .patterns import matching_suspect, picture, shape_patterns, value_patterns

MAX_DIAGNOSES = 3  # sentences per check
MAX_PICTURES = 4   # pictures per check


class ShapeMismatch(Exception):
    """An array of the wrong shape; diagnoses: what its shape suggests, in sentences."""

    def __init__(self, message, diagnoses=()):
        super().__init__(message)
        self.diagnoses = list(diagnoses)


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


def array_name(what):
    """The array a comparison's label speaks of: "dx of case 1 (...)" -> "dx"."""
    return what.split(" ", 1)[0]


def shape_diagnoses(what, actual, expected, suspects):
    """Sentences for an array of the wrong shape: a suspect it matches, or what its shape suggests."""
    try:
        found = matching_suspect(actual, suspects)
        return [found] if found else shape_patterns(array_name(what), np.asarray(actual), np.asarray(expected))
    except Exception:  # arrays too strange to reason about: the mismatch message stands alone
        return []


class Tally:
    """Keeps the worst error over many comparisons, says where it was, and, for the wrong
    arrays, what kind of mistake they show (graders/checks/patterns.py) and pictures of where."""

    def __init__(self, tolerance):
        self.tolerance = tolerance
        self.worst, self.where = 0.0, None
        self.errors = {}
        self.diagnoses, self.pictures = [], []

    def add(self, what, actual, expected, shapes=None, suspects=(), locate=None):
        """rel_error of actual against expected, recorded under the label what.

        suspects: (sentence, compute) pairs, the arrays common bugs would return;
        locate(actual, expected): a sentence when the error's location names the bug.
        """
        try:
            err = error_against(actual, expected, what, shapes)
        except ShapeMismatch as e:
            found = shape_diagnoses(what, actual, expected, suspects)
            raise ShapeMismatch(str(e), (self.diagnoses + [d for d in found if d not in self.diagnoses])[:MAX_DIAGNOSES]) from None
        self.errors[what] = err
        if err > self.worst or self.where is None:
            self.worst, self.where = err, what
        if err > self.tolerance:
            self.explain(what, np.asarray(actual).reshape(np.shape(expected)), np.asarray(expected), suspects, locate)
        return err

    def add_scalar(self, what, actual, expected, suspects=()):
        """add() for one number, such as a loss: only a matching suspect names the mistake (the
        patterns of arrays, a constant factor say, tell nothing about a single value)."""
        err = error_against(actual, expected, what)
        self.errors[what] = err
        if err > self.worst or self.where is None:
            self.worst, self.where = err, what
        if err > self.tolerance:
            found = matching_suspect(np.asarray(actual).reshape(np.shape(expected)), suspects)
            if found and found not in self.diagnoses and len(self.diagnoses) < MAX_DIAGNOSES:
                self.diagnoses.append(found)
        return err

    def explain(self, what, actual, expected, suspects, locate):
        try:
            found = matching_suspect(actual, suspects) or (locate(actual, expected) if locate else None)
            sentences = [found] if found else value_patterns(array_name(what), actual, expected)
            drawn = picture(what, actual, expected) if len(self.pictures) < MAX_PICTURES else None
        except Exception:  # arrays too strange to reason about: the error figure stands alone
            return
        for sentence in sentences:
            if sentence not in self.diagnoses and len(self.diagnoses) < MAX_DIAGNOSES:
                self.diagnoses.append(sentence)
        if drawn:
            self.pictures.append(drawn)

    def verdict(self):
        passed = self.worst <= self.tolerance
        message = "largest error %.3g in %s (tolerance %.1g)" % (self.worst, self.where, self.tolerance)
        details = {"errors": {k: v for k, v in self.errors.items()}}
        if passed:
            return Verdict(passed, self.worst, message, details)
        if self.pictures:
            details["pictures"] = self.pictures
        return Verdict(passed, self.worst, message, details, diagnoses=list(self.diagnoses))
