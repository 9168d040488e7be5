"""The report's figures: valid PNGs for good values, PlotError with a reason otherwise."""
import base64

import pytest

from graders.report import plots


def png_of(uri):
    assert uri.startswith("data:image/png;base64,")
    data = base64.b64decode(uri.split(",", 1)[1])
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 500
    return data


def test_filter_grid_draws_rgb_and_single_channel_filters():
    png_of(plots.filter_grid([[[[0.1, 0.2], [0.3, 0.4]]] * 3] * 5))
    png_of(plots.filter_grid([[[[0.1, 0.2], [0.3, 0.4]]]] * 2))


def test_constant_filters_do_not_divide_by_zero():
    png_of(plots.filter_grid([[[[0.0, 0.0], [0.0, 0.0]]] * 3]))


@pytest.mark.parametrize("filters", [None, [], [1, 2], [[[[1.0]]], [[[1.0, 2.0]]]], [[[[float("nan")]]]], [[[["a"]]]]])
def test_bad_filters_raise_plot_error(filters):
    with pytest.raises(plots.PlotError):
        plots.filter_grid(filters)


def test_training_curves_need_a_finite_loss_history():
    png_of(plots.training_curves([2.0, 1.0, 0.5], [0.1, 0.9], None))
    with pytest.raises(plots.PlotError, match="no loss history"):
        plots.training_curves(None, [0.5], [0.5])
    with pytest.raises(plots.PlotError, match="finite"):
        plots.training_curves([1.0, float("inf")], [], [])


def test_speedup_chart_skips_unusable_entries():
    png_of(plots.speedup_chart({"a": {"speedup": 12.0}, "b": {"speedup": -1}, "c": "x"}))
    with pytest.raises(plots.PlotError, match="no speed-ups"):
        plots.speedup_chart({"b": {"speedup": 0}})


def test_score_histogram():
    png_of(plots.score_histogram([0.0, 55.5, 100.0, 100.0]))
    with pytest.raises(plots.PlotError):
        plots.score_histogram([])
