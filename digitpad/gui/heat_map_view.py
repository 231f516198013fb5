"""Heat maps over the drawing (as the network saw it): integrated gradients for both
networks, Grad-CAM beside it for the CNN, and one line on how to read them."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .lookalike_strip import digit_pixmap

SIDE = 168  # 6 screen pixels per input pixel


class HeatMapView(QGroupBox):
    """`show_maps(digit input, integrated-gradients HeatMap, Grad-CAM HeatMap or None)`."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(self.tr("Heat map: which pixels made the answer"), parent)
        self.setObjectName("heatMaps")
        self.gradients = QLabel()
        self.gradients.setObjectName("integratedGradients")
        self.gradients.setFixedSize(SIDE, SIDE)
        self.cam = QLabel()
        self.cam.setObjectName("gradCam")
        self.cam.setFixedSize(SIDE, SIDE)
        self.how_to_read = QLabel(self.tr("Draw a digit to see which of its pixels the network relied on."))
        self.how_to_read.setObjectName("heatMapHowToRead")
        self.how_to_read.setWordWrap(True)
        pictures = QHBoxLayout()
        pictures.addWidget(self.gradients)
        pictures.addWidget(self.cam)
        pictures.addStretch(1)
        column = QVBoxLayout(self)
        column.addLayout(pictures)
        column.addWidget(self.how_to_read)
        self.shown = None  # (integrated gradients, Grad-CAM or None) on screen

    def show_maps(self, digit: np.ndarray, gradients, cam=None) -> None:
        from ..attribution import overlay

        self.shown = (gradients, cam)
        self.gradients.setPixmap(digit_pixmap(overlay(digit, gradients.values), SIDE))
        self.gradients.setToolTip(self.tr("Integrated gradients"))
        self.cam.setVisible(cam is not None)
        if cam is not None:
            self.cam.setPixmap(digit_pixmap(overlay(digit, cam.values), SIDE))
            self.cam.setToolTip(self.tr("Grad-CAM: the regions the last convolutions found evidence in"))
        self.how_to_read.setText(self.tr(
            "Red pixels pushed the answer {d} up, blue ones pushed it down; the brighter, the stronger "
            "(integrated gradients{cam}).").format(d=gradients.digit, cam=self.tr("; right: Grad-CAM") if cam else ""))

    def clear(self) -> None:
        self.shown = None
        self.gradients.clear()
        self.cam.clear()
        self.how_to_read.setText(self.tr("Draw a digit to see which of its pixels the network relied on."))
