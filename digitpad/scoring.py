"""The one prediction path: preprocessed inputs -> calibrated probabilities and the
not-a-digit verdict.

Everything that reads digits goes through here: the live drawing, batches (CLI,
evaluation), the Inside tab and the exported graph. A checkpoint's input contract says
how to normalise; its fitted temperature calibrates the softmax; a gate, any object with
`not_digit_probability(inputs) -> (N,)` and a `threshold`, says whether it is a digit.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch
from torch import nn

from . import checkpoint as ckpt
from . import preprocess
from .one_drawing import FlatNetwork



class Gate(Protocol):
    """What the scorer needs of a not-a-digit detector (digitpad.rejection has one)."""

    threshold: float

    def not_digit_probability(self, inputs: np.ndarray) -> np.ndarray: ...


@dataclass
class Contract:
    """How a checkpoint's network wants its input, and how sure its softmax may be."""

    mean: float
    std: float
    temperature: float  # fitted on validation data when trained (1.0: uncalibrated)

    @classmethod
    def of(cls, checkpoint: ckpt.Checkpoint) -> "Contract":
        return cls(mean=float(checkpoint.input.get("mean", preprocess.MEAN)),
                   std=float(checkpoint.input.get("std", preprocess.STD)),
                   temperature=float(checkpoint.meta.get("temperature") or 1.0))


@dataclass
class Scores:
    probs: np.ndarray  # (N, classes) calibrated probabilities
    not_digit: np.ndarray  # (N,) the gate's p(not a digit); zeros without a gate
    unsure: np.ndarray  # (N,) bool: the gate turned it away


def normalise(inputs: torch.Tensor, contract: Contract) -> torch.Tensor:
    """(N, 28, 28) or (N, 1, 28, 28) in 0..1 -> (N, 1, 28, 28) as the network was trained."""
    if inputs.dim() == 3:
        inputs = inputs.unsqueeze(1)
    return (inputs - contract.mean) / contract.std


class CalibratedClassifier(nn.Module):
    """normalise -> network -> softmax(logits / T): a whole model as one graph (exported
    as it is)."""

    def __init__(self, network: nn.Module, contract: Contract):
        super().__init__()
        self.network, self.contract = network, contract

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.network(normalise(x, self.contract)).float()
        return torch.softmax(logits / self.contract.temperature, dim=1)


class Scorer:
    """A network on a device with its contract and (optionally) a gate; thread-safe."""

    def __init__(self, network: nn.Module, contract: Contract, device: torch.device, gate: Gate | None = None):
        self.network, self.contract, self.device, self.gate = network, contract, device, gate
        self.calibrated = CalibratedClassifier(network, contract).eval()
        # One drawing (up to SMALL_BATCH inputs) goes through a flat, folded copy: the same
        # numbers for about half the overhead (one_drawing.py).
        self._one_drawing = FlatNetwork(network, contract.mean, contract.std, contract.temperature)

    def normalised(self, inputs: np.ndarray) -> torch.Tensor:
        return normalise(_tensor(inputs, self.device), self.contract)

    @torch.inference_mode()
    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 28, 28) preprocessed inputs in 0..1 -> (N, classes) calibrated probabilities."""
        x = _tensor(inputs, self.device)
        with _small_batch(self.device) if len(x) <= SMALL_BATCH else contextlib.nullcontext():
            return self._probabilities(x)

    def _probabilities(self, x: torch.Tensor) -> np.ndarray:
        network = self._one_drawing if len(x) <= SMALL_BATCH else self.calibrated
        return network(x).cpu().numpy()

    @torch.inference_mode()
    def score(self, inputs: np.ndarray) -> Scores:
        """Calibrated probabilities and the gate's verdict for (N, 28, 28) inputs."""
        inputs = np.asarray(inputs, dtype=np.float32)
        with _small_batch(self.device) if len(inputs) <= SMALL_BATCH else contextlib.nullcontext():
            probs = self._probabilities(_tensor(inputs, self.device))
            if self.gate is None:
                not_digit = np.zeros(len(inputs), dtype=np.float32)
                return Scores(probs, not_digit, np.zeros(len(inputs), dtype=bool))
            not_digit = np.asarray(self.gate.not_digit_probability(inputs), dtype=np.float32)
        return Scores(probs, not_digit, not_digit > self.gate.threshold)


SMALL_BATCH = 4


def _tensor(inputs: np.ndarray, device: torch.device) -> torch.Tensor:
    return torch.as_tensor(np.asarray(inputs, dtype=np.float32)).to(device)


def _small_batch(device: torch.device):
    """For one 28x28 image, PyTorch's own CPU convolutions beat oneDNN's, whose set-up
    costs more than the arithmetic (measured: 0.53 -> 0.39 ms for classifier and gate).
    The switch is process-wide: a training running meanwhile uses PyTorch's kernels too
    while a drawing is scored (about 0.4 ms a reading; while the pen moves fastest, a
    reading every 8 ms, that is up to 5% of its time). Its results are the same."""
    if device.type == "cpu":
        return _without_onednn()
    return contextlib.nullcontext()


_onednn_switch = threading.Lock()


@contextlib.contextmanager
def _without_onednn():
    # One switch at a time: two threads saving and restoring the flag could otherwise
    # leave it off for good. Only this one flag: torch.backends.mkldnn.flags() also sets
    # and restores others, which cost more than a drawing's whole classifier.
    with _onednn_switch:
        before = torch.backends.mkldnn.enabled
        torch.backends.mkldnn.enabled = False
        try:
            yield
        finally:
            torch.backends.mkldnn.enabled = before
