"""Knowing when it is not a digit.

A digit classifier has to answer one of ten digits, so asked about a scribble, a letter
or a photo it still says "7, 100%". Its own confidence does not fix this: measured on
the shipped CNN, a max-softmax threshold that rejects 1% of MNIST digits rejects only
29% of hand-drawn letters and 53% of random strokes (an energy score does a little better).

So digitpad asks a second, small network first: trained on digits (MNIST's and harder
ones: turned, sheared, thin and thick pens, gaps) against many families of non-digits
(closed shapes that are not a 0, letters, Chinese-like characters, symbols, doodles,
pictures: digitpad/negatives.py), it gives the probability that the input is not a
digit. Its threshold is set on held-out digits so that few of them are turned away
(THRESHOLD_BUDGETS in gate_training). The same gate serves every classifier, the shipped
ones and those users train, because it looks only at the 28x28 input. How it is
trained: digitpad/gate_training.py.

Measured (DESIGN.md): Mahalanobis distance on the CNN's features and an autoencoder's
reconstruction error caught none of the closed shapes. Negatives that show them help on
what they show; leave-families-out (benchmarks/rejection.py --lofo) measures how little
of that carries over to families the gate never saw. Added to this gate, signals that see
no negatives (Mahalanobis, nearest training features, energy) gain at most 3 points on
the exam while keeping the limits on digits turned away; the one exception,
nearest training images in plain pixels, was picked out on the exam itself and turns
away only 8% of the families, drawn with the canvas's pen. None is used
(benchmarks/feature_distance.py, README).
"""

from __future__ import annotations

import numpy as np
import torch

from . import checkpoint as ckpt
from . import preprocess
from .one_drawing import FlatNetwork
from .scoring import SMALL_BATCH, Contract, normalise

GATE_CLASSES = ["digit", "not a digit"]
# A small CNN: an MLP gate (784-128-2) was cheaper but let through 15-30% of scribbles
# and a fifth of Fashion-MNIST at the same rate of turned-away digits. Width 12 (was 8)
# for 28 families instead of 4: +0.035 ms a prediction (benchmarks/rejection.py).
GATE_MODEL = "cnn"
GATE_ARGS = {"width": 12, "hidden": 48, "dropout": 0.2, "classes": 2}
# The gate reads the MNIST-normalised input whatever the classifier's contract says.
GATE_CONTRACT = Contract(mean=preprocess.MEAN, std=preprocess.STD, temperature=1.0)
# Share of held-out digits the gate may turn away; the threshold is fitted to it.
DIGIT_REJECTION_BUDGET = 0.005


class NotDigitGate:
    """p(not a digit) for preprocessed 28x28 inputs, and the fitted threshold."""

    def __init__(self, checkpoint: ckpt.Checkpoint, device: torch.device):
        if list(checkpoint.classes) != GATE_CLASSES:
            raise ckpt.CheckpointError("this checkpoint is not a not-a-digit gate")
        self.checkpoint = checkpoint
        self.device = device
        self.model = checkpoint.build().to(device).eval()
        # One drawing at a time goes through a flat, folded copy, as the classifier does
        # (scoring.Scorer, one_drawing.py).
        self._one_drawing = FlatNetwork(self.model, GATE_CONTRACT.mean, GATE_CONTRACT.std)
        self.threshold = float(checkpoint.meta.get("threshold", 0.5))

    @torch.inference_mode()
    def not_digit_probability(self, inputs: np.ndarray) -> np.ndarray:
        x = torch.as_tensor(np.asarray(inputs, dtype=np.float32)).to(self.device)
        if len(x) <= SMALL_BATCH:
            return self._one_drawing(x)[:, 1].cpu().numpy()
        logits = self.model(normalise(x, GATE_CONTRACT)).float()
        return torch.softmax(logits, dim=1)[:, 1].cpu().numpy()
