"""Beyond one digit, for the window: the number on the canvas, the look-alikes under the
chart and the heat maps in the Inside tab, each computed off the GUI thread.

`ReadingExtras` owns the widgets (number strip, boxes over the canvas, look-alike strip,
heat-map view) and one background job of each kind. The window hands it every
prediction it shows (`prediction_shown`); it answers with `numberRead` (the number and
the chosen digit's prediction, for the bars and the 28x28 preview). A job that is still
running when a newer drawing arrives finishes, is dropped, and only the newest waiting
request runs next, so the pen never waits and nothing stale is shown.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from . import jobs
from .canvas import CANVAS_SIZE, NUMBER_WIDTH, DrawingCanvas
from .heat_map_view import HeatMapView
from .lookalike_strip import LookalikeStrip
from .number_view import NumberBoxes, NumberStrip
from .workers import Workers

SETTLE_MS = 120  # the pen has rested this long: time for the look-alikes, heat maps, number


class LatestOnly(QObject):
    """One worker at a time; of the calls asked for meanwhile, only the last runs."""

    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, workers: Workers, parent: QObject):
        super().__init__(parent)
        self._workers = workers
        self._running = False
        self._waiting: tuple | None = None

    def submit(self, function, *args) -> None:
        if self._running:
            self._waiting = (function, *args)
            return
        self._running = self._workers.start(function, *args, returned=self._on_returned,
                                            failed=self._on_failed, finished=self._on_finished) is not None

    def busy(self) -> bool:
        return self._running

    @Slot(object)
    def _on_returned(self, result) -> None:
        if self._waiting is None:  # a newer request makes this answer stale
            self.succeeded.emit(result)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self._waiting is None:
            self.failed.emit(message)

    @Slot()
    def _on_finished(self) -> None:
        self._running = False
        waiting, self._waiting = self._waiting, None
        if waiting is not None:
            self.submit(*waiting)


class ReadingExtras(QObject):
    # (digitpad.numbers.NumberRead, the Prediction to show in the chart and preview)
    numberRead = Signal(object, object)
    lookalikesShown = Signal()
    heatMapsShown = Signal()

    def __init__(self, canvas: DrawingCanvas, workers: Workers, parent: QObject):
        super().__init__(parent)
        self.canvas = canvas
        self.boxes = NumberBoxes(canvas)
        self.strip = NumberStrip()
        self.strip.setVisible(False)
        self.strip.digitChosen.connect(self._choose_digit)
        self.lookalikes = LookalikeStrip()
        self.heat = HeatMapView()
        self.number = None  # the NumberRead on screen
        self.chosen: int | None = None
        self._to_page = 1.0  # drawing pixels -> the page's coordinates, for the number on screen
        self.number_mode = False
        self._predictor = None
        self._jobs = {}
        self._pending = None  # (drawing, prediction, heat wanted) waiting for the pen to rest
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._on_settled)
        for name, on_success in (("number", self._on_number), ("lookalikes", self._on_lookalikes),
                                 ("heat", self._on_heat_maps)):
            job = LatestOnly(workers, self)
            job.succeeded.connect(on_success)
            job.failed.connect(self._on_failed)
            self._jobs[name] = job

    def set_number_mode(self, on: bool) -> None:
        """A wide page for a whole number, or the square page for one digit."""
        self.number_mode = on
        self.canvas.set_page_width(NUMBER_WIDTH if on else CANVAS_SIZE)
        self.strip.setVisible(on)
        if not on:
            self.number, self.chosen = None, None
            self.boxes.show_boxes([])

    def prediction_shown(self, predictor, drawing, prediction, heat_wanted: bool) -> None:
        """Called with every prediction the window shows (`drawing`: the canvas's array)."""
        self._predictor = predictor
        if prediction is None or predictor is None or prediction.digit is None:
            self.number, self.chosen = None, None
            self.boxes.show_boxes([])
            self.strip.show_digits([], None)
            self.lookalikes.show_message(self.tr("Draw a digit to see the training digits most like it."))
            self.heat.clear()
            self._settle.stop()
            return
        # Wait until the pen rests: the extras cost more than a reading, and running them
        # for every frame of a stroke took CPU from the live bars themselves.
        self._pending = (drawing, prediction, heat_wanted)
        self._settle.start()

    @Slot()
    def _on_settled(self) -> None:
        drawing, prediction, heat_wanted = self._pending
        if self.number_mode:
            self._jobs["number"].submit(jobs.read_number, self._predictor, drawing)
        else:
            self._follow(prediction, heat_wanted)

    def _follow(self, prediction, heat_wanted: bool = True) -> None:
        """Look-alikes (and heat maps) of the digit in the chart."""
        predictor, digit_input = self._predictor, prediction.input
        self._jobs["lookalikes"].submit(jobs.lookalikes, predictor, digit_input)
        if heat_wanted and self.heat.isVisible():
            self._jobs["heat"].submit(jobs.heat_maps, predictor, digit_input)

    @Slot(object)
    def _on_number(self, result) -> None:
        predictor, number, height = result
        if predictor is not self._predictor or not self.number_mode:
            return
        self.number = number
        self._to_page = CANVAS_SIZE / height  # drawing pixels -> the page's coordinates
        if self.chosen is not None and self.chosen >= len(number.digits):
            self.chosen = None
        self.boxes.show_boxes(self._page_boxes(), self.chosen)
        self.strip.show_digits([d.text for d in number.digits], self.chosen)
        self._show_chosen()

    def _page_boxes(self) -> list:
        """Each digit's box in the page's coordinates (CANVAS_SIZE high), with its text."""
        return [(tuple(round(v * self._to_page) for v in d.box), d.text) for d in self.number.digits]

    def _show_chosen(self) -> None:
        if not self.number or not self.number.digits:
            return
        shown = self.number.digits[self.chosen or 0].prediction
        self.numberRead.emit(self.number, shown)
        self._follow(shown)

    @Slot(int)
    def _choose_digit(self, index: int) -> None:
        self.chosen = index
        if self.number is not None:
            self.boxes.show_boxes(self._page_boxes(), index)
        self._show_chosen()

    @Slot(object)
    def _on_lookalikes(self, result) -> None:
        neighbours, origin, message = result
        if message:
            self.lookalikes.show_message(message)
        else:
            self.lookalikes.show_neighbours(neighbours, origin)
        self.lookalikesShown.emit()

    @Slot(object)
    def _on_heat_maps(self, result) -> None:
        digit_input, gradients, cam = result
        self.heat.show_maps(digit_input, gradients, cam)
        self.heatMapsShown.emit()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.lookalikes.show_message(message)

    def busy(self) -> bool:
        return any(job.busy() for job in self._jobs.values())
