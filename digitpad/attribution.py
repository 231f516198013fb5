"""Heat maps: which pixels of the drawing made the network give its answer.

Two gradient-based methods, on the 28x28 input the network saw:

- Integrated gradients (Sundararajan et al., 2017), for both networks: the score's
  gradient averaged along the straight path from a blank page to the drawing, times the
  ink. Its parts add up to the score of the drawing minus the score of a blank page
  ("completeness"), so red pixels pushed the answer up and blue ones pushed it down.
- Grad-CAM (Selvaraju et al., 2017), for networks with convolutions: the last
  convolutional maps, weighed by how much the score grows with each, kept where
  positive and stretched to 28x28. Coarser, but it shows the regions the CNN looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .inference import Predictor

STEPS = 64  # points on the path: the parts add up to the score to within ~0.1% (32: ~4%)


@dataclass
class HeatMap:
    digit: int  # the class explained
    values: np.ndarray  # (28, 28) float32: > 0 pushed the digit's score up, < 0 down
    method: str  # "integrated gradients" or "Grad-CAM"


def _normalised(predictor: "Predictor", x):
    from .scoring import normalise  # the one definition, with the checkpoint's contract

    return normalise(x, predictor.contract)


def integrated_gradients(predictor: "Predictor", digit: np.ndarray, target: int | None = None,
                         steps: int = STEPS) -> HeatMap:
    """Integrated gradients of one preprocessed input, from a blank page (all zeros)."""
    import torch

    x = torch.as_tensor(np.asarray(digit, dtype=np.float32)).to(predictor.device)
    alphas = (torch.arange(steps, dtype=torch.float32, device=x.device) + 0.5) / steps  # midpoints
    path = (alphas.view(-1, 1, 1) * x).unsqueeze(1).requires_grad_(True)
    with torch.enable_grad():
        logits = predictor.model.eval()(_normalised(predictor, path))
        if target is None:
            target = int(logits[-1].argmax())  # the last point is (nearly) the drawing itself
        # autograd.grad, not backward(): the model's own parameters gather no gradients.
        (gradient,) = torch.autograd.grad(logits[:, target].sum(), path)
    values = (gradient.mean(dim=0)[0] * x).detach().float().cpu().numpy()
    return HeatMap(target, values, "integrated gradients")


def has_convolutions(predictor: "Predictor") -> bool:
    from torch import nn

    return any(isinstance(m, nn.Conv2d) for m in predictor.model.modules())


def grad_cam(predictor: "Predictor", digit: np.ndarray, target: int | None = None) -> HeatMap:
    """Grad-CAM on the last convolutional block's rectified maps (before its pooling)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    model = predictor.model.eval()
    if not isinstance(model, nn.Sequential) or not has_convolutions(predictor):
        raise ValueError("Grad-CAM needs a Sequential network with convolutions")
    last_conv = max(i for i, layer in enumerate(model) if isinstance(layer, nn.Conv2d))
    # The maps after the last convolution's ReLU: the finest maps that see the whole digit.
    cut = next(i for i in range(last_conv, len(model)) if isinstance(model[i], nn.ReLU)) + 1
    x = torch.as_tensor(np.asarray(digit, dtype=np.float32)).to(predictor.device).view(1, 1, *digit.shape)
    with torch.enable_grad():
        maps = model[:cut](_normalised(predictor, x)).detach().requires_grad_(True)
        logits = model[cut:](maps)
        target = int(logits.argmax()) if target is None else target
        (gradient,) = torch.autograd.grad(logits[0, target], maps)
    weights = gradient.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((weights * maps).sum(dim=1, keepdim=True))
    cam = F.interpolate(cam, size=tuple(digit.shape), mode="bilinear", align_corners=False)
    return HeatMap(target, cam[0, 0].detach().float().cpu().numpy(), "Grad-CAM")


def heat_map(predictor: "Predictor", digit: np.ndarray, target: int | None = None) -> HeatMap:
    """The map the app shows: integrated gradients, which work for both networks."""
    return integrated_gradients(predictor, digit, target)


def overlay(digit: np.ndarray, values: np.ndarray) -> np.ndarray:
    """(28, 28, 3) uint8: the drawing in grey, red where a pixel pushed the answer up,
    blue where it pushed it down, strongest at full colour."""
    scale = float(np.abs(values).max()) or 1.0
    push = np.clip(values / scale, -1.0, 1.0)
    grey = 0.35 * np.asarray(digit, dtype=np.float32)
    red = np.clip(grey + np.clip(push, 0, None), 0, 1)
    blue = np.clip(grey + np.clip(-push, 0, None), 0, 1)
    green = np.clip(grey, 0, 1)
    return np.round(np.stack([red, green, blue], axis=-1) * 255).astype(np.uint8)
