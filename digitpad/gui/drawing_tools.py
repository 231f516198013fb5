"""Pen width, eraser, undo, redo and clear for a canvas."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QToolButton, QVBoxLayout, QWidget

from .canvas import DEFAULT_PEN_WIDTH, DrawingCanvas


class DrawingTools(QWidget):
    def __init__(self, canvas: DrawingCanvas, parent: QWidget | None = None):
        super().__init__(parent)
        self.canvas = canvas
        self.pen_slider = QSlider(Qt.Orientation.Horizontal, minimum=4, maximum=48, value=DEFAULT_PEN_WIDTH)
        self.pen_slider.setObjectName("penWidth")
        self.pen_slider.setToolTip(self.tr("Pen width"))
        self.pen_slider.valueChanged.connect(self._set_pen_width)
        self.eraser_button = QToolButton(text=self.tr("Eraser"), checkable=True)
        self.eraser_button.setToolTip(self.tr("Erase parts of the drawing (E)"))
        self.eraser_button.setShortcut(QKeySequence("E"))
        self.eraser_button.toggled.connect(self._set_erasing)
        self.undo_button = QToolButton(text=self.tr("Undo"), enabled=False)
        self.undo_button.setToolTip(self.tr("Undo the last stroke (Ctrl+Z)"))
        self.undo_button.clicked.connect(canvas.undo)
        self.redo_button = QToolButton(text=self.tr("Redo"), enabled=False)
        self.redo_button.setToolTip(self.tr("Redo (Ctrl+Shift+Z)"))
        self.redo_button.clicked.connect(canvas.redo)
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.setObjectName("clearButton")
        self.clear_button.setToolTip(self.tr("Clear the canvas (Esc or Delete)"))
        self.clear_button.clicked.connect(canvas.clear)
        self.pen_value = QLabel(str(DEFAULT_PEN_WIDTH))
        self.pen_value.setMinimumWidth(24)
        canvas.historyChanged.connect(self._update_history_buttons)
        buttons = QHBoxLayout()
        for widget in (self.eraser_button, self.undo_button, self.redo_button, self.clear_button):
            buttons.addWidget(widget)
        pen_row = QHBoxLayout()
        pen_row.addWidget(QLabel(self.tr("Pen width")))
        pen_row.addWidget(self.pen_slider, stretch=1)
        pen_row.addWidget(self.pen_value)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(buttons)
        column.addLayout(pen_row)

    @Slot(int)
    def _set_pen_width(self, width: int) -> None:
        self.canvas.pen_width = width
        self.pen_value.setText(str(width))

    @Slot(bool)
    def _set_erasing(self, erasing: bool) -> None:
        self.canvas.erasing = erasing

    @Slot()
    def _update_history_buttons(self) -> None:
        self.undo_button.setEnabled(self.canvas.can_undo())
        self.redo_button.setEnabled(self.canvas.can_redo())
