import os
import pickle
from pathlib import Path

import pytest
import torch

from digitpad import checkpoint as ckpt
from digitpad.checkpoint import CheckpointError
from digitpad.models import build_model


def make(arch="mlp"):
    torch.manual_seed(0)
    return ckpt.from_model(build_model(arch), arch, {}, epochs=1)


def test_round_trip_gives_identical_outputs(tmp_path):
    saved = make("cnn")
    ckpt.save(saved, tmp_path / "m.pt")
    loaded = ckpt.load(tmp_path / "m.pt")
    x = torch.randn(4, 1, 28, 28)
    with torch.no_grad():
        assert torch.equal(saved.build()(x), loaded.build()(x))
    assert loaded.input == {"size": 28, "mean": 0.1307, "std": 0.3081,
                            "ink": "light-on-dark", "preprocess": "mnist-v1"}
    assert loaded.classes == [str(d) for d in range(10)]
    assert {"date", "versions", "epochs"} <= set(loaded.meta)


def test_an_interrupted_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    target = tmp_path / "m.pt"
    ckpt.save(make(), target)
    before = target.read_bytes()

    def crash_midway(obj, f, *args, **kwargs):
        Path(f).write_bytes(b"half a checkpoint")
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", crash_midway)
    with pytest.raises(OSError, match="disk full"):
        ckpt.save(make("cnn"), target)
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.pt"]  # no temp file left behind


class Exploit:
    def __reduce__(self):
        return (os.system, (f"touch {MARKER}",))


MARKER = "/tmp/digitpad-test-exploit-ran"


def test_a_malicious_pickle_is_refused_without_running_its_code(tmp_path):
    if os.path.exists(MARKER):
        os.remove(MARKER)
    path = tmp_path / "evil.pt"
    torch.save({"format": ckpt.FORMAT, "payload": Exploit()}, path)
    with pytest.raises(CheckpointError, match="refused 'evil.pt'"):
        ckpt.load(path)
    assert not os.path.exists(MARKER)
    plain = tmp_path / "plain.pkl"
    plain.write_bytes(pickle.dumps(Exploit()))
    with pytest.raises(CheckpointError):
        ckpt.load(plain)
    assert not os.path.exists(MARKER)


def test_truncated_corrupt_foreign_and_mismatched_files_are_clear_errors(tmp_path):
    good = tmp_path / "good.pt"
    ckpt.save(make(), good)
    cases = {
        "truncated.pt": good.read_bytes()[: len(good.read_bytes()) // 2],
        "garbage.pt": os.urandom(2000),
        "empty.pt": b"",
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(CheckpointError, match="truncated, corrupt or not a PyTorch"):
            ckpt.load(tmp_path / name)
    torch.save({"weights": torch.zeros(3)}, tmp_path / "foreign.pt")
    with pytest.raises(CheckpointError, match="not a digitpad checkpoint"):
        ckpt.load(tmp_path / "foreign.pt")
    mismatched = make("cnn")
    mismatched.arch = "mlp"
    ckpt.save(mismatched, tmp_path / "wrong.pt")
    with pytest.raises(CheckpointError, match="do not fit the 'mlp' architecture"):
        ckpt.load(tmp_path / "wrong.pt")
    unknown = make()
    unknown.arch = "transformer"
    ckpt.save(unknown, tmp_path / "unknown.pt")
    with pytest.raises(CheckpointError, match="known models: cnn, mlp"):
        ckpt.load(tmp_path / "unknown.pt")
    torch.save({"format": ckpt.FORMAT, "input": "28"}, tmp_path / "incomplete.pt")
    with pytest.raises(CheckpointError, match="incomplete"):
        ckpt.load(tmp_path / "incomplete.pt")
    with pytest.raises(CheckpointError, match="no such file"):
        ckpt.load(tmp_path / "absent.pt")
