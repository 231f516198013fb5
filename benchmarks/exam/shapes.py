"""Closed shapes and small pictures, drawn with Pillow's own primitives (outlines, arcs,
chords, regular polygons) at other pen widths than training uses, then warped by a hand."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from .warp import hand_warp, to_page

PAGE = 200


def _poly(draw, points, width):
    draw.line(list(points) + [points[0]], fill=255, width=width, joint="curve")


def _square(d, w, rng):
    s = rng.uniform(50, 75)
    d.rectangle((100 - s, 100 - s * rng.uniform(0.8, 1.2), 100 + s, 100 + s), outline=255, width=w)


def _rectangle(d, w, rng):
    d.rounded_rectangle((20, 100 - rng.uniform(20, 45), 180, 100 + rng.uniform(20, 45)), radius=rng.uniform(0, 12),
                        outline=255, width=w)


def _triangle(d, w, rng):
    d.regular_polygon((100, 110, 80), 3, rotation=rng.uniform(-20, 20) + (180 if rng.random() < 0.3 else 0),
                      outline=255, width=w)


def _diamond(d, w, rng):
    half = rng.uniform(35, 60)
    _poly(d, [(100, 20), (100 + half, 100), (100, 180), (100 - half, 100)], w)


def _hexagon(d, w, rng):
    d.regular_polygon((100, 100, 80), int(rng.integers(5, 7)), rotation=rng.uniform(0, 60), outline=255, width=w)


def _star(d, w, rng):
    points = [(100 + (80 if k % 2 == 0 else 32) * math.cos(math.pi * k / 5 - math.pi / 2),
               105 + (80 if k % 2 == 0 else 32) * math.sin(math.pi * k / 5 - math.pi / 2)) for k in range(10)]
    _poly(d, points, w)


def _heart(d, w, rng):
    r = rng.uniform(34, 42)
    d.arc((100 - 2 * r, 60 - r, 100, 60 + r), 150, 360, fill=255, width=w)
    d.arc((100, 60 - r, 100 + 2 * r, 60 + r), 180, 30, fill=255, width=w)
    tip = (100, rng.uniform(165, 185))
    d.line([(100 - 2 * r + 7, 60 + r * 0.55), tip, (100 + 2 * r - 7, 60 + r * 0.55)], fill=255, width=w, joint="curve")


def _cloud(d, w, rng):
    """Overlapping puffs; only their outer outline is kept."""
    mask = Image.new("L", (PAGE, PAGE), 0)
    md = ImageDraw.Draw(mask)
    for k in range(int(rng.integers(4, 8))):
        cx, cy, r = 40 + k * rng.uniform(18, 28), 100 + rng.uniform(-25, 15), rng.uniform(22, 38)
        md.ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
    md.rectangle((45, 100, 160, 125), fill=255)
    filled = np.asarray(mask) > 0
    from scipy import ndimage
    edge = filled & ~ndimage.binary_erosion(filled, iterations=max(1, w // 2))
    d.bitmap((0, 0), Image.fromarray((edge * 255).astype(np.uint8)), fill=255)


def _face(d, w, rng, happy=True):
    d.ellipse((20, 20, 180, 180), outline=255, width=w)
    for x in (70, 130):
        d.ellipse((x - 8, 65, x + 8, 85), fill=255)
    box = (55, 70, 145, 150) if happy else (60, 125, 140, 185)
    d.arc(box, 20 if happy else 200, 160 if happy else 340, fill=255, width=w)


def _sad_face(d, w, rng):
    _face(d, w, rng, happy=False)


def _house(d, w, rng):
    d.rectangle((45, 90, 155, 180), outline=255, width=w)
    d.line([(30, 95), (100, rng.uniform(20, 40)), (170, 95)], fill=255, width=w, joint="curve")
    if rng.random() < 0.5:
        d.rectangle((85, 130, 115, 180), outline=255, width=max(2, w // 2))


def _circle_cross(d, w, rng):
    d.ellipse((25, 25, 175, 175), outline=255, width=w)
    if rng.random() < 0.5:
        d.line([(100, 25), (100, 175)], fill=255, width=w)
        d.line([(25, 100), (175, 100)], fill=255, width=w)
    else:
        d.line([(48, 48), (152, 152)], fill=255, width=w)
        d.line([(152, 48), (48, 152)], fill=255, width=w)


def _spiral(d, w, rng):
    t = np.linspace(0, rng.uniform(2.5, 4) * 2 * math.pi, 200)
    r = 6 + 74 * t / t[-1]
    d.line(list(zip(100 + r * np.cos(t), 100 + r * np.sin(t))), fill=255, width=w, joint="curve")


def _target(d, w, rng):
    for r in (80, 50, 20):
        d.ellipse((100 - r, 100 - r, 100 + r, 100 + r), outline=255, width=w)


def _fish(d, w, rng):
    d.ellipse((20, 60, 140, 140), outline=255, width=w)
    _poly(d, [(138, 100), (185, 60), (185, 140)], w)
    d.ellipse((45, 85, 57, 97), fill=255)


def _envelope(d, w, rng):
    d.rectangle((20, 50, 180, 150), outline=255, width=w)
    d.line([(20, 50), (100, 110), (180, 50)], fill=255, width=w, joint="curve")


def _moon(d, w, rng):
    d.arc((30, 30, 170, 170), 60, 300, fill=255, width=w)
    d.arc((65, 40, 165, 160), 80, 280, fill=255, width=w)


def _lightning(d, w, rng):
    _poly(d, [(110, 15), (55, 110), (95, 110), (80, 185), (150, 80), (108, 80)], w)


def _cup(d, w, rng):
    d.line([(40, 40), (55, 170), (135, 170), (150, 40)], fill=255, width=w, joint="curve")
    d.arc((130, 70, 185, 130), 270, 90, fill=255, width=w)


def _car(d, w, rng):
    d.line([(15, 130), (15, 95), (55, 90), (75, 55), (130, 55), (155, 90), (185, 95), (185, 130), (15, 130)],
           fill=255, width=w, joint="curve")
    for x in (55, 145):
        d.ellipse((x - 20, 115, x + 20, 155), outline=255, width=w)


SHAPES = {
    "square": _square, "rectangle": _rectangle, "triangle": _triangle, "diamond": _diamond,
    "pentagon or hexagon": _hexagon, "star": _star, "heart": _heart, "cloud": _cloud,
    "smiley": _face, "sad face": _sad_face, "house": _house, "circle with a cross": _circle_cross,
    "spiral": _spiral, "target": _target, "fish": _fish, "envelope": _envelope, "moon": _moon,
    "lightning": _lightning, "cup": _cup, "car": _car,
}


def shape_pages(name: str, count: int, seed: int) -> list[np.ndarray]:
    """`count` uint8 pages of one shape, each with its own pen width and hand."""
    rng = np.random.default_rng(seed)
    pages = []
    for _ in range(count):
        image = Image.new("L", (PAGE, PAGE), 0)
        SHAPES[name](ImageDraw.Draw(image), int(rng.integers(3, 15)), rng)
        pages.append(to_page(hand_warp(np.asarray(image, dtype=np.float64) / 255, rng), rng))
    return pages
