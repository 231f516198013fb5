"""Start the app: a window on screen first, the model in the background."""

from __future__ import annotations

import sys


def run_app(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setOrganizationName("digitpad")
    app.setApplicationName("digitpad")
    from . import create_main_window

    window = create_main_window()
    window.show()
    return app.exec()
