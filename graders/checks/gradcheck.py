"""The notebook's numeric gradient checks, with every number judged on the host.

The child evaluates the student's scalar (a layer's forward output summed against an
upstream gradient, or a model's loss) at inputs the host chose, each perturbed one
element at a time by +h and -h, and returns those values with the student's analytic
gradients. The host takes the finite differences itself and repeats everything with
the reference on the same inputs. The check passes only when

  1. the student's scalar agrees with the reference's at the unperturbed input,
  2. the student's finite differences agree with the reference's (the function is right
     around that input too, not only at it), and
  3. the student's analytic gradient agrees with the student's finite differences,

where 2 and 3 forgive the finite differences' own noise: three times the largest
difference the reference shows between its numeric and analytic gradients on the
same points, plus a bound on rounding. A constant or forged forward pass fails 1 or 2,
a backward pass that does not match its forward fails 3, and a correct submission's
errors stay below the noise whatever the seed.

Why that holds with margin: a correct student's finite differences differ from the
reference's (and from its own analytic gradient) only by truncation, which both share and
the reference's spread measures, and by the rounding of the student's scalar. Outputs an
element's perturbation does not touch are computed by the same operations on the same
values at +h and -h, so their rounding cancels; what is left is a few ulps of the scalar's
terms, which ROUNDING covers up to 16 of. The tolerance then applies to what is beyond
that noise. Swept over hundreds of seeds, the reference and the corpus's correct variants
use at most about 2% of the allowance in the layer checks (up to a third in the convnet's
check, where the reference's own worst element sets the noise and the variants' losses agree
with the reference's to the last bit); without the noise terms, a correct spatial batch norm
failed under one of 50 seeds. Judgement.details reports each gradient's share used; tests/grader/test_seed_sweep.py
and benchmarks/seed_sweep.py sweep the seeds.

A rubric entry may set `entries`: then the finite differences are taken at that many entries of
each larger argument, drawn by the host's secret seed (as the course's grad_check_sparse does),
and both comparisons are made there. The convnet's and the sandwiches' checks do so: a wrong
gradient is wrong at most entries, and their other checks compare every entry with the reference.
"""
import copy
import functools

import numpy as np

from . import Job, Verdict
from .compare import ShapeMismatch, rel_error, shape_diagnoses
from .patterns import value_patterns

EPS = np.finfo(np.float64).eps
ROUNDING = 16.0  # rounding allowance, in units of eps * (sum of |terms| of the scalar) / h


def chosen_entries(rng, args, wrt, count):
    """{i: sorted flat indices}: `count` entries of each argument in wrt larger than that, drawn
    without replacement; an argument left out (every one, when count is 0) is perturbed whole."""
    chosen = {}
    for i in wrt:
        size = int(np.size(args[i]))
        if 0 < count < size:
            chosen[i] = np.sort(rng.choice(size, count, replace=False))
    return chosen


def positions(shape, flat):
    """The index tuples of an array of `shape` to perturb: every one, or those at flat indices."""
    if flat is None:
        return list(np.ndindex(shape))
    return [np.unravel_index(int(j), shape) for j in flat]


def central_differences(scalar, args, wrt, h, entries=None):
    """{i: (plus, minus)}: scalar(args) with args[i] moved elementwise by +h and -h, at every
    entry (arrays of args[i]'s shape) or at the flat indices entries[i] (arrays of their length).

    graders/child.py's central_values does the same on the student's side; it cannot import
    this module (it runs in the sandbox with nothing of the grader), hence the twin.
    """
    values = {}
    for i in wrt:
        base = np.asarray(args[i], dtype=np.float64)
        flat = (entries or {}).get(i)
        where = positions(base.shape, flat)
        plus, minus = np.empty(len(where)), np.empty(len(where))
        for n, j in enumerate(where):
            for sign, into in ((1.0, plus), (-1.0, minus)):
                moved = copy.deepcopy(args)
                moved[i] = base.copy()
                moved[i][j] += sign * h
                into[n] = scalar(moved)
        values[i] = (plus, minus) if flat is not None else (plus.reshape(base.shape), minus.reshape(base.shape))
    return values


def entries_param(entries):
    """entries as the child's job takes them (JSON: string keys, lists of ints)."""
    return {str(i): [int(j) for j in flat] for i, flat in entries.items()}


def at(array, flat):
    """array's entries at flat indices (all of it when flat is None)."""
    return array if flat is None else np.asarray(array).reshape(-1)[flat]


def noise(ref_numeric, ref_analytic, scale, h):
    """Absolute difference forgiven between numeric and analytic gradients of one argument."""
    spread = float(np.max(np.abs(ref_numeric - ref_analytic))) if ref_numeric.size else 0.0
    return 3.0 * spread + ROUNDING * EPS * scale / h


def excess_error(a, b, forgiven):
    """The notebook's relative error after forgiving `forgiven` of absolute difference per element."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.size == 0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        excess = np.maximum(np.abs(a - b) - forgiven, 0.0)
        err = np.max(excess / np.maximum(1e-8, np.abs(a) + np.abs(b)))
    return float(err) if np.isfinite(err) else float("inf")


def allowance_used(a, b, forgiven, tolerance):
    """The largest share of its allowance an element's difference uses: above 1 exactly where
    excess_error(a, b, forgiven) > tolerance; how close a passing gradient came to failing."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.size == 0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        used = np.max(np.abs(a - b) / (forgiven + tolerance * np.maximum(1e-8, np.abs(a) + np.abs(b))))
    return float(used) if np.isfinite(used) else float("inf")


def fitted(actual, expected_shape, what, shapes=()):
    """actual as an array of expected_shape; other accepted shapes are reshaped to it."""
    actual = np.asarray(actual, dtype=np.float64)
    accepted = [tuple(expected_shape), *map(tuple, shapes)]
    if actual.shape not in accepted:
        raise ShapeMismatch("%s has shape %s, expected %s" % (what, actual.shape, " or ".join(map(str, accepted))),
                            shape_diagnoses(what, actual, np.zeros(expected_shape), ()))
    return actual.reshape(expected_shape)


class Judgement:
    """The three comparisons of one gradient check, collected into a Verdict."""

    def __init__(self, tolerance, forward_tolerance):
        self.tolerance, self.forward_tolerance = tolerance, forward_tolerance
        self.problems, self.errors, self.used, self.diagnoses = [], {}, {}, []

    def forward(self, what, actual, expected):
        actual = fitted(actual, np.shape(expected), what)
        err = rel_error(actual, expected)
        if err > self.forward_tolerance:
            self.problems.append("%s differs from the reference's (error %.3g)" % (what, err))
            self.diagnose("the forward output", actual, expected)

    def gradient(self, name, plus, minus, analytic, ref_numeric, ref_analytic, scale, h, shapes=(), flat=None):
        """flat: the flat indices the finite differences were taken at (None: every entry)."""
        full = np.shape(ref_analytic)
        numeric = (fitted(plus, ref_numeric.shape, "the values for " + name)
                   - fitted(minus, ref_numeric.shape, "the values for " + name)) / (2 * h)
        forgiven = noise(ref_numeric, at(ref_analytic, flat), scale, h)
        slope = excess_error(numeric, ref_numeric, forgiven)
        if slope > self.tolerance:
            self.problems.append("the numeric gradient of your forward pass for %s differs from the "
                                 "reference's (error %.3g)" % (name, slope))
        analytic = at(fitted(analytic, full, name, shapes), flat)
        self.errors[name] = excess_error(analytic, numeric, forgiven)
        self.used[name] = max(allowance_used(numeric, ref_numeric, forgiven, self.tolerance),
                              allowance_used(analytic, numeric, forgiven, self.tolerance))
        if self.errors[name] > self.tolerance and not self.problems:  # a wrong forward pass explains itself
            self.diagnose(name, analytic, numeric)

    def diagnose(self, what, actual, expected):
        """Record what kind of mistake actual shows against expected (graders/checks/patterns.py)."""
        try:
            found = value_patterns(what, np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64))
        except Exception:  # a diagnosis is a courtesy; the verdict stands without it
            return
        self.diagnoses += [d for d in found if d not in self.diagnoses]

    def verdict(self):
        worst = max(self.errors, key=self.errors.get) if self.errors else None
        measured = self.errors[worst] if worst else None
        if self.problems:
            message = ("not counted: %s. A numeric gradient check counts only for a forward pass that "
                       "agrees with the reference." % "; ".join(self.problems))
            return Verdict(False, measured, message, self.details(), self.diagnoses[:3])
        message = "largest error %.3g in %s beyond the finite differences' own noise (tolerance %.1g)" % (
            measured or 0.0, worst, self.tolerance)
        passed = measured is not None and measured <= self.tolerance
        return Verdict(passed, measured, message, self.details(), [] if passed else self.diagnoses[:3])

    def details(self):
        """errors: as measured; allowance_used: per gradient, the largest |difference| over
        (forgiven noise + tolerance x magnitude) of either comparison, 1 being the limit."""
        return {"errors": self.errors, "allowance_used": self.used}


def first(value):
    """A forward pass's out: the first item of its (out, cache)."""
    return value[0] if isinstance(value, tuple) else value


def layer_gradcheck(module, forward, backward, reference, args, dout, grads, *, tolerance,
                    forward_tolerance, h=1e-5, shapes=None, entries=None):
    """(Job, judge) of the notebook's gradient check of a layer's forward/backward pair.

    reference: (forward, backward) of the reference; grads: {argument index: (index in the
    backward's returned tuple or None for a single array, name)}; shapes: {name: other
    accepted shapes of the student's analytic gradient}; entries: {argument index: flat
    indices} where the finite differences are taken (chosen_entries; default every entry).
    """
    from .calls import arg_specs

    arrays = {"dout": dout}
    job = Job("gradcheck", {"forward": module + forward, "backward": module + backward,
                            "args": arg_specs("in", args, arrays), "dout": "dout",
                            "wrt": sorted(grads), "h": h, "entries": entries_param(entries or {})}, arrays)
    ref_forward, ref_backward = reference

    def scalar(call_args):
        return float(np.sum(first(ref_forward(*call_args)) * dout))

    @functools.cache
    def expected():
        """The reference's out, gradients, scale and finite differences: they depend on the
        inputs alone, so a judge asked again (the seed-sweep tests) computes them once."""
        out, cache = ref_forward(*copy.deepcopy(args))
        ref_grads = ref_backward(dout, cache)
        numeric = {i: (plus - minus) / (2 * h)
                   for i, (plus, minus) in central_differences(scalar, list(args), sorted(grads), h, entries).items()}
        return out, ref_grads, float(np.sum(np.abs(out * dout))), numeric

    def judge(outputs):
        judgement = Judgement(tolerance, forward_tolerance)
        out, ref_grads, scale, numeric = expected()
        judgement.forward("%s's out" % forward, outputs.get("out", "%s's out" % forward), out)
        for i, ref_numeric in numeric.items():
            k, name = grads[i]
            judgement.gradient(
                name, outputs.get("plus/%d" % i, "the forward values for " + name),
                outputs.get("minus/%d" % i, "the forward values for " + name),
                outputs.get("analytic" if k is None else "analytic/%d" % k, name),
                ref_numeric, ref_grads if k is None else ref_grads[k], scale, h,
                (shapes or {}).get(name, ()), (entries or {}).get(i))
        return judgement.verdict()

    return job, judge
