import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(int)


def test_emitting_signals_keeps_reference_counts_intact():
    # PySide6 6.12.0 drops a reference to True on every emit; before Python 3.12 that
    # crashes the app after a few thousand live predictions. pyproject.toml excludes it.
    emitter = _Emitter()
    received = []
    emitter.fired.connect(received.append)
    before = sys.getrefcount(True)
    for i in range(200):
        emitter.fired.emit(i)
    assert len(received) == 200
    assert sys.getrefcount(True) - before >= 0
