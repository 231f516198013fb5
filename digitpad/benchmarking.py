"""Latency of one prediction (preprocessing + forward), shared by `digitpad bench` and
benchmarks/. One drawing needs one thread: more only make OpenMP threads wait on each
other when another program keeps a core busy."""

from __future__ import annotations

import time

import numpy as np

from .devices import available_devices
from .inference import Predictor
from .synth import draw_digit
from .threads import PREDICTION_THREADS, use_threads


def time_predictions(predictor: Predictor, images: list, repeats: int) -> dict:
    for image in images[:50]:  # warm-up: first calls allocate, pick kernels, profile the graph
        predictor.predict(image)
    timings = np.empty(repeats)
    for i in range(repeats):
        image = images[i % len(images)]
        start = time.perf_counter()
        predictor.predict(image)
        timings[i] = time.perf_counter() - start
    return {
        "median_ms": float(np.median(timings) * 1e3),
        "p95_ms": float(np.percentile(timings, 95) * 1e3),
        "repeats": repeats,
    }


def canvas_drawings(count: int = 50, seed: int = 0) -> list:
    """Drawings the size of the app's canvas (280x280), dark ink on white."""
    rng = np.random.default_rng(seed)
    return [draw_digit(i % 10, size=280, rng=rng) for i in range(count)]


def bench_latency(models: list[str], devices: list[str] | None, repeats: int) -> list[dict]:
    devices = devices or [d.name for d in available_devices()]
    images = canvas_drawings()
    rows = []
    with use_threads(PREDICTION_THREADS):
        for model in models:
            for device in devices:
                predictor = Predictor.from_pretrained(model, device=device)
                stats = time_predictions(predictor, images, repeats)
                rows.append({"model": model, "device": device, "threads": PREDICTION_THREADS, **stats})
    return rows
