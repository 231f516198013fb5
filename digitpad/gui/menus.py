"""The window's menus and the file dialogs behind them."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QAbstractSpinBox, QApplication, QComboBox, QFileDialog, QLineEdit, QMessageBox,
)

from .. import __version__
from .i18n import LANGUAGES, current_language


def ask_checkpoint(window) -> str:
    path, _ = QFileDialog.getOpenFileName(window, window.tr("Load checkpoint"), window.last_dir(),
                                          window.tr("PyTorch checkpoints (*.pt *.pth);;All files (*)"))
    return path


class Menus(QObject):
    """Builds the menu bar of its parent window; its slots act on that window (found as
    the Qt parent, so no Python reference cycle ties the two together)."""

    def __init__(self, window):
        super().__init__(window)
        canvas = window.canvas
        bar = window.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self._add(file_menu, self.tr("&Open image…"), self._open_image, QKeySequence.StandardKey.Open)
        self._add(file_menu, self.tr("&Load checkpoint…"), window.choose_checkpoint, "Ctrl+L")
        self._add(file_menu, self.tr("&Save drawing as PNG…"), self._save_drawing, QKeySequence.StandardKey.Save)
        self._add(file_menu, self.tr("&Export model (ONNX)…"), self._export_model)
        file_menu.addSeparator()
        self._add(file_menu, self.tr("&Quit"), window.close, QKeySequence.StandardKey.Quit)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        self._add(edit_menu, self.tr("&Undo stroke"), canvas.undo, _unique_keys(QKeySequence.StandardKey.Undo, "Ctrl+Z"))
        self._add(edit_menu, self.tr("&Redo stroke"), canvas.redo,
                  _unique_keys(QKeySequence.StandardKey.Redo, "Ctrl+Shift+Z"))
        self._add(edit_menu, self.tr("&Clear canvas"), canvas.clear, _unique_keys("Esc", "Delete"))
        label_menu = edit_menu.addMenu(self.tr("&Label drawing as"))
        for digit in range(10):
            self._add(label_menu, str(digit), self._label_from_key, str(digit)).setData(digit)
        language_menu = bar.addMenu(self.tr("&Language"))
        for code, name in LANGUAGES.items():
            action = self._add(language_menu, name, self._language_chosen)
            action.setData(code)
            action.setCheckable(True)
            action.setChecked(code == current_language())
        help_menu = bar.addMenu(self.tr("&Help"))
        self._add(help_menu, self.tr("&About digitpad"), self._about)

    def _add(self, menu, text, slot, shortcut=None) -> QAction:
        action = QAction(text, self.parent())
        if isinstance(shortcut, list):
            action.setShortcuts(shortcut)
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    @Slot()
    def _open_image(self) -> None:
        window = self.parent()
        path, _ = QFileDialog.getOpenFileName(window, self.tr("Open image"), window.last_dir(),
                                              self.tr("Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp *.pgm)"))
        if path:
            window.open_image(path)

    @Slot()
    def _save_drawing(self) -> None:
        window = self.parent()
        path, _ = QFileDialog.getSaveFileName(window, self.tr("Save drawing"), window.last_dir(), "PNG (*.png)")
        if path:
            window.save_drawing(path)

    @Slot()
    def _export_model(self) -> None:
        window = self.parent()
        if window.state.predictor is None:
            return
        path, chosen = QFileDialog.getSaveFileName(window, self.tr("Export model"), window.last_dir(),
                                                   self.tr("ONNX (*.onnx);;TorchScript (*.pt)"))
        if path:
            window.export_model(path, "torchscript" if chosen.startswith("TorchScript") else "onnx")

    @Slot()
    def _label_from_key(self) -> None:
        typing = (QAbstractItemView, QLineEdit, QAbstractSpinBox, QComboBox)
        if isinstance(QApplication.focusWidget(), typing):
            return  # a digit typed into a field, a table or a list is not a label
        self.parent().handwriting.save_as(int(self.sender().data()))

    @Slot()
    def _language_chosen(self) -> None:
        self.parent().set_language(self.sender().data())

    @Slot()
    def _about(self) -> None:
        QMessageBox.about(self.parent(), self.tr("About digitpad"), self.about_text())

    def about_text(self) -> str:
        from PySide6 import __version__ as pyside_version

        torch_version = sys.modules["torch"].__version__ if "torch" in sys.modules else self.tr("not loaded yet")
        tagline = self.tr("Draw digits and watch neural networks read them.")
        return (
            f"<b>digitpad {__version__}</b><br>{tagline}<br><br>"
            f"Python {sys.version.split()[0]} · PySide6 {pyside_version} · PyTorch {torch_version}<br><br>"
            + self.tr("The shipped models were trained on MNIST (Y. LeCun, C. Cortes, C. J. C. Burges), "
                      "licensed CC BY-SA 3.0.")
        )


def build_menus(window) -> Menus:
    return Menus(window)


def _unique_keys(*keys) -> list[QKeySequence]:
    """Shortcuts without repeats: the same key twice makes Qt treat it as ambiguous."""
    found: list[QKeySequence] = []
    for key in keys:
        sequences = QKeySequence.keyBindings(key) if isinstance(key, QKeySequence.StandardKey) else [QKeySequence(key)]
        found += [s for s in sequences if not s.isEmpty() and s not in found]
    return found
