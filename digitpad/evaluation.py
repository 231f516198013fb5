"""How a predictor does on a labelled ImageSet: accuracy, per class, the confusion
matrix, calibration (ECE and the reliability table), and how many digits the
not-a-digit gate turned away."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Generator

import numpy as np

from .calibration import expected_calibration_error, reliability
from .data import ImageSet
from .inference import Predictor


@dataclass
class EvalReport:
    n: int
    accuracy: float
    per_class: dict[str, float | None]  # None for a class with no images
    confusion: list[list[int]]  # confusion[true][predicted]
    ece: float  # expected calibration error of the (temperature-scaled) probabilities
    reliability: list[dict]  # per confidence bin: low, high, count, confidence, accuracy
    unsure: float | None  # share of these digits the gate turned away (None: no gate)
    skipped: list[dict] = field(default_factory=list)
    probs: np.ndarray | None = None  # (N, 10), in the ImageSet's order
    not_digit: np.ndarray | None = None  # (N,) the gate's p(not a digit)

    @property
    def predictions(self) -> np.ndarray:
        return self.probs.argmax(axis=1)

    def to_json(self) -> dict:
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "per_class": self.per_class,
            "confusion": self.confusion,
            "ece": self.ece,
            "reliability": self.reliability,
            "unsure": self.unsure,
            "skipped": self.skipped,
        }


def evaluate_images(
    predictor: Predictor,
    dataset: ImageSet,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> EvalReport:
    """Run the predictor over preprocessed images in batches and tally the results.

    `should_stop` is polled between batches; when it returns True, this raises Cancelled.
    """
    from .data import run_steps

    return run_steps(evaluation_steps(predictor, dataset, batch_size), progress, should_stop,
                     "evaluation was cancelled")


def evaluation_steps(
    predictor: Predictor, dataset: ImageSet, batch_size: int = 1000,
) -> Generator[tuple[int, int], None, EvalReport]:
    """evaluate_images as a generator: yields (images done, total) after each batch and
    returns the EvalReport (what a GUI worker runs, with cancel between batches)."""
    probs = np.zeros((len(dataset), 10), dtype=np.float32)
    not_digit = np.zeros(len(dataset), dtype=np.float32)
    for start in range(0, len(dataset), batch_size):
        inputs = dataset.images[start : start + batch_size].astype(np.float32) / 255.0
        scores = predictor.scorer.score(inputs)
        probs[start : start + len(inputs)] = scores.probs
        not_digit[start : start + len(inputs)] = scores.not_digit
        yield start + len(inputs), len(dataset)
    return _report(dataset, probs, not_digit, predictor)


def _report(dataset: ImageSet, probs: np.ndarray, not_digit: np.ndarray, predictor: Predictor) -> EvalReport:
    truth = dataset.labels
    predicted = probs.argmax(axis=1)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (truth, predicted), 1)
    per_class = {}
    for digit in range(10):
        total = int(confusion[digit].sum())
        per_class[str(digit)] = float(confusion[digit, digit] / total) if total else None
    n = len(truth)
    unsure = float((not_digit > predictor.gate.threshold).mean()) if predictor.gate and n else None
    return EvalReport(
        n=n,
        accuracy=float((predicted == truth).mean()) if n else float("nan"),
        per_class=per_class,
        confusion=confusion.tolist(),
        ece=expected_calibration_error(probs, truth),
        reliability=reliability(probs, truth),
        unsure=unsure,
        skipped=[{"path": p, "reason": r} for p, r in dataset.skipped],
        probs=probs,
        not_digit=not_digit,
    )
