"""The user's own handwriting: labelled drawings saved as an ImageFolder, and the
datasets that fine-tune a model on them without making it forget MNIST."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
from PIL import Image

from .data import ImageSet, split_indices
from .files import atomic_write


def default_folder() -> Path:
    """Where drawings are kept unless the user picks another folder."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "digitpad" / "my-digits"


def save_drawing(folder: str | os.PathLike, digit: int, pixels: np.ndarray) -> Path:
    """Save a drawing (uint8 grayscale array) as FOLDER/<digit>/<time>.png, atomically."""
    if digit not in range(10):
        raise ValueError(f"a label is a digit 0-9, got {digit}")
    target_dir = Path(folder) / str(digit)
    target_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path, n = target_dir / f"{stamp}.png", 1
    while path.exists():
        n += 1
        path = target_dir / f"{stamp}-{n}.png"
    with atomic_write(path) as tmp:
        Image.fromarray(np.asarray(pixels, dtype=np.uint8)).save(tmp, format="PNG")
    return path


def class_counts(folder: str | os.PathLike) -> dict[int, int]:
    """Saved drawings per digit (0 for digits with none yet)."""
    folder = Path(folder)
    return {d: (len(list((folder / str(d)).glob("*.png"))) if (folder / str(d)).is_dir() else 0)
            for d in range(10)}


def fine_tune_sets(user: ImageSet, mnist: ImageSet | None, val_share: float, seed: int) -> tuple[ImageSet, ImageSet]:
    """(training set, held-out set): the held-out part is the user's drawings only, so the
    before/after accuracy speaks of their handwriting; MNIST digits, if given, join the
    training set so the model does not forget what it knew."""
    train_idx, val_idx = split_indices(len(user), val_share, seed)
    train = ImageSet(user.images[train_idx], user.labels[train_idx])
    if mnist is not None and len(mnist):
        train = ImageSet(np.concatenate([train.images, mnist.images]),
                         np.concatenate([train.labels, mnist.labels]))
    return train, ImageSet(user.images[val_idx], user.labels[val_idx])
