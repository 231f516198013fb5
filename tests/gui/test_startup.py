from PySide6.QtCore import QEvent, QObject

from .conftest import MODEL_TIMEOUT_MS


class _PaintCounter(QObject):
    def __init__(self):
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def test_the_model_starts_loading_only_after_the_canvas_is_painted(qtbot):
    # The background `import torch` holds the GIL for seconds: started before the first
    # paint, it delays the window the user is waiting for.
    from digitpad.gui import create_main_window
    from digitpad.gui.state import AppState

    window = create_main_window()
    qtbot.addWidget(window)
    counter = _PaintCounter()
    window.canvas.installEventFilter(counter)
    paints_when_asked = []
    state_request = AppState.request_model

    def request_model(state, *args):
        paints_when_asked.append(counter.paints)
        return state_request(state, *args)

    window.state.request_model = request_model.__get__(window.state)
    window.show()
    qtbot.waitUntil(lambda: window.predictor is not None, timeout=MODEL_TIMEOUT_MS)
    assert paints_when_asked and paints_when_asked[0] >= 1
    window.canvas.removeEventFilter(counter)


def test_a_window_never_shown_still_loads_its_model(qtbot):
    from digitpad.gui import create_main_window

    window = create_main_window()
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.predictor is not None, timeout=MODEL_TIMEOUT_MS)
