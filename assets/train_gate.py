"""Train the not-a-digit gate shipped as assets/gate.pt (see digitpad/rejection.py).

Digits: 30,000 MNIST training PNGs (through digitpad's preprocessing). Non-digits: 30,000
generated scribbles, random strokes, letters and filled shapes (seeded). 10% of each is
held out; the threshold is fitted on the held-out digits. Fashion-MNIST is never used
here: it only measures the gate (benchmarks/calibration.py).

Usage: python assets/train_gate.py MNIST_TRAIN_PNG_DIR [OUT=assets/gate.pt]   (~5 min, 2 cores)
"""

import sys
import tempfile

import numpy as np

from digitpad import checkpoint as ckpt
from digitpad.data import load_folder
from digitpad.rejection import GATE_ARGS, GATE_CLASSES, GATE_MODEL, NotDigitGate, fit_threshold, gate_dataset, non_digit_images
from digitpad.train import TrainConfig, train

COUNT = 30_000


def main(train_dir: str, out: str = "assets/gate.pt") -> None:
    digits = load_folder(train_dir)
    pick = np.random.default_rng(0).permutation(len(digits))[:COUNT]
    digits.images, digits.labels = digits.images[pick], digits.labels[pick]
    dataset = gate_dataset(digits, non_digit_images(COUNT, seed=0))
    with tempfile.TemporaryDirectory() as run_dir:
        config = TrainConfig(model=GATE_MODEL, model_args={k: v for k, v in GATE_ARGS.items() if k != "classes"},
                             classes=GATE_CLASSES, epochs=8, batch_size=128, lr=3e-3, val_split=0.1,
                             augment=True, seed=0, device="cpu", out_dir=run_dir)
        for record in train(config, dataset):
            if record.kind == "epoch":
                print(f"epoch {record.epoch}: val acc {record.val_accuracy:.4f}", flush=True)
        saved = ckpt.load(record.best_path)
    saved.training_state = None
    held_out_digits = _held_out_digits(dataset, config)
    gate = NotDigitGate(saved, device=__import__("torch").device("cpu"))
    saved.meta["threshold"] = fit_threshold(gate.not_digit_probability(held_out_digits))
    saved.meta["trained_on"] = f"{COUNT} MNIST training digits vs {COUNT} generated non-digits"
    ckpt.save(saved, out)
    print(f"{out}: threshold {saved.meta['threshold']:.3f}")


def _held_out_digits(dataset, config) -> np.ndarray:
    from digitpad.data import split_indices

    _, val = split_indices(len(dataset), config.val_split, config.seed)
    val = val[dataset.labels[val] == 0]
    return dataset.images[val].astype(np.float32) / 255


if __name__ == "__main__":
    main(*sys.argv[1:])
