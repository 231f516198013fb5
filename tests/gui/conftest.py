import pytest
from PySide6.QtCore import QSettings, QStandardPaths

# Shipped models load in the background; give them this long (torch's first import
# takes seconds on a busy 2-core machine).
MODEL_TIMEOUT_MS = 60_000


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, qapp):
    """Each test starts with empty settings, and none leak into the user's real ones."""
    QStandardPaths.setTestModeEnabled(True)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    qapp.setOrganizationName("digitpad-tests")
    qapp.setApplicationName("digitpad-tests")
    yield


@pytest.fixture
def window(qtbot, tmp_path):
    from digitpad.gui import create_main_window

    win = create_main_window()
    win.training_panel.runs_dir = tmp_path / "runs"
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.predictor is not None, timeout=MODEL_TIMEOUT_MS)
    qtbot.waitUntil(lambda: win.last_prediction is not None, timeout=5000)
    return win


