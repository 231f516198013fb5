"""Start the app: a window on screen first, the model in the background."""

from __future__ import annotations

import os
import sys
import time

# Set by benchmarks/gui_startup.py: print when the window is drawable and when the
# model is ready (wall-clock seconds), then quit.
STARTUP_PROBE = "DIGITPAD_STARTUP_PROBE"


def run_app(argv: list[str] | None = None) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setOrganizationName("digitpad")
    app.setApplicationName("digitpad")
    from . import create_main_window

    windows = []  # the window on screen stays referenced, also after a language switch

    def keep(window) -> None:
        windows[:] = [window]  # the replaced one is closed: let it go
        window.replaced.connect(keep)

    window = create_main_window()
    keep(window)
    window.show()
    if os.environ.get(STARTUP_PROBE):
        _probe_startup(window, app, QTimer)
    return app.exec()


def _probe_startup(window, app, timer) -> None:
    # The first zero-delay timer fires after the window's first paint has been handled.
    timer.singleShot(0, lambda: print(f"window {time.time():.4f}", flush=True))
    window.predictionShown.connect(lambda _: (print(f"prediction {time.time():.4f}", flush=True), app.quit()))
