"""A page of ink -> the same page as a hand would have drawn it: wavy strokes (a smooth
elastic field), a little turn and slant, another pen. scipy.ndimage, on purpose: the
training side never uses it."""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def hand_warp(ink: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """ink: float (H, W), 1 = ink on 0 paper. Returns the warped page, same shape."""
    size = ink.shape[0]
    angle = np.radians(rng.uniform(-15, 15) * strength)
    slant = rng.uniform(-0.25, 0.25) * strength
    rotate = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = rotate @ np.array([[1.0, 0.0], [slant, 1.0]])
    centre = np.array(ink.shape) / 2
    page = ndimage.affine_transform(ink, matrix, offset=centre - matrix @ centre, order=1)
    sigma = size / rng.uniform(5, 9)  # how far apart the bends are
    amount = size * rng.uniform(0.01, 0.035) * strength  # how far a stroke wanders
    fields = [ndimage.gaussian_filter(rng.standard_normal(ink.shape), sigma) for _ in range(2)]
    fields = [f / (np.abs(f).max() + 1e-9) * amount for f in fields]
    rows, cols = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    page = ndimage.map_coordinates(page, [rows + fields[0], cols + fields[1]], order=1)
    pen = rng.random()
    if pen < 0.25:
        page = ndimage.grey_dilation(page, size=int(rng.integers(2, 5)))
    elif pen < 0.4:
        page = ndimage.grey_erosion(page, size=2)
    return np.clip(page, 0, 1)


def to_page(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Ink (1 = ink) -> a uint8 page in either polarity, mostly dark on white like the canvas."""
    page = (ink * 255).astype(np.uint8)
    return 255 - page if rng.random() < 0.7 else page
