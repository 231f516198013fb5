"""Digits (and things that are not digits) drawn with pen strokes, as on the canvas.

Each digit has several writing styles, each a few polylines in a unit square: a 1 with
or without a flag and a base, a crossed 7, an open 4, a looped 2. A seeded generator
slants, rotates, squashes, moves and thickens the whole digit, lets the hand wobble and
samples each stroke at an uneven speed (a fast mouse sends few points, so corners are
cut), then draws it like the canvas does: a round antialiased pen on a 280x280 page.

Used for test data that needs no download, the latency benchmark's input, the
drawn-digit benchmark (`write_digit_folder`) and the gate's positives; the same pen draws
the negative families in `digitpad.negatives`. It is a TUNING source: figures measured
on it are not evidence of how real hands are read (see benchmarks/exam/).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

Stroke = list[tuple[float, float]]
Style = list[Stroke]


def _arc(cx, cy, rx, ry, start_deg, end_deg, steps=24) -> Stroke:
    angles = np.radians(np.linspace(start_deg, end_deg, steps))
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in angles]


# Angles run clockwise on screen (y points down): 0 is right, 90 is down, 270 is up.
STYLES: dict[int, list[Style]] = {
    0: [[_arc(0.5, 0.5, 0.26, 0.4, 0, 360, 40)],
        [_arc(0.5, 0.5, 0.24, 0.4, 270, 640, 44)]],  # started at the top, overlapping
    1: [[[(0.36, 0.24), (0.52, 0.1), (0.52, 0.9)]],
        [[(0.52, 0.1), (0.52, 0.9)]],
        [[(0.34, 0.26), (0.52, 0.1), (0.52, 0.9)], [(0.34, 0.9), (0.7, 0.9)]]],  # with a base
    2: [[_arc(0.5, 0.32, 0.24, 0.22, 190, 380) + [(0.26, 0.9), (0.78, 0.9)]],
        [_arc(0.5, 0.3, 0.24, 0.2, 190, 380) + [(0.3, 0.82)] + _arc(0.33, 0.84, 0.06, 0.06, 270, 450)
         + [(0.8, 0.88)]],  # a loop at the bottom left
        [[(0.24, 0.22), (0.5, 0.1), (0.74, 0.2), (0.74, 0.36), (0.24, 0.9), (0.8, 0.9)]]],
    3: [[_arc(0.48, 0.3, 0.22, 0.2, 200, 450) + _arc(0.48, 0.7, 0.26, 0.2, 270, 520)],
        [[(0.26, 0.1), (0.74, 0.1), (0.46, 0.44)] + _arc(0.48, 0.68, 0.26, 0.22, 260, 520)]],
    4: [[[(0.62, 0.9), (0.62, 0.1), (0.2, 0.64), (0.82, 0.64)]],
        [[(0.28, 0.1), (0.24, 0.56), (0.8, 0.56)], [(0.64, 0.24), (0.64, 0.9)]]],  # open 4
    5: [[[(0.74, 0.1), (0.32, 0.1), (0.28, 0.46)] + _arc(0.48, 0.66, 0.26, 0.24, 235, 510)],
        [[(0.32, 0.1), (0.28, 0.46)] + _arc(0.48, 0.66, 0.26, 0.24, 235, 510), [(0.32, 0.1), (0.76, 0.1)]]],
    6: [[[(0.7, 0.12)] + _arc(0.5, 0.66, 0.24, 0.24, 200, 560, 36)],
        [[(0.62, 0.08), (0.32, 0.5)] + _arc(0.5, 0.68, 0.22, 0.22, 200, 560, 36)]],
    7: [[[(0.2, 0.1), (0.8, 0.1), (0.42, 0.9)]],
        [[(0.2, 0.1), (0.8, 0.1), (0.42, 0.9)], [(0.38, 0.5), (0.76, 0.5)]],  # crossed
        [[(0.22, 0.14), (0.8, 0.1)] + [(0.8 - 0.3 * t, 0.1 + 0.8 * t ** 0.8) for t in np.linspace(0.1, 1, 8)]]],
    8: [[_arc(0.5, 0.29, 0.2, 0.19, 90, 450, 30), _arc(0.5, 0.7, 0.25, 0.21, -90, 270, 30)],
        [_arc(0.5, 0.29, 0.2, 0.19, 90, 270, 16)[::-1] + _arc(0.5, 0.7, 0.25, 0.21, -90, 270, 30)
         + _arc(0.5, 0.29, 0.2, 0.19, 90, -90, 16)]],  # one stroke, an S and back
    9: [[_arc(0.5, 0.33, 0.23, 0.23, 0, 360, 30), [(0.73, 0.33), (0.66, 0.9)]],
        [_arc(0.5, 0.33, 0.23, 0.23, 0, 360, 30) + [(0.72, 0.6)] + _arc(0.5, 0.72, 0.22, 0.18, 0, 120, 10)]],
}

def _digit_transform(rng: np.random.Generator):
    """One slant/rotation/scale/shift for the whole digit (all its strokes)."""
    angle = math.radians(rng.uniform(-12, 12))
    slant = rng.uniform(-0.3, 0.15)
    scale = rng.uniform(0.45, 0.95)
    aspect = rng.uniform(0.8, 1.15)
    matrix = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    matrix = matrix @ np.array([[scale * aspect, slant * scale], [0.0, scale]])
    centre = np.array([0.5, 0.5]) + rng.uniform(-0.5, 0.5, 2) * (1 - scale) * 0.9
    return lambda points: (points - 0.5) @ matrix.T + centre


def _uneven_speed(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Resample a stroke by arc length at a wandering speed, as mouse events arrive."""
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    along = np.concatenate(([0.0], np.cumsum(steps)))
    if along[-1] == 0:
        return points
    spacing = rng.uniform(0.01, 0.06)  # a slow hand or a fast flick, in page widths
    gaps = spacing * rng.uniform(0.5, 1.5, int(along[-1] / spacing * 2) + 2)
    marks = np.concatenate(([0.0], np.cumsum(gaps)))
    marks = np.append(marks[marks < along[-1]], along[-1])
    return np.stack([np.interp(marks, along, points[:, 0]), np.interp(marks, along, points[:, 1])], axis=1)


def _wobble(points: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A hand is never quite steady: a slow drift plus a little tremor."""
    drift = np.cumsum(rng.normal(0, 0.004, points.shape), axis=0)
    drift -= np.linspace(0, 1, len(points))[:, None] * drift[-1]  # strokes still end where aimed
    return points + drift + rng.normal(0, 0.002, points.shape)


def render_strokes(
    strokes: list[np.ndarray], size: int | tuple[int, int] = 280, pen_width: float = 20, dark_ink: bool = True
) -> Image.Image:
    """Polylines in unit coordinates -> an 'L' page (square, or (width, height)), drawn
    with a round antialiased pen."""
    width, height = (size, size) if isinstance(size, int) else size
    supersample = 2  # draw big, then shrink: antialiased like the Qt canvas
    paper, ink = (255, 0) if dark_ink else (0, 255)
    image = Image.new("L", (width * supersample, height * supersample), paper)
    draw = ImageDraw.Draw(image)
    radius = pen_width * supersample / 2
    scale = np.array([width * supersample, height * supersample])
    for points in strokes:
        pixels = [tuple(p) for p in (np.asarray(points) * scale)]
        if len(pixels) > 1:
            draw.line(pixels, fill=ink, width=max(1, round(2 * radius)), joint="curve")
        for x, y in (pixels[0], pixels[-1]):  # round caps
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=ink)
    return image.resize((width, height), Image.Resampling.BOX)


def hand_drawn(style: Style, size, rng, pen_width, dark_ink) -> Image.Image:
    if rng is None:
        return render_strokes([np.array(s) for s in style], size, pen_width or 0.07 * size, dark_ink)
    transform = _digit_transform(rng)
    strokes = [_wobble(_uneven_speed(transform(np.array(s, dtype=np.float64)), rng), rng) for s in style]
    width = pen_width if pen_width is not None else rng.uniform(0.035, 0.11) * size
    return render_strokes(strokes, size, width, dark_ink)


def draw_digit(
    digit: int,
    size: int = 280,
    rng: np.random.Generator | None = None,
    pen_width: float | None = None,
    dark_ink: bool = True,
    style: int | None = None,
) -> Image.Image:
    """An 'L' image of `digit`: the canonical drawing, or a random hand-drawn one
    (random style unless `style` is given) when `rng` is given."""
    styles = STYLES[digit]
    if style is None:
        style = int(rng.integers(len(styles))) if rng is not None else 0
    return hand_drawn(styles[style], size, rng, pen_width, dark_ink)


def write_digit_folder(
    root: str | os.PathLike, per_class: int, seed: int = 0, size: int = 64
) -> Path:
    """An ImageFolder of hand-drawn digits: ROOT/0 .. ROOT/9, `per_class` PNGs each,
    every style, both polarities (dark ink on white 70% of the time, like the canvas)."""
    root = Path(root)
    rng = np.random.default_rng(seed)
    for digit in range(10):
        folder = root / str(digit)
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(per_class):
            style = index % len(STYLES[digit])
            image = draw_digit(digit, size=size, rng=rng, dark_ink=bool(rng.random() < 0.7), style=style)
            image.save(folder / f"{index:04d}.png")
    return root


def _hand(rng: np.random.Generator) -> dict:
    """What stays the same across one person's number: slant, size, pen, spacing habit."""
    return {"slant": rng.uniform(-0.3, 0.15), "height": rng.uniform(0.55, 0.8),
            "pen": rng.uniform(0.045, 0.1), "gap": rng.uniform(0.0, 0.2)}


def _placed_digit(digit: int, hand: dict, rng: np.random.Generator) -> list[np.ndarray]:
    """One digit of a number, as strokes in page-height units, its ink starting at x=0."""
    styles = STYLES[digit]
    style = styles[int(rng.integers(len(styles)))]
    angle = math.radians(rng.uniform(-6, 6))
    scale = hand["height"] * rng.uniform(0.88, 1.08)
    aspect = rng.uniform(0.8, 1.1)
    matrix = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    matrix = matrix @ np.array([[scale * aspect, hand["slant"] * scale], [0.0, scale]])
    strokes = [_wobble(_uneven_speed((np.array(s) - 0.5) @ matrix.T, rng), rng) for s in style]
    lowest = min(s[:, 0].min() for s in strokes)
    baseline = 0.5 + rng.uniform(-0.04, 0.04)
    return [s - np.array([lowest, -baseline]) for s in strokes]


def draw_number(text: str, rng: np.random.Generator, height: int = 280, dark_ink: bool = True
                ) -> tuple[Image.Image, list[tuple[int, int]]]:
    """A number written by one hand across a page `height` pixels tall, and each digit's
    ink columns (x0, x1). Gaps between digits are uneven; some digits nearly touch or
    overlap a little (down to -3% of the height between pen edges)."""
    hand = _hand(rng)
    pen = hand["pen"]
    placed, spans, x = [], [], 0.15
    for char in text:
        strokes = _placed_digit(int(char), hand, rng)
        width = max(s[:, 0].max() for s in strokes)
        placed.extend(s + np.array([x, 0.0]) for s in strokes)
        spans.append((x, x + width))
        gap = hand["gap"] * rng.uniform(0.3, 1.7) if rng.random() < 0.7 else rng.uniform(-0.03, 0.02)
        x += width + pen + gap
    page_width = x - gap + 0.15
    strokes = [s / np.array([page_width, 1.0]) for s in placed]
    image = render_strokes(strokes, (round(page_width * height), height), pen * height, dark_ink)
    return image, [(round((a - pen / 2) * height), round((b + pen / 2) * height)) for a, b in spans]

