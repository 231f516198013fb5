"""Prediction and training while another program keeps every core busy.

Alternates quiet and busy rounds in one process: in a busy round, one spinning process
per usable core (the "CPU hog") runs beside the work. Each round measures one drawing's
prediction (280x280 canvas drawings, preprocessing + classifier + not-a-digit gate, the
shipped MLP and CNN, with digitpad's one prediction thread) and a CNN training epoch on
MNIST training digits with the thread count digitpad picks (digitpad.threads.
training_threads: OMP_NUM_THREADS, else the usable cores, fewer when they are busy).
Ratios are busy / quiet within each round; the medians over rounds are reported.
For comparison, one more busy training epoch with torch's default thread count (what
digitpad did before it looked at the load).

Target: busy <= 3x quiet, for prediction and training.

    python benchmarks/under_load.py [--rounds 5] [--train-images 3000]
"""

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time

import numpy as np
import torch

from _common import mnist_idx_dir
from digitpad.benchmarking import canvas_drawings, time_predictions
from digitpad.data import ImageSet
from digitpad.inference import Predictor
from digitpad.mnist import read_mnist
from digitpad.threads import PREDICTION_THREADS, training_threads, usable_cores, use_threads
from digitpad.train import TrainConfig, train

TARGET = 3.0


def spin(stop) -> None:
    # A session of its own, as another program started elsewhere would have: Linux's
    # autogroup scheduling shares the CPU between sessions first, so a hog in this
    # benchmark's session would only take time from the benchmark itself.
    if hasattr(os, "setsid"):
        os.setsid()
    while not stop.is_set():
        sum(range(10_000))


class Hog:
    """One spinning process per usable core, for the duration of a `with` block."""

    def __enter__(self):
        self.stop = mp.Event()
        self.processes = [mp.Process(target=spin, args=(self.stop,)) for _ in range(usable_cores())]
        for process in self.processes:
            process.start()
        time.sleep(0.5)  # let them reach full speed
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for process in self.processes:
            process.join()


def training_rate(dataset: ImageSet, threads: int) -> float:
    """Samples/s of one CNN epoch (batch 64, no validation) with `threads` torch threads."""
    with tempfile.TemporaryDirectory() as out, use_threads(threads):
        config = TrainConfig(model="cnn", epochs=1, batch_size=64, val_split=0.0, device="cpu",
                             schedule="constant", out_dir=out)
        epochs = [r for r in train(config, dataset) if r.kind == "epoch"]
    return epochs[-1].samples_per_s


def measure(predictors: dict, images: list, dataset: ImageSet, repeats: int) -> dict:
    with use_threads(PREDICTION_THREADS):
        result = {f"{name}_ms": time_predictions(p, images, repeats)["median_ms"] for name, p in predictors.items()}
    threads = training_threads()
    result.update(train_threads=threads, train_samples_per_s=training_rate(dataset, threads))
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--train-images", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args()
    images, labels = read_mnist(mnist_idx_dir(), "train")
    dataset = ImageSet(images=images[: args.train_images], labels=labels[: args.train_images].astype(np.int64))
    predictors = {name: Predictor.from_pretrained(name, device="cpu") for name in ("mlp", "cnn")}
    drawings = canvas_drawings()
    rounds = []
    for _ in range(args.rounds):
        quiet = measure(predictors, drawings, dataset, args.repeats)
        with Hog():
            busy = measure(predictors, drawings, dataset, args.repeats)
        rounds.append({"quiet": quiet, "busy": busy})
        print(json.dumps(rounds[-1]), flush=True)
    with Hog():
        default_threads = usable_cores()
        naive = training_rate(dataset, default_threads)
    ratios = {
        "mlp_prediction": statistics.median(r["busy"]["mlp_ms"] / r["quiet"]["mlp_ms"] for r in rounds),
        "cnn_prediction": statistics.median(r["busy"]["cnn_ms"] / r["quiet"]["cnn_ms"] for r in rounds),
        "cnn_training": statistics.median(r["quiet"]["train_samples_per_s"] / r["busy"]["train_samples_per_s"]
                                          for r in rounds),
    }
    quiet_rate = statistics.median(r["quiet"]["train_samples_per_s"] for r in rounds)
    for what, ratio in ratios.items():
        print(f"{what}: busy takes {ratio:.2f}x the quiet time (target <= {TARGET:.0f}x)")
    print(f"for comparison, training with torch's default {default_threads} threads on the busy machine: "
          f"{quiet_rate / naive:.2f}x the quiet time ({naive:,.0f} vs {quiet_rate:,.0f} samples/s)")
    print(json.dumps({"rounds": rounds, "ratios": ratios, "naive_busy_samples_per_s": naive,
                      "naive_threads": default_threads, "cpu_count": os.cpu_count(),
                      "usable_cores": usable_cores(), "torch": torch.__version__}))
    return 0 if all(ratio <= TARGET for ratio in ratios.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
