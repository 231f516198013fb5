"""Windows live and die cleanly: processes exit with the status they asked for, windows
are freed by reference count on the GUI thread, garbage collection stays on."""

import gc
import os
import subprocess
import sys
import weakref

import pytest

from .conftest import MODEL_TIMEOUT_MS
from .drawing import draw_stroke, loop, wait_for_prediction

START = (
    "import sys, time\n"
    "from PySide6.QtWidgets import QApplication\n"
    "a = QApplication([])\n"
    "from digitpad.gui import create_main_window\n"
    "w = create_main_window(); w.show(); a.processEvents()\n"
)
WAIT_FOR_MODEL = (
    "end = time.monotonic() + 60\n"
    "while w.predictor is None and time.monotonic() < end:\n"
    "    a.processEvents(); time.sleep(0.01)\n"
)
READ_A_DRAWING = WAIT_FOR_MODEL + (
    "from tests.gui.drawing import draw_stroke, loop\n"
    "draw_stroke(w.canvas, loop())\n"
    "while not w.prediction_is_current() and time.monotonic() < end:\n"
    "    a.processEvents(); time.sleep(0.01)\n"
    "assert w.last_prediction.digit == 0\n"
)
# The script endings of issue 9: none of them closes its window.
ENDINGS = {
    "ends while the model is still loading": (START, 0),
    "ends after the model loaded": (START + WAIT_FOR_MODEL, 0),
    "ends after a drawing was read": (START + READ_A_DRAWING, 0),
    "raises after show()": (START + "raise RuntimeError('a script that fails')\n", 1),
}
# DIGITPAD_LIFETIME_RUNS=3 runs each ending three times in fresh processes.
RUNS = int(os.environ.get("DIGITPAD_LIFETIME_RUNS", "1"))


@pytest.mark.parametrize("run", range(RUNS))
@pytest.mark.parametrize("ending", ENDINGS)
def test_a_script_exits_with_the_status_it_asked_for(ending, run, tmp_path):
    code, status = ENDINGS[ending]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert done.returncode == status, done.stderr[-2000:]
    assert "QThread: Destroyed" not in done.stderr


def test_a_closed_window_is_freed_by_reference_count_with_gc_on(qtbot):
    from digitpad.gui import create_main_window

    assert gc.isenabled()
    window = create_main_window()
    window.show()
    qtbot.waitUntil(lambda: window.predictor is not None, timeout=MODEL_TIMEOUT_MS)
    draw_stroke(window.canvas, loop())
    wait_for_prediction(qtbot, window)
    window.close()
    alive = weakref.ref(window)
    gc.disable()  # prove it: no cycle collector may be needed to free it
    try:
        del window
        assert alive() is None, [type(r).__name__ for r in gc.get_referrers(alive())]
    finally:
        gc.enable()


def test_ctrl_c_in_the_terminal_quits_the_app_cleanly(tmp_path):
    import signal

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path),
               DIGITPAD_STARTUP_PROBE="1")
    app = subprocess.Popen([sys.executable, "-m", "digitpad", "gui"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert app.stdout.readline().startswith("window")  # on screen; the model is still loading
        app.send_signal(signal.SIGINT)
        status = app.wait(timeout=60)
    finally:
        app.kill()
    stderr = app.stderr.read()
    assert status == 128 + signal.SIGINT, stderr
    assert "Traceback" not in stderr and "QThread: Destroyed" not in stderr


def test_heavy_imports_leave_collection_on_and_their_objects_frozen():
    """torch's compiler stack (imported by every optimizer) made full collections of
    60-140 ms on the worker threads, which froze the window; see jobs.import_quietly."""
    code = (
        "import gc, sys\n"
        "from digitpad.gui.jobs import import_quietly\n"
        "frozen = gc.get_freeze_count()\n"
        "import_quietly('torch._dynamo')\n"
        "assert 'torch._dynamo' in sys.modules and gc.isenabled()\n"
        "assert gc.get_freeze_count() - frozen > 100_000, gc.get_freeze_count()\n"
        "assert len(gc.get_objects(2)) < 20_000, len(gc.get_objects(2))\n"
        "assert 'digitpad.train' not in sys.modules\n"
        "gc.disable(); import_quietly('digitpad.train'); assert not gc.isenabled()\n"  # left as it was
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
