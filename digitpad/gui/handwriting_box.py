"""Label the drawing on the canvas and keep it: the user's own handwriting dataset."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFileDialog, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QWidget

from ..handwriting import class_counts, default_folder, save_drawing


class HandwritingBox(QGroupBox):
    """Buttons 0-9 (and keys 0-9 in the window) save the drawing under that digit."""

    saved = Signal(str)  # the path written

    def __init__(self, canvas, state, parent: QWidget | None = None):
        super().__init__(self.tr("My handwriting"), parent)
        self.setObjectName("handwritingBox")
        self.canvas, self.state = canvas, state
        self.folder = Path(state.settings.get("handwritingFolder") or default_folder())
        self.last_saved: Path | None = None
        grid = QGridLayout()
        self.buttons = []
        for digit in range(10):
            button = QPushButton(str(digit))
            button.setObjectName(f"label{digit}")
            button.setFixedWidth(28)
            button.setToolTip(self.tr("Save the drawing as a {d} (key {d})").format(d=digit))
            button.clicked.connect(self._on_label_clicked)
            grid.addWidget(button, digit // 5, digit % 5)
            self.buttons.append(button)
        self.counts = QLabel()
        self.counts.setObjectName("handwritingCounts")
        self.counts.setWordWrap(True)
        self.undo_button = QPushButton(self.tr("Undo last save"))
        self.undo_button.setEnabled(False)
        self.undo_button.clicked.connect(self.undo_last_save)
        folder_button = QPushButton(self.tr("Folder…"))
        folder_button.setToolTip(self.tr("Where your labelled drawings are kept"))
        folder_button.clicked.connect(self._choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.undo_button)
        row.addWidget(folder_button)
        column = QGridLayout(self)
        column.addLayout(grid, 0, 0)
        column.addWidget(self.counts, 1, 0)
        column.addLayout(row, 2, 0)
        self.refresh()

    @Slot()
    def _on_label_clicked(self) -> None:
        self.save_as(int(self.sender().text()))

    def save_as(self, digit: int) -> Path | None:
        if (self.canvas.to_array() > 250).all():
            self.counts.setText(self.tr("Draw a digit first, then label it."))
            return None
        try:
            self.last_saved = save_drawing(self.folder, digit, self.canvas.to_array())
        except OSError as error:
            self.counts.setText(self.tr("Could not save into {folder}: {error}").format(
                folder=self.folder, error=error.strerror or error))
            return None
        self.undo_button.setEnabled(True)
        self.state.set_setting("handwritingFolder", str(self.folder))
        self.refresh()
        self.saved.emit(str(self.last_saved))
        return self.last_saved

    @Slot()
    def undo_last_save(self) -> None:
        if self.last_saved is not None:
            try:
                self.last_saved.unlink(missing_ok=True)
            except OSError as error:
                self.counts.setText(str(error))
                return
            self.last_saved = None
            self.undo_button.setEnabled(False)
            self.refresh()

    @Slot()
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Folder for your drawings"), str(self.folder))
        if folder:
            self.set_folder(Path(folder))

    def set_folder(self, folder: Path) -> None:
        self.folder, self.last_saved = Path(folder), None
        self.undo_button.setEnabled(False)
        self.refresh()

    def refresh(self) -> None:
        counts = class_counts(self.folder)
        listing = "  ".join(f"{d}: {n}" for d, n in counts.items())
        self.counts.setText(self.tr("{total} saved in {folder}\n{listing}").format(
            total=sum(counts.values()), folder=self.folder, listing=listing))
        self.setToolTip(str(self.folder))
