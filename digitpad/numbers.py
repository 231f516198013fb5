"""Whole numbers: find the digits in a drawing, then read each one the MNIST way.

MNIST's recipe reads one centred digit, so a number is first cut into digits:

1. The ink (as `preprocess.find_ink` sees it) falls into connected pieces.
2. Pieces stacked above one another belong together: the two strokes of an open 4, the
   flag of a 5, the bar of a 7, a dot that missed its stroke. Digits of a number sit
   side by side, so pieces whose columns mostly overlap are one digit.
3. A piece much wider than it is tall is digits that touch or overlap a little. It is
   cut where the ink is thinnest, if the model reads the two parts better than the
   whole (the recogniser decides, as in classic segmentation-by-recognition).

Each digit, with only its own ink, then goes through the same `Predictor` as a single
drawing, left to right. A drawing that is one digit is read exactly as before: the whole
image goes to `Predictor.predict`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import ndimage

from . import preprocess

if TYPE_CHECKING:
    from .inference import Prediction, Predictor

# Pieces whose column ranges overlap by at least this share of the narrower one are one digit.
STACKED_OVERLAP = 0.5
# A piece this much smaller (in ink) than the largest is a stray mark: it joins its nearest
# neighbour instead of being read as a digit of its own.
SPECK_SHARE = 0.04
# A digit is rarely wider than this times its height (a wide 0 or a 2 with a long base);
# wider ink is tried as touching digits.
WIDE = 1.0
# Ink at least this wide (times its height) is never one digit: it is cut if both parts
# read as digits with at least SURE_PARTS confidence. Between WIDE and this, both parts
# must read with CLEAR_PARTS confidence, better than the whole.
SURELY_SEVERAL = 1.1
SURE_PARTS = 0.5
CLEAR_PARTS = 0.98
# A cut leaves each side at least this share of the piece's height; cuts are tried every
# CUT_STEP of the height, upright and leaning by these slopes (x per y, as slanted writing).
MIN_PART = 0.2
CUT_STEP = 0.05
CUT_LEANS = (0.0, 0.25, -0.15)
# Ink pixels next to a digit's clear ink (antialiased edges) belong to it.
FRINGE_PX = 2


@dataclass
class DigitRead:
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in the image's pixels, end-exclusive
    prediction: "Prediction"

    @property
    def text(self) -> str:
        """The digit, or "?" when the not-a-digit gate turned it away."""
        return "?" if self.prediction.unsure else str(self.prediction.digit)


@dataclass
class NumberRead:
    digits: list[DigitRead]  # left to right; empty for a blank image

    @property
    def text(self) -> str:
        return "".join(d.text for d in self.digits)


def read_number(predictor: "Predictor", image) -> NumberRead:
    """Every digit in `image`, left to right, each read by `predictor`."""
    gray = preprocess.to_grayscale(image)
    ink = preprocess.find_ink(gray)
    if ink is None:
        return NumberRead([])
    pieces = find_digits(ink, predictor)
    if len(pieces) == 1:  # one digit: exactly the single-digit path
        return NumberRead([DigitRead(pieces[0].box, predictor.predict(image))])
    predictions = predictor.predict_batch([_digit_image(ink, piece) for piece in pieces])
    return NumberRead([DigitRead(piece.box, p) for piece, p in zip(pieces, predictions)])


def find_digits(ink: preprocess.Ink, predictor: "Predictor | None" = None) -> list[Piece]:
    """Each digit's ink, left to right. Without a predictor, touching digits are not cut
    (there is nothing to judge a cut with)."""
    clear = ink.values >= np.float32(preprocess.EXTENT_LEVEL) * np.float32(ink.strongest)
    labels, _ = ndimage.label(clear, structure=np.ones((3, 3)))
    pieces = [Piece(labels[box] == i + 1, box[1].start, box[0].start)
              for i, box in enumerate(ndimage.find_objects(labels)) if box is not None]
    groups = _stack_pieces(_absorb_specks(pieces))
    if predictor is not None:
        groups = [part for group in groups for part in _split_touching(ink, group, predictor)]
    groups.sort(key=lambda piece: (piece.x0 + piece.x1) / 2)
    return _with_fringe(ink, groups)


@dataclass
class Piece:
    """Some of the drawing's ink: a mask over the box whose top-left corner is (x0, y0)."""

    mask: np.ndarray
    x0: int
    y0: int

    @property
    def x1(self) -> int:
        return self.x0 + self.mask.shape[1]

    @property
    def y1(self) -> int:
        return self.y0 + self.mask.shape[0]

    @property
    def box(self) -> tuple[int, int, int, int]:
        return self.x0, self.y0, self.x1, self.y1

    def __or__(self, other: "Piece") -> "Piece":
        x0, y0 = min(self.x0, other.x0), min(self.y0, other.y0)
        x1, y1 = max(self.x1, other.x1), max(self.y1, other.y1)
        mask = np.zeros((y1 - y0, x1 - x0), dtype=bool)
        for piece in (self, other):
            mask[piece.y0 - y0 : piece.y1 - y0, piece.x0 - x0 : piece.x1 - x0] |= piece.mask
        return Piece(mask, x0, y0)

    def trimmed(self) -> "Piece":
        """The same ink in its tightest box."""
        rows, cols = np.flatnonzero(self.mask.any(axis=1)), np.flatnonzero(self.mask.any(axis=0))
        mask = self.mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        return Piece(mask, self.x0 + int(cols[0]), self.y0 + int(rows[0]))


def _absorb_specks(pieces: list[Piece]) -> list[Piece]:
    """Small pieces join the nearest larger piece (by horizontal distance of centres)."""
    if len(pieces) < 2:
        return pieces
    sizes = [int(p.mask.sum()) for p in pieces]
    least = SPECK_SHARE * max(sizes)
    big = [p for p, size in zip(pieces, sizes) if size >= least]
    for piece, size in zip(pieces, sizes):
        if size < least:
            centre = (piece.x0 + piece.x1) / 2
            nearest = min(range(len(big)), key=lambda i: abs((big[i].x0 + big[i].x1) / 2 - centre))
            big[nearest] = big[nearest] | piece
    return big


def _stack_pieces(pieces: list[Piece]) -> list[Piece]:
    """Merge pieces whose columns mostly overlap, until no two do."""
    groups = list(pieces)
    merged = True
    while merged and len(groups) > 1:
        merged = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                a, b = groups[i], groups[j]
                overlap = min(a.x1, b.x1) - max(a.x0, b.x0)
                if overlap >= STACKED_OVERLAP * min(a.x1 - a.x0, b.x1 - b.x0):
                    groups[i] = a | groups.pop(j)
                    merged = True
                    break
            if merged:
                break
    return groups


def _split_touching(ink: preprocess.Ink, piece: Piece, predictor: "Predictor") -> list[Piece]:
    """A piece too wide for one digit, cut where the model reads both parts best."""
    height, width = piece.mask.shape
    ratio = width / height
    if ratio <= WIDE:
        return [piece]
    parts = [pair for pair in _cuts(piece) if pair[0].mask.any() and pair[1].mask.any()]
    if not parts:
        return [piece]
    images = [_digit_image(ink, piece)] + [_digit_image(ink, p) for pair in parts for p in pair]
    reads = predictor.predict_batch(images)
    whole, halves = _score(reads[0]), reads[1:]
    scores = [min(_score(halves[2 * i]), _score(halves[2 * i + 1])) for i in range(len(parts))]
    best = int(np.argmax(scores))
    # The network is confident even about two digits squeezed into one box, so its
    # confidence in the whole says little; the shape says more. Ink this wide is split
    # whenever both parts read as digits; narrower ink only when both read very clearly.
    if ratio >= SURELY_SEVERAL:
        convincing = scores[best] >= SURE_PARTS
    else:
        convincing = scores[best] >= CLEAR_PARTS and scores[best] > whole
    if not convincing:
        return [piece]
    first, second = (part.trimmed() for part in parts[best])
    return _split_touching(ink, first, predictor) + _split_touching(ink, second, predictor)


def _score(prediction: "Prediction") -> float:
    """How well one part reads as a digit: its confidence, and nothing if the gate refuses it."""
    return 0.0 if prediction.unsure else prediction.confidence


def _cuts(piece: Piece) -> list[tuple[Piece, Piece]]:
    """(left part, right part) for cut lines across the piece: every few columns, upright
    or leaning like slanted handwriting, each side at least a thin digit's width."""
    height, width = piece.mask.shape
    step = max(1, int(CUT_STEP * height))
    rows, columns = np.indices(piece.mask.shape)
    lean_offset = (height / 2 - rows)  # a leaning cut passes through its column mid-height
    pairs = []
    for column in range(int(MIN_PART * height), width - int(MIN_PART * height) + 1, step):
        for lean in CUT_LEANS:
            on_left = columns < column + lean * lean_offset
            pairs.append((Piece(piece.mask & on_left, piece.x0, piece.y0),
                          Piece(piece.mask & ~on_left, piece.x0, piece.y0)))
    return pairs


def _with_fringe(ink: preprocess.Ink, groups: list[Piece]) -> list[Piece]:
    """Each digit's mask widened to its antialiased edge, never onto another digit's ink."""
    if len(groups) < 2:
        return groups
    taken = np.zeros(ink.values.shape, dtype=bool)
    for group in groups:
        taken[group.y0 : group.y1, group.x0 : group.x1] |= group.mask
    widened = []
    for group in groups:
        y0, x0 = max(group.y0 - FRINGE_PX, 0), max(group.x0 - FRINGE_PX, 0)
        y1, x1 = min(group.y1 + FRINGE_PX, taken.shape[0]), min(group.x1 + FRINGE_PX, taken.shape[1])
        mask = np.zeros((y1 - y0, x1 - x0), dtype=bool)
        mask[group.y0 - y0 : group.y1 - y0, group.x0 - x0 : group.x1 - x0] = group.mask
        faint = (ink.values[y0:y1, x0:x1] > 0) & ~taken[y0:y1, x0:x1]
        widened.append(Piece(mask | (ndimage.binary_dilation(mask, iterations=FRINGE_PX) & faint), x0, y0).trimmed())
    return widened


def _digit_image(ink: preprocess.Ink, piece: Piece) -> np.ndarray:
    """One digit's ink alone, light on black, with a dark margin (the paper)."""
    values = ink.values[piece.y0 : piece.y1, piece.x0 : piece.x1]
    crop = np.where(piece.mask, np.clip(values, 0, None), 0.0).astype(np.float32)
    margin = max(2, max(crop.shape) // 8)
    return np.pad(crop / np.float32(ink.strongest), margin)
