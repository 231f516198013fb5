"""The PySide6 desktop app. Only this package imports Qt; it shows the core, holds no ML.

Importing it does not import torch: the model loads in the background after the window
is on screen.
"""

from __future__ import annotations

import atexit
import weakref

_windows: "weakref.WeakSet" = weakref.WeakSet()


def create_main_window():
    """The main window (a QApplication must exist already). The model loads in the
    background; its `modelReady` signal fires when predictions start."""
    from .i18n import chosen_language, current_language, install_language
    from .main_window import MainWindow

    if current_language() is None:
        install_language(chosen_language())
    return MainWindow()


def track_window(window) -> None:
    """Remember a window (weakly) so that its background work is stopped at exit."""
    if not _windows:
        atexit.register(_stop_all_windows)
    _windows.add(window)


def _stop_all_windows() -> None:
    """At interpreter exit, before Python tears its modules down: a script that never
    closed its window (or died with an exception) must not leave worker threads running
    into a half-destroyed interpreter, which crashes instead of exiting with its status."""
    for window in list(_windows):
        try:
            window.stop_work()
        except RuntimeError:
            pass  # its C++ half is gone already: so is its work


__all__ = ["create_main_window"]
