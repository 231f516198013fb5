import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel

from digitpad.negatives import draw_family
from digitpad.synth import draw_digit, write_digit_folder

from .drawing import draw_stroke, loop, start_long_training, vertical_line, wait_for_prediction


def shown_digit(win):
    text = win.findChild(QLabel, "predictionLabel").text()
    return int(text[0]) if text[:1].isdigit() else None


def test_the_window_has_the_documented_parts(window):
    for name in ("canvas", "probabilityChart", "clearButton", "trainingPanel"):
        assert window.findChild(object, name) is not None, name
    assert window.findChild(QComboBox, "modelSelector").count() >= 3
    assert window.findChild(QComboBox, "deviceSelector").itemData(0) == "cpu"


def test_a_blank_canvas_shows_no_digit_and_an_empty_chart(window):
    assert shown_digit(window) is None
    assert not any(ch.isdigit() for ch in window.findChild(QLabel, "predictionLabel").text())
    assert not window.chart.values.any()


def test_a_vertical_stroke_reads_1_and_a_loop_reads_0(window, qtbot):
    draw_stroke(window.canvas, vertical_line())
    wait_for_prediction(qtbot, window)
    assert shown_digit(window) == 1
    assert window.chart.values.argmax() == 1 and abs(window.chart.values.sum() - 1) < 1e-4
    window.canvas.clear()
    draw_stroke(window.canvas, loop())
    wait_for_prediction(qtbot, window)
    assert shown_digit(window) == 0


def test_undo_redo_and_clear(window, qtbot):
    draw_stroke(window.canvas, vertical_line())
    wait_for_prediction(qtbot, window)
    assert shown_digit(window) == 1
    window.canvas.undo()
    wait_for_prediction(qtbot, window)
    assert shown_digit(window) is None
    window.canvas.redo()
    wait_for_prediction(qtbot, window)
    assert shown_digit(window) == 1
    window.tools.clear_button.click()
    wait_for_prediction(qtbot, window)
    assert shown_digit(window) is None and (window.canvas.to_array() == 255).all()
    window.canvas.undo()  # the clear itself can be undone
    wait_for_prediction(qtbot, window)
    assert shown_digit(window) == 1


def test_switching_model_and_device_reruns_the_drawing(window, qtbot):
    draw_stroke(window.canvas, vertical_line())
    wait_for_prediction(qtbot, window)
    selector = window.findChild(QComboBox, "modelSelector")
    with qtbot.waitSignal(window.predictionShown, timeout=30_000):
        selector.activated.emit(selector.findData("mlp"))
    assert window.predictor.arch == "mlp" and shown_digit(window) == 1
    assert "MLP" in window.statusBar().currentMessage()
    devices = window.findChild(QComboBox, "deviceSelector")
    with qtbot.waitSignal(window.predictionShown, timeout=30_000):
        devices.activated.emit(devices.findData("cpu"))
    assert "CPU" in window.statusBar().currentMessage()


def test_a_corrupt_checkpoint_is_refused_and_the_model_stays(window, qtbot, tmp_path):
    before = window.predictor
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"definitely not a checkpoint")
    window.load_checkpoint(str(bad))
    qtbot.waitUntil(lambda: window.notice.isVisible(), timeout=10_000)
    assert "broken.pt" in window.notice.text()
    assert window.predictor is before
    assert window.findChild(QComboBox, "modelSelector").currentData() == "cnn"


def test_open_image_and_save_drawing(window, qtbot, tmp_path):
    picture = tmp_path / "seven.png"
    draw_digit(7, size=120).save(picture)
    window.open_image(str(picture))
    wait_for_prediction(qtbot, window)
    assert shown_digit(window) == 7
    target = tmp_path / "drawing.png"
    assert window.save_drawing(str(target))
    assert Image.open(target).size[0] >= 280
    previous = target.read_bytes()
    assert not window.save_drawing(str(tmp_path / "drawing.png" / "impossible.png"))
    assert target.read_bytes() == previous and window.notice.isVisible()
    (tmp_path / "junk.png").write_bytes(b"junk")
    window.open_image(str(tmp_path / "junk.png"))
    assert "not a readable image" in window.notice.text()


def test_training_panel_trains_to_the_end_and_offers_the_model(window, qtbot, tmp_path):
    folder = write_digit_folder(tmp_path / "digits", per_class=12, size=32)
    panel = window.training_panel
    panel.set_folder(str(folder))
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)
    assert "120 images in 10 classes" in panel.folder_status.text()
    panel.model_choice.setCurrentIndex(panel.model_choice.findData("mlp"))
    panel.epochs.setValue(3)
    with qtbot.waitSignal(panel.trainingFinished, timeout=60_000) as finished:
        panel.start_button.click()
    record = finished.args[0]
    assert record.kind == "done" and record.epoch == 3
    assert panel.use_button.isVisible() and "Best validation accuracy" in panel.result_label.text()
    assert panel.progress_bar.value() == panel.progress_bar.maximum()
    with qtbot.waitSignal(window.modelReady, timeout=10_000):
        panel.use_button.click()
    assert window.predictor.name == "best.pt" and window.predictor.arch == "mlp"


def test_training_can_be_cancelled_midway_and_keeps_the_model(window, qtbot, tmp_path):
    folder = write_digit_folder(tmp_path / "digits", per_class=12, size=32)
    panel = window.training_panel
    before = window.predictor
    ready_when_told = []  # whoever hears "cancelled" may start another run at once

    def note_readiness():
        ready_when_told.append(panel.start_button.isEnabled() and not panel.is_training())

    panel.trainingCancelled.connect(note_readiness)
    with qtbot.waitSignal(panel.trainingCancelled, timeout=60_000):
        start_long_training(panel, qtbot, folder)
        qtbot.waitUntil(lambda: panel.progress_bar.value() > 0 and "Epoch" in panel.progress_label.text(), timeout=30_000)
        panel.cancel_button.click()
    panel.trainingCancelled.disconnect(note_readiness)
    assert ready_when_told == [True]
    assert window.predictor is before
    assert "Cancelled" in panel.progress_label.text()
    assert panel.start_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_a_bad_folder_is_reported_in_words(window, qtbot, tmp_path):
    (tmp_path / "letters" / "a").mkdir(parents=True)
    panel = window.training_panel
    panel.set_folder(str(tmp_path / "letters"))
    qtbot.waitUntil(lambda: "none named 0-9" in panel.folder_status.text(), timeout=10_000)
    assert not panel.start_button.isEnabled()


def test_closing_during_training_cancels_and_waits(window, qtbot, tmp_path):
    folder = write_digit_folder(tmp_path / "digits", per_class=12, size=32)
    panel = window.training_panel
    start_long_training(panel, qtbot, folder)
    qtbot.waitUntil(lambda: "Epoch" in panel.progress_label.text(), timeout=30_000)
    job = panel._job
    window.close()
    assert not window.workers.busy() and not job.is_running  # stopped and waited for
    assert window.workers.start(print) is None  # a closed window starts no more work


def test_importing_the_gui_does_not_import_torch():
    code = "import sys, digitpad.gui, digitpad.gui.main_window; print('torch' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert run.stdout.strip() == "False", run.stderr


def test_a_scribble_is_shown_as_not_a_digit(window, qtbot):
    import math

    from PySide6.QtCore import QPointF

    zigzag = [QPointF(40 + 200 * (i % 2), 40 + 6 * i + 20 * math.sin(i)) for i in range(34)]
    draw_stroke(window.canvas, zigzag)
    draw_stroke(window.canvas, [QPointF(30 + 7 * i, 240 - 6 * i) for i in range(32)])
    wait_for_prediction(qtbot, window)
    assert window.last_prediction.unsure
    label = window.findChild(QLabel, "predictionLabel").text()
    assert label.startswith("Not a digit") and "%" not in label  # never "0 (100%)"
    from digitpad.gui.chart import MUTED

    bars = window.chart._bars.opts["brushes"]
    assert all(brush.color().getRgb()[:3] == MUTED for brush in bars)  # no highlighted winner


def test_compare_shows_both_networks_side_by_side(window, qtbot):
    draw_stroke(window.canvas, loop())
    wait_for_prediction(qtbot, window)
    toggle = window.findChild(QCheckBox, "compareToggle")
    toggle.setChecked(True)
    qtbot.waitUntil(lambda: window.chart.second_values is not None, timeout=20_000)
    assert window.partner.arch == "mlp"
    assert window.chart.values.argmax() == 0 and window.chart.second_values.argmax() == 0
    toggle.setChecked(False)
    wait_for_prediction(qtbot, window)
    assert window.chart.second_values is None


def test_evaluate_tab_reports_and_opens_a_confusion_cell(window, qtbot):
    panel = window.evaluate_panel
    with qtbot.waitSignal(panel.evaluated, timeout=60_000) as done:
        panel.start_button.click()
    report = done.args[0]
    assert report.n == 1000 and report.accuracy > 0.97 and report.ece < 0.05
    assert "Accuracy" in panel.summary.text()
    true, predicted = 3, 3
    panel.show_cell(true, predicted)
    assert panel.gallery.count() == report.confusion[3][3] > 90
    assert "True 3, predicted 3" in panel.gallery_title.text()


def test_evaluate_reports_a_bad_folder_in_words(window, qtbot, tmp_path):
    panel = window.evaluate_panel
    panel.source_choice.setCurrentIndex(panel.source_choice.findData("folder"))
    panel.folder_edit.setText(str(tmp_path / "missing"))
    panel.start_button.click()
    qtbot.waitUntil(lambda: not panel.is_running(), timeout=30_000)
    assert "does not exist" in panel.summary.text()


def test_export_from_the_window_writes_the_model_and_its_contract(window, qtbot, tmp_path):
    target = tmp_path / "model.onnx"
    with qtbot.waitSignal(window.modelExported, timeout=60_000):
        window.export_model(str(target), "onnx")
    assert target.is_file() and (tmp_path / "model.onnx.json").is_file()


def test_inside_tab_shows_the_layers_and_the_worked_example(window, qtbot):
    window.show_panel(window.inside_panel)
    draw_stroke(window.canvas, loop())
    wait_for_prediction(qtbot, window)
    panel = window.inside_panel
    assert panel.layer_list.count() == len(panel.layers) + 2 > 7  # + kernels, + pixel heat map
    assert panel.layer_list.item(0).text() == "Conv2d 1" and not panel.layer_picture.pixmap().isNull()
    assert panel.conv_table.item(0, 0).text() == "24" and panel.flat_table.item(0, 2).text() == "28"
    panel.kernel_table.item(0, 0).setText("1")  # edit: the top-left output gains 3×1
    assert panel.conv_table.item(0, 0).text() == "27"
    panel.use_drawing_patch()
    assert panel.input_table.item(2, 2).text() in {str(v) for v in range(10)}


def test_label_drawings_then_fine_tune_on_them(window, qtbot, tmp_path):
    box = window.handwriting
    box.set_folder(tmp_path / "mine")
    for i in range(30):
        window.canvas.show_picture(_qimage(draw_digit(i % 10, size=140, rng=np.random.default_rng(i))))
        assert box.save_as(i % 10) is not None
    assert "30 saved" in box.counts.text()
    box.undo_last_save()
    assert "29 saved" in box.counts.text()
    rng = np.random.default_rng(0)
    for name in ("heart", "house", "face", "square"):  # "Not a digit": kept apart, taught to the gate
        window.canvas.show_picture(_qimage(draw_family(name, rng)))
        box.not_digit_button.click()
    assert "33 saved" in box.counts.text() and "not a digit: 4" in box.counts.text()
    assert len(list((tmp_path / "mine" / "not-a-digit").glob("*.png"))) == 4
    panel = window.training_panel
    panel.fine_tune.setChecked(True)  # points the panel at the handwriting folder
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)
    assert panel.folder_edit.text() == str(tmp_path / "mine")
    panel.epochs.setValue(1)
    with qtbot.waitSignal(panel.trainingFinished, timeout=60_000) as done:
        panel.start_button.click()
    assert done.args[0].initial_val_accuracy is not None
    assert "held-out drawings" in panel.result_label.text()
    assert "non-digit drawings turned away" in panel.result_label.text()  # the gate's before and after
    assert (Path(done.args[0].best_path).parent / "gate.pt").is_file()


def _qimage(image):
    from PySide6.QtGui import QImage

    pixels = np.ascontiguousarray(np.asarray(image))
    return QImage(pixels.data, pixels.shape[1], pixels.shape[0], pixels.shape[1],
                  QImage.Format.Format_Grayscale8).copy()


def test_opening_the_window_does_not_wait_for_torch():
    # The model loads on a pool thread; stop that, and nothing else may import torch.
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "import digitpad.gui.workers as workers\n"
        "workers.Workers.start = lambda *args, **kwargs: None\n"
        "from digitpad.gui import create_main_window\n"
        "window = create_main_window(); window.show(); app.processEvents()\n"
        "print('torch' in sys.modules, flush=True)\n"
        "window.close()\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"QT_QPA_PLATFORM": "offscreen", "PATH": "", "HOME": "/tmp"})
    assert run.stdout.strip().splitlines()[-1] == "False", run.stderr


def test_inside_shows_kernels_heat_map_and_enlarges_a_map(window, qtbot):
    window.show_panel(window.inside_panel)
    draw_stroke(window.canvas, loop())
    wait_for_prediction(qtbot, window)
    panel = window.inside_panel
    names = [panel.layer_list.item(i).text() for i in range(panel.layer_list.count())]
    assert names[-2:] == ["Kernels of Conv2d 1", "Pixels behind the answer"]
    panel.layer_list.setCurrentRow(len(names) - 1)
    assert "weights × input" in panel.layer_text.text()
    panel.layer_list.setCurrentRow(names.index("ReLU 1"))
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    pixmap = panel.layer_picture.pixmap()
    corner = QPoint((panel.layer_picture.width() - pixmap.width()) // 2 + 3,
                    (panel.layer_picture.height() - pixmap.height()) // 2 + 3)
    QTest.mouseClick(panel.layer_picture, Qt.MouseButton.LeftButton, pos=corner)
    assert panel.zoomed == 0 and not panel.zoom_kernel.pixmap().isNull()
