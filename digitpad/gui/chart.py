"""The P0-P9 bar chart: ten labelled bars with their values, the top class highlighted."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

BAR = (110, 140, 190)
TOP = (230, 120, 30)
MUTED = (190, 190, 190)  # the bars of an input the gate thinks is not a digit


class ProbabilityChart(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, background="w")
        self.setObjectName("probabilityChart")
        self.setToolTip(self.tr("Probability of each digit, P0 to P9"))
        self.setMinimumSize(300, 180)
        plot = self.getPlotItem()
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.setXRange(-0.6, 9.6, padding=0)
        plot.setYRange(0, 1.12, padding=0)
        plot.getAxis("bottom").setTicks([[(d, str(d)) for d in range(10)]])
        plot.getAxis("left").setTicks([[(v, f"{v:.0%}") for v in (0, 0.25, 0.5, 0.75, 1.0)]])
        plot.showGrid(y=True, alpha=0.2)
        self._bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7,
                                     brushes=[pg.mkBrush(BAR)] * 10, pen=None)
        plot.addItem(self._bars)
        self._labels = []
        for digit in range(10):
            label = pg.TextItem("", color=(40, 40, 40), anchor=(0.5, 1.0))
            label.setPos(digit, 0)
            plot.addItem(label)
            self._labels.append(label)
        self.values = np.zeros(10)

    def set_probabilities(self, probs: np.ndarray | None, muted: bool = False) -> None:
        """Show ten probabilities; None (a blank canvas) empties the chart. `muted` greys
        the bars out: the numbers are shown, but not as a confident answer."""
        values = np.zeros(10) if probs is None else np.asarray(probs, dtype=float)
        top = int(values.argmax()) if probs is not None else -1
        colours = (MUTED, MUTED) if muted else (TOP, BAR)
        brushes = [pg.mkBrush(colours[0] if d == top else colours[1]) for d in range(10)]
        self._bars.setOpts(height=values, brushes=brushes)
        for digit, (label, value) in enumerate(zip(self._labels, values)):
            label.setText("" if probs is None else _percent(value))
            label.setPos(digit, value + 0.01)
        self.values = values


def _percent(value: float) -> str:
    return f"{value:.1%}" if value >= 0.0005 else ""  # no clutter of "0%" labels
