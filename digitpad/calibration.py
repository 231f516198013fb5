"""Calibrated confidence: temperature scaling and how to measure calibration.

A network trained with cross-entropy is often over- or under-confident. Dividing its
logits by one number T, fitted on held-out data to minimise the negative log-likelihood
(Guo et al., 2017), fixes most of that without changing any prediction. The expected
calibration error (ECE) says how far stated confidence is from measured accuracy.
"""

from __future__ import annotations

import numpy as np

BINS = 15


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    scaled = logits / temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return exp / exp.sum(axis=1, keepdims=True)


def negative_log_likelihood(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    probs = softmax(logits.astype(np.float64), temperature)
    return float(-np.log(np.clip(probs[np.arange(len(labels)), labels], 1e-12, None)).mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The T in [0.05, 20] that minimises the NLL, by golden-section search on log T."""
    if len(labels) == 0:
        return 1.0
    low, high = np.log(0.05), np.log(20.0)
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(60):
        a = high - ratio * (high - low)
        b = low + ratio * (high - low)
        if negative_log_likelihood(logits, labels, np.exp(a)) < negative_log_likelihood(logits, labels, np.exp(b)):
            high = b
        else:
            low = a
    return float(np.exp((low + high) / 2))


def reliability(probs: np.ndarray, labels: np.ndarray, bins: int = BINS) -> list[dict]:
    """Per confidence bin: its range, how many predictions, their mean confidence and accuracy."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    for low, high in zip(edges[:-1], edges[1:]):
        inside = (confidence > low) & (confidence <= high)
        count = int(inside.sum())
        rows.append({
            "low": float(low), "high": float(high), "count": count,
            "confidence": float(confidence[inside].mean()) if count else None,
            "accuracy": float(correct[inside].mean()) if count else None,
        })
    return rows


def expected_calibration_error(probs: np.ndarray, labels: np.ndarray, bins: int = BINS) -> float:
    """Sum over bins of |accuracy - confidence|, weighted by the bin's share of predictions."""
    total = len(labels)
    if total == 0:
        return float("nan")
    return float(sum(row["count"] / total * abs(row["accuracy"] - row["confidence"])
                     for row in reliability(probs, labels, bins) if row["count"]))
