"""Background work for one window: superqt workers on the window's own thread pool.

Every piece of long work (loading a model, predicting, training, evaluating, exporting,
scanning a folder) is a function or a generator run by superqt's `create_worker`;
generators are cancelled between steps by `quit()`. A `Workers` object is owned by its
window, which stops and waits for all of it on close, so no thread outlives the window.
Core modules (and torch) are imported inside the work itself (see jobs.py).
"""

from __future__ import annotations

import functools
import inspect
import traceback
from typing import Callable

from PySide6.QtCore import QObject, QThreadPool, Slot

from ..errors import DigitpadError

class WorkFailed(Exception):
    """A RuntimeError from a generator job, carried past superqt (see _reporting_runtime_errors)."""


def describe_error(error: BaseException) -> str:
    if isinstance(error, WorkFailed) and error.__cause__ is not None:
        error = error.__cause__
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

        if inspect.isgeneratorfunction(function):
            function = _reporting_runtime_errors(function)
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


def _reporting_runtime_errors(function: Callable) -> Callable:
    """superqt's generator workers take a RuntimeError for a deleted Qt object: they only
    warn, and send neither `errored` nor `finished`, so the panel would wait for good.
    torch raises RuntimeError for most failures (out of memory, a shape mismatch), so
    here it becomes a WorkFailed, reported like any other error."""

    @functools.wraps(function)
    def steps(*args, **kwargs):
        try:
            return (yield from function(*args, **kwargs))
        except RuntimeError as error:
            raise WorkFailed(f"{type(error).__name__}: {error}") from error

    return steps
