"""The exam's own hand: draws benchmarks/exam_digits/glyphs.py shapes under hard conditions.

A separate code path from everything that trains (digitpad.augment) or tunes
(digitpad.synth): smooth splines instead of arcs and polylines, a numpy distance-field
pen with varying pressure instead of Pillow's lines, its own parameter ranges, and seeds
from 770000 up, which nothing else uses. Each drawing gets one hard condition:

- thin: a 2-4 px pen on a big digit;     - thick: a pen 15-22% of the digit's height;
- tiny: a digit 35-55 px tall drawn with an 8-12 px pen;
- rotated: 15-25 degrees either way;     - sheared: a slant of 0.3-0.5 either way;
- shaky: a trembling hand (wiggles of 1.5-4 px plus a slow drift);
- gaps: one to three pieces of stroke missing, as a skipping mouse leaves them;
- mixed: a milder rotation, shear, tremor and a gap together.
"""

from __future__ import annotations

import math

import numpy as np

from exam_digits.glyphs import GLYPHS

PAGE = 200  # pixels per side of the page drawn on
CONDITIONS = ("thin", "thick", "tiny", "rotated", "sheared", "shaky", "gaps", "mixed")
SEED_BASE = 770_000


def spline(points: list[tuple[float, float]], per_span: int = 24) -> np.ndarray:
    """A Catmull-Rom curve through the points (ends repeated), densely sampled."""
    p = np.asarray(points, dtype=np.float64)
    p = np.vstack([p[0], p, p[-1]])
    t = np.linspace(0, 1, per_span, endpoint=False)[:, None]
    pieces = []
    for i in range(1, len(p) - 2):
        p0, p1, p2, p3 = p[i - 1], p[i], p[i + 1], p[i + 2]
        pieces.append(0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                             + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3))
    pieces.append(p[-2][None])
    return np.vstack(pieces)


def _resample(curve: np.ndarray, step: float) -> np.ndarray:
    """Points every `step` (page units) along the curve."""
    along = np.concatenate(([0.0], np.cumsum(np.linalg.norm(np.diff(curve, axis=0), axis=1))))
    marks = np.arange(0.0, along[-1] + 1e-9, step) if along[-1] > 0 else np.zeros(1)
    return np.stack([np.interp(marks, along, curve[:, 0]), np.interp(marks, along, curve[:, 1])], 1)


def _tremble(points: np.ndarray, amplitude: float, rng: np.random.Generator) -> np.ndarray:
    """Wiggle across the stroke's direction, plus a slow drift."""
    if len(points) < 3:
        return points
    direction = np.gradient(points, axis=0)
    normal = np.stack([-direction[:, 1], direction[:, 0]], 1)
    normal /= np.linalg.norm(normal, axis=1, keepdims=True) + 1e-9
    s = np.linspace(0, 1, len(points))
    wiggle = sum(rng.uniform(0.4, 1.0) * np.sin(2 * np.pi * (rng.uniform(3, 9) * s + rng.uniform())) for _ in range(2))
    drift = np.cumsum(rng.normal(0, 1, (len(points), 2)), axis=0)
    drift = (drift - drift.mean(0)) / (np.abs(drift).max() + 1e-9)
    return points + normal * (amplitude * wiggle / 2)[:, None] + drift * amplitude * 0.6


def _cut_gaps(points: np.ndarray, count: int, rng: np.random.Generator) -> list[np.ndarray]:
    """The stroke with `count` pieces (each 4-9% of its length) left out."""
    keep = np.ones(len(points), dtype=bool)
    for _ in range(count):
        length = max(2, int(len(points) * rng.uniform(0.04, 0.09)))
        start = int(rng.integers(1, max(2, len(points) - length - 1)))
        keep[start : start + length] = False
    pieces, current = [], []
    for point, kept in zip(points, keep):
        if kept:
            current.append(point)
        elif current:
            pieces.append(np.array(current)), current.clear()
    if current:
        pieces.append(np.array(current))
    return pieces


def _ink(points: np.ndarray, radii: np.ndarray, page: np.ndarray) -> None:
    """Stamp antialiased discs of the given radii (pixels) at the (x, y) points (pixels)."""
    size = page.shape[0]
    for (x, y), r in zip(points, radii):
        x0, x1 = max(int(x - r - 2), 0), min(int(x + r + 3), size)
        y0, y1 = max(int(y - r - 2), 0), min(int(y + r + 3), size)
        if x1 <= x0 or y1 <= y0:
            continue
        ys, xs = np.ogrid[y0:y1, x0:x1]
        disc = np.clip(r + 0.5 - np.sqrt((xs - x) ** 2 + (ys - y) ** 2), 0, 1)
        np.maximum(page[y0:y1, x0:x1], disc, out=page[y0:y1, x0:x1])


def _placement(condition: str, rng: np.random.Generator) -> tuple[np.ndarray, float, float]:
    """(2x2 matrix on unit coordinates, digit height in pixels, pen width in pixels)."""
    angle = math.radians(rng.uniform(-8, 8))
    shear = rng.uniform(-0.15, 0.15)
    height = rng.uniform(0.45, 0.85) * PAGE
    pen = rng.uniform(0.06, 0.1) * height
    if condition == "thin":
        height, pen = rng.uniform(0.6, 0.9) * PAGE, rng.uniform(2.0, 4.0)
    elif condition == "thick":
        pen = rng.uniform(0.15, 0.22) * height
    elif condition == "tiny":
        height, pen = rng.uniform(35, 55), rng.uniform(8, 12)
    elif condition == "rotated":
        angle = math.radians(rng.uniform(15, 25) * rng.choice([-1, 1]))
    elif condition == "sheared":
        shear = rng.uniform(0.3, 0.5) * rng.choice([-1, 1])
    elif condition == "mixed":
        angle = math.radians(rng.uniform(8, 18) * rng.choice([-1, 1]))
        shear = rng.uniform(0.1, 0.3) * rng.choice([-1, 1])
    aspect = rng.uniform(0.8, 1.2)
    rotate = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    slant = np.array([[1.0, -shear], [0.0, 1.0]])  # x moves with height: an italic lean
    return rotate @ slant @ np.diag([height * aspect, height]), height, pen


def draw(digit: int, family: str, condition: str, rng: np.random.Generator) -> np.ndarray:
    """One exam drawing: a (PAGE, PAGE) uint8 page, dark or light ink."""
    matrix, height, pen = _placement(condition, rng)
    margin = 0.6 * height + pen
    centre = rng.uniform(margin, PAGE - margin, 2) if PAGE - margin > margin else np.full(2, PAGE / 2)
    page = np.zeros((PAGE, PAGE), dtype=np.float32)
    shaky = condition in ("shaky", "mixed")
    for stroke in GLYPHS[digit][family]:
        wobbly = np.asarray(stroke) + rng.normal(0, 0.015, (len(stroke), 2))  # no two alike
        points = _resample((spline(wobbly) - 0.5) @ matrix.T + centre, step=max(0.7, pen / 6))
        if shaky:
            points = _tremble(points, rng.uniform(1.5, 4.0) * (1 if condition == "shaky" else 0.6), rng)
        gaps = int(rng.integers(1, 4)) if condition == "gaps" else int(condition == "mixed")
        pieces = _cut_gaps(points, gaps, rng) if gaps else [points]
        for piece in pieces:
            pressure = 1 + 0.25 * np.sin(np.linspace(0, rng.uniform(2, 6), len(piece)) + rng.uniform(0, 6))
            _ink(piece, pen / 2 * pressure, page)
    dark_ink = rng.random() < 0.75
    paper = rng.uniform(0.85, 1.0) if dark_ink else rng.uniform(0.0, 0.12)
    ink_shade = rng.uniform(0.0, 0.2) if dark_ink else rng.uniform(0.85, 1.0)
    image = paper + (ink_shade - paper) * page + rng.normal(0, 0.01, page.shape)
    return (np.clip(image, 0, 1) * 255).astype(np.uint8)


def exam_set(per_digit: int, seed: int = SEED_BASE):
    """(pages (N, PAGE, PAGE) uint8, labels, family names "d:family", condition names)."""
    rng = np.random.default_rng(seed)
    pages, labels, families, conditions = [], [], [], []
    for digit in range(10):
        names = sorted(GLYPHS[digit])
        for index in range(per_digit):
            family = names[index % len(names)]
            condition = CONDITIONS[(index // len(names)) % len(CONDITIONS)]
            pages.append(draw(digit, family, condition, rng))
            labels.append(digit), families.append(f"{digit}:{family}"), conditions.append(condition)
    return np.stack(pages), np.array(labels), np.array(families), np.array(conditions)
