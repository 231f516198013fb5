"""Training throughput: `digitpad train` against the tutorial's pipeline, same run.

Both run as fresh processes and are timed by the wall clock from start to finish:
the tutorial's pipeline (benchmarks/tutorial_train.py: ImageFolder of PNGs +
Grayscale/ToTensor + DataLoader, batch 64, re-decoding every PNG every epoch) and
`digitpad train` with an empty dataset cache (so the one-time decoding of the PNGs is
measured too), on the same folder of MNIST training PNGs (the first --images of them),
with the same MLP, Adam, batch 64, constant learning rate, no augmentation, no
validation. The two alternate in each round (which goes first alternates too); the
ratio is taken within each round and the median over rounds is reported.

Target: a whole 5-epoch run on 20,000 PNGs >= 5x faster than the tutorial's.

    python benchmarks/throughput.py [--epochs 5] [--images 20000] [--rounds 5]
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, mnist_idx_dir

HERE = Path(__file__).resolve().parent
TARGET = 5.0


def png_folder(count: int) -> Path:
    """The first `count` MNIST training digits as an ImageFolder of PNGs (made once)."""
    from digitpad.mnist import read_mnist, write_image_folder

    out = ROOT / "data" / f"mnist-train-{count}"
    done = out / ".complete"
    if not done.is_file():
        images, labels = read_mnist(mnist_idx_dir(), "train")
        write_image_folder(images[:count], labels[:count], out)
        done.write_text(str(count))
    return out


def timed(command: list[str], env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return time.perf_counter() - start, run


def tutorial(folder: Path, epochs: int) -> dict:
    total, run = timed([sys.executable, str(HERE / "tutorial_train.py"), str(folder), "--epochs", str(epochs)])
    result = json.loads(run.stdout)
    return {"total_s": total, "samples_per_s": [result["n"] / s for s in result["epoch_s"]]}


def digitpad(folder: Path, epochs: int) -> dict:
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "DIGITPAD_CACHE": cache}  # empty: decoding is part of the run
        total, run = timed([sys.executable, "-m", "digitpad", "train", str(folder), "--model", "mlp",
                            "--epochs", str(epochs), "--batch-size", "64", "--val-split", "0",
                            "--schedule", "constant", "--device", "cpu", "--out", out], env)
    rates = [float(r.replace(",", "")) for r in re.findall(r"([\d,]+) samples/s", run.stderr)]
    threads = re.search(r"with (\d+) CPU thread", run.stderr)
    return {"total_s": total, "samples_per_s": rates, "threads": int(threads.group(1)) if threads else None}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--images", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    folder = png_folder(args.images)
    rounds = []
    for index in range(args.rounds):
        if index % 2 == 0:
            ours, theirs = digitpad(folder, args.epochs), tutorial(folder, args.epochs)
        else:
            theirs, ours = tutorial(folder, args.epochs), digitpad(folder, args.epochs)
        rounds.append({"digitpad": ours, "tutorial": theirs, "ratio": theirs["total_s"] / ours["total_s"]})
        print(f"round {index + 1}: tutorial {theirs['total_s']:.1f} s, digitpad {ours['total_s']:.1f} s "
              f"({ours['threads']} threads): {rounds[-1]['ratio']:.2f}x", flush=True)
    ratio = statistics.median(r["ratio"] for r in rounds)
    print(f"whole {args.epochs}-epoch run on {args.images:,} PNGs, start-up and decoding included: "
          f"tutorial {statistics.median(r['tutorial']['total_s'] for r in rounds):.1f} s, "
          f"digitpad {statistics.median(r['digitpad']['total_s'] for r in rounds):.1f} s (medians); "
          f"median ratio {ratio:.2f}x (target >= {TARGET:.0f}x)")
    print(json.dumps({"rounds": rounds, "median_ratio": ratio, "images": args.images, "epochs": args.epochs,
                      "cpu_count": os.cpu_count()}))
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
