"""From `digitpad` to a window the user can draw on, and to the first reading of a
drawn digit.

Runs the real entry point (`python -m digitpad gui`) several times with a probe
(DIGITPAD_STARTUP_PROBE) that prints when the window's first paint is done, whether
torch had been imported by then, then lays a drawn 7 on the canvas (a user who draws at
once) and prints when the prediction of that digit is on screen. `import torch` alone is
timed the same way (process start to exit) in the same run, alternating with the app;
medians over the runs.

Targets: window ready <= 1.0 s; torch not imported before the window is painted; the
drawn digit's prediction <= 0.5 s after `import torch` alone would have finished.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_startup.py [--runs 5]
    xvfb-run -a python benchmarks/gui_startup.py          # a real X11 window
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

WINDOW_TARGET_S = 1.0
BEHIND_TORCH_TARGET_S = 0.5


def timed_run(command: list[str], env: dict) -> tuple[float, dict]:
    start = time.time()
    run = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=True)
    end = time.time()
    marks = {}
    for line in run.stdout.splitlines():
        name, _, value = line.partition(" ")
        if name == "torch-before-window":
            marks[name] = value.strip() == "1"
        elif value:
            marks[name] = float(value) - start
    return end - start, marks


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "DIGITPAD_STARTUP_PROBE": "1"}
    windows, predictions, torch_imports, torch_early = [], [], [], 0
    for _ in range(args.runs):
        torch_imports.append(timed_run([sys.executable, "-c", "import torch"], env)[0])
        _, marks = timed_run([sys.executable, "-m", "digitpad", "gui"], env)
        windows.append(marks["window"])
        predictions.append(marks["prediction"])
        torch_early += marks.get("torch-before-window", True)
    result = {
        "window_s": statistics.median(windows),
        "drawn_digit_prediction_s": statistics.median(predictions),
        "import_torch_s": statistics.median(torch_imports),
        "runs_with_torch_before_window": torch_early,
        "runs": args.runs,
        "platform": os.environ.get("QT_QPA_PLATFORM", "default"),
        "all": {"window_s": windows, "prediction_s": predictions, "import_torch_s": torch_imports},
    }
    behind_torch = result["drawn_digit_prediction_s"] - result["import_torch_s"]
    print(f"window ready {result['window_s']:.2f} s (target <= {WINDOW_TARGET_S} s), torch imported before "
          f"it in {torch_early} of {args.runs} runs; drawn digit read at {result['drawn_digit_prediction_s']:.2f} s, "
          f"{behind_torch:+.2f} s after `import torch` alone ({result['import_torch_s']:.2f} s; target "
          f"<= +{BEHIND_TORCH_TARGET_S} s); medians of {args.runs} runs")
    print(json.dumps(result))
    ok = result["window_s"] <= WINDOW_TARGET_S and behind_torch <= BEHIND_TORCH_TARGET_S and torch_early == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
