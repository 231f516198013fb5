"""Training throughput: digitpad's pipeline against the tutorial's, same machine, same run.

The tutorial: ImageFolder of PNGs + Grayscale/ToTensor + DataLoader(batch_size=64,
shuffle=True), re-decoding every PNG every epoch. digitpad: decode and preprocess each
PNG once (in worker processes; the on-disk cache is off here so the first run is what
is measured), then train from in-memory tensors. Same MLP (784-256-10), Adam, batch 64,
no augmentation.

Targets: steady-state epochs >= 8x the tutorial's samples/s; a whole run (decoding and
start-up included) >= 4x faster.

    python benchmarks/throughput.py [--epochs 5] [--limit N]
"""

import argparse
import json
import sys
import tempfile
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms

from _common import mnist_png_dir
from digitpad.data import load_folder
from digitpad.models import build_model
from digitpad.train import TrainConfig, train


def tutorial_run(folder, epochs: int, limit: int | None) -> dict:
    """The tutorial's pipeline, as written there."""
    start = time.perf_counter()
    transform = transforms.Compose([transforms.Grayscale(), transforms.ToTensor()])
    dataset = datasets.ImageFolder(folder, transform=transform)
    if limit:
        dataset = Subset(dataset, torch.randperm(len(dataset))[:limit].tolist())
    loader = DataLoader(dataset, batch_size=64, shuffle=True)
    model = build_model("mlp")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    epoch_s = []
    for _ in range(epochs):
        t = time.perf_counter()
        for images, labels in loader:
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        epoch_s.append(time.perf_counter() - t)
    return {"total_s": time.perf_counter() - start, "epoch_s": epoch_s, "n": len(dataset)}


def digitpad_run(folder, epochs: int, limit: int | None) -> dict:
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        data = load_folder(folder, cache_dir=cache)  # an empty cache: decoding is timed
        if limit:
            keep = torch.randperm(len(data))[:limit].numpy()
            data.images, data.labels = data.images[keep], data.labels[keep]
        decode_s = time.perf_counter() - start
        config = TrainConfig(model="mlp", epochs=epochs, batch_size=64, val_split=0.0,
                             device="cpu", out_dir=out, schedule="constant")
        epoch_s, t = [], time.perf_counter()
        for record in train(config, data):
            if record.kind == "epoch":
                epoch_s.append(time.perf_counter() - t)
                t = time.perf_counter()
    return {"total_s": time.perf_counter() - start, "decode_s": decode_s,
            "epoch_s": epoch_s, "n": len(data)}


def steady_rate(run: dict) -> float:
    later = run["epoch_s"][1:] or run["epoch_s"]  # the first epoch warms caches up
    return run["n"] / (sum(later) / len(later))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--limit", type=int, default=None, help="use N images (quick look)")
    args = parser.parse_args()
    folder = mnist_png_dir() / "train"
    ours = digitpad_run(folder, args.epochs, args.limit)
    theirs = tutorial_run(folder, args.epochs, args.limit)
    steady = steady_rate(ours) / steady_rate(theirs)
    whole = theirs["total_s"] / ours["total_s"]
    print(f"tutorial: {steady_rate(theirs):,.0f} samples/s steady, {theirs['total_s']:.1f} s "
          f"for {args.epochs} epochs of {theirs['n']} images")
    print(f"digitpad: {steady_rate(ours):,.0f} samples/s steady, {ours['total_s']:.1f} s "
          f"(decoding {ours['decode_s']:.1f} s)")
    print(f"steady-state speed-up {steady:.1f}x (target >= 8x); "
          f"whole run {whole:.1f}x faster (target >= 4x)")
    print(json.dumps({"tutorial": theirs, "digitpad": ours, "steady_ratio": steady,
                      "whole_run_ratio": whole}))
    return 0 if steady >= 8 and whole >= 4 else 1


if __name__ == "__main__":
    sys.exit(main())
