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
    """Loads a dataset folder and trains on it; lives in its own QThread. With `processes`
    above 1 the training runs in processes torchrun starts (distributed.launch), and
    this thread relays rank 0's records; cancel stops them all."""

    loading = Signal(int, int)  # images decoded, total
    loaded = Signal(object)  # the ImageSet's summary: (count, skipped list)
    progress = Signal(object)  # TrainProgress, at most PROGRESS_RATE_HZ per second
    epochDone = Signal(object)  # TrainProgress of each finished epoch
    finished = Signal(object)  # TrainProgress of kind "done"
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, folder: str, config, mix_mnist: bool = False, processes: int = 1):
        super().__init__()
        self.folder, self.config, self.mix_mnist = folder, config, mix_mnist
        self.processes = processes
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
        from ..train import train, training_sets

        # Several processes read the images from the cache this fills.
        dataset = load_folder(self.folder, progress=self.loading.emit, should_stop=self.cancel.is_set)
        self.loaded.emit((len(dataset), dataset.skipped))
        if self.processes > 1:
            from ..distributed import Launch, launch

            records = launch(self.folder, self.config, Launch(nproc_per_node=self.processes),
                             self.cancel, mix_mnist=self.mix_mnist)
        else:  # fine-tuning is judged on the user's own held-out drawings (training_sets)
            train_set, validation = training_sets(dataset, self.config, self.mix_mnist)
            set_torch_threads(TRAINING_THREADS)
            records = train(self.config, train_set, self.cancel, validation=validation)
        self._relay(records)

    def _relay(self, records) -> None:
        """Every record to the end (processes report success only once they have exited)."""
        last_emit, record = 0.0, None
        for record in records:
            if record.kind == "epoch":
                self.epochDone.emit(record)
            now = time.monotonic()
            if record.kind == "epoch" or (record.kind == "batch" and now - last_emit >= 1.0 / PROGRESS_RATE_HZ):
                self.progress.emit(record)
                last_emit = now
        if record is not None and record.kind == "done":
            self.finished.emit(record)
        else:
            self.cancelled.emit()


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
