"""The app's behaviour at its edges: keys, remembered settings, stale work, failures."""

import shutil

from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox

from digitpad.synth import write_digit_folder

from .conftest import MODEL_TIMEOUT_MS
from .drawing import draw_stroke, loop, move, press, release, start_long_training, vertical_line, wait_for_prediction


def test_keyboard_undo_redo_and_clear(window, qtbot):
    draw_stroke(window.canvas, vertical_line())
    draw_stroke(window.canvas, loop())
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.canvas.can_redo() and window.canvas.can_undo()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not window.canvas.can_redo()
    QTest.keyClick(window, Qt.Key.Key_Escape)
    wait_for_prediction(qtbot, window)
    assert (window.canvas.to_array() == 255).all()


def test_a_new_stroke_clears_redo(window):
    draw_stroke(window.canvas, vertical_line())
    window.canvas.undo()
    assert window.canvas.can_redo()
    draw_stroke(window.canvas, loop())
    assert not window.canvas.can_redo()


def test_undo_during_a_stroke_ends_that_stroke_and_undoes_it(window):
    canvas = window.canvas
    draw_stroke(canvas, vertical_line(x=60))
    canvas.undo()
    canvas.redo()  # the line as a replay paints it (antialiased along one path, not in segments)
    with_line = canvas.to_array()
    window.activateWindow()
    points = loop()
    left = Qt.MouseButton.LeftButton
    press(canvas, points[0])
    for point in points[1:20]:
        move(canvas, point, left)  # the button is still down: a stroke in progress
    assert (canvas.to_array() != with_line).any()
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert (canvas.to_array() == with_line).all()  # the half loop is gone, the line stays
    for point in points[20:]:
        move(canvas, point, left)  # the rest of the drag paints nothing: that stroke has ended
    release(canvas, points[-1])
    assert (canvas.to_array() == with_line).all()
    canvas.redo()  # and the half loop can come back
    assert (canvas.to_array() != with_line).any() and canvas.can_undo()


def test_a_loaded_checkpoint_survives_a_device_switch(window, qtbot, tiny_checkpoint):
    window.load_checkpoint(str(tiny_checkpoint))
    qtbot.waitUntil(lambda: window.predictor.name == "best.pt", timeout=10_000)
    devices = window.findChild(QComboBox, "deviceSelector")
    with qtbot.waitSignal(window.modelReady, timeout=10_000):
        devices.activated.emit(devices.findData("cpu"))
    assert window.predictor.source == str(tiny_checkpoint.resolve())
    assert not window.notice.isVisible()
    models = window.findChild(QComboBox, "modelSelector")
    assert models.currentData() == str(tiny_checkpoint.resolve())


def test_only_the_latest_model_choice_wins(window, qtbot):
    selector = window.findChild(QComboBox, "modelSelector")
    selector.activated.emit(selector.findData("mlp"))
    selector.activated.emit(selector.findData("cnn"))
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Shipped"), timeout=10_000)
    qtbot.wait(300)  # let any stale answer arrive: it must be ignored
    assert window.predictor.arch == "cnn" and selector.currentData() == "cnn"


def test_settings_come_back_in_the_next_window(window, qtbot, tmp_path):
    from digitpad.gui import create_main_window

    window.tools.pen_slider.setValue(31)
    folder = write_digit_folder(tmp_path / "digits", per_class=2, size=32)
    window.training_panel.set_folder(str(folder))
    qtbot.waitUntil(window.training_panel.start_button.isEnabled, timeout=10_000)
    selector = window.findChild(QComboBox, "modelSelector")
    with qtbot.waitSignal(window.modelReady, timeout=10_000):
        selector.activated.emit(selector.findData("mlp"))
    window.close()
    again = create_main_window()
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: again.predictor is not None, timeout=MODEL_TIMEOUT_MS)
    assert again.tools.pen_slider.value() == 31 and again.canvas.pen_width == 31
    assert again.predictor.arch == "mlp"
    assert again.training_panel.folder_edit.text() == str(folder)
    again.close()


def test_a_remembered_device_that_is_gone_falls_back_to_cpu(qtbot):
    from digitpad.gui import create_main_window

    settings = QSettings()
    settings.setValue("device", "cuda:7")
    settings.setValue("penWidth", "not a number")
    settings.sync()
    win = create_main_window()
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.predictor is not None, timeout=MODEL_TIMEOUT_MS)
    assert str(win.predictor.device) == "cpu" and "cuda:7" in win.notice.text()
    win.close()


def test_mouse_moves_are_coalesced_into_few_predictions(window, qtbot, monkeypatch):
    sent = []
    window.live.requested.connect(sent.append)
    points = vertical_line(steps=200)
    draw_stroke(window.canvas, points)  # 200 moves in one go, faster than any frame
    wait_for_prediction(qtbot, window)
    assert 1 <= len(sent) <= 5
    assert window.last_prediction.digit == 1


def test_cancel_leaves_no_checkpoint_and_a_bad_folder_keeps_start_disabled(window, qtbot, tmp_path):
    panel = window.training_panel
    # 100 batches an epoch: the cancel below must land inside the first one, also when
    # the training gets every core of a quiet machine.
    folder = write_digit_folder(tmp_path / "digits", per_class=40, size=32)
    start_long_training(panel, qtbot, folder)
    qtbot.waitUntil(lambda: "Epoch 1/" in panel.progress_label.text(), timeout=30_000)
    panel.set_folder(str(tmp_path / "nowhere"))
    qtbot.waitUntil(lambda: "does not exist" in panel.folder_status.text(), timeout=10_000)
    with qtbot.waitSignal(panel.trainingCancelled, timeout=30_000):
        panel.cancel_button.click()
    assert not panel.start_button.isEnabled()
    assert not list(panel.runs_dir.rglob("*.pt"))


def test_a_training_failure_is_shown_in_the_panel(window, qtbot, tmp_path):
    panel = window.training_panel
    folder = write_digit_folder(tmp_path / "digits", per_class=8, size=32)
    panel.set_folder(str(folder))
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)
    shutil.rmtree(folder)  # gone between the check and the start
    with qtbot.waitSignal(panel.trainingFailed, timeout=30_000):
        panel.start_button.click()
    assert "does not exist" in panel.result_label.text()
    assert window.predictor is not None


def test_a_runtime_error_in_training_is_reported_and_the_panel_recovers(window, qtbot, tmp_path, monkeypatch):
    """torch reports most failures (out of memory, a shape mismatch) as RuntimeError, which
    superqt's generator workers swallow without `errored` or `finished`."""
    import digitpad.train

    def out_of_memory(*args, **kwargs):
        raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        yield  # a generator, as the real one is

    monkeypatch.setattr(digitpad.train, "train", out_of_memory)
    panel = window.training_panel
    panel.set_folder(str(write_digit_folder(tmp_path / "digits", per_class=8, size=32)))
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(panel.trainingFailed, timeout=30_000) as failed:
        panel.start_button.click()
    assert "out of memory" in failed.args[0] and "out of memory" in panel.result_label.text()
    assert panel.start_button.isEnabled() and not panel.is_training() and not window.workers.busy()


def test_the_pen_s_first_dot_is_read_with_the_first_move_or_on_release_for_a_tap(qtbot):
    from PySide6.QtCore import QPointF

    from digitpad.gui.canvas import DrawingCanvas

    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(300, 300)
    canvas.show()
    qtbot.waitExposed(canvas)
    changes = []
    canvas.changed.connect(lambda: changes.append(len(canvas._ops)))
    press(canvas, QPointF(100, 100))
    assert changes == []  # the dot alone: nothing to read yet, a move follows at once
    move(canvas, QPointF(120, 120), Qt.MouseButton.LeftButton)
    release(canvas, QPointF(120, 120))
    assert changes == [0]  # one reading, for the moved stroke; release adds none
    press(canvas, QPointF(200, 200))
    release(canvas, QPointF(200, 200))
    assert changes == [0, 2]  # a tap: read once, on release, when it is in the history
    assert canvas.to_array().min() < 128
