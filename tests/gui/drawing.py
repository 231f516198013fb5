"""Real mouse input for the canvas, and shapes to draw with it."""

import math

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication


def _mouse(widget, kind, point, button, buttons):
    point = widget.to_widget(QPointF(point))  # shapes are given in the drawing's 280x280 space
    event = QMouseEvent(kind, point, widget.mapToGlobal(point), button, buttons,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def press(widget, point):
    left = Qt.MouseButton.LeftButton
    _mouse(widget, QEvent.Type.MouseButtonPress, point, left, left)


def move(widget, point, buttons=Qt.MouseButton.NoButton):
    _mouse(widget, QEvent.Type.MouseMove, point, Qt.MouseButton.NoButton, buttons)


def release(widget, point):
    _mouse(widget, QEvent.Type.MouseButtonRelease, point, Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton)


def draw_stroke(widget, points):
    """Press, move with the left button held, release: what a real drag sends."""
    press(widget, points[0])
    for point in points[1:]:
        move(widget, point, Qt.MouseButton.LeftButton)
    release(widget, points[-1])


def vertical_line(x=140, top=50, bottom=230, steps=30):
    return [QPointF(x, top + (bottom - top) * i / steps) for i in range(steps + 1)]


def loop(cx=140, cy=140, rx=55, ry=85, steps=48):
    return [QPointF(cx + rx * math.sin(2 * math.pi * i / steps), cy - ry * math.cos(2 * math.pi * i / steps))
            for i in range(steps + 1)]


def wait_for_prediction(qtbot, win):
    """Wait until what is on screen was predicted from the canvas as it is now."""
    qtbot.waitUntil(win.prediction_is_current, timeout=5000)


def start_long_training(panel, qtbot, folder, epochs: int = 500) -> None:
    """Start a training on `folder` that would run for minutes: long enough to interrupt."""
    panel.set_folder(str(folder))
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)
    panel.epochs.setValue(epochs)
    panel.batch_size.setValue(4)
    panel.start_button.click()
