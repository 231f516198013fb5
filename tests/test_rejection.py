"""The not-a-digit gate's training side: the registry of negative families, the
leave-one-family-out bookkeeping, and the user's own "not a digit" drawings."""

import numpy as np
import pytest
import torch

from digitpad import checkpoint as ckpt
from digitpad.data import load_folder
from digitpad.gate_training import (GateMaterial, GateRecipe, drawn_digits, fine_tune_gate, hard_variant,
                                    leave_families_out, rejection_rate, round_robin_folds, train_gate)
from digitpad.handwriting import NOT_A_DIGIT, class_counts, load_negatives, negative_count, save_drawing
from digitpad.mnist import load_sample
from digitpad.negatives import FAMILIES, draw_family, family_images, negative_images
from digitpad.rejection import NotDigitGate
from digitpad.synth import draw_digit

TINY = GateRecipe(epochs=2, batch_size=64, lr=3e-3, model_args={"width": 4, "hidden": 16, "dropout": 0.0})
CPU = torch.device("cpu")


def test_every_family_draws_ink_reproducibly_and_the_groups_are_broad():
    for name in FAMILIES:
        first, again = family_images(name, 3, seed=4), family_images(name, 3, seed=4)
        assert first.shape == (3, 28, 28) and first.dtype == np.uint8 and (first.reshape(3, -1).max(1) > 0).all()
        assert np.array_equal(first, again), name
    groups = {family.group for family in FAMILIES.values()}
    assert groups == {"closed shape", "writing", "doodle", "picture"}
    closed = [f.name for f in FAMILIES.values() if f.group == "closed shape"]
    assert {"square", "heart", "face", "house", "triangle", "diamond", "cloud", "spiral",
            "circle with a cross"} <= set(closed)
    with pytest.raises(ValueError, match="known: square"):
        draw_family("unicorn", np.random.default_rng(0))


def test_negatives_are_spread_evenly_over_the_families_asked_for():
    images, family_of = negative_images(10, seed=1, families=["heart", "letter", "texture"])
    assert images.shape == (10, 28, 28)
    assert np.bincount(family_of).tolist() == [4, 3, 3]


def test_hard_positives_stay_digits_the_size_of_a_preprocessed_input():
    rng = np.random.default_rng(0)
    digits = load_sample("train").images[:20]
    hard = np.stack([hard_variant(d, rng) for d in digits])
    assert hard.shape == (20, 28, 28) and (hard.reshape(20, -1).max(1) > 200).all()
    assert not np.array_equal(hard, digits)
    assert drawn_digits(10, seed=3).shape == (10, 28, 28)


def tiny_material(negatives_per_family=12, families=("square", "heart", "letter", "scribble")) -> GateMaterial:
    digits = load_sample("train").images
    images, family_of = negative_images(negatives_per_family * len(families), seed=2, families=list(families))
    return GateMaterial(mnist=digits[:300], hard=digits[300:400], negatives=images, family_of=family_of,
                        families=list(families))


def test_a_tiny_gate_learns_to_turn_away_shapes_it_was_shown(tmp_path):
    material = tiny_material(negatives_per_family=150, families=("square", "triangle"))
    training, validation, threshold_digits = material.sets(0.1, seed=0)
    saved = train_gate(training, validation, threshold_digits, TINY)
    gate = NotDigitGate(saved, CPU)
    assert 0.5 <= gate.threshold < 1
    squares = family_images("square", 40, seed=77)
    digits = load_sample("test").images[:200]
    assert rejection_rate(gate, squares) > rejection_rate(gate, digits) + 0.3
    ckpt.save(saved, tmp_path / "gate.pt")
    assert NotDigitGate(ckpt.load(tmp_path / "gate.pt"), CPU).threshold == gate.threshold


def test_folds_cover_every_family_once():
    folds = round_robin_folds(7, 3)
    assert folds == [(0, 3, 6), (1, 4), (2, 5)]
    assert round_robin_folds(3, 5) == [(0,), (1,), (2,)]


def test_leave_families_out_never_trains_on_the_families_it_measures(monkeypatch):
    material = tiny_material()
    seen = []

    def record_training(training, validation, threshold_digits, recipe, *rest):
        seen.append(np.concatenate([training.images[training.labels == 1], validation.images[validation.labels == 1]]))
        return train_gate(training, validation, threshold_digits, recipe)

    monkeypatch.setattr("digitpad.gate_training.train_gate", record_training)
    exams = {f: family_images(material.families[f], 4, seed=50 + f) for f in (0, 1, 3)}
    progress = []
    folds = [(1,), (0, 3)]
    one_epoch = GateRecipe(epochs=1, model_args=TINY.model_args)
    rates = leave_families_out(material, folds, exams, one_epoch, lambda family, rate: progress.append(family))
    assert sorted(rates) == [0, 1, 3] and progress == [1, 0, 3]
    assert all(0 <= r <= 1 for r in rates.values())
    for fold, negatives in zip(folds, seen):
        left_out = material.negatives[np.isin(material.family_of, fold)]
        assert len(negatives) == len(material.negatives) - len(left_out)
        assert not any((negatives == image).all(axis=(1, 2)).any() for image in left_out)


def test_material_round_trips_through_its_cache_file(tmp_path):
    material = tiny_material(negatives_per_family=2)
    material.save(tmp_path / "m.npz")
    again = GateMaterial.load(tmp_path / "m.npz")
    assert again.families == material.families and np.array_equal(again.negatives, material.negatives)


def test_not_a_digit_drawings_are_saved_counted_and_kept_out_of_the_digits(tmp_path):
    rng = np.random.default_rng(3)
    save_drawing(tmp_path, 3, np.asarray(draw_digit(3)))
    for name in ("heart", "house"):
        save_drawing(tmp_path, NOT_A_DIGIT, np.asarray(draw_family(name, rng)))
    (tmp_path / NOT_A_DIGIT / "broken.png").write_bytes(b"not a png")
    assert negative_count(tmp_path) == 3  # the broken file is counted, and skipped on loading
    assert class_counts(tmp_path)[3] == 1 and sum(class_counts(tmp_path).values()) == 1
    assert load_folder(tmp_path).labels.tolist() == [3]  # a digit training never sees them
    negatives, skipped = load_negatives(tmp_path)
    assert negatives.shape == (2, 28, 28) and [p.endswith("broken.png") for p, _ in skipped] == [True]
    with pytest.raises(ValueError, match="not-a-digit"):
        save_drawing(tmp_path, "maybe", np.zeros((8, 8), np.uint8))


def test_fine_tuning_the_gate_on_the_users_negatives_reports_before_and_after(tmp_path):
    material = tiny_material(negatives_per_family=60, families=("square", "letter"))
    base = train_gate(*material.sets(0.1, seed=0), GateRecipe(epochs=1, model_args=TINY.model_args))
    ckpt.save(base, tmp_path / "base.pt")
    rng = np.random.default_rng(8)
    for _ in range(16):  # the user keeps drawing hearts, which the base gate never saw
        save_drawing(tmp_path / "mine", NOT_A_DIGIT, np.asarray(draw_family("heart", rng)))
    negatives, _ = load_negatives(tmp_path / "mine")
    digits = load_sample("test").images
    report = fine_tune_gate(str(tmp_path / "base.pt"), negatives, digits[:40], digits[40:80],
                            str(tmp_path / "run" / "gate.pt"), val_share=0.25, epochs=1)
    assert report.held_out_negatives == 4 and report.held_out_digits == 40
    assert all(0 <= r <= 1 for r in (*report.negatives_turned_away, *report.digits_turned_away))
    assert report.negatives_turned_away[1] >= report.negatives_turned_away[0]
    tuned = NotDigitGate(ckpt.load(report.path), CPU)
    assert "fine-tuned" in tuned.checkpoint.meta["trained_on"]


def test_a_gate_fine_tuned_beside_a_checkpoint_is_the_one_its_predictor_uses(tmp_path, tiny_checkpoint):
    import shutil

    from digitpad.inference import Predictor

    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(tiny_checkpoint, run / "best.pt")
    shipped = Predictor.from_checkpoint(run / "best.pt", device="cpu").gate
    material = tiny_material(negatives_per_family=20, families=("square",))
    saved = train_gate(*material.sets(0.1, seed=0), GateRecipe(epochs=1, model_args=TINY.model_args))
    ckpt.save(saved, run / "gate.pt")
    own = Predictor.from_checkpoint(run / "best.pt", device="cpu").gate
    assert own.checkpoint.arch_args["width"] == 4 and own is not shipped
