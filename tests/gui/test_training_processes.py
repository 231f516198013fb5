"""The training panel's "Processes" option: rank 0's progress shown, cancel stops them all."""

from pathlib import Path

import pytest

from digitpad.synth import write_digit_folder

from .drawing import start_long_training


def _processes_training_on(folder: Path) -> list[int]:
    """Live processes whose command line names `folder`: torchrun and its workers."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(folder).encode() in cmdline.read_bytes() and \
                    "zombie" not in (cmdline.parent / "status").read_text():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads /proc")
def test_training_on_two_processes_shows_progress_and_cancel_stops_every_process(window, qtbot, tmp_path):
    folder = write_digit_folder(tmp_path / "digits", per_class=12, size=32)
    panel = window.training_panel
    panel.model_choice.setCurrentIndex(panel.model_choice.findData("mlp"))
    panel.processes.setValue(2)
    with qtbot.waitSignal(panel.trainingCancelled, timeout=180_000):
        start_long_training(panel, qtbot, folder)
        qtbot.waitUntil(lambda: panel.progress_bar.value() > 0 and "Epoch" in panel.progress_label.text(),
                        timeout=150_000)
        assert len(_processes_training_on(folder)) == 3  # torchrun and two workers
        panel.cancel_button.click()
    assert _processes_training_on(folder) == []
    assert "Cancelled" in panel.progress_label.text()
    qtbot.waitUntil(panel.start_button.isEnabled, timeout=10_000)  # once the worker has ended
