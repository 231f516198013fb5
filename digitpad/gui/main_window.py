"""The main window: canvas, live prediction, P0-P9 chart, model/device choice, training."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QElapsedTimer, QSettings, Qt, QThread, QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QImage, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView, QAbstractSpinBox, QApplication, QCheckBox, QComboBox, QDockWidget, QLineEdit, QFileDialog, QHBoxLayout, QLabel, QMainWindow, QMessageBox,
    QPushButton, QSlider, QTabWidget, QToolButton, QVBoxLayout, QWidget,
)

from .. import __version__
from .canvas import DEFAULT_PEN_WIDTH, DrawingCanvas
from .chart import ProbabilityChart
from .evaluate_panel import EvaluatePanel
from .handwriting_box import HandwritingBox
from .i18n import LANGUAGES, current_language, install_language
from .inside_panel import InsidePanel
from .reading import ReadingExtras
from .training_panel import TrainingPanel
from .workers import PredictionWorker, configure_torch_once, describe_error, run_in_background

SHIPPED = ("cnn", "mlp")
LOAD_CHECKPOINT = "load"
FRAME_MS = 16  # at most one prediction per frame while the pen moves
PREVIEW_ZOOM = 4


@dataclass
class LoadResult:
    generation: int  # which request this answers: only the latest one counts
    source: str
    device: str
    predictor: object = None
    error: str = ""


def _load_predictor(generation: int, source: str, device: str) -> LoadResult:
    """Runs on a pool thread: imports torch on first use, then loads the weights."""
    from ..inference import Predictor

    configure_torch_once()
    try:
        if source in SHIPPED:
            predictor = Predictor.from_pretrained(source, device=device)
        else:
            predictor = Predictor.from_checkpoint(source, device=device)
    except Exception as error:  # noqa: BLE001 - e.g. a CUDA error: refused like a bad file
        return LoadResult(generation, source, device, error=describe_error(error))
    return LoadResult(generation, source, device, predictor=predictor)


def _export(predictor, path: str, fmt: str):
    from ..export import export_model

    return export_model(predictor, path, fmt)  # it rebuilds the network on the CPU itself


def _list_devices():
    from ..devices import available_devices

    return available_devices()


class MainWindow(QMainWindow):
    predictionShown = Signal(object)  # the Prediction now on screen (None: blank canvas)
    modelReady = Signal()
    modelExported = Signal(str)
    replaced = Signal(object)  # the window that took this one's place (language switch)
    _requestPrediction = Signal(object, object, int, bool)

    def __init__(self):
        super().__init__()
        self.setWindowTitle("digitpad")
        self.settings = QSettings()
        self.predictor = None  # the model in use; None until the first one has loaded
        self.last_prediction = None
        self._relays: set = set()
        self._pool = QThreadPool(self)  # this window's background work, waited for on close
        self._load_generation = 0
        self._fallback_note = ""
        self.partner = None  # the compared model, while "Compare" is on
        self._inside_data = None  # the Inside tab's numbers for the drawing on screen
        self._partner_generation = 0
        self._requested: tuple[str | None, str | None] = (None, None)  # the latest model asked for
        self._in_flight = False
        self._pending = False
        self._request_id = 0
        self._since_request = QElapsedTimer()
        self._frame_timer = QTimer(self, singleShot=True)
        self._frame_timer.timeout.connect(self.request_prediction)
        self._build_ui()
        self._build_menus()
        self._start_prediction_thread()
        self._restore_settings()
        self._load_model(self.model_selector.currentData(), self.device_selector.currentData())
        self._call(_list_devices, self._on_devices_listed, self._show_problem)

    # --- building --------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.canvas = DrawingCanvas()
        self.canvas.changed.connect(self.request_prediction)
        self.canvas.historyChanged.connect(self._update_history_buttons)
        self.canvas.fileDropped.connect(self.open_image)
        self.prediction_label = QLabel(self.tr("Loading model…"))
        self.prediction_label.setObjectName("predictionLabel")
        self.prediction_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prediction_label.setStyleSheet("font-size: 34px; font-weight: 600;")
        self.prediction_label.setMinimumHeight(56)
        self.preview = QLabel()
        self.preview.setObjectName("inputPreview")
        self.preview.setFixedSize(28 * PREVIEW_ZOOM, 28 * PREVIEW_ZOOM)
        self.preview.setToolTip(self.tr("Exactly what the model sees: 28x28 pixels, centred like MNIST"))
        self.preview.setStyleSheet("background: black; border: 1px solid #888;")
        self.chart = ProbabilityChart()
        # The number, look-alikes and heat maps: widgets and background jobs of their own.
        self.reading = ReadingExtras(self.canvas, self._pool, self)
        self.reading.numberRead.connect(self._on_number_read)
        self.notice = QLabel("")
        self.notice.setObjectName("noticeLabel")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #b00020;")
        self.notice.setVisible(False)

        left = QVBoxLayout()
        left.addWidget(self.canvas, alignment=Qt.AlignmentFlag.AlignHCenter)
        left.addLayout(self._build_tools())
        self.handwriting = HandwritingBox(self.canvas, self._handwriting_folder())
        self.handwriting.saved.connect(self._on_drawing_saved)
        left.addWidget(self.handwriting)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addLayout(self._build_selectors())
        top = QHBoxLayout()
        top.addWidget(self.prediction_label, stretch=1)
        top.addWidget(self.preview)
        right.addLayout(top)
        right.addWidget(self.reading.strip)
        right.addWidget(self.chart, stretch=1)
        right.addWidget(self.reading.lookalikes)
        right.addWidget(self.notice)
        central = QWidget()
        row = QHBoxLayout(central)
        row.addLayout(left)
        row.addLayout(right, stretch=1)
        self.setCentralWidget(central)

        self.training_panel = TrainingPanel()
        self.training_panel.useModel.connect(self.use_checkpoint)
        self.training_panel.folderChosen.connect(self._remember_folder)
        self._evaluate_panel: EvaluatePanel | None = None  # built when first shown: it is costly
        self.training_panel.current_predictor = lambda: self.predictor
        self.training_panel.handwriting_folder = lambda: self.handwriting.folder
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.training_panel, self.tr("Train"))
        self.side_tabs.addTab(QWidget(), self.tr("Evaluate"))
        self.inside_panel = InsidePanel()
        self.inside_panel.layout().insertWidget(1, self.reading.heat)
        self.side_tabs.addTab(self.inside_panel, self.tr("Inside"))
        self.side_tabs.currentChanged.connect(self._on_tab_shown)
        dock = QDockWidget(self.tr("Train and evaluate"), self)
        dock.setObjectName("trainingDock")
        dock.setWidget(self.side_tabs)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.statusBar().showMessage(self.tr("Loading model…"))

    def _build_tools(self) -> QVBoxLayout:
        self.pen_slider = QSlider(Qt.Orientation.Horizontal, minimum=4, maximum=48, value=DEFAULT_PEN_WIDTH)
        self.pen_slider.setObjectName("penWidth")
        self.pen_slider.setToolTip(self.tr("Pen width"))
        self.pen_slider.valueChanged.connect(self._set_pen_width)
        self.eraser_button = QToolButton(text=self.tr("Eraser"), checkable=True)
        self.eraser_button.setToolTip(self.tr("Erase parts of the drawing (E)"))
        self.eraser_button.setShortcut(QKeySequence("E"))
        self.eraser_button.toggled.connect(self._set_erasing)
        self.undo_button = QToolButton(text=self.tr("Undo"), enabled=False)
        self.undo_button.setToolTip(self.tr("Undo the last stroke (Ctrl+Z)"))
        self.undo_button.clicked.connect(self.canvas.undo)
        self.redo_button = QToolButton(text=self.tr("Redo"), enabled=False)
        self.redo_button.setToolTip(self.tr("Redo (Ctrl+Shift+Z)"))
        self.redo_button.clicked.connect(self.canvas.redo)
        self.clear_button = QPushButton(self.tr("Clear"))
        self.clear_button.setObjectName("clearButton")
        self.clear_button.setToolTip(self.tr("Clear the canvas (Esc or Delete)"))
        self.clear_button.clicked.connect(self.canvas.clear)
        self.number_toggle = QCheckBox(self.tr("Number"))
        self.number_toggle.setObjectName("numberMode")
        self.number_toggle.setToolTip(self.tr("A wider page: write several digits side by side and read the number"))
        self.number_toggle.toggled.connect(self._set_number_mode)
        self.pen_value = QLabel(str(DEFAULT_PEN_WIDTH))
        self.pen_value.setMinimumWidth(24)
        buttons = QHBoxLayout()
        for widget in (self.eraser_button, self.undo_button, self.redo_button, self.clear_button,
                       self.number_toggle):
            buttons.addWidget(widget)
        pen_row = QHBoxLayout()
        pen_row.addWidget(QLabel(self.tr("Pen width")))
        pen_row.addWidget(self.pen_slider, stretch=1)
        pen_row.addWidget(self.pen_value)
        column = QVBoxLayout()
        column.addLayout(buttons)
        column.addLayout(pen_row)
        return column

    def _build_selectors(self) -> QHBoxLayout:
        self.model_selector = QComboBox()
        self.model_selector.setObjectName("modelSelector")
        self.model_selector.setToolTip(self.tr("Which network reads the drawing"))
        self.model_selector.addItem(self.tr("CNN (shipped)"), "cnn")
        self.model_selector.addItem(self.tr("MLP (shipped)"), "mlp")
        self.model_selector.addItem(self.tr("Load checkpoint…"), LOAD_CHECKPOINT)
        self.model_selector.activated.connect(self._on_model_chosen)
        self.device_selector = QComboBox()
        self.device_selector.setObjectName("deviceSelector")
        self.device_selector.setToolTip(self.tr("Where the network runs"))
        self.device_selector.addItem(self.tr("CPU"), "cpu")  # the rest are listed once torch has loaded
        self.device_selector.activated.connect(self._on_device_chosen)
        self.compare_toggle = QCheckBox(self.tr("Compare MLP and CNN"))
        self.compare_toggle.setObjectName("compareToggle")
        self.compare_toggle.setToolTip(self.tr("Show the other shipped network's P0-P9 beside this one's"))
        self.compare_toggle.toggled.connect(self._on_compare_toggled)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Model")))
        row.addWidget(self.model_selector, stretch=1)
        row.addWidget(QLabel(self.tr("Device")))
        row.addWidget(self.device_selector, stretch=1)
        row.addWidget(self.compare_toggle)
        return row

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self._add_action(file_menu, self.tr("&Open image…"), self._choose_image, QKeySequence.StandardKey.Open)
        self._add_action(file_menu, self.tr("&Load checkpoint…"), self._choose_checkpoint, "Ctrl+L")
        self._add_action(file_menu, self.tr("&Save drawing as PNG…"), self._choose_save_path, QKeySequence.StandardKey.Save)
        self._add_action(file_menu, self.tr("&Export model (ONNX)…"), self._choose_export_path)
        file_menu.addSeparator()
        self._add_action(file_menu, self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        self._add_action(edit_menu, self.tr("&Undo stroke"), self.canvas.undo,
                         _unique_keys(QKeySequence.StandardKey.Undo, "Ctrl+Z"))
        self._add_action(edit_menu, self.tr("&Redo stroke"), self.canvas.redo,
                         _unique_keys(QKeySequence.StandardKey.Redo, "Ctrl+Shift+Z"))
        self._add_action(edit_menu, self.tr("&Clear canvas"), self.canvas.clear,
                         _unique_keys("Esc", "Delete"))
        label_menu = edit_menu.addMenu(self.tr("&Label drawing as"))
        for digit in range(10):
            action = self._add_action(label_menu, str(digit), self._label_from_key, str(digit))
            action.setData(digit)
        language_menu = self.menuBar().addMenu(self.tr("&Language"))
        for code, name in LANGUAGES.items():
            action = self._add_action(language_menu, name, self._on_language_chosen)
            action.setData(code)
            action.setCheckable(True)
            action.setChecked(code == current_language())
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        self._add_action(help_menu, self.tr("&About digitpad"), self._about)

    def _add_action(self, menu, text, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if isinstance(shortcut, list):
            action.setShortcuts(shortcut)
        elif shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _start_prediction_thread(self) -> None:
        self._prediction_thread = QThread(self)
        self._prediction_worker = PredictionWorker()
        self._prediction_worker.moveToThread(self._prediction_thread)
        self._requestPrediction.connect(self._prediction_worker.predict)
        self._prediction_worker.predicted.connect(self._on_predicted)
        self._prediction_worker.failed.connect(self._on_prediction_failed)
        self._prediction_thread.start()

    # --- background calls ------------------------------------------------------------

    def _call(self, function, on_success, on_failure) -> None:
        self._relays.add(run_in_background(function, on_success, on_failure, self._release_relay,
                                           pool=self._pool))

    @Slot()
    def _release_relay(self) -> None:
        self._relays.discard(self.sender())

    def _load_model(self, source: str, device: str) -> None:
        self._requested = (source, device)
        self._load_generation += 1
        generation = self._load_generation
        self.statusBar().showMessage(self.tr("Loading model…"))
        self._call(lambda: _load_predictor(generation, source, device), self._on_model_result,
                   self._on_model_error)

    @Slot(object)
    def _on_model_result(self, result: LoadResult) -> None:
        if result.generation != self._load_generation:
            return  # the user has asked for another model since
        if result.predictor is None:
            self._on_model_refused(result)
            return
        self.predictor = result.predictor
        self._select_current_model()
        self.training_panel.device = str(self.predictor.device)
        if self._evaluate_panel is not None:
            self._evaluate_panel.device = str(self.predictor.device)
        self._show_notice(self._fallback_note)  # why we are not where the user asked, if so
        self._fallback_note = ""
        self._load_partner()
        self._update_status()
        self.modelReady.emit()
        self.request_prediction()

    @Slot(str)
    def _on_model_error(self, message: str) -> None:
        self._on_model_refused(LoadResult(self._load_generation, "", "", error=message))

    def _on_model_refused(self, result: LoadResult) -> None:
        self._show_problem(result.error)
        if self.predictor is None and result.device not in ("cpu", ""):
            self._fallback_note = self.tr("{error} Using the CPU instead.").format(error=result.error)
            self._load_model(result.source, "cpu")  # e.g. a remembered GPU that is gone
            return
        self._select_current_model()  # the selectors go back to what is really running
        if self.predictor is None:
            self.prediction_label.setText(self.tr("No model"))
            self.statusBar().showMessage(self.tr("No model loaded"))
        else:
            self._update_status()

    @Slot(object)
    def _on_devices_listed(self, devices) -> None:
        current = self.device_selector.currentData()
        self.device_selector.clear()
        for device in devices:
            self.device_selector.addItem(self.tr("CPU") if device.name == "cpu" else device.label, device.name)
        index = self.device_selector.findData(current)
        self.device_selector.setCurrentIndex(max(index, 0))

    def _handwriting_folder(self) -> Path:
        from ..handwriting import default_folder

        return Path(str(self.settings.value("handwritingFolder", default_folder())))

    @Slot()
    def _label_from_key(self) -> None:
        typing = (QAbstractItemView, QLineEdit, QAbstractSpinBox, QComboBox)
        if isinstance(QApplication.focusWidget(), typing):
            return  # a digit typed into a field, a table or a list is not a label
        self.handwriting.save_as(int(self.sender().data()))

    @Slot(str)
    def _on_drawing_saved(self, path: str) -> None:
        self.settings.setValue("handwritingFolder", str(self.handwriting.folder))
        self.statusBar().showMessage(self.tr("Saved {path}").format(path=path), 4000)
        self.canvas.clear()

    @property
    def evaluate_panel(self) -> EvaluatePanel:
        """The Evaluate tab, built the first time anyone needs it (it is not needed at start)."""
        if self._evaluate_panel is None:
            panel = EvaluatePanel()
            panel.current_predictor = lambda: self.predictor
            if self.predictor is not None:
                panel.device = str(self.predictor.device)
            index = 1
            current = self.side_tabs.currentIndex()
            self.side_tabs.blockSignals(True)
            self.side_tabs.removeTab(index)
            self.side_tabs.insertTab(index, panel, self.tr("Evaluate"))
            self.side_tabs.setCurrentIndex(current)
            self.side_tabs.blockSignals(False)
            self._evaluate_panel = panel
        return self._evaluate_panel

    @Slot(int)
    def _on_tab_shown(self, index: int) -> None:
        if index == 1:
            self.evaluate_panel  # noqa: B018 - builds the tab on first view
        if self.side_tabs.currentWidget() is self.inside_panel:
            self.request_prediction()  # brings the layers along

    def _update_inside(self) -> None:
        """Layer by layer, for the drawing on screen; only while the Inside tab is shown.
        The numbers were computed with the prediction, on the prediction thread."""
        if self.side_tabs.currentWidget() is not self.inside_panel or self.last_prediction is None:
            return
        if self.last_prediction.digit is None or self.predictor is None:
            self.inside_panel.clear_layers()
        elif self._inside_data is not None:
            layers, digit, contributions = self._inside_data
            self.inside_panel.show_layers(layers, digit, contributions, self.predictor)

    @Slot(bool)
    def _on_compare_toggled(self, on: bool) -> None:
        if on:
            self._load_partner()
        else:
            self.partner = None
            self.request_prediction()

    def _load_partner(self) -> None:
        """The shipped network of the other kind, on the same device, for comparison."""
        if not self.compare_toggle.isChecked() or self.predictor is None:
            return
        other = "mlp" if self.predictor.arch == "cnn" else "cnn"
        self._partner_generation += 1
        generation, device = self._partner_generation, str(self.predictor.device)
        self._call(lambda: _load_predictor(generation, other, device), self._on_partner_result,
                   self._show_problem)

    @Slot(object)
    def _on_partner_result(self, result: LoadResult) -> None:
        if result.generation != self._partner_generation or not self.compare_toggle.isChecked():
            return
        if result.predictor is None:
            self._show_problem(result.error)
            return
        self.partner = result.predictor
        self.request_prediction()

    # --- models and devices ----------------------------------------------------------

    def _model_source(self) -> str | None:
        return None if self.predictor is None else self.predictor.source

    def _select_current_model(self) -> None:
        if self.predictor is None:
            self.model_selector.setCurrentIndex(0 if self.model_selector.currentData() == LOAD_CHECKPOINT
                                                else self.model_selector.currentIndex())
            return
        source = self._model_source()
        index = self.model_selector.findData(source)
        if index < 0:
            index = self.model_selector.count() - 1  # just above "Load checkpoint…"
            label = f"{Path(source).parent.name}/{Path(source).name}"
            self.model_selector.insertItem(index, label, source)
            self.model_selector.setItemData(index, source, Qt.ItemDataRole.ToolTipRole)
        self.model_selector.setCurrentIndex(index)
        device_index = self.device_selector.findData(str(self.predictor.device))
        if device_index >= 0:
            self.device_selector.setCurrentIndex(device_index)

    @Slot(int)
    def _on_model_chosen(self, index: int) -> None:
        source = self.model_selector.itemData(index)
        if source == LOAD_CHECKPOINT:
            self._select_current_model()
            self._choose_checkpoint()
        elif source != self._requested[0]:
            self._load_model(source, self.device_selector.currentData())

    @Slot(int)
    def _on_device_chosen(self, index: int) -> None:
        device = self.device_selector.itemData(index)
        source = self._model_source() or self.model_selector.currentData()
        self._load_model(source, device)

    @Slot()
    def _choose_checkpoint(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Load checkpoint"), self._last_dir(),
                                              self.tr("PyTorch checkpoints (*.pt *.pth);;All files (*)"))
        if path:
            self.load_checkpoint(path)

    def load_checkpoint(self, path: str) -> None:
        """Switch to a checkpoint file; a refused file leaves the current model running."""
        self.settings.setValue("lastDir", str(Path(path).parent))
        self._load_model(str(Path(path).resolve()), self.device_selector.currentData())

    @Slot(str)
    def use_checkpoint(self, path: str) -> None:
        self.load_checkpoint(path)

    def _update_status(self) -> None:
        predictor = self.predictor
        meta = predictor.meta
        accuracy = ""
        if meta.get("test_accuracy") is not None:
            accuracy = self.tr(" · MNIST test accuracy {a:.2%}").format(a=meta["test_accuracy"])
        elif meta.get("best_val_accuracy") is not None:
            accuracy = self.tr(" · validation accuracy {a:.2%}").format(a=meta["best_val_accuracy"])
        device = self.device_selector.currentText() or str(predictor.device)
        if predictor.name in SHIPPED:
            model = self.tr("Shipped {arch}").format(arch=predictor.arch.upper())
        else:
            model = f"{predictor.name} ({predictor.arch.upper()})"
        self.statusBar().showMessage(
            self.tr("{model}{accuracy} on {device}").format(model=model, accuracy=accuracy, device=device)
        )

    # --- live prediction -------------------------------------------------------------

    @Slot()
    def request_prediction(self) -> None:
        """Predict the current drawing: one at a time, at most once a frame, never stale."""
        if self.predictor is None:
            return  # predicted as soon as the model is ready
        if self._in_flight:
            self._pending = True  # the newest drawing is sent when this one returns
            return
        if self._since_request.isValid() and self._since_request.elapsed() < FRAME_MS:
            if not self._frame_timer.isActive():
                self._frame_timer.start(FRAME_MS - self._since_request.elapsed())
            return
        self._in_flight, self._pending = True, False
        self._since_request.start()
        self._request_id += 1
        looking_inside = self.side_tabs.currentWidget() is self.inside_panel
        self._requestPrediction.emit(self._predictors(), self.canvas.to_array(), self._request_id, looking_inside)

    def _predictors(self) -> tuple:
        comparing = self.compare_toggle.isChecked() and self.partner is not None
        return (self.predictor, self.partner) if comparing else (self.predictor,)

    def prediction_is_current(self) -> bool:
        """True when what is on screen was predicted from the canvas as it is now."""
        return (self.predictor is not None and not self._in_flight and not self._pending
                and not self._frame_timer.isActive())

    @Slot(object, object, int, object)
    def _on_predicted(self, results, predictors, request_id: int, inside) -> None:
        self._in_flight = False
        self._inside_data = inside
        current = predictors == self._predictors()
        if self._pending or not current:
            self._pending = False
            self.request_prediction()  # the drawing or the models changed meanwhile
            if not current:
                return
        self.show_prediction(results[0])
        if len(results) == 2 and results[0].digit is not None:
            names = (self.predictor.arch.upper(), self.partner.arch.upper())
            if names[0] == names[1]:
                names = (self.predictor.name, names[1])
            self.chart.set_comparison(results[0].probs, results[1].probs, names,
                                      muted=(results[0].unsure, results[1].unsure))

    @Slot(str)
    def _on_prediction_failed(self, message: str) -> None:
        self._in_flight = False
        self._show_problem(message)
        if self._pending:  # the drawing changed meanwhile: try the newest one
            self._pending = False
            self.request_prediction()

    def show_prediction(self, result) -> None:
        self.last_prediction = result
        if result.digit is None:
            self.prediction_label.setText(self.tr("Draw a digit"))
            self.chart.set_probabilities(None)
        elif result.unsure:
            self.prediction_label.setText(self.tr("Not a digit?"))
            self.prediction_label.setToolTip(
                self.tr("This does not look like a digit (p = {p:.0%}). Best guess: {d}.").format(
                    p=result.not_digit, d=result.digit))
            self.chart.set_probabilities(result.probs, muted=True)
        else:
            self.prediction_label.setText(f"{result.digit}  ({result.confidence:.1%})")
            self.prediction_label.setToolTip(self.tr("The digit the model reads, and its calibrated probability"))
            self.chart.set_probabilities(result.probs)
        self.preview.setPixmap(_preview_pixmap(result.input))
        self._update_inside()
        looking_inside = self.side_tabs.currentWidget() is self.inside_panel
        self.reading.prediction_shown(self.predictor, self.canvas.to_array(), result, looking_inside)
        self.predictionShown.emit(result)

    @Slot(bool)
    def _set_number_mode(self, on: bool) -> None:
        self.reading.set_number_mode(on)
        self.request_prediction()

    @Slot(object, object)
    def _on_number_read(self, number, shown) -> None:
        """The number large, and the chosen digit (the first by default) in the chart."""
        if len(number.digits) < 2:
            return  # one digit: the prediction on screen is already its reading
        self.prediction_label.setText(number.text)
        self.prediction_label.setToolTip(self.tr("The number read, digit by digit, left to right"))
        self.chart.set_probabilities(shown.probs, muted=shown.unsure)
        self.preview.setPixmap(_preview_pixmap(shown.input))

    # --- files -----------------------------------------------------------------------

    def _last_dir(self) -> str:
        return str(self.settings.value("lastDir", str(Path.home())))

    @Slot()
    def _choose_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open image"), self._last_dir(),
                                              self.tr("Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp *.pgm)"))
        if path:
            self.open_image(path)

    @Slot(str)
    def open_image(self, path: str) -> None:
        image = QImage(path)
        if image.isNull():
            self._show_problem(self.tr("Cannot open '{name}': not a readable image.").format(name=Path(path).name))
            return
        self.settings.setValue("lastDir", str(Path(path).parent))
        self._show_notice("")
        self.canvas.show_picture(image)

    @Slot()
    def _choose_save_path(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save drawing"), self._last_dir(), "PNG (*.png)")
        if path:
            self.save_drawing(path)

    def save_drawing(self, path: str) -> bool:
        """Write the drawing as PNG atomically: a failed save leaves any old file intact."""
        from ..files import atomic_write

        try:
            with atomic_write(path) as tmp:
                if not self.canvas.image().save(str(tmp), "PNG"):
                    raise OSError("could not encode the PNG")
        except OSError as error:
            self._show_problem(self.tr("Could not save '{path}': {error}").format(path=path, error=error))
            return False
        self.statusBar().showMessage(self.tr("Saved {path}").format(path=path), 4000)
        return True

    @Slot()
    def _choose_export_path(self) -> None:
        if self.predictor is None:
            return
        path, chosen = QFileDialog.getSaveFileName(
            self, self.tr("Export model"), self._last_dir(),
            self.tr("ONNX (*.onnx);;TorchScript (*.pt)"))
        if path:
            self.export_model(path, "torchscript" if chosen.startswith("TorchScript") else "onnx")

    def export_model(self, path: str, fmt: str) -> None:
        """Export the model in use in the background; the status bar says when it is done."""
        predictor = self.predictor
        self.statusBar().showMessage(self.tr("Exporting {path}…").format(path=path))
        self._call(lambda: _export(predictor, path, fmt), self._on_exported, self._show_problem)

    @Slot(object)
    def _on_exported(self, paths) -> None:
        self.statusBar().showMessage(self.tr("Exported {model} (contract in {info})").format(
            model=paths[0], info=paths[1].name), 8000)
        self.modelExported.emit(str(paths[0]))

    # --- language -----------------------------------------------------------------------

    @Slot()
    def _on_language_chosen(self) -> None:
        self.set_language(self.sender().data())

    def set_language(self, code: str) -> "MainWindow":
        """Rebuild the window in another language; the drawing and the settings carry
        over. Returns the window now on screen (this one, if nothing changed)."""
        if code == current_language():
            return self
        evaluating = self._evaluate_panel is not None and self._evaluate_panel.is_running()
        if self.training_panel.is_training() or evaluating:
            self._show_problem(self.tr("Finish or cancel the training or evaluation first."))
            return self
        install_language(code)
        self.settings.setValue("language", code)
        self._save_settings()
        successor = MainWindow()
        successor.setGeometry(self.geometry())
        successor.canvas.take_history_from(self.canvas)
        successor.side_tabs.setCurrentIndex(self.side_tabs.currentIndex())
        successor.compare_toggle.setChecked(self.compare_toggle.isChecked())
        successor.show()
        self.replaced.emit(successor)
        self.close()
        return successor

    # --- messages, settings, closing -------------------------------------------------

    @Slot(str)
    def _show_problem(self, message: str) -> None:
        self._show_notice(message)
        self.statusBar().showMessage(message, 8000)

    def _show_notice(self, message: str) -> None:
        self.notice.setText(message)
        self.notice.setVisible(bool(message))

    @Slot()
    def _about(self) -> None:
        QMessageBox.about(self, self.tr("About digitpad"), self.about_text())

    def about_text(self) -> str:
        import sys

        from PySide6 import __version__ as pyside_version

        torch_version = sys.modules["torch"].__version__ if "torch" in sys.modules else self.tr("not loaded yet")
        tagline = self.tr("Draw digits and watch neural networks read them.")
        return (
            f"<b>digitpad {__version__}</b><br>{tagline}<br><br>"
            f"Python {sys.version.split()[0]} · PySide6 {pyside_version} · PyTorch {torch_version}<br><br>"
            + self.tr("The shipped models were trained on MNIST (Y. LeCun, C. Cortes, C. J. C. Burges), "
                      "licensed CC BY-SA 3.0.")
        )

    @Slot(int)
    def _set_pen_width(self, width: int) -> None:
        self.canvas.pen_width = width
        self.pen_value.setText(str(width))

    @Slot(bool)
    def _set_erasing(self, erasing: bool) -> None:
        self.canvas.erasing = erasing

    @Slot()
    def _update_history_buttons(self) -> None:
        self.undo_button.setEnabled(self.canvas.can_undo())
        self.redo_button.setEnabled(self.canvas.can_redo())

    @Slot(str)
    def _remember_folder(self, folder: str) -> None:
        self.settings.setValue("trainingFolder", folder)

    def _restore_settings(self) -> None:
        geometry = self.settings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 720)
        self.pen_slider.setValue(_as_int(self.settings.value("penWidth"), DEFAULT_PEN_WIDTH))
        model = str(self.settings.value("model", "cnn"))
        if model not in SHIPPED and Path(model).is_file():
            self.model_selector.insertItem(len(SHIPPED), f"{Path(model).parent.name}/{Path(model).name}", model)
        if self.model_selector.findData(model) >= 0:
            self.model_selector.setCurrentIndex(self.model_selector.findData(model))
        device = str(self.settings.value("device", "cpu"))
        if self.device_selector.findData(device) < 0:
            self.device_selector.addItem(device, device)  # checked when the model loads
        self.device_selector.setCurrentIndex(self.device_selector.findData(device))
        folder = self.settings.value("trainingFolder", "")
        if folder:
            self.training_panel.set_folder(str(folder))

    def _save_settings(self) -> None:
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("penWidth", self.pen_slider.value())
        if self.predictor is not None:
            self.settings.setValue("model", self._model_source())
            self.settings.setValue("device", str(self.predictor.device))

    def closeEvent(self, event) -> None:
        self._save_settings()
        self.hide()  # gone at once, even if a model is still loading below
        self.training_panel.shutdown()
        if self._evaluate_panel is not None:
            self._evaluate_panel.shutdown()
        self._prediction_thread.quit()
        self._prediction_thread.wait()
        self._pool.waitForDone()
        super().closeEvent(event)


def _as_int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _unique_keys(*keys) -> list[QKeySequence]:
    """Shortcuts without repeats: the same key twice makes Qt treat it as ambiguous."""
    found: list[QKeySequence] = []
    for key in keys:
        sequences = QKeySequence.keyBindings(key) if isinstance(key, QKeySequence.StandardKey) else [QKeySequence(key)]
        found += [s for s in sequences if not s.isEmpty() and s not in found]
    return found


def _preview_pixmap(digit: np.ndarray) -> QPixmap:
    pixels = np.ascontiguousarray(np.round(digit * 255).astype(np.uint8))
    image = QImage(pixels.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(image).scaled(28 * PREVIEW_ZOOM, 28 * PREVIEW_ZOOM,
                                           Qt.AspectRatioMode.IgnoreAspectRatio,
                                           Qt.TransformationMode.FastTransformation)
