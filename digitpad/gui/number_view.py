"""A whole number on screen: a box around each digit on the canvas, and the number
written large, one button per digit (click one to see its bars and 28x28 input)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QToolButton, QWidget

BOX_COLOUR = QColor(30, 110, 220)
CHOSEN_COLOUR = QColor(230, 120, 0)
UNSURE_COLOUR = QColor(176, 0, 32)


class NumberBoxes(QWidget):
    """Drawn over a canvas, as large as it: a box per digit, mouse events pass through."""

    def __init__(self, canvas: QWidget):
        super().__init__(canvas)
        self.setObjectName("numberBoxes")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._canvas = canvas
        self._boxes: list[tuple[tuple[int, int, int, int], str]] = []
        self._chosen: int | None = None
        canvas.installEventFilter(self)
        self.setGeometry(canvas.rect())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._canvas and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._canvas.rect())
        return False

    def show_boxes(self, boxes: list[tuple[tuple[int, int, int, int], str]], chosen: int | None = None) -> None:
        """(box in the page's coordinates, CANVAS_SIZE high, the digit's text) per digit."""
        self._boxes, self._chosen = list(boxes), chosen
        self.update()

    def boxes(self) -> list[tuple[tuple[int, int, int, int], str]]:
        return list(self._boxes)

    def paintEvent(self, event) -> None:
        if len(self._boxes) < 2:
            return  # a single digit is read as before: nothing to mark
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for i, ((x0, y0, x1, y1), text) in enumerate(self._boxes):
            colour = CHOSEN_COLOUR if i == self._chosen else UNSURE_COLOUR if text == "?" else BOX_COLOUR
            painter.setPen(QPen(colour, 2 if i == self._chosen else 1.2, Qt.PenStyle.DashLine))
            rect = QRectF(self._canvas.to_widget(QPointF(x0, y0)), self._canvas.to_widget(QPointF(x1, y1)))
            painter.drawRect(rect.adjusted(-3, -3, 3, 3))
            painter.drawText(QPointF(rect.left(), max(12.0, rect.top() - 6)), text)
        painter.end()


class NumberStrip(QWidget):
    """The number read, large; each digit a button. `digitChosen(i)` when one is clicked."""

    digitChosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("numberStrip")
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._caption = QLabel(self.tr("Number:"))
        self._row.addWidget(self._caption)
        self._group = QButtonGroup(self)
        self._group.setExclusive(True)
        self._group.idClicked.connect(self._on_clicked)
        self._row.addStretch(1)
        self.setToolTip(self.tr("Click a digit to see its probabilities and the 28x28 input it was read from"))

    def buttons(self) -> list[QToolButton]:
        return list(self._group.buttons())

    def text(self) -> str:
        return "".join(button.text() for button in self.buttons())

    def show_digits(self, texts: list[str], chosen: int | None) -> None:
        for button in self.buttons():
            self._group.removeButton(button)
            self._row.removeWidget(button)
            button.deleteLater()
        for i, text in enumerate(texts):
            button = QToolButton(text=text, checkable=True)
            button.setObjectName(f"numberDigit{i}")
            button.setStyleSheet("font-size: 30px; font-weight: 600; min-width: 30px;"
                                 + (" color: #b00020;" if text == "?" else ""))
            if text == "?":
                button.setToolTip(self.tr("This does not look like a digit"))
            button.setChecked(i == chosen)
            self._group.addButton(button, i)
            self._row.insertWidget(1 + i, button)

    @Slot(int)
    def _on_clicked(self, index: int) -> None:
        self.digitChosen.emit(index)
