"""The networks: the tutorial's MLP and a small CNN, built by name from a registry.

Models take normalised 28x28 inputs of shape (N, 1, 28, 28) and return logits; the
softmax happens in inference, and the loss (cross-entropy) applies its own.
"""

from __future__ import annotations

import torch
from torch import nn

from . import preprocess
from .errors import DigitpadError

NUM_CLASSES = 10


class UnknownModelError(DigitpadError, ValueError):
    pass


def mlp(hidden: int = 256, classes: int = NUM_CLASSES) -> nn.Sequential:
    """The tutorial's network, exactly: 784 -> 256 -> ReLU -> 10."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(28 * 28, hidden),
        nn.ReLU(),
        nn.Linear(hidden, classes),
    )


def _conv_block(cin: int, cout: int, kernel: int, stride: int = 1, pool: bool = True) -> list[nn.Module]:
    # BatchNorm makes the small net train fast and stable at Adam's default rate;
    # the conv's own bias would be cancelled by it, so it has none.
    layers = [nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False),
              nn.BatchNorm2d(cout), nn.ReLU()]
    return layers + [nn.MaxPool2d(2)] if pool else layers


# The first shipped CNN (width 32): (32, 64, 64) channels, a stride-1 first convolution
# and a pool after it, 6.1 million multiply-adds per image; a training epoch took 4.5x
# classic LeNet-5's (issue 10). Checkpoints that predate `channels` hold it.
CHANNELS = (16, 32, 64)


def cnn(
    channels: tuple[int, int, int] | list[int] = CHANNELS, hidden: int = 128, dropout: float = 0.3,
    classes: int = NUM_CLASSES, width: int | None = None,
) -> nn.Sequential:
    """Three conv blocks (28 -> 14 -> 7 -> 3 px), then two linear layers.

    The first convolution moves in steps of 2 instead of being pooled: the 28x28 maps
    that cost much of the first layout's time are never made. 2.0 million multiply-adds
    and 99k parameters per image at (16, 32, 64), a third of the first layout's 6.1 million. Weights are kept
    channels-last, the layout the CPU's convolution kernels run fastest on.
    The input of the last Linear (`hidden` features after ReLU) is the penultimate layer
    that look-alike search and feature views read. `width` rebuilds the first shipped
    layout: (w, 2w, 2w) channels with a stride-1, pooled first block.
    """
    if width is not None:
        c1, c2, c3 = width, 2 * width, 2 * width
        stem = _conv_block(1, c1, 5)
    else:
        c1, c2, c3 = channels
        stem = _conv_block(1, c1, 5, stride=2, pool=False)
    model = nn.Sequential(
        *stem,
        *_conv_block(c1, c2, 3),
        *_conv_block(c2, c3, 3),
        nn.Flatten(),
        nn.Dropout(dropout),
        nn.Linear(c3 * 3 * 3, hidden),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(hidden, classes),
    )
    return model.to(memory_format=torch.channels_last)


def args_for_weights(arch: str, args: dict, state_dict: dict) -> dict:
    """The architecture arguments that rebuild a saved model: checkpoints of the first
    CNN were saved before it had `channels` and name none."""
    first = state_dict.get("0.weight")
    if arch == "cnn" and "channels" not in args and "width" not in args and first is not None:
        if first.shape[0] != CHANNELS[0]:  # (the new stem is 16 wide, the first one 32)
            return {**args, "width": int(first.shape[0])}
    return args


MODELS = {"mlp": mlp, "cnn": cnn}


def build_model(name: str, **kwargs) -> nn.Module:
    """The network called `name`, built with `kwargs` (as stored in checkpoints)."""
    try:
        factory = MODELS[name]
    except KeyError:
        known = ", ".join(sorted(MODELS))
        raise UnknownModelError(f"unknown model '{name}'; known models: {known}") from None
    return factory(**kwargs)


def normalise(
    x: torch.Tensor, mean: float = preprocess.MEAN, std: float = preprocess.STD
) -> torch.Tensor:
    """(N, 28, 28) floats in 0..1 -> the (N, 1, 28, 28) normalised input of the models."""
    return ((x - mean) / std).unsqueeze(1)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def fused_for_inference(model: nn.Module) -> nn.Module:
    """A copy of a Sequential model for predicting only: each BatchNorm folded into the
    convolution before it and Dropout (which does nothing when predicting) left out, so
    one drawing goes through fewer layers. Plain eager modules: safe in any thread."""
    import copy

    from torch.nn.utils.fusion import fuse_conv_bn_eval

    if not isinstance(model, nn.Sequential):
        return model
    layers: list[nn.Module] = []
    for layer in copy.deepcopy(model).eval():
        if isinstance(layer, nn.BatchNorm2d) and layers and isinstance(layers[-1], nn.Conv2d):
            layers[-1] = fuse_conv_bn_eval(layers[-1], layer)
        elif not isinstance(layer, nn.Dropout):
            layers.append(layer)
    return nn.Sequential(*layers).eval().requires_grad_(False)
