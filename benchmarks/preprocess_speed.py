"""The live prediction path before and after issue 10's preprocessing, in one process.

Loads the earlier preprocessing (digitpad/preprocess.py as of commit 2436a16, by
`git show`, or --reference FILE) beside the current one, and alternates them round by
round on the same 280x280 canvas drawings: preprocessing alone, and one whole prediction
(preprocessing + classifier + not-a-digit gate, shipped MLP and CNN, one thread). Also
checks that both give the same 28x28 inputs (to 1e-6) on these drawings.

Targets (issue 10): one prediction, MLP <= 0.5 ms, CNN <= 1.0 ms.

    python benchmarks/preprocess_speed.py [--rounds 5] [--repeats 400]
"""

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import ROOT
from digitpad import inference, preprocess
from digitpad.benchmarking import canvas_drawings, time_predictions
from digitpad.threads import PREDICTION_THREADS, use_threads

BEFORE = "2436a16"
TARGET_MS = {"mlp": 0.5, "cnn": 1.0}


def load_reference(path: str | None):
    if path is None:
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{BEFORE}:digitpad/preprocess.py"],
                                capture_output=True, text=True, check=True).stdout
        path = Path(tempfile.mkdtemp()) / "preprocess_before.py"
        path.write_text(source.replace("from .errors import", "from digitpad.errors import"))
    spec = importlib.util.spec_from_file_location("preprocess_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def median_ms(function, inputs, repeats: int) -> float:
    timings = []
    for i in range(repeats):
        start = time.perf_counter()
        function(inputs[i % len(inputs)])
        timings.append(time.perf_counter() - start)
    return float(np.median(timings) * 1e3)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=400)
    parser.add_argument("--reference", default=None, help="the earlier preprocess.py (default: git show)")
    args = parser.parse_args()
    before = load_reference(args.reference)
    drawings = [np.asarray(image) for image in canvas_drawings()]  # what the canvas hands over
    worst = max(float(np.abs(before.preprocess(d) - preprocess.preprocess(d)).max()) for d in drawings)
    predictors = {name: inference.Predictor.from_pretrained(name, device="cpu") for name in TARGET_MS}
    rows = {key: {"before": [], "after": []} for key in ("preprocess", *predictors)}
    with use_threads(PREDICTION_THREADS):
        for _ in range(args.rounds):
            for label, module in (("before", before), ("after", preprocess)):
                rows["preprocess"][label].append(median_ms(module.preprocess, drawings, args.repeats))
                inference.preprocess = module  # the Predictor's preprocessing, swapped
                for name, predictor in predictors.items():
                    rows[name][label].append(time_predictions(predictor, drawings, args.repeats)["median_ms"])
            inference.preprocess = preprocess
    summary = {key: {label: statistics.median(v) for label, v in value.items()} for key, value in rows.items()}
    for key, value in summary.items():
        ratio = statistics.median(b / a for b, a in zip(rows[key]["before"], rows[key]["after"]))
        target = f" (target <= {TARGET_MS[key]} ms)" if key in TARGET_MS else ""
        print(f"{key:10}: before {value['before']:.3f} ms, after {value['after']:.3f} ms, "
              f"{ratio:.2f}x faster{target}")
    print(f"largest difference between the two preprocessings' outputs: {worst:.2e}")
    print(json.dumps({"rounds": rows, "medians_ms": summary, "max_abs_difference": worst}))
    ok = worst <= 1e-6 and all(summary[name]["after"] <= TARGET_MS[name] for name in predictors)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
