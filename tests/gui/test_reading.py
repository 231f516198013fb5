"""Numbers, look-alikes and heat maps in the window, driven by real mouse events."""

from collections import Counter

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QLabel

from .drawing import draw_stroke, loop, vertical_line, wait_for_prediction

READ_TIMEOUT_MS = 20_000  # background jobs on a busy 2-core machine


def seven(left: float) -> list[QPointF]:
    top = [QPointF(left + 10 * i, 60) for i in range(11)]
    return top + [QPointF(left + 100 - 6 * i, 60 + 17 * i) for i in range(1, 11)]


def label_text(win) -> str:
    return win.findChild(QLabel, "predictionLabel").text()


def majority(neighbours) -> int:
    return Counter(n.label for n in neighbours).most_common(1)[0][0]


def test_a_number_drawn_with_the_mouse_is_read_and_each_digit_can_be_inspected(window, qtbot):
    window.number_toggle.setChecked(True)
    height, width = window.canvas.to_array().shape
    assert abs(width - 2 * height) <= 1  # a page twice as wide
    draw_stroke(window.canvas, vertical_line(x=90))
    draw_stroke(window.canvas, loop(cx=250))
    draw_stroke(window.canvas, seven(left=410))
    qtbot.waitUntil(lambda: label_text(window) == "107", timeout=READ_TIMEOUT_MS)
    boxes = window.extras.boxes.boxes()
    assert [text for _, text in boxes] == ["1", "0", "7"]
    assert boxes[0][0][2] < boxes[1][0][0] < boxes[1][0][2] < boxes[2][0][0]  # left to right, apart
    assert window.extras.strip.text() == "107"
    window.extras.strip.buttons()[1].click()  # the 0: its own bars and 28x28 input
    assert window.chart.values.argmax() == 0
    assert window.extras.boxes._chosen == 1
    window.number_toggle.setChecked(False)  # back to one digit: the square page
    height, width = window.canvas.to_array().shape
    assert abs(width - height) <= 1


def test_lookalike_thumbnails_follow_the_drawing_and_enlarge_on_click(window, qtbot):
    strip = window.extras.lookalikes
    with qtbot.waitSignal(window.extras.lookalikesShown, timeout=READ_TIMEOUT_MS):
        draw_stroke(window.canvas, vertical_line())
    qtbot.waitUntil(lambda: len(strip.neighbours()) == 8 and majority(strip.neighbours()) == 1,
                    timeout=READ_TIMEOUT_MS)
    window.canvas.clear()
    draw_stroke(window.canvas, loop())
    wait_for_prediction(qtbot, window)
    qtbot.waitUntil(lambda: len(strip.neighbours()) == 8 and majority(strip.neighbours()) == 0,
                    timeout=READ_TIMEOUT_MS)
    assert all(strip.findChild(object, f"lookalike{i}").isVisible() for i in range(8))
    strip.findChild(object, "lookalike0").click()
    assert strip.enlarged.isVisible() and strip.enlarged.caption.text().startswith("Label 0")
    strip.enlarged.close()


def test_the_inside_tab_shows_heat_maps_of_the_answer(window, qtbot):
    window.show_panel(window.inside_panel)
    draw_stroke(window.canvas, loop())
    wait_for_prediction(qtbot, window)
    qtbot.waitUntil(lambda: window.extras.heat.shown is not None
                    and window.extras.heat.shown[0].digit == window.last_prediction.digit,
                    timeout=READ_TIMEOUT_MS)
    gradients, cam = window.extras.heat.shown
    assert gradients.values.shape == (28, 28)
    assert (cam is not None) == (window.predictor.arch == "cnn")
    assert "Red pixels" in window.extras.heat.how_to_read.text()


def test_a_cleared_canvas_is_answered_at_once_without_a_worker(window, qtbot, monkeypatch):
    """No network runs for an empty page, so no job is queued for it: the next stroke's
    first reading would otherwise wait behind it."""
    from digitpad.gui import jobs

    draw_stroke(window.canvas, loop())
    wait_for_prediction(qtbot, window)
    read_jobs = []
    original = jobs.read_drawing
    monkeypatch.setattr(jobs, "read_drawing", lambda *args: read_jobs.append(args) or original(*args))
    window.canvas.clear()
    qtbot.waitUntil(window.prediction_is_current, timeout=READ_TIMEOUT_MS)
    assert read_jobs == []
    assert window.last_prediction.digit is None and not window.chart.values.any()
