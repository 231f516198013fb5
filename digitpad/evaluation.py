"""Accuracy, per-class accuracy and the confusion matrix of a predictor on an ImageSet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .data import ImageSet
from .inference import Predictor


@dataclass
class EvalReport:
    n: int
    accuracy: float
    per_class: dict[str, float | None]  # None for a class with no images
    confusion: list[list[int]]  # confusion[true][predicted]
    skipped: list[dict] = field(default_factory=list)
    predictions: np.ndarray | None = None  # (N,) predicted digits, in the ImageSet's order

    def to_json(self) -> dict:
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "per_class": self.per_class,
            "confusion": self.confusion,
            "skipped": self.skipped,
        }


def evaluate_images(
    predictor: Predictor,
    dataset: ImageSet,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    """Run the predictor over preprocessed images in batches and tally the results."""
    predicted = np.zeros(len(dataset), dtype=np.int64)
    for start in range(0, len(dataset), batch_size):
        inputs = dataset.images[start : start + batch_size].astype(np.float32) / 255.0
        predicted[start : start + len(inputs)] = predictor.probabilities(inputs).argmax(1)
        if progress:
            progress(start + len(inputs), len(dataset))
    return _report(dataset, predicted)


def _report(dataset: ImageSet, predicted: np.ndarray) -> EvalReport:
    truth = dataset.labels
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (truth, predicted), 1)
    per_class = {}
    for digit in range(10):
        total = int(confusion[digit].sum())
        per_class[str(digit)] = float(confusion[digit, digit] / total) if total else None
    n = len(truth)
    return EvalReport(
        n=n,
        accuracy=float((predicted == truth).mean()) if n else float("nan"),
        per_class=per_class,
        confusion=confusion.tolist(),
        skipped=[{"path": p, "reason": r} for p, r in dataset.skipped],
        predictions=predicted,
    )
