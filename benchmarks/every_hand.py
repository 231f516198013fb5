"""Issue 8, "read every hand": the classifiers' accuracy on three sets nothing was tuned on.

- exam: hard drawn digits from benchmarks/exam_digits/ (its own glyphs, renderer, parameters and
  seeds; see exam/render.py), per hard condition and per shape family; families that no
  part of training generates (exam/glyphs.py HELD_OUT_FAMILIES) are also reported alone.
  Targets: CNN >= 98.5%, MLP >= 96%.
- outside hands: scikit-learn's UCI digits (1,797 digits by 43 writers, 8x8 counts of
  a 32x32 bitmap), blown up to 32x32 (bilinear) and put through digitpad's preprocessing.
  Targets: CNN >= 98.5%, MLP >= 98% (at the least >= 95%).
- MNIST test (10,000, the same preprocessing as `digitpad eval`): CNN >= 99.6%, MLP >= 99.0%.

Measures the shipped weights, or those in --weights DIR (DIR/cnn.pt, DIR/mlp.pt); with
--compare DIR, another pair in the same run (e.g. the previous shipped weights).

    python benchmarks/every_hand.py [--per-digit 300] [--weights DIR] [--compare DIR]
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from _common import ROOT, mnist_idx_dir
from digitpad import checkpoint as ckpt
from digitpad.inference import Predictor, pretrained_path
from digitpad.mnist import read_mnist
from digitpad.preprocess import preprocess, preprocess_stack

TARGETS = {"exam": {"cnn": 0.985, "mlp": 0.96}, "uci": {"cnn": 0.985, "mlp": 0.98},
           "mnist": {"cnn": 0.996, "mlp": 0.990}}


def exam_inputs(per_digit: int) -> dict:
    """The exam set, preprocessed, cached under data/ (drawing it takes a minute)."""
    from exam_digits.glyphs import HELD_OUT_FAMILIES
    from exam_digits.render import SEED_BASE, exam_set

    cache = ROOT / "data" / f"exam-{SEED_BASE}-{per_digit}.npz"
    if not cache.is_file():
        pages, labels, families, conditions = exam_set(per_digit)
        inputs = np.stack([preprocess(page) for page in pages])
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(cache, inputs=inputs, labels=labels, families=families, conditions=conditions)
    data = dict(np.load(cache))
    data["held_out"] = np.isin(data["families"], sorted(HELD_OUT_FAMILIES))
    return data


def uci_inputs() -> dict:
    from sklearn.datasets import load_digits

    digits = load_digits()
    pages = [Image.fromarray((image * (255 / 16)).astype(np.uint8)).resize((32, 32), Image.Resampling.BILINEAR)
             for image in digits.images]
    return {"inputs": np.stack([preprocess(page) for page in pages]), "labels": digits.target}


def mnist_inputs() -> dict:
    images, labels = read_mnist(mnist_idx_dir(), "test")
    return {"inputs": preprocess_stack(images), "labels": labels.astype(np.int64)}


def predicted(path: Path, inputs: np.ndarray) -> np.ndarray:
    predictor = Predictor(ckpt.load(path), device="cpu", gate=None)
    return np.concatenate([predictor.probabilities(inputs[i : i + 1000]).argmax(1)
                           for i in range(0, len(inputs), 1000)])


def breakdown(right: np.ndarray, keys: np.ndarray) -> dict:
    return {str(k): float(right[keys == k].mean()) for k in np.unique(keys)}


def measure(path: Path, sets: dict) -> dict:
    result = {}
    for name, data in sets.items():
        right = predicted(path, data["inputs"]) == data["labels"]
        result[name] = {"n": int(len(right)), "accuracy": float(right.mean())}
        if name == "exam":
            result[name]["by_condition"] = breakdown(right, data["conditions"])
            result[name]["by_family"] = breakdown(right, data["families"])
            result[name]["held_out_families"] = float(right[data["held_out"]].mean())
    return result


def report(label: str, model: str, result: dict) -> bool:
    ok = True
    for name, stats in result.items():
        target = TARGETS[name][model]
        met = stats["accuracy"] >= target
        ok &= met
        print(f"{model} ({label}) {name}: {stats['accuracy']:.2%} of {stats['n']} "
              f"(target >= {target:.1%}: {'met' if met else 'MISSED'})")
        if name == "exam":
            print("    by condition: " + ", ".join(f"{k} {v:.1%}" for k, v in stats["by_condition"].items()))
            worst = sorted(stats["by_family"].items(), key=lambda kv: kv[1])[:6]
            print("    worst families: " + ", ".join(f"{k} {v:.1%}" for k, v in worst))
            print(f"    families no training generates: {stats['held_out_families']:.2%}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-digit", type=int, default=300)
    parser.add_argument("--weights", type=Path, default=None, help="folder with cnn.pt and mlp.pt")
    parser.add_argument("--compare", type=Path, default=None, help="another folder, measured alongside")
    parser.add_argument("--models", default="cnn,mlp")
    args = parser.parse_args()
    sets = {"exam": exam_inputs(args.per_digit), "uci": uci_inputs(), "mnist": mnist_inputs()}
    results, ok = {}, True
    for model in args.models.split(","):
        runs = {"measured": args.weights / f"{model}.pt" if args.weights else pretrained_path(model)}
        if args.compare:
            runs["compared"] = args.compare / f"{model}.pt"
        results[model] = {}
        for label, path in runs.items():
            results[model][label] = measure(path, sets)
            met = report(f"{label}: {path}", model, results[model][label])
            ok &= met or label == "compared"
    print(json.dumps(results))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
