"""Accuracy on digits drawn the way the canvas draws them (digitpad.synth): several
writing styles per digit, random slant, size, position, pen width, hand wobble,
stroke speed and polarity, on a 280x280 page. Seeded, so every run sees the same
images; written once as an ImageFolder (data/drawn-SEED), then read through
`digitpad eval` like any folder.

Targets (issue 4): shipped CNN >= 98.5%, MLP >= 95%. With --compare DIR, the
checkpoints DIR/cnn.pt and DIR/mlp.pt (e.g. the previous shipped weights) are
measured in the same run.

With --folder DIR, a folder of real drawings (e.g. the ones saved from the app's "My
handwriting" box, ~/.local/share/digitpad/my-digits) is measured the same way.

    python benchmarks/drawn.py [--per-class 300] [--seed 2026] [--compare DIR] [--folder DIR]
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

from _common import ROOT

TARGETS = {"cnn": 0.985, "mlp": 0.95}


def drawn_folder(per_class: int, seed: int) -> Path:
    from digitpad.synth import write_digit_folder

    folder = ROOT / "data" / f"drawn-{seed}-{per_class}"
    if not (folder / ".complete").is_file():
        write_digit_folder(folder, per_class=per_class, seed=seed, size=280)
        (folder / ".complete").write_text("")
    return folder


def evaluate(folder: Path, model: str, weights: Path | None) -> dict:
    command = [sys.executable, "-m", "digitpad", "eval", str(folder), "--json", "--model", model]
    if weights:
        command += ["--weights", str(weights)]
    return json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-class", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--compare", type=Path, default=None, help="folder with older cnn.pt and mlp.pt")
    parser.add_argument("--folder", type=Path, default=None, help="also measure this folder of drawings")
    args = parser.parse_args()
    folder = drawn_folder(args.per_class, args.seed)
    if args.folder:
        for model in TARGETS:
            report = evaluate(args.folder, model, None)
            per_class = " ".join(f"{d}:{a:.0%}" for d, a in report["per_class"].items() if a is not None)
            print(f"{model} on {args.folder}: {report['accuracy']:.2%} of {report['n']}  [{per_class}]")
    results, ok = {}, True
    for model, target in TARGETS.items():
        runs = {"shipped": evaluate(folder, model, None)}
        if args.compare:
            runs["compared"] = evaluate(folder, model, args.compare / f"{model}.pt")
        for name, report in runs.items():
            per_class = " ".join(f"{d}:{a:.0%}" for d, a in report["per_class"].items())
            print(f"{model} ({name}): {report['accuracy']:.2%} on {report['n']} drawn digits  [{per_class}]")
        results[model] = {name: {k: r[k] for k in ("n", "accuracy", "per_class")} for name, r in runs.items()}
        ok &= runs["shipped"]["accuracy"] >= target
    print(json.dumps(results))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
