"""Recognising what kind of mistake a wrong array shows, and where it is.

A failing comparison has the student's array and the reference's on the same hidden
inputs. Some mistakes leave a signature that needs nothing else: a constant factor,
the right values in the wrong shape, an output one row short, entries never written,
an error confined to the border. Others are recognised by suspects: the check computes
what a particular common bug would have returned (a flipped kernel, statistics over the
wrong axes) and the student's array matching it names the bug.

Each recognised pattern is one sentence for the student. Every function here is pure
and never raises for strange arrays: a diagnosis is a courtesy, the verdict stands
without it.
"""
import itertools

import numpy as np

MATCH = 1e-6          # relative error within which an array "is" a suspect's or a scaled reference
PICTURE_SIDE = 48     # largest height or width drawn in a picture
PICTURE_CHANNELS = 8  # per-channel maps kept per picture
AXES_4D = ("N", "C", "H", "W")
FILTER_AXES = ("F", "C", "HH", "WW")  # the layout of conv weights and their gradients


def layout(what):
    """The axis letters of a 4-D array, by its name: filters for w and dw, images otherwise."""
    return FILTER_AXES if what in ("w", "dw") else AXES_4D


def relative_gap(a, b):
    """max |a - b| / max |b|: how far a is from b, on b's scale (inf when unusable)."""
    with np.errstate(all="ignore"):
        scale = float(np.max(np.abs(b))) if b.size else 0.0
        gap = float(np.max(np.abs(a - b))) if a.size else 0.0
    if not np.isfinite(gap) or not np.isfinite(scale):
        return float("inf")
    return gap / max(scale, 1e-12)


def same(a, b):
    return a.shape == b.shape and relative_gap(a, b) <= MATCH


# ---------------------------------------------------------------- arrays of the right shape

def value_patterns(what, actual, expected):
    """Sentences for an array of the expected shape whose values are wrong."""
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    if not np.all(np.isfinite(a)) and np.all(np.isfinite(e)):
        return [non_finite(what, a)]
    if not np.any(a) and np.any(e):
        return ["%s is all zeros: it is never computed (or is overwritten with zeros)." % what]
    factor = constant_factor(a, e)
    if factor is not None:
        return [factor_sentence(what, factor)]
    if a.ndim == 4:
        moved = moved_axes(a, e, layout(what))
        if moved:
            return ["%s holds the right values with its axes in the order %s: a transpose or reshape "
                    "moved them (the layout is (%s))." % (what, moved, ", ".join(layout(what)))]
        border = border_only(a, e)
        if border:
            return ["%s is wrong only along the border of the image: look at the padding (zeros on all "
                    "four sides, pad taken from the parameters)." % what]
    return []


def non_finite(what, a):
    kinds = [name for name, test in (("-inf", np.isneginf), ("inf", np.isposinf), ("NaN", np.isnan)) if np.any(test(a))]
    if kinds == ["-inf"] or kinds == ["inf"]:
        return ("%s holds %s: entries that were never written keep their starting value "
                "(a loop that stops one step short?)." % (what, kinds[0]))
    return "%s holds %s: a division by zero or a square root of a negative number?" % (what, " and ".join(kinds))


def constant_factor(a, e):
    """k when a = k * e everywhere (k not 1), else None."""
    denominator = float(np.sum(e * e))
    if denominator == 0.0:
        return None
    k = float(np.sum(a * e)) / denominator
    if abs(k - 1.0) < 1e-3 or k == 0.0 or not np.isfinite(k):
        return None
    return k if relative_gap(a, k * e) <= MATCH else None


def factor_sentence(what, k):
    if abs(k + 1.0) < 1e-6:
        return "%s has the right size but the wrong sign everywhere: a subtraction the wrong way round." % what
    ratio = k if abs(k) >= 1 else 1.0 / k
    whole = round(ratio)
    if abs(ratio - whole) < 1e-6:
        if abs(k) >= 1:
            return ("%s is exactly %d times the expected values everywhere: a missing 1/N or 0.5, or a sum "
                    "where a mean is meant?" % (what, whole))
        return ("%s is exactly 1/%d of the expected values everywhere: an extra division, a mean where a sum "
                "is meant, or a missing factor of 2?" % (what, whole))
    for power, name in ((1, ""), (2, "the square root of ")):
        for r in (abs(k) ** power, abs(k) ** -power):  # r = N / (N - 1) for some whole N?
            n = r / (r - 1) if r > 1 else 0
            if n > 1.5 and abs(n - round(n)) < 1e-4:
                return ("%s differs from the expected values by %sN/(N - 1) with N = %d: the unbiased variance "
                        "(ddof=1) is used where batch statistics divide by N." % (what, name, round(n)))
    return "%s is a constant multiple (%.4g) of the expected values: a scale factor is wrong." % (what, k)


def moved_axes(a, e, letters=AXES_4D):
    """The axis order (as letters) that turns e into a, for a 4-D array, or None."""
    for order in itertools.permutations(range(4)):
        if order == (0, 1, 2, 3):
            continue
        moved = np.transpose(e, order)
        named = "(%s)" % ", ".join(letters[i] for i in order)
        if moved.shape == a.shape and same(a, moved):
            return named
        if moved.size == a.size and same(a, moved.reshape(a.shape)):  # the right bytes read in the expected shape
            return "%s, read back as (%s)" % (named, ", ".join(letters))
    return None


def border_only(a, e):
    """True when every wrong spatial position lies on the outer ring and some inner one exists."""
    wrong = error_map(a, e) > MATCH
    H, W = wrong.shape
    if H < 4 or W < 4 or not wrong.any():  # a 3x3 grid's one inner cell proves nothing
        return False
    inner = wrong[1:-1, 1:-1]
    return not inner.any()


def error_map(a, e):
    """|a - e| / max |e| at each spatial position, the worst over N and C: (H, W)."""
    with np.errstate(all="ignore"):
        gap = np.abs(a - e) / max(float(np.max(np.abs(e))), 1e-12)
    gap = np.where(np.isfinite(gap), gap, 1.0)
    return gap.max(axis=(0, 1))


def overlap_only(actual, expected, coverage):
    """Sentence when dx is wrong only where windows overlap (coverage >= 2), or None.

    coverage: (H, W) count of windows each input position belongs to.
    """
    if actual.shape != expected.shape or actual.ndim != 4:
        return None
    wrong = error_map(actual.astype(np.float64), expected.astype(np.float64)) > MATCH
    # Some positions in one window only must exist and be right, or the location proves nothing.
    if wrong.any() and np.any(coverage < 2) and not np.any(wrong & (coverage < 2)):
        return ("dx is wrong only where windows overlap: an input in two windows must receive both "
                "gradients, so add them (dx[...] += ...) instead of assigning (=).")
    return None


# ---------------------------------------------------------------- arrays of the wrong shape

def shape_patterns(what, actual, expected):
    """Sentences for an array whose shape is not the expected one."""
    a, e = np.asarray(actual), np.asarray(expected)
    if a.size == e.size and np.any(e) and same(a.reshape(e.shape).astype(np.float64), e.astype(np.float64)):
        return ["%s has the right values in the wrong shape %s: reshape it to %s." % (what, a.shape, e.shape)]
    if a.ndim > e.ndim:
        return ["%s has %d dimensions where %d were expected: two arrays were broadcast against each other "
                "unexpectedly (for example a (1, C, 1, 1) parameter indexed as if it were (C,))."
                % (what, a.ndim, e.ndim)]
    if a.ndim != e.ndim:
        return []
    empty = [i for i in range(a.ndim) if a.shape[i] == 0 and e.shape[i] > 0]
    if empty:
        return ["%s is empty along %s: a slice such as [pad:-pad] is empty when pad is 0; slice with "
                "[pad:pad + H] instead." % (what, axis_names(empty, a.ndim, what))]
    letters = layout(what)
    if a.ndim == 4 and sorted(a.shape) == sorted(e.shape) and np.any(e):
        moved = moved_axes(a.astype(np.float64), e.astype(np.float64), letters)
        if moved and "read back" not in moved:
            return ["%s holds the right values with its axes in the order %s: the layout is (%s)."
                    % (what, moved, ", ".join(letters))]
    off = [i for i in range(a.ndim) if a.shape[i] != e.shape[i]]
    if a.ndim == 4 and off == [3] and a.shape[3] == a.shape[2]:
        return ["%s is %d wide, as wide as it is high, where %d was expected: compute the output width "
                "from W and the filter's width, not from H." % (what, a.shape[3], e.shape[3])]
    if off and all(abs(a.shape[i] - e.shape[i]) == 1 for i in off):
        more = "one too many" if a.shape[off[0]] > e.shape[off[0]] else "one too few"
        return ["%s has %s along %s (%s, expected %s): check the output size, 1 + (H + 2 * pad - HH) // stride."
                % (what, more, axis_names(off, a.ndim, what), a.shape, e.shape)]
    if sorted(a.shape) == sorted(e.shape) and a.ndim == 4:
        return ["%s has shape %s, the expected %s with its axes in another order: the layout is (%s)."
                % (what, a.shape, e.shape, ", ".join(letters))]
    return []


def axis_names(axes, ndim, what=""):
    names = layout(what) if ndim == 4 else tuple("axis %d" % i for i in range(ndim))
    return " and ".join(names[i] for i in axes)


# ---------------------------------------------------------------- suspects and pictures

def matching_suspect(actual, suspects):
    """The sentence of the first suspect whose array the student's matches, or None.

    suspects: (sentence, compute) pairs; compute() returns the array that bug would give.
    """
    a = np.asarray(actual, dtype=np.float64)
    for sentence, compute in suspects:
        try:
            candidate = np.asarray(compute(), dtype=np.float64)
        except Exception:  # a suspect that does not apply to these inputs names nothing
            continue
        if same(a, candidate):
            return sentence
    return None


def picture(what, actual, expected):
    """Where a 4-D array is wrong: maps of |actual - expected| / max |expected| over (H, W),
    the worst over N, in all and per channel; None for other arrays."""
    a, e = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape or a.ndim != 4 or a.size == 0:
        return None
    with np.errstate(all="ignore"):
        gap = np.abs(a - e) / max(float(np.max(np.abs(e))), 1e-12)
    gap = np.where(np.isfinite(gap), gap, 1.0)[:, :, :PICTURE_SIDE, :PICTURE_SIDE]
    per_channel = gap.max(axis=0)
    return {
        "what": what,
        "largest": float(gap.max()),
        "map": rounded(per_channel.max(axis=0)),
        "channels": [rounded(m) for m in per_channel[:PICTURE_CHANNELS]],
        "channel_count": int(a.shape[1]),
    }


def rounded(grid):
    return [[float("%.3g" % v) for v in row] for row in grid]
