"""The training digits the network finds most like the drawing, as a row of thumbnails
with their labels; clicking one shows it larger."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QToolButton, QVBoxLayout, QWidget

THUMB = 48
ENLARGED = 280


def digit_pixmap(image: np.ndarray, side: int) -> QPixmap:
    """A small uint8 picture, grey (H, W) or RGB (H, W, 3), as a pixmap `side` pixels
    wide, unsmoothed so that each input pixel stays a crisp square."""
    pixels = np.ascontiguousarray(image, dtype=np.uint8)
    kind = QImage.Format.Format_RGB888 if pixels.ndim == 3 else QImage.Format.Format_Grayscale8
    qimage = QImage(pixels.data, pixels.shape[1], pixels.shape[0], pixels.strides[0], kind).copy()
    return QPixmap.fromImage(qimage).scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                            Qt.TransformationMode.FastTransformation)


class LookalikeStrip(QWidget):
    """`show_neighbours(list of digitpad.neighbours.Neighbour, origin)`; `show_message(text)`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lookalikes")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(self.tr("Training digits the network finds most alike"))
        self.title.setToolTip(self.tr("Nearest in the network's own features (the input of its last layer). "
                                      "A wrong answer often has wrong-looking look-alikes."))
        self.title.setWordWrap(True)
        column.addWidget(self.title)
        # Two rows of four: one row of eight made the middle column so wide that the
        # canvas shrank below 360 px at 1280x800.
        grid = QGridLayout()
        self._buttons: list[QToolButton] = []
        for i in range(8):
            button = QToolButton()
            button.setObjectName(f"lookalike{i}")
            button.setIconSize(QSize(THUMB, THUMB))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            button.clicked.connect(self._on_clicked)
            button.setVisible(False)
            grid.addWidget(button, *divmod(i, 4))
            self._buttons.append(button)
        grid.setColumnStretch(4, 1)
        column.addLayout(grid)
        self.message = QLabel("")
        self.message.setObjectName("lookalikeMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #666;")
        column.addWidget(self.message)
        self._neighbours: list = []
        self._origin = ""
        self.enlarged: QDialog | None = None

    def neighbours(self) -> list:
        return list(self._neighbours)

    def show_neighbours(self, neighbours: list, origin: str) -> None:
        self._neighbours, self._origin = list(neighbours), origin
        for button, neighbour in zip(self._buttons, neighbours):
            button.setIcon(QIcon(digit_pixmap(neighbour.image, THUMB)))
            button.setText(str(neighbour.label))
            button.setToolTip(self.tr("Label {label}, similarity {s:.2f}").format(
                label=neighbour.label, s=neighbour.similarity))
            button.setVisible(True)
        for button in self._buttons[len(neighbours):]:
            button.setVisible(False)
        self.message.setText("")

    def show_message(self, text: str) -> None:
        """No look-alikes: say why (blank canvas, or the model has no index)."""
        self.show_neighbours([], self._origin)
        self.message.setText(text)

    @Slot()
    def _on_clicked(self) -> None:
        index = self._buttons.index(self.sender())
        if index < len(self._neighbours):
            self.enlarge(index)

    def enlarge(self, index: int) -> QDialog:
        """A window with the look-alike at 280x280 and where it comes from."""
        neighbour = self._neighbours[index]
        if self.enlarged is None:
            self.enlarged = QDialog(self)
            self.enlarged.setObjectName("lookalikeEnlarged")
            layout = QVBoxLayout(self.enlarged)
            self.enlarged.picture, self.enlarged.caption = QLabel(), QLabel()
            layout.addWidget(self.enlarged.picture)
            layout.addWidget(self.enlarged.caption)
        self.enlarged.setWindowTitle(self.tr("Look-alike"))
        self.enlarged.picture.setPixmap(digit_pixmap(neighbour.image, ENLARGED))
        self.enlarged.caption.setText(self.tr("Label {label} · digit #{index} of {origin} · similarity {s:.2f}").format(
            label=neighbour.label, index=neighbour.index, origin=self._origin, s=neighbour.similarity))
        self.enlarged.show()
        return self.enlarged
