"""What teaching the gate a user's own "not a digit" drawings does: a simulated user saves
60 drawings of one kind the shipped gate lets through (default: generated letters, a
training family; never the exam) and 60 digits (synth, other seeds), then fine-tunes as the
app does (digitpad.handwriting.teach_negatives). Reported on the user's held-out drawings
(a quarter), before and after; plus MNIST test digits turned away after, as a check.

    python benchmarks/user_negatives.py [--family letter] [--count 60]
"""

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from _common import ROOT, mnist_idx_dir
from digitpad import checkpoint as ckpt
from digitpad.data import load_folder
from digitpad.gate_training import rejection_rate
from digitpad.handwriting import NOT_A_DIGIT, save_drawing, teach_negatives
from digitpad.negatives import FAMILIES, draw_family
from digitpad.rejection import NotDigitGate
from digitpad.synth import draw_digit
from exam import sets as exam


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--family", default="letter", choices=list(FAMILIES))
    parser.add_argument("--count", type=int, default=60)
    args = parser.parse_args()
    torch.set_num_threads(2)
    rng = np.random.default_rng(60_000)
    with tempfile.TemporaryDirectory() as folder:
        for i in range(args.count):
            save_drawing(folder, i % 10, np.asarray(draw_digit(i % 10, size=280, rng=rng)))
            save_drawing(folder, NOT_A_DIGIT, np.asarray(draw_family(args.family, rng, size=280)))
        report = teach_negatives(folder, load_folder(folder), str(ROOT / "assets" / "cnn.pt"),
                                 Path(folder) / "run", val_share=0.25, seed=0)
        tuned = NotDigitGate(ckpt.load(report.path), torch.device("cpu"))
        mnist = rejection_rate(tuned, exam.mnist_test(mnist_idx_dir()))
    print(f"{args.family}: the user's held-out ones turned away {report.negatives_turned_away[0]:.0%} before, "
          f"{report.negatives_turned_away[1]:.0%} after ({report.held_out_negatives}); their held-out digits "
          f"{report.digits_turned_away[0]:.0%} / {report.digits_turned_away[1]:.0%} ({report.held_out_digits}); "
          f"MNIST test digits turned away after: {mnist:.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
