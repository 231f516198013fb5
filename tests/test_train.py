import threading
from pathlib import Path

import pytest

import numpy as np
import torch

from digitpad import checkpoint as ckpt
from digitpad.augment import augment_batch
from digitpad.data import load_folder
from digitpad.train import TrainConfig, TrainingError, evaluate, train


def test_a_tiny_model_beats_chance_within_seconds(digit_folder, tmp_path):
    dataset = load_folder(digit_folder)
    config = TrainConfig(model="mlp", epochs=4, batch_size=32, val_split=0.25, device="cpu",
                         out_dir=str(tmp_path), seed=0)
    records = list(train(config, dataset))
    epochs = [r for r in records if r.kind == "epoch"]
    assert [r.epoch for r in epochs] == [1, 2, 3, 4]
    assert epochs[-1].val_accuracy > 0.5  # chance is 0.1
    done = records[-1]
    assert done.kind == "done" and done.best_val_accuracy == max(r.val_accuracy for r in epochs)
    batch = records[0]
    assert batch.kind == "batch" and batch.samples_per_s > 0 and batch.eta_s > 0
    saved = ckpt.load(done.best_path)
    assert saved.meta["best_val_accuracy"] == done.best_val_accuracy
    assert saved.training_state is None and ckpt.load(done.last_path).training_state


def test_cancel_from_another_thread_stops_within_one_batch(digit_folder, tmp_path):
    dataset = load_folder(digit_folder)
    config = TrainConfig(model="mlp", epochs=50, batch_size=8, device="cpu", out_dir=str(tmp_path))
    cancel = threading.Event()
    records = []
    for record in train(config, dataset, cancel):
        records.append(record)
        if len(records) == 3:
            threading.Thread(target=cancel.set).start()
            cancel.wait()
    assert records[-1].kind == "cancelled"
    assert len(records) == 4  # three batches, then the cancelled record: no further batch
    assert not (tmp_path / "best.pt").exists()  # no epoch finished: nothing claims success


def test_resume_continues_where_the_run_stopped(digit_folder, tmp_path):
    dataset = load_folder(digit_folder)
    first = TrainConfig(model="mlp", epochs=2, batch_size=32, device="cpu", out_dir=str(tmp_path / "a"))
    list(train(first, dataset))
    more = TrainConfig(model="mlp", epochs=3, batch_size=32, device="cpu",
                       out_dir=str(tmp_path / "b"), resume=str(tmp_path / "a" / "last.pt"))
    records = list(train(more, dataset))
    assert [r.epoch for r in records if r.kind == "epoch"] == [3]
    assert ckpt.load(tmp_path / "b" / "last.pt").meta["epochs"] == 3
    assert Path(records[-1].best_path).is_file()  # a resumed run writes its own best.pt
    # The resumed run started from the saved weights, not from scratch: its first batch
    # already scores like epoch 2's model did.
    first_loss = records[0].loss
    fresh = TrainConfig(model="mlp", epochs=3, batch_size=32, device="cpu", out_dir=str(tmp_path / "c"))
    assert first_loss < next(train(fresh, dataset)).loss


def test_resume_refuses_another_architecture_and_finished_runs(digit_folder, tmp_path):
    dataset = load_folder(digit_folder)
    list(train(TrainConfig(model="mlp", epochs=1, device="cpu", out_dir=str(tmp_path / "a")), dataset))
    last = str(tmp_path / "a" / "last.pt")
    with pytest.raises(TrainingError, match="it is a 'mlp'"):
        next(train(TrainConfig(model="cnn", epochs=2, device="cpu", resume=last, out_dir=str(tmp_path)), dataset))
    with pytest.raises(TrainingError, match="already trained 1 epochs"):
        next(train(TrainConfig(model="mlp", epochs=1, device="cpu", resume=last, out_dir=str(tmp_path)), dataset))


def test_impossible_settings_are_refused_with_reasons(digit_folder):
    dataset = load_folder(digit_folder)
    with pytest.raises(TrainingError, match="epochs must be at least 1.*unknown schedule 'step'"):
        next(train(TrainConfig(epochs=0, schedule="step", device="cpu"), dataset))


def test_training_with_augmentation_and_a_cnn_runs(digit_folder, tmp_path):
    dataset = load_folder(digit_folder)
    config = TrainConfig(model="cnn", epochs=1, batch_size=64, augment=True, device="cpu",
                         out_dir=str(tmp_path), model_args={"width": 8, "hidden": 16})
    assert list(train(config, dataset))[-1].kind == "done"
    assert ckpt.load(tmp_path / "best.pt").arch_args == {"width": 8, "hidden": 16}


def test_augmentation_keeps_shape_and_range_and_changes_the_images():
    x = torch.zeros(16, 28, 28)
    x[:, 8:20, 12:16] = 1.0
    out = augment_batch(x.clone(), torch.Generator().manual_seed(0))
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1
    assert (out - x).abs().sum(dim=(1, 2)).min() > 0  # every sample moved


def test_evaluate_counts_correct_predictions():
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    images = torch.from_numpy(np.random.default_rng(0).integers(0, 255, (30, 28, 28)).astype(np.uint8))
    with torch.no_grad():
        from digitpad.models import normalise
        labels = model(normalise(images.float() / 255)).argmax(1)
    wrong = torch.tensor([0, 3, 4, 11, 12, 20, 29])  # these seven get another label
    labels[wrong] = (labels[wrong] + 1) % 10
    assert evaluate(model, images, labels) == pytest.approx(23 / 30)
    # ...and the images are normalised the way the model was trained on them:
    # without it the raw 0..255 inputs would pick other classes.
    raw = model(images.float()).argmax(1)
    assert (raw != model(normalise(images.float() / 255)).argmax(1)).any()
