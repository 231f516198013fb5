"""The user's own handwriting: labelled drawings saved as an ImageFolder, and the
datasets that fine-tune a model on them without making it forget MNIST.

Drawings labelled "not a digit" go to FOLDER/not-a-digit/: digit training ignores that
folder (only 0..9 are classes), and fine-tuning teaches them to the not-a-digit gate
(`fine_tune_gate`), reporting how many held-out ones it turns away before and after."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
from PIL import Image

from . import preprocess
from .data import ImageSet, split_indices
from .files import atomic_write

NOT_A_DIGIT = "not-a-digit"  # the label, and the folder its drawings are kept in


def default_folder() -> Path:
    """Where drawings are kept unless the user picks another folder."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "digitpad" / "my-digits"


def save_drawing(folder: str | os.PathLike, label: int | str, pixels: np.ndarray) -> Path:
    """Save a drawing (uint8 grayscale array) as FOLDER/<label>/<time>.png, atomically;
    `label` is a digit 0-9 or NOT_A_DIGIT."""
    if label != NOT_A_DIGIT and label not in range(10):
        raise ValueError(f"a label is a digit 0-9 or '{NOT_A_DIGIT}', got {label!r}")
    target_dir = Path(folder) / str(label)
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


def negative_count(folder: str | os.PathLike) -> int:
    """Saved drawings labelled "not a digit"."""
    negatives = Path(folder) / NOT_A_DIGIT
    return len(list(negatives.glob("*.png"))) if negatives.is_dir() else 0


def load_negatives(folder: str | os.PathLike) -> tuple[np.ndarray, list[tuple[str, str]]]:
    """The user's "not a digit" drawings, preprocessed (uint8 (N, 28, 28)), and the files
    skipped with the reason (unreadable, or blank)."""
    images, skipped = [], []
    for path in sorted((Path(folder) / NOT_A_DIGIT).glob("*.png")):
        try:
            with Image.open(path) as image:
                digit = preprocess.preprocess(image)
        except (OSError, ValueError) as error:
            skipped.append((str(path), str(error) or type(error).__name__))
            continue
        if preprocess.is_blank(digit):
            skipped.append((str(path), "blank"))
        else:
            images.append(np.round(digit * 255).astype(np.uint8))
    return (np.stack(images) if images else np.zeros((0, 28, 28), np.uint8)), skipped


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


def teach_negatives(folder: str | os.PathLike, user: ImageSet, weights: str, out_dir: str | os.PathLike,
                    val_share: float, seed: int, progress=None, cancel=None):
    """After fine-tuning the classifier at `weights` on the user's digits (`user`, split as
    fine_tune_sets splits it), teach the user's "not a digit" drawings to the gate that
    goes with those weights; the new gate is written to OUT_DIR/gate.pt, beside the new
    checkpoint, and a GateFineTune report (before/after on held-out drawings) returned.
    None when there are fewer than 2 such drawings, or when cancelled."""
    from .gate_training import fine_tune_gate
    from .inference import gate_path_for

    negatives, _ = load_negatives(folder)
    if len(negatives) < 2:
        return None
    train_idx, val_idx = split_indices(len(user), val_share, seed)
    return fine_tune_gate(str(gate_path_for(weights)), negatives, user.images[train_idx], user.images[val_idx],
                          str(Path(out_dir) / "gate.pt"), val_share=val_share, seed=seed,
                          progress=progress, cancel=cancel)
