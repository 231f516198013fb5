"""Is this ink one whole digit, several digits, or part of a digit? A small CNN that helps
`numbers` decide where touching digits part.

The digit classifier alone cannot tell: it reads two narrow digits squeezed into one box,
or a 6 whose left edge a cut took away, as surely as a whole digit (a 6 missing its left
side reads "5" with confidence 1.0). This judge looks at the ink's shape only, its width
kept: the piece is scaled to 24 pixels high (or 52 wide, whichever comes first) and
centred in a 28x56 frame. It is trained on MNIST *training* digits only, pasted as
touching or overlapping pairs and cut the way `numbers` cuts them (assets/
train_piece_judge.py); pen-drawn numbers (digitpad.synth) are never shown to it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from .paths import assets_dir

if TYPE_CHECKING:
    import torch

ONE, SEVERAL, PART = 0, 1, 2
CLASSES = ("one digit", "several digits", "part of a digit")
FRAME = (28, 56)  # height, width of the judge's input
INK_HEIGHT, INK_WIDTH = 24, 52  # the largest the ink is drawn in that frame
# A side of a cut is a whole digit when it holds this share of one pasted digit's ink and
# this share of its own ink comes from that digit; part of a digit below PART_BELOW.
WHOLE_SHARE, PART_BELOW = 0.97, 0.9


def cropped_to_ink(mask: np.ndarray) -> np.ndarray:
    """`mask` (bool) cut to the box of its ink."""
    if not mask.any():
        raise ValueError("the piece judge needs some ink")
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return mask[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def judge_input(mask: np.ndarray) -> np.ndarray:
    """(28, 56) float32 in 0..1: the ink of `mask` (bool), its proportions kept. Scale is
    normalised away: a dot fills the frame's height as a digit does."""
    ink = cropped_to_ink(mask)
    height, width = ink.shape
    scale = min(INK_HEIGHT / height, INK_WIDTH / width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = Image.fromarray(ink.astype(np.uint8) * 255).resize(size, Image.Resampling.BOX)
    frame = np.zeros(FRAME, dtype=np.float32)
    top, left = (FRAME[0] - size[1]) // 2, (FRAME[1] - size[0]) // 2
    frame[top : top + size[1], left : left + size[0]] = np.asarray(small, dtype=np.float32) / 255
    return frame


def build_network() -> "torch.nn.Module":
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 3 * 7, 64), nn.ReLU(), nn.Linear(64, len(CLASSES)))


def save(network: "torch.nn.Module", path) -> None:
    """The weights with their input contract, written whole or not at all."""
    import torch

    from .files import atomic_write

    payload = {"kind": "piece-judge", "frame": list(FRAME), "ink": [INK_HEIGHT, INK_WIDTH],
               "classes": list(CLASSES), "state_dict": network.state_dict()}
    with atomic_write(path) as tmp:
        torch.save(payload, tmp)


def load(path) -> "torch.nn.Module":
    """A saved judge (weights_only); ValueError when the file is not one for this input."""
    import torch

    payload = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or payload.get("kind") != "piece-judge" or "state_dict" not in payload:
        raise ValueError(f"{path} is not a digitpad piece judge")
    if payload.get("frame") != list(FRAME) or payload.get("ink") != [INK_HEIGHT, INK_WIDTH]:
        raise ValueError(f"{path} expects another input ({payload.get('frame')}, ink {payload.get('ink')})")
    if payload.get("classes") != list(CLASSES):  # another order would read the wrong column
        raise ValueError(f"{path} has other classes: {payload.get('classes')}")
    network = build_network()
    network.load_state_dict(payload["state_dict"])
    return network.eval()


@functools.cache
def shipped() -> "torch.nn.Module | None":
    """The shipped judge, or None where it is missing (an assets folder from before it,
    as $DIGITPAD_ASSETS): numbers then cuts by the classifier alone, as it used to."""
    path = assets_dir() / "piece_judge.pt"
    return load(path) if path.is_file() else None


def one_digit_probability(masks: list[np.ndarray]) -> np.ndarray | None:
    """For each mask (bool), the shipped judge's probability that it is one whole digit;
    None without a shipped judge."""
    import torch

    if shipped() is None:
        return None
    frames = torch.from_numpy(np.stack([judge_input(mask) for mask in masks]))[:, None]
    with torch.inference_mode():
        return torch.softmax(shipped()(frames), dim=1)[:, ONE].numpy()


def label_side(side: np.ndarray, digit: np.ndarray) -> int | None:
    """ONE, PART or None (in between) for one side of a cut, against the pasted digit
    (a bool mask of the same page) that side should hold."""
    hit = np.count_nonzero(side & digit)
    kept, pure = hit / max(np.count_nonzero(digit), 1), hit / max(np.count_nonzero(side), 1)
    if kept >= WHOLE_SHARE and pure >= WHOLE_SHARE:
        return ONE
    if kept < PART_BELOW or pure < PART_BELOW:
        return PART
    return None
