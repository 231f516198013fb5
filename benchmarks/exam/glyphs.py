"""Letters, Chinese characters, symbols and digits rendered from the system's fonts, each
warped as by a hand (exam.warp). The gate never sees a font in training."""

from __future__ import annotations

import subprocess
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .warp import hand_warp, to_page

PAGE = 200

# Glyphs that ARE digits to a reader (O and 0, l and 1, S and 5, Z and 2, B and 8, G and 6,
# b and 6, g and q and 9) are left out: no gate can be asked to turn those away.
LATIN = "ACDEFHJKLMNPRTUVWXY" + "acefhkmnprtuvwxy"
HANZI = ("我的是不在人有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对"
         "可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手用主行方又如前所本见经头面公"
         "同定进现长此点从两些问很最重并物手应战向部声老全形高民机思走意爱路飞鸟鱼马风雨雪花草书画")
SYMBOLS = "+=%@#&$?*~<>^♥★☺✓→∞πΣΩ€£¥§¶©®±÷×≠≈√∫∂ΔλµΓΛΞΠΦΨαγεζηξσφψω♪☂☀✉⚑"
DIGITS = "0123456789"


@lru_cache(maxsize=1)
def system_fonts() -> tuple[str, ...]:
    """Every OpenType/TrueType font file fontconfig knows (Type 1 copies skipped)."""
    listing = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True).stdout
    return tuple(sorted({p for p in listing.split("\n") if p.endswith((".ttf", ".otf", ".ttc"))}))


def _ink(font: ImageFont.FreeTypeFont, char: str) -> np.ndarray | None:
    page = Image.new("L", (PAGE, PAGE), 0)
    draw = ImageDraw.Draw(page)
    left, top, right, bottom = draw.textbbox((0, 0), char, font=font)
    if right - left < 2 or bottom - top < 2:
        return None
    draw.text(((PAGE - (right - left)) / 2 - left, (PAGE - (bottom - top)) / 2 - top), char, fill=255, font=font)
    return np.asarray(page, dtype=np.float64) / 255


@lru_cache(maxsize=None)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


@lru_cache(maxsize=None)
def _missing_glyph(path: str) -> np.ndarray | None:
    ink = _ink(_font(path, 60), "\U000f0000")  # a private-use code point: no font draws it
    return None if ink is None else ink > 0.5


def covers(path: str, char: str) -> bool:
    """Whether the font draws `char` itself (not its missing-glyph box)."""
    ink, missing = _ink(_font(path, 60), char), _missing_glyph(path)
    return ink is not None and (missing is None or not np.array_equal(ink > 0.5, missing))


def glyph_pages(chars: str, count: int, seed: int, fonts: tuple[str, ...] | None = None) -> list[np.ndarray]:
    """`count` uint8 pages, each a random char of `chars` in a random font that has it, warped."""
    rng = np.random.default_rng(seed)
    fonts = fonts or system_fonts()
    pairs = [(f, c) for f in fonts for c in chars if covers(f, c)]
    if not pairs:
        return []
    pages = []
    for _ in range(count):
        path, char = pairs[int(rng.integers(len(pairs)))]
        ink = _ink(_font(path, int(rng.integers(90, 150))), char)
        pages.append(to_page(hand_warp(ink, rng), rng))
    return pages
