"""Any image -> the 28x28 input the models expect, made the way MNIST was made.

This is the one definition of preprocessing: training, evaluation, the CLI and the
canvas all go through :func:`preprocess`. It needs only numpy and Pillow, so it stays
cheap to import and runs headless.

MNIST's recipe (LeCun et al.): the digit is size-normalised to fit a 20x20 box keeping
its aspect ratio (antialiased, so grey levels appear), then placed in a 28x28 field so
that its centre of mass sits at the centre. We add what real images need first: any
mode or size, either polarity, paper that is not pure white.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .errors import DigitpadError
from .threads import single_threaded_numpy

SIZE = 28
BOX = 20
# The centre of mass of MNIST digits, in pixel indices (row, column). Measured on the
# 60,000 training images: the mean is (14.00, 14.01), standard deviation 0.29, with
# the pixel grid starting at 0. Integer shifts keep 91% of MNIST images bit-identical.
CENTRE = (14.0, 14.0)
# Mean and standard deviation of MNIST training pixels on a 0..1 scale: the models are
# trained on (x - MEAN) / STD, and checkpoints record these numbers.
MEAN = 0.1307
STD = 0.3081
# Bumped whenever the output of preprocess() changes, so that cached datasets and
# checkpoints can tell which recipe made their inputs.
VERSION = "mnist-v1"

# Ink that differs from the paper by less than this (on 0..1) is not ink: the image is blank.
BLANK_CONTRAST = 0.08
# Fewer clearly inked pixels than this share of the image (and at least 3) is a speck of
# dust or a stray click, not a digit: a 280x280 canvas needs 40 pixels of ink.
MIN_INK_SHARE = 0.0005
MIN_INK_PIXELS = 3
# Pixels at least this bright (relative to the strongest ink) define the digit's extent.
# Fainter pixels (antialiasing, MNIST's grey fringe) are kept but do not stretch the box.
EXTENT_LEVEL = 0.2
# Fringe kept around the extent box, as a fraction of its longer side.
FRINGE = 0.15


class PreprocessError(DigitpadError, ValueError):
    """The input cannot be read as a grayscale image."""


def to_grayscale(image) -> np.ndarray:
    """A PIL image or 2-D array -> float32 array in 0..1, same polarity as the input."""
    if isinstance(image, Image.Image):
        return _pil_to_grayscale(image)
    if isinstance(image, np.ndarray):
        return _array_to_grayscale(image)
    raise PreprocessError(
        f"expected a PIL image or a 2-D numpy array, got {type(image).__name__}"
    )


def _pil_to_grayscale(image: Image.Image) -> np.ndarray:
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        values = np.asarray(image, dtype=np.float32)
        full_scale = 65535.0 if values.max(initial=0) > 255 or image.mode != "I" else 255.0
        return np.clip(values / full_scale, 0.0, 1.0)
    if image.mode == "F":
        return _array_to_grayscale(np.asarray(image, dtype=np.float32))
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    if has_alpha:
        # Transparent pixels are paper: lay the image on white before dropping alpha.
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, rgba)
    if image.mode != "L":
        image = image.convert("L")
    return np.asarray(image, dtype=np.float32) / 255.0


def _array_to_grayscale(array: np.ndarray) -> np.ndarray:
    if array.ndim == 3 and array.shape[2] in (3, 4) and array.dtype == np.uint8:
        return _pil_to_grayscale(Image.fromarray(array))
    if array.ndim != 2:
        raise PreprocessError(f"expected a 2-D grayscale array, got shape {array.shape}")
    if array.size == 0:
        raise PreprocessError("the image is empty (0 pixels)")
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    if array.dtype == np.uint16:
        return array.astype(np.float32) / 65535.0
    if array.dtype == np.bool_:
        return array.astype(np.float32)
    if np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer):
        values = np.nan_to_num(array.astype(np.float32))
        if values.max(initial=0) > 2.0:  # 0..255 data in a float array (1.02 is overshoot)
            values = values / 255.0
        return np.clip(values, 0.0, 1.0)
    raise PreprocessError(f"unsupported array type {array.dtype}")


@dataclass
class Ink:
    """The digit, cut out: light-on-dark values stretched so the strongest ink is 1.0,
    cropped to the clearly inked pixels plus a faint fringe; `longer` is the longer side
    of the clearly inked extent (what gets scaled to BOX pixels)."""

    crop: np.ndarray
    longer: int


def find_ink(image) -> Ink | None:
    """Light ink on a black background; None when there is no ink (blank, or a speck).

    The paper's shade is the median of the image border: that tells the polarity (dark
    ink on light paper, or the reverse) and is subtracted, so grey paper becomes black.
    8-bit images (the canvas, PNG files) take a path that never makes a float copy of the
    whole image: every step is a function of the pixel's byte, so it is looked up in a
    256-entry table and only the digit's crop is converted; the result is bit-identical
    to the float path's.
    """
    if isinstance(image, Image.Image) and image.mode == "L":
        image = np.asarray(image)
    if isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 2 and image.size:
        return _find_ink_in_bytes(image)
    return _find_ink_in_floats(to_grayscale(image))


def _paper(pixels: np.ndarray):
    border = np.concatenate((pixels[0], pixels[-1], pixels[1:-1, 0], pixels[1:-1, -1]))
    return np.sort(border)[len(border) // 2]  # the median, without np.median's overhead


def ink_values(gray: np.ndarray) -> np.ndarray:
    """The whole grayscale image as light ink on black, not yet stretched: what find_ink
    crops. (Reading a number needs the whole page, not one digit's crop.)"""
    paper = float(_paper(gray))
    return (paper - gray) if paper > 0.5 else (gray - paper)


def _find_ink_in_floats(gray: np.ndarray) -> Ink | None:
    ink = ink_values(gray)
    strongest = float(ink.max())
    if strongest < BLANK_CONTRAST:
        return None
    strong = ink >= np.float32(EXTENT_LEVEL) * np.float32(strongest)  # as preprocess_stack does
    rows = np.flatnonzero(strong.any(axis=1))
    cols = np.flatnonzero(strong.any(axis=0))
    extent = (int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1)
    if int(np.count_nonzero(strong)) < max(MIN_INK_PIXELS, MIN_INK_SHARE * ink.size):
        return None
    top, bottom, left, right = _with_fringe(extent, ink.shape)
    crop = np.clip(ink[top:bottom, left:right], 0.0, None) / np.float32(strongest)
    return Ink(crop, _longer(extent))


def _find_ink_in_bytes(pixels: np.ndarray) -> Ink | None:
    """_find_ink_in_floats for uint8 pixels, computed per byte value instead of per pixel.

    The ink is a monotonic function of the byte (the paper minus the pixel, or the
    reverse), so the strongest ink sits at the darkest (or lightest) byte and the clearly
    inked pixels are those beyond one byte value: both found with min/max reductions.
    """
    shade = np.arange(256, dtype=np.float32) / 255.0  # exactly what to_grayscale makes
    paper_byte = int(_paper(pixels))
    paper = float(shade[paper_byte])
    dark_ink = paper > 0.5
    ink = (paper - shade) if dark_ink else (shade - paper)
    darkest, lightest = int(pixels.min()), int(pixels.max())
    strongest = float(ink[darkest if dark_ink else lightest])
    if strongest < BLANK_CONTRAST:
        return None
    is_strong = ink >= np.float32(EXTENT_LEVEL) * np.float32(strongest)
    # The strong bytes are 0..limit (dark ink) or limit..255 (light ink).
    if dark_ink:
        limit = int(np.flatnonzero(is_strong)[-1])
        rows = np.flatnonzero(pixels.min(axis=1) <= limit)
        cols = np.flatnonzero(pixels.min(axis=0) <= limit)
    else:
        limit = int(np.flatnonzero(is_strong)[0])
        rows = np.flatnonzero(pixels.max(axis=1) >= limit)
        cols = np.flatnonzero(pixels.max(axis=0) >= limit)
    extent = (int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1)
    box = pixels[extent[0] : extent[1], extent[2] : extent[3]]
    inked = np.count_nonzero(box <= limit) if dark_ink else np.count_nonzero(box >= limit)
    if int(inked) < max(MIN_INK_PIXELS, MIN_INK_SHARE * pixels.size):
        return None
    top, bottom, left, right = _with_fringe(extent, pixels.shape)
    # The float path's arithmetic, in place on the crop only (a 256-entry table lookup
    # would give the same bits but numpy's gather is slower than these four passes).
    crop = pixels[top:bottom, left:right].astype(np.float32)
    crop /= np.float32(255.0)
    np.subtract(np.float32(paper), crop, out=crop) if dark_ink else np.subtract(crop, np.float32(paper), out=crop)
    np.clip(crop, 0.0, None, out=crop)
    crop /= np.float32(strongest)
    return Ink(crop, _longer(extent))


def _longer(extent: tuple[int, int, int, int]) -> int:
    top, bottom, left, right = extent
    return max(bottom - top, right - left)


def _with_fringe(extent: tuple[int, int, int, int], shape: tuple[int, int]) -> tuple[int, int, int, int]:
    """The extent widened by FRINGE of its longer side, kept inside the image."""
    top, bottom, left, right = extent
    fringe = int(np.ceil(FRINGE * _longer(extent)))
    return (max(top - fringe, 0), min(bottom + fringe, shape[0]),
            max(left - fringe, 0), min(right + fringe, shape[1]))


def fit_box(ink: Ink) -> np.ndarray:
    """Scale the digit's crop so that its longer inked side is BOX pixels."""
    crop = ink.crop
    scale = BOX / ink.longer
    height, width = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    if (height, width) == crop.shape:
        return crop  # already MNIST-sized: resampling would only blur it
    # Pillow's bilinear filter, which widens its support when shrinking, so this is
    # antialiased (an area average) for big canvases and smooth for small drawings that
    # grow. Two small matrix products instead of a round trip through a Pillow image:
    # a third of the time; Pillow sums in double precision, these in single, so values
    # differ from Pillow's by at most a few units in the 7th decimal.
    single_threaded_numpy()  # products this small lose milliseconds to waking BLAS threads
    across = crop @ _bilinear_weights(crop.shape[1], width).T
    return _bilinear_weights(crop.shape[0], height) @ across


@functools.lru_cache(maxsize=512)
def _bilinear_weights(in_size: int, out_size: int) -> np.ndarray:
    """(out_size, in_size) float32 weights of Pillow's bilinear resampling along one axis
    (libImaging/Resample.c, precompute_coeffs): a triangle filter, stretched by the
    shrink factor, normalised per output pixel."""
    scale = in_size / out_size
    filter_scale = max(scale, 1.0)
    support = 1.0 * filter_scale
    weights = np.zeros((out_size, in_size), dtype=np.float64)
    for out in range(out_size):
        centre = (out + 0.5) * scale
        first = max(int(centre - support + 0.5), 0)
        last = min(int(centre + support + 0.5), in_size)
        taps = np.arange(first, last)
        w = np.maximum(1.0 - np.abs((taps - centre + 0.5) / filter_scale), 0.0)
        if w.sum() != 0.0:
            w /= w.sum()
        weights[out, first:last] = w
    weights = weights.astype(np.float32)
    weights.setflags(write=False)  # shared by every call with these sizes
    return weights


def centre_by_mass(patch: np.ndarray) -> np.ndarray:
    """Place the patch in a SIZE x SIZE field with its centre of mass at CENTRE.

    The shift is a whole number of pixels, as in MNIST, so an image that is already
    centred comes out unchanged instead of blurred by a sub-pixel move.
    """
    total = float(patch.sum())
    rows = np.arange(patch.shape[0], dtype=np.float32)
    cols = np.arange(patch.shape[1], dtype=np.float32)
    com_row = float(patch.sum(axis=1) @ rows) / total
    com_col = float(patch.sum(axis=0) @ cols) / total
    off_row = int(round(CENTRE[0] - com_row))
    off_col = int(round(CENTRE[1] - com_col))
    field = np.zeros((SIZE, SIZE), dtype=np.float32)
    src_r0, src_c0 = max(0, -off_row), max(0, -off_col)
    dst_r0, dst_c0 = max(0, off_row), max(0, off_col)
    height = min(patch.shape[0] - src_r0, SIZE - dst_r0)
    width = min(patch.shape[1] - src_c0, SIZE - dst_c0)
    if height > 0 and width > 0:
        field[dst_r0 : dst_r0 + height, dst_c0 : dst_c0 + width] = patch[
            src_r0 : src_r0 + height, src_c0 : src_c0 + width
        ]
    return field


def preprocess(image) -> np.ndarray:
    """Any image -> 28x28 float32 in 0..1, light ink on black, MNIST-style.

    A blank image (no ink) gives all zeros; :func:`is_blank` tells it apart.
    """
    ink = find_ink(image)
    if ink is None:
        return np.zeros((SIZE, SIZE), dtype=np.float32)
    field = centre_by_mass(fit_box(ink))
    np.clip(field, 0.0, None, out=field)
    # Resampling softens the strongest ink below 1.0; MNIST's strongest pixels are 255.
    field /= field.max()
    return field


def is_blank(digit: np.ndarray) -> bool:
    """True for the output of preprocess() on an image with no ink."""
    return not bool(np.any(digit))


def input_contract() -> dict:
    """What a model trained here expects; stored in every checkpoint."""
    return {
        "size": SIZE,
        "mean": MEAN,
        "std": STD,
        "ink": "light-on-dark",
        "preprocess": VERSION,
    }


def preprocess_stack(images: np.ndarray) -> np.ndarray:
    """Many same-size uint8 images (N, H, W) -> (N, 28, 28), as preprocess() would.

    Folders of MNIST-like PNGs are the common case when training: their digits already
    span BOX pixels, so no resampling is needed and every other step (polarity, paper,
    contrast, extent, centre of mass) runs vectorised over the stack, about 5x faster
    than one image at a time. Images that need resampling (or are blank) take the
    one-at-a-time path, so the result is the same recipe throughout.
    """
    ink, strong, drawn = _stack_ink_on_dark(images.astype(np.float32) / 255.0)
    top, bottom = _first_last(strong.any(axis=2))
    left, right = _first_last(strong.any(axis=1))
    fits = drawn & (np.maximum(bottom - top, right - left) == BOX)
    out = np.zeros((len(images), SIZE, SIZE), dtype=np.float32)
    if fits.any():
        out[fits] = _centre_stack(ink[fits], top[fits], bottom[fits], left[fits], right[fits])
    for i in np.flatnonzero(~fits):
        out[i] = preprocess(images[i])
    return out


def _centre_stack(ink, top, bottom, left, right) -> np.ndarray:
    """fit_box (without resampling) and centre_by_mass over a stack, then the stretch."""
    n, height, width = ink.shape
    fringe = int(np.ceil(FRINGE * BOX))
    row0, row1 = np.maximum(top - fringe, 0), np.minimum(bottom + fringe, height)
    col0, col1 = np.maximum(left - fringe, 0), np.minimum(right + fringe, width)
    rows, cols = np.arange(height), np.arange(width)
    keep_rows = (rows >= row0[:, None]) & (rows < row1[:, None])
    keep_cols = (cols >= col0[:, None]) & (cols < col1[:, None])
    crop = ink * (keep_rows[:, :, None] & keep_cols[:, None, :])
    total = crop.sum(axis=(1, 2), dtype=np.float64)
    com_row = (crop.sum(axis=2) @ rows.astype(np.float32)) / total - row0
    com_col = (crop.sum(axis=1) @ cols.astype(np.float32)) / total - col0
    # Output pixel r comes from crop row r - offset, i.e. image row r - offset + row0.
    src_rows = np.arange(SIZE) - (np.round(CENTRE[0] - com_row).astype(int) - row0)[:, None]
    src_cols = np.arange(SIZE) - (np.round(CENTRE[1] - com_col).astype(int) - col0)[:, None]
    valid = ((src_rows >= 0) & (src_rows < height))[:, :, None] & ((src_cols >= 0) & (src_cols < width))[:, None, :]
    gathered = crop[np.arange(n)[:, None, None], np.clip(src_rows, 0, height - 1)[:, :, None],
                    np.clip(src_cols, 0, width - 1)[:, None, :]]
    field = np.where(valid, gathered, 0.0).astype(np.float32)
    return field / field.max(axis=(1, 2), keepdims=True)


def _stack_ink_on_dark(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """find_ink() over a stack: the stretched ink, its clearly inked pixels (compared
    exactly as find_ink compares them), and which images have a digit."""
    border = np.concatenate((gray[:, 0], gray[:, -1], gray[:, 1:-1, 0], gray[:, 1:-1, -1]), axis=1)
    paper = np.sort(border, axis=1)[:, border.shape[1] // 2][:, None, None]
    ink = np.where(paper > 0.5, paper - gray, gray - paper)
    strongest = ink.max(axis=(1, 2))
    drawn = strongest >= BLANK_CONTRAST
    strong = ink >= (EXTENT_LEVEL * strongest)[:, None, None]
    np.clip(ink, 0.0, None, out=ink)
    ink /= np.where(drawn, strongest, 1.0).astype(np.float32)[:, None, None]
    inked = np.count_nonzero(strong, axis=(1, 2))
    drawn &= inked >= max(MIN_INK_PIXELS, MIN_INK_SHARE * gray[0].size)
    return ink, strong, drawn


def _first_last(any_ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of a (N, L) mask: the first True index and one past the last."""
    first = any_ink.argmax(axis=1)
    last = any_ink.shape[1] - any_ink[:, ::-1].argmax(axis=1)
    return first, last
