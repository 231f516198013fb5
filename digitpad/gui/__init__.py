"""The PySide6 desktop app. Only this package imports Qt; it shows the core, holds no ML.

Importing it does not import torch: the model loads in the background after the window
is on screen.
"""

from __future__ import annotations


def create_main_window():
    """The main window (a QApplication must exist already). The model loads in the
    background; its `modelReady` signal fires when predictions start."""
    from .i18n import chosen_language, current_language, install_language
    from .main_window import MainWindow

    if current_language() is None:
        install_language(chosen_language())
    _collect_garbage_on_the_gui_thread()
    return MainWindow()


_collector = []


def _collect_garbage_on_the_gui_thread() -> None:
    """Python's cyclic GC runs in whichever thread happens to allocate; if that is a
    worker (training, prediction, model loading), it may destroy Qt widgets there, which
    Qt forbids: seen here as a deadlock between a pool thread freeing an old window and
    the GUI thread. pyqtgraph's collector turns automatic GC off and collects from a
    timer on the GUI thread instead."""
    if not _collector:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _collector.append(GarbageCollector(interval=1.0))


__all__ = ["create_main_window"]
