"""Helpers to show many small images (filters, samples) as one grid."""
from math import ceil, sqrt

import numpy as np


def visualize_grid(Xs, ubound=255.0, padding=1):
    """Tile images into a square grid.

    Xs: (N, H, W, C) images
    Each tile is min-max scaled to [0, ubound]; tiles are separated by
    `padding` pixels of zeros. Returns a (grid_h, grid_w, C) float array with
    ceil(sqrt(N)) tiles per side.
    """
    N, H, W, C = Xs.shape
    side = int(ceil(sqrt(N)))
    grid_h = H * side + padding * (side - 1)
    grid_w = W * side + padding * (side - 1)
    grid = np.zeros((grid_h, grid_w, C))
    for k in range(N):
        row, col = divmod(k, side)
        img = Xs[k]
        low, high = np.min(img), np.max(img)
        scale = high - low if high > low else 1.0
        y0, x0 = row * (H + padding), col * (W + padding)
        grid[y0:y0 + H, x0:x0 + W] = ubound * (img - low) / scale
    return grid


def vis_grid(Xs):
    """Tile images into a square grid without rescaling; gaps are filled with the minimum."""
    N, H, W, C = Xs.shape
    side = int(ceil(sqrt(N)))
    G = np.ones((side * H + side, side * W + side, C), Xs.dtype)
    G *= np.min(Xs)
    for k in range(N):
        row, col = divmod(k, side)
        y0, x0 = row * H + row, col * W + col
        G[y0:y0 + H, x0:x0 + W, :] = Xs[k]
    return G / np.max(G) if np.max(G) != 0 else G


def vis_nn(rows):
    """Tile a list of rows (each a list of (H, W, C) images) into one image."""
    N = len(rows)
    D = len(rows[0])
    H, W, C = rows[0][0].shape
    Xs = rows[0][0]
    G = np.ones((N * H + N, D * W + D, C), Xs.dtype)
    for y in range(N):
        for x in range(D):
            G[y * H + y:(y + 1) * H + y, x * W + x:(x + 1) * W + x, :] = rows[y][x]
    G -= G.min()
    return G / G.max() if G.max() != 0 else G
