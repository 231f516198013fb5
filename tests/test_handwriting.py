import numpy as np
import pytest

from digitpad import Predictor

from digitpad.data import load_folder
from digitpad.handwriting import class_counts, fine_tune_sets, save_drawing
from digitpad.mnist import load_sample
from digitpad.synth import draw_digit
from digitpad.train import TrainConfig, train


def test_saved_drawings_form_an_image_folder(tmp_path):
    first = save_drawing(tmp_path, 4, np.asarray(draw_digit(4)))
    second = save_drawing(tmp_path, 4, np.asarray(draw_digit(4)))
    save_drawing(tmp_path, 7, np.asarray(draw_digit(7)))
    assert first != second and first.parent.name == "4"
    assert class_counts(tmp_path) == {**{d: 0 for d in range(10)}, 4: 2, 7: 1}
    assert sorted(load_folder(tmp_path).labels.tolist()) == [4, 4, 7]


def test_fine_tuning_starts_from_the_model_and_reports_before_and_after(tmp_path, tiny_checkpoint):
    rng = np.random.default_rng(5)
    for i in range(60):
        save_drawing(tmp_path / "mine", i % 10, np.asarray(draw_digit(i % 10, size=64, rng=rng)))
    user = load_folder(tmp_path / "mine")
    mnist = load_sample("train")
    train_set, held_out = fine_tune_sets(user, mnist, val_share=0.25, seed=0)
    assert len(held_out) == 15 and len(train_set) == 45 + len(mnist)
    config = TrainConfig(model="mlp", epochs=2, batch_size=32, device="cpu", out_dir=str(tmp_path / "run"),
                         init_from=str(tiny_checkpoint))
    records = list(train(config, train_set, validation=held_out))
    done = records[-1]
    assert done.kind == "done"
    # "Before" is the starting model's accuracy on the held-out drawings, measured here apart.
    start = Predictor.from_checkpoint(tiny_checkpoint, device="cpu", gate=False)
    before = (start.probabilities(held_out.images / 255.0).argmax(axis=1) == held_out.labels).mean()
    assert done.initial_val_accuracy == pytest.approx(before)
    assert done.best_val_accuracy == max(r.val_accuracy for r in records if r.kind == "epoch")
