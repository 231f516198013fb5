"""The Inside tab: each layer's output for the current drawing, and the tutorial's
convolution worked through by hand, with numbers the user can edit."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QGridLayout, QGroupBox, QHBoxLayout, QLabel, QListWidget, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

MAP_PIXELS = 210  # the side of the picture of a layer's output


class _ClickablePicture(QLabel):
    clicked = Signal(QPointF)  # where, in the label's coordinates

    def mousePressEvent(self, event) -> None:
        self.clicked.emit(event.position())


class InsidePanel(QWidget):
    layersShown = Signal(int)  # how many layers are on show

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("insidePanel")
        self.layers = []
        self.last_input: np.ndarray | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_layers(), stretch=3)
        layout.addWidget(self._build_worked_example(), stretch=2)
        self._recompute_example()

    # --- layers ----------------------------------------------------------------------

    def _build_layers(self) -> QGroupBox:
        box = QGroupBox(self.tr("Inside the network, for your drawing"))
        self.layer_list = QListWidget()
        self.layer_list.setObjectName("layerList")
        self.layer_list.setMaximumWidth(180)
        self.layer_list.currentRowChanged.connect(self._show_layer)
        self.layer_picture = _ClickablePicture()
        self.layer_picture.setObjectName("layerPicture")
        self.layer_picture.setMinimumSize(MAP_PIXELS, MAP_PIXELS)
        self.layer_picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.layer_picture.clicked.connect(self._on_picture_clicked)
        self.layer_text = QLabel(self.tr("Draw a digit to see what each layer makes of it."))
        self.layer_text.setWordWrap(True)
        self.zoom = QLabel()
        self.zoom.setObjectName("mapZoom")
        self.zoom_kernel = QLabel()
        self.zoom_text = QLabel()
        self.zoomed = None
        zoom_row = QHBoxLayout()
        zoom_row.addWidget(self.zoom)
        zoom_row.addWidget(self.zoom_kernel)
        zoom_row.addWidget(self.zoom_text, stretch=1)
        right = QVBoxLayout()
        right.addWidget(self.layer_picture, stretch=1)
        right.addWidget(self.layer_text)
        right.addLayout(zoom_row)
        row = QHBoxLayout(box)
        row.addWidget(self.layer_list)
        row.addLayout(right, stretch=1)
        return box

    def show_reading(self, prediction, inside, predictor) -> None:
        """The live reading of the drawing: its layers (computed with the prediction, off
        the GUI thread), or nothing for a blank canvas."""
        if prediction.digit is None or inside is None:
            self.clear_layers()
        else:
            layers, digit, contributions = inside
            self.show_layers(layers, digit, contributions, predictor)

    def show_layers(self, layers, digit: np.ndarray, contributions=None, predictor=None) -> None:
        """Show LayerOutputs (from digitpad.inside.layer_outputs) for this input, then the
        first convolution's kernels (if any) and the pixels behind the prediction."""
        current = max(self.layer_list.currentRow(), 0)
        self.layers, self.last_input = layers, digit
        self.contributions, self.predictor = contributions, predictor
        self.extra_rows = []
        if any(layer.kind == "Conv2d" for layer in layers):
            self.extra_rows.append("kernels")
        if contributions is not None:
            self.extra_rows.append("pixels")
        names = [layer.name for layer in layers] + [self._extra_name(kind) for kind in self.extra_rows]
        if [self.layer_list.item(i).text() for i in range(self.layer_list.count())] != names:
            self.layer_list.blockSignals(True)
            self.layer_list.clear()
            self.layer_list.addItems(names)
            self.layer_list.blockSignals(False)
        self.layer_list.setCurrentRow(min(current, len(names) - 1))
        self._show_layer(self.layer_list.currentRow())
        self.layersShown.emit(len(layers))

    def clear_layers(self) -> None:
        self.layers = []
        self.layer_list.clear()
        self.layer_picture.clear()
        self.layer_text.setText(self.tr("Draw a digit to see what each layer makes of it."))

    def _extra_name(self, kind: str) -> str:
        return self.tr("Kernels of Conv2d 1") if kind == "kernels" else self.tr("Pixels behind the answer")

    @Slot(int)
    def _show_layer(self, row: int) -> None:
        self.zoom.clear()
        if row >= len(self.layers) and row - len(self.layers) < len(getattr(self, "extra_rows", [])):
            self._show_extra(self.extra_rows[row - len(self.layers)])
            return
        if not 0 <= row < len(self.layers):
            return
        layer = self.layers[row]
        values = layer.values
        side = max(120, min(self.layer_picture.width(), self.layer_picture.height(), MAP_PIXELS))
        self.layer_picture.setPixmap(_picture(values, side))
        if values.ndim == 3:
            shape = self.tr("{c} maps of {h}×{w}").format(c=values.shape[0], h=values.shape[1], w=values.shape[2])
        else:
            shape = self.tr("{n} numbers").format(n=values.size)
        listing = ""
        if values.ndim == 1 and values.size <= 10:
            listing = "<br>" + "  ".join(f"{d}: {v:.2f}" for d, v in enumerate(values))
        hint = self.tr("Click a map to enlarge it with its kernel.") if values.ndim == 3 else ""
        self.layer_text.setText(f"<b>{layer.name}</b> — {shape}<br>{self.describe(layer.kind)}{listing}<br>{hint}")

    def _show_extra(self, kind: str) -> None:
        side = max(120, min(self.layer_picture.width(), self.layer_picture.height(), MAP_PIXELS))
        if kind == "kernels":
            from ..inside import conv_kernels

            kernels = conv_kernels(self.predictor)
            self.layer_picture.setPixmap(_picture(kernels, side))
            self.layer_text.setText(self.tr("<b>Kernels of Conv2d 1</b> — {n} learned {k}×{k} filters: "
                                            "bright weights add the pixel under them, dark ones subtract it").format(
                n=kernels.shape[0], k=kernels.shape[1]))
            return
        target, heat = self.contributions
        self.layer_picture.setPixmap(_heat_picture(heat, side))
        self.layer_text.setText(self.tr("<b>Pixels behind the answer {d}</b> — weights × input: red pixels pushed "
                                        "the score of {d} up, blue ones pushed it down").format(d=target))

    @Slot(QPointF)
    def _on_picture_clicked(self, position: QPointF) -> None:
        """Enlarge the clicked feature map, beside the kernel that made it."""
        row = self.layer_list.currentRow()
        if not 0 <= row < len(self.layers) or self.layers[row].values.ndim != 3 or self.predictor is None:
            return
        from ..inside import conv_index_for, conv_kernels

        maps = self.layers[row].values
        pixmap = self.layer_picture.pixmap()
        x0 = (self.layer_picture.width() - pixmap.width()) / 2
        y0 = (self.layer_picture.height() - pixmap.height()) / 2
        columns = int(np.ceil(np.sqrt(len(maps))))
        rows = int(np.ceil(len(maps) / columns))
        column = int((position.x() - x0) / pixmap.width() * columns)
        line = int((position.y() - y0) / pixmap.height() * rows)
        index = line * columns + column
        if not (0 <= column < columns and 0 <= line < rows and index < len(maps)):
            return
        conv = conv_index_for(self.layers, row)
        kernel = conv_kernels(self.predictor, conv)[index] if conv is not None else None
        self.show_map(index, maps[index], kernel)

    def show_map(self, index: int, values: np.ndarray, kernel: np.ndarray | None) -> None:
        self.zoom.setPixmap(_picture(values[None], 140))
        self.zoom_kernel.setPixmap(_picture(kernel[None], 70) if kernel is not None else QPixmap())
        self.zoom_text.setText(self.tr("Map {i} and its kernel").format(i=index + 1))
        self.zoomed = index

    def describe(self, kind: str) -> str:
        """What a kind of layer does, in one line a learner can follow."""
        descriptions = {
            "Flatten": self.tr("lays the image out as one long row of numbers"),
            "Linear": self.tr("every output is a weighted sum of all inputs, plus a bias"),
            "ReLU": self.tr("keeps positive values, turns negative ones into 0"),
            "Conv2d": self.tr("slides small learned filters over the image: each map shows where one filter matches"),
            "BatchNorm2d": self.tr("rescales each map to a steady range, which makes training faster"),
            "MaxPool2d": self.tr("keeps the largest value of each 2×2 block: half the size, the strongest signals"),
            "Dropout": self.tr("during training, switches random values off (does nothing when predicting)"),
            "Softmax": self.tr("turns the ten scores into probabilities that sum to 1"),
        }
        return descriptions.get(kind, "")

    # --- the worked example ------------------------------------------------------------

    def _build_worked_example(self) -> QGroupBox:
        from ..inside import TUTORIAL_INPUT, TUTORIAL_KERNEL

        box = QGroupBox(self.tr("Convolution by hand (the tutorial's example; edit the numbers)"))
        self.input_table = _table(TUTORIAL_INPUT, editable=True, name="exampleInput")
        self.kernel_table = _table(TUTORIAL_KERNEL, editable=True, name="exampleKernel")
        self.conv_table = _table(np.zeros((3, 3)), name="exampleConv")
        self.relu_table = _table(np.zeros((3, 3)), name="exampleRelu")
        self.pool_table = _table(np.zeros((2, 2)), name="examplePool")
        self.flat_table = _table(np.zeros((1, 4)), name="exampleFlat")
        for table in (self.input_table, self.kernel_table):
            table.itemChanged.connect(self._recompute_example)
        for table in (self.conv_table, self.relu_table, self.pool_table, self.flat_table):
            table.currentCellChanged.connect(self._explain_cell)
        self.working = QLabel(self.tr("Click an output cell to see the multiply-and-add behind it."))
        self.working.setObjectName("exampleWorking")
        self.working.setWordWrap(True)
        self.working.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        patch_button = QPushButton(self.tr("Use a 5×5 patch of my drawing"))
        patch_button.clicked.connect(self.use_drawing_patch)
        grid = QGridLayout()
        steps = [(self.tr("Input 5×5"), self.input_table), (self.tr("Kernel 3×3"), self.kernel_table),
                 (self.tr("Conv2d"), self.conv_table), (self.tr("ReLU"), self.relu_table),
                 (self.tr("MaxPool2d(2, 2, pad 1)"), self.pool_table), (self.tr("Flatten"), self.flat_table)]
        for index, (title, table) in enumerate(steps):  # two rows of three: fits a narrow dock
            row, column = 2 * (index // 3), index % 3
            grid.addWidget(QLabel(title), row, column)
            grid.addWidget(table, row + 1, column, alignment=Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        column = QVBoxLayout(box)
        column.addLayout(grid)
        column.addWidget(patch_button, alignment=Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.working)
        return box

    @Slot()
    def _recompute_example(self) -> None:
        from ..inside import worked_example

        image, kernel = _read(self.input_table), _read(self.kernel_table)
        if image is None or kernel is None:
            self.working.setText(self.tr("Every input and kernel cell needs a number."))
            return
        self.example = worked_example(image, kernel)
        _fill(self.conv_table, self.example.conv)
        _fill(self.relu_table, self.example.relu)
        _fill(self.pool_table, self.example.pool)
        _fill(self.flat_table, [self.example.flat])

    @Slot(int, int, int, int)
    def _explain_cell(self, row: int, column: int, *_) -> None:
        table = self.sender()
        item = table.item(row, column) if table is not None and row >= 0 else None
        if item is not None:
            self.working.setText(item.toolTip())

    @Slot()
    def use_drawing_patch(self) -> None:
        """The 5×5 patch at the centre of the model's input, as whole numbers 0..9."""
        if self.last_input is None:
            self.working.setText(self.tr("Draw a digit first."))
            return
        patch = np.round(self.last_input[12:17, 12:17] * 9).astype(int)
        self.input_table.blockSignals(True)
        for r in range(5):
            for c in range(5):
                self.input_table.item(r, c).setText(str(patch[r, c]))
        self.input_table.blockSignals(False)
        self._recompute_example()


def _table(values, editable: bool = False, name: str = "") -> QTableWidget:
    values = np.asarray(values)
    table = QTableWidget(values.shape[0], values.shape[1])
    table.setObjectName(name)
    table.horizontalHeader().setVisible(False)
    table.verticalHeader().setVisible(False)
    for column in range(values.shape[1]):
        table.setColumnWidth(column, 34)
    for row in range(values.shape[0]):
        table.setRowHeight(row, 24)
        for column in range(values.shape[1]):
            item = QTableWidgetItem(f"{values[row, column]:g}")
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if not editable:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            table.setItem(row, column, item)
    table.setFixedSize(34 * values.shape[1] + 4, 24 * values.shape[0] + 4)
    return table


def _read(table: QTableWidget) -> np.ndarray | None:
    try:
        return np.array([[float(table.item(r, c).text()) for c in range(table.columnCount())]
                         for r in range(table.rowCount())])
    except (ValueError, AttributeError):
        return None


def _fill(table: QTableWidget, cells) -> None:
    for r, row in enumerate(cells):
        for c, cell in enumerate(row):
            item = table.item(r, c)
            item.setText(f"{cell.value:g}")
            item.setToolTip(cell.working)


def _heat_picture(heat: np.ndarray, side: int) -> QPixmap:
    """Red where values are positive, blue where negative, white near zero."""
    scale = float(np.abs(heat).max()) or 1.0
    level = np.clip(heat / scale, -1, 1)
    rgb = np.full(heat.shape + (3,), 255.0)
    rgb[..., 1] -= np.abs(level) * 255  # green falls either way
    rgb[..., 2] -= np.clip(level, 0, 1) * 255  # positive: less blue -> red
    rgb[..., 0] -= np.clip(-level, 0, 1) * 255  # negative: less red -> blue
    pixels = np.ascontiguousarray(rgb.astype(np.uint8))
    image = QImage(pixels.data, heat.shape[1], heat.shape[0], 3 * heat.shape[1], QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(image).scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.FastTransformation)


def _picture(values: np.ndarray, side: int = MAP_PIXELS) -> QPixmap:
    """Maps as a grid of small grey images (each scaled to its own range), or a vector as
    a grid of squares; brighter is larger. The picture is `side` pixels across."""
    if values.ndim == 3:
        maps = values
    else:
        cells = int(np.ceil(np.sqrt(values.size)))  # a square of cells holds the vector
        padded = np.zeros(cells * cells, dtype=np.float32)
        padded[: values.size] = values
        maps = padded.reshape(1, cells, cells)
    count, height, width = maps.shape
    columns = int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / columns))
    sheet = np.full((rows * (height + 1) - 1, columns * (width + 1) - 1), 40, dtype=np.uint8)
    for index, layer in enumerate(maps):
        low, high = float(layer.min()), float(layer.max())
        scaled = (layer - low) / (high - low) if high > low else np.zeros_like(layer)
        r, c = divmod(index, columns)
        sheet[r * (height + 1) : r * (height + 1) + height, c * (width + 1) : c * (width + 1) + width] = \
            (scaled * 255).astype(np.uint8)
    sheet = np.ascontiguousarray(sheet)
    image = QImage(sheet.data, sheet.shape[1], sheet.shape[0], sheet.shape[1], QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(image).scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.FastTransformation)
