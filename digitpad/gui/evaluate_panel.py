"""The Evaluate tab: where does a model fail, and how far can its confidence be trusted?

Runs a model over the built-in MNIST sample or any dataset folder in a worker thread,
then shows accuracy per class, a confusion matrix whose cells open the images behind
them (with what the model thought), and a reliability diagram.
"""

from __future__ import annotations

import threading

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
    QListWidgetItem, QProgressBar, QPushButton, QSplitter, QVBoxLayout, QWidget,
)

from . import jobs

SAMPLE = "sample"
CURRENT = "current"


class EvaluatePanel(QWidget):
    evaluated = Signal(object)  # the EvalReport shown

    def __init__(self, state, workers, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("evaluatePanel")
        self.state, self.workers = state, workers
        self.report = None
        self.dataset = None
        self._job = None  # the evaluation worker while one runs
        self._cancel = threading.Event()
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_inputs())
        layout.addLayout(self._build_buttons())
        self.progress_bar = QProgressBar()
        self.summary = QLabel(self.tr("Evaluate a model on the built-in MNIST sample or on a folder."))
        self.summary.setObjectName("evaluationSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.summary)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self._build_confusion())
        splitter.addWidget(self._build_reliability())
        splitter.addWidget(self._build_gallery())
        layout.addWidget(splitter, stretch=1)

    # --- building --------------------------------------------------------------------

    def _build_inputs(self) -> QFormLayout:
        self.source_choice = QComboBox()
        self.source_choice.addItem(self.tr("Built-in MNIST sample (1,000 test digits)"), SAMPLE)
        self.source_choice.addItem(self.tr("A dataset folder"), "folder")
        self.source_choice.currentIndexChanged.connect(self._on_source_changed)
        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText(self.tr("A folder with subfolders 0 to 9"))
        self.browse_button = QPushButton(self.tr("Browse…"))
        self.browse_button.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, stretch=1)
        folder_row.addWidget(self.browse_button)
        self.model_choice = QComboBox()
        self.model_choice.addItem(self.tr("The model in use"), CURRENT)
        self.model_choice.addItem(self.tr("CNN (shipped)"), "cnn")
        self.model_choice.addItem(self.tr("MLP (shipped)"), "mlp")
        form = QFormLayout()
        form.addRow(self.tr("Images"), self.source_choice)
        form.addRow(self.tr("Folder"), folder_row)
        form.addRow(self.tr("Model"), self.model_choice)
        self._on_source_changed()
        return form

    def _build_buttons(self) -> QHBoxLayout:
        self.start_button = QPushButton(self.tr("Evaluate"))
        self.start_button.setObjectName("evaluateButton")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.addWidget(self.start_button)
        row.addWidget(self.cancel_button)
        return row

    def _build_confusion(self) -> QWidget:
        self.confusion_plot = pg.PlotWidget(background="w")
        self.confusion_plot.setObjectName("confusionMatrix")
        self.confusion_plot.setToolTip(self.tr("Rows: true digit; columns: predicted. Click a cell to see its images."))
        self.confusion_plot.setMinimumHeight(220)
        plot = self.confusion_plot.getPlotItem()
        plot.setTitle(self.tr("Confusion matrix (click a cell)"))
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.invertY(True)
        plot.setAspectLocked(True)
        ticks = [[(d + 0.5, str(d)) for d in range(10)]]
        plot.getAxis("bottom").setTicks(ticks)
        plot.getAxis("left").setTicks(ticks)
        plot.setLabel("bottom", self.tr("predicted"))
        plot.setLabel("left", self.tr("true"))
        self.heatmap = pg.ImageItem(np.zeros((10, 10)))
        self.heatmap.setColorMap(pg.colormap.get("CET-L17"))
        plot.addItem(self.heatmap)
        plot.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)
        self._cell_labels = []
        for true in range(10):
            for predicted in range(10):
                label = pg.TextItem("", color=(20, 20, 20), anchor=(0.5, 0.5))
                label.setPos(predicted + 0.5, true + 0.5)
                plot.addItem(label)
                self._cell_labels.append(label)
        self.confusion_plot.scene().sigMouseClicked.connect(self._on_heatmap_clicked)
        return self.confusion_plot

    def _build_reliability(self) -> QWidget:
        self.reliability_plot = pg.PlotWidget(background="w")
        self.reliability_plot.setObjectName("reliabilityDiagram")
        self.reliability_plot.setMinimumHeight(160)
        plot = self.reliability_plot.getPlotItem()
        plot.setTitle(self.tr("Reliability: accuracy against stated confidence"))
        plot.setLabel("bottom", self.tr("confidence"))
        plot.setLabel("left", self.tr("accuracy"))
        plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.02)
        plot.plot([0, 1], [0, 1], pen=pg.mkPen((150, 150, 150), style=Qt.PenStyle.DashLine))
        self.reliability_bars = pg.BarGraphItem(x=[], height=[], width=1 / 15 * 0.9,
                                                brush=pg.mkBrush(110, 140, 190), pen=None)
        plot.addItem(self.reliability_bars)
        return self.reliability_plot

    def _build_gallery(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.gallery_title = QLabel(self.tr("Click a cell of the matrix to see its images."))
        self.gallery = QListWidget()
        self.gallery.setObjectName("errorGallery")
        self.gallery.setViewMode(QListWidget.ViewMode.IconMode)
        self.gallery.setIconSize(QSize(56, 56))
        self.gallery.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.gallery.setMinimumHeight(120)
        column.addWidget(self.gallery_title)
        column.addWidget(self.gallery, stretch=1)
        return box

    # --- running ---------------------------------------------------------------------

    @Slot()
    def _on_source_changed(self) -> None:
        is_folder = self.source_choice.currentData() == "folder"
        self.folder_edit.setEnabled(is_folder)
        self.browse_button.setEnabled(is_folder)

    @Slot()
    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Dataset folder"), self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)
            self.source_choice.setCurrentIndex(self.source_choice.findData("folder"))

    def is_running(self) -> bool:
        return self._job is not None

    @Slot()
    def start(self) -> None:
        if self.is_running():
            return
        model = self.model_choice.currentData()
        predictor = self.state.predictor if model == CURRENT else None
        if model == CURRENT and predictor is None:
            self.summary.setText(self.tr("No model is loaded yet."))
            return
        self._cancel = threading.Event()
        self._job = self.workers.start(
            jobs.evaluate, self.source_choice.currentData(), self.folder_edit.text(), predictor, model,
            self.state.device, self._cancel,
            yielded=self._on_progress, returned=self._on_returned, failed=self._on_failed, finished=self._on_ended)
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.summary.setText(self.tr("Evaluating…"))

    @Slot()
    def cancel(self) -> None:
        self._cancel.set()

    def stop(self) -> None:
        """Cancel a running evaluation (the window waits for its worker on close)."""
        self._cancel.set()

    @Slot()
    def _on_ended(self) -> None:
        self._job = None
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    @Slot(object)
    def _on_progress(self, step) -> None:
        self.progress_bar.setRange(0, max(step.total, 1))
        self.progress_bar.setValue(step.done)
        stage = self.tr("Loading images") if isinstance(step, jobs.Loading) else self.tr("Evaluating")
        self.summary.setText(f"{stage}: {step.done} / {step.total}")

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.summary.setText(self.tr("Evaluation stopped: {message}").format(message=message))

    @Slot(object)
    def _on_returned(self, outcome) -> None:
        if outcome is None:
            self.summary.setText(self.tr("Cancelled."))
            return
        report, dataset = outcome
        self.report, self.dataset = report, dataset
        self._show_summary(report)
        self._show_confusion(report)
        self._show_reliability(report)
        self.gallery.clear()
        self.evaluated.emit(report)

    # --- showing ---------------------------------------------------------------------

    def _show_summary(self, report) -> None:
        per_class = "  ".join(f"{d}: {a:.1%}" for d, a in report.per_class.items() if a is not None)
        unsure = "" if report.unsure is None else self.tr(" · turned away as not digits: {u:.2%}").format(u=report.unsure)
        self.summary.setText(
            self.tr("Accuracy {a:.2%} on {n} images · calibration error (ECE) {e:.2%}{u}\nPer class: {c}").format(
                a=report.accuracy, n=report.n, e=report.ece, u=unsure, c=per_class)
        )

    def _show_confusion(self, report) -> None:
        counts = np.array(report.confusion, dtype=float)
        rows = counts.sum(axis=1, keepdims=True)
        shares = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
        # Errors are what a learner looks for: colour by share, but cap the diagonal so
        # that a 2% confusion is still visible next to a 98% diagonal.
        shown = np.where(np.eye(10, dtype=bool), 0.15, np.minimum(shares * 5, 1.0))
        self.heatmap.setImage(shown.T, levels=(0, 1))  # ImageItem is indexed [x, y]
        self.heatmap.setRect(0, 0, 10, 10)
        for index, label in enumerate(self._cell_labels):
            true, predicted = divmod(index, 10)
            count = int(counts[true, predicted])
            label.setText(str(count) if count else "")

    def _show_reliability(self, report) -> None:
        rows = [r for r in report.reliability if r["count"]]
        centres = [(r["low"] + r["high"]) / 2 for r in rows]
        self.reliability_bars.setOpts(x=centres, height=[r["accuracy"] for r in rows])

    @Slot(object)
    def _on_heatmap_clicked(self, event) -> None:
        if self.report is None:
            return
        point = self.confusion_plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        predicted, true = int(np.floor(point.x())), int(np.floor(point.y()))
        if 0 <= true < 10 and 0 <= predicted < 10:
            self.show_cell(true, predicted)

    def show_cell(self, true: int, predicted: int, limit: int = 200) -> None:
        """Fill the gallery with the images of one confusion cell, most confident first."""
        report, dataset = self.report, self.dataset
        chosen = np.flatnonzero((dataset.labels == true) & (report.predictions == predicted))
        total = len(chosen)
        chosen = chosen[np.argsort(-report.probs[chosen, predicted])][:limit]
        self.gallery.clear()
        kind = self.tr("read correctly") if true == predicted else self.tr("misread")
        self.gallery_title.setText(
            self.tr("True {t}, predicted {p}: {n} images ({kind})").format(t=true, p=predicted, n=total, kind=kind))
        for index in chosen:
            probs = report.probs[index]
            item = QListWidgetItem(_icon(dataset.images[index]), f"{probs[predicted]:.0%}")
            top3 = np.argsort(-probs)[:3]
            source = dataset.paths[index] if index < len(dataset.paths) else ""
            item.setToolTip("\n".join([source] + [f"P{d} = {probs[d]:.1%}" for d in top3]))
            self.gallery.addItem(item)


def _icon(digit: np.ndarray) -> QIcon:
    pixels = np.ascontiguousarray(digit)
    image = QImage(pixels.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
    return QIcon(QPixmap.fromImage(image).scaled(56, 56))
