"""Not-a-digit signals that never see a non-digit, beside the gate and combined with it.

    python benchmarks/feature_distance.py [--model cnn] [--layer penultimate] [--hard-budget 0.01] [--json]

For a shipped classifier, its features of MNIST training digits (preprocessed as the app
does) are split: FIT_COUNT of them fit the statistics, the other HELD_OUT_COUNT only
choose each signal's threshold (at most BUDGET of them turned away; with --hard-budget B,
also at most B of HARD_COUNT of them redrawn by gate_training.hard_variant, as the gate's
threshold is chosen). The features are
the input of the last Linear layer (--layer penultimate) or of the first (--layer first:
the CNN's 576 convolutional features, the MLP's 784 pixels). Signals, larger = less like
a digit:
  mahalanobis  smallest distance to a class mean under one shared covariance
  relative     that minus the distance to one Gaussian of all digits (Ren et al. 2021)
  knn          cosine distance to the K-th nearest of KNN_BANK fitted features
  energy       -logsumexp(logits) (the whole network; --layer does not change it)
No negative and no measuring set chooses anything here, so every negative family is one
the signal never saw. Reported, for the gate alone, each signal alone and "turned away
if the gate or the signal says so": the exam non-digits (benchmarks/exam), every
registered negative family (fresh seeds, the LOFO exam seeds: the gate was TRAINED on
these families, so its figures there are tuning figures), Fashion-MNIST (outside); and
digits turned away: MNIST test and UCI digits (outside), exam digits, and digits drawn
with the canvas's pen by digitpad.synth (a tuning source of the classifiers; seed
SYNTH_SEED, used by no other benchmark): the families are drawn with that pen too, the
exam's shapes are not.
"""

import argparse
import json
import sys
import time

import numpy as np
import torch

from _common import ROOT, mnist_idx_dir
from digitpad.inference import Predictor, shipped_gate
from digitpad.mnist import read_mnist
from digitpad.negatives import FAMILIES, family_images
from digitpad.neighbours import last_linear
from digitpad.preprocess import VERSION, preprocess_stack
from digitpad.scoring import normalise
from rejection import LOFO_EXAM_SEED, exam_sets

FIT_COUNT, HELD_OUT_COUNT = 50_000, 10_000
BUDGET = 0.003
KNN_K, KNN_BANK = 10, 10_000
# Caches only save time (the same seeds make the same images); keyed by the preprocessing.
FAMILY_CACHE = ROOT / "data" / f"families-lofo-exam-{VERSION}.npz"
MNIST_CACHE = ROOT / "data" / f"mnist-train-{VERSION}.npz"
SYNTH_SEED, SYNTH_COUNT = 31337, 2000
HARD_COUNT, HARD_SEED = 3000, 123


def mnist_train() -> tuple[np.ndarray, np.ndarray]:
    if MNIST_CACHE.is_file():
        with np.load(MNIST_CACHE) as saved:
            return saved["images"], saved["labels"]
    images, labels = read_mnist(mnist_idx_dir(), "train")
    images = np.round(preprocess_stack(images) * 255).astype(np.uint8)
    np.savez_compressed(MNIST_CACHE, images=images, labels=labels)
    return images, labels


def family_sets() -> dict[str, np.ndarray]:
    if FAMILY_CACHE.is_file():
        with np.load(FAMILY_CACHE) as saved:
            return {k: saved[k] for k in saved.files}
    sets = {name: family_images(name, 200, seed=LOFO_EXAM_SEED + f) for f, name in enumerate(FAMILIES)}
    np.savez_compressed(FAMILY_CACHE, **sets)
    return sets


def features(predictor: Predictor, images: np.ndarray, layer: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(features at `layer`, logits) of uint8 (N, 28, 28) inputs."""
    model = predictor.model.eval()
    linears = [i for i, module in enumerate(model) if isinstance(module, torch.nn.Linear)]
    cut = last_linear(model) if layer == "penultimate" else linears[0]
    feats, logits = [], []
    with torch.inference_mode():
        for chunk in np.array_split(images, max(1, len(images) // 1000)):
            x = normalise(torch.as_tensor(chunk.astype(np.float32) / 255), predictor.contract)
            inner = model[:cut](x)
            feats.append(inner.flatten(1).double())
            logits.append(model[cut:](inner).double())
    return torch.cat(feats), torch.cat(logits)


def _whitening(centred: torch.Tensor) -> torch.Tensor:
    """W with W^T W = the inverse covariance; a small ridge for units that never fire."""
    cov = centred.T @ centred / len(centred)
    cov += 1e-6 * cov.diagonal().mean() * torch.eye(len(cov), dtype=cov.dtype)
    return torch.linalg.cholesky(torch.linalg.inv(cov)).T


def synth_digits() -> np.ndarray:
    from digitpad.preprocess import is_blank, preprocess
    from digitpad.synth import draw_digit

    rng = np.random.default_rng(SYNTH_SEED)
    inputs = [preprocess(draw_digit(i % 10, rng=rng, size=280)) for i in range(SYNTH_COUNT)]
    return np.round(np.stack([x for x in inputs if not is_blank(x)]) * 255).astype(np.uint8)


class Signals:
    """The negative-free signals of one classifier, fitted on training digits' features."""

    def __init__(self, predictor: Predictor, layer: str, images: np.ndarray, labels: np.ndarray):
        self.predictor, self.layer = predictor, layer
        f, _ = features(predictor, images, layer)
        y = torch.as_tensor(labels.astype(np.int64))
        means = torch.stack([f[y == c].mean(0) for c in range(10)])
        self.whiten = _whitening(f - means[y])
        self.white_means = means @ self.whiten.T
        self.mean, self.whiten_all = f.mean(0), _whitening(f - f.mean(0))
        bank = f[torch.randperm(len(f), generator=torch.Generator().manual_seed(0))[:KNN_BANK]]
        self.bank = torch.nn.functional.normalize(bank.float(), dim=1)

    def __call__(self, images: np.ndarray) -> dict[str, np.ndarray]:
        feats, logits = features(self.predictor, images, self.layer)
        maha = torch.cdist(feats @ self.whiten.T, self.white_means).min(1).values ** 2
        background = (((feats - self.mean) @ self.whiten_all.T) ** 2).sum(1)
        unit = torch.nn.functional.normalize(feats.float(), dim=1)
        knn = torch.cat([1 - (chunk @ self.bank.T).topk(KNN_K, dim=1).values[:, -1] for chunk in unit.split(2000)])
        return {"mahalanobis": maha.numpy(), "relative": (maha - background).numpy(),
                "knn": knn.numpy(), "energy": (-torch.logsumexp(logits, dim=1)).numpy()}


def gate_verdict(images: np.ndarray) -> np.ndarray:
    gate = shipped_gate(torch.device("cpu"))
    probs = np.concatenate([gate.not_digit_probability(chunk.astype(np.float32) / 255)
                            for chunk in np.array_split(images, max(1, len(images) // 2000))])
    return probs > gate.threshold


def verdicts(signals: Signals, thresholds: dict, images: np.ndarray) -> dict[str, np.ndarray]:
    gate = gate_verdict(images)
    out = {"gate": gate}
    for name, score in signals(images).items():
        out[name] = score > thresholds[name]
        out[f"gate or {name}"] = gate | out[name]
    return out


def report(signals: Signals, thresholds: dict) -> dict:
    negatives, digits = exam_sets(mnist_idx_dir())
    sets = {f"exam: {k}": v for k, v in negatives.items() if "outside" not in k}
    sets["exam non-digits, pooled"] = np.concatenate(list(sets.values()))
    sets.update({f"family (never seen by the signals): {k}": v for k, v in family_sets().items()})
    sets["Fashion-MNIST (outside)"] = negatives["Fashion-MNIST (outside)"]
    sets.update({f"digits: {k}": v for k, v in digits.items()})
    sets["digits: exam digits, pooled"] = np.concatenate([v for k, v in digits.items() if "(exam)" in k])
    sets["digits: drawn with the canvas pen, digitpad.synth (tuning source)"] = synth_digits()
    rates = {}
    for name, images in sets.items():
        rates[name] = {rule: float(v.mean()) for rule, v in verdicts(signals, thresholds, images).items()}
    return rates


def show(rates: dict) -> None:
    rules = list(next(iter(rates.values())))
    print(f"{'turned away':60s}" + "".join(f"{r[:16]:>17s}" for r in rules))
    for name, row in rates.items():
        print(f"{name[:60]:60s}" + "".join(f"{row[r]:17.2%}" for r in rules))
    families = {name.split(": ", 1)[1]: row for name, row in rates.items() if name.startswith("family")}
    print("families: the gate was trained on them (its figures are tuning figures); the signals never saw any")
    for rule in rules:
        worst = min(families, key=lambda name: families[name][rule])
        print(f"families, {rule:18s} mean {np.mean([row[rule] for row in families.values()]):6.1%}, "
              f"worst {families[worst][rule]:6.1%} ({worst})")


def thresholds_from(signals: Signals, images: np.ndarray, hard_budget: float | None) -> dict[str, float]:
    """Each signal's threshold, from held-out training digits only."""
    held = {k: float(np.quantile(v, 1 - BUDGET)) for k, v in signals(images).items()}
    if hard_budget is None:
        return held
    from digitpad.gate_training import hard_variant

    rng = np.random.default_rng(HARD_SEED)
    hard = signals(np.stack([hard_variant(x, rng) for x in images[:HARD_COUNT]]))
    return {k: max(t, float(np.quantile(hard[k], 1 - hard_budget))) for k, t in held.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="cnn", choices=["cnn", "mlp"])
    parser.add_argument("--layer", default="penultimate", choices=["penultimate", "first"])
    parser.add_argument("--hard-budget", type=float, default=None,
                        help="also turn away at most this share of hard variants of the held-out digits")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    started = time.perf_counter()
    predictor = Predictor.from_pretrained(args.model, device="cpu", gate=False)
    images, labels = mnist_train()
    order = np.random.default_rng(0).permutation(len(images))
    fit, held = order[:FIT_COUNT], order[FIT_COUNT:FIT_COUNT + HELD_OUT_COUNT]
    signals = Signals(predictor, args.layer, images[fit], labels[fit])
    thresholds = thresholds_from(signals, images[held], args.hard_budget)
    print(f"{args.model}, {args.layer} features: thresholds {thresholds} ({time.perf_counter() - started:.0f} s)", flush=True)
    rates = report(signals, thresholds)
    show(rates)
    if args.json:
        print(json.dumps({"thresholds": thresholds, "rates": rates}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
