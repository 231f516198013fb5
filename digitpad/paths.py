"""Where digitpad's shipped files live (no torch needed to ask)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def assets_dir() -> Path:
    """The shipped weights and samples: $DIGITPAD_ASSETS, the checkout's assets/, or the
    copy a wheel install puts under sys.prefix."""
    candidates = [
        os.environ.get("DIGITPAD_ASSETS"),
        Path(__file__).resolve().parent.parent / "assets",
        Path(sys.prefix) / "share" / "digitpad" / "assets",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "cnn.pt").is_file():
            return Path(candidate)
    return Path(__file__).resolve().parent.parent / "assets"
