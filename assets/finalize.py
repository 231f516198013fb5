"""Turn a trained checkpoint into shipped weights: measure it on a test folder, record
that figure in its metadata, drop the optimizer state, and write it atomically.

Usage: python assets/finalize.py RUN/best.pt TEST_DIR assets/NAME.pt
"""

import sys

from digitpad import checkpoint as ckpt
from digitpad.data import load_folder
from digitpad.evaluation import evaluate_images
from digitpad.inference import Predictor


def main(source: str, test_dir: str, target: str) -> None:
    saved = ckpt.load(source)
    report = evaluate_images(Predictor(saved, device="cpu"), load_folder(test_dir))
    saved.training_state = None
    saved.meta["test_accuracy"] = report.accuracy
    saved.meta["test_set"] = f"MNIST test, {report.n} PNGs via digitpad eval"
    ckpt.save(saved, target)
    print(f"{target}: MNIST test accuracy {report.accuracy:.4%} ({report.n} images)")


if __name__ == "__main__":
    main(*sys.argv[1:])
