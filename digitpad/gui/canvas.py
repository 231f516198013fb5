"""The drawing surface: strokes painted into an offscreen grayscale image.

The widget paints from that image (Qt's painter example), so what the user sees is
exactly what the model is given. Every stroke and every opened picture is an operation
in a list; undo and redo replay the list onto white paper, which keeps them exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

CANVAS_SIZE = 280  # the drawing's own coordinates, ten times MNIST's 28, whatever its size on screen
MINIMUM_SIDE = 280
NUMBER_WIDTH = 2 * CANVAS_SIZE  # the page for a whole number: four digits at full height, more if smaller
# A digit drawn about 180 px tall is scaled by 20/180 to MNIST's box: a 20 px pen
# becomes about 2.2 px, MNIST's stroke width.
DEFAULT_PEN_WIDTH = 20
PAPER = 255
INK = 0


@dataclass
class Stroke:
    width: float
    erase: bool
    points: list[QPointF] = field(default_factory=list)


@dataclass
class PictureOp:
    image: QImage  # already fitted to the page, grayscale
    page_width: int = CANVAS_SIZE  # the page's width (in drawing coordinates) it was fitted to


class DrawingCanvas(QWidget):
    """Emits `changed` after every painted segment (a tap's dot: on release), undo, redo,
    clear or opened image.

    The drawing is the largest centred square that fits the widget, so it grows with the
    window; strokes are kept in CANVAS_SIZE coordinates and painted at screen resolution."""

    changed = Signal()
    historyChanged = Signal()
    fileDropped = Signal(str)  # a dropped file for the window to open (it reports errors)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("canvas")
        self._width = CANVAS_SIZE  # the page's width in drawing coordinates; its height is CANVAS_SIZE
        self.setMinimumSize(MINIMUM_SIDE, MINIMUM_SIDE)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # a square: the tools stay right below it
        self.setSizePolicy(policy)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAcceptDrops(True)
        self.setToolTip(self.tr("Draw a digit with the left mouse button"))
        self.pen_width: float = DEFAULT_PEN_WIDTH
        self.erasing = False
        self._ops: list[Stroke | PictureOp] = []
        self._redo: list[Stroke | PictureOp] = []
        self._current: Stroke | None = None
        self._image = self._blank_image()

    # --- the image -------------------------------------------------------------------

    def square(self) -> QRectF:
        """Where the drawing is on the widget: the largest centred rectangle of the page's
        shape (a square, or wider for a whole number)."""
        aspect = self._width / CANVAS_SIZE
        height = max(1.0, min(self.height(), self.width() / aspect))
        width = height * aspect
        return QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)

    def _scale(self) -> float:
        # Paint at the square's size in device pixels, so lines stay crisp when it grows
        # and on high-DPI screens.
        side = max(self.square().height(), CANVAS_SIZE)  # never coarser than the drawing's own grid
        return max(1.0, self.devicePixelRatioF()) * side / CANVAS_SIZE

    def to_drawing(self, point: QPointF) -> QPointF:
        """A point on the widget in the drawing's CANVAS_SIZE coordinates."""
        square = self.square()
        return (point - square.topLeft()) * (CANVAS_SIZE / square.height())

    def to_widget(self, point: QPointF) -> QPointF:
        """A point of the drawing (CANVAS_SIZE coordinates) where it is on the widget."""
        square = self.square()
        return square.topLeft() + point * (square.height() / CANVAS_SIZE)

    def _blank_image(self) -> QImage:
        scale = self._scale()
        image = QImage(round(self._width * scale), round(CANVAS_SIZE * scale), QImage.Format.Format_Grayscale8)
        image.fill(QColor(PAPER, PAPER, PAPER))
        return image

    def image(self) -> QImage:
        return self._image

    def to_array(self) -> np.ndarray:
        """The drawing as a (H, W) uint8 array, dark ink on white, copied, at the size it
        is painted (scaling it here would cost the GUI thread milliseconds: preprocessing
        crops and scales it anyway, so the model sees the same 28x28 at any size). W is
        H times the page's width over CANVAS_SIZE: twice H for a number."""
        image = self._image
        width, height = image.width(), image.height()
        buffer = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
        rows = buffer.reshape(height, image.bytesPerLine())
        return rows[:, :width].copy()

    def sizeHint(self) -> QSize:
        return QSize(round(480 * self._width / CANVAS_SIZE), 480)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(round(width * CANVAS_SIZE / self._width), MINIMUM_SIDE)

    def set_page_width(self, width: int) -> None:
        """Widen the page (to write a number) or narrow it again; the drawing stays."""
        self._finish_stroke()
        if width != self._width:
            self._width = width
            self.setMinimumSize(round(MINIMUM_SIDE * width / CANVAS_SIZE), MINIMUM_SIDE)
            self.updateGeometry()
            self._replay()

    def page_width(self) -> int:
        return self._width

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        square = self.square()
        painter.drawImage(square, self._image)
        painter.setPen(QPen(QColor(170, 170, 170), 1))
        painter.drawRect(square.adjusted(0, 0, -1, -1))

    def resizeEvent(self, event) -> None:
        if self._image.height() != round(CANVAS_SIZE * self._scale()):
            # The same drawing at the new size; a stroke being drawn goes on (the layout
            # may shift under the pen, e.g. when the look-alike thumbnails first appear).
            self._replay(announce=False)
        super().resizeEvent(event)

    # --- drawing ---------------------------------------------------------------------

    def _pen(self, stroke: Stroke) -> QPen:
        shade = PAPER if stroke.erase else INK
        pen = QPen(QColor(shade, shade, shade), stroke.width * self._scale())
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return pen

    def _paint_segment(self, stroke: Stroke, start: QPointF, end: QPointF) -> None:
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self._pen(stroke))
        scale = self._scale()
        if start == end:
            painter.drawPoint(start * scale)
        else:
            painter.drawLine(start * scale, end * scale)
        painter.end()
        margin = stroke.width / 2 + 2
        dirty = QRectF(start, end).normalized().adjusted(-margin, -margin, margin, margin)
        square = self.square()
        ratio = square.height() / CANVAS_SIZE
        self.update(QRectF(square.topLeft() + dirty.topLeft() * ratio, dirty.size() * ratio).toAlignedRect())

    def _paint_stroke(self, painter: QPainter, stroke: Stroke) -> None:
        painter.setPen(self._pen(stroke))
        scale = self._scale()
        if len(stroke.points) == 1:
            painter.drawPoint(stroke.points[0] * scale)
            return
        path = QPainterPath(stroke.points[0] * scale)
        for point in stroke.points[1:]:
            path.lineTo(point * scale)
        painter.drawPath(path)

    def _replay(self, announce: bool = True) -> None:
        image = self._blank_image()
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for op in self._ops:
            if isinstance(op, PictureOp):
                # At the page width it was made for: a page widened since keeps the picture
                # unstretched, with the picture's own paper beyond it.
                painter.fillRect(image.rect(), QColor(op.image.pixelColor(op.image.width() - 1, 0)))
                scale = image.height() / CANVAS_SIZE
                painter.drawImage(QRectF(0, 0, op.page_width * scale, image.height()), op.image)
            else:
                self._paint_stroke(painter, op)
        if self._current is not None:
            self._paint_stroke(painter, self._current)
        painter.end()
        self._image = image
        self.update()
        if announce:
            self.changed.emit()
            self.historyChanged.emit()

    # --- mouse -----------------------------------------------------------------------

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self._finish_stroke()  # a release we never saw (focus lost mid-stroke)
        if self._image.height() != round(CANVAS_SIZE * self._scale()):
            self._replay()  # moved to a screen with another pixel ratio
        point = self.to_drawing(event.position())
        self._current = Stroke(width=self.pen_width, erase=self.erasing, points=[point])
        self._paint_segment(self._current, point, point)
        # No reading of the pen's first dot: the first move follows within milliseconds,
        # and its reading would wait behind the dot's. A tap is read on release.

    def mouseMoveEvent(self, event) -> None:
        if self._current is None or not (event.buttons() & Qt.MouseButton.LeftButton):
            return
        point = self.to_drawing(event.position())
        self._paint_segment(self._current, self._current.points[-1], point)
        self._current.points.append(point)
        self.changed.emit()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._finish_stroke()

    def _finish_stroke(self) -> None:
        """Put the stroke being drawn into the history (before anything else changes it)."""
        if self._current is None:
            return
        tapped = len(self._current.points) == 1
        self._ops.append(self._current)
        self._redo.clear()
        self._current = None
        self.historyChanged.emit()
        if tapped:
            self.changed.emit()  # a dot, never announced while the pen was down

    # --- history ---------------------------------------------------------------------

    def can_undo(self) -> bool:
        return bool(self._ops)

    def can_redo(self) -> bool:
        return bool(self._redo)

    @Slot()
    def undo(self) -> None:
        self._finish_stroke()
        if self._ops:
            self._redo.append(self._ops.pop())
            self._replay()

    @Slot()
    def redo(self) -> None:
        self._finish_stroke()
        if self._redo:
            self._ops.append(self._redo.pop())
            self._replay()

    @Slot()
    def clear(self) -> None:
        """Clear the page; undoable when there was something to clear."""
        self._finish_stroke()
        if self._ops:
            blank = QImage(self._image.size(), QImage.Format.Format_Grayscale8)
            blank.fill(QColor(PAPER, PAPER, PAPER))
            self._ops.append(PictureOp(blank, self._width))
            self._redo.clear()
            self._replay()

    def take_history_from(self, other: "DrawingCanvas") -> None:
        """Continue another canvas's drawing, undo and redo included."""
        other._finish_stroke()
        self._ops, self._redo = list(other._ops), list(other._redo)
        self._replay()

    def show_picture(self, picture: QImage) -> None:
        """Lay an opened or dropped image on the canvas (undoable), fitted and centred."""
        self._finish_stroke()
        self._ops.append(PictureOp(self._fit(picture), self._width))
        self._redo.clear()
        self._replay()

    def _fit(self, picture: QImage) -> QImage:
        gray = picture.convertToFormat(QImage.Format.Format_Grayscale8)
        width, height = self._image.width(), self._image.height()
        fitted = gray.scaled(width, height, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        page = QImage(width, height, QImage.Format.Format_Grayscale8)
        page.fill(QColor.fromRgb(_border_shade(gray)).rgb())  # pad with the picture's own paper
        painter = QPainter(page)
        painter.drawImage((width - fitted.width()) // 2, (height - fitted.height()) // 2, fitted)
        painter.end()
        return page

    # --- drag and drop ---------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() or event.mimeData().hasImage():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        data = event.mimeData()
        if data.hasImage():
            self.show_picture(QImage(data.imageData()))
        elif data.hasUrls():
            self.fileDropped.emit(data.urls()[0].toLocalFile())
        event.acceptProposedAction()


def _border_shade(gray: QImage) -> int:
    """The median shade of a grayscale image's border, as 0xRRGGBB."""
    width, height = gray.width(), gray.height()
    samples = [gray.pixelColor(x, y).value() for x in range(0, width, max(1, width // 20))
               for y in (0, height - 1)]
    samples += [gray.pixelColor(x, y).value() for y in range(0, height, max(1, height // 20))
                for x in (0, width - 1)]
    shade = int(np.median(samples)) if samples else PAPER
    return (shade << 16) | (shade << 8) | shade
