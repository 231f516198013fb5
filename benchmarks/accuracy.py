"""Test accuracy of the shipped models on the 10,000 MNIST test PNGs, through
`digitpad eval` (the same preprocessing a drawing gets). Targets (issue 8): cnn >= 99.6%,
mlp >= 99.0%. Exit status 1 if a target is missed.

    python benchmarks/accuracy.py
"""

import json
import subprocess
import sys

from _common import mnist_png_dir

TARGETS = {"cnn": 0.996, "mlp": 0.990}


def main() -> int:
    test_dir = mnist_png_dir() / "test"
    results = {}
    for model, target in TARGETS.items():
        run = subprocess.run(
            [sys.executable, "-m", "digitpad", "eval", str(test_dir), "--json", "--model", model],
            capture_output=True, text=True, check=True,
        )
        report = json.loads(run.stdout)
        results[model] = {"n": report["n"], "accuracy": report["accuracy"], "target": target,
                          "met": report["accuracy"] >= target}
        print(f"{model}: {report['accuracy']:.2%} on {report['n']} MNIST test PNGs "
              f"(target >= {target:.1%}: {'met' if report['accuracy'] >= target else 'MISSED'})")
    print(json.dumps(results))
    return 0 if all(r["met"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
