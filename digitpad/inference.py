"""Predictor: any image -> Prediction(digit, probs, the 28x28 input the model saw)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from . import checkpoint as ckpt
from . import preprocess
from .devices import resolve_device
from .errors import DigitpadError
from .models import MODELS
from .paths import assets_dir
from .rejection import NotDigitGate
from .scoring import Contract, Gate, Scorer


@dataclass
class Prediction:
    digit: int | None  # None when the image is blank; else the best guess, even when unsure
    probs: np.ndarray  # (10,) float, sums to 1 (calibrated); all zeros when blank
    input: np.ndarray  # (28, 28) float in 0..1, exactly what the model saw
    unsure: bool = False  # the not-a-digit gate turned it away: a scribble, a letter, a picture
    not_digit: float = 0.0  # the gate's probability that this is not a digit

    @property
    def blank(self) -> bool:
        return self.digit is None

    @property
    def confidence(self) -> float:
        return float(self.probs.max())


def blank_prediction() -> Prediction:
    """What any model says of an image without ink: nothing (no network runs for it)."""
    return Prediction(digit=None, probs=np.zeros(10, dtype=np.float32),
                      input=np.zeros((preprocess.SIZE, preprocess.SIZE), dtype=np.float32))


_gates: dict[str, NotDigitGate] = {}


def shipped_gate(device: torch.device) -> NotDigitGate | None:
    """The shipped not-a-digit gate on `device` (loaded once per device), or None if absent."""
    path = assets_dir() / "gate.pt"
    if not path.is_file():
        return None
    if str(device) not in _gates:
        _gates[str(device)] = NotDigitGate(ckpt.load(path), device)
    return _gates[str(device)]


def gate_path_for(weights: str | os.PathLike) -> Path:
    """The gate that goes with these weights: a gate.pt beside them (written when the
    user's own "not a digit" drawings were taught), else the shipped one."""
    beside = Path(weights).with_name("gate.pt")
    return beside if beside.is_file() else assets_dir() / "gate.pt"


def gate_for(weights: str | os.PathLike, device: torch.device) -> NotDigitGate | None:
    path = gate_path_for(weights)
    if path.resolve() == (assets_dir() / "gate.pt").resolve():
        return shipped_gate(device)
    return NotDigitGate(ckpt.load(path), device)


def pretrained_path(name: str) -> Path:
    if name not in MODELS:
        known = ", ".join(sorted(MODELS))
        raise DigitpadError(f"no shipped weights named '{name}'; shipped: {known}")
    path = assets_dir() / f"{name}.pt"
    if not path.is_file():
        raise DigitpadError(
            f"the shipped '{name}' weights are missing (looked for {path}); reinstall "
            "digitpad, or set DIGITPAD_ASSETS to the folder that holds cnn.pt and mlp.pt"
        )
    return path


class Predictor:
    """A loaded model on a device, with its input contract; thread-safe for predictions."""

    def __init__(
        self, checkpoint: ckpt.Checkpoint, device: str | torch.device = "auto",
        name: str | None = None, source: str | None = None, gate: Gate | None = None,
    ):
        ckpt.require_digit_classifier(checkpoint, name or source or checkpoint.arch)
        self.checkpoint = checkpoint
        self.device = resolve_device(device)
        self.model = checkpoint.build().to(self.device)
        self.name = name or checkpoint.arch
        self.source = source  # how to load it again: a shipped name or a resolved path
        self.gate = gate
        self.contract = Contract.of(checkpoint)
        self.scorer = Scorer(self.model, self.contract, self.device, gate)

    @property
    def temperature(self) -> float:
        return self.contract.temperature

    @classmethod
    def from_checkpoint(cls, path: str | os.PathLike, device: str = "auto", gate: bool = True) -> "Predictor":
        """`gate`: also load the not-a-digit gate: the one fine-tuned beside these weights
        (gate.pt), else the shipped one (when it is installed)."""
        device = resolve_device(device)  # an unavailable device is the first thing to say
        return cls(ckpt.load(path), device=device, name=Path(path).name,
                   source=str(Path(path).resolve()), gate=gate_for(path, device) if gate else None)

    @classmethod
    def from_pretrained(cls, name: str = "cnn", device: str = "auto", gate: bool = True) -> "Predictor":
        device = resolve_device(device)
        return cls(ckpt.load(pretrained_path(name)), device=device, name=name, source=name,
                   gate=shipped_gate(device) if gate else None)

    def to(self, device: str) -> "Predictor":
        """The same model on another device (a new Predictor; this one is untouched)."""
        gate = NotDigitGate(self.gate.checkpoint, resolve_device(device)) if self.gate else None
        return Predictor(self.checkpoint, device=device, name=self.name, source=self.source, gate=gate)

    @property
    def arch(self) -> str:
        return self.checkpoint.arch

    @property
    def meta(self) -> dict:
        return self.checkpoint.meta

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 28, 28) preprocessed inputs in 0..1 -> (N, 10) calibrated probabilities."""
        return self.scorer.probabilities(inputs)

    def predict(self, image) -> Prediction:
        """One image (the live drawing)."""
        return self.predict_batch([image])[0]

    def predict_batch(self, images: Sequence) -> list[Prediction]:
        """Preprocess each image, score the drawn ones together; blank ones get no digit."""
        inputs = [preprocess.preprocess(image) for image in images]
        drawn = [i for i, x in enumerate(inputs) if not preprocess.is_blank(x)]
        predictions = [blank_prediction() for _ in inputs]
        if drawn:
            scores = self.scorer.score(np.stack([inputs[i] for i in drawn]))
            for row, i in enumerate(drawn):
                probs = scores.probs[row]
                predictions[i] = Prediction(digit=int(probs.argmax()), probs=probs, input=inputs[i],
                                            unsure=bool(scores.unsure[row]), not_digit=float(scores.not_digit[row]))
        return predictions
