"""Diagnoses name the bug: every mutant with a recognisable bug gets its sentence, correct code none.

The corpus is graded once per session (conftest.py `graded`); the patterns themselves are
also tested here directly on arrays, each against the reference and against a broken one.
"""
import os
import secrets

import numpy as np
import pytest

import corpus
from graders.assignments.cs231n_a2.checks import suspects
from graders.checks import patterns
from graders.checks.compare import ShapeMismatch, Tally
from cs231n.layers import conv_forward_naive, max_pool_backward_naive, max_pool_forward_naive

SEED = int(os.environ.get("CS231N_TEST_SEED") or secrets.randbits(32))
print("test_diagnoses: CS231N_TEST_SEED=%d" % SEED)


def every_diagnosis(result):
    return [(c.id, d) for c in result.checks for d in c.diagnoses]


@pytest.mark.parametrize("name", [s.name for s in corpus.mutants() if s.diagnosis])
def test_each_recognisable_mutant_gets_its_diagnosis(graded, name):
    samples, _ = graded
    sample, result = samples[name]
    failing = {c.id: c for c in result.checks if c.status != "passed"}
    found = [(cid, d) for cid, c in failing.items() for d in c.diagnoses]
    assert any(sample.diagnosis in d for _, d in found), (sample.diagnosis, found)
    # The sentence is also in the message the student reads.
    assert any(sample.diagnosis in c.message for c in failing.values())


@pytest.mark.parametrize("name", ["reference", "edited_provided_files"] + [s.name for s in corpus.variants()])
def test_correct_code_gets_no_diagnosis(graded, name):
    samples, _ = graded
    _, result = samples[name]
    assert every_diagnosis(result) == []
    assert not any("pictures" in c.details for c in result.checks)


def test_pictures_of_a_failing_conv_check_are_in_its_details(graded):
    samples, _ = graded
    _, result = samples["mutant_conv_forward_no_bias"]
    check = next(c for c in result.checks if c.id == "conv_forward")
    pictures = check.details["pictures"]
    assert pictures
    for p in pictures:
        grid = np.array(p["map"])
        # A missing bias is wrong at every output position, never by more than the largest error.
        assert grid.ndim == 2 and np.all(grid > 0) and grid.max() <= p["largest"] * 1.01  # 3 digits kept
        assert len(p["channels"]) == min(p["channel_count"], 8)


# ---------------------------------------------------------------- the patterns on arrays

def rng():
    return np.random.default_rng(SEED)


def diagnoses_of(actual, expected, **kw):
    tally = Tally(1e-6)
    tally.add("out of case 0", actual, expected, **kw)
    return tally.verdict().diagnoses


def test_right_values_give_nothing():
    x = rng().standard_normal((2, 3, 5, 6))
    assert diagnoses_of(x.copy(), x) == []
    assert diagnoses_of(x.copy(), x, suspects=suspects.pool_forward(x, {"pool_height": 2, "pool_width": 2, "stride": 2})) == []


@pytest.mark.parametrize("factor, words", [(2.0, "exactly 2 times"), (0.25, "exactly 1/4"), (-1.0, "wrong sign")])
def test_a_constant_factor_is_named(factor, words):
    x = rng().standard_normal((2, 3, 4, 4))
    assert any(words in d for d in diagnoses_of(factor * x, x))


def test_nhwc_instead_of_nchw_is_named():
    x = rng().standard_normal((2, 3, 4, 5))
    found = diagnoses_of(x.transpose(0, 2, 3, 1).reshape(x.shape), x)
    assert found and "(N, H, W, C)" in found[0]


def test_a_border_only_error_is_named_and_an_inner_one_is_not():
    x = rng().standard_normal((2, 2, 6, 6))
    border, inner = x.copy(), x.copy()
    border[:, :, 0, :] += 1.0
    inner[:, :, 2, 3] += 1.0
    assert any("border" in d for d in diagnoses_of(border, x))
    assert not any("border" in d for d in diagnoses_of(inner, x))


def test_pictures_locate_the_error():
    x = rng().standard_normal((2, 3, 5, 6))
    wrong = x.copy()
    wrong[1, 2, 4, 0] += 5.0
    tally = Tally(1e-6)
    tally.add("out", wrong, x)
    (picture,) = tally.verdict().details["pictures"]
    grid = np.array(picture["map"])
    assert grid.shape == (5, 6)
    assert np.unravel_index(np.argmax(grid), grid.shape) == (4, 0)
    assert np.count_nonzero(grid) == 1
    assert np.count_nonzero(np.array(picture["channels"][2])) == 1 and not np.any(picture["channels"][0])


@pytest.mark.parametrize("shape, words", [
    ((2, 3, 0, 0), "is empty along H and W"),
    ((2, 3, 6, 5), "one too many along W"),
    ((2, 3, 5, 3), "one too few along H and W"),
    ((2, 3, 6, 6), "as wide as it is high"),
    ((2, 3, 6, 4, 1, 1), "6 dimensions"),
])
def test_shapes_are_named(shape, words):
    expected = rng().standard_normal((2, 3, 6, 4))
    with pytest.raises(ShapeMismatch) as caught:
        Tally(1e-6).add("out", np.zeros(shape), expected)
    assert any(words in d for d in caught.value.diagnoses), caught.value.diagnoses


def test_right_values_in_the_wrong_shape_are_named():
    expected = rng().standard_normal(4)
    with pytest.raises(ShapeMismatch) as caught:
        Tally(1e-6).add("dgamma", expected.reshape(1, 4), expected)
    assert "right values in the wrong shape" in caught.value.diagnoses[0]


def test_pool_backward_assigning_is_located_at_the_overlaps():
    r = rng()
    x = r.permutation(np.linspace(-3, 3, 2 * 2 * 7 * 7)).reshape(2, 2, 7, 7)
    param = {"pool_height": 3, "pool_width": 3, "stride": 2}
    out, cache = max_pool_forward_naive(x, param)
    dout = r.standard_normal(out.shape)
    expected = max_pool_backward_naive(dout, cache)
    assigned = np.zeros_like(x)  # the bug: a later window's gradient replaces an earlier one's
    for n, c, i, j in np.ndindex(*out.shape):
        window = x[n, c, 2 * i:2 * i + 3, 2 * j:2 * j + 3]
        a, b = np.unravel_index(np.argmax(window), window.shape)
        assigned[n, c, 2 * i + a, 2 * j + b] = dout[n, c, i, j]
    coverage = suspects.window_coverage(7, 7, 3, 3, 2)
    if np.allclose(assigned, expected):
        pytest.skip("no maximum was shared by two windows in this draw (seed %d)" % SEED)
    assert "overlap" in patterns.overlap_only(assigned, expected, coverage)
    assert patterns.overlap_only(expected + 1.0, expected, coverage) is None


def test_suspects_name_a_flipped_kernel_and_not_a_right_one():
    r = rng()
    x, w, b = r.standard_normal((2, 3, 6, 6)), r.standard_normal((4, 3, 3, 3)), r.standard_normal(4)
    param = {"stride": 1, "pad": 1}
    expected = conv_forward_naive(x, w, b, param)[0]
    flipped = conv_forward_naive(x, w[:, :, ::-1, ::-1], b, param)[0]
    found = diagnoses_of(flipped, expected, suspects=suspects.conv_forward(x, w, b, param))
    assert found and "flipped" in found[0]


def test_filters_with_f_and_c_swapped_are_named_in_the_filters_layout():
    dw = rng().standard_normal((4, 3, 3, 3))
    with pytest.raises(ShapeMismatch) as caught:
        Tally(1e-6).add("dw of case 0", dw.transpose(1, 0, 2, 3), dw)
    assert caught.value.diagnoses == [
        "dw holds the right values with its axes in the order (C, F, HH, WW): the layout is (F, C, HH, WW)."]
