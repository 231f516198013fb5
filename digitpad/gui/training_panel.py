"""The training panel: pick a folder, set the options, train with live curves, use the result."""

from __future__ import annotations

import time
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QStandardPaths, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout,
    QLabel, QLineEdit, QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from .workers import TrainingWorker, WorkerThread, run_in_background


def default_runs_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".digitpad") / "runs"


def _format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class TrainingPanel(QWidget):
    """Emits `useModel(path)` when the user picks the freshly trained checkpoint."""

    useModel = Signal(str)
    folderChosen = Signal(str)
    trainingFinished = Signal(object)  # TrainProgress of the finished run
    trainingCancelled = Signal()
    trainingFailed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.runs_dir = default_runs_dir()
        self._job: WorkerThread | None = None
        self._scan_relay = None
        self._folder_ok = False
        self._result_path: str | None = None
        self.device = "cpu"  # the window keeps this in step with its device selector
        self.current_predictor = lambda: None  # the window supplies the model in use
        self.handwriting_folder = lambda: None  # and where the user's labelled drawings are
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_folder_box())
        layout.addWidget(self._build_options_box())
        layout.addLayout(self._build_buttons())
        layout.addWidget(self._build_progress())
        layout.addWidget(self._build_curves(), stretch=1)
        layout.addWidget(self._build_result())

    # --- building --------------------------------------------------------------------

    def _build_folder_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Dataset folder"))
        self.folder_edit = QLineEdit()
        self.folder_edit.setObjectName("folderEdit")
        self.folder_edit.setPlaceholderText(self.tr("A folder with subfolders 0 to 9"))
        self.folder_edit.editingFinished.connect(self._on_folder_edited)
        browse = QPushButton(self.tr("Browse…"))
        browse.clicked.connect(self._browse)
        self.folder_status = QLabel(self.tr("Choose a folder of digit images to train on."))
        self.folder_status.setObjectName("folderStatus")
        self.folder_status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, stretch=1)
        row.addWidget(browse)
        column = QVBoxLayout(box)
        column.addLayout(row)
        column.addWidget(self.folder_status)
        return box

    def _build_options_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Options"))
        form = QFormLayout(box)
        self.model_choice = QComboBox()
        self.model_choice.addItem(self.tr("CNN (convolutional)"), "cnn")
        self.model_choice.addItem(self.tr("MLP (784-256-10)"), "mlp")
        self.epochs = _spin(1, 500, 5, self.tr("Passes over the training images"))
        self.batch_size = _spin(1, 4096, 64, self.tr("Images per optimizer step"))
        self.learning_rate = QDoubleSpinBox(decimals=5, minimum=1e-5, maximum=1.0, singleStep=1e-4, value=1e-3)
        self.learning_rate.setToolTip(self.tr("Adam's learning rate"))
        self.val_split = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=0.9, singleStep=0.05, value=0.1)
        self.val_split.setToolTip(self.tr("Share of images held out to measure accuracy honestly"))
        self.augment = QCheckBox(self.tr("Augment (random slant, size, shift, elastic warp, stroke width)"))
        form.addRow(self.tr("Model"), self.model_choice)
        form.addRow(self.tr("Epochs"), self.epochs)
        form.addRow(self.tr("Batch size"), self.batch_size)
        form.addRow(self.tr("Learning rate"), self.learning_rate)
        form.addRow(self.tr("Validation split"), self.val_split)
        form.addRow(self.augment)
        self.fine_tune = QCheckBox(self.tr("Fine-tune the model in use (start from its weights)"))
        self.fine_tune.setObjectName("fineTune")
        self.fine_tune.setToolTip(self.tr("For your own handwriting: a few epochs on your drawings; "
                                          "the accuracy on held-out drawings is shown before and after"))
        self.mix_mnist = QCheckBox(self.tr("Mix in 1,000 MNIST digits so it does not forget"))
        self.mix_mnist.setChecked(True)
        self.fine_tune.toggled.connect(self.mix_mnist.setEnabled)
        self.fine_tune.toggled.connect(self._on_fine_tune_toggled)
        self.fine_tune.toggled.connect(self.model_choice.setDisabled)
        self.mix_mnist.setEnabled(False)
        form.addRow(self.fine_tune)
        form.addRow(self.mix_mnist)
        return box

    def _build_buttons(self) -> QHBoxLayout:
        self.start_button = QPushButton(self.tr("Start training"))
        self.start_button.setObjectName("startButton")
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.addWidget(self.start_button)
        row.addWidget(self.cancel_button)
        return row

    def _build_progress(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("trainingProgress")
        self.progress_label = QLabel("")
        self.progress_label.setObjectName("progressLabel")
        column.addWidget(self.progress_bar)
        column.addWidget(self.progress_label)
        return box

    def _build_curves(self) -> QWidget:
        self.curves = pg.GraphicsLayoutWidget()
        self.curves.setBackground("w")
        self.curves.setMinimumHeight(220)
        loss_plot = self.curves.addPlot(row=0, col=0, title=self.tr("Loss"))
        acc_plot = self.curves.addPlot(row=1, col=0, title=self.tr("Accuracy"))
        for plot in (loss_plot, acc_plot):
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setLabel("bottom", self.tr("epoch"))
            plot.addLegend(offset=(-5, 5))
        acc_plot.setYRange(0, 1)
        self.loss_curve = loss_plot.plot(pen=pg.mkPen((40, 90, 200), width=2), name=self.tr("train"))
        self.acc_curve = acc_plot.plot(pen=pg.mkPen((40, 90, 200), width=2), name=self.tr("train"))
        self.val_curve = acc_plot.plot(pen=pg.mkPen((230, 120, 30), width=2), symbol="o",
                                       symbolSize=6, symbolBrush=(230, 120, 30), name=self.tr("validation"))
        self._history = {"x": [], "loss": [], "acc": [], "val_x": [], "val": []}
        return self.curves

    def _build_result(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.result_label = QLabel("")
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.use_button = QPushButton(self.tr("Use this model"))
        self.use_button.setObjectName("useModelButton")
        self.use_button.setVisible(False)
        self.use_button.clicked.connect(self._use_result)
        column.addWidget(self.result_label)
        column.addWidget(self.use_button)
        return box

    # --- the folder ------------------------------------------------------------------

    @Slot()
    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Dataset folder"), self.folder_edit.text())
        if folder:
            self.set_folder(folder)

    @Slot()
    def _on_folder_edited(self) -> None:
        self.set_folder(self.folder_edit.text())

    def set_folder(self, folder: str) -> None:
        """Show the folder and check it at once (in the background: it may be huge)."""
        self.folder_edit.setText(folder)
        self.start_button.setEnabled(False)
        if not folder.strip():
            return
        self._folder_ok = False
        self.folder_status.setText(self.tr("Checking the folder…"))
        self._scan_relay = run_in_background(
            lambda: _check_folder(folder), self._on_folder_checked, self._on_folder_problem
        )

    @Slot(object)
    def _on_folder_checked(self, checked) -> None:
        folder, scan, problem = checked
        if folder != self.folder_edit.text():
            return  # the user has picked another folder since
        if scan is None:
            self._on_folder_problem(problem)
            return
        counts = ", ".join(f"{name}: {n}" for name, n in scan.counts.items())
        self.folder_status.setText(
            self.tr("{n} images in {k} classes ({counts})").format(
                n=len(scan.files), k=len(scan.counts), counts=counts)
        )
        self._folder_ok = True
        self.start_button.setEnabled(not self.is_training())
        self.folderChosen.emit(str(scan.root))

    @Slot(str)
    def _on_folder_problem(self, message: str) -> None:
        self._folder_ok = False
        self.folder_status.setText(message)
        self.start_button.setEnabled(False)

    # --- training --------------------------------------------------------------------

    @Slot(bool)
    def _on_fine_tune_toggled(self, on: bool) -> None:
        """Fine-tuning is for the user's own drawings: point the folder at them."""
        folder = self.handwriting_folder()
        if on and folder is not None and Path(folder).is_dir():
            self.set_folder(str(folder))

    def is_training(self) -> bool:
        return self._job is not None

    def _config(self):
        from ..train import TrainConfig

        model, init_from = self.model_choice.currentData(), None
        predictor = self.current_predictor()
        if self.fine_tune.isChecked() and predictor is not None:
            from ..inference import pretrained_path

            model = predictor.arch
            init_from = str(pretrained_path(predictor.source)) if predictor.source in ("cnn", "mlp") \
                else predictor.source
        out = _new_run_dir(self.runs_dir, model)
        return TrainConfig(
            model=model, epochs=self.epochs.value(), batch_size=self.batch_size.value(),
            lr=self.learning_rate.value(), val_split=self.val_split.value(),
            augment=self.augment.isChecked(), device=self.device, out_dir=str(out), init_from=init_from,
            data_dir=str(Path(self.folder_edit.text()).resolve()),  # where its look-alikes come from
        )

    @Slot()
    def start(self) -> None:
        if self.is_training():
            return
        self._reset_view()
        config = self._config()
        mix = self.mix_mnist.isChecked() and config.init_from is not None
        self._job = WorkerThread(self, TrainingWorker(self.folder_edit.text(), config, mix_mnist=mix))
        worker = self._job.worker
        worker.loading.connect(self._on_loading)
        worker.loaded.connect(self._on_loaded)
        worker.progress.connect(self._on_progress)
        worker.epochDone.connect(self._on_epoch)
        worker.finished.connect(self._on_finished)
        worker.cancelled.connect(self._on_cancelled)
        worker.failed.connect(self._on_failed)
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress_label.setText(self.tr("Loading images…"))
        self._job.start()

    @Slot()
    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText(self.tr("Cancelling…"))

    def shutdown(self) -> None:
        """Cancel a running training and wait for its thread (on window close)."""
        self._stop_thread()

    def _reset_view(self) -> None:
        for values in self._history.values():
            values.clear()
        self._redraw_curves()
        self.progress_bar.setValue(0)
        self.result_label.setText("")
        self.use_button.setVisible(False)

    def _stop_thread(self) -> None:
        if self._job is not None:
            self._job.stop()
        self._job = None
        self.cancel_button.setEnabled(False)
        self.start_button.setEnabled(self._folder_ok)

    @Slot(int, int)
    def _on_loading(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        self.progress_label.setText(self.tr("Loading images: {done} of {total}").format(done=done, total=total))

    @Slot(object)
    def _on_loaded(self, summary) -> None:
        count, skipped = summary
        self._skipped_note = ""
        if skipped:
            names = ", ".join(Path(p).name for p, _ in skipped[:5])
            self._skipped_note = self.tr("Skipped {n} unreadable or blank images ({names}{more}).").format(
                n=len(skipped), names=names, more=", …" if len(skipped) > 5 else "")

    @Slot(object)
    def _on_progress(self, record) -> None:
        total = record.epochs * record.batches
        done = (record.epoch - 1) * record.batches + record.batch
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)
        self.progress_label.setText(
            self.tr("Epoch {e}/{E} · batch {b}/{B} · {rate:,.0f} samples/s · ETA {eta}").format(
                e=record.epoch, E=record.epochs, b=record.batch, B=record.batches,
                rate=record.samples_per_s, eta=_format_duration(record.eta_s))
        )
        x = record.epoch - 1 + record.batch / record.batches
        self._history["x"].append(x)
        self._history["loss"].append(record.loss)
        self._history["acc"].append(record.accuracy)
        self._redraw_curves()

    @Slot(object)
    def _on_epoch(self, record) -> None:
        if record.val_accuracy is not None:
            self._history["val_x"].append(float(record.epoch))
            self._history["val"].append(record.val_accuracy)
            self._redraw_curves()

    def _redraw_curves(self) -> None:
        history = self._history
        self.loss_curve.setData(history["x"], history["loss"])
        self.acc_curve.setData(history["x"], history["acc"])
        self.val_curve.setData(history["val_x"], history["val"])

    @Slot(object)
    def _on_finished(self, record) -> None:
        self._stop_thread()
        self._result_path = record.best_path
        best = "-" if record.best_val_accuracy is None else f"{record.best_val_accuracy:.2%}"
        tuned = ""
        if record.initial_val_accuracy is not None and record.best_val_accuracy is not None:
            tuned = self.tr("On your held-out drawings: {before:.1%} before, {after:.1%} after.\n").format(
                before=record.initial_val_accuracy, after=record.best_val_accuracy)
        self.result_label.setText(
            self.tr("Done in {time}. Best validation accuracy: {best}.\n{tuned}Checkpoint: {path}\n{skipped}").format(
                time=_format_duration(record.elapsed_s), best=best, tuned=tuned, path=record.best_path,
                skipped=getattr(self, "_skipped_note", "")).strip()
        )
        self.progress_label.setText(self.tr("Finished."))
        self.use_button.setVisible(True)
        self.trainingFinished.emit(record)

    @Slot()
    def _on_cancelled(self) -> None:
        self._stop_thread()
        self.progress_label.setText(self.tr("Cancelled. The current model and your files are unchanged."))
        self.trainingCancelled.emit()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._stop_thread()
        self.progress_label.setText("")
        self.result_label.setText(self.tr("Training stopped: {message}").format(message=message))
        self.trainingFailed.emit(message)

    @Slot()
    def _use_result(self) -> None:
        if self._result_path:
            self.useModel.emit(self._result_path)


def _check_folder(folder: str):
    """Runs on a pool thread: (folder, scan or None, problem in words)."""
    from ..data import DatasetError, scan_folder

    try:
        return folder, scan_folder(folder), ""
    except DatasetError as error:
        return folder, None, str(error)


def _new_run_dir(runs_dir: Path, model: str) -> Path:
    """A folder no earlier run used, so a new run never overwrites another's checkpoints."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate, n = runs_dir / f"{model}-{stamp}", 1
    while candidate.exists():
        n += 1
        candidate = runs_dir / f"{model}-{stamp}-{n}"
    candidate.mkdir(parents=True)
    return candidate


def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
    spin = QSpinBox(minimum=low, maximum=high, value=value)
    spin.setToolTip(tip)
    return spin
