"""Pictures of where a failing array is wrong, drawn as inline SVG from a check's details.

A picture (graders/checks/patterns.py `picture`) holds grids of |yours - expected| relative
to the largest expected value, over the spatial positions (H, W): one for all channels
together and one per channel. Each grid becomes a small heat map, white where the student
is right and dark red at the largest error, so a wrong border (padding), a wrong corner, a
checkerboard (stride) or the cells where windows overlap stand out at a glance.
"""
import math

import markupsafe

MAX_SIDE = 48       # cells per row or column drawn
MAX_PICTURES = 4
MAX_CHANNELS = 8
RIGHT = 1e-6        # relative errors at or below this are drawn as right (white)


def valid_grid(grid):
    """grid as rows of finite floats, clipped to MAX_SIDE; None when it is not a grid."""
    if not isinstance(grid, list) or not grid or not all(isinstance(row, list) and row for row in grid):
        return None
    rows = []
    for row in grid[:MAX_SIDE]:
        cells = [float(v) if isinstance(v, (int, float)) and math.isfinite(v) else 1.0 for v in row[:MAX_SIDE]]
        rows.append(cells)
    width = min(len(r) for r in rows)
    return [r[:width] for r in rows]


def shade(value, largest):
    """Fill colour of one cell: white when right, towards dark red as the error grows."""
    if value <= RIGHT or largest <= RIGHT:
        return "#ffffff"
    t = min(1.0, value / largest) ** 0.5  # square root: small errors stay visible beside large ones
    red, green_blue = 255 - int(120 * t), 235 - int(235 * t)
    return "#%02x%02x%02x" % (red, green_blue, green_blue)


def svg(grid, cell, label):
    """An SVG heat map of grid with cell-pixel squares; label is its accessible name."""
    largest = max(max(row) for row in grid)
    height, width = len(grid), len(grid[0])
    rects = []
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            rects.append('<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#d5dbe3" stroke-width="0.5"><title>row %d, column %d: %.3g</title></rect>'
                         % (j * cell, i * cell, cell, cell, shade(value, largest), i, j, value))
    return markupsafe.Markup(
        '<svg class="errmap" role="img" aria-label="%s" width="%d" height="%d" viewBox="0 0 %d %d" '
        'xmlns="http://www.w3.org/2000/svg">%s<rect width="100%%" height="100%%" fill="none" stroke="#8a94a3"/></svg>'
        % (markupsafe.escape(label), width * cell, height * cell, width * cell, height * cell, "".join(rects)))


def picture_view(picture):
    """What the template shows of one picture, or None when it is unusable."""
    if not isinstance(picture, dict):
        return None
    what = str(picture.get("what") or "an array")
    overall = valid_grid(picture.get("map"))
    if overall is None:
        return None
    channels = [g for g in map(valid_grid, (picture.get("channels") or [])[:MAX_CHANNELS]) if g is not None]
    count = picture.get("channel_count")
    return {
        "what": what,
        "largest": picture.get("largest"),
        "map": svg(overall, 14, "where %s is wrong, all channels" % what),
        "channels": [svg(g, 6, "channel %d of %s" % (c, what)) for c, g in enumerate(channels)],
        "channel_count": count if isinstance(count, int) else len(channels),
        "rows": len(overall), "cols": len(overall[0]),
    }


def picture_views(details):
    """The pictures of a check's details, drawable ones only."""
    pictures = details.get("pictures") if isinstance(details, dict) else None
    if not isinstance(pictures, list):
        return []
    return [v for v in map(picture_view, pictures[:MAX_PICTURES]) if v is not None]
