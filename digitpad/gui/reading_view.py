"""What the models read: the answer in words, the 28x28 input they saw, and P0-P9.

A drawing the not-a-digit gate turns away is never shown as a confident digit: the
label says "Not a digit?" and the bars are greyed."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from .chart import ProbabilityChart

PREVIEW_ZOOM = 4


class ReadingView(QWidget):
    predictionShown = Signal(object)  # the Prediction now on screen

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.last_prediction = None
        self.label = QLabel(self.tr("Loading model…"))
        self.label.setObjectName("predictionLabel")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("font-size: 28px; font-weight: 600;")
        self.label.setMinimumHeight(56)
        # The text may be long ("Loading model…"): it must not set the column's width.
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.preview = QLabel()
        self.preview.setObjectName("inputPreview")
        self.preview.setFixedSize(28 * PREVIEW_ZOOM, 28 * PREVIEW_ZOOM)
        self.preview.setToolTip(self.tr("Exactly what the model sees: 28x28 pixels, centred like MNIST"))
        self.preview.setStyleSheet("background: black; border: 1px solid #888;")
        self.chart = ProbabilityChart()
        top = QHBoxLayout()
        top.addWidget(self.label, stretch=1)
        top.addWidget(self.preview)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(top)
        column.addWidget(self.chart, stretch=1)

    def show_no_model(self) -> None:
        self.label.setText(self.tr("No model"))

    def show_reading(self, results: tuple, names: tuple[str, ...]) -> None:
        """One Prediction per model (the first is the model in use)."""
        result = results[0]
        self.last_prediction = result
        if result.digit is None:
            self.label.setText(self.tr("Draw a digit"))
            self.label.setToolTip("")
        elif result.unsure:
            self.label.setText(self.tr("Not a digit?"))
            self.label.setToolTip(
                self.tr("This does not look like a digit (p = {p:.0%}). Best guess: {d}.").format(
                    p=result.not_digit, d=result.digit))
        else:
            self.label.setText(f"{result.digit}  ({result.confidence:.1%})")
            self.label.setToolTip(self.tr("The digit the model reads, and its calibrated probability"))
        blank = result.digit is None
        if len(results) == 2 and not blank:
            self.chart.set_comparison(results[0].probs, results[1].probs, names,
                                      muted=(results[0].unsure, results[1].unsure))
        else:
            self.chart.set_probabilities(None if blank else result.probs, muted=result.unsure)
        self.preview.setPixmap(preview_pixmap(result.input))
        self.predictionShown.emit(result)


def preview_pixmap(digit: np.ndarray) -> QPixmap:
    pixels = np.ascontiguousarray(np.round(digit * 255).astype(np.uint8))
    image = QImage(pixels.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(image).scaled(28 * PREVIEW_ZOOM, 28 * PREVIEW_ZOOM,
                                           Qt.AspectRatioMode.IgnoreAspectRatio,
                                           Qt.TransformationMode.FastTransformation)
