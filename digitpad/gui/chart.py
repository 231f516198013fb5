"""The P0-P9 bar chart: ten labelled bars with their values, the top class highlighted.

In comparison mode a second model's bars stand beside the first's, so a learner sees
at a glance where the MLP and the CNN disagree.
"""

from __future__ import annotations

import functools

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem, QWidget

BAR = (110, 140, 190)
TOP = (230, 120, 30)
MUTED = (190, 190, 190)  # the bars of an input the gate thinks is not a digit
SECOND = (120, 180, 120)  # the compared model's bars
SECOND_TOP = (40, 140, 60)
EDGE_SIDE = {0: 0.0, 9: 1.0}  # where the value labels of the end bars are anchored (left, right)


def keep_axes_as_pixmaps(plot: pg.PlotItem) -> None:
    """Axes (and the grid they draw) whose ranges rarely change are drawn once and kept as
    pixmaps, instead of being redrawn, text and all, with every repaint of the plot."""
    for side in ("left", "bottom"):
        plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


class ProbabilityChart(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, background="w")
        self.setObjectName("probabilityChart")
        self.setToolTip(self.tr("Probability of each digit, P0 to P9"))
        self.setMinimumSize(260, 180)
        plot = self.getPlotItem()
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.setXRange(-0.6, 9.6, padding=0)
        plot.setYRange(0, 1.15, padding=0)
        plot.getAxis("bottom").setTicks([[(d, str(d)) for d in range(10)]])
        plot.getAxis("left").setTicks([[(v, f"{v:.0%}") for v in (0, 0.25, 0.5, 0.75, 1.0)]])
        plot.showGrid(y=True, alpha=0.2)
        keep_axes_as_pixmaps(plot)  # fixed ranges: about a third of each reading's repaint
        self._bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7, pen=None,
                                     brushes=[pg.mkBrush(BAR)] * 10)
        self._second = pg.BarGraphItem(x=np.arange(10) + 0.2, height=np.zeros(10), width=0.38, pen=None,
                                       brushes=[pg.mkBrush(SECOND)] * 10)
        self._second.setVisible(False)
        plot.addItem(self._bars)
        plot.addItem(self._second)
        self._labels = [self._add_label(plot, digit) for digit in range(10)]
        self._second_labels = [self._add_label(plot, digit, size=7) for digit in range(10)]
        self._legend = pg.TextItem("", color=(60, 60, 60), anchor=(0, 0))
        self._legend.setPos(-0.5, 1.15)
        plot.addItem(self._legend)
        self.values = np.zeros(10)
        self.second_values: np.ndarray | None = None

    @staticmethod
    def _add_label(plot, digit: int, size: int = 8) -> pg.TextItem:
        # Centred over its bar, except at the ends, where "100.0%" over a narrow chart's
        # first or last bar was cut off by the edge: those start (end) at the bar's edge.
        label = pg.TextItem("", color=(40, 40, 40), anchor=(EDGE_SIDE.get(digit, 0.5), 1.0))
        font = label.textItem.font()
        font.setPointSize(size)
        label.setFont(font)
        plot.addItem(label)
        return label

    def set_probabilities(self, probs: np.ndarray | None, muted: bool = False) -> None:
        """Show ten probabilities; None (a blank canvas) empties the chart. `muted` greys
        the bars out: the numbers are shown, but not as a confident answer."""
        self._show(self._bars, self._labels, probs, (MUTED, MUTED) if muted else (TOP, BAR),
                   offset=0.0, width=0.7)
        self._second.setVisible(False)
        for label in self._second_labels:
            _set_label(label, "")
        self._legend.setVisible(False)
        self.values = np.zeros(10) if probs is None else np.asarray(probs, dtype=float)
        self.second_values = None

    def set_comparison(self, first: np.ndarray | None, second: np.ndarray | None,
                       names: tuple[str, str], muted: tuple[bool, bool] = (False, False)) -> None:
        """Two models' probabilities side by side (None: blank canvas, empty chart);
        `muted`: per model, greyed when its gate says this is not a digit."""
        self._show(self._bars, self._labels, first, (MUTED, MUTED) if muted[0] else (TOP, BAR),
                   offset=-0.2, width=0.38)
        self._show(self._second, self._second_labels, second,
                   (MUTED, MUTED) if muted[1] else (SECOND_TOP, SECOND), offset=0.2, width=0.38)
        self._second.setVisible(True)
        self._legend.setVisible(True)
        self._legend.setHtml(
            f'<span style="color:rgb{BAR}">■</span> {names[0]} &nbsp; '
            f'<span style="color:rgb{SECOND}">■</span> {names[1]}')
        self.values = np.zeros(10) if first is None else np.asarray(first, dtype=float)
        self.second_values = None if second is None else np.asarray(second, dtype=float)

    @staticmethod
    def _show(bars, labels, probs, colours, offset: float, width: float) -> None:
        values = np.zeros(10) if probs is None else np.asarray(probs, dtype=float)
        top = int(values.argmax()) if probs is not None else -1
        brushes = [_brush(colours[0] if d == top else colours[1]) for d in range(10)]
        bars.setOpts(x=np.arange(10) + offset, height=values, width=width, brushes=brushes)
        for digit, (label, value) in enumerate(zip(labels, values)):
            x = digit + offset + (EDGE_SIDE.get(digit, 0.5) - 0.5) * width
            _set_label(label, "" if probs is None else _percent(value), (x, value + 0.01))


def _set_label(label: pg.TextItem, text: str, position: tuple[float, float] | None = None) -> None:
    """Most labels are empty (below 0.05%): hidden, they cost no paint; an unchanged text
    is not laid out again. Together a third of each reading's repaint of the chart."""
    if text != label.textItem.toPlainText():
        label.setText(text)
    label.setVisible(bool(text))
    if text and position is not None:
        label.setPos(*position)


@functools.lru_cache(maxsize=None)
def _brush(colour: tuple[int, int, int]):
    return pg.mkBrush(colour)  # a handful of colours, made once rather than ten per reading


def _percent(value: float) -> str:
    return f"{value:.1%}" if value >= 0.0005 else ""  # no clutter of "0%" labels
