"""Digits drawn with pen strokes, the way a person draws them on the canvas.

Each digit is a few polylines in a unit square; a seeded random generator slants,
scales, moves and thickens them. Used for test data that needs no download, for the
latency benchmark's input, and as the seed of a drawn-digit benchmark.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

Stroke = list[tuple[float, float]]


def _arc(cx, cy, rx, ry, start_deg, end_deg, steps=24) -> Stroke:
    angles = np.radians(np.linspace(start_deg, end_deg, steps))
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in angles]


# Angles run clockwise on screen (y points down): 0 is right, 90 is down, 270 is up.
STROKES: dict[int, list[Stroke]] = {
    0: [_arc(0.5, 0.5, 0.26, 0.4, 0, 360, 40)],
    1: [[(0.36, 0.24), (0.52, 0.1), (0.52, 0.9)]],
    2: [_arc(0.5, 0.32, 0.24, 0.22, 190, 380) + [(0.26, 0.9), (0.78, 0.9)]],
    3: [_arc(0.48, 0.3, 0.22, 0.2, 200, 450) + _arc(0.48, 0.7, 0.26, 0.2, 270, 520)],
    4: [[(0.62, 0.9), (0.62, 0.1), (0.2, 0.64), (0.82, 0.64)]],
    5: [[(0.74, 0.1), (0.32, 0.1), (0.28, 0.46)] + _arc(0.48, 0.66, 0.26, 0.24, 235, 510)],
    6: [[(0.7, 0.12)] + _arc(0.5, 0.66, 0.24, 0.24, 200, 560, 36)],
    7: [[(0.2, 0.1), (0.8, 0.1), (0.42, 0.9)]],
    8: [_arc(0.5, 0.29, 0.2, 0.19, 90, 450, 30), _arc(0.5, 0.7, 0.25, 0.21, -90, 270, 30)],
    9: [_arc(0.5, 0.33, 0.23, 0.23, 0, 360, 30), [(0.73, 0.33), (0.66, 0.9)]],
}


def _jitter(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Slant, rotate, squash and move the digit inside the unit square."""
    angle = math.radians(rng.uniform(-12, 12))
    slant = rng.uniform(-0.3, 0.15)
    scale = rng.uniform(0.55, 0.95)
    aspect = rng.uniform(0.85, 1.15)
    matrix = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    matrix = matrix @ np.array([[scale * aspect, slant * scale], [0.0, scale]])
    centre = np.array([0.5, 0.5]) + rng.uniform(-0.5, 0.5, 2) * (1 - scale) * 0.8
    moved = (points - 0.5) @ matrix.T + centre
    return moved + rng.normal(0, 0.006, moved.shape)  # a hand is never quite steady


def draw_digit(
    digit: int,
    size: int = 280,
    rng: np.random.Generator | None = None,
    pen_width: float | None = None,
    dark_ink: bool = True,
) -> Image.Image:
    """An 'L' image of `digit` drawn with a round pen; randomised when `rng` is given."""
    supersample = 2  # draw big, then shrink: antialiased like the Qt canvas
    canvas = size * supersample
    paper, ink = (255, 0) if dark_ink else (0, 255)
    image = Image.new("L", (canvas, canvas), paper)
    draw = ImageDraw.Draw(image)
    width = pen_width if pen_width is not None else (rng.uniform(0.05, 0.1) * size if rng else 0.07 * size)
    radius = width * supersample / 2
    for stroke in STROKES[digit]:
        points = np.array(stroke, dtype=np.float64)
        if rng is not None:
            points = _jitter(points, rng)
        pixels = [tuple(p) for p in (points * canvas)]
        draw.line(pixels, fill=ink, width=max(1, round(2 * radius)), joint="curve")
        for x, y in (pixels[0], pixels[-1]):  # round caps
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=ink)
    return image.resize((size, size), Image.Resampling.BOX)


def write_digit_folder(
    root: str | os.PathLike, per_class: int, seed: int = 0, size: int = 64
) -> Path:
    """An ImageFolder of drawn digits: ROOT/0 .. ROOT/9, `per_class` PNGs each."""
    root = Path(root)
    rng = np.random.default_rng(seed)
    for digit in range(10):
        folder = root / str(digit)
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(per_class):
            image = draw_digit(digit, size=size, rng=rng, dark_ink=bool(rng.random() < 0.7))
            image.save(folder / f"{index:04d}.png")
    return root
