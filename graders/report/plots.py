"""Figures for the HTML reports, drawn with matplotlib's Agg canvas as PNG data URIs.

Each function takes plain values from result.json and returns a `data:image/png;base64,...`
string, or raises PlotError with a sentence saying why there is nothing to draw. No pyplot:
every figure has its own canvas, so reports can be drawn from several threads at once.
"""
import base64
import io
import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

INK, GOOD, BAD, ACCENT = "#1f2933", "#2f855a", "#c53030", "#2b6cb0"
MAX_FILTERS = 64        # filters drawn in the grid
MAX_POINTS = 5000       # points of a history drawn


class PlotError(ValueError):
    """The values cannot be drawn; the message says why, in words for the report."""


def png_data_uri(fig):
    """Render a figure to PNG and return it as a data URI."""
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def finite_series(values, name):
    """A 1-D float array of finite numbers from a JSON list, or PlotError."""
    if not isinstance(values, list) or not values:
        raise PlotError("there is no %s" % name)
    try:
        series = np.asarray(values[:MAX_POINTS], dtype=np.float64)
    except (TypeError, ValueError):
        raise PlotError("the %s is not a list of numbers" % name) from None
    if series.ndim != 1 or not np.all(np.isfinite(series)):
        raise PlotError("the %s is not a list of finite numbers" % name)
    return series


def speedup_chart(speedups):
    """Horizontal bars: how many times faster each fast layer is than the naive one (log scale)."""
    rows = []
    for name, entry in (speedups or {}).items():
        value = entry.get("speedup") if isinstance(entry, dict) else None
        if isinstance(value, (int, float)) and math.isfinite(value) and value > 0:
            rows.append((str(name), float(value)))
    if not rows:
        raise PlotError("no speed-ups were measured")
    fig = Figure(figsize=(6.4, 0.6 + 0.55 * len(rows)))
    ax = fig.add_subplot()
    names, values = [r[0] for r in rows], [r[1] for r in rows]
    ax.barh(names, values, color=[BAD if v < 2 else ACCENT for v in values])
    ax.set_xscale("log")
    ax.axvline(1.0, color=INK, linewidth=0.8)
    for y, v in enumerate(values):
        ax.annotate("%.3gx" % v, (v, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)
    ax.set_xlim(min(0.5, min(values) / 2), max(values) * 4)
    ax.invert_yaxis()
    ax.set_xlabel("speed-up of the fast layer over your naive layer (times, log scale)")
    return png_data_uri(fig)


def training_curves(loss_history, train_acc, val_acc):
    """Loss per iteration beside training and validation accuracy per epoch."""
    loss = finite_series(loss_history, "loss history")
    fig = Figure(figsize=(9, 3.2))
    ax_loss, ax_acc = fig.subplots(1, 2)
    ax_loss.plot(np.arange(1, len(loss) + 1), loss, color=ACCENT, linewidth=1)
    ax_loss.set(title="Training loss", xlabel="iteration", ylabel="loss")
    drawn = False
    styles = (("train", GOOD, "o", "-"), ("validation", BAD, "x", "--"))
    for values, (label, colour, marker, line) in zip((train_acc, val_acc), styles):
        try:
            series = finite_series(values, label + " accuracy")
        except PlotError:
            continue
        ax_acc.plot(np.arange(len(series)), series, marker=marker, linestyle=line, color=colour, label=label)
        drawn = True
    ax_acc.set(title="Accuracy", xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02))
    if drawn:
        ax_acc.legend(loc="lower right")
    else:
        ax_acc.text(0.5, 0.5, "no accuracy history", ha="center", va="center", transform=ax_acc.transAxes)
    fig.tight_layout()
    return png_data_uri(fig)


def filter_array(filters):
    """The F x C x HH x WW filters as an array, checked, at most MAX_FILTERS of them."""
    if not isinstance(filters, list) or not filters:
        raise PlotError("there are no first-layer filters")
    try:
        array = np.asarray(filters[:MAX_FILTERS], dtype=np.float64)
    except (TypeError, ValueError):
        raise PlotError("the first-layer filters are not an array of numbers of one shape") from None
    if array.ndim != 4 or min(array.shape) == 0 or not np.all(np.isfinite(array)):
        raise PlotError("the first-layer filters are not a finite F x C x HH x WW array")
    return array


def filter_tiles(array):
    """Each filter scaled to [0, 1] on its own, as HH x WW x 3 (RGB) or HH x WW (one channel)."""
    low = array.min(axis=(1, 2, 3), keepdims=True)
    span = array.max(axis=(1, 2, 3), keepdims=True) - low
    scaled = (array - low) / np.where(span > 0, span, 1.0)
    if scaled.shape[1] == 3:
        return scaled.transpose(0, 2, 3, 1)
    return scaled.mean(axis=1)


def filter_grid(filters):
    """The first-layer filters as a grid of small images, one per filter, with a 1-pixel gap."""
    tiles = filter_tiles(filter_array(filters))
    count, height, width = tiles.shape[:3]
    cols = int(math.ceil(math.sqrt(count)))
    rows = int(math.ceil(count / cols))
    grid = np.ones((rows * (height + 1) - 1, cols * (width + 1) - 1) + tiles.shape[3:])
    for k, tile in enumerate(tiles):
        r, c = divmod(k, cols)
        grid[r * (height + 1):r * (height + 1) + height, c * (width + 1):c * (width + 1) + width] = tile
    fig = Figure(figsize=(4, 4 * rows / cols))
    ax = fig.add_subplot()
    ax.imshow(grid, interpolation="nearest", cmap=None if tiles.ndim == 4 else "gray")
    ax.set_axis_off()
    return png_data_uri(fig)


def from_data(draw, *keys):
    """A drawing of a figure's data dict: draw called with the values under keys."""
    return lambda data: draw(*(data.get(k) for k in keys))


# The drawings a check's Figure may name (its kind), each taking the figure's data.
PLOTS = {
    "speedups": from_data(speedup_chart, "speedups"),
    "training_curves": from_data(training_curves, "loss_history", "train_acc_history", "val_acc_history"),
    "filter_grid": from_data(filter_grid, "filters"),
}


def score_histogram(percentages):
    """How many submissions scored in each tenth of the maximum score."""
    scores = finite_series(list(percentages), "list of scores")
    fig = Figure(figsize=(6.4, 3))
    ax = fig.add_subplot()
    ax.hist(np.clip(scores, 0, 100), bins=np.linspace(0, 100, 11), color=ACCENT, edgecolor="white")
    ax.set(xlabel="score (% of the maximum)", ylabel="submissions", xlim=(0, 100))
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return png_data_uri(fig)
