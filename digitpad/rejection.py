"""Knowing when it is not a digit.

A digit classifier has to answer one of ten digits, so asked about a scribble, a letter
or a photo it still says "7, 100%". Its own confidence does not fix this: measured on
the shipped CNN, a max-softmax threshold that rejects 1% of MNIST digits rejects only
29% of hand-drawn letters and 53% of random strokes (an energy score does a little better).

So digitpad asks a second, small network first: trained on MNIST digits against
generated non-digits (scribbles, random strokes, letters, filled shapes), it gives the
probability that the input is not a digit. Its threshold is set on held-out digits so
that at most 0.5% of them are turned away. The same gate serves every classifier, the
shipped ones and those users train, because it looks only at the 28x28 input.
"""

from __future__ import annotations

import numpy as np
import torch

from . import checkpoint as ckpt
from . import preprocess
from .data import ImageSet
from .synth import NON_DIGIT_KINDS, draw_non_digit

GATE_CLASSES = ["digit", "not a digit"]
# A small CNN: an MLP gate (784-128-2) was cheaper but let through 15-30% of scribbles
# and a fifth of Fashion-MNIST at the same rate of turned-away digits.
GATE_MODEL = "cnn"
GATE_ARGS = {"width": 8, "hidden": 32, "dropout": 0.2, "classes": 2}
# Share of held-out digits the gate may turn away; the threshold is fitted to it.
DIGIT_REJECTION_BUDGET = 0.005


class NotDigitGate:
    """p(not a digit) for preprocessed 28x28 inputs, and the fitted threshold."""

    def __init__(self, checkpoint: ckpt.Checkpoint, device: torch.device):
        if list(checkpoint.classes) != GATE_CLASSES:
            raise ckpt.CheckpointError("this checkpoint is not a not-a-digit gate")
        self.checkpoint = checkpoint
        self.device = device
        self.model = checkpoint.build().to(device)
        self.threshold = float(checkpoint.meta.get("threshold", 0.5))

    @torch.inference_mode()
    def not_digit_probability(self, inputs: np.ndarray) -> np.ndarray:
        x = torch.as_tensor(np.asarray(inputs, dtype=np.float32)).to(self.device)
        x = ((x - preprocess.MEAN) / preprocess.STD).unsqueeze(1)
        return torch.softmax(self.model(x).float(), dim=1)[:, 1].cpu().numpy()


def non_digit_images(count: int, seed: int, size: int = 140) -> np.ndarray:
    """`count` preprocessed non-digits, as uint8 (count, 28, 28), every kind in turn.

    Blank results (a scribble too small to count as ink) are drawn again.
    """
    rng = np.random.default_rng(seed)
    out = np.zeros((count, preprocess.SIZE, preprocess.SIZE), dtype=np.uint8)
    index = 0
    while index < count:
        kind = NON_DIGIT_KINDS[index % len(NON_DIGIT_KINDS)]
        image = draw_non_digit(kind, size=size, rng=rng, dark_ink=bool(rng.random() < 0.7))
        digit = preprocess.preprocess(image)
        if not preprocess.is_blank(digit):
            out[index] = np.round(digit * 255).astype(np.uint8)
            index += 1
    return out


def gate_dataset(digits: ImageSet, non_digits: np.ndarray) -> ImageSet:
    """Digits labelled 0 and non-digits labelled 1, as one ImageSet for train()."""
    images = np.concatenate([digits.images, non_digits])
    labels = np.concatenate([np.zeros(len(digits), np.int64), np.ones(len(non_digits), np.int64)])
    return ImageSet(images=images, labels=labels)


def fit_threshold(p_not_digit_of_digits: np.ndarray, budget: float = DIGIT_REJECTION_BUDGET) -> float:
    """The smallest threshold that turns away at most `budget` of these (real) digits."""
    return float(max(0.5, np.quantile(p_not_digit_of_digits, 1.0 - budget)))
