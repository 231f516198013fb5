"""Looking inside the networks: what each layer makes of a drawing, and the tutorial's
convolution worked through by hand.

`layer_outputs` runs a model one layer at a time and keeps every intermediate result,
named as a learner would name it (the style of CNN Explainer). `worked_example` does the
tutorial's 5x5 * 3x3 convolution, ReLU, max-pooling and flattening in plain numpy, and
writes down the multiply-and-add behind every output cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # the worked example needs no torch: the app shows it before torch loads
    from .inference import Predictor

# The tutorial's example: a 5x5 input, a 3x3 kernel, stride 1, no padding, no bias.
TUTORIAL_INPUT = [[3, 3, 2, 1, 0], [2, 3, 2, 1, 0], [3, 3, 2, 1, 0], [4, 3, 2, 1, 0], [1, 3, 2, 1, 0]]
TUTORIAL_KERNEL = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]


@dataclass
class LayerOutput:
    name: str  # "Conv2d 1", "ReLU 1", "MaxPool2d 1", "Linear 2" ...
    kind: str  # the layer's class name
    values: np.ndarray  # this layer's output for one input: (C, H, W) or (features,)


def layer_outputs(predictor: "Predictor", digit: np.ndarray) -> list[LayerOutput]:
    """Every layer's output for one preprocessed 28x28 input (the model must be Sequential)."""
    import torch
    from torch import nn

    model = predictor.model
    if not isinstance(model, nn.Sequential):
        raise TypeError("layer_outputs needs an nn.Sequential model")
    outputs, counts = [], {}
    with torch.inference_mode():
        x = predictor.scorer.normalised(digit[None])
        for layer in model:
            x = layer(x)
            kind = type(layer).__name__
            counts[kind] = counts.get(kind, 0) + 1
            outputs.append(LayerOutput(f"{kind} {counts[kind]}", kind, x[0].float().cpu().numpy()))
    probs = predictor.probabilities(digit[None])[0]  # the calibrated softmax the app shows
    outputs.append(LayerOutput("Softmax", "Softmax", probs))
    return outputs


@dataclass
class Cell:
    value: float
    working: str  # how the value was made, e.g. "3×0 + 3×1 + ... = 24"


@dataclass
class WorkedExample:
    input: np.ndarray
    kernel: np.ndarray
    conv: list[list[Cell]]
    relu: list[list[Cell]]
    pool: list[list[Cell]]
    flat: list[Cell]


def _number(value: float) -> str:
    return f"{value:g}"


def convolve(image: np.ndarray, kernel: np.ndarray) -> list[list[Cell]]:
    """Valid cross-correlation, stride 1 (what Conv2d computes), with its arithmetic."""
    kh, kw = kernel.shape
    rows = []
    for r in range(image.shape[0] - kh + 1):
        row = []
        for c in range(image.shape[1] - kw + 1):
            patch = image[r : r + kh, c : c + kw]
            terms = [f"{_number(a)}×{_number(b)}" for a, b in zip(patch.ravel(), kernel.ravel())]
            value = float((patch * kernel).sum())
            row.append(Cell(value, " + ".join(terms) + f" = {_number(value)}"))
        rows.append(row)
    return rows


def relu(cells: list[list[Cell]]) -> list[list[Cell]]:
    return [[Cell(max(cell.value, 0.0), f"max(0, {_number(cell.value)}) = {_number(max(cell.value, 0.0))}")
             for cell in row] for row in cells]


def max_pool(cells: list[list[Cell]], kernel: int = 2, stride: int = 2, padding: int = 1) -> list[list[Cell]]:
    """MaxPool2d: padding adds cells that never win (PyTorch pads with -infinity)."""
    values = np.array([[cell.value for cell in row] for row in cells])
    padded = np.full((values.shape[0] + 2 * padding, values.shape[1] + 2 * padding), -np.inf)
    padded[padding : padding + values.shape[0], padding : padding + values.shape[1]] = values
    size = (padded.shape[0] - kernel) // stride + 1, (padded.shape[1] - kernel) // stride + 1
    rows = []
    for r in range(size[0]):
        row = []
        for c in range(size[1]):
            window = padded[r * stride : r * stride + kernel, c * stride : c * stride + kernel].ravel()
            seen = [_number(v) for v in window if np.isfinite(v)]
            best = float(window.max())
            row.append(Cell(best, f"max({', '.join(seen)}) = {_number(best)}  (padding ignored)"))
        rows.append(row)
    return rows


def worked_example(image=TUTORIAL_INPUT, kernel=TUTORIAL_KERNEL) -> WorkedExample:
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    conv = convolve(image, kernel)
    rectified = relu(conv)
    pooled = max_pool(rectified)
    flat = [cell for row in pooled for cell in row]
    return WorkedExample(image, kernel, conv, rectified, pooled, flat)


def conv_kernels(predictor: "Predictor", conv_index: int = 0) -> np.ndarray:
    """The filters of the model's `conv_index`-th Conv2d as (out channels, kh, kw); a filter
    over several input channels is shown as their sum (what it adds up to)."""
    import torch.nn as nn

    convs = [m for m in predictor.model.modules() if isinstance(m, nn.Conv2d)]
    if conv_index >= len(convs):
        raise ValueError("this model has no convolution layer there")
    return convs[conv_index].weight.detach().float().cpu().numpy().sum(axis=1)


def conv_index_for(layers: list[LayerOutput], layer_index: int) -> int | None:
    """Which Conv2d (0 for the first) made the maps of layer `layer_index`; None when
    that layer's output is not a stack of maps."""
    if layers[layer_index].values.ndim != 3:
        return None
    count = sum(layer.kind == "Conv2d" for layer in layers[: layer_index + 1])
    return count - 1 if count else None


def pixel_contributions(predictor: "Predictor", digit: np.ndarray, target: int | None = None) -> tuple[int, np.ndarray]:
    """(digit, 28x28 map) of how much each input pixel pushed that digit's score up (>0)
    or down (<0): the pixel's ink times the score's gradient with respect to it. For the
    tutorial's MLP this is exactly 'weights times input' summed along the active hidden
    units; blank paper (ink 0) contributes nothing."""
    import torch

    from .scoring import normalise

    x = torch.as_tensor(np.asarray(digit, dtype=np.float32)).to(predictor.device)
    x = x.view(1, *digit.shape).requires_grad_(True)
    with torch.enable_grad():
        logits = predictor.model.eval()(normalise(x, predictor.contract))
        target = int(logits.argmax()) if target is None else target
        # autograd.grad, not backward(): the live model's parameters gather no gradients.
        (gradient,) = torch.autograd.grad(logits[0, target], x)
    return target, (gradient * x).detach()[0].float().cpu().numpy()
