"""Folders of digit images -> in-memory uint8 arrays, and MNIST import.

A dataset folder has one subfolder per class, named ``0`` .. ``9`` (torchvision's
ImageFolder layout). Every image goes through :func:`digitpad.preprocess.preprocess`,
exactly as a drawing does at prediction time, and is decoded once per run: later
epochs cost only compute. Decoding runs in worker processes and the result is cached on
disk (see dataset_cache), so a second run on the same folder starts at once.

This module needs numpy and Pillow only (no torch), so worker processes start fast.
"""

from __future__ import annotations

import errno
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Generator, Iterator

import numpy as np
from PIL import Image, PngImagePlugin, UnidentifiedImageError

from . import dataset_cache, preprocess
from .errors import DigitpadError
from .threads import usable_cores

IMAGE_SUFFIXES = {
    ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm", ".pbm",
}
DIGIT_CLASSES = [str(d) for d in range(10)]
# Below this many images, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 2000
CHUNK = 1000

Progress = Callable[[int, int], None]  # (done, total)


class DatasetError(DigitpadError, ValueError):
    """A dataset folder that cannot be used as it is laid out."""


class Cancelled(DigitpadError):
    """Work stopped because the user asked it to."""


@dataclass
class FolderScan:
    """What a dataset folder holds, before any image is opened."""

    root: Path
    # Paths as plain strings and labels as one array: a 60k-image folder as (Path, int)
    # tuples was 180k objects that every full garbage collection walked while training,
    # freezing the window for 30-70 ms each time (measured with gc.callbacks).
    paths: list[str]  # sorted by class, then path
    labels: np.ndarray  # (N,) int64, the digit of each path
    counts: dict[str, int]  # images per class folder
    fingerprint: str = ""  # changes when any image is added, removed, renamed or rewritten

    def summary(self) -> str:
        per_class = ", ".join(f"{name}: {n}" for name, n in self.counts.items())
        return f"{len(self.paths)} images in {len(self.counts)} classes ({per_class})"


@dataclass
class ImageSet:
    """Preprocessed images ready for training or evaluation."""

    images: np.ndarray  # (N, 28, 28) uint8, light ink on black
    labels: np.ndarray  # (N,) int64, the digit itself (folder "7" -> 7)
    paths: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    def __len__(self) -> int:
        return len(self.labels)

    def class_counts(self) -> dict[int, int]:
        digits, counts = np.unique(self.labels, return_counts=True)
        return {int(d): int(c) for d, c in zip(digits, counts)}


def _is_image(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES


def scan_folder(root: str | os.PathLike) -> FolderScan:
    """Check the layout and list the images; a bad layout is a DatasetError in words."""
    root = Path(root).expanduser()
    if not root.exists():
        raise DatasetError(f"dataset folder '{root}' does not exist")
    if not root.is_dir():
        raise DatasetError(f"'{root}' is a file; expected a folder with subfolders 0..9")
    subdirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    classes = [d for d in subdirs if d.name in DIGIT_CLASSES]
    if not classes:
        raise DatasetError(_layout_problem(root, subdirs))
    paths: list[str] = []
    labels: list[int] = []
    counts: dict[str, int] = {}
    digest = dataset_cache.listing_hasher(root)
    for folder in classes:
        images = sorted(_image_entries(folder), key=lambda entry: entry.path)
        counts[folder.name] = len(images)
        for entry in images:
            stat = entry.stat()
            digest.update(f"{entry.path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
            paths.append(entry.path)
        labels.extend([int(folder.name)] * len(images))
    if not paths:
        found = ", ".join(d.name for d in classes)
        raise DatasetError(f"'{root}' has class folders ({found}) but no images in them")
    return FolderScan(root=root, paths=paths, labels=np.array(labels, dtype=np.int64), counts=counts,
                      fingerprint=digest.hexdigest()[:32])


def _image_entries(folder: Path) -> Iterator[os.DirEntry]:
    """Image files below `folder`, found with scandir (no stat per file to list them)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                yield from _image_entries(Path(entry.path))
            elif entry.is_file() and os.path.splitext(entry.name)[1].lower() in IMAGE_SUFFIXES:
                yield entry


def _layout_problem(root: Path, subdirs: list[Path]) -> str:
    expected = "expected one subfolder per digit, named 0 to 9, holding its images"
    top_images = [p for p in root.iterdir() if _is_image(p)]
    if subdirs:
        names = ", ".join(d.name for d in subdirs[:8]) + (", ..." if len(subdirs) > 8 else "")
        hint = ""
        if {"train", "test"} & {d.name for d in subdirs}:
            hint = f" (did you mean '{root / 'train'}'?)"
        return f"'{root}' has folders {names} but none named 0-9{hint}; {expected}"
    if top_images:
        return f"'{root}' has {len(top_images)} images at the top level; {expected}"
    return f"'{root}' is empty; {expected}"


def _read_pixels(path) -> np.ndarray | Image.Image:
    """A grayscale file as a uint8 array (the fast, stackable case), else the PIL image."""
    with _open_image(path) as image:
        image.load()
        if image.mode == "L":
            return np.asarray(image)
        return image.copy()


def _open_image(path) -> Image.Image:
    # A .png goes straight to the PNG reader: Image.open's format sniffing costs a fifth
    # of the time of decoding a 28x28 PNG. Anything else (or a misnamed file) is sniffed.
    if str(path).lower().endswith(".png"):
        try:
            return PngImagePlugin.PngImageFile(path)
        except SyntaxError:
            pass
    return Image.open(path)


def _checked(digit: np.ndarray) -> np.ndarray:
    if preprocess.is_blank(digit):
        raise ValueError("blank image (no ink)")
    return digit


def _to_uint8(digit: np.ndarray) -> np.ndarray:
    return np.round(digit * 255.0).astype(np.uint8)


STACK = 256  # images preprocessed together: small enough to stay in the CPU cache


def _decode_chunk(paths: list[str]) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Decode many images; failures come back as (index in chunk, reason).

    Grayscale images of one size (a folder of MNIST PNGs) are preprocessed as stacks.
    """
    out = np.zeros((len(paths), preprocess.SIZE, preprocess.SIZE), dtype=np.uint8)
    failures = []
    by_shape: dict[tuple, list[tuple[int, np.ndarray]]] = {}
    for i, path in enumerate(paths):
        try:
            pixels = _read_pixels(path)
            if isinstance(pixels, np.ndarray):
                by_shape.setdefault(pixels.shape, []).append((i, pixels))
            else:
                out[i] = _to_uint8(_checked(preprocess.preprocess(pixels)))
        except Exception as error:  # noqa: BLE001 - any broken file is skipped, never fatal
            failures.append((i, _reason(error)))
    for group in by_shape.values():
        for start in range(0, len(group), STACK):
            part = group[start : start + STACK]
            index = np.array([i for i, _ in part])
            digits = preprocess.preprocess_stack(np.stack([pixels for _, pixels in part]))
            blank = ~digits.reshape(len(part), -1).any(axis=1)
            out[index[~blank]] = _to_uint8(digits[~blank])
            failures.extend((int(i), "blank image (no ink)") for i in index[blank])
    return out, sorted(failures)


# Failures that say nothing about the file: another try may well read it.
TRANSIENT_ERRNOS = {errno.EMFILE, errno.ENFILE, errno.ENOMEM, errno.EAGAIN, errno.EINTR, errno.EBUSY}
TRANSIENT = "not read this time: "


def _reason(error: Exception) -> str:
    if isinstance(error, MemoryError) or (isinstance(error, OSError) and error.errno in TRANSIENT_ERRNOS):
        return TRANSIENT + (str(error).split("\n")[0] or type(error).__name__)
    if isinstance(error, UnidentifiedImageError):
        return "not a readable image"
    text = str(error).split("\n")[0]
    return text or type(error).__name__


def load_folder(
    root: str | os.PathLike | FolderScan,
    progress: Progress | None = None,
    cache_dir: str | os.PathLike | None = None,
    workers: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ImageSet:
    """Scan, decode and preprocess a dataset folder, using the disk cache when it can.

    Unreadable or blank images are skipped and listed in ``ImageSet.skipped``.
    `should_stop` is polled between chunks; when it returns True, loading stops with
    :class:`Cancelled`.
    """
    return run_steps(load_folder_steps(root, cache_dir, workers), progress, should_stop,
                     "loading the dataset was cancelled")


def run_steps(steps: Generator, progress: Progress | None, should_stop: Callable[[], bool] | None,
              cancelled: str):
    """Drive a generator that yields (done, total) and returns a result, with callbacks:
    the form the CLI uses. A stop request closes the generator (which stops its work)
    and raises Cancelled(`cancelled`)."""
    while True:
        try:
            done, total = next(steps)
        except StopIteration as end:
            return end.value
        if progress:
            progress(done, total)
        if should_stop and should_stop():
            steps.close()
            raise Cancelled(cancelled)


def load_folder_steps(
    root: str | os.PathLike | FolderScan,
    cache_dir: str | os.PathLike | None = None,
    workers: int | None = None,
) -> Generator[tuple[int, int], None, ImageSet]:
    """load_folder as a generator: yields (images done, total) between chunks and returns
    the ImageSet; closing it stops the work (what a GUI worker's cancel does)."""
    scan = root if isinstance(root, FolderScan) else scan_folder(root)
    paths, labels = scan.paths, scan.labels
    cache = dataset_cache.entry_path(scan.fingerprint, cache_dir)
    cached = dataset_cache.read(cache, len(paths))
    if cached is not None:
        images, failed = cached
        yield len(paths), len(paths)
    else:
        images, failed = yield from _decode_all(paths, workers)
        if not any(reason.startswith(TRANSIENT) for _, reason in failed):
            dataset_cache.write(cache, images, failed)  # else the next load tries those files again
    keep = np.ones(len(paths), dtype=bool)
    keep[[i for i, _ in failed]] = False
    return ImageSet(
        images=images[keep],
        labels=labels[keep],
        paths=[p for p, k in zip(paths, keep) if k],
        skipped=[(paths[i], reason) for i, reason in failed],
    )


def _decode_all(paths, workers):
    """Yields (done, total) after each chunk; returns (images, failures)."""
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    images = np.zeros((len(paths), preprocess.SIZE, preprocess.SIZE), dtype=np.uint8)
    failed: list[tuple[int, str]] = []
    workers = workers or min(usable_cores(), 8)

    def collect(start, result) -> int:
        chunk_images, chunk_failures = result
        images[start : start + len(chunk_images)] = chunk_images
        failed.extend((start + i, reason) for i, reason in chunk_failures)
        return start + len(chunk_images)

    if workers <= 1 or len(paths) < PARALLEL_THRESHOLD:
        for index, chunk in enumerate(chunks):
            yield collect(index * CHUNK, _decode_chunk(chunk)), len(paths)
        return images, failed
    # "spawn": forking a process that runs Qt or torch threads can deadlock the child.
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        try:
            for index, result in enumerate(pool.map(_decode_chunk, chunks)):
                yield collect(index * CHUNK, result), len(paths)
        except BrokenProcessPool:
            # Workers could not start (e.g. a calling script without a __main__ guard):
            # slower, but the data still loads.
            pool.shutdown(wait=True, cancel_futures=True)
            return (yield from _decode_all(paths, 1))
        except BaseException:  # GeneratorExit too: a cancelled load stops the processes
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return images, failed


def split_indices(count: int, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A seeded shuffle of range(count) cut into (train, validation) index arrays."""
    if not 0.0 <= val_fraction < 1.0:
        raise DatasetError(f"validation split must be in [0, 1), got {val_fraction}")
    order = np.random.default_rng(seed).permutation(count)
    n_val = int(round(count * val_fraction))
    if val_fraction > 0 and count >= 2:
        n_val = min(max(n_val, 1), count - 1)
    return np.sort(order[n_val:]), np.sort(order[:n_val])
