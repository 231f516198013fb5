"""A network as it runs for one drawing (or a few): the live path's speed.

A drawing is one 28x28 input, so a prediction is dominated by per-call overheads, not
arithmetic. Measured on the shipped MLP and gate (1 thread, cProfile and alternating
A/B timings): each nn.Module call costs about 4 us (21 calls a prediction), normalising
the input about 30 us per network, and PyTorch's pooling in the ordinary memory layout
4-8x what it costs channels-last. So, for predicting only, a Sequential network becomes
a flat list of torch functions over folded weights:

- each BatchNorm folded into the convolution before it, Dropout left out;
- the input normalisation (x - mean) / std folded into the first layer: fully into a
  first Linear with a bias; into a first convolution as its weights / std, leaving one subtraction
  (exact at the borders too: zero padding of x - mean is zero padding of the normalised
  input);
- the softmax temperature folded into the last Linear (logits / T);
- every layer after the first convolution channels-last (the first one, which reads a
  single channel, is 3-4x faster in the ordinary layout).

The result equals the module's output to float rounding (tests/test_one_drawing.py).
"""

from __future__ import annotations

import copy
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

Step = Callable[[torch.Tensor], torch.Tensor]


def fused_for_inference(model: nn.Module) -> nn.Module:
    """A copy of a Sequential model for predicting only: BatchNorm folded into the
    convolution before it, Dropout left out, layouts as above. Plain eager modules."""
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    if not isinstance(model, nn.Sequential):
        return copy.deepcopy(model).eval().requires_grad_(False)  # folding must not touch the original
    layers: list[nn.Module] = []
    for layer in copy.deepcopy(model).eval():
        if isinstance(layer, nn.BatchNorm2d) and layers and isinstance(layers[-1], nn.Conv2d):
            layers[-1] = fuse_conv_bn_eval(layers[-1], layer)
        elif not isinstance(layer, nn.Dropout):
            layers.append(layer)
    return nn.Sequential(*_layouts_for_one_drawing(layers)).eval().requires_grad_(False)


class ToChannelsLast(nn.Module):
    """Changes the memory layout only: the values are untouched."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.contiguous(memory_format=torch.channels_last)


def _layouts_for_one_drawing(layers: list[nn.Module]) -> list[nn.Module]:
    layers = [layer.to(memory_format=torch.contiguous_format) for layer in layers]
    if not layers or not isinstance(layers[0], nn.Conv2d):
        return layers
    return [layers[0], ToChannelsLast()] + [layer.to(memory_format=torch.channels_last) for layer in layers[1:]]


class FlatNetwork:
    """`model` for raw 0..1 inputs of shape (N, 28, 28) or (N, 1, 28, 28):
    softmax(model((x - mean) / std) / T) as a flat list of torch calls. Not an nn.Module:
    nothing to train, nothing to export."""

    def __init__(self, model: nn.Module, mean: float, std: float, temperature: float = 1.0):
        fused = fused_for_inference(model)
        layers = list(fused) if isinstance(fused, nn.Sequential) else [fused]
        self._shift = _fold_normalisation(layers, mean, std)
        _fold_temperature(layers, temperature)
        self._steps = [_as_step(layer) for layer in layers]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 3:
            x = x.unsqueeze(1)
        if self._shift is not None:
            x = x - self._shift
        for step in self._steps:
            x = step(x)
        return torch.softmax(x.float(), dim=1)


def _fold_normalisation(layers: list[nn.Module], mean: float, std: float) -> float | None:
    """Fold (x - mean) / std into the first weighted layer; returns the mean when a
    subtraction must stay (a first convolution, or a network this cannot fold into)."""
    first = 1 if len(layers) > 1 and isinstance(layers[0], nn.Flatten) else 0
    layer = layers[first] if layers else None
    with torch.no_grad():
        if isinstance(layer, nn.Linear) and layer.bias is not None:
            layer.bias -= (mean / std) * layer.weight.sum(dim=1)
            layer.weight /= std
            return None
        if isinstance(layer, nn.Conv2d) and first == 0:
            layer.weight /= std
            return mean
    layers.insert(0, _Scale(1.0 / std))  # anything else: normalise as the module would
    return mean


def _fold_temperature(layers: list[nn.Module], temperature: float) -> None:
    last = layers[-1] if layers else None
    if temperature == 1.0:
        return
    if isinstance(last, nn.Linear):
        with torch.no_grad():
            last.weight /= temperature
            if last.bias is not None:
                last.bias /= temperature
    else:
        layers.append(_Scale(1.0 / temperature))


class _Scale(nn.Module):
    def __init__(self, factor: float):
        super().__init__()
        self.factor = factor

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.factor


def _as_step(layer: nn.Module) -> Step:
    """The torch function a layer calls, bound to its weights; the layer itself for
    anything else (correct, only slower)."""
    if isinstance(layer, nn.Conv2d) and layer.padding_mode == "zeros":
        weight, bias = layer.weight, layer.bias
        stride, padding, dilation, groups = layer.stride, layer.padding, layer.dilation, layer.groups
        return lambda x: F.conv2d(x, weight, bias, stride, padding, dilation, groups)
    if isinstance(layer, nn.Linear):
        weight, bias = layer.weight, layer.bias
        return lambda x: F.linear(x, weight, bias)
    if isinstance(layer, nn.ReLU):
        return torch.relu
    if isinstance(layer, nn.MaxPool2d) and not layer.return_indices:
        kernel, stride, padding, dilation, ceil = (layer.kernel_size, layer.stride, layer.padding,
                                                   layer.dilation, layer.ceil_mode)
        return lambda x: F.max_pool2d(x, kernel, stride, padding, dilation, ceil)
    if isinstance(layer, nn.Flatten) and (layer.start_dim, layer.end_dim) == (1, -1):
        return lambda x: x.flatten(1)
    return layer
