"""Random changes to training batches so the models meet digits as people draw them.

MNIST was written with one kind of pen, upright, at one size. People at the canvas draw
with thin and thick pens, tiny (which the preprocessing blows up into thick, blocky
strokes), rotated and slanted, with a shaky hand, with gaps where the mouse skipped, and
in shapes MNIST rarely has (a 7 with a crossbar, a 1 with a flag and a base). Each
training sample gets its own random mix of these, batched tensor work on whatever device
holds the batch, a fraction of the forward pass on the CPU:

- pen width: strokes thinned or thickened by up to two pixels (the thick ones shrunk back
  a little, as the preprocessing fits a thicker drawing into the same 20-pixel box);
- tiny drawings: shrunk to 11-15 pixels and blown back up, as a digit drawn small is;
- low resolution: shrunk to 7-9 pixels (the field to 10-13) and blown back up soft, as a thumbnail or a
  coarse scan shows a digit;
- glyph variants (needs the labels): a crossbar through a 7, a base and a flag on a 1;
- pen gaps: one or two short pieces of stroke wiped out;
- affine: rotation (up to 25 degrees for a third of the samples, 12 for the rest),
  shear, scale, squash and shift;
- shaky strokes: a fine, small elastic wobble; optionally (elastic=True) the coarse
  elastic warp of Simard et al. (2003), which measured worse here and is off by default.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

MAX_ROTATION_DEG = 12.0  # most samples: digits are written roughly upright
WIDE_ROTATION_DEG = 25.0  # a share of samples: a tilted page or a tilted hand
WIDE_ROTATION_SHARE = 0.35
SCALE_RANGE = (0.85, 1.10)
ASPECT_RANGE = (0.8, 1.15)  # narrow or wide handwriting
MAX_SHEAR = 0.3
MAX_SHIFT_PX = 2.0
THICKEN_SHARE = 0.3  # of samples whose strokes get dilated (by 1 or 2 px)
THIN_SHARE = 0.2  # of samples whose strokes get eroded
TINY_SHARE = 0.12  # of samples drawn tiny: shrunk to TINY_PX and blown back up
TINY_PX = (11, 15)
BLURRY_SHARE = 0.12  # of samples seen at low resolution: blown up from BLURRY_PX, soft
BLURRY_PX = (10, 13)  # the whole 28x28 field: the digit itself spans 7-9 pixels
LIGHT_INK_SHARE = 0.12  # of the 28x28 pixels clearly inked: below it a digit may get bolder
GAP_SHARE = 0.15  # of samples with one or two pen gaps
GAP_RADIUS_PX = 1.3
SHAKY_SHARE = 0.3  # of samples whose strokes wobble
SHAKY_PX = 0.7  # largest displacement of the wobble, in pixels
SHAKY_GRID = 8  # control points per side: several wiggles across the digit
GLYPH_SHARE = 0.3  # of the 7s and 1s that get a crossbar / base / flag
ELASTIC_PX = 1.5  # the coarse warp: largest displacement, in pixels
ELASTIC_GRID = 4  # control points per side: a few smooth bends across the digit


def _uniform(n: int, low: float, high: float, generator: torch.Generator) -> torch.Tensor:
    return torch.rand(n, generator=generator) * (high - low) + low


def _chosen(n: int, share: float, generator: torch.Generator) -> torch.Tensor:
    """A random (N,) mask with about `share` of the samples set."""
    return torch.rand(n, generator=generator) < share


def random_affine(x: torch.Tensor, generator: torch.Generator, elastic: bool = False,
                  shaky: bool = True, hard: torch.Tensor | None = None) -> torch.Tensor:
    """x: (N, H, W) in 0..1 -> the same, each sample moved by its own affine map (and,
    for some, a fine wobble). `hard`: (N,) which samples may rotate widely and wobble
    (default: all)."""
    n, height, width = x.shape
    hard = torch.ones(n, dtype=torch.bool) if hard is None else hard.cpu()
    wide = _chosen(n, WIDE_ROTATION_SHARE, generator) & hard
    limit = torch.where(wide, WIDE_ROTATION_DEG, MAX_ROTATION_DEG)
    angle = (torch.rand(n, generator=generator) * 2 - 1) * limit * (math.pi / 180)
    zoom = _uniform(n, *SCALE_RANGE, generator)
    aspect = _uniform(n, *ASPECT_RANGE, generator)
    shear = _uniform(n, -MAX_SHEAR, MAX_SHEAR, generator)
    shift_x = _uniform(n, -MAX_SHIFT_PX, MAX_SHIFT_PX, generator) * (2 / width)
    shift_y = _uniform(n, -MAX_SHIFT_PX, MAX_SHIFT_PX, generator) * (2 / height)
    cos, sin = torch.cos(angle), torch.sin(angle)
    zoom_x, zoom_y = zoom * aspect, zoom
    # theta maps output to input coordinates: (rotation @ shear) divided by the zoom per axis.
    theta = torch.stack(
        [
            torch.stack([cos / zoom_x, (cos * shear - sin) / zoom_x, shift_x], dim=1),
            torch.stack([sin / zoom_y, (sin * shear + cos) / zoom_y, shift_y], dim=1),
        ],
        dim=1,
    ).to(x.device, x.dtype)
    grid = F.affine_grid(theta, (n, 1, height, width), align_corners=False)
    shaking = (_chosen(n, SHAKY_SHARE, generator) & hard).to(x.device)
    if shaky and shaking.any():
        wobble = _smooth_field(int(shaking.sum()), height, width, SHAKY_GRID, SHAKY_PX, generator)
        grid[shaking] += wobble.to(x.device, x.dtype)
    if elastic:
        warp = _smooth_field(n, height, width, ELASTIC_GRID, ELASTIC_PX, generator)
        grid = grid + warp.to(x.device, x.dtype)
    return F.grid_sample(x.unsqueeze(1), grid, align_corners=False).squeeze(1)


def _smooth_field(n: int, height: int, width: int, points: int, pixels: float,
                  generator: torch.Generator) -> torch.Tensor:
    """A smooth random displacement per sample, (N, H, W, 2) in grid_sample's units."""
    coarse = torch.rand(n, 2, points, points, generator=generator) * 2 - 1
    field = F.interpolate(coarse, size=(height, width), mode="bicubic", align_corners=True)
    scale = torch.tensor([2 * pixels / width, 2 * pixels / height]).view(1, 2, 1, 1)
    return (field * scale).permute(0, 2, 3, 1)


def _dilate(x: torch.Tensor) -> torch.Tensor:
    return F.max_pool2d(x.unsqueeze(1), 3, stride=1, padding=1).squeeze(1)


def _erode(x: torch.Tensor) -> torch.Tensor:
    return -F.max_pool2d(-x.unsqueeze(1), 3, stride=1, padding=1).squeeze(1)


def _light(x: torch.Tensor) -> torch.Tensor:
    """(N,) on the CPU: samples with little ink, which can take thicker strokes."""
    return ((x > 0.5).float().mean((1, 2)) < LIGHT_INK_SHARE).cpu()


def _on_some(x: torch.Tensor, chosen: torch.Tensor, change) -> torch.Tensor:
    """x with change() applied to the chosen samples only: most of the work is skipped."""
    chosen = chosen.to(x.device)
    if not chosen.any():
        return x
    out = x.clone()
    out[chosen] = change(x[chosen])
    return out


def random_stroke_width(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Thin pens and thick ones: MNIST's stroke width barely varies, the canvas's does.

    Thickening by one or two pixels, then a shrink (as the preprocessing fits the wider
    drawing into the same box); thinning by half or a whole erosion, never to nothing.
    """
    n = x.shape[0]
    choice = torch.rand(n, generator=generator)
    strong = torch.rand(n, generator=generator) < 0.5
    # Two dilations of a digit that is already bold would leave an unreadable blob.
    twice = strong & _light(x)

    def thicken(digits: torch.Tensor, twice: torch.Tensor) -> torch.Tensor:
        once = _dilate(digits)
        more = _on_some(once, twice, _dilate)
        return _shrink(more, torch.where(twice, 0.86, 0.93))

    def thin(digits: torch.Tensor, strong: torch.Tensor) -> torch.Tensor:
        eroded = _erode(digits)
        # A full erosion can wipe out a thin digit: a faint trace of the original stays under it.
        full = torch.maximum(eroded, 0.35 * digits)
        return torch.where(strong.view(-1, 1, 1).to(digits.device), full, 0.5 * (digits + eroded))

    thick = choice < THICKEN_SHARE
    x = _on_some(x, thick, lambda d: thicken(d, twice[thick]))
    thinned = choice > 1 - THIN_SHARE
    return _on_some(x, thinned, lambda d: thin(d, strong[thinned]))


def _shrink(x: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """Scale each sample about the centre by its factor (< 1 shrinks)."""
    n = x.shape[0]
    theta = torch.zeros(n, 2, 3, dtype=x.dtype, device=x.device)
    theta[:, 0, 0] = theta[:, 1, 1] = 1 / factor.to(x.device, x.dtype)
    grid = F.affine_grid(theta, (n, 1, *x.shape[1:]), align_corners=False)
    return F.grid_sample(x.unsqueeze(1), grid, align_corners=False).squeeze(1)


def tiny_drawings(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Some samples as if drawn a few pixels tall with an ordinary pen: the preprocessing
    scales such a digit up to the 20-pixel box, so its strokes come out thick and coarse."""
    side = int(torch.randint(TINY_PX[0], TINY_PX[1] + 1, (1,), generator=generator))

    def redraw_small(digits: torch.Tensor) -> torch.Tensor:
        small = F.interpolate(digits.unsqueeze(1), size=(side, side), mode="area")
        back = F.interpolate(small, size=digits.shape[1:], mode="bilinear", align_corners=False)
        # Blown-up strokes keep an antialiased edge, not a blur: steepen the ramp.
        return ((back.squeeze(1) - 0.15) * 2.5).clamp(0.0, 1.0)

    return _on_some(x, _chosen(x.shape[0], TINY_SHARE, generator) & _light(x), redraw_small)


def low_resolution(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Some samples as a low-resolution image shows them (a small scan, a thumbnail, a
    digit a few pixels tall): the 28x28 field shrunk to 10-13 pixels, so the digit spans
    7-9, and blown back up, soft-edged."""
    side = int(torch.randint(BLURRY_PX[0], BLURRY_PX[1] + 1, (1,), generator=generator))

    def blur(digits: torch.Tensor) -> torch.Tensor:
        small = F.interpolate(digits.unsqueeze(1), size=(side, side), mode="area")
        return F.interpolate(small, size=digits.shape[1:], mode="bilinear", align_corners=False).squeeze(1)

    return _on_some(x, _chosen(x.shape[0], BLURRY_SHARE, generator), blur)


def _segments(height: int, width: int, start: torch.Tensor, end: torch.Tensor,
              half_width: torch.Tensor) -> torch.Tensor:
    """(N, H, W) ink of one straight pen stroke per sample from start to end ((N, 2)
    as (row, col)), with soft edges."""
    rows = torch.arange(height, dtype=start.dtype, device=start.device).view(1, -1, 1)
    cols = torch.arange(width, dtype=start.dtype, device=start.device).view(1, 1, -1)
    d_row, d_col = (end - start).unbind(1)
    length2 = (d_row**2 + d_col**2).clamp_min(1e-6).view(-1, 1, 1)
    along = ((rows - start[:, 0].view(-1, 1, 1)) * d_row.view(-1, 1, 1)
             + (cols - start[:, 1].view(-1, 1, 1)) * d_col.view(-1, 1, 1)) / length2
    along = along.clamp(0.0, 1.0)
    near_row = start[:, 0].view(-1, 1, 1) + along * d_row.view(-1, 1, 1)
    near_col = start[:, 1].view(-1, 1, 1) + along * d_col.view(-1, 1, 1)
    distance = torch.sqrt((rows - near_row) ** 2 + (cols - near_col) ** 2)
    return (half_width.view(-1, 1, 1) + 0.5 - distance).clamp(0.0, 1.0)


def _ink_column(x: torch.Tensor, rows: torch.Tensor, band: int = 2) -> torch.Tensor:
    """(N,) the centre column of the ink within `band` rows of each sample's row."""
    height, width = x.shape[1:]
    row_ids = torch.arange(height, device=x.device).view(1, -1)
    near = ((row_ids - rows.view(-1, 1)).abs() <= band).to(x.dtype)
    profile = (x * near.unsqueeze(2)).sum(1)  # (N, W)
    cols = torch.arange(width, dtype=x.dtype, device=x.device)
    return (profile @ cols) / profile.sum(1).clamp_min(1e-6)


def _ink_rows(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(N,) first and last row holding clear ink."""
    inked = (x > 0.5).any(2)
    height = x.shape[1]
    first = inked.to(torch.int64).argmax(1)
    last = height - 1 - inked.flip(1).to(torch.int64).argmax(1)
    return first.to(x.dtype), last.to(x.dtype)


def _stroke_half_width(x: torch.Tensor) -> torch.Tensor:
    """(N,) about half the width of each sample's strokes: ink per clearly inked pixel."""
    return (x.sum((1, 2)) / (x > 0.5).sum((1, 2)).clamp_min(1)).clamp(0.8, 1.6)


def _crossbar(sevens: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A bar across the stem of each 7, a little below the middle of the digit."""
    n, height, width = sevens.shape
    top, bottom = _ink_rows(sevens)
    row = top + (bottom - top) * _uniform(n, 0.45, 0.6, generator).to(sevens)
    stem = _ink_column(sevens, row.round())
    half = _uniform(n, 3.0, 5.5, generator).to(sevens)
    bar = _segments(height, width, torch.stack([row, stem - half], 1),
                    torch.stack([row, stem + half], 1), _stroke_half_width(sevens))
    return torch.maximum(sevens, bar)


def _base_and_flag(ones: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A base under the foot of each 1, a flag from its top down to the left, or both."""
    n, height, width = ones.shape
    top, bottom = _ink_rows(ones)
    pen = _stroke_half_width(ones)
    half = _uniform(n, 2.5, 5.0, generator).to(ones)
    foot = _ink_column(ones, bottom)
    base = _segments(height, width, torch.stack([bottom, foot - half], 1),
                     torch.stack([bottom, foot + half], 1), pen)
    head = _ink_column(ones, top)
    drop = _uniform(n, 2.5, 5.0, generator).to(ones)
    flag = _segments(height, width, torch.stack([top, head], 1),
                     torch.stack([top + drop, head - 1.6 * half], 1), pen)
    coin = torch.rand(n, generator=generator).to(ones.device).view(-1, 1, 1)
    added = torch.where(coin < 0.35, base, torch.where(coin < 0.7, flag, torch.maximum(base, flag)))
    return torch.maximum(ones, added)


def glyph_variants(x: torch.Tensor, labels: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Continental shapes MNIST rarely has: a crossbar through some 7s, a base and/or a
    flag on some 1s, drawn with a pen about as wide as the digit's own strokes."""
    some = _chosen(x.shape[0], GLYPH_SHARE, generator).to(labels.device)
    x = _on_some(x, some & (labels == 7), lambda d: _crossbar(d, generator))
    return _on_some(x, some & (labels == 1), lambda d: _base_and_flag(d, generator))


def _gap(digits: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Wipe a round spot out of each digit's stroke, centred on a random inked pixel."""
    n, height, width = digits.shape
    score = torch.rand(n, height * width, generator=generator).to(digits)
    centre = (score * (digits.reshape(n, -1) > 0.5)).argmax(1)
    spot = torch.stack([(centre // width).to(digits.dtype), (centre % width).to(digits.dtype)], 1)
    radius = torch.full((n,), GAP_RADIUS_PX, dtype=digits.dtype, device=digits.device)
    return digits * (1 - _segments(height, width, spot, spot, radius))


def pen_gaps(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One or two short pieces wiped out of the strokes of some samples, as a mouse that
    skipped or a pen that lifted leaves them."""
    chosen = _chosen(x.shape[0], GAP_SHARE, generator)
    x = _on_some(x, chosen, lambda d: _gap(d, generator))
    return _on_some(x, chosen & (torch.rand(x.shape[0], generator=generator) < 0.5),
                    lambda d: _gap(d, generator))


def augment_batch(x: torch.Tensor, generator: torch.Generator, elastic: bool = False,
                  labels: torch.Tensor | None = None, hard_share: float = 1.0) -> torch.Tensor:
    """A batch of (N, H, W) digits in 0..1 -> the same batch as drawn by other hands.

    `labels` lets the glyph variants (crossed 7s, 1s with a flag or base) apply.
    `hard_share`: the share of samples that may meet the other hands' pens, sizes, gaps,
    shapes, wide rotations and tremor; the rest get only the mild affine jitter. A small
    network (the tutorial's MLP) has no room to learn all of that and still read MNIST."""
    n = x.shape[0]
    hard = _chosen(n, hard_share, generator) if hard_share < 1 else torch.ones(n, dtype=torch.bool)
    x = _on_some(x, hard, lambda d: _other_hands(d, None if labels is None else labels[hard.to(labels.device)],
                                                 generator))
    x = random_affine(x, generator, elastic, hard=hard).clamp_(0.0, 1.0)
    # The preprocessing stretches every drawing's strongest ink to 1: so does this.
    return x / x.amax((1, 2), keepdim=True).clamp_min(1e-6)


def _other_hands(x: torch.Tensor, labels: torch.Tensor | None, generator: torch.Generator) -> torch.Tensor:
    if labels is not None:
        x = glyph_variants(x, labels, generator)
    x = tiny_drawings(random_stroke_width(x, generator), generator)
    return low_resolution(pen_gaps(x, generator), generator)
