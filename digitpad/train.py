"""The training loop as a generator of progress records.

It is the tutorial's loop (forward, loss, backward, optimizer step, zero the gradients)
with Adam and cross-entropy, fed from tensors already in memory instead of re-decoding
PNGs every epoch. The caller drives it: the CLI shows the records with tqdm, the GUI
runs it in a worker thread. Setting the `cancel` event stops it before the next batch.

The same loop runs in each of several processes (see `distributed`): each trains on its
share of every epoch (DistributedSampler), DistributedDataParallel averages the
gradients, validation is gathered from all, and rank 0 alone writes the checkpoints.
One process is the case of a world of one: same sampler, same code.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Generator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DistributedSampler

from . import checkpoint as ckpt
from .augment import augment_batch
from .calibration import fit_temperature
from .data import ImageSet, split_indices
from .devices import resolve_device
from .distributed import Processes, gather_rows, replicate, shard, sum_across
from .errors import DigitpadError
from .models import NUM_CLASSES, build_model, normalise


class TrainingError(DigitpadError):
    pass


@dataclass
class TrainConfig:
    model: str = "cnn"
    epochs: int = 5
    batch_size: int = 64  # per process: N processes step on N x batch_size images at a time
    lr: float = 1e-3  # Adam's default
    val_split: float = 0.1  # held out, seeded, to pick the best epoch honestly
    augment: bool = False  # random small affine jitter and stroke width of each training batch
    elastic: bool = False  # with augment: also a smooth elastic warp
    hard_share: float = 0.2  # with augment: share of samples that may get other hands' pens, sizes, gaps
    seed: int = 0
    device: str = "auto"
    schedule: str = "cosine"  # "cosine" decays the rate to 0 by the last batch; or "constant"
    weight_decay: float = 0.0
    out_dir: str = "runs/latest"
    resume: str | None = None  # a last.pt to continue from
    init_from: str | None = None  # fine-tune: start from these weights (same architecture)
    model_args: dict = field(default_factory=dict)
    classes: list[str] = field(default_factory=lambda: list(ckpt.CLASSES))  # label i is classes[i]
    data_dir: str | None = None  # the training folder, recorded so look-alikes can be found in it


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
    initial_val_accuracy: float | None = None  # when fine-tuning: the starting weights' score
    processes: int = 1  # how many trained together (the figures are over all of them)
    backend: str | None = None  # "gloo" or "nccl" when several did


SCHEDULES = ("cosine", "constant")
MIN_CALIBRATION_IMAGES = 300
MIN_CALIBRATION_MISTAKES = 5


def _adam(model: nn.Module, config: TrainConfig, device: torch.device) -> torch.optim.Adam:
    # The fused kernel updates all parameters in one pass: a quarter off each small-batch
    # step on the CPU (measured 1.7 -> 1.3 ms for the MLP at batch 64).
    fused = device.type in ("cpu", "cuda", "mps")
    try:
        return torch.optim.Adam(model.parameters(), lr=config.lr,
                                weight_decay=config.weight_decay, fused=fused)
    except (RuntimeError, TypeError):  # an older torch or a device without the kernel
        return torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)


def check_config(config: TrainConfig) -> None:
    """Refuse settings that cannot train, with the reason, before any work starts."""
    problems = []
    if config.epochs < 1:
        problems.append(f"epochs must be at least 1 (got {config.epochs})")
    if config.batch_size < 1:
        problems.append(f"batch size must be at least 1 (got {config.batch_size})")
    if not config.lr > 0:
        problems.append(f"learning rate must be positive (got {config.lr})")
    if not 0.0 <= config.val_split < 1.0:
        problems.append(f"validation split must be in [0, 1) (got {config.val_split})")
    if config.schedule not in SCHEDULES:
        problems.append(f"unknown schedule '{config.schedule}'; known: {', '.join(SCHEDULES)}")
    if problems:
        raise TrainingError("; ".join(problems))


def training_sets(dataset: ImageSet, config: TrainConfig,
                  mix_mnist: bool = False) -> tuple[ImageSet, ImageSet | None]:
    """(what to train on, what to validate on, or None to split by val_split). Fine-tuning
    (config.init_from) holds out the folder's own images only, so that the before/after
    accuracy speaks of them; `mix_mnist` adds the 1,000-digit MNIST sample to training."""
    if not config.init_from:
        return dataset, None
    from .handwriting import fine_tune_sets
    from .mnist import load_sample

    mnist = load_sample("train") if mix_mnist else None
    return fine_tune_sets(dataset, mnist, config.val_split or 0.2, config.seed)


def _lr_at(config: TrainConfig, step: int, total_steps: int) -> float:
    if config.schedule == "constant":
        return config.lr
    return config.lr * 0.5 * (1.0 + math.cos(math.pi * min(step / total_steps, 1.0)))


@torch.inference_mode()
def logits_of(model: nn.Module, images: torch.Tensor, batch: int = 1000) -> np.ndarray:
    """The model's logits for uint8 images already on its device, in eval mode."""
    was_training = model.training
    model.eval()
    parts = [model(normalise(images[start : start + batch].float().div_(255))).float().cpu()
             for start in range(0, len(images), batch)]
    model.train(was_training)
    return torch.cat(parts).numpy() if parts else np.zeros((0, 0), dtype=np.float32)


def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Accuracy on uint8 images already on the model's device."""
    if len(labels) == 0:
        return float("nan")
    return float((logits_of(model, images).argmax(1) == labels.cpu().numpy()).mean())


class _Run:
    """State of one training run; train() below is the readable driver."""

    def __init__(self, config: TrainConfig, dataset: ImageSet, validation: ImageSet | None,
                 place: Processes | None = None):
        check_config(config)
        if len(dataset) == 0:
            raise TrainingError("the dataset has no usable images")
        self.config = config
        self.place = place or Processes()
        self.device = torch.device(self.place.device) if self.place.device else resolve_device(config.device)
        torch.manual_seed(config.seed)  # every process builds the same first weights
        self.generator = torch.Generator()  # augmentation; seeded per process and epoch
        self._place_data(dataset, validation)
        self.model_args = {**config.model_args}  # what the checkpoint needs to rebuild it
        if len(config.classes) != NUM_CLASSES:
            self.model_args["classes"] = len(config.classes)
        base = self._base_weights(config.init_from)
        self.base_temperature = float(base.meta.get("temperature") or 1.0) if base is not None else 1.0
        self.model = build_model(config.model, **self.model_args).to(self.device)
        if base is not None:
            self.model.load_state_dict(base.state_dict)
        self.initial_val = self.validate()[0] if base is not None else None
        self.optimizer = _adam(self.model, config, self.device)
        self.start_epoch = 0
        self.best_val: float | None = None
        self.wrote_best = False  # this run writes its own best.pt at its first epoch
        self.temperature = self.base_temperature  # refitted on the validation split after each epoch
        self.out_dir = Path(config.out_dir)
        if config.resume:
            self._resume(config.resume)
        self.model, self.net = replicate(self.model, self.place)  # net: what a training step calls

    def _place_data(self, dataset: ImageSet, validation: ImageSet | None) -> None:
        """The images on the device; each process trains on the sampler's share of every
        epoch and scores its share of the validation set (validate() gathers them)."""
        if validation is None:
            train_idx, val_idx = split_indices(len(dataset), self.config.val_split, self.config.seed)
            validation = ImageSet(dataset.images[val_idx], dataset.labels[val_idx])
            dataset = ImageSet(dataset.images[train_idx], dataset.labels[train_idx])
        self.sizes = {"train": len(dataset), "validation": len(validation)}
        self.train_x = torch.from_numpy(dataset.images).to(self.device)
        self.train_y = torch.from_numpy(dataset.labels).to(self.device)
        mine = shard(len(validation), self.place)
        self.val_x = torch.from_numpy(validation.images[mine]).to(self.device)
        self.val_y = torch.from_numpy(validation.labels[mine]).to(self.device)
        self.sampler = DistributedSampler(range(len(dataset)), num_replicas=self.place.world_size,
                                          rank=self.place.rank, shuffle=True, seed=self.config.seed)

    def _base_weights(self, path: str | None):
        if path is None:
            return None
        base = ckpt.load(path)
        if base.arch != self.config.model:
            raise TrainingError(f"cannot fine-tune '{path}': it is a '{base.arch}', this run trains a "
                                f"'{self.config.model}'")
        self.model_args = dict(base.arch_args)
        return base

    @property
    def batches(self) -> int:
        """Batches per epoch in each process: the same in all of them (the sampler pads)."""
        return math.ceil(len(self.sampler) / self.config.batch_size)

    def _resume(self, path: str) -> None:
        saved = ckpt.load(path)
        if saved.arch != self.config.model or saved.arch_args != self.model_args:
            raise TrainingError(
                f"cannot resume from '{path}': it is a '{saved.arch}' {saved.arch_args}, "
                f"this run trains a '{self.config.model}' {self.model_args}"
            )
        if not saved.training_state:
            raise TrainingError(f"cannot resume from '{path}': it holds no optimizer state (use a last.pt)")
        self.model.load_state_dict(saved.state_dict)
        self.optimizer.load_state_dict(saved.training_state["optimizer"])
        self.start_epoch = int(saved.training_state["epoch"])
        if self.start_epoch >= self.config.epochs:
            raise TrainingError(
                f"'{path}' has already trained {self.start_epoch} epochs; ask for more than that"
            )
        self.best_val = saved.meta.get("best_val_accuracy")

    def batch_order(self, epoch: int) -> torch.Tensor:
        """This process's images for `epoch`, in order. The order and the augmentation depend
        on the seed, the process and the epoch only, so a resumed run repeats them."""
        self.sampler.set_epoch(epoch)
        seed = np.random.SeedSequence([self.config.seed, self.place.rank, epoch]).generate_state(1)[0]
        self.generator.manual_seed(int(seed))
        return torch.tensor(list(self.sampler), dtype=torch.long, device=self.device)

    def validate(self) -> tuple[float | None, float]:
        """(validation accuracy, the temperature that calibrates it); (None, T) without a split.

        A temperature fitted on a few hundred images with a handful of mistakes is
        meaningful; on 3 drawings that are all right it runs to "100% for everything". So
        with less evidence the run keeps the temperature it started with. Every process
        gets all processes' logits, so all reach the same figures.
        """
        mine = logits_of(self.model, self.val_x) if len(self.val_y) else \
            np.zeros((0, len(self.config.classes)), dtype=np.float32)  # a share can be empty
        logits, labels = gather_rows(mine), gather_rows(self.val_y.cpu().numpy())
        if not len(labels):
            return None, self.base_temperature
        accuracy = float((logits.argmax(1) == labels).mean())
        mistakes = int((logits.argmax(1) != labels).sum())
        if len(labels) < MIN_CALIBRATION_IMAGES or mistakes < MIN_CALIBRATION_MISTAKES:
            return accuracy, self.base_temperature
        return accuracy, float(np.clip(fit_temperature(logits, labels), 0.5, 5.0))

    def checkpoint(self, epoch: int, val_acc: float | None, with_state: bool) -> ckpt.Checkpoint:
        config = asdict(self.config)
        saved = ckpt.from_model(
            self.model,
            self.config.model,
            self.model_args,
            epochs=epoch,
            val_accuracy=val_acc,
            best_val_accuracy=self.best_val,
            temperature=self.temperature,
            samples=self.sizes,
            config=config,
            processes=self.place.world_size,
        )
        saved.classes = list(self.config.classes)
        if with_state:
            saved.training_state = {"optimizer": self.optimizer.state_dict(), "epoch": epoch}
        return saved

    def save_epoch(self, epoch: int, val_acc: float | None) -> tuple[Path, Path]:
        """Every process keeps the same account of the best epoch; rank 0 alone writes."""
        best_path, last_path = self.out_dir / "best.pt", self.out_dir / "last.pt"
        # Without a validation split, the latest epoch is the best we can say.
        improved = val_acc is None or self.best_val is None or val_acc >= self.best_val
        if improved or not self.wrote_best:
            self.wrote_best = True
            self.best_val = val_acc
            if self.place.is_main:
                ckpt.save(self.checkpoint(epoch, val_acc, with_state=False), best_path)
        if self.place.is_main:
            ckpt.save(self.checkpoint(epoch, val_acc, with_state=True), last_path)
        return best_path, last_path

    def step(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The tutorial's five steps on one batch; returns the logits."""
        logits = self.net(normalise(x))  # 1. forward
        loss = F.cross_entropy(logits, y)  # 2. loss
        loss.backward()  # 3. backward (with several processes: gradients averaged over all)
        self.optimizer.step()  # 4. optimizer step
        self.optimizer.zero_grad(set_to_none=True)  # 5. zero the gradients
        self.loss_sum += loss.item() * len(y)
        self.correct += int((logits.argmax(1) == y).sum())
        self.seen += len(y)
        return logits

    def batch(self, order: torch.Tensor, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        idx = order[index * self.config.batch_size : (index + 1) * self.config.batch_size]
        x = self.train_x[idx].float().div_(255)
        if self.config.augment:
            # Labels let the augmentation draw digit-specific variants (a crossed 7), so
            # only when label i is the digit i.
            digits = self.train_y[idx] if self.config.classes == list(ckpt.CLASSES) else None
            x = augment_batch(x, self.generator, self.config.elastic, labels=digits,
                              hard_share=self.config.hard_share)
        return x, self.train_y[idx]

    def start_epoch_metrics(self) -> None:
        self.loss_sum, self.correct, self.seen = 0.0, 0, 0
        self.epoch_started = time.perf_counter()

    def epoch_metrics(self) -> tuple[float, float, float]:
        """(loss, training accuracy, samples/s) of the epoch, over all processes."""
        loss_sum, correct, seen = sum_across([self.loss_sum, self.correct, self.seen])
        return loss_sum / seen, correct / seen, seen / max(time.perf_counter() - self.epoch_started, 1e-9)


def train(
    config: TrainConfig, dataset: ImageSet, cancel: threading.Event | None = None,
    validation: ImageSet | None = None, processes: Processes | None = None,
) -> Generator[TrainProgress, None, nn.Module]:
    """Train, yielding a record after every batch and epoch, then 'done' or 'cancelled';
    the generator returns the trained model.

    `validation`: a held-out set to use instead of splitting `dataset` by `val_split`.
    `processes`: this process's place in a joined process group (distributed.join); every
    process calls train() with the same arguments. `cancel` stops one process only: a
    run of several stops on a signal (distributed.launch sends it).
    """
    run = _Run(config, dataset, validation, processes)
    cancel = cancel or threading.Event()
    total_steps = max(1, config.epochs * run.batches)
    steps_left = total_steps - run.start_epoch * run.batches
    started = time.perf_counter()
    best_path = last_path = record = None
    for epoch in range(run.start_epoch, config.epochs):
        run.net.train()
        run.start_epoch_metrics()
        order = run.batch_order(epoch)
        for index in range(run.batches):
            if cancel.is_set():
                yield _finish("cancelled", record, started, best_path, last_path, run.best_val)
                return run.model
            for group in run.optimizer.param_groups:
                group["lr"] = _lr_at(config, epoch * run.batches + index, total_steps)
            run.step(*run.batch(order, index))
            steps_left -= 1
            record = _batch_record(run, epoch, index, started, steps_left)
            yield record
        loss, accuracy, rate = run.epoch_metrics()
        val_acc, run.temperature = run.validate()
        best_path, last_path = run.save_epoch(epoch + 1, val_acc)
        record = replace(
            record, kind="epoch", loss=loss, accuracy=accuracy, samples_per_s=rate,
            val_accuracy=val_acc, best_val_accuracy=run.best_val,
            best_path=str(best_path), last_path=str(last_path),
        )
        yield record
    yield _finish("done", record, started, best_path, last_path, run.best_val)
    return run.model


def _batch_record(run: _Run, epoch: int, index: int, started: float, steps_left: int) -> TrainProgress:
    """This process's running figures (no waiting on the others for them); the rate is
    counted for all processes, which step together."""
    now = time.perf_counter()
    elapsed = now - started
    steps_done = (epoch - run.start_epoch) * run.batches + index + 1
    return TrainProgress(
        kind="batch", epoch=epoch + 1, epochs=run.config.epochs, batch=index + 1,
        batches=run.batches, loss=run.loss_sum / run.seen, accuracy=run.correct / run.seen,
        best_val_accuracy=run.best_val,
        samples_per_s=run.seen * run.place.world_size / max(now - run.epoch_started, 1e-9),
        eta_s=elapsed / steps_done * steps_left, elapsed_s=elapsed,
        initial_val_accuracy=run.initial_val,
        processes=run.place.world_size, backend=run.place.backend,
    )


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
