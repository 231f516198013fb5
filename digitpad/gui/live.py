"""Drawing -> prediction, live: at most one prediction every FRAME_MS (superqt's
qthrottled), one in flight at a time, and an answer for an older drawing or older models
never shown."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from . import jobs
from .state import AppState
from .workers import Workers

# A move that comes within FRAME_MS of the last prediction waits for the window's end:
# the throttle's price in latency. At 16 ms (one 60 Hz frame) a pen moving at ~60 Hz
# waited 2 ms on 40% of its moves (benchmarks/gui_latency.py). At 8 ms the readings
# still cannot pile up (one in flight), and each costs the GUI thread about 2 ms (new
# bars and their paint): at most a quarter of it while the pen moves fastest.
FRAME_MS = 8


class LivePrediction(QObject):
    """Reads the canvas with the state's models whenever either changes; `read` carries
    each jobs.Reading that is still current (the newest drawing, the models in use)."""

    read = Signal(object)  # jobs.Reading
    failed = Signal(str)
    requested = Signal(int)  # a prediction was sent off (its request number)

    def __init__(self, state: AppState, canvas, workers: Workers, parent: QObject | None = None):
        super().__init__(parent)
        self.state, self.canvas, self.workers = state, canvas, workers
        self.look_inside = False  # also compute the Inside tab's layers
        self._stale = False  # the drawing or the models changed since the last request
        self._in_flight = False
        self._request = 0
        self._throttled_send = None  # made at the first refresh: superqt loads after the first paint
        canvas.changed.connect(self.refresh)
        state.model_changed.connect(self._on_models_changed)
        state.partner_changed.connect(self._on_models_changed)

    def _on_models_changed(self, _model) -> None:
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Predict the drawing as it is now, as soon as a frame allows."""
        self._stale = True
        self._send_soon()

    def _send_soon(self) -> None:
        """Send now, or at the end of this frame if one was sent during it (qthrottled,
        leading edge; it holds this object weakly)."""
        if self._throttled_send is None:
            from superqt.utils import qthrottled

            self._throttled_send = qthrottled(self._send, timeout=FRAME_MS, leading=True)
        self._throttled_send()

    def is_current(self) -> bool:
        """True when the last answer was for the canvas and models as they are now."""
        return bool(self.state.predictors()) and not self._stale and not self._in_flight

    def _send(self) -> None:
        predictors = self.state.predictors()
        if not predictors or self._in_flight or not self._stale:
            return  # no model yet, or the answer in flight will ask again
        self._stale, self._in_flight = False, True
        self._request += 1
        self.requested.emit(self._request)
        drawing = self.canvas.to_array()
        if int(drawing.min()) == int(drawing.max()):
            # Nothing drawn (just cleared): answered at once, so the next stroke's first
            # reading does not queue behind a job for an empty page.
            self._on_read(jobs.blank_reading(self._request, predictors))
            return
        self.workers.start(jobs.read_drawing, self._request, predictors, drawing,
                           self.look_inside, returned=self._on_read, failed=self._on_failed)

    @Slot(object)
    def _on_read(self, reading: jobs.Reading) -> None:
        self._in_flight = False
        current_models = reading.predictors == self.state.predictors()
        if self._stale or not current_models:
            self._stale = True
            self._send_soon()  # the drawing or the models changed meanwhile: ask again
        if current_models:  # (an answer for the drawing a moment ago still shows progress)
            self.read.emit(reading)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._in_flight = False
        self.failed.emit(message)
        if self._stale:
            self._send_soon()
