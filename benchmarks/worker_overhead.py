"""What it costs the GUI thread to hand one small job to another thread: a superqt
worker started on a QThreadPool (how the app runs all background work, live
predictions included) against a signal to a QObject living in a persistent QThread
(how the app ran live predictions before). The job itself does nothing.

    QT_QPA_PLATFORM=offscreen python benchmarks/worker_overhead.py [--jobs 1000]
"""

import argparse
import json
import time

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QApplication


def nothing(value):
    return value


class Receiver(QObject):
    def __init__(self):
        super().__init__()
        self.answered = False

    @Slot(object)
    def answer(self, _value) -> None:
        self.answered = True


class Echo(QObject):
    answered = Signal(object)

    @Slot(object)
    def echo(self, value) -> None:
        self.answered.emit(value)


class Asker(QObject):
    ask = Signal(object)


def round_trips(app, receiver, send, jobs: int) -> dict:
    handing, total = [], []
    for i in range(jobs):
        receiver.answered = False
        start = time.perf_counter()
        send(i)
        handed = time.perf_counter()
        while not receiver.answered:
            app.processEvents()
        handing.append((handed - start) * 1e3)
        total.append((time.perf_counter() - start) * 1e3)
    handing, total = handing[50:], total[50:]  # after warm-up
    return {"hand_over_median_ms": float(np.median(handing)), "hand_over_p95_ms": float(np.percentile(handing, 95)),
            "round_trip_median_ms": float(np.median(total)), "round_trip_p95_ms": float(np.percentile(total, 95))}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1000)
    args = parser.parse_args()
    app = QApplication([])
    from digitpad.gui.workers import Workers

    receiver, workers = Receiver(), Workers()
    pooled = round_trips(app, receiver, lambda i: workers.start(nothing, i, returned=receiver.answer), args.jobs)
    workers.shutdown()
    thread, echo, asker = QThread(), Echo(), Asker()
    echo.moveToThread(thread)
    asker.ask.connect(echo.echo)
    echo.answered.connect(receiver.answer)
    thread.start()
    persistent = round_trips(app, receiver, asker.ask.emit, args.jobs)
    thread.quit()
    thread.wait()
    for name, row in (("superqt worker on a pool", pooled), ("signal to a persistent thread", persistent)):
        print(f"{name}: hand-over median {row['hand_over_median_ms']:.3f} ms, p95 {row['hand_over_p95_ms']:.3f} ms; "
              f"round trip median {row['round_trip_median_ms']:.3f} ms, p95 {row['round_trip_p95_ms']:.3f} ms")
    print(json.dumps({"superqt_pool": pooled, "persistent_thread": persistent, "jobs": args.jobs}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
