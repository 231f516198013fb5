"""MNIST in, PNG folders out: read the IDX files and write an ImageFolder layout."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import numpy as np
from PIL import Image

from . import preprocess
from .data import ImageSet, Progress
from .errors import DigitpadError

IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
SPLITS = {"train": "train", "test": "t10k"}
COMPLETE_MARKER = ".export-complete"


class MnistError(DigitpadError):
    pass


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """An IDX file (gzipped or not) -> numpy array of its declared shape."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as error:
        raise MnistError(f"cannot read '{path}': {error}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_DTYPES:
        raise MnistError(f"'{path}' is not an IDX file")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    dtype = np.dtype(IDX_DTYPES[raw[2]])
    expected = int(np.prod(dims)) * dtype.itemsize
    body = raw[4 + 4 * ndim :]
    if len(body) != expected:
        raise MnistError(f"'{path}' is truncated: {len(body)} of {expected} data bytes")
    return np.frombuffer(body, dtype=dtype).reshape(dims)


def _find(source: Path, stem: str) -> Path:
    # Both spellings exist in the wild: train-images-idx3-ubyte and train-images.idx3-ubyte.
    for name in (stem, stem.replace("-idx", ".idx")):
        for candidate in (source / name, source / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    raise MnistError(f"'{source}' has no {stem} (or {stem}.gz); expected the four MNIST IDX files")


def read_mnist(source: str | os.PathLike, split: str) -> tuple[np.ndarray, np.ndarray]:
    """(images (N, 28, 28) uint8, labels (N,) uint8) of 'train' or 'test' from IDX files."""
    source = Path(source)
    prefix = SPLITS[split]
    images = read_idx(_find(source, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(_find(source, f"{prefix}-labels-idx1-ubyte"))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise MnistError(
            f"'{source}': {split} images {images.shape} and labels {labels.shape} do not match"
        )
    return images, labels


def download_mnist(split: str, root: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """The same arrays through torchvision, which downloads them (needs internet)."""
    from torchvision.datasets import MNIST

    try:
        dataset = MNIST(root=str(root), train=(split == "train"), download=True)
    except (OSError, RuntimeError) as error:
        raise MnistError(
            f"could not download MNIST ({error}); without internet, pass --source DIR "
            "with the four IDX files"
        ) from None
    return dataset.data.numpy(), dataset.targets.numpy().astype(np.uint8)


def write_image_folder(
    images: np.ndarray, labels: np.ndarray, out: Path, progress: Progress | None = None
) -> None:
    """Write images as OUT/<label>/<index>.png."""
    for digit in range(10):
        (out / str(digit)).mkdir(parents=True, exist_ok=True)
    total = len(images)
    for index, (image, label) in enumerate(zip(images, labels)):
        Image.fromarray(image).save(out / str(int(label)) / f"{index:05d}.png", optimize=False)
        if progress and (index % 500 == 499 or index == total - 1):
            progress(index + 1, total)


def export_mnist(
    out: str | os.PathLike,
    source: str | os.PathLike | None = None,
    progress_for: "callable | None" = None,
) -> dict[str, int]:
    """Write OUT/train/0..9 and OUT/test/0..9; returns the image count per split.

    `progress_for(split)` may return a (done, total) callback for that split.
    """
    out = Path(out)
    counts = {}
    for split in SPLITS:
        if source is not None:
            images, labels = read_mnist(source, split)
        else:
            images, labels = download_mnist(split, out / ".download")
        progress = progress_for(split) if progress_for else None
        write_image_folder(images, labels, out / split, progress)
        counts[split] = len(images)
    (out / COMPLETE_MARKER).write_text(json.dumps(counts))  # written last: the export is whole
    return counts


SAMPLE_FILES = {"test": "mnist-sample.npz", "train": "mnist-train-sample.npz"}


def load_sample(split: str = "test") -> ImageSet:
    """1,000 MNIST digits shipped with digitpad (100 per class), preprocessed: the "test"
    sample is for evaluating, the "train" one for mixing into fine-tuning (so that an
    evaluation never scores digits a model was tuned on)."""
    from .paths import assets_dir

    path = assets_dir() / SAMPLE_FILES[split]
    try:
        with np.load(path) as saved:
            images, labels, index = saved["images"], saved["labels"], saved[f"{split}_index"]
    except (OSError, KeyError, ValueError) as error:
        raise MnistError(f"the built-in MNIST sample is missing or damaged ({path}): {error}") from None
    digits = np.round(preprocess.preprocess_stack(images) * 255).astype(np.uint8)
    return ImageSet(images=digits, labels=labels.astype(np.int64),
                    paths=[f"MNIST {split} #{i}" for i in index])
