"""A synthetic stand-in for CIFAR-10, for offline tests and CI.

    write_cifar10(folder, num_train=50000, num_test=10000, seed=0)

writes folder/cifar-10-batches-py/ in exactly the layout of the python version of
CIFAR-10 (data_batch_1..5, test_batch, batches.meta: pickled dicts, uint8 rows of
1024 red, 1024 green then 1024 blue values), so `cs231n.data_utils` reads it when
CS231N_CIFAR10_DIR points there. The pickles hold numpy arrays: read them with
numpy >= 1.26.1 (the arrays are pickled by the numpy that writes them). The grader keeps
the data sets its notebook runs load in a private cache: graders/data_cache.py.

Each class is one pattern (the textures fill a soft disc) of random position, size
and tilt; the CIFAR-10 label names are kept, but they are only names:

    0 airplane    horizontal stripes     5 dog     a ring
    1 automobile  vertical stripes       6 frog    a checkerboard
    2 bird        stripes at 45 degrees  7 horse   a filled square, rotated a little
    3 cat         stripes at 135 degrees 8 ship    a plus sign
    4 deer        a filled disc          9 truck   a lattice of small dots

Each class has a colour pair (pattern, background) that shares each colour with
another class; a quarter of the images borrow another class's pair, so colour
alone is not enough. Period, phase, orientation (within +-12 degrees), position,
size, colours, brightness, a background gradient, a distracting blob and pixel
noise vary per image. A small convnet learns it quickly, but not from one pixel:
measured with seed 0, colour statistics alone (mean and spread per channel) give
about 70% and a linear classifier on the pixels about 56%, while the notebook's
ThreeLayerConvNet after one epoch of Adam reaches about 64% training accuracy on
2,000 images (40 steps) and about 89% on 49,000.
"""
import pickle
from pathlib import Path

import numpy as np

LABEL_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
NUM_BATCHES = 5
SIZE = 32
CHUNK = 2000  # images rendered at once: bounds the float32 working set to ~50 MB
GRID = np.linspace(-1, 1, SIZE, dtype=np.float32)
X, Y = GRID[None, None, :], GRID[None, :, None]  # pixel coordinates in [-1, 1], y downwards

# Ten base colours (RGB, 0-255); each class's (pattern, background) pair of indices.
COLOURS = np.array(
    [[200, 40, 40], [40, 170, 60], [50, 70, 200], [220, 200, 50], [60, 190, 200],
     [190, 60, 180], [235, 235, 235], [110, 110, 110], [230, 130, 30], [35, 35, 45]],
    dtype=np.float32,
)
PALETTE = [(0, 5), (1, 6), (2, 7), (3, 8), (4, 9), (0, 6), (1, 7), (2, 8), (3, 9), (4, 5)]
BORROWED_COLOURS = 0.25  # fraction of images drawn with another class's colour pair


def write_cifar10(folder, num_train=50000, num_test=10000, seed=0):
    """Write folder/cifar-10-batches-py with synthetic CIFAR-10 data; returns that folder.

    Training images are split over data_batch_1..5 as evenly as possible, in order.
    The same arguments give the same bytes; the test images depend only on seed and num_test.
    """
    for name, value in (("num_train", num_train), ("num_test", num_test), ("seed", seed)):
        if not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError("%s must be a non-negative integer, not %r" % (name, value))
    out = Path(folder) / "cifar-10-batches-py"
    out.mkdir(parents=True, exist_ok=True)
    train_data, train_labels = make_images(num_train, seed, split=0)
    test_data, test_labels = make_images(num_test, seed, split=1)
    parts = np.array_split(np.arange(num_train), NUM_BATCHES)
    for b, rows in enumerate(parts, start=1):
        label = "training batch %d of %d" % (b, NUM_BATCHES)
        write_batch(out / ("data_batch_%d" % b), label, train_data, train_labels, rows)
    write_batch(out / "test_batch", "testing batch 1 of 1", test_data, test_labels, np.arange(num_test))
    meta = {"label_names": LABEL_NAMES, "num_cases_per_batch": len(parts[0]), "num_vis": SIZE * SIZE * 3}
    dump(meta, out / "batches.meta")
    return out


def write_batch(path, batch_label, data, labels, rows):
    """One batch file holding the given rows: the dict CIFAR-10 pickles (str keys, uint8 rows, int labels)."""
    batch = {
        "batch_label": batch_label,
        "labels": [int(labels[i]) for i in rows],
        "data": np.ascontiguousarray(data[rows], dtype=np.uint8),
        "filenames": ["synthetic_%s_%06d.png" % (LABEL_NAMES[labels[i]], i) for i in rows],
    }
    dump(batch, path)


def dump(obj, path):
    """Pickle with protocol 2, as the Python 2 originals were."""
    with open(path, "wb") as f:
        pickle.dump(obj, f, protocol=2)


def make_images(count, seed, split):
    """count images as CIFAR rows (count, 3072) uint8 and their labels (count,) int64."""
    rng = np.random.default_rng([seed, split, 0])
    labels = rng.permutation(np.arange(count) % 10)
    data = np.empty((count, 3 * SIZE * SIZE), dtype=np.uint8)
    for k, start in enumerate(range(0, count, CHUNK)):
        chunk = labels[start:start + CHUNK]
        images = render(chunk, np.random.default_rng([seed, split, k + 1]))
        data[start:start + CHUNK] = images.reshape(len(chunk), -1)
    return data, labels


def render(labels, rng):
    """Images for the labels as uint8 (n, 3, 32, 32), channel-major like CIFAR rows."""
    n = len(labels)
    p = draw_params(labels, rng)
    mask = np.empty((n, SIZE, SIZE), dtype=np.float32)
    for c, shape in enumerate(SHAPES):
        rows = np.flatnonzero(labels == c)
        if len(rows):
            mask[rows] = shape({k: v[rows] for k, v in p.items()})
    blob = soft(0.09 - ((X - p["bx"]) ** 2 + (Y - p["by"]) ** 2), 60)
    image = background(p) * (1 - mask[:, None]) + p["fg"] * mask[:, None]
    image = image * (1 - blob[:, None]) + p["blob"] * blob[:, None]
    image += p["noise"] * rng.standard_normal(image.shape, dtype=np.float32)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def draw_params(labels, rng):
    """Per-image random parameters, shaped to broadcast over (n, 32, 32) or (n, 3, 32, 32)."""
    n = len(labels)
    col = lambda a: np.asarray(a, dtype=np.float32).reshape(n, 1, 1)  # noqa: E731
    p = {}
    colour_class = np.where(rng.random(n) < BORROWED_COLOURS, rng.integers(0, 10, n), labels)
    pairs = np.array(PALETTE)[colour_class]
    light = rng.uniform(0.7, 1.15, (n, 1))
    fg = COLOURS[pairs[:, 0]] * light + rng.normal(0, 25, (n, 3))
    bg = COLOURS[pairs[:, 1]] * light + rng.normal(0, 25, (n, 3))
    p["fg"], p["bg"] = fg.reshape(n, 3, 1, 1).astype(np.float32), bg.reshape(n, 3, 1, 1).astype(np.float32)
    p["blob"] = rng.uniform(0, 255, (n, 3, 1, 1)).astype(np.float32)
    p["cx"], p["cy"] = col(rng.uniform(-0.45, 0.45, n)), col(rng.uniform(-0.45, 0.45, n))
    p["bx"], p["by"] = col(rng.uniform(-0.9, 0.9, n)), col(rng.uniform(-0.9, 0.9, n))
    p["scale"] = col(rng.uniform(0.45, 0.8, n))
    p["tilt"] = col(np.deg2rad(rng.uniform(-12, 12, n)))
    p["period"] = col(rng.uniform(0.25, 0.45, n))
    p["phase"] = col(rng.uniform(0, 2 * np.pi, n))
    p["grad_angle"], p["grad"] = col(rng.uniform(0, 2 * np.pi, n)), col(rng.uniform(0, 0.35, n))
    p["noise"] = rng.uniform(8, 24, (n, 1, 1, 1)).astype(np.float32)
    return p


def background(p):
    """The background colour under a linear brightness gradient of random direction."""
    along = X * np.cos(p["grad_angle"]) + Y * np.sin(p["grad_angle"])
    return p["bg"] * (1 + p["grad"] * along)[:, None]


def soft(value, sharpness):
    """A soft step: 0 where value << 0, 1 where value >> 0."""
    return np.clip(0.5 + sharpness * value, 0, 1)


def frame(p, angle=0.0):
    """Coordinates relative to the pattern's centre, rotated by angle + the image's tilt."""
    u, v = X - p["cx"], Y - p["cy"]
    a = angle + p["tilt"]
    return u * np.cos(a) + v * np.sin(a), -u * np.sin(a) + v * np.cos(a)


def window(p):
    """The soft disc the textures are drawn in."""
    u, v = frame(p)
    return soft(p["scale"] - np.sqrt(u * u + v * v), 12)


def stripes(angle):
    def shape(p):
        u, _ = frame(p, np.deg2rad(angle))
        wave = np.sin(2 * np.pi * u / p["period"] + p["phase"])
        return window(p) * soft(wave, 2.5)
    return shape


def disc(p):
    u, v = frame(p)
    return soft(p["scale"] - np.sqrt(u * u + v * v), 12)


def ring(p):
    u, v = frame(p)
    r = np.sqrt(u * u + v * v)
    return soft(0.12 - np.abs(r - 0.75 * p["scale"]), 12)


def checkerboard(p):
    u, v = frame(p)
    cells = np.sin(np.pi * u / p["period"] + p["phase"]) * np.sin(np.pi * v / p["period"])
    return window(p) * soft(cells, 4)


def square(p):
    u, v = frame(p)
    side = 0.8 * p["scale"]
    return soft(side - np.maximum(np.abs(u), np.abs(v)), 12)


def plus(p):
    u, v = frame(p)
    arm, width = p["scale"], 0.13 + 0.1 * p["scale"]
    horizontal = np.minimum(arm - np.abs(u), width - np.abs(v))
    vertical = np.minimum(arm - np.abs(v), width - np.abs(u))
    return soft(np.maximum(horizontal, vertical), 12)


def dots(p):
    u, v = frame(p)
    step = 1.4 * p["period"]
    du = (u / step + p["phase"]) % 1 - 0.5
    dv = (v / step) % 1 - 0.5
    return window(p) * soft(0.09 - (du * du + dv * dv), 25)


SHAPES = [stripes(90), stripes(0), stripes(45), stripes(135), disc, ring, checkerboard, square, plus, dots]
