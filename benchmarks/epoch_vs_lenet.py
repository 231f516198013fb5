"""One CNN training epoch against one epoch of classic LeNet-5, same data, same run.

LeNet-5 (LeCun et al., 1998; 61,706 parameters: 6 and 16 5x5 convolutions with tanh and
average pooling, then 120, 84, 10) is trained the plainest way: in-memory tensors, a
shuffled index, Adam, cross-entropy, no augmentation. digitpad's CNN is trained by
`digitpad.train.train` exactly as the shipped recipe does (augmentation on, the same
batch size as LeNet's), so its epoch includes the augmentation and the loop's
bookkeeping. Each side runs two epochs and the second is timed by the wall clock (the
first warms caches up); sides alternate for --repeats rounds, and the medians and the
median of the per-round ratios are reported.

Target (issue 10): CNN epoch <= 2x LeNet-5's.

    python benchmarks/epoch_vs_lenet.py [--samples 18000] [--batch-size 256] [--repeats 5]
        [--threads N] [--model-args '{"channels": [16, 32, 64]}']   (the lean layout)
"""

import argparse
import json
import statistics
import sys
import tempfile
import time

import torch
import torch.nn.functional as F
from torch import nn

from _common import mnist_idx_dir
from digitpad.data import ImageSet
from digitpad.mnist import read_mnist
from digitpad.models import build_model, count_parameters, normalise
from digitpad.train import TrainConfig, train


def lenet5() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(),
        nn.Linear(84, 10),
    )


def lenet_epochs(images: torch.Tensor, labels: torch.Tensor, batch: int, epochs: int = 2) -> list[float]:
    """Wall-clock seconds of each epoch of plain LeNet-5 training."""
    torch.manual_seed(0)
    model, x = lenet5(), normalise(images.float() / 255)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(len(labels))
        for first in range(0, len(labels), batch):
            idx = order[first : first + batch]
            loss = F.cross_entropy(model(x[idx]), labels[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        times.append(time.perf_counter() - start)
    return times


def cnn_epochs(dataset: ImageSet, batch: int, model_args: dict, epochs: int = 2) -> list[float]:
    """Wall-clock seconds of each epoch of digitpad's CNN training (shipped recipe)."""
    with tempfile.TemporaryDirectory() as out:
        config = TrainConfig(model="cnn", epochs=epochs, batch_size=batch, lr=4e-3, augment=True,
                             hard_share=0.6, val_split=0.0, device="cpu", out_dir=out,
                             model_args=model_args)
        times, start = [], time.perf_counter()
        for record in train(config, dataset):
            if record.kind == "epoch":
                times.append(time.perf_counter() - start)
                start = time.perf_counter()
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=18000)
    parser.add_argument("--batch-size", type=int, default=256, help="both sides (the shipped recipe's)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    parser.add_argument("--model-args", type=json.loads, default={}, help="CNN arguments, JSON")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    images, labels = read_mnist(mnist_idx_dir(), "train")
    images, labels = images[: args.samples].copy(), labels[: args.samples].astype("int64")
    dataset = ImageSet(images, labels)
    cnn_params = count_parameters(build_model("cnn", **args.model_args))
    print(f"{args.samples} MNIST digits, batch {args.batch_size}, {torch.get_num_threads()} thread(s); "
          f"LeNet-5 {count_parameters(lenet5()):,} parameters, CNN {cnn_params:,}", flush=True)
    lenet_s, cnn_s, ratios = [], [], []
    for round_ in range(args.repeats):
        lenet = lenet_epochs(torch.from_numpy(images), torch.from_numpy(labels), args.batch_size)[-1]
        cnn = cnn_epochs(dataset, args.batch_size, args.model_args)[-1]
        lenet_s.append(lenet), cnn_s.append(cnn), ratios.append(cnn / lenet)
        print(f"round {round_ + 1}: LeNet-5 {lenet:.2f} s, CNN {cnn:.2f} s, ratio {cnn / lenet:.2f}", flush=True)
    ratio = statistics.median(ratios)
    result = {"lenet_epoch_s": statistics.median(lenet_s), "cnn_epoch_s": statistics.median(cnn_s),
              "median_ratio": ratio, "ratios": ratios, "target": 2.0, "met": ratio <= 2.0}
    print(f"median: LeNet-5 {result['lenet_epoch_s']:.2f} s, CNN {result['cnn_epoch_s']:.2f} s per epoch; "
          f"CNN/LeNet {ratio:.2f}x (target <= 2x: {'met' if result['met'] else 'MISSED'})")
    print(json.dumps(result))
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
