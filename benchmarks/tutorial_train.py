"""The tutorial's training pipeline, as written there: ImageFolder of PNGs with a
Grayscale/ToTensor transform, a DataLoader of batches of 64, the 784-256-10 MLP, Adam,
cross-entropy, the five-step loop. The baseline of benchmarks/throughput.py.

    python benchmarks/tutorial_train.py DIR [--epochs 5]    -> JSON with epoch times
"""

import argparse
import json
import time

import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    transform = transforms.Compose([transforms.Grayscale(), transforms.ToTensor()])
    dataset = datasets.ImageFolder(args.dir, transform=transform)
    loader = DataLoader(dataset, batch_size=64, shuffle=True)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    epoch_s = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        for images, labels in loader:
            loss = loss_fn(model(images), labels)  # forward, loss
            loss.backward()  # backward
            optimizer.step()  # optimizer step
            optimizer.zero_grad()  # zero the gradients
        epoch_s.append(time.perf_counter() - start)
    print(json.dumps({"n": len(dataset), "epoch_s": epoch_s}))


if __name__ == "__main__":
    main()
