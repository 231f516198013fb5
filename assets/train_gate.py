"""Train the not-a-digit gate shipped as assets/gate.pt (see digitpad/rejection.py and
digitpad/gate_training.py).

Digits: 20,000 MNIST training digits (read from the IDX files through digitpad's
preprocessing), 7,000 hard variants of them (turned up to 25 degrees, sheared, thin and
thick pens, tiny, pen gaps) and 3,000 pen-drawn digits in every style digitpad.synth
knows. Non-digits: 30,000 drawn from every family in digitpad/negatives.py. 5% of each is
held out: to pick the best epoch, and to fit the threshold (at most 0.4% of held-out MNIST
digits and 1% of held-out hard digits turned away). Nothing from the exam
(benchmarks/exam/) or Fashion-MNIST is used: they only measure it (benchmarks/rejection.py).

The generated material is cached in data/gate-material-*.npz (about 4 min to make on an
idle machine); 40 negatives of every family from it are written beside the gate as
negatives-sample.npz, which fine-tuning on the user's own negatives mixes in.

Usage: python assets/train_gate.py [MNIST_IDX_DIR=../shared/datasets/mnist] [OUT=assets/gate.pt]
       (5 epochs of 57,000 inputs; on the shared 2-core reference machine, loaded by other
       work, an epoch took about 13 minutes. The shipped gate.pt is the best of the first 3
       epochs of such a run, stopped there for time: see the README's "Shipped weights".)
"""

import sys
import time
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from digitpad import checkpoint as ckpt
from digitpad.gate_training import GateMaterial, GateRecipe, train_gate, write_negatives_sample
from digitpad.mnist import read_mnist
from digitpad.preprocess import preprocess_stack

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"mnist": 20_000, "hard": 7_000, "drawn": 3_000, "negatives": 30_000}
RECIPE = GateRecipe(epochs=5, batch_size=128, lr=3e-3, seed=0)
MATERIAL_VERSION = 2  # bump when a generator changes: the cache below is keyed by it


def material(mnist_dir: str, seed: int = 0) -> GateMaterial:
    """The training material, made once and cached under data/."""
    cache = ROOT / "data" / f"gate-material-v{MATERIAL_VERSION}-{seed}-{SIZES['mnist']}-{SIZES['negatives']}.npz"
    if cache.is_file():
        return GateMaterial.load(cache)
    images, _ = read_mnist(mnist_dir, "train")
    pick = np.random.default_rng(seed).permutation(len(images))[: SIZES["mnist"]]
    mnist = np.round(preprocess_stack(images[pick]) * 255).astype(np.uint8)
    made = GateMaterial.make(mnist, SIZES["hard"], SIZES["drawn"], SIZES["negatives"], seed=seed + 1)
    cache.parent.mkdir(parents=True, exist_ok=True)
    made.save(cache)
    return made


def main(mnist_dir: str = str(ROOT.parent / "shared" / "datasets" / "mnist"), out: str = "assets/gate.pt") -> None:
    torch.set_num_threads(2)
    started = time.perf_counter()
    stuff = material(mnist_dir)
    print(f"material: {len(stuff.mnist) + len(stuff.hard)} digits, {len(stuff.negatives)} non-digits "
          f"from {len(stuff.families)} families ({time.perf_counter() - started:.0f} s)", flush=True)
    training, validation, threshold_digits = stuff.sets(0.05, RECIPE.seed)
    with tqdm(total=RECIPE.epochs, unit="epoch") as bar:
        def show(record):
            if record.kind == "epoch":
                bar.update(1)
                bar.set_postfix(val_acc=f"{record.val_accuracy:.4f}")
        saved = train_gate(training, validation, threshold_digits, RECIPE, progress=show)
    saved.meta["trained_on"] = (f"{len(training)} inputs: MNIST training digits, hard variants and pen-drawn "
                                f"digits against {len(stuff.families)} generated non-digit families")
    saved.meta["families"] = stuff.families
    ckpt.save(saved, out)
    write_negatives_sample(stuff, Path(out).with_name("negatives-sample.npz"))
    print(f"{out}: threshold {saved.meta['threshold']:.3f} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main(*sys.argv[1:])
