"""Write the README's pictures of the app, each with a digit drawn by real mouse events.

    QT_QPA_PLATFORM=offscreen python docs/screenshot.py [OUT_DIR]
    xvfb-run -a -s "-screen 0 1280x800x24" python docs/screenshot.py docs   # a real X11 window

Writes screenshot.png (the app, after a short real training so that the curves show),
inside.png (the Inside tab, with its heat maps), number.png (a whole number, its second
digit chosen) and screenshot-zh_CN.png (the Chinese interface), all at
1280x800. Under a real X server the screen itself is captured. With --check, writes
every tab at 1280x800 and 1920x1080 in both languages to OUT_DIR instead (for looking
at, not for the README).
"""

import math
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, QSettings, QStandardPaths, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

SHOTS = [("screenshot.png", "en", None), ("inside.png", "en", "inside"), ("number.png", "en", "number"),
         ("screenshot-zh_CN.png", "zh_CN", None)]
# The curves in screenshot.png: an MLP trained for a few epochs on generated digits (a
# tuning set, drawn by digitpad.synth), which takes seconds.
CURVES_RUN = {"per_class": 30, "epochs": 8}


def _send(widget, kind, point, button, buttons):
    point = widget.to_widget(point)  # points are given in the drawing's 280x280 space
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


def draw_number(canvas, text: str) -> None:
    """Each digit's first pen-stroke style from digitpad.synth, side by side, by mouse."""
    from digitpad.synth import STYLES

    left = Qt.MouseButton.LeftButton
    for i, char in enumerate(text):
        for stroke in STYLES[int(char)][0]:
            points = [canvas.to_widget(QPointF(20 + 130 * i + 130 * x, 50 + 180 * y)) for x, y in stroke]
            _send(canvas, QEvent.Type.MouseButtonPress, points[0], left, left)
            for point in points[1:]:
                _send(canvas, QEvent.Type.MouseMove, point, Qt.MouseButton.NoButton, left)
            _send(canvas, QEvent.Type.MouseButtonRelease, points[-1], left, Qt.MouseButton.NoButton)


def settle(app, condition, seconds=60.0):
    end = time.monotonic() + seconds
    while not condition():
        app.processEvents()
        if time.monotonic() > end:
            raise TimeoutError("the app did not get ready")
        time.sleep(0.01)


def pause(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def capture(app, window, path: Path) -> None:
    pause(app, 0.4)  # let the last paints land
    if app.platformName() == "xcb":
        window.move(0, 0)
        pause(app, 0.3)
        frame = window.frameGeometry()
        picture = app.primaryScreen().grabWindow(0, 0, 0, frame.width(), frame.height())
    else:
        picture = window.grab()
    picture.save(str(path))
    print(f"wrote {path} ({app.platformName()})")


def train_briefly(app, window, folder: Path) -> None:
    from digitpad.synth import write_digit_folder

    panel = window.training_panel
    panel.runs_dir = folder / "runs"
    panel.set_folder(str(write_digit_folder(folder / "digits", per_class=CURVES_RUN["per_class"], size=40)))
    settle(app, panel.start_button.isEnabled)
    panel.model_choice.setCurrentIndex(panel.model_choice.findData("mlp"))
    panel.epochs.setValue(CURVES_RUN["epochs"])
    panel.batch_size.setValue(16)
    panel.start_button.click()
    settle(app, panel.use_button.isVisible, seconds=300)


def check_every_tab(app, window, out: Path) -> None:
    for language in ("en", "zh_CN"):
        window = window.set_language(language)
        settle(app, lambda: window.predictor is not None)
        window.canvas.clear()
        draw_three(window.canvas)
        for width, height in ((1280, 800), (1920, 1080)):
            window.resize(width, height)
            for index in range(window.side_tabs.count()):
                window.side_tabs.setCurrentIndex(index)
                settle(app, window.prediction_is_current)
                capture(app, window, out / f"{language}-{width}x{height}-tab{index}.png")
    window.close()


def main() -> int:
    check = "--check" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--check"]
    out = Path(args[0] if args else Path(__file__).parent)
    QStandardPaths.setTestModeEnabled(True)  # no trace in the user's own settings
    app = QApplication(sys.argv[:1])
    app.setOrganizationName("digitpad-screenshot")
    QSettings().clear()
    from digitpad.gui import create_main_window

    window = create_main_window()
    window.resize(1280, 800)
    window.show()
    if check:
        check_every_tab(app, window, out)
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        train_briefly(app, window, Path(scratch))
        take_shots(app, window, out)
    return 0


def take_shots(app, window, out: Path) -> None:
    for name, language, tab in SHOTS:
        window = window.set_language(language)
        window.resize(1280, 800)
        settle(app, lambda: window.predictor is not None)
        window.canvas.clear()
        if tab == "inside":
            window.show_panel(window.inside_panel)
        window.number_toggle.setChecked(tab == "number")
        if tab == "number":
            draw_number(window.canvas, "2026")
            settle(app, lambda: window.extras.strip.text() == "2026")
            window.extras.strip.buttons()[1].click()
        else:
            draw_three(window.canvas)
        settle(app, window.prediction_is_current)
        settle(app, lambda: not window.extras.busy() and window.extras.lookalikes.neighbours())
        if tab == "inside":
            window.inside_panel.conv_table.setCurrentCell(0, 0)
            settle(app, lambda: window.extras.heat.shown is not None)
        capture(app, window, out / name)
        window.side_tabs.setCurrentIndex(0)
    window.close()


if __name__ == "__main__":
    sys.exit(main())
