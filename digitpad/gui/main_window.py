"""The main window: lays out the views and connects them to the app's state.

It holds no model state: the model, device, comparison and settings live in AppState
(state.py), loading in ModelLoader, live prediction in LivePrediction; its workers
(workers.py) are stopped and waited for when it closes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QCheckBox, QDockWidget, QFrame, QHBoxLayout, QLabel, QMainWindow, QScrollArea, QTabWidget, QVBoxLayout,
    QWidget,
)

from . import jobs, track_window
from .canvas import DEFAULT_PEN_WIDTH, DrawingCanvas
from .drawing_tools import DrawingTools
from .evaluate_panel import EvaluatePanel
from .handwriting_box import HandwritingBox
from .i18n import current_language, install_language
from .inside_panel import InsidePanel
from .live import LivePrediction
from .loader import ModelLoader
from .menus import build_menus
from .model_bar import ModelBar
from .reading import ReadingExtras
from .reading_view import ReadingView, preview_pixmap
from .settings import read_settings, store_setting
from .state import SHIPPED, AppState
from .training_panel import TrainingPanel
from .workers import Workers

EVALUATE_TAB = 1
SIDE_WIDTH = 530  # the Train / Evaluate / Inside dock, at first


class MainWindow(QMainWindow):
    predictionShown = Signal(object)  # the Prediction now on screen
    modelReady = Signal()
    modelExported = Signal(str)
    replaced = Signal(object)  # the window that took this one's place (language switch)

    def __init__(self, state: AppState | None = None):
        super().__init__()
        self.setWindowTitle("digitpad")
        self.state = state or AppState(read_settings())
        self._fallback_note = ""
        self.workers = Workers(self)
        self.loader = ModelLoader(self.state, self.workers, self)
        self._build_ui()
        self.menus = build_menus(self)
        self.live = LivePrediction(self.state, self.canvas, self.workers, self)
        self.live.read.connect(self._on_read)
        self.live.failed.connect(self.show_problem)
        self.state.model_changed.connect(self._on_model_changed)
        self.state.model_refused.connect(self._on_model_refused)
        self.state.problem.connect(self.show_problem)
        self.state.setting_changed.connect(store_setting)
        self._restore_view()
        track_window(self)
        self._defer_first_load()

    def _defer_first_load(self) -> None:
        """torch is imported by the first load: after the canvas's first paint, not before
        (a zero-delay timer from here can fire before that paint). A window that is never
        shown (scripts, tests) loads at the first event loop turn; one shown but not
        painted (minimised) after a second. The timer is the window's child."""
        self._loading_started = self._painted = self._waited = False
        self._loading_timer = QTimer(self)
        self._loading_timer.setSingleShot(True)
        self._loading_timer.timeout.connect(self._on_loading_timer)
        self._loading_timer.start(0)
        self.canvas.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.canvas and event.type() == QEvent.Type.Paint and not self._loading_started:
            self._painted = True
            self._loading_timer.start(0)  # after this paint has reached the screen
        return super().eventFilter(watched, event)

    @Slot()
    def _on_loading_timer(self) -> None:
        if self.isVisible() and not self._painted and not self._waited:
            self._waited = True
            self._loading_timer.start(1000)
            return
        self._load_first_model()

    @Slot()
    def _load_first_model(self) -> None:
        if self._loading_started:
            return
        self._loading_started = True
        self.canvas.removeEventFilter(self)
        model = str(self.state.settings.get("model", "cnn"))
        if model not in SHIPPED and not Path(model).is_file():
            model = "cnn"  # a remembered checkpoint that has gone
        self.state.request_model(model, str(self.state.settings.get("device", "cpu")))
        self.loader.list_devices()

    # --- building --------------------------------------------------------------------

    def _build_ui(self) -> None:
        self.canvas = DrawingCanvas()
        self.canvas.fileDropped.connect(self.open_image)
        self.tools = DrawingTools(self.canvas)
        self.handwriting = HandwritingBox(self.canvas, self.state)
        self.handwriting.saved.connect(self._on_drawing_saved)
        self.model_bar = ModelBar(self.state)
        self.model_bar.checkpointWanted.connect(self.choose_checkpoint)
        self.reading = ReadingView()
        self.reading.predictionShown.connect(self.predictionShown)
        # The number, the look-alikes and the heat maps: widgets and workers of their own.
        self.extras = ReadingExtras(self.canvas, self.workers, self)
        self.extras.numberRead.connect(self._on_number_read)
        self.number_toggle = QCheckBox(self.tr("Number"))
        self.number_toggle.setObjectName("numberMode")
        self.number_toggle.setToolTip(self.tr("A wider page: write several digits side by side and read the number"))
        self.number_toggle.toggled.connect(self._set_number_mode)
        self.notice = QLabel("")
        self.notice.setObjectName("noticeLabel")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #b00020;")
        self.notice.setVisible(False)
        left = QVBoxLayout()
        left.addWidget(self.canvas)  # a square as wide as its column
        left.addWidget(self.tools)
        left.addWidget(self.number_toggle)
        left.addWidget(self.handwriting)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.reading, stretch=1)
        right.addWidget(self.extras.strip)
        right.addWidget(self.extras.lookalikes)
        right.addWidget(self.notice)
        row = QHBoxLayout()
        row.addLayout(left, stretch=5)
        row.addLayout(right, stretch=4)
        central = QWidget()
        column = QVBoxLayout(central)
        column.addWidget(self.model_bar)
        column.addLayout(row, stretch=1)
        self.setCentralWidget(central)
        self._build_side_tabs()
        self.statusBar().showMessage(self.tr("Loading model…"))

    def _build_side_tabs(self) -> None:
        self.training_panel = TrainingPanel(self.state, self.workers)
        self._evaluate_panel: EvaluatePanel | None = None  # built when first shown: it is costly
        self.inside_panel = InsidePanel()
        self.inside_panel.layout().insertWidget(1, self.extras.heat)
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(_scrolling(self.training_panel), self.tr("Train"))
        self.side_tabs.addTab(QWidget(), self.tr("Evaluate"))
        self.side_tabs.addTab(_scrolling(self.inside_panel), self.tr("Inside"))
        self.side_tabs.currentChanged.connect(self._on_tab_shown)
        dock = QDockWidget(self.tr("Train and evaluate"), self)
        dock.setObjectName("trainingDock")
        dock.setWidget(self.side_tabs)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self.resizeDocks([dock], [SIDE_WIDTH], Qt.Orientation.Horizontal)

    @property
    def evaluate_panel(self) -> EvaluatePanel:
        """The Evaluate tab, built the first time anyone needs it (it is not needed at start)."""
        if self._evaluate_panel is None:
            self._evaluate_panel = EvaluatePanel(self.state, self.workers)
            current = self.side_tabs.currentIndex()
            self.side_tabs.blockSignals(True)
            self.side_tabs.removeTab(EVALUATE_TAB)
            self.side_tabs.insertTab(EVALUATE_TAB, _scrolling(self._evaluate_panel), self.tr("Evaluate"))
            self.side_tabs.setCurrentIndex(current)
            self.side_tabs.blockSignals(False)
        return self._evaluate_panel

    def show_panel(self, panel: QWidget) -> None:
        """Bring a side panel's tab to the front."""
        self.side_tabs.setCurrentWidget(_page_of(panel))

    def showing(self, panel: QWidget) -> bool:
        return self.side_tabs.currentWidget() is _page_of(panel)

    # --- views of the state (read-only) ------------------------------------------------

    @property
    def predictor(self):
        return self.state.predictor

    @property
    def partner(self):
        return self.state.partner

    @property
    def chart(self):
        return self.reading.chart

    @property
    def last_prediction(self):
        return self.reading.last_prediction

    def prediction_is_current(self) -> bool:
        """True when what is on screen was predicted from the canvas as it is now."""
        return self.live.is_current() and self.reading.last_prediction is not None

    # --- following the state -----------------------------------------------------------

    def _on_model_changed(self, predictor) -> None:
        self._show_notice(self._fallback_note)  # why this is not what was asked for, if so
        self._fallback_note = ""
        self.statusBar().showMessage(self.model_bar.model_description())
        self.modelReady.emit()

    def _on_model_refused(self, message: str, falling_back: bool) -> None:
        if falling_back:
            self._fallback_note = self.tr("{error} Using the CPU instead.").format(error=message)
            return
        self.show_problem(message)
        if self.state.predictor is None:
            self.reading.show_no_model()
            self.statusBar().showMessage(self.tr("No model loaded"))

    @Slot(object)
    def _on_read(self, reading: jobs.Reading) -> None:
        names = tuple(p.arch.upper() for p in reading.predictors)
        if len(names) == 2 and names[0] == names[1]:
            names = (reading.predictors[0].name, names[1])
        self.reading.show_reading(reading.results, names)
        looking_inside = self.showing(self.inside_panel)
        if looking_inside:
            self.inside_panel.show_reading(reading.results[0], reading.inside, self.state.predictor)
        self.extras.prediction_shown(reading.predictors[0], self.canvas.to_array(), reading.results[0],
                                     looking_inside)

    @Slot(bool)
    def _set_number_mode(self, on: bool) -> None:
        self.extras.set_number_mode(on)  # the canvas's change brings a new reading

    @Slot(object, object)
    def _on_number_read(self, number, shown) -> None:
        """The number large, and the chosen digit (the first by default) in the chart."""
        if len(number.digits) < 2:
            return  # one digit: the reading on screen is already its reading
        self.reading.label.setText(number.text)
        self.reading.label.setToolTip(self.tr("The number read, digit by digit, left to right"))
        self.chart.set_probabilities(shown.probs, muted=shown.unsure)
        self.reading.preview.setPixmap(preview_pixmap(shown.input))

    @Slot(int)
    def _on_tab_shown(self, index: int) -> None:
        if index == EVALUATE_TAB:
            self.evaluate_panel  # noqa: B018 - builds the tab on first view
        self.live.look_inside = self.showing(self.inside_panel)
        if self.live.look_inside:
            self.live.refresh()  # brings the layers along

    # --- files -----------------------------------------------------------------------

    def last_dir(self) -> str:
        return str(self.state.settings.get("lastDir") or Path.home())

    @Slot()
    def choose_checkpoint(self) -> None:
        from .menus import ask_checkpoint

        path = ask_checkpoint(self)
        if path:
            self.load_checkpoint(path)

    @Slot(str)
    def load_checkpoint(self, path: str) -> None:
        """Switch to a checkpoint file; a refused file leaves the current model running."""
        self.state.set_setting("lastDir", str(Path(path).parent))
        self.state.request_model(str(Path(path).resolve()))

    @Slot(str)
    def open_image(self, path: str) -> None:
        image = QImage(path)
        if image.isNull():
            self.show_problem(self.tr("Cannot open '{name}': not a readable image.").format(name=Path(path).name))
            return
        self.state.set_setting("lastDir", str(Path(path).parent))
        self._show_notice("")
        self.canvas.show_picture(image)

    def save_drawing(self, path: str) -> bool:
        """Write the drawing as PNG atomically: a failed save leaves any old file intact."""
        from ..files import atomic_write

        try:
            with atomic_write(path) as tmp:
                if not self.canvas.image().save(str(tmp), "PNG"):
                    raise OSError("could not encode the PNG")
        except OSError as error:
            self.show_problem(self.tr("Could not save '{path}': {error}").format(path=path, error=error))
            return False
        self.statusBar().showMessage(self.tr("Saved {path}").format(path=path), 4000)
        return True

    def export_model(self, path: str, fmt: str) -> None:
        """Export the model in use in the background; the status bar says when it is done."""
        if self.state.predictor is None:
            return
        self.statusBar().showMessage(self.tr("Exporting {path}…").format(path=path))
        self.workers.start(jobs.export, self.state.predictor, path, fmt, returned=self._on_exported,
                           failed=self.show_problem)

    @Slot(object)
    def _on_exported(self, paths) -> None:
        self.statusBar().showMessage(self.tr("Exported {model} (contract in {info})").format(
            model=paths[0], info=paths[1].name), 8000)
        self.modelExported.emit(str(paths[0]))

    @Slot(str)
    def _on_drawing_saved(self, path: str) -> None:
        self.statusBar().showMessage(self.tr("Saved {path}").format(path=path), 4000)
        self.canvas.clear()

    # --- language, messages, closing -----------------------------------------------------

    def set_language(self, code: str) -> "MainWindow":
        """Rebuild the window in another language; the drawing and the settings carry
        over. Returns the window now on screen (this one, if nothing changed)."""
        if code == current_language():
            return self
        evaluating = self._evaluate_panel is not None and self._evaluate_panel.is_running()
        if self.training_panel.is_training() or evaluating:
            self.show_problem(self.tr("Finish or cancel the training or evaluation first."))
            return self
        install_language(code)
        QSettings().setValue("language", code)
        successor = MainWindow()
        successor.setGeometry(self.geometry())
        successor.canvas.take_history_from(self.canvas)
        successor.side_tabs.setCurrentIndex(self.side_tabs.currentIndex())
        successor.model_bar.compare_toggle.setChecked(self.state.compare)
        successor.show()
        self.replaced.emit(successor)
        self.close()
        return successor

    @Slot(str)
    def show_problem(self, message: str) -> None:
        self._show_notice(message)
        self.statusBar().showMessage(message, 8000)

    def _show_notice(self, message: str) -> None:
        self.notice.setText(message)
        self.notice.setVisible(bool(message))

    def _restore_view(self) -> None:
        geometry = QSettings().value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        self.tools.pen_slider.setValue(_as_int(self.state.settings.get("penWidth"), DEFAULT_PEN_WIDTH))
        self.tools.pen_slider.valueChanged.connect(self._remember_pen_width)

    @Slot(int)
    def _remember_pen_width(self, width: int) -> None:
        self.state.set_setting("penWidth", width)

    def stop_work(self) -> None:
        """Cancel and wait for everything this window runs in the background."""
        self.training_panel.stop()
        if self._evaluate_panel is not None:
            self._evaluate_panel.stop()
        self.workers.shutdown()

    def closeEvent(self, event) -> None:
        QSettings().setValue("geometry", self.saveGeometry())
        self.hide()  # gone at once, even if a model is still loading below
        self.stop_work()
        super().closeEvent(event)


def _scrolling(panel: QWidget) -> QScrollArea:
    """A side tab's page: scrolls when the screen is smaller than the panel needs, so the
    panel never forces the window taller than the screen."""
    area = QScrollArea()
    area.setWidget(panel)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    return area


def _page_of(panel: QWidget) -> QWidget:
    """The side tab page that holds `panel`: its scroll area (viewport's parent)."""
    viewport = panel.parentWidget()
    return viewport.parentWidget() if viewport is not None else panel


def _as_int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
