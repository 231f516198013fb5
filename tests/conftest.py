import os

# Before anything imports Qt: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from digitpad.synth import write_digit_folder  # noqa: E402


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """Each test gets its own dataset cache, so no test sees another's (or the user's)."""
    monkeypatch.setenv("DIGITPAD_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # saved drawings stay here


@pytest.fixture(scope="session")
def digit_folder(tmp_path_factory):
    """A small ImageFolder of pen-drawn digits, 24 per class, both polarities."""
    return write_digit_folder(tmp_path_factory.mktemp("digits"), per_class=24, seed=1, size=48)


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory, digit_folder):
    """An MLP trained for a few seconds on digit_folder: its best.pt path."""
    from digitpad.data import load_folder
    from digitpad.train import TrainConfig, train

    out = tmp_path_factory.mktemp("run")
    config = TrainConfig(model="mlp", epochs=3, batch_size=32, val_split=0.2, device="cpu",
                         out_dir=str(out), seed=0)
    dataset = load_folder(digit_folder, cache_dir=out / "cache")
    records = list(train(config, dataset))
    assert records[-1].kind == "done"
    return out / "best.pt"
