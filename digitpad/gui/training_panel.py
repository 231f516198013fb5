"""The training panel: pick a folder, set the options, train with live curves, use the result."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QGridLayout, QGroupBox, QHBoxLayout,
    QLabel, QLineEdit, QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from ..threads import usable_cores
from . import jobs
from .training_curves import TrainingCurves


def default_runs_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".digitpad") / "runs"


def _format_duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class TrainingPanel(QWidget):
    """Trains on a folder with the state's device (or fine-tunes the state's model);
    "Use this model" asks the state for the freshly trained checkpoint."""

    trainingFinished = Signal(object)  # TrainProgress of the finished run
    trainingCancelled = Signal()
    trainingFailed = Signal(str)

    def __init__(self, state, workers, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("trainingPanel")
        self.state, self.workers = state, workers
        self.runs_dir = default_runs_dir()
        self._job = None  # the training worker while one runs
        self._outcome = None  # (signal name, args): announced once the worker has ended
        self._cancel = threading.Event()
        self._folder_ok = False
        self._result_path: str | None = None
        self._skipped_note = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)  # tight: the curves need the height
        layout.setSpacing(4)
        layout.addWidget(self._build_folder_box())
        layout.addWidget(self._build_options_box())
        layout.addLayout(self._build_buttons())
        layout.addWidget(self._build_progress())
        self.curves = TrainingCurves()
        layout.addWidget(self.curves, stretch=1)
        layout.addWidget(self._build_result())
        if state.settings.get("trainingFolder"):  # the last one, checked again after the first paint
            QTimer.singleShot(0, self._check_remembered_folder)

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
        grid = QGridLayout(box)  # two columns of settings: the panel fits a 1280x800 screen
        grid.setVerticalSpacing(2)
        self.model_choice = QComboBox()
        self.model_choice.addItem(self.tr("CNN (convolutional)"), "cnn")
        self.model_choice.addItem(self.tr("MLP (784-256-10)"), "mlp")
        self.epochs = _spin(1, 500, 5, self.tr("Passes over the training images"))
        self.batch_size = _spin(1, 4096, 64, self.tr("Images per optimizer step"))
        self.learning_rate = QDoubleSpinBox(decimals=5, minimum=1e-5, maximum=1.0, singleStep=1e-4, value=1e-3)
        self.learning_rate.setToolTip(self.tr("Adam's learning rate"))
        self.val_split = QDoubleSpinBox(decimals=2, minimum=0.0, maximum=0.9, singleStep=0.05, value=0.1)
        self.val_split.setToolTip(self.tr("Share of images held out to measure accuracy honestly"))
        self.augment = QCheckBox(self.tr("Augment"))
        self.augment.setToolTip(self.tr("Random slant, size, shift and stroke width for every batch"))
        self.elastic = QCheckBox(self.tr("Elastic warps too"))
        self.elastic.setToolTip(self.tr("With augmentation: also smooth elastic warps (slower to train)"))
        self.elastic.setObjectName("elasticWarp")
        self.elastic.setEnabled(False)
        self.augment.toggled.connect(self.elastic.setEnabled)
        for index, (label, field) in enumerate([
            (self.tr("Model"), self.model_choice), (self.tr("Epochs"), self.epochs),
            (self.tr("Batch size"), self.batch_size), (self.tr("Learning rate"), self.learning_rate),
            (self.tr("Validation split"), self.val_split), (self.tr("Processes"), self._build_processes()),
        ]):
            row, column = divmod(index, 2)
            grid.addWidget(QLabel(label), row, 2 * column)
            grid.addWidget(field, row, 2 * column + 1)
        grid.addWidget(self.augment, 3, 0, 1, 3)
        grid.addWidget(self.elastic, 3, 3)
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
        grid.addWidget(self.fine_tune, 4, 0, 1, 4)
        grid.addWidget(self.mix_mnist, 5, 0, 1, 4)
        return box

    def _build_processes(self) -> QSpinBox:
        self.processes = _spin(1, max(2, usable_cores()), 1, self.tr(
            "Train on this many processes with PyTorch's distributed engine (torchrun, gloo on "
            "CPUs, NCCL with a GPU each); 1 trains inside the app. The batch size is per process."))
        self.processes.setObjectName("processes")
        return self.processes

    def _build_buttons(self) -> QHBoxLayout:
        self.start_button = _button(self.tr("Start training"), "startButton", self.start)
        self.cancel_button = _button(self.tr("Cancel"), "cancelButton", self.cancel)
        self.use_button = _button(self.tr("Use this model"), "useModelButton", self._use_result)
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(False)
        self.use_button.setVisible(False)
        row = QHBoxLayout()
        for button in (self.start_button, self.cancel_button, self.use_button):
            row.addWidget(button)
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

    def _build_result(self) -> QWidget:
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.result_label = QLabel("")
        self.result_label.setObjectName("resultLabel")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.result_label)
        return box

    # --- the folder ------------------------------------------------------------------

    @Slot()
    def _check_remembered_folder(self) -> None:
        if not self.folder_edit.text():
            self.set_folder(str(self.state.settings["trainingFolder"]))

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
        self.workers.start(jobs.check_folder, folder, returned=self._on_folder_checked,
                           failed=self._on_folder_problem)

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
                n=len(scan.paths), k=len(scan.counts), counts=counts)
        )
        self._folder_ok = True
        self.start_button.setEnabled(not self.is_training())
        self.state.set_setting("trainingFolder", str(scan.root))

    @Slot(str)
    def _on_folder_problem(self, message: str) -> None:
        self._folder_ok = False
        self.folder_status.setText(message)
        self.start_button.setEnabled(False)

    # --- training --------------------------------------------------------------------

    @Slot(bool)
    def _on_fine_tune_toggled(self, on: bool) -> None:
        """Fine-tuning is for the user's own drawings: point the folder at them."""
        folder = self.state.settings.get("handwritingFolder")
        if on and folder and Path(folder).is_dir():
            self.set_folder(str(folder))

    def is_training(self) -> bool:
        return self._job is not None

    def _config(self):
        from ..train import TrainConfig

        model, init_from = self.model_choice.currentData(), None
        predictor = self.state.predictor
        if self.fine_tune.isChecked() and predictor is not None:
            from ..inference import pretrained_path

            model = predictor.arch
            init_from = str(pretrained_path(predictor.source)) if predictor.source in ("cnn", "mlp") \
                else predictor.source
        out = _new_run_dir(self.runs_dir, model)
        return TrainConfig(
            model=model, epochs=self.epochs.value(), batch_size=self.batch_size.value(),
            lr=self.learning_rate.value(), val_split=self.val_split.value(),
            augment=self.augment.isChecked(), elastic=self.augment.isChecked() and self.elastic.isChecked(),
            device=self.state.device, out_dir=str(out), init_from=init_from,
            data_dir=str(Path(self.folder_edit.text()).resolve()),  # where its look-alikes come from
        )

    @Slot()
    def start(self) -> None:
        if self.is_training():
            return
        config = self._config()
        self._reset_view(config.epochs)
        mix = self.mix_mnist.isChecked() and config.init_from is not None
        self._cancel, self._outcome = threading.Event(), None
        self._job = self.workers.start(jobs.train_on_folder, self.folder_edit.text(), config, mix, self._cancel,
                                       self.processes.value(), yielded=self._on_record,
                                       failed=self._on_failed, finished=self._on_ended)
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress_label.setText(self.tr("Loading images…"))

    @Slot()
    def cancel(self) -> None:
        if self._job is not None:
            self._cancel.set()  # the training stops after its current batch
            self.cancel_button.setEnabled(False)
            self.progress_label.setText(self.tr("Cancelling…"))

    def stop(self) -> None:
        """Cancel a running training (the window waits for its worker on close)."""
        self._cancel.set()

    def _reset_view(self, epochs: int) -> None:
        self.curves.reset(epochs)
        self.progress_bar.setValue(0)
        self.result_label.setText("")
        self._gate_note = ""
        self.use_button.setVisible(False)

    @Slot()
    def _on_ended(self) -> None:
        """Ready for another run before anyone hears how this one ended."""
        self._job = None
        self.cancel_button.setEnabled(False)
        self.start_button.setEnabled(self._folder_ok)
        outcome, self._outcome = self._outcome, None
        if outcome is not None:
            getattr(self, outcome[0]).emit(*outcome[1:])

    @Slot(object)
    def _on_record(self, record) -> None:
        if isinstance(record, jobs.GateTaught):
            self._on_gate_taught(record.report)
        elif isinstance(record, jobs.Loading):
            self._on_loading(record.done, record.total)
        elif isinstance(record, jobs.Loaded):
            self._on_loaded(record)
        elif record.kind in ("batch", "epoch"):
            self._on_progress(record)
        elif record.kind == "done":
            self._on_finished(record)
        elif record.kind == "cancelled":
            self._on_cancelled()

    @Slot(int, int)
    def _on_loading(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        self.progress_label.setText(self.tr("Loading images: {done} of {total}").format(done=done, total=total))

    def _on_loaded(self, loaded: jobs.Loaded) -> None:
        skipped = loaded.skipped
        self._skipped_note = ""
        if skipped:
            names = ", ".join(Path(p).name for p, _ in skipped[:5])
            self._skipped_note = self.tr("Skipped {n} unreadable or blank images ({names}{more}).").format(
                n=len(skipped), names=names, more=", …" if len(skipped) > 5 else "")

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
        self.curves.add_batch(record.epoch - 1 + record.batch / record.batches, record.loss, record.accuracy)
        if record.kind == "epoch" and record.val_accuracy is not None:
            self.curves.add_validation(record.epoch, record.val_accuracy)

    def _on_gate_taught(self, report) -> None:
        self._gate_note = self.tr(
            "Your held-out non-digit drawings turned away: {before:.0%} before, {after:.0%} after "
            "({n}); your held-out digits turned away: {d_before:.0%} before, {d_after:.0%} after.\n").format(
            before=report.negatives_turned_away[0], after=report.negatives_turned_away[1],
            n=report.held_out_negatives, d_before=report.digits_turned_away[0],
            d_after=report.digits_turned_away[1])

    def _on_finished(self, record) -> None:
        self._result_path = record.best_path
        best = "-" if record.best_val_accuracy is None else f"{record.best_val_accuracy:.2%}"
        tuned = ""
        if record.initial_val_accuracy is not None and record.best_val_accuracy is not None:
            tuned = self.tr("On your held-out drawings: {before:.1%} before, {after:.1%} after.\n").format(
                before=record.initial_val_accuracy, after=record.best_val_accuracy)
        if record.processes > 1:
            tuned += self.tr("Trained on {n} processes ({backend}).\n").format(
                n=record.processes, backend=record.backend)
        tuned += self._gate_note
        self.result_label.setText(
            self.tr("Done in {time}. Best validation accuracy: {best}.\n{tuned}Checkpoint: {path}\n{skipped}").format(
                time=_format_duration(record.elapsed_s), best=best, tuned=tuned, path=record.best_path,
                skipped=self._skipped_note).strip()
        )
        self.progress_label.setText(self.tr("Finished."))
        self.use_button.setVisible(True)
        self._outcome = ("trainingFinished", record)

    def _on_cancelled(self) -> None:
        self.progress_label.setText(self.tr("Cancelled. The current model and your files are unchanged."))
        self._outcome = ("trainingCancelled",)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.progress_label.setText("")
        self.result_label.setText(self.tr("Training stopped: {message}").format(message=message))
        self._outcome = ("trainingFailed", message)

    @Slot()
    def _use_result(self) -> None:
        if self._result_path:
            self.state.request_model(self._result_path)


def _new_run_dir(runs_dir: Path, model: str) -> Path:
    """A folder no earlier run used, so a new run never overwrites another's checkpoints."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate, n = runs_dir / f"{model}-{stamp}", 1
    while candidate.exists():
        n += 1
        candidate = runs_dir / f"{model}-{stamp}-{n}"
    candidate.mkdir(parents=True)
    return candidate


def _button(text: str, name: str, slot) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.clicked.connect(slot)
    return button


def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
    spin = QSpinBox(minimum=low, maximum=high, value=value)
    spin.setToolTip(tip)
    return spin
