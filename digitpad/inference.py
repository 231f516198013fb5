"""Predictor: any image -> Prediction(digit, probs, the 28x28 input the model saw)."""

from __future__ import annotations

import contextlib
import os
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from torch import nn

from . import checkpoint as ckpt
from . import preprocess
from .devices import resolve_device
from .errors import DigitpadError
from .models import MODELS
from .paths import assets_dir
from .models import fused_for_inference
from .rejection import NotDigitGate


# Switching oneDNN off for a moment (see _small_convolutions) makes torch say, once, that
# TF32 on oneDNN needs an Intel GPU: true, and irrelevant here.
warnings.filterwarnings("ignore", message="TF32 acceleration on top of oneDNN")


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


def _small_convolutions(device: torch.device):
    """For one 28x28 image, PyTorch's own CPU convolutions beat oneDNN's, whose set-up
    costs more than the arithmetic (measured: 0.53 -> 0.39 ms for classifier and gate).
    The switch is process-wide but brief; a training running meanwhile only loses oneDNN
    for those microseconds."""
    if device.type == "cpu":
        return _without_onednn()
    return contextlib.nullcontext()


_onednn_switch = threading.Lock()


@contextlib.contextmanager
def _without_onednn():
    # One switch at a time: two threads saving and restoring the flag could otherwise
    # leave it off for good.
    with _onednn_switch, torch.backends.mkldnn.flags(enabled=False):
        yield


class _LiveGraph(nn.Module):
    """normalise -> classifier -> calibrated softmax, and the gate's p(not a digit)."""

    def __init__(self, network: nn.Module, gate: nn.Module | None, mean: float, std: float, temperature: float):
        super().__init__()
        self.network, self.gate = network, gate
        self.mean, self.std, self.temperature = mean, std, temperature

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = x.unsqueeze(1)
        normalised = (x - self.mean) / self.std
        probs = torch.softmax(self.network(normalised) / self.temperature, dim=1)
        if self.gate is None:
            return probs, torch.zeros(x.shape[0])
        if (self.mean, self.std) != (preprocess.MEAN, preprocess.STD):
            normalised = (x - preprocess.MEAN) / preprocess.STD  # the gate's own contract
        return probs, torch.softmax(self.gate(normalised), dim=1)[:, 1]


class Predictor:
    """A loaded model on a device, with its input contract; thread-safe for predictions."""

    def __init__(
        self, checkpoint: ckpt.Checkpoint, device: str | torch.device = "auto",
        name: str | None = None, source: str | None = None, gate: NotDigitGate | None = None,
    ):
        self.checkpoint = checkpoint
        self.device = resolve_device(device)
        self.model = checkpoint.build().to(self.device)
        self.name = name or checkpoint.arch
        self.source = source  # how to load it again: a shipped name or a resolved path
        self.gate = gate
        self._mean = float(checkpoint.input.get("mean", preprocess.MEAN))
        self._std = float(checkpoint.input.get("std", preprocess.STD))
        # Fitted on validation data when the checkpoint was trained (1.0: uncalibrated).
        self.temperature = float(checkpoint.meta.get("temperature") or 1.0)
        # One drawing at a time goes through BatchNorm-folded copies: a third fewer layers.
        self._live = _LiveGraph(fused_for_inference(self.model),
                                fused_for_inference(gate.model) if gate else None,
                                self._mean, self._std, self.temperature).eval()

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

    @torch.inference_mode()
    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 28, 28) preprocessed inputs in 0..1 -> (N, 10) softmax probabilities."""
        x = torch.as_tensor(np.asarray(inputs, dtype=np.float32)).to(self.device)
        x = ((x - self._mean) / self._std).unsqueeze(1)
        return torch.softmax(self.model(x).float() / self.temperature, dim=1).cpu().numpy()

    def predict(self, image) -> Prediction:
        """One image (the live drawing's path: no batching overhead)."""
        digit = preprocess.preprocess(image)
        if preprocess.is_blank(digit):
            return Prediction(digit=None, probs=np.zeros(10, dtype=np.float32), input=digit)
        with torch.inference_mode(), _small_convolutions(self.device):
            probs, not_digit = self._live(torch.from_numpy(digit[None]).to(self.device))
        probs, not_digit = probs[0].float().cpu().numpy(), float(not_digit[0])
        unsure = self.gate is not None and not_digit > self.gate.threshold
        return Prediction(digit=int(probs.argmax()), probs=probs, input=digit, unsure=unsure, not_digit=not_digit)

    def predict_batch(self, images: Sequence) -> list[Prediction]:
        """Preprocess each image, run the drawn ones in one forward pass."""
        inputs = [preprocess.preprocess(image) for image in images]
        drawn = [i for i, x in enumerate(inputs) if not preprocess.is_blank(x)]
        is_drawn = set(drawn)
        probs = np.zeros((len(inputs), 10), dtype=np.float32)
        not_digit = np.zeros(len(inputs), dtype=np.float32)
        if drawn:
            batch = np.stack([inputs[i] for i in drawn])
            probs[drawn] = self.probabilities(batch)
            if self.gate is not None:
                not_digit[drawn] = self.gate.not_digit_probability(batch)
        threshold = self.gate.threshold if self.gate is not None else 1.0
        return [
            Prediction(digit=int(p.argmax()) if i in is_drawn else None, probs=p, input=x,
                       unsure=bool(n > threshold), not_digit=float(n))
            for i, (p, x, n) in enumerate(zip(probs, inputs, not_digit))
        ]
