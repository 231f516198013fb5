"""The app's languages: English (the source) and Simplified Chinese.

Translations are Qt .ts files compiled to .qm (digitpad/gui/i18n/); to update them, add
the new texts to docs/zh_CN.py and run docs/update_translations.py. The language follows the system locale
until the user picks one from the Language menu.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtWidgets import QApplication

LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
FOLDER = Path(__file__).with_name("i18n")
_installed: list[QTranslator] = []
_current = {"code": None}


def system_language() -> str:
    return "zh_CN" if QLocale.system().name().startswith("zh") else "en"


def chosen_language() -> str:
    code = str(QSettings().value("language", "") or system_language())
    return code if code in LANGUAGES else "en"


def current_language() -> str | None:
    return _current["code"]


def install_language(code: str) -> str:
    """Make `code` the language of every tr() from now on (ours and Qt's own dialogs)."""
    app = QApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if code != "en":
        ours = QTranslator(app)
        if not ours.load(str(FOLDER / f"digitpad_{code}.qm")):
            code = "en"  # a missing file must not leave a half-translated app
        else:
            _installed.append(ours)
            qt = QTranslator(app)
            if qt.load(f"qtbase_{code}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
                _installed.append(qt)
    for translator in _installed:
        app.installTranslator(translator)
    _current["code"] = code
    return code
