import json

import numpy as np
import pytest

from digitpad import Predictor
from digitpad.cli import main
from digitpad.export import ExportError, export_model


def test_onnx_export_matches_pytorch_through_onnxruntime(tmp_path, tiny_checkpoint):
    ort = pytest.importorskip("onnxruntime")
    predictor = Predictor.from_checkpoint(tiny_checkpoint, device="cpu")
    model, info = export_model(predictor, tmp_path / "digits", "onnx")
    assert model.suffix == ".onnx" and info.name == "digits.onnx.json"
    contract = json.loads(info.read_text())
    assert contract["input"]["shape"] == ["N", 1, 28, 28] and contract["classes"][3] == "3"
    inputs = np.random.default_rng(0).random((7, 28, 28)).astype(np.float32)
    session = ort.InferenceSession(str(model))
    (probs,) = session.run(None, {"image": inputs[:, None]})
    np.testing.assert_allclose(probs, predictor.probabilities(inputs), atol=1e-5)


def test_torchscript_export_from_the_cli(tmp_path, tiny_checkpoint, capsys):
    import torch

    out = tmp_path / "digits.pt"
    assert main(["export-model", str(out), "--format", "torchscript", "--weights", str(tiny_checkpoint)]) == 0
    assert "wrote" in capsys.readouterr().out
    loaded = torch.jit.load(str(out))
    inputs = np.random.default_rng(1).random((3, 28, 28)).astype(np.float32)
    expected = Predictor.from_checkpoint(tiny_checkpoint, device="cpu").probabilities(inputs)
    np.testing.assert_allclose(loaded(torch.from_numpy(inputs[:, None])).numpy(), expected, atol=1e-5)
    assert json.loads((tmp_path / "digits.pt.json").read_text())["format"] == "torchscript"


def test_unknown_formats_are_refused(tmp_path, tiny_checkpoint):
    with pytest.raises(ExportError, match="known: onnx, torchscript"):
        export_model(Predictor.from_checkpoint(tiny_checkpoint, device="cpu"), tmp_path / "x", "tflite")
