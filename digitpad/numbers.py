"""Whole numbers: find the digits in a drawing, then read each one the MNIST way.

MNIST's recipe reads one centred digit, so a number is first cut into digits:

1. The ink (as `preprocess.find_ink` sees it) falls into connected pieces.
2. Pieces stacked above one another belong together: the two strokes of an open 4, the
   flag of a 5, the bar of a 7, a dot that missed its stroke. Digits of a number sit
   side by side, so pieces whose columns mostly overlap are one digit.
3. Ink wide enough to be two digits that touch or overlap a little is cut where the
   two parts read best, if they read better than the whole (segmentation by
   recognition). "Better" weighs the model's confidence against the ink's width and
   against a small judge of the ink's shape (`piece_judge`: one whole digit, several, or
   part of one): the network is as sure of two digits squeezed into one box, or of a 6
   that a cut took the left edge off, as of one whole digit, so its confidence alone
   cannot tell them apart.
4. Short pieces beside a digit (a flag drawn apart, a stroke that came apart) join it
   when the digit reads better with them: the best grouping is found by dynamic
   programming over the pieces, left to right.

Each digit, with only its own ink, then goes through the same `Predictor` as a single
drawing, left to right. A drawing that is one digit is read exactly as before: the whole
image goes to `Predictor.predict`. Before any cutting or grouping, a drawing with one
full-height piece (perhaps with fragments beside it) that the single-digit path reads
confidently is taken as one digit: wide single digits and digits in pieces were otherwise
cut or split into several.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import ndimage

from . import piece_judge, preprocess

if TYPE_CHECKING:
    from .inference import Prediction, Predictor

# Pieces whose column ranges overlap by at least this share of the narrower one are one digit.
STACKED_OVERLAP = 0.5
# A piece this much smaller (in ink) than the largest is a stray mark: it joins its nearest
# neighbour instead of being read as a digit of its own.
SPECK_SHARE = 0.04
# How well some ink reads as one digit (its "fitness"): the log of the model's confidence,
# FLOOR when the gate turns it away, less WIDTH_PENALTY per unit of width beyond
# USUAL_WIDTH (widths in units of the line's height, the median height of the
# full-height pieces: the network is as confident about two digits squeezed into one box
# as about one, so its confidence alone cannot tell them apart; their width can). Each
# digit read costs DIGIT_COST, so that a doubtful cut or a doubtful fragment is not a
# digit of its own.
FLOOR = 0.02
USUAL_WIDTH = 0.95
# The piece judge's say: its log-probability that the ink is one whole digit (at least
# FLOOR), times this, in every candidate's fitness: cuts and groupings of fragments alike
# (a lone flag or tick, which the judge does not take for a digit, is pushed towards its
# neighbour). Chosen on the tuning sets (synth seed 0 and MNIST training digits, seed 1,
# 500 numbers each): with a first judge (trained without narrowed or widened digits) and a
# rule not kept (cutting lone pieces it took for several digits: single MNIST digits then
# lost 0.4%), 0.5 and 1.0 read 99.4% / 99.2% of the drawn set and 96.4% of the MNIST one;
# without that rule, the first judge at 0.5 read 99.0% and 96.2%, the shipped one 99.2%
# and 96.2%; without a judge, 97.2% and 93.8%.
JUDGE_WEIGHT = 0.5
WIDTH_PENALTY = 4.0
DIGIT_COST = 0.5
# Ink narrower than this (in line heights) is never tried as two digits; when the drawing
# is one piece, its own height is all there is to go by, and only ink wider than
# ALONE_CUTS times its height is tried (a single digit must read exactly as before).
TRY_CUTS = 0.75
ALONE_CUTS = 1.4
# A drawing with one full-height piece (fragments aside) is one digit, read exactly as a
# single drawing, when the single-digit path is this sure of it and the gate lets it pass:
# single MNIST digits can be twice as wide as high, as wide as two that touch, and a 5's
# flag often comes apart; 1.3% of enlarged MNIST training digits were read as two or more
# digits. Two digits that touch mostly leave the network unsure or the gate doubtful.
ALONE_SURE = 0.9
# A piece shorter than FRAGMENT_HEIGHT line heights, closer than FRAGMENT_GAP to its
# neighbour, may be a fragment of it (a flag, a bar, a stroke that came apart); full-height
# pieces (a 1 beside a 5) are digits of their own.
FRAGMENT_HEIGHT = 0.6
FRAGMENT_GAP = 0.25
# A cut leaves each side at least this share of the piece's height; cuts are tried every
# CUT_STEP of the height, upright and leaning by these slopes (x per y, as slanted writing).
MIN_PART = 0.2
CUT_STEP = 0.06
CUT_LEANS = (0.0, 0.25)
# Faint ink this close to a digit's clear ink (its antialiased edge), in line heights,
# belongs to it.
FRINGE = 0.03


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


@dataclass
class PageInk:
    """The whole drawing as light ink on black (not stretched) and its strongest value."""

    values: np.ndarray
    strongest: float

    @classmethod
    def of(cls, gray: np.ndarray) -> "PageInk":
        values = preprocess.ink_values(gray)
        return cls(values, float(values.max()))


def read_number(predictor: "Predictor", image) -> NumberRead:
    """Every digit in `image`, left to right, each read by `predictor`."""
    gray = preprocess.to_grayscale(image)
    if preprocess.find_ink(gray) is None:  # blank, or a speck: the single-digit rule
        return NumberRead([])
    ink = PageInk.of(gray)
    whole = predictor.predict(image)  # the single-digit path, which one digit must match
    pieces = find_digits(ink, predictor, whole_is_sure=not whole.unsure and whole.confidence >= ALONE_SURE)
    if len(pieces) == 1:
        return NumberRead([DigitRead(pieces[0].box, whole)])
    predictions = predictor.predict_batch([_digit_image(ink, piece) for piece in pieces])
    return NumberRead([DigitRead(piece.box, p) for piece, p in zip(pieces, predictions)])


def find_digits(ink: PageInk, predictor: "Predictor | None" = None, whole_is_sure: bool = False) -> list[Piece]:
    """Each digit's ink, left to right. Without a predictor, touching digits are not cut
    and fragments are not joined (there is nothing to judge them with). `whole_is_sure`:
    the single-digit path reads the whole drawing confidently, so ink with one full-height
    piece (and perhaps fragments: a flag, a stroke that came apart) is one digit."""
    clear = ink.values >= np.float32(preprocess.EXTENT_LEVEL) * np.float32(ink.strongest)
    labels, _ = ndimage.label(clear, structure=np.ones((3, 3)))
    pieces = [Piece(labels[box] == i + 1, box[1].start, box[0].start)
              for i, box in enumerate(ndimage.find_objects(labels)) if box is not None]
    groups = _stack_pieces(_absorb_specks(pieces))
    full = _full_height(groups)
    if whole_is_sure and len(full) == 1:
        return [functools.reduce(operator.or_, groups)]
    line_height = float(np.median([g.mask.shape[0] for g in full]))
    if predictor is not None:
        judge = _Judge(ink, predictor, line_height)
        if len(groups) == 1:
            judge.try_cuts = ALONE_CUTS
        groups = [part for group in groups for part in _split_touching(judge, group)]
        groups = _join_fragments(judge, sorted(groups, key=lambda piece: piece.x0))
    groups.sort(key=lambda piece: (piece.x0 + piece.x1) / 2)
    return _with_fringe(ink, groups, max(2, round(FRINGE * line_height)))


def _full_height(groups: list["Piece"]) -> list["Piece"]:
    """The pieces that are not fragments of a digit (a flag, a broken stroke): those at
    least FRAGMENT_HEIGHT of the tallest. The line's height is measured on these only: with
    the fragments, a digit in two pieces measured its line at half its height and looked
    too wide to be one digit."""
    tallest = max(g.mask.shape[0] for g in groups)
    return [g for g in groups if g.mask.shape[0] >= FRAGMENT_HEIGHT * tallest]


class _Judge:
    """Reads candidate digits with the model and says how well each reads as one digit."""

    def __init__(self, ink: PageInk, predictor: "Predictor", line_height: float):
        self.ink, self.predictor, self.line_height = ink, predictor, line_height
        self.try_cuts = TRY_CUTS  # ink at least this wide (in line heights) may be two digits

    def fitness(self, pieces: list["Piece"]) -> list[float]:
        reads = self.predictor.predict_batch([_digit_image(self.ink, piece) for piece in pieces])
        whole = piece_judge.one_digit_probability([piece.mask for piece in pieces])
        if whole is None:  # no judge shipped: the classifier and the width decide alone
            whole = np.ones(len(pieces))
        return [np.log(max(_score(read), FLOOR)) + JUDGE_WEIGHT * np.log(max(float(one), FLOOR))
                - WIDTH_PENALTY * max(0.0, piece.mask.shape[1] / self.line_height - USUAL_WIDTH)
                for read, piece, one in zip(reads, pieces, whole)]


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


def _split_touching(judge: _Judge, piece: Piece) -> list[Piece]:
    """A piece that may be digits touching or overlapping a little: cut where both parts
    read best, if the two read better than the whole."""
    if piece.mask.shape[1] < judge.try_cuts * judge.line_height:
        return [piece]
    parts = [(left.trimmed(), right.trimmed()) for left, right in _cuts(piece)
             if left.mask.any() and right.mask.any()]
    if not parts:
        return [piece]
    fitness = judge.fitness([piece] + [p for pair in parts for p in pair])
    whole, halves = fitness[0], fitness[1:]
    both = [halves[2 * i] + halves[2 * i + 1] - DIGIT_COST for i in range(len(parts))]
    best = int(np.argmax(both))
    if both[best] <= whole:
        return [piece]
    first, second = parts[best]
    return _split_touching(judge, first) + _split_touching(judge, second)


def _join_fragments(judge: _Judge, pieces: list[Piece]) -> list[Piece]:
    """The best way to group neighbouring pieces (up to three) into digits: a stroke
    that came apart, or a flag drawn beside its 5, reads better with its digit."""
    if len(pieces) < 2:
        return pieces
    candidates = {}  # (first, end) -> the pieces first..end-1 as one Piece
    short = [p.mask.shape[0] < FRAGMENT_HEIGHT * judge.line_height for p in pieces]
    for first in range(len(pieces)):
        group = pieces[first]
        candidates[(first, first + 1)] = group
        for end in range(first + 2, min(first + 4, len(pieces) + 1)):
            gap = pieces[end - 1].x0 - max(p.x1 for p in pieces[first : end - 1])
            if gap > FRAGMENT_GAP * judge.line_height or sum(not s for s in short[first:end]) > 1:
                break
            group = group | pieces[end - 1]
            candidates[(first, end)] = group
    keys = list(candidates)
    fitness = dict(zip(keys, judge.fitness([candidates[k] for k in keys])))
    best = [0.0] + [-np.inf] * len(pieces)  # best[i]: the best grouping of pieces[:i]
    choice = [0] * (len(pieces) + 1)
    for end in range(1, len(pieces) + 1):
        for first in range(max(0, end - 3), end):
            if (first, end) in fitness and best[first] + fitness[(first, end)] - DIGIT_COST > best[end]:
                best[end], choice[end] = best[first] + fitness[(first, end)] - DIGIT_COST, first
    groups, end = [], len(pieces)
    while end > 0:
        groups.append(candidates[(choice[end], end)])
        end = choice[end]
    return groups[::-1]


def _score(prediction: "Prediction") -> float:
    """How sure the model is that this ink is its digit: nothing if the gate refuses it."""
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


def _with_fringe(ink: PageInk, groups: list[Piece], fringe: int) -> list[Piece]:
    """Each digit's mask widened to its antialiased edge, never onto another digit's ink."""
    if len(groups) < 2:
        return groups
    taken = np.zeros(ink.values.shape, dtype=bool)
    for group in groups:
        taken[group.y0 : group.y1, group.x0 : group.x1] |= group.mask
    widened = []
    for group in groups:
        y0, x0 = max(group.y0 - fringe, 0), max(group.x0 - fringe, 0)
        y1, x1 = min(group.y1 + fringe, taken.shape[0]), min(group.x1 + fringe, taken.shape[1])
        mask = np.zeros((y1 - y0, x1 - x0), dtype=bool)
        mask[group.y0 - y0 : group.y1 - y0, group.x0 - x0 : group.x1 - x0] = group.mask
        faint = (ink.values[y0:y1, x0:x1] > 0) & ~taken[y0:y1, x0:x1]
        widened.append(Piece(mask | (ndimage.binary_dilation(mask, iterations=fringe) & faint), x0, y0).trimmed())
    return widened


def _digit_image(ink: PageInk, piece: Piece) -> np.ndarray:
    """One digit's ink alone, light on black, with a dark margin (the paper)."""
    values = ink.values[piece.y0 : piece.y1, piece.x0 : piece.x1]
    crop = np.where(piece.mask, np.clip(values, 0, None), 0.0).astype(np.float32)
    margin = max(2, max(crop.shape) // 8)
    return np.pad(crop / np.float32(ink.strongest), margin)
