"""The app's state without any Qt: requests, generations, fall-back, comparing, events."""

import subprocess
import sys
from types import SimpleNamespace

from digitpad.gui.state import AppState, Event


def model(source, device="cpu", arch=None):
    return SimpleNamespace(source=source, device=device, arch=arch or source, name=source)


class Recorder:
    def __init__(self):
        self.calls = []

    def note(self, *args):
        self.calls.append(args)


def test_the_state_imports_no_qt():
    code = "import sys, digitpad.gui.state; print(any(m.startswith('PySide6') for m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout.strip() == "False", run.stderr


def test_only_the_latest_request_is_taken():
    state, changes = AppState(), Recorder()
    state.model_changed.connect(changes.note)
    first = state.request_model("mlp", "cpu")
    second = state.request_model("cnn", "cpu")
    assert not state.model_loaded(first, model("mlp"))  # stale: ignored
    assert state.predictor is None and changes.calls == []
    assert state.model_loaded(second, model("cnn"))
    assert state.predictor.source == "cnn" and len(changes.calls) == 1
    assert state.settings["model"] == "cnn" and not state.loading


def test_a_refused_model_keeps_the_one_in_use_and_a_gone_device_falls_back_to_cpu():
    state, requests, refusals = AppState(), Recorder(), Recorder()
    state.model_requested.connect(requests.note)
    state.model_refused.connect(refusals.note)
    generation = state.request_model("cnn", "cuda:7")
    state.model_failed(generation, "cnn", "cuda:7", "no cuda:7")
    assert refusals.calls == [("no cuda:7", True)]
    assert requests.calls[-1] == (generation + 1, "cnn", "cpu")  # asked again, on the CPU
    state.model_loaded(generation + 1, model("cnn"))
    bad = state.request_model("/tmp/broken.pt")
    state.model_failed(bad, "/tmp/broken.pt", "cpu", "not a checkpoint")
    assert refusals.calls[-1] == ("not a checkpoint", False)
    assert state.predictor.source == "cnn" and state.requested == ("cnn", "cpu")


def test_comparing_asks_for_the_other_network_and_drops_it_when_off():
    state, partners, requests = AppState(), Recorder(), Recorder()
    state.partner_changed.connect(partners.note)
    state.partner_requested.connect(requests.note)
    state.model_loaded(state.request_model("cnn"), model("cnn"))
    state.set_compare(True)
    generation, source, device = requests.calls[-1]
    assert (source, device) == ("mlp", "cpu")
    state.partner_loaded(generation, model("mlp"))
    assert [p.source for p in state.predictors()] == ["cnn", "mlp"]
    state.set_compare(False)
    assert partners.calls[-1] == (None,) and len(state.predictors()) == 1


def test_events_hold_their_observers_weakly():
    event, recorder = Event(), Recorder()
    event.connect(recorder.note)
    event.emit(1)
    del recorder  # by reference count alone: no collector run needed
    event.emit(2)  # nobody left to call, and no error
    assert event._observers == []
