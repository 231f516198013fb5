"""The training loop as a generator of progress records.

It is the tutorial's loop (forward, loss, backward, optimizer step, zero the gradients)
with Adam and cross-entropy, fed from tensors already in memory instead of re-decoding
PNGs every epoch. The caller drives it: the CLI shows the records with tqdm, the GUI
runs it in a worker thread. Setting the `cancel` event stops it before the next batch.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from . import checkpoint as ckpt
from . import preprocess
from .augment import augment_batch
from .data import ImageSet, split_indices
from .devices import resolve_device
from .errors import DigitpadError
from .models import build_model, normalise


class TrainingError(DigitpadError):
    pass


@dataclass
class TrainConfig:
    model: str = "cnn"
    epochs: int = 5
    batch_size: int = 64  # the tutorial's
    lr: float = 1e-3  # Adam's default
    val_split: float = 0.1  # held out, seeded, to pick the best epoch honestly
    augment: bool = False  # random small affine jitter of each training batch
    seed: int = 0
    device: str = "auto"
    schedule: str = "cosine"  # "cosine" decays the rate to 0 by the last batch; or "constant"
    weight_decay: float = 0.0
    out_dir: str = "runs/latest"
    resume: str | None = None  # a last.pt to continue from
    model_args: dict = field(default_factory=dict)


@dataclass
class TrainProgress:
    kind: str  # "batch", "epoch", "done" or "cancelled"
    epoch: int  # 1-based
    epochs: int
    batch: int  # 1-based within the epoch
    batches: int
    loss: float  # running mean over the epoch so far
    accuracy: float  # running training accuracy over the epoch so far
    val_accuracy: float | None = None  # after each epoch, when there is a validation split
    best_val_accuracy: float | None = None
    samples_per_s: float = 0.0
    eta_s: float = 0.0
    elapsed_s: float = 0.0
    best_path: str | None = None
    last_path: str | None = None


def _lr_at(config: TrainConfig, step: int, total_steps: int) -> float:
    if config.schedule == "constant":
        return config.lr
    return config.lr * 0.5 * (1.0 + math.cos(math.pi * min(step / total_steps, 1.0)))


@torch.inference_mode()
def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch: int = 1000) -> float:
    """Accuracy on uint8 images already on the model's device."""
    if len(labels) == 0:
        return float("nan")
    was_training = model.training
    model.eval()
    correct = 0
    for start in range(0, len(labels), batch):
        x = normalise(images[start : start + batch].float().div_(255))
        correct += int((model(x).argmax(1) == labels[start : start + batch]).sum())
    model.train(was_training)
    return correct / len(labels)


class _Run:
    """State of one training run; train() below is the readable driver."""

    def __init__(self, config: TrainConfig, dataset: ImageSet):
        if len(dataset) == 0:
            raise TrainingError("the dataset has no usable images")
        self.config = config
        self.device = resolve_device(config.device)
        torch.manual_seed(config.seed)
        self.generator = torch.Generator().manual_seed(config.seed)
        train_idx, val_idx = split_indices(len(dataset), config.val_split, config.seed)
        images = torch.from_numpy(dataset.images)
        labels = torch.from_numpy(dataset.labels)
        self.train_x = images[train_idx].to(self.device)
        self.train_y = labels[train_idx].to(self.device)
        self.val_x = images[val_idx].to(self.device)
        self.val_y = labels[val_idx].to(self.device)
        self.model = build_model(config.model, **config.model_args).to(self.device)
        self.optimizer = torch.optim.Adam(
            self.model.parameters(), lr=config.lr, weight_decay=config.weight_decay
        )
        self.start_epoch = 0
        self.best_val: float | None = None
        self.out_dir = Path(config.out_dir)
        self.sizes = {"train": len(train_idx), "validation": len(val_idx)}
        if config.resume:
            self._resume(config.resume)

    @property
    def batches(self) -> int:
        return math.ceil(len(self.train_y) / self.config.batch_size)

    def _resume(self, path: str) -> None:
        saved = ckpt.load(path)
        if saved.arch != self.config.model or saved.arch_args != self.config.model_args:
            raise TrainingError(
                f"cannot resume from '{path}': it is a '{saved.arch}' {saved.arch_args}, "
                f"this run trains a '{self.config.model}' {self.config.model_args}"
            )
        if not saved.training_state:
            raise TrainingError(f"cannot resume from '{path}': it holds no optimizer state (use a last.pt)")
        self.model.load_state_dict(saved.state_dict)
        self.optimizer.load_state_dict(saved.training_state["optimizer"])
        self.start_epoch = int(saved.training_state["epoch"])
        self.best_val = saved.meta.get("best_val_accuracy")
        self.generator.manual_seed(self.config.seed + self.start_epoch)

    def batch_order(self) -> torch.Tensor:
        return torch.randperm(len(self.train_y), generator=self.generator).to(self.device)

    def checkpoint(self, epoch: int, val_acc: float | None, with_state: bool) -> ckpt.Checkpoint:
        config = asdict(self.config)
        saved = ckpt.from_model(
            self.model,
            self.config.model,
            self.config.model_args,
            epochs=epoch,
            val_accuracy=val_acc,
            best_val_accuracy=self.best_val,
            samples=self.sizes,
            config=config,
        )
        if with_state:
            saved.training_state = {"optimizer": self.optimizer.state_dict(), "epoch": epoch}
        return saved

    def save_epoch(self, epoch: int, val_acc: float | None) -> tuple[Path, Path]:
        best_path, last_path = self.out_dir / "best.pt", self.out_dir / "last.pt"
        # Without a validation split, the latest epoch is the best we can say.
        improved = val_acc is None or self.best_val is None or val_acc >= self.best_val
        if improved:
            self.best_val = val_acc
            ckpt.save(self.checkpoint(epoch, val_acc, with_state=False), best_path)
        ckpt.save(self.checkpoint(epoch, val_acc, with_state=True), last_path)
        return best_path, last_path


def train(
    config: TrainConfig, dataset: ImageSet, cancel: threading.Event | None = None
) -> Iterator[TrainProgress]:
    """Train, yielding a record after every batch and epoch, then 'done' or 'cancelled'."""
    run = _Run(config, dataset)
    cancel = cancel or threading.Event()
    mean, std = preprocess.MEAN, preprocess.STD
    total_steps = max(1, config.epochs * run.batches)
    started = time.perf_counter()
    steps_done, best_path, last_path, record = 0, None, None, None
    for epoch in range(run.start_epoch, config.epochs):
        run.model.train()
        order = run.batch_order()
        loss_sum, correct, seen, epoch_start = 0.0, 0, 0, time.perf_counter()
        for batch in range(run.batches):
            if cancel.is_set():
                yield _finish("cancelled", record, started, best_path, last_path, run.best_val)
                return
            for group in run.optimizer.param_groups:
                group["lr"] = _lr_at(config, epoch * run.batches + batch, total_steps)
            idx = order[batch * config.batch_size : (batch + 1) * config.batch_size]
            x = run.train_x[idx].float().div_(255)
            if config.augment:
                x = augment_batch(x, run.generator)
            y = run.train_y[idx]
            logits = run.model(normalise(x, mean, std))  # 1. forward
            loss = F.cross_entropy(logits, y)  # 2. loss
            loss.backward()  # 3. backward
            run.optimizer.step()  # 4. optimizer step
            run.optimizer.zero_grad(set_to_none=True)  # 5. zero the gradients
            loss_sum += loss.item() * len(y)
            correct += int((logits.argmax(1) == y).sum())
            seen += len(y)
            steps_done += 1
            elapsed = time.perf_counter() - started
            record = TrainProgress(
                kind="batch", epoch=epoch + 1, epochs=config.epochs, batch=batch + 1,
                batches=run.batches, loss=loss_sum / seen, accuracy=correct / seen,
                best_val_accuracy=run.best_val,
                samples_per_s=seen / max(time.perf_counter() - epoch_start, 1e-9),
                eta_s=elapsed / steps_done * (total_steps - run.start_epoch * run.batches - steps_done),
                elapsed_s=elapsed,
            )
            yield record
        val_acc = evaluate(run.model, run.val_x, run.val_y) if len(run.val_y) else None
        best_path, last_path = run.save_epoch(epoch + 1, val_acc)
        record = replace(
            record, kind="epoch", val_accuracy=val_acc, best_val_accuracy=run.best_val,
            best_path=str(best_path), last_path=str(last_path),
        )
        yield record
    yield _finish("done", record, started, best_path, last_path, run.best_val)


def _finish(kind, last_record, started, best_path, last_path, best_val) -> TrainProgress:
    base = last_record or TrainProgress(
        kind=kind, epoch=0, epochs=0, batch=0, batches=0, loss=float("nan"), accuracy=float("nan")
    )
    return replace(
        base,
        kind=kind,
        elapsed_s=time.perf_counter() - started,
        eta_s=0.0,
        best_path=str(best_path) if best_path else None,
        last_path=str(last_path) if last_path else None,
        best_val_accuracy=best_val,
    )
