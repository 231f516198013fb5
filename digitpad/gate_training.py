"""Training the not-a-digit gate (digitpad/rejection.py): its positives, its negatives,
its threshold, and the user's own negatives.

Positives are digits as people really draw them, unusual ones included, so that the gate
does not turn them away: MNIST training digits, and copies of them rotated up to 25
degrees, sheared, with thin or thick pens, drawn tiny, with a gap in a stroke; plus
pen-drawn digits from `digitpad.synth` in every style it knows (7 with a crossbar, 1 with
a flag and base, open and closed 4, curled and straight 9, looped 2) with shaky strokes.
Negatives come from the families in `digitpad.negatives` (outlier exposure).

Only the 28x28 input goes in: the gate shares no weights with the classifiers, so
retraining them never calls for retraining it.
"""

from __future__ import annotations

import math
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFilter

from . import checkpoint as ckpt
from . import preprocess
from .data import ImageSet, split_indices
from .negatives import FAMILIES, negative_images
from .rejection import DIGIT_REJECTION_BUDGET, GATE_ARGS, GATE_CLASSES, GATE_MODEL, NotDigitGate
from .synth import STYLES, draw_digit
from .train import TrainConfig, TrainProgress, train

HARD_ROTATION_DEG = 25.0
HARD_SHEAR = 0.35


def _uint8(digit: np.ndarray) -> np.ndarray:
    return np.round(digit * 255).astype(np.uint8)


def hard_variant(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A uint8 28x28 digit redrawn as a harder hand would: turned, sheared, pen changed,
    maybe a gap, maybe tiny; then preprocessed again, as the app would see it."""
    big = Image.fromarray(digit).resize((84, 84), Image.Resampling.BILINEAR)
    page = Image.new("L", (168, 168), 0)
    page.paste(big, (42, 42))
    angle = math.radians(rng.uniform(-HARD_ROTATION_DEG, HARD_ROTATION_DEG))
    shear = rng.uniform(-HARD_SHEAR, HARD_SHEAR)
    cos, sin = math.cos(angle), math.sin(angle)
    a, b, d, e = cos, cos * shear - sin, sin, sin * shear + cos  # output -> input, about the centre
    c, f = 84 - a * 84 - b * 84, 84 - d * 84 - e * 84
    page = page.transform(page.size, Image.Transform.AFFINE, (a, b, c, d, e, f), Image.Resampling.BILINEAR)
    pen = rng.random()
    if pen < 0.25:
        page = page.filter(ImageFilter.MaxFilter(int(rng.choice([3, 5]))))  # a thick marker
    elif pen < 0.45:
        page = page.filter(ImageFilter.MinFilter(3))  # a thin pen
    if rng.random() < 0.3:
        page = _pen_gap(page, rng)
    if rng.random() < 0.2:  # drawn tiny: few pixels, soft once scaled back up
        small = int(rng.integers(16, 25))
        page = page.resize((small, small), Image.Resampling.BOX).resize((168, 168), Image.Resampling.BILINEAR)
    return _uint8(preprocess.preprocess(np.asarray(page)))


def _pen_gap(page: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Lift the pen for a moment: blank a short cut across one point of the stroke."""
    ink = np.argwhere(np.asarray(page) > 128)
    if not len(ink):
        return page
    y, x = ink[int(rng.integers(len(ink)))]
    angle = rng.uniform(0, math.pi)
    half = rng.uniform(8, 16)
    dx, dy = half * math.cos(angle), half * math.sin(angle)
    draw = ImageDraw.Draw(page)
    draw.line([(x - dx, y - dy), (x + dx, y + dy)], fill=0, width=int(rng.integers(3, 6)))
    return page


def drawn_digits(count: int, seed: int) -> np.ndarray:
    """Pen-drawn digits in every style, each copy turned further (up to 25 degrees in all)."""
    rng = np.random.default_rng(seed)
    out = np.zeros((count, preprocess.SIZE, preprocess.SIZE), dtype=np.uint8)
    for index in range(count):
        digit = index % 10
        page = draw_digit(digit, size=140, rng=rng, style=int(rng.integers(len(STYLES[digit]))))
        page = page.rotate(rng.uniform(-13, 13), Image.Resampling.BILINEAR, fillcolor=255)
        out[index] = _uint8(preprocess.preprocess(page))
    return out


@dataclass
class GateMaterial:
    """Everything a gate is trained from, uint8 (N, 28, 28) preprocessed inputs."""

    mnist: np.ndarray  # MNIST training digits as they are
    hard: np.ndarray  # hard variants of MNIST digits and pen-drawn digits
    negatives: np.ndarray
    family_of: np.ndarray  # (len(negatives),) index into `families`
    families: list[str]

    @classmethod
    def make(cls, mnist: np.ndarray, hard_count: int, drawn_count: int, negative_count: int,
             seed: int) -> "GateMaterial":
        rng = np.random.default_rng(seed)
        hard = [hard_variant(mnist[i], rng) for i in rng.integers(len(mnist), size=hard_count)]
        hard = np.concatenate([np.stack(hard) if hard else np.zeros((0, 28, 28), np.uint8),
                               drawn_digits(drawn_count, seed + 1)])
        negatives, family_of = negative_images(negative_count, seed + 2)
        return cls(mnist, hard, negatives, family_of, list(FAMILIES))

    def save(self, path) -> None:
        np.savez_compressed(path, mnist=self.mnist, hard=self.hard, negatives=self.negatives,
                            family_of=self.family_of, families=np.array(self.families))

    @classmethod
    def load(cls, path) -> "GateMaterial":
        with np.load(path) as saved:
            return cls(saved["mnist"], saved["hard"], saved["negatives"], saved["family_of"],
                       [str(f) for f in saved["families"]])

    def subset(self, mnist: int, hard: int, per_family: int, seed: int) -> "GateMaterial":
        """A smaller material drawn from this one (for the leave-families-out folds)."""
        rng = np.random.default_rng(seed)
        keep = np.concatenate([rng.permutation(np.flatnonzero(self.family_of == f))[:per_family]
                               for f in range(len(self.families))])
        return GateMaterial(self.mnist[rng.permutation(len(self.mnist))[:mnist]],
                            self.hard[rng.permutation(len(self.hard))[:hard]],
                            self.negatives[keep], self.family_of[keep], self.families)

    def sets(self, val_share: float, seed: int, without: tuple[int, ...] = ()):
        """(training ImageSet, validation ImageSet, {"mnist": .., "hard": ..} held-out digits
        for the threshold); `without`: leave these families' negatives out entirely."""
        negatives = self.negatives[~np.isin(self.family_of, without)]
        parts = [split_indices(len(x), val_share, seed + k) for k, x in enumerate((self.mnist, self.hard, negatives))]
        (m_train, m_val), (h_train, h_val), (n_train, n_val) = parts
        digits_train = np.concatenate([self.mnist[m_train], self.hard[h_train]])
        digits_val = np.concatenate([self.mnist[m_val], self.hard[h_val]])
        return (gate_dataset(digits_train, negatives[n_train]), gate_dataset(digits_val, negatives[n_val]),
                {"mnist": self.mnist[m_val], "hard": self.hard[h_val]})


@dataclass
class GateRecipe:
    """How a gate is trained; the shipped one and the leave-families-out folds differ
    only in sizes (see assets/train_gate.py and benchmarks/rejection.py)."""

    epochs: int = 6
    batch_size: int = 128
    lr: float = 3e-3
    seed: int = 0
    model_args: dict = field(default_factory=lambda: {k: v for k, v in GATE_ARGS.items() if k != "classes"})
    init_from: str | None = None  # fine-tuning: start from this gate


def gate_dataset(digits: np.ndarray, non_digits: np.ndarray) -> ImageSet:
    """Digits labelled 0 and non-digits labelled 1, as one ImageSet for train()."""
    images = np.concatenate([digits, non_digits])
    labels = np.concatenate([np.zeros(len(digits), np.int64), np.ones(len(non_digits), np.int64)])
    return ImageSet(images=images, labels=labels)


def fit_threshold(p_not_digit_of_digits: np.ndarray, budget: float = DIGIT_REJECTION_BUDGET) -> float:
    """The smallest threshold that turns away at most `budget` of these (real) digits."""
    return float(max(0.5, np.quantile(p_not_digit_of_digits, 1.0 - budget)))


# Held-out digits the threshold is fitted on, and the share of each it may turn away:
# plain MNIST digits at most 0.4% (the target is 0.5% of MNIST's test digits), the hard
# variants and pen-drawn digits at most 1%.
THRESHOLD_BUDGETS = {"mnist": 0.004, "hard": 0.01}


def train_gate(
    training: ImageSet, validation: ImageSet, threshold_digits: dict[str, np.ndarray], recipe: GateRecipe,
    progress: Callable[[TrainProgress], None] | None = None, cancel: threading.Event | None = None,
) -> ckpt.Checkpoint | None:
    """Train a gate (labels: 0 digit, 1 not a digit) and fit its threshold on
    `threshold_digits` (name in THRESHOLD_BUDGETS -> uint8 digits it never trained on).
    None when cancelled."""
    with tempfile.TemporaryDirectory() as run_dir:
        config = TrainConfig(model=GATE_MODEL, model_args=recipe.model_args, classes=GATE_CLASSES,
                             epochs=recipe.epochs, batch_size=recipe.batch_size, lr=recipe.lr, augment=True,
                             seed=recipe.seed, device="cpu", out_dir=run_dir, init_from=recipe.init_from)
        record = None
        for record in train(config, training, cancel, validation=validation):
            if progress:
                progress(record)
        if record is None or record.kind != "done":
            return None
        saved = ckpt.load(record.best_path)
    return finish_gate(saved, threshold_digits)


def finish_gate(saved: ckpt.Checkpoint, threshold_digits: dict[str, np.ndarray]) -> ckpt.Checkpoint:
    """A trained gate checkpoint made ready to ship: no optimizer state, no temperature
    (its output is thresholded, never shown as a confidence), its threshold fitted."""
    saved.training_state = None
    saved.meta.pop("temperature", None)
    gate = NotDigitGate(saved, torch.device("cpu"))
    saved.meta["threshold"] = max(
        fit_threshold(gate.not_digit_probability(digits.astype(np.float32) / 255), THRESHOLD_BUDGETS[name])
        for name, digits in threshold_digits.items() if len(digits))
    return saved


def rejection_rate(gate: NotDigitGate, images: np.ndarray) -> float:
    """Share of these uint8 (N, 28, 28) inputs the gate turns away."""
    if not len(images):
        return float("nan")
    return float((gate.not_digit_probability(images.astype(np.float32) / 255) > gate.threshold).mean())


def leave_families_out(
    material: GateMaterial, folds: list[tuple[int, ...]], exams: dict[int, np.ndarray], recipe: GateRecipe,
    progress: Callable[[int, float], None] | None = None,
) -> dict[int, float]:
    """For each fold (a tuple of family indices): train a gate on everything except those
    families' negatives, and measure, for each family in the fold, the share of its exam
    images (drawn with other seeds) that gate turns away. Folds of one family each are
    leave-one-family-out; bigger folds are stricter (the gate misses more at once) and cheaper."""
    results = {}
    for fold in folds:
        training, validation, threshold_digits = material.sets(0.05, recipe.seed, without=fold)
        gate = NotDigitGate(train_gate(training, validation, threshold_digits, recipe), torch.device("cpu"))
        for family in fold:
            results[family] = rejection_rate(gate, exams[family])
            if progress:
                progress(family, results[family])
    return results


def round_robin_folds(families: int, fold_count: int) -> list[tuple[int, ...]]:
    """Family i goes to fold i % fold_count: a fixed assignment, chosen before any result."""
    return [tuple(range(start, families, fold_count)) for start in range(min(fold_count, families))]


NEGATIVES_SAMPLE = "negatives-sample.npz"  # in assets/: written by assets/train_gate.py


def negatives_sample() -> np.ndarray:
    """The shipped sample of generated negatives (uint8, 40 of every family): what keeps a
    fine-tuned gate turning away what it knew, without generating any on the user's machine."""
    from .paths import assets_dir

    with np.load(assets_dir() / NEGATIVES_SAMPLE) as saved:
        return saved["images"]


def write_negatives_sample(material: "GateMaterial", path, per_family: int = 40, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    pick = np.concatenate([rng.permutation(np.flatnonzero(material.family_of == f))[:per_family]
                           for f in range(len(material.families))])
    np.savez_compressed(path, images=material.negatives[pick], family_of=material.family_of[pick],
                        families=np.array(material.families))


@dataclass
class GateFineTune:
    """What fine-tuning the gate on the user's drawings did, on their held-out drawings."""

    held_out_negatives: int
    held_out_digits: int
    negatives_turned_away: tuple[float, float]  # (before, after)
    digits_turned_away: tuple[float, float]  # (before, after)
    path: str  # the fine-tuned gate


def fine_tune_gate(
    base_path: str, negatives: np.ndarray, train_digits: np.ndarray, held_out_digits: np.ndarray,
    out_path: str, val_share: float = 0.25, seed: int = 0, epochs: int = 2,
    progress: Callable[[TrainProgress], None] | None = None, cancel: threading.Event | None = None,
) -> GateFineTune | None:
    """Teach the gate at `base_path` the user's "not a digit" drawings (uint8 inputs), a
    share `val_share` of them held out to report on; their digits and MNIST's built-in
    sample keep it accepting digits, the shipped sample of generated non-digits keeps what
    it knew. None when cancelled."""
    from .mnist import load_sample

    train_idx, val_idx = split_indices(len(negatives), val_share, seed)
    mnist = load_sample("train").images
    generated = negatives_sample()
    generated_train, generated_val = split_indices(len(generated), 0.2, seed)
    # A few dozen drawings among a thousand others would hardly move it: they count more.
    mine = np.repeat(negatives[train_idx], max(1, len(generated_train) // (4 * max(1, len(train_idx)))), axis=0)
    training = gate_dataset(np.concatenate([train_digits, mnist]), np.concatenate([mine, generated[generated_train]]))
    sample_test = load_sample("test").images
    validation = gate_dataset(sample_test, generated[generated_val])
    recipe = GateRecipe(epochs=epochs, lr=1e-3, seed=seed, init_from=str(base_path))
    saved = train_gate(training, validation, {"mnist": sample_test}, recipe, progress, cancel)
    if saved is None:
        return None
    saved.meta["trained_on"] = f"fine-tuned from {base_path} on {len(train_idx)} of the user's non-digits"
    ckpt.save(saved, out_path)
    cpu = torch.device("cpu")
    before, after = NotDigitGate(ckpt.load(base_path), cpu), NotDigitGate(saved, cpu)
    held_out = negatives[val_idx]
    return GateFineTune(
        held_out_negatives=len(held_out), held_out_digits=len(held_out_digits),
        negatives_turned_away=(rejection_rate(before, held_out), rejection_rate(after, held_out)),
        digits_turned_away=(rejection_rate(before, held_out_digits), rejection_rate(after, held_out_digits)),
        path=str(out_path))
