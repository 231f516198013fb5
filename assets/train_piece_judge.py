"""Train the piece judge shipped as assets/piece_judge.pt (see digitpad/piece_judge.py).

Material, from MNIST *training* digits only (the first 50,000 for training, the last
10,000 for picking the epoch): pairs of digits enlarged to 56-112 pixels high, each
0.6-1.25 times as wide as MNIST drew it, pens thickened at random, pasted touching or
overlapping (gaps from -15% to +2% of the height). Each pair gives: the pair ("several
digits"), each digit alone ("one digit"), and sides of the cuts `numbers` would try
across the pair, labelled by how much of one digit they hold and how pure they are ("one
digit" or "part of a digit"). Pen-drawn numbers (digitpad.synth) and MNIST test digits
are never used: they measure it (benchmarks/number_reading.py).

Usage: python assets/train_piece_judge.py [MNIST_IDX_DIR=../shared/datasets/mnist] [OUT=assets/piece_judge.pt]
       (about 1 minute to make the material and 40 s an epoch on the 2-core reference machine)
"""

import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from scipy import ndimage
from tqdm import tqdm

from digitpad import piece_judge
from digitpad.preprocess import EXTENT_LEVEL
from digitpad.mnist import read_mnist
from digitpad.numbers import Piece, _cuts

ROOT = Path(__file__).resolve().parent.parent
TRAIN_PAIRS, CHECK_PAIRS, EPOCHS, BATCH, LR = 20_000, 2_000, 6, 256, 1e-3
PARTS_PER_PAIR, WHOLE_CUTS_PER_PAIR = 3, 1
WIDTH_SCALE = (0.6, 1.25)  # each digit's width against MNIST's own


def enlarged(digit: np.ndarray, height: int, rng: np.random.Generator) -> np.ndarray:
    """One MNIST digit as a bool mask `height` pixels high, narrowed or widened (so that a
    narrow digit is not taken for a part of one by its width alone), pen thickened 0-3
    pixels, cropped to its ink."""
    width = int(height * rng.uniform(*WIDTH_SCALE))
    big = np.asarray(Image.fromarray(digit).resize((width, height), Image.Resampling.BILINEAR))
    mask = big >= EXTENT_LEVEL * big.max()  # the clear ink numbers sees
    thicker = int(rng.integers(0, 4))
    if thicker:
        mask = ndimage.binary_dilation(mask, iterations=thicker)
    return piece_judge.cropped_to_ink(mask)


def pasted_pair(a: np.ndarray, b: np.ndarray, height: int, rng: np.random.Generator):
    """Each digit's mask on one page, b right of a, touching or overlapping a little."""
    gap = int(rng.uniform(-0.15, 0.02) * height)
    top_a, top_b = (int(rng.integers(0, height // 8 + 1)) for _ in range(2))
    left_b = max(0, a.shape[1] + gap)
    shape = (max(top_a + a.shape[0], top_b + b.shape[0]), max(a.shape[1], left_b + b.shape[1]))
    first, second = np.zeros(shape, dtype=bool), np.zeros(shape, dtype=bool)
    first[top_a : top_a + a.shape[0], : a.shape[1]] = a
    second[top_b : top_b + b.shape[0], left_b : left_b + b.shape[1]] = b
    return first, second


def pair_material(a, b, height, rng) -> list[tuple[np.ndarray, int]]:
    first, second = pasted_pair(a, b, height, rng)
    both = first | second
    material = [(both, piece_judge.SEVERAL), (a, piece_judge.ONE), (b, piece_judge.ONE)]
    sides = {piece_judge.ONE: [], piece_judge.PART: []}
    for left, right in _cuts(Piece(both, 0, 0)):
        for side, digit in ((left.mask, first), (right.mask, second)):
            label = piece_judge.label_side(side, digit) if np.count_nonzero(side) >= 20 else None
            if label is not None:
                sides[label].append(side)
    for label, keep in ((piece_judge.PART, PARTS_PER_PAIR), (piece_judge.ONE, WHOLE_CUTS_PER_PAIR)):
        found = len(sides[label])
        picks = rng.choice(found, min(keep, found), replace=False) if found else []
        material.extend((sides[label][i], label) for i in picks)
    return material


def make_material(images: np.ndarray, pairs: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(seed)
    frames, labels = [], []
    for _ in tqdm(range(pairs), desc="pairs", unit="pair", leave=False):
        i, j = rng.choice(len(images), 2, replace=False)
        height = int(rng.integers(56, 113))
        first, second = enlarged(images[i], height, rng), enlarged(images[j], height, rng)
        for mask, label in pair_material(first, second, height, rng):
            frames.append(piece_judge.judge_input(mask))
            labels.append(label)
    return torch.from_numpy(np.stack(frames))[:, None], torch.tensor(labels)


def accuracy(network, frames, labels) -> float:
    network.eval()
    with torch.inference_mode():
        return float((network(frames).argmax(dim=1) == labels).float().mean())


def main() -> int:
    mnist = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "datasets" / "mnist"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "assets" / "piece_judge.pt"
    torch.manual_seed(0)
    images, _ = read_mnist(mnist, "train")
    frames, labels = make_material(images[:50_000], TRAIN_PAIRS, seed=11)
    check_frames, check_labels = make_material(images[50_000:], CHECK_PAIRS, seed=12)
    per_class = np.bincount(labels.numpy()).tolist()
    print(f"material: {len(labels)} pieces, per class {per_class} {piece_judge.CLASSES}")
    network = piece_judge.build_network()
    optimizer = torch.optim.Adam(network.parameters(), lr=LR)
    best = -1.0
    for epoch in range(EPOCHS):
        network.train()
        start = time.perf_counter()
        for batch in torch.randperm(len(labels)).split(BATCH):
            loss = torch.nn.functional.cross_entropy(network(frames[batch]), labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        checked = accuracy(network, check_frames, check_labels)
        print(f"epoch {epoch + 1}: held-out pieces {checked:.2%} ({time.perf_counter() - start:.0f} s)")
        if checked > best:
            best = checked
            piece_judge.save(network, out)
    print(f"wrote {out} (held-out pieces {best:.2%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
