"""Write a screenshot of the app with a digit drawn on the canvas (for the README).

    QT_QPA_PLATFORM=offscreen python docs/screenshot.py [OUT.png]

Under a real X server (e.g. `xvfb-run python docs/screenshot.py`) it shows the real
window, decorations and fonts of that platform.
"""

import math
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication


def _send(widget, kind, point, button, buttons):
    event = QMouseEvent(kind, point, widget.mapToGlobal(point), button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def draw_three(canvas):
    """A 3 in two strokes, drawn with real mouse events like a hand would."""
    left = Qt.MouseButton.LeftButton
    for cy, start, end in ((95, 200, 450), (180, 270, 520)):
        points = [QPointF(140 + 55 * math.cos(math.radians(a)), cy + 48 * math.sin(math.radians(a)))
                  for a in range(start, end + 1, 10)]
        _send(canvas, QEvent.Type.MouseButtonPress, points[0], left, left)
        for point in points[1:]:
            _send(canvas, QEvent.Type.MouseMove, point, Qt.MouseButton.NoButton, left)
        _send(canvas, QEvent.Type.MouseButtonRelease, points[-1], left, Qt.MouseButton.NoButton)


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("screenshot.png"))
    app = QApplication(sys.argv[:1])
    app.setOrganizationName("digitpad-screenshot")
    from digitpad.gui import create_main_window

    window = create_main_window()
    window.resize(1280, 800)
    window.show()

    def capture():
        if not window.prediction_is_current() or window.last_prediction is None:
            QTimer.singleShot(50, capture)
            return
        QTimer.singleShot(300, save)

    def save():
        if app.platformName() == "xcb":  # a real X server: capture the screen itself
            window.move(0, 0)
            picture = app.primaryScreen().grabWindow(0, 0, 0, window.frameGeometry().width(),
                                                     window.frameGeometry().height())
        else:
            picture = window.grab()
        picture.save(str(out))
        print(f"wrote {out} ({app.platformName()})")
        window.close()

    def when_ready():
        draw_three(window.canvas)
        capture()

    window.modelReady.connect(when_ready)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
