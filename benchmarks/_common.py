"""Shared by the benchmark scripts: where MNIST is, and its PNG export (made once)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from digitpad.mnist import COMPLETE_MARKER

ROOT = Path(__file__).resolve().parent.parent


def mnist_idx_dir() -> Path:
    """The MNIST IDX files: $DIGITPAD_MNIST, else ../shared/datasets/mnist beside the checkout."""
    path = Path(os.environ.get("DIGITPAD_MNIST", ROOT.parent / "shared" / "datasets" / "mnist"))
    if not path.is_dir():
        sys.exit(f"MNIST IDX files not found at {path}; set DIGITPAD_MNIST")
    return path


def mnist_png_dir() -> Path:
    """MNIST as PNG folders (train/, test/), exported with `digitpad export-mnist` once."""
    out = Path(os.environ.get("DIGITPAD_MNIST_PNG", ROOT / "data" / "mnist"))
    if not (out / COMPLETE_MARKER).is_file():  # written last: an interrupted export redoes
        subprocess.run([sys.executable, "-m", "digitpad", "export-mnist", str(out),
                        "--source", str(mnist_idx_dir())], check=True)
    return out
