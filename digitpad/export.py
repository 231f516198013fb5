"""Export a model for use outside digitpad: ONNX or TorchScript, plus its input contract.

The exported graph takes what digitpad's preprocessing makes, (N, 1, 28, 28) floats in
0..1 with light ink on black and the digit centred MNIST-style, and returns calibrated
probabilities (N, 10): normalisation and temperature are inside the graph, so a user of
the file only has to preprocess. A JSON file beside it spells the contract out.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from torch import nn

from . import preprocess
from .errors import DigitpadError
from .files import atomic_write
from .inference import Predictor
from .scoring import CalibratedClassifier

FORMATS = {"onnx": ".onnx", "torchscript": ".pt"}


class ExportError(DigitpadError):
    pass


def contract(predictor: Predictor, fmt: str) -> dict:
    checkpoint = predictor.checkpoint
    return {
        "format": fmt,
        "input": {
            "name": "image", "shape": ["N", 1, preprocess.SIZE, preprocess.SIZE], "dtype": "float32",
            "range": [0.0, 1.0], "ink": "light-on-dark",
            "preprocessing": f"digitpad.preprocess.preprocess ({preprocess.VERSION}): crop to the ink, "
                             "longer side scaled to 20 px, centre of mass at the centre of 28x28",
            "normalisation_inside": {"mean": predictor.contract.mean, "std": predictor.contract.std},
        },
        "output": {"name": "probs", "shape": ["N", len(checkpoint.classes)],
                   "meaning": "softmax(logits / temperature)", "temperature": predictor.temperature},
        "classes": list(checkpoint.classes),
        "architecture": {"name": checkpoint.arch, "args": checkpoint.arch_args},
        "trained": {k: checkpoint.meta.get(k) for k in ("date", "epochs", "best_val_accuracy", "test_accuracy")},
    }


def export_model(predictor: Predictor, out: str | os.PathLike, fmt: str = "onnx") -> tuple[Path, Path]:
    """Write the model and OUT.json (its contract); both atomically. Returns both paths."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format '{fmt}'; known: {', '.join(FORMATS)}")
    out = Path(out)
    if not out.suffix:
        out = out.with_suffix(FORMATS[fmt])
    # A fresh CPU copy of the network: the exporters trace it, the live one stays untouched.
    graph = CalibratedClassifier(predictor.checkpoint.build(), predictor.contract).eval().requires_grad_(False)
    example = torch.zeros(1, 1, preprocess.SIZE, preprocess.SIZE)
    with atomic_write(out) as tmp:
        if fmt == "onnx":
            _write_onnx(graph, example, tmp)
        else:
            torch.jit.trace(graph, example).save(str(tmp))
    info = out.with_name(out.name + ".json")
    with atomic_write(info) as tmp:
        tmp.write_text(json.dumps(contract(predictor, fmt), indent=2))
    return out, info


def _write_onnx(graph: nn.Module, example: torch.Tensor, path: Path) -> None:
    try:
        import onnx  # noqa: F401  (torch's exporter needs onnx and onnxscript)
        import onnxscript  # noqa: F401
    except ImportError:
        raise ExportError("ONNX export needs the onnx and onnxscript packages: "
                          "pip install 'digitpad[export]'") from None
    batch = torch.export.Dim("batch", min=1, max=4096)
    program = torch.onnx.export(graph, (example,), dynamo=True, input_names=["image"],
                                output_names=["probs"], dynamic_shapes=({0: batch},),
                                verbose=False)
    program.save(str(path))
