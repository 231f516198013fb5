"""Loads the models the state asks for, in the background, and hands them back to it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from . import jobs
from .state import AppState
from .workers import Workers


class ModelLoader(QObject):
    """Answers the state's model, partner and device-list requests with worker results."""

    def __init__(self, state: AppState, workers: Workers, parent: QObject | None = None):
        super().__init__(parent)
        self.state, self.workers = state, workers
        state.model_requested.connect(self._load_model)
        state.partner_requested.connect(self._load_partner)

    def list_devices(self) -> None:
        self.workers.start(jobs.list_devices, returned=self._on_devices, failed=self.state.report)

    def _load_model(self, generation: int, source: str, device: str) -> None:
        self.workers.start(jobs.load_predictor, generation, source, device, returned=self._on_model,
                           failed=self.state.report)

    def _load_partner(self, generation: int, source: str, device: str) -> None:
        self.workers.start(jobs.load_predictor, generation, source, device, returned=self._on_partner,
                           failed=self.state.report)

    @Slot(object)
    def _on_model(self, result: jobs.LoadResult) -> None:
        if result.predictor is None:
            self.state.model_failed(result.generation, result.source, result.device, result.error)
        else:
            self.state.model_loaded(result.generation, result.predictor)

    @Slot(object)
    def _on_partner(self, result: jobs.LoadResult) -> None:
        if result.predictor is None:
            self.state.report(result.error)
        else:
            self.state.partner_loaded(result.generation, result.predictor)

    @Slot(object)
    def _on_devices(self, devices) -> None:
        self.state.set_devices(devices)
