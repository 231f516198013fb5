"""Every exam set, preprocessed as the app would: name -> uint8 (N, 28, 28).

Negatives: font letters, Chinese characters, symbols; Pillow-drawn shapes and pictures;
Fashion-MNIST (real photos). Positives: MNIST test digits, scikit-learn's UCI digits
(43 writers), MNIST test digits redrawn by a harder hand (exam.warp: turned, slanted,
wavy, other pens), and font digits warped by a hand. Seeds from 70000 up.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from digitpad import preprocess
from digitpad.mnist import read_idx, read_mnist

from .glyphs import DIGITS, HANZI, LATIN, SYMBOLS, glyph_pages
from .shapes import SHAPES, shape_pages
from .warp import hand_warp, to_page

FASHION = Path("/usr/share/datasets/fashion-mnist")


def _inputs(pages) -> np.ndarray:
    """Pages -> preprocessed uint8 inputs; blank pages are dropped (a blank is not a verdict)."""
    inputs = [preprocess.preprocess(page) for page in pages]
    kept = [x for x in inputs if not preprocess.is_blank(x)]
    return np.round(np.stack(kept) * 255).astype(np.uint8) if kept else np.zeros((0, 28, 28), np.uint8)


def negative_sets(per_set: int = 300, per_shape: int = 60) -> dict[str, np.ndarray]:
    sets = {
        "font letters": _inputs(glyph_pages(LATIN, per_set, seed=70001)),
        "font Chinese characters": _inputs(glyph_pages(HANZI, per_set, seed=70002)),
        "font symbols": _inputs(glyph_pages(SYMBOLS, per_set, seed=70003)),
    }
    for index, name in enumerate(SHAPES):
        sets[f"drawn {name}"] = _inputs(shape_pages(name, per_shape, seed=71000 + index))
    return sets


def fashion(count: int = 10_000) -> np.ndarray | None:
    path = FASHION / "t10k-images-idx3-ubyte.gz"
    if not path.is_file():
        return None
    images = preprocess.preprocess_stack(read_idx(path)[:count])
    images = images[images.reshape(len(images), -1).any(axis=1)]
    return np.round(images * 255).astype(np.uint8)


def mnist_test(mnist_dir: Path) -> np.ndarray:
    images, _ = read_mnist(mnist_dir, "test")
    return np.round(preprocess.preprocess_stack(images) * 255).astype(np.uint8)


def uci_digits() -> np.ndarray:
    """scikit-learn's 1,797 UCI digits (8x8, 0..16), scaled up and preprocessed."""
    from sklearn.datasets import load_digits

    pages = [Image.fromarray((x.reshape(8, 8) * 255 / 16).astype(np.uint8)).resize((32, 32), Image.Resampling.BILINEAR)
             for x in load_digits().data]
    return _inputs(pages)


def hard_mnist(mnist: np.ndarray, count: int = 2000, seed: int = 72001) -> np.ndarray:
    """MNIST test digits redrawn by a harder hand (exam.warp at 1.6x its strength)."""
    rng = np.random.default_rng(seed)
    pages = []
    for i in rng.choice(len(mnist), count, replace=False):
        big = np.asarray(Image.fromarray(mnist[i]).resize((112, 112), Image.Resampling.BILINEAR), np.float64) / 255
        pages.append(to_page(hand_warp(np.pad(big, 44), rng, strength=1.6), rng))
    return _inputs(pages)


def font_digits(count: int = 1000, seed: int = 72002) -> np.ndarray:
    return _inputs(glyph_pages(DIGITS, count, seed))
