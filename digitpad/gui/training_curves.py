"""Loss and accuracy while training, against epochs: two plots a person can read.

Each plot is at least CURVE_HEIGHT pixels tall; the x axis counts epochs (fractions
while an epoch runs) with no SI prefix; before any training there is no meaningless
frame, only a line that says what will appear."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .chart import keep_axes_as_pixmaps

CURVE_HEIGHT = 150
# Batch points are averaged into this many per epoch: a long run sends thousands of them
# (10 a second), and drawn one by one each update of the GUI thread grew with the run
# (6,000 points: 13 ms an update, against 6 ms for the first 500).
POINTS_PER_EPOCH = 40
TRAIN_PEN = (40, 90, 200)
VALIDATION = (230, 120, 30)


class _Plot(pg.PlotWidget):
    def sizeHint(self) -> QSize:
        return QSize(320, CURVE_HEIGHT)  # pyqtgraph asks for 480 px: more than a 800 px screen spares


class TrainingCurves(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainingCurves")
        self.empty_note = QLabel(self.tr("Loss and accuracy appear here, epoch by epoch, once training starts."))
        self.empty_note.setObjectName("curvesEmptyNote")
        self.empty_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_note.setWordWrap(True)
        self.empty_note.setStyleSheet("color: #666;")
        self.empty_note.setMinimumHeight(2 * CURVE_HEIGHT)  # the panel keeps its shape when curves appear
        self.loss_plot = self._plot(self.tr("Loss (cross-entropy)"), "lossPlot")
        self.acc_plot = self._plot(self.tr("Accuracy"), "accuracyPlot")
        self.acc_plot.getPlotItem().setYRange(0, 1, padding=0.02)
        self.acc_plot.getPlotItem().getAxis("left").setTicks([[(v, f"{v:.0%}") for v in (0, 0.25, 0.5, 0.75, 1.0)]])
        train = self.tr("training batches")
        self.loss_curve = self.loss_plot.plot(pen=pg.mkPen(TRAIN_PEN, width=2), name=train)
        self.acc_curve = self.acc_plot.plot(pen=pg.mkPen(TRAIN_PEN, width=2), name=train)
        self.val_curve = self.acc_plot.plot(pen=pg.mkPen(VALIDATION, width=2), symbol="o", symbolSize=7,
                                            symbolBrush=VALIDATION, name=self.tr("validation, each epoch"))
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.empty_note)
        column.addWidget(self.loss_plot, stretch=1)
        column.addWidget(self.acc_plot, stretch=1)
        self.history = {"x": [], "loss": [], "acc": [], "val_x": [], "val": []}
        self._in_last_point = 0  # batches averaged into the last point so far
        self.reset(epochs=1)

    def _plot(self, title: str, name: str) -> pg.PlotWidget:
        plot = _Plot(background="w")
        plot.setObjectName(name)
        plot.setMinimumHeight(CURVE_HEIGHT)
        item = plot.getPlotItem()
        item.setTitle(title)
        item.showGrid(x=True, y=True, alpha=0.2)
        item.setLabel("bottom", self.tr("epoch"))
        item.getAxis("bottom").enableAutoSIPrefix(False)  # "epoch", never "epoch (x0.001)"
        item.getAxis("left").enableAutoSIPrefix(False)
        keep_axes_as_pixmaps(item)  # updating both plots: 7.9 -> 4.5 ms, ten times a second
        item.setMouseEnabled(x=False, y=False)
        item.hideButtons()
        item.addLegend(offset=(-10, -10))  # bottom right: curves start high on the left
        return plot

    def reset(self, epochs: int) -> None:
        """Empty curves, the x axis laid out for `epochs` epochs."""
        for values in self.history.values():
            values.clear()
        for plot in (self.loss_plot, self.acc_plot):
            plot.getPlotItem().setXRange(0, max(epochs, 1), padding=0.02)
            plot.getPlotItem().getAxis("bottom").setTickSpacing()  # automatic, whole epochs when few
        self._redraw()
        self._show_plots(False)

    def add_batch(self, epoch_position: float, loss: float, accuracy: float) -> None:
        """One batch's loss and accuracy; batches that fall in the same 1/POINTS_PER_EPOCH
        of an epoch share one point, their mean, placed at the latest of them."""
        history = self.history
        # Bins are ((k - 1) / P, k / P]: an epoch's last batch (x = 1.0) stays in that epoch.
        same_bin = bool(history["x"]) and (
            math.ceil(history["x"][-1] * POINTS_PER_EPOCH) == math.ceil(epoch_position * POINTS_PER_EPOCH))
        if same_bin:
            n = self._in_last_point = self._in_last_point + 1
            history["loss"][-1] += (loss - history["loss"][-1]) / n
            history["acc"][-1] += (accuracy - history["acc"][-1]) / n
            history["x"][-1] = epoch_position
        else:
            self._in_last_point = 1
            history["x"].append(epoch_position)
            history["loss"].append(loss)
            history["acc"].append(accuracy)
        self._show_plots(True)
        self._redraw_batches()

    def add_validation(self, epoch: int, accuracy: float) -> None:
        self.history["val_x"].append(float(epoch))
        self.history["val"].append(accuracy)
        self.val_curve.setData(self.history["val_x"], self.history["val"])

    def _show_plots(self, shown: bool) -> None:
        self.empty_note.setVisible(not shown)
        for plot in (self.loss_plot, self.acc_plot):
            plot.setVisible(shown)

    def _redraw(self) -> None:
        self._redraw_batches()
        self.val_curve.setData(self.history["val_x"], self.history["val"])

    def _redraw_batches(self) -> None:
        history = self.history
        self.loss_curve.setData(history["x"], history["loss"])
        self.acc_curve.setData(history["x"], history["acc"])
