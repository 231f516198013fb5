"""Random changes to training batches so the models meet digits as people draw them.

Every sample gets its own small affine jitter (rotation, scale, shear, shift); some get
their strokes thickened or thinned; optionally, a smooth elastic warp (Simard et al.,
2003). Measured here, the warp made the shipped CNN worse on hand-drawn digits (99.1% ->
98.2%) and on MNIST (99.57% -> 99.53%), so the shipped recipe leaves it off. All of it is batched tensor work, so it costs a
fraction of the forward pass on the CPU and runs on whatever device holds the batch.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

MAX_ROTATION_DEG = 12.0
SCALE_RANGE = (0.85, 1.10)
MAX_SHEAR = 0.2
MAX_SHIFT_PX = 2.0
THICKEN_SHARE = 0.2  # of samples whose strokes get partly dilated
THIN_SHARE = 0.15  # of samples whose strokes get partly eroded
ELASTIC_PX = 1.5  # largest displacement of the elastic warp, in pixels
ELASTIC_GRID = 4  # control points per side: a few smooth bends across the digit


def _uniform(n: int, low: float, high: float, generator: torch.Generator) -> torch.Tensor:
    return torch.rand(n, generator=generator) * (high - low) + low


def random_affine(x: torch.Tensor, generator: torch.Generator, elastic: bool = False) -> torch.Tensor:
    """x: (N, H, W) in 0..1 -> the same, each sample moved by its own small affine map."""
    n, height, width = x.shape
    angle = _uniform(n, -MAX_ROTATION_DEG, MAX_ROTATION_DEG, generator) * (math.pi / 180)
    zoom = _uniform(n, *SCALE_RANGE, generator)
    shear = _uniform(n, -MAX_SHEAR, MAX_SHEAR, generator)
    shift_x = _uniform(n, -MAX_SHIFT_PX, MAX_SHIFT_PX, generator) * (2 / width)
    shift_y = _uniform(n, -MAX_SHIFT_PX, MAX_SHIFT_PX, generator) * (2 / height)
    cos, sin = torch.cos(angle), torch.sin(angle)
    # theta maps output to input coordinates: rotation @ shear, divided by the zoom.
    theta = torch.stack(
        [
            torch.stack([cos / zoom, (cos * shear - sin) / zoom, shift_x], dim=1),
            torch.stack([sin / zoom, (sin * shear + cos) / zoom, shift_y], dim=1),
        ],
        dim=1,
    ).to(x.device, x.dtype)
    grid = F.affine_grid(theta, (n, 1, height, width), align_corners=False)
    if elastic:
        grid = grid + _elastic_field(n, height, width, generator).to(x.device, x.dtype)
    return F.grid_sample(x.unsqueeze(1), grid, align_corners=False).squeeze(1)


def _elastic_field(n: int, height: int, width: int, generator: torch.Generator) -> torch.Tensor:
    """A smooth random displacement per sample, (N, H, W, 2) in grid_sample's units."""
    coarse = torch.rand(n, 2, ELASTIC_GRID, ELASTIC_GRID, generator=generator) * 2 - 1
    field = F.interpolate(coarse, size=(height, width), mode="bicubic", align_corners=True)
    scale = torch.tensor([2 * ELASTIC_PX / width, 2 * ELASTIC_PX / height]).view(1, 2, 1, 1)
    return (field * scale).permute(0, 2, 3, 1)


def random_stroke_width(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Half-strength dilation or erosion on some samples: pens vary, MNIST's barely does."""
    choice = torch.rand(x.shape[0], generator=generator).to(x.device).view(-1, 1, 1)
    planes = x.unsqueeze(1)
    dilated = F.max_pool2d(planes, 3, stride=1, padding=1).squeeze(1)
    eroded = -F.max_pool2d(-planes, 3, stride=1, padding=1).squeeze(1)
    thick = torch.where(choice < THICKEN_SHARE, 0.5 * (x + dilated), x)
    return torch.where(choice > 1 - THIN_SHARE, 0.5 * (x + eroded), thick)


def augment_batch(x: torch.Tensor, generator: torch.Generator, elastic: bool = False) -> torch.Tensor:
    return random_affine(random_stroke_width(x, generator), generator, elastic).clamp_(0.0, 1.0)
