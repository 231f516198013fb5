"""Work that must not run on the GUI thread: predicting, loading models, training.

Workers talk to widgets only through signals. Core modules (and torch) are imported
inside the work itself, so creating the window never waits for torch.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal, Slot

from ..errors import DigitpadError

# Thread budget: torch's intra-op thread count is process-wide. One drawing needs one
# thread; a second one only makes OpenMP threads wait on each other when the other core
# is busy (measured: 4 ms -> 100+ ms). Training in the app gets the remaining cores, so
# on a 2-core machine the live prediction keeps a core of its own.
PREDICTION_THREADS = 1
TRAINING_THREADS = max(1, (os.cpu_count() or 2) - 1)
# Progress signals per second while training: enough for smooth curves, few enough
# that the GUI thread never has a backlog.
PROGRESS_RATE_HZ = 20


def set_torch_threads(count: int) -> None:
    import torch

    if torch.get_num_threads() != count:
        torch.set_num_threads(count)


_threads_configured = False


def configure_torch_once() -> None:
    """The first time torch is used in the app: one thread for a drawing. Later calls
    do nothing, so loading a model never takes threads away from a running training."""
    global _threads_configured
    if not _threads_configured:
        set_torch_threads(PREDICTION_THREADS)
        _threads_configured = True


def describe_error(error: Exception) -> str:
    if isinstance(error, DigitpadError):
        return str(error)
    traceback.print_exception(error)
    return f"unexpected error: {type(error).__name__}: {error}"


class PredictionWorker(QObject):
    """Lives in its own QThread and predicts one drawing at a time, with one model or
    with several (to compare them)."""

    # (tuple of Predictions, tuple of predictors, request id, the Inside view's data or None)
    predicted = Signal(object, object, int, object)
    failed = Signal(str)

    @Slot(object, object, int, bool)
    def predict(self, predictors, drawing, request_id: int, look_inside: bool) -> None:
        """`look_inside`: also every layer's output and the pixels behind the answer, here
        rather than on the GUI thread, so the Inside tab never slows the pen."""
        try:
            results = tuple(predictor.predict(drawing) for predictor in predictors)
            inside = None
            if look_inside and results[0].digit is not None:
                from ..inside import layer_outputs, pixel_contributions

                digit = results[0].input
                inside = (layer_outputs(predictors[0], digit), digit, pixel_contributions(predictors[0], digit))
        except Exception as error:  # noqa: BLE001 - reported in the window, never a crash
            self.failed.emit(describe_error(error))
            return
        self.predicted.emit(results, predictors, request_id, inside)


class Relay(QObject):
    """Carries one background call's outcome to the GUI thread; `done` fires last."""

    succeeded = Signal(object)
    failed = Signal(str)
    done = Signal()


class _Call(QRunnable):
    def __init__(self, function: Callable[[], object], relay: Relay):
        super().__init__()
        self.function, self.relay = function, relay

    def run(self) -> None:
        try:
            result = self.function()
        except Exception as error:  # noqa: BLE001 - sent to the GUI as a message
            self.relay.failed.emit(describe_error(error))
        else:
            self.relay.succeeded.emit(result)
        self.relay.done.emit()


def run_in_background(function, on_success, on_failure, on_done=None,
                      pool: QThreadPool | None = None) -> Relay:
    """Call `function` on a pool thread; its result or error message comes back as a
    signal to the given @Slot methods. Keep the relay referenced until `done` fired
    (`on_done` receives it; use sender() there to find which relay finished)."""
    relay = Relay()
    relay.succeeded.connect(on_success)
    relay.failed.connect(on_failure)
    if on_done is not None:
        relay.done.connect(on_done)
    (pool or QThreadPool.globalInstance()).start(_Call(function, relay))
    return relay


class TrainingWorker(QObject):
    """Loads a dataset folder and trains on it; lives in its own QThread."""

    loading = Signal(int, int)  # images decoded, total
    loaded = Signal(object)  # the ImageSet's summary: (count, skipped list)
    progress = Signal(object)  # TrainProgress, at most PROGRESS_RATE_HZ per second
    epochDone = Signal(object)  # TrainProgress of each finished epoch
    finished = Signal(object)  # TrainProgress of kind "done"
    gateTuned = Signal(object)  # GateFineTune: the user's "not a digit" drawings were taught
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, folder: str, config, mix_mnist: bool = False):
        super().__init__()
        self.folder, self.config, self.mix_mnist = folder, config, mix_mnist
        self.cancel = threading.Event()

    @Slot()
    def run(self) -> None:
        try:
            self._run()
        except Exception as error:  # noqa: BLE001 - shown in the panel, never a crash
            from ..data import Cancelled

            if isinstance(error, Cancelled):
                self.cancelled.emit()
            else:
                self.failed.emit(describe_error(error))
        finally:
            set_torch_threads(PREDICTION_THREADS)

    def _run(self) -> None:
        from ..data import load_folder
        from ..train import train

        dataset = load_folder(self.folder, progress=self.loading.emit, should_stop=self.cancel.is_set)
        self.loaded.emit((len(dataset), dataset.skipped))
        validation, user = None, dataset
        if self.config.init_from:  # fine-tuning: judge it on the user's own held-out drawings
            from ..handwriting import fine_tune_sets
            from ..mnist import load_sample

            mnist = load_sample("train") if self.mix_mnist else None
            dataset, validation = fine_tune_sets(dataset, mnist, self.config.val_split or 0.2, self.config.seed)
        set_torch_threads(TRAINING_THREADS)
        last_emit = 0.0
        for record in train(self.config, dataset, self.cancel, validation=validation):
            if record.kind == "cancelled":
                self.cancelled.emit()
                return
            if record.kind == "done":
                if self.config.init_from:
                    self._teach_negatives(user)
                self.finished.emit(record)
                return
            if record.kind == "epoch":
                self.epochDone.emit(record)
            now = time.monotonic()
            if record.kind == "epoch" or now - last_emit >= 1.0 / PROGRESS_RATE_HZ:
                self.progress.emit(record)
                last_emit = now


    def _teach_negatives(self, user) -> None:
        from ..handwriting import teach_negatives

        report = teach_negatives(self.folder, user, self.config.init_from, self.config.out_dir,
                                 self.config.val_split or 0.2, self.config.seed, cancel=self.cancel)
        if report is not None:
            self.gateTuned.emit(report)


class WorkerThread:
    """A worker QObject (with a `run` slot and a `cancel` event) in a QThread of its own."""

    def __init__(self, parent: QObject, worker: QObject):
        self.worker = worker
        self.thread = QThread(parent)
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.run)

    def start(self) -> None:
        self.thread.start()

    def cancel(self) -> None:
        self.worker.cancel.set()

    def stop(self) -> None:
        """Cancel, wait until the thread has ended, and free both objects."""
        self.worker.cancel.set()
        self.thread.quit()
        self.thread.wait()
        self.thread.deleteLater()
        self.worker.deleteLater()
