"""Training throughput: digitpad's pipeline against the tutorial's, same machine, same run.

Both run as fresh processes, start-up included: the tutorial's pipeline
(benchmarks/tutorial_train.py: ImageFolder of PNGs + Grayscale/ToTensor + DataLoader,
batch 64, re-decoding every PNG every epoch) and `digitpad train` with an empty dataset
cache (so the one-time decoding of the PNGs is measured too), on the same PNG folder,
with the same MLP, Adam, batch 64, constant learning rate and no augmentation.

Targets: steady-state epochs >= 8x the tutorial's samples/s; a whole 5-epoch run,
decoding and start-up included, >= 4x faster.

    python benchmarks/throughput.py [--epochs 5]
"""

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import mnist_png_dir

HERE = Path(__file__).resolve().parent


def timed(command: list[str], env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return time.perf_counter() - start, run


def tutorial(folder: Path, epochs: int) -> dict:
    total, run = timed([sys.executable, str(HERE / "tutorial_train.py"), str(folder), "--epochs", str(epochs)])
    result = json.loads(run.stdout)
    rates = [result["n"] / s for s in result["epoch_s"]]
    return {"total_s": total, "samples_per_s": rates}


def digitpad(folder: Path, epochs: int) -> dict:
    import os

    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "DIGITPAD_CACHE": cache}  # empty: decoding is part of the run
        total, run = timed([sys.executable, "-m", "digitpad", "train", str(folder), "--model", "mlp",
                            "--epochs", str(epochs), "--batch-size", "64", "--val-split", "0",
                            "--schedule", "constant", "--device", "cpu", "--out", out], env)
    rates = [float(r.replace(",", "")) for r in re.findall(r"([\d,]+) samples/s", run.stderr)]
    return {"total_s": total, "samples_per_s": rates}


def steady(rates: list[float]) -> float:
    later = rates[1:] or rates  # the first epoch warms caches up
    return sum(later) / len(later)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    folder = mnist_png_dir() / "train"
    ours = digitpad(folder, args.epochs)
    theirs = tutorial(folder, args.epochs)
    steady_ratio = steady(ours["samples_per_s"]) / steady(theirs["samples_per_s"])
    whole_ratio = theirs["total_s"] / ours["total_s"]
    print(f"tutorial: {steady(theirs['samples_per_s']):,.0f} samples/s steady, "
          f"{theirs['total_s']:.1f} s for {args.epochs} epochs, start-up included")
    print(f"digitpad: {steady(ours['samples_per_s']):,.0f} samples/s steady, "
          f"{ours['total_s']:.1f} s, start-up and decoding included")
    print(f"steady-state speed-up {steady_ratio:.1f}x (target >= 8x); "
          f"whole run {whole_ratio:.1f}x faster (target >= 4x)")
    print(json.dumps({"tutorial": theirs, "digitpad": ours, "steady_ratio": steady_ratio,
                      "whole_run_ratio": whole_ratio}))
    return 0 if steady_ratio >= 8 and whole_ratio >= 4 else 1


if __name__ == "__main__":
    sys.exit(main())
