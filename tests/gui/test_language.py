"""Simplified Chinese: the whole window switches, and nothing is left in English."""

import re

from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel, QMenu, QTabWidget, QWidget

from .drawing import draw_stroke, vertical_line, wait_for_prediction

CJK = re.compile(r"[\u4e00-\u9fff]")
# Words that stay as they are in Chinese: names of networks, layers, formats, units.
KEEP = re.compile(r"\b(CNN|MLP|CPU|CUDA|MPS|MNIST|ONNX|TorchScript|PyTorch|PNG|ECE|Adam|ReLU|Conv2d|"
                  r"MaxPool2d|Flatten|Esc|Delete|Ctrl|Shift|English|digitpad|P0|P9|pad)\b")


def visible_texts(window):
    window.evaluate_panel  # noqa: B018 - built on first view; its texts count too
    texts = []
    for combo in window.findChildren(QComboBox):
        texts += [combo.itemText(i) for i in range(combo.count())]
    for widget in window.findChildren(QWidget):
        texts.append(widget.toolTip())
    for widget in window.findChildren(QLabel):
        texts.append(widget.text())
    for widget in window.findChildren(QAbstractButton):
        texts += [widget.text(), widget.toolTip()]
    for widget in window.findChildren(QGroupBox):
        texts.append(widget.title())
    for tabs in window.findChildren(QTabWidget):
        texts += [tabs.tabText(i) for i in range(tabs.count())]
    for menu in window.findChildren(QMenu):
        texts += [menu.title()] + [action.text() for action in menu.actions()]
    return [t for t in texts if t]


def untranslated(texts):
    """Texts with English words left in them (numbers, names and symbols are fine)."""
    return [t for t in texts if re.search(r"[A-Za-z]{3,}", KEEP.sub("", re.sub(r"<[^>]+>", "", t)))
            and not CJK.search(t)]


def test_switching_to_chinese_translates_the_whole_window(window, qtbot):
    draw_stroke(window.canvas, vertical_line())
    wait_for_prediction(qtbot, window)
    english = visible_texts(window)
    chinese_window = window.set_language("zh_CN")
    qtbot.addWidget(chinese_window)
    qtbot.waitUntil(lambda: chinese_window.predictor is not None, timeout=30_000)
    wait_for_prediction(qtbot, chinese_window)
    chinese = visible_texts(chinese_window)
    assert chinese_window.findChild(QLabel, "predictionLabel").text().startswith("1")  # the drawing came along
    assert "训练" in chinese and "清空" in chinese
    assert set(chinese) != set(english)
    leftovers = [t for t in untranslated(chinese) if not t.startswith("/")]  # a path is not a word
    assert not leftovers, leftovers
    back = chinese_window.set_language("en")
    qtbot.addWidget(back)
    assert "Clear" in visible_texts(back)
