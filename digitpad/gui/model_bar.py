"""The row that chooses the model, the device, and whether to compare: a view of the
state, which it asks for changes and follows when they happen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QWidget

from .state import SHIPPED, AppState

LOAD_CHECKPOINT = "load"


def checkpoint_label(source: str) -> str:
    return f"{Path(source).parent.name}/{Path(source).name}"


class ModelBar(QWidget):
    checkpointWanted = Signal()  # "Load checkpoint…" was picked: the window asks for a file

    def __init__(self, state: AppState, parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
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
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(self.tr("Model")))
        row.addWidget(self.model_selector, stretch=1)
        row.addWidget(QLabel(self.tr("Device")))
        row.addWidget(self.device_selector, stretch=1)
        row.addWidget(self.compare_toggle)
        state.model_changed.connect(self._on_model_changed)
        state.model_refused.connect(self._on_model_refused)
        state.devices_changed.connect(self._on_devices_listed)
        self._show_choice(*state.requested)

    # --- the user's choices ---------------------------------------------------------

    @Slot(int)
    def _on_model_chosen(self, index: int) -> None:
        source = self.model_selector.itemData(index)
        if source == LOAD_CHECKPOINT:
            self._show_running()
            self.checkpointWanted.emit()
        elif source != self.state.requested[0]:
            self.state.request_model(source, self.device_selector.currentData())

    @Slot(int)
    def _on_device_chosen(self, index: int) -> None:
        running = self.state.predictor
        source = running.source if running is not None else self.model_selector.currentData()
        self.state.request_model(source, self.device_selector.itemData(index))

    @Slot(bool)
    def _on_compare_toggled(self, on: bool) -> None:
        self.state.set_compare(on)

    # --- following the state ---------------------------------------------------------

    def _on_model_changed(self, predictor) -> None:
        self._show_running()

    def _on_model_refused(self, message: str, falling_back: bool) -> None:
        if not falling_back:
            self._show_running()  # the selectors go back to what is really running

    def _on_devices_listed(self, devices) -> None:
        current = self.device_selector.currentData()
        self.device_selector.clear()
        for device in devices:
            self.device_selector.addItem(self.tr("CPU") if device.name == "cpu" else device.label, device.name)
        self.device_selector.setCurrentIndex(max(self.device_selector.findData(current), 0))

    def _show_running(self) -> None:
        predictor = self.state.predictor
        if predictor is None:
            if self.model_selector.currentData() == LOAD_CHECKPOINT:
                self.model_selector.setCurrentIndex(0)
            return
        self._show_choice(predictor.source, str(predictor.device))

    def _show_choice(self, source: str | None, device: str | None) -> None:
        if source is not None:
            index = self.model_selector.findData(source)
            if index < 0:
                index = self.model_selector.count() - 1  # just above "Load checkpoint…"
                self.model_selector.insertItem(index, checkpoint_label(source), source)
                self.model_selector.setItemData(index, source, Qt.ItemDataRole.ToolTipRole)
            self.model_selector.setCurrentIndex(index)
        if device is not None:
            if self.device_selector.findData(device) < 0:
                self.device_selector.addItem(device, device)  # checked when the model loads
            self.device_selector.setCurrentIndex(self.device_selector.findData(device))

    def model_description(self) -> str:
        """The model in use and its device, for the status bar."""
        predictor = self.state.predictor
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
        return self.tr("{model}{accuracy} on {device}").format(model=model, accuracy=accuracy, device=device)
