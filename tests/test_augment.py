"""The augmentation does what its names say: thicker and thinner pens, tiny drawings,
crossed 7s and flagged 1s, pen gaps, wide rotations."""

import torch

from digitpad import augment


def _bars(n: int = 32) -> torch.Tensor:
    """n upright strokes, 2 px wide, 16 px tall: a plain 1."""
    x = torch.zeros(n, 28, 28)
    x[:, 6:22, 13:15] = 1.0
    return x


def _sevens(n: int = 32) -> torch.Tensor:
    x = torch.zeros(n, 28, 28)
    x[:, 6:8, 8:20] = 1.0  # the top bar
    for row in range(8, 22):  # the stem, leaning left as it falls
        col = 18 - (row - 8) // 2
        x[:, row, col : col + 2] = 1.0
    return x


def _rng() -> torch.Generator:
    return torch.Generator().manual_seed(0)


def test_thick_pens_add_ink_and_thin_pens_take_it_away(monkeypatch):
    x = _bars()
    monkeypatch.setattr(augment, "THIN_SHARE", 0.0)
    monkeypatch.setattr(augment, "THICKEN_SHARE", 1.0)
    thick = augment.random_stroke_width(x, _rng())
    assert ((thick > 0.5).sum((1, 2)) > (x > 0.5).sum((1, 2))).all()
    monkeypatch.setattr(augment, "THICKEN_SHARE", 0.0)
    monkeypatch.setattr(augment, "THIN_SHARE", 1.0)
    thin = augment.random_stroke_width(torch.nn.functional.max_pool2d(x, 3, 1, 1), _rng())
    assert (thin.sum((1, 2)) < torch.nn.functional.max_pool2d(x, 3, 1, 1).sum((1, 2))).all()
    assert (thin.amax((1, 2)) > 0).all()  # a thin pen still leaves a digit


def test_tiny_drawings_come_back_coarse_but_in_place(monkeypatch):
    monkeypatch.setattr(augment, "TINY_SHARE", 1.0)
    x = _bars()
    tiny = augment.tiny_drawings(x, _rng())
    assert not torch.equal(tiny, x)
    # Blown up from a few pixels: the stroke is wider, and still where it was.
    assert ((tiny > 0.3).sum((1, 2)) > (x > 0.5).sum((1, 2))).all()
    assert (tiny[:, 6:22, 11:17].sum((1, 2)) > 0.8 * tiny.sum((1, 2))).all()


def test_sevens_get_a_crossbar_and_ones_a_base_or_flag(monkeypatch):
    monkeypatch.setattr(augment, "GLYPH_SHARE", 1.0)
    sevens, ones = _sevens(), _bars()
    x = torch.cat([sevens, ones, ones])
    labels = torch.tensor([7] * 32 + [1] * 32 + [4] * 32)
    out = augment.glyph_variants(x, labels, _rng())
    def widest_middle_row(digits):  # inked pixels of the fullest row around the middle
        return (digits[:, 11:18] > 0.5).sum(2).amax(1)

    assert (widest_middle_row(sevens) == 2).all() and (widest_middle_row(out[:32]) >= 6).all()
    added = (out[32:64] - ones).clamp_min(0)
    assert (added.sum((1, 2)) > 3).all()
    assert (added[:, :, :13].sum((1, 2)) > 0).all()  # a base or a flag reaches left of the stem
    assert torch.equal(out[64:], ones)  # a 4 is left as it is


def test_pen_gaps_only_take_ink_away(monkeypatch):
    monkeypatch.setattr(augment, "GAP_SHARE", 1.0)
    x = _bars()
    out = augment.pen_gaps(x, _rng())
    assert (out <= x).all()
    assert ((x - out).sum((1, 2)) > 1.0).all()


def _lean_deg(x: torch.Tensor) -> torch.Tensor:
    """Angle of each sample's stroke from upright, from its second moments."""
    rows, cols = torch.meshgrid(torch.arange(28.0), torch.arange(28.0), indexing="ij")
    mass = x.sum((1, 2))
    r = (x * rows).sum((1, 2)) / mass
    c = (x * cols).sum((1, 2)) / mass
    rr = (x * (rows - r.view(-1, 1, 1)) ** 2).sum((1, 2))
    cc = (x * (cols - c.view(-1, 1, 1)) ** 2).sum((1, 2))
    rc = (x * (rows - r.view(-1, 1, 1)) * (cols - c.view(-1, 1, 1))).sum((1, 2))
    return torch.rad2deg(0.5 * torch.atan2(2 * rc, rr - cc)).abs()


def test_rotations_reach_25_degrees_and_no_further(monkeypatch):
    monkeypatch.setattr(augment, "MAX_SHEAR", 0.0)
    monkeypatch.setattr(augment, "ASPECT_RANGE", (1.0, 1.0))
    monkeypatch.setattr(augment, "WIDE_ROTATION_SHARE", 1.0)
    lean = _lean_deg(augment.random_affine(_bars(400), _rng(), shaky=False))
    assert lean.max() <= augment.WIDE_ROTATION_DEG + 1.5
    assert (lean > 18).float().mean() > 0.15


def test_a_batch_stays_digits_reproducibly():
    x = torch.cat([_sevens(16), _bars(16)])
    labels = torch.tensor([7] * 16 + [1] * 16)
    out = augment.augment_batch(x.clone(), _rng(), labels=labels)
    again = augment.augment_batch(x.clone(), _rng(), labels=labels)
    assert torch.equal(out, again)
    assert out.shape == x.shape and out.min() >= 0
    assert torch.allclose(out.amax((1, 2)), torch.ones(32))  # stretched like the preprocessing


def test_hard_share_limits_who_meets_the_other_hands(monkeypatch):
    seen = []
    real = augment._other_hands
    monkeypatch.setattr(augment, "_other_hands", lambda x, labels, g: seen.append(len(x)) or real(x, labels, g))
    x = _bars(1000)
    augment.augment_batch(x.clone(), _rng(), labels=torch.ones(1000, dtype=torch.long), hard_share=0.3)
    assert 240 < seen[0] < 360
    augment.augment_batch(x.clone(), _rng(), hard_share=1.0)
    assert seen[1] == 1000
