"""The user's settings: read from QSettings into the state's plain dict at start, and
written back one by one as the state changes them."""

from __future__ import annotations

from PySide6.QtCore import QSettings

KEYS = ("model", "device", "penWidth", "lastDir", "trainingFolder", "handwritingFolder")


def read_settings() -> dict:
    settings = QSettings()
    return {key: settings.value(key) for key in KEYS if settings.value(key) not in (None, "")}


def store_setting(name: str, value) -> None:
    if name in KEYS:
        QSettings().setValue(name, value)
