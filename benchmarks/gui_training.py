"""Training in the app against `digitpad train`, same machine, same run, same folder.

The CLI trains the CNN for --epochs on the first --images MNIST training PNGs (a fresh
process, the dataset cache warm so both sides start from decoded images); then the app,
in this process (offscreen), trains the same model on the same folder from its Train
panel while a 120 Hz mouse keeps drawing on the canvas (every move read live). Each
side's rate is its last epoch's samples/s (the first warms caches up); the two alternate
over --rounds, and the median of the per-round ratios is reported.

Target: the app trains at >= 85% of the CLI's samples/s while drawing stays live.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_training.py [--rounds 5] [--images 6000]
"""

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtWidgets import QApplication

from gui_latency import LEFT, send, wait_until
from throughput import png_folder

TARGET = 0.85


def cli_rate(folder, epochs: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([sys.executable, "-m", "digitpad", "train", str(folder), "--model", "cnn",
                              "--epochs", str(epochs), "--val-split", "0", "--device", "cpu", "--out", out],
                             capture_output=True, text=True, check=True)
    return float(re.findall(r"([\d,]+) samples/s", run.stderr)[-1].replace(",", ""))


def app_rate(app, window, folder, epochs: int) -> float:
    """Train from the panel while drawing circles; the last epoch's samples/s."""
    panel, epochs_seen = window.training_panel, []
    panel.set_folder(str(folder))
    wait_until(app, panel.start_button.isEnabled)
    panel.model_choice.setCurrentIndex(panel.model_choice.findData("cnn"))
    panel.epochs.setValue(epochs)
    panel.val_split.setValue(0.0)
    panel.trainingFinished.connect(epochs_seen.append)
    panel.start_button.click()
    step = 0
    while not epochs_seen:
        if step % 60 == 0:
            window.canvas.clear()
            send(window.canvas, QEvent.Type.MouseButtonPress, QPointF(140, 60), LEFT, LEFT)
        angle = 2 * math.pi * (step % 60) / 60
        point = QPointF(140 + 70 * math.sin(angle), 140 - 80 * math.cos(angle))
        send(window.canvas, QEvent.Type.MouseMove, point, Qt.MouseButton.NoButton, LEFT)
        pause = time.perf_counter() + 1 / 120
        while time.perf_counter() < pause:
            app.processEvents()
        step += 1
        if step > 120 * 3600:
            raise TimeoutError("training in the app did not finish")
    send(window.canvas, QEvent.Type.MouseButtonRelease, point, LEFT, Qt.MouseButton.NoButton)
    panel.trainingFinished.disconnect(epochs_seen.append)
    return epochs_seen[-1].samples_per_s


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--images", type=int, default=6000)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()
    folder = png_folder(args.images)
    app = QApplication(sys.argv[:1])
    app.setOrganizationName("digitpad-benchmark")
    from digitpad.data import load_folder
    from digitpad.gui import create_main_window

    load_folder(folder)  # warm cache for both sides
    window = create_main_window()
    window.training_panel.runs_dir = Path(tempfile.mkdtemp())
    window.show()
    wait_until(app, lambda: window.predictor is not None, timeout=300)
    rounds = []
    for index in range(args.rounds):
        if index % 2 == 0:
            cli, gui = cli_rate(folder, args.epochs), app_rate(app, window, folder, args.epochs)
        else:
            gui, cli = app_rate(app, window, folder, args.epochs), cli_rate(folder, args.epochs)
        rounds.append({"cli_samples_per_s": cli, "app_samples_per_s": gui, "ratio": gui / cli})
        print(f"round {index + 1}: CLI {cli:,.0f}, app {gui:,.0f} samples/s: {gui / cli:.0%}", flush=True)
    window.close()
    ratio = statistics.median(r["ratio"] for r in rounds)
    print(f"the app trains at {ratio:.0%} of the CLI's rate while drawing (median of {args.rounds} rounds; "
          f"target >= {TARGET:.0%})")
    print(json.dumps({"rounds": rounds, "median_ratio": ratio, "images": args.images, "cpu_count": os.cpu_count()}))
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
