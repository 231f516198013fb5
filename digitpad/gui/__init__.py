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
    return MainWindow()


__all__ = ["create_main_window"]
