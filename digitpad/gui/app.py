"""Start the app: a window on screen first, the model in the background."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time

# Set by benchmarks/gui_startup.py: print when the window is drawable and when the
# model is ready (wall-clock seconds), then quit.
STARTUP_PROBE = "DIGITPAD_STARTUP_PROBE"
INTERRUPTED = 128 + signal.SIGINT  # the shell's status for a program stopped by Ctrl+C


def run_app(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setOrganizationName("digitpad")
    app.setApplicationName("digitpad")
    from . import create_main_window

    window = create_main_window()
    session = _Session(app, window)
    window.show()
    if os.environ.get(STARTUP_PROBE):
        session.probe_startup()
    status = app.exec()
    return INTERRUPTED if session.interrupted else status


class _Session:
    """The window on screen (also after a language switch) and Ctrl+C in the terminal:
    Qt's event loop runs in C++, so Python's SIGINT handler only runs when a byte
    arrives on the wake-up socket it watches; then every window closes (stopping its
    work) and the app quits."""

    def __init__(self, app, window):
        from PySide6.QtCore import QSocketNotifier

        self.app, self.window, self.interrupted = app, window, False
        window.replaced.connect(self._keep)
        self._reader, writer = socket.socketpair()
        self._writer = writer
        self._reader.setblocking(False)
        writer.setblocking(False)
        signal.set_wakeup_fd(writer.fileno())
        signal.signal(signal.SIGINT, self._on_interrupt)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._drain)

    def _keep(self, window) -> None:
        self.window = window  # the replaced one is closed: let it go
        window.replaced.connect(self._keep)

    def _drain(self) -> None:
        try:
            self._reader.recv(64)  # the handler itself has run by now, in Python
        except OSError:
            pass

    def _on_interrupt(self, signum, frame) -> None:
        self.interrupted = True
        self.app.closeAllWindows()
        self.app.quit()

    def probe_startup(self) -> None:
        from PySide6.QtCore import QTimer

        # The first zero-delay timer fires after the window's first paint has been handled.
        QTimer.singleShot(0, self._print_window_time)
        self.window.predictionShown.connect(self._print_prediction_time)

    def _print_window_time(self) -> None:
        print(f"window {time.time():.4f}", flush=True)

    def _print_prediction_time(self, _prediction) -> None:
        print(f"prediction {time.time():.4f}", flush=True)
        self.app.quit()
