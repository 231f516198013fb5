"""Background work for one window: superqt workers on the window's own thread pool.

Every piece of long work (loading a model, predicting, training, evaluating, exporting,
scanning a folder) is a function or a generator run by superqt's `create_worker`;
generators are cancelled between steps by `quit()`. A `Workers` object is owned by its
window, which stops and waits for all of it on close, so no thread outlives the window.
Core modules (and torch) are imported inside the work itself (see jobs.py).
"""

from __future__ import annotations

import os
import traceback
from typing import Callable

from PySide6.QtCore import QObject, QThreadPool, Slot

from ..errors import DigitpadError

# Thread budget: torch's intra-op thread count is process-wide. One drawing needs one
# thread; a second one only makes OpenMP threads wait on each other when the other core
# is busy (measured: 4 ms -> 100+ ms). Training in the app gets the remaining cores, so
# on a 2-core machine the live prediction keeps a core of its own.
PREDICTION_THREADS = 1
TRAINING_THREADS = max(1, (os.cpu_count() or 2) - 1)


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


def describe_error(error: BaseException) -> str:
    if isinstance(error, DigitpadError):
        return str(error)
    traceback.print_exception(error)
    return f"unexpected error: {type(error).__name__}: {error}"


class Workers(QObject):
    """Starts superqt workers on a pool of its own and keeps them until they end."""

    def __init__(self, parent: QObject | None = None, threads: int = 4):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._running: dict[QObject, object] = {}  # superqt workers, by their signals object
        self.closed = False

    def start(self, function: Callable, *args, returned: Callable | None = None,
              failed: Callable[[str], None] | None = None, yielded: Callable | None = None,
              finished: Callable | None = None, aborted: Callable | None = None):
        """Run `function(*args)` (a generator function runs step by step). Receivers are
        @Slot methods of Qt objects (never lambdas that capture widgets); `failed` gets
        the error in words. Returns the worker (None once this pool has shut down)."""
        if self.closed:
            return None
        # Imported at the first job, after the window's first paint: importing superqt
        # star-imports Qt's modules (through qtpy), which measured 0.3-1.2 s here.
        from superqt.utils import create_worker

        worker = create_worker(function, *args, _start_thread=False, _ignore_errors=True)
        for name, receiver in (("returned", returned), ("yielded", yielded), ("finished", finished),
                               ("aborted", aborted)):
            if receiver is not None:
                getattr(worker, name).connect(receiver)
        if failed is not None:
            worker.errored.connect(_ErrorInWords(failed, worker.signals).say)
        worker.finished.connect(self._forget)
        self._running[worker.signals] = worker
        self._pool.start(worker)
        return worker

    @Slot()
    def _forget(self) -> None:
        self._running.pop(self.sender(), None)

    def busy(self) -> bool:
        return bool(self._running)

    def shutdown(self) -> None:
        """Ask every worker to stop (generators stop at their next step) and wait for all."""
        self.closed = True
        for worker in list(self._running.values()):
            worker.quit()
        self._pool.waitForDone()
        self._running.clear()


class _ErrorInWords(QObject):
    """Turns a worker's exception into a message for `receiver`; lives as long as the worker."""

    def __init__(self, receiver: Callable[[str], None], parent: QObject):
        super().__init__(parent)
        self.receiver = receiver

    @Slot(object)
    def say(self, error: BaseException) -> None:
        self.receiver(describe_error(error))
