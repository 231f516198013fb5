"""Training on 1 process x batch 64 against 2 processes x batch 32 (gloo, CPU): speed and accuracy.

Same global batch, same seed, same folder: the first N MNIST training digits written as
PNGs (decoded once into the cache before anything is timed). Each run is a fresh
`digitpad train` process, timed by the wall clock from start to finish (start-up,
torchrun and the processes' imports included), with each epoch's samples/s taken from
its own JSON records. One process runs twice: with torch's default threads (one per core)
and with one thread, which is what each of the 2 processes gets (OMP_NUM_THREADS=1):
on a loaded machine, two threads waiting on each other cost more than the second core
gives. Accuracy is scored on the EXAM set: the 1,000 MNIST test digits
shipped with digitpad (`digitpad eval --sample`), which nothing here is tuned on.

    python benchmarks/distributed.py [--images 10000] [--epochs 2] [--models mlp cnn] [--repeats 1]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

from _common import mnist_idx_dir

from digitpad.mnist import read_idx


def write_digits(folder: Path, count: int) -> Path:
    """The first `count` MNIST training digits as FOLDER/<digit>/<index>.png (once)."""
    marker = folder / f".complete-{count}"
    if marker.is_file():
        return folder
    images = read_idx(mnist_idx_dir() / "train-images-idx3-ubyte.gz")[:count]
    labels = read_idx(mnist_idx_dir() / "train-labels-idx1-ubyte.gz")[:count]
    for digit in range(10):
        (folder / str(digit)).mkdir(parents=True, exist_ok=True)
    for index, (image, label) in enumerate(zip(images, labels)):
        Image.fromarray(image).save(folder / str(int(label)) / f"{index:05d}.png")
    marker.touch()
    return folder


def train(folder: Path, out: Path, model: str, epochs: int, processes: int, batch: int,
          threads: int | None) -> dict:
    command = [sys.executable, "-m", "digitpad", "train", str(folder), "--model", model, "--epochs", str(epochs),
               "--batch-size", str(batch), "--device", "cpu", "--out", str(out), "--json"]
    if processes > 1:
        command += ["--nproc-per-node", str(processes)]
    env = {**os.environ, **({"OMP_NUM_THREADS": str(threads)} if threads else {})}
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{run.stderr[-3000:]}")
    records = [json.loads(line) for line in run.stdout.splitlines()]
    epochs_done = [r for r in records if r["kind"] == "epoch"]
    exam = subprocess.run([sys.executable, "-m", "digitpad", "eval", "--sample", "--json", "--device", "cpu",
                           "--weights", str(out / "best.pt")], capture_output=True, text=True, check=True)
    return {"model": model, "processes": processes, "threads_per_process": threads or "default",
            "batch_per_process": batch, "wall_s": round(wall, 1),
            "samples_per_s": [round(r["samples_per_s"]) for r in epochs_done],
            "val_accuracy": epochs_done[-1]["val_accuracy"],
            "exam_accuracy": json.loads(exam.stdout)["accuracy"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--models", nargs="+", default=["mlp", "cnn"])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--data", default=str(Path(__file__).resolve().parent.parent / "data" / "mnist-first"))
    args = parser.parse_args()
    folder = write_digits(Path(args.data), args.images)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "digitpad", "eval", str(folder), "--model", "mlp", "--json"],
                       capture_output=True, check=True)  # decodes into the cache: not timed below
        rows = []
        for repeat in range(args.repeats):
            for model in args.models:
                # interleaved: the machine's load drifts
                for processes, batch, threads in ((1, 64, None), (1, 64, 1), (2, 32, None)):
                    out = Path(tmp) / f"{model}-{processes}-{threads}-{repeat}"
                    rows.append(train(folder, out, model, args.epochs, processes, batch, threads))
                    print(json.dumps(rows[-1]), flush=True)
    print(json.dumps({"images": args.images, "epochs": args.epochs, "cores": len(os.sched_getaffinity(0)),
                      "load_average": os.getloadavg(), "runs": rows}))


if __name__ == "__main__":
    main()
