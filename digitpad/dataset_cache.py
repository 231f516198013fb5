"""The disk cache of decoded datasets: a second run on the same folder starts at once.

One .npz file per dataset folder listing, named by a hash of what made its contents:
the folder's listing (names, sizes, modification times), the preprocessing recipe, the
decoder (this module's DECODER_VERSION and Pillow's version). Anything that changes one
of them makes a new entry; the old one is never read again and ages out.

The cache is capped in size ($DIGITPAD_CACHE_LIMIT_MB, default 1024 MB): after each
write, the least recently used entries go until the rest fits. Reading an entry marks
it used (its modification time is set to now: access times are unreliable on
relatime/noatime mounts).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import PIL

from . import preprocess
from .files import atomic_write

# Bumped when decoding changes what a cache entry holds. decode-v2: resampling by matrix
# products (preprocess.fit_box), a few pixels in 100,000 can round to the next level.
DECODER_VERSION = "decode-v2"
DEFAULT_LIMIT_MB = 1024
_ENTRY = re.compile(r"^[0-9a-f]{32}\.npz$")  # only these are ever evicted or cleared


def decoder_key() -> str:
    """Everything besides the files that decides a decoded dataset's pixels."""
    return f"{DECODER_VERSION}|{preprocess.VERSION}|pillow-{PIL.__version__}"


def listing_hasher(root: Path):
    """A hash to feed the folder's listing into; its hexdigest()[:32] names the entry."""
    return hashlib.sha256(f"{decoder_key()}|{root.resolve()}".encode())


def default_dir() -> Path:
    if os.environ.get("DIGITPAD_CACHE"):
        return Path(os.environ["DIGITPAD_CACHE"]) / "datasets"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "digitpad" / "datasets"


def limit_bytes() -> int:
    try:
        megabytes = float(os.environ.get("DIGITPAD_CACHE_LIMIT_MB", DEFAULT_LIMIT_MB))
    except ValueError:
        megabytes = DEFAULT_LIMIT_MB
    return int(max(megabytes, 0) * 1024 * 1024)


def entry_path(fingerprint: str, folder: str | os.PathLike | None = None) -> Path:
    return Path(folder or default_dir()) / f"{fingerprint}.npz"


def read(path: Path, count: int):
    """(images, failures) from an entry, or None when absent, damaged or not for `count` files."""
    try:
        with np.load(path) as saved:
            images = saved["images"]
            failed = [(int(i), str(reason)) for i, reason in json.loads(str(saved["failed"]))]
    except Exception:  # noqa: BLE001 - a damaged entry only costs a fresh decode
        return None
    if images.dtype != np.uint8 or images.shape != (count, preprocess.SIZE, preprocess.SIZE):
        return None
    _touch(path)
    return images, failed


def write(path: Path, images: np.ndarray, failed, limit: int | None = None) -> None:
    """Best effort: a read-only or full disk only costs the next run its head start."""
    try:
        with atomic_write(path, durable=False) as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, images=images, failed=np.array(json.dumps(failed)))
    except OSError:
        return
    evict(path.parent, limit_bytes() if limit is None else limit, keep=path)


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass  # a read-only cache still serves; it just forgets what was used


@dataclass
class Entry:
    path: Path
    size: int
    used: float  # when last written or read (seconds since the epoch)


def entries(folder: str | os.PathLike | None = None) -> list[Entry]:
    """The cache's entries, least recently used first."""
    folder = Path(folder or default_dir())
    found = []
    try:
        listing = list(os.scandir(folder))
    except OSError:
        return []
    for item in listing:
        if _ENTRY.match(item.name):
            try:
                stat = item.stat()
            except OSError:
                continue  # removed meanwhile by another process
            found.append(Entry(Path(item.path), stat.st_size, stat.st_mtime))
    return sorted(found, key=lambda entry: entry.used)


def evict(folder: Path, limit: int, keep: Path | None = None) -> list[Path]:
    """Remove least recently used entries until the cache fits in `limit` bytes.
    `keep` (the entry just written) stays even if it alone is larger."""
    cached = entries(folder)
    total = sum(entry.size for entry in cached)
    removed = []
    for entry in cached:
        if total <= limit:
            break
        if keep is not None and entry.path == keep:
            continue
        entry.path.unlink(missing_ok=True)
        total -= entry.size
        removed.append(entry.path)
    return removed


def clear(folder: str | os.PathLike | None = None) -> tuple[int, int]:
    """Remove every entry: (how many, bytes freed)."""
    cached = entries(folder)
    for entry in cached:
        entry.path.unlink(missing_ok=True)
    return len(cached), sum(entry.size for entry in cached)


def describe(folder: str | os.PathLike | None = None) -> dict:
    """What `digitpad cache --info` prints."""
    folder = Path(folder or default_dir())
    cached = entries(folder)
    return {
        "folder": str(folder),
        "entries": len(cached),
        "bytes": sum(entry.size for entry in cached),
        "limit_bytes": limit_bytes(),
        "decoder": decoder_key(),
        "oldest_use": time.strftime("%Y-%m-%d %H:%M", time.localtime(cached[0].used)) if cached else None,
    }
