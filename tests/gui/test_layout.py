"""What a person sees: a canvas that grows, curves that can be read, pictures that fill."""

import numpy as np
from PySide6.QtWidgets import QApplication

from digitpad.inside import LayerOutput

from .drawing import draw_stroke, loop, wait_for_prediction


def test_the_canvas_is_a_square_that_grows_with_the_window(window, qtbot):
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.width() == 1280)
    QApplication.processEvents()
    small = window.canvas.square()
    assert small.width() == small.height() >= 360
    with qtbot.waitSignal(window.extras.lookalikesShown, timeout=60_000):
        draw_stroke(window.canvas, loop())
    wait_for_prediction(qtbot, window)
    read_small = window.last_prediction
    QApplication.processEvents()
    # the look-alike thumbnails, now shown, must not squeeze the canvas
    assert window.canvas.square().width() >= 360
    window.resize(1920, 1080)
    qtbot.waitUntil(lambda: window.canvas.square().width() > small.width())
    assert window.canvas.image().width() >= window.canvas.square().width()  # painted at its size
    window.live.refresh()
    wait_for_prediction(qtbot, window)
    read_large = window.last_prediction
    # The same drawing reads the same at any size (the 28x28 input may move by a fraction
    # of a pixel: it is antialiased at another resolution).
    assert read_small.digit == read_large.digit == 0
    assert np.abs(read_small.input - read_large.input).mean() < 0.1


def test_training_curves_are_tall_count_epochs_and_start_empty(window, qtbot):
    window.resize(1280, 800)
    curves = window.training_panel.curves
    assert curves.empty_note.isVisible() and not curves.loss_plot.isVisible()
    curves.reset(epochs=5)
    for step in range(1, 400):
        curves.add_batch(step / 400, loss=2.3 - step / 400, accuracy=step / 400)
    curves.add_validation(1, 0.8)
    qtbot.waitUntil(curves.loss_plot.isVisible)
    QApplication.processEvents()
    assert not curves.empty_note.isVisible()
    for plot in (curves.loss_plot, curves.acc_plot):
        assert plot.height() >= 150
        axis = plot.getPlotItem().getAxis("bottom")
        assert axis.autoSIPrefixScale == 1.0 and "x0.001" not in axis.labelString()
        assert "epoch" in axis.labelString()


def test_inside_shows_a_one_dimensional_layer_at_full_size(window):
    panel = window.inside_panel
    digit = np.zeros((28, 28), np.float32)
    layers = [LayerOutput("Linear 1", "Linear", np.linspace(-1, 1, 256, dtype=np.float32)),
              LayerOutput("Softmax", "Softmax", np.full(10, 0.1, np.float32))]
    panel.show_layers(layers, digit)
    for row in range(2):
        panel.layer_list.setCurrentRow(row)
        assert panel.layer_picture.pixmap().width() >= 120  # not a few pixels


def test_augment_and_elastic_warp_reach_the_training_settings(window, tmp_path):
    panel = window.training_panel
    panel.runs_dir = tmp_path / "runs"
    assert not panel.elastic.isEnabled()
    panel.augment.setChecked(True)
    panel.elastic.setChecked(True)
    config = panel._config()
    assert config.augment and config.elastic
    panel.augment.setChecked(False)
    assert not panel.elastic.isEnabled() and not panel._config().elastic


def test_a_stroke_goes_on_when_the_canvas_is_resized_under_the_pen(qtbot):
    """The layout may shift while the pen is down (the look-alike thumbnails appear with
    the first reading): the stroke must neither end nor lose its start."""
    from PySide6.QtCore import QPointF, Qt

    from digitpad.gui.canvas import DrawingCanvas

    from .drawing import move, press, release

    canvas = DrawingCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(300, 300)
    canvas.show()
    press(canvas, QPointF(140, 40))
    move(canvas, QPointF(140, 120), Qt.MouseButton.LeftButton)
    canvas.resize(420, 420)
    QApplication.processEvents()
    move(canvas, QPointF(140, 240), Qt.MouseButton.LeftButton)
    release(canvas, QPointF(140, 240))
    assert canvas.can_undo()
    pixels = canvas.to_array()  # at painted size: 280 drawing units span its height
    inked = np.flatnonzero(pixels[:, pixels.shape[1] // 2] < 128) / pixels.shape[0]
    assert inked.min() < 50 / 280 and inked.max() > 230 / 280  # one line, first point to last
    canvas.undo()
    assert not canvas.can_undo()  # it was one stroke


def test_training_curves_average_batches_so_a_long_run_stays_cheap_to_draw(qtbot):
    """A run sends ten batch points a second; the curves keep POINTS_PER_EPOCH per epoch,
    each the mean of its batches, so repainting does not grow with the run."""
    from digitpad.gui.training_curves import POINTS_PER_EPOCH, TrainingCurves

    curves = TrainingCurves()
    qtbot.addWidget(curves)
    curves.reset(epochs=3)
    batches = 3 * 400
    for i in range(batches):
        curves.add_batch((i + 1) / 400, loss=float(i % 2), accuracy=0.5)
    x, loss = curves.history["x"], curves.history["loss"]
    assert len(x) <= 3 * POINTS_PER_EPOCH + 1 and x[-1] == 3.0
    assert all(abs(value - 0.5) < 0.06 for value in loss[1:-1])  # the mean of 0s and 1s
    assert curves.loss_curve.getData()[0].size == len(x)


def test_the_chart_labels_only_the_bars_with_a_value_and_names_compared_models(qtbot):
    import numpy as np

    from digitpad.gui.chart import ProbabilityChart

    chart = ProbabilityChart()
    qtbot.addWidget(chart)
    probs = np.array([0.0, 0.0, 0.2, 0.0, 0.0, 0.0, 0.0, 0.8, 0.0, 0.0])

    def shown(labels):
        return {i: label.textItem.toPlainText() for i, label in enumerate(labels) if label.isVisible()}

    chart.set_probabilities(probs)
    assert shown(chart._labels) == {2: "20.0%", 7: "80.0%"}
    assert shown(chart._second_labels) == {} and not chart._legend.isVisible()
    chart.set_comparison(probs, probs[::-1].copy(), ("MLP", "CNN"))
    assert shown(chart._second_labels) == {2: "80.0%", 7: "20.0%"}
    assert chart._legend.isVisible() and "CNN" in chart._legend.textItem.toPlainText()
    chart.set_probabilities(None)  # a blank canvas: no labels at all
    assert shown(chart._labels) == {} and shown(chart._second_labels) == {}


def test_the_value_labels_of_the_end_bars_stay_inside_a_narrow_chart(qtbot):
    """"100.0%" centred over bar 0 of a narrow chart was cut to "00.0%" by the edge."""
    import numpy as np

    from PySide6.QtWidgets import QApplication

    from digitpad.gui.chart import ProbabilityChart

    chart = ProbabilityChart()
    qtbot.addWidget(chart)
    chart.resize(260, 330)
    chart.show()
    qtbot.waitExposed(chart)
    for digit in (0, 9):
        probs = np.zeros(10)
        probs[digit] = 1.0
        chart.set_probabilities(probs)
        QApplication.processEvents()  # the view lays out and maps the labels on the next events
        view = chart.getPlotItem().getViewBox().sceneBoundingRect()
        label = chart._labels[digit]
        box = label.mapRectToScene(label.boundingRect())
        margin = 2  # the text item's box includes its document margin around the glyphs
        assert label.isVisible() and view.left() - margin <= box.left() and box.right() <= view.right() + margin
