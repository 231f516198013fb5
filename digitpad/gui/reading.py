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

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from .canvas import CANVAS_SIZE, NUMBER_WIDTH, DrawingCanvas
from .heat_map_view import HeatMapView
from .lookalike_strip import LookalikeStrip
from .number_view import NumberBoxes, NumberStrip
from .workers import run_in_background


class LatestOnly(QObject):
    """One background call at a time; of the calls asked for meanwhile, only the last runs."""

    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, pool: QThreadPool, parent: QObject):
        super().__init__(parent)
        self._pool = pool
        self._relay = None
        self._waiting = None

    def submit(self, function) -> None:
        if self._relay is not None:
            self._waiting = function
            return
        self._relay = run_in_background(function, self._on_success, self._on_failure, self._on_done, self._pool)

    def busy(self) -> bool:
        return self._relay is not None

    @Slot(object)
    def _on_success(self, result) -> None:
        if self._waiting is None:  # a newer request makes this answer stale
            self.succeeded.emit(result)

    @Slot(str)
    def _on_failure(self, message: str) -> None:
        if self._waiting is None:
            self.failed.emit(message)

    @Slot()
    def _on_done(self) -> None:
        self._relay = None
        function, self._waiting = self._waiting, None
        if function is not None:
            self.submit(function)


def _read_number(predictor, drawing):
    from ..numbers import read_number

    return predictor, read_number(predictor, drawing)


_indexes: dict[int, object] = {}  # id(predictor) -> its look-alike index, or the reason it has none


def _lookalikes(predictor, digit_input):
    """(neighbours, origin, message): the look-alikes, or why there are none."""
    from ..neighbours import NoLookalikes, index_for, lookalikes

    key = id(predictor)
    if key not in _indexes:
        if len(_indexes) > 4:
            _indexes.clear()  # models come and go; a few indexes are enough to keep
        try:
            _indexes[key] = (predictor, index_for(predictor))
        except NoLookalikes as error:
            _indexes[key] = (predictor, str(error))
    index = _indexes[key][1]
    if isinstance(index, str):
        return [], "", index
    return lookalikes(predictor, index, digit_input), index.origin, ""


def _heat_maps(predictor, digit_input):
    from ..attribution import grad_cam, has_convolutions, integrated_gradients

    gradients = integrated_gradients(predictor, digit_input)
    cam = grad_cam(predictor, digit_input, gradients.digit) if has_convolutions(predictor) else None
    return digit_input, gradients, cam


class ReadingExtras(QObject):
    # (digitpad.numbers.NumberRead, the Prediction to show in the chart and preview)
    numberRead = Signal(object, object)
    lookalikesShown = Signal()
    heatMapsShown = Signal()

    def __init__(self, canvas: DrawingCanvas, pool: QThreadPool, parent: QObject):
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
        self.number_mode = False
        self._predictor = None
        self._jobs = {}
        for name, on_success in (("number", self._on_number), ("lookalikes", self._on_lookalikes),
                                 ("heat", self._on_heat_maps)):
            job = LatestOnly(pool, self)
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
            self.boxes.show_boxes([], 1.0)

    def prediction_shown(self, predictor, drawing, prediction, heat_wanted: bool) -> None:
        """Called with every prediction the window shows (`drawing`: the canvas's array)."""
        self._predictor = predictor
        if prediction is None or predictor is None or prediction.digit is None:
            self.number, self.chosen = None, None
            self.boxes.show_boxes([], 1.0)
            self.strip.show_digits([], None)
            self.lookalikes.show_message(self.tr("Draw a digit to see the training digits most like it."))
            self.heat.clear()
            return
        if self.number_mode:
            self._jobs["number"].submit(lambda: _read_number(predictor, drawing))
        else:
            self._follow(prediction, heat_wanted)

    def _follow(self, prediction, heat_wanted: bool = True) -> None:
        """Look-alikes (and heat maps) of the digit in the chart."""
        predictor, digit_input = self._predictor, prediction.input
        self._jobs["lookalikes"].submit(lambda: _lookalikes(predictor, digit_input))
        if heat_wanted and self.heat.isVisible():
            self._jobs["heat"].submit(lambda: _heat_maps(predictor, digit_input))

    @Slot(object)
    def _on_number(self, result) -> None:
        predictor, number = result
        if predictor is not self._predictor or not self.number_mode:
            return
        self.number = number
        if self.chosen is not None and self.chosen >= len(number.digits):
            self.chosen = None
        scale = self.canvas.image().height() / CANVAS_SIZE
        self.boxes.show_boxes([(d.box, d.text) for d in number.digits], scale, self.chosen)
        self.strip.show_digits([d.text for d in number.digits], self.chosen)
        self._show_chosen()

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
            self.boxes.show_boxes([(d.box, d.text) for d in self.number.digits],
                                  self.canvas.image().height() / CANVAS_SIZE, index)
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
