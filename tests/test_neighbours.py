from collections import Counter

import numpy as np
import pytest

from digitpad import Predictor
from digitpad.checkpoint import load, save
from digitpad.data import load_folder
from digitpad.neighbours import (CACHE_SUFFIX, NoLookalikes, index_for, index_from_folder, load_index,
                                 lookalikes, penultimate, save_index)
from digitpad.synth import draw_digit
from digitpad.train import TrainConfig, train


@pytest.mark.parametrize("name", ["cnn", "mlp"])
def test_shipped_index_fits_the_shipped_weights_and_finds_the_drawn_digit(name):
    predictor = Predictor.from_pretrained(name, device="cpu")
    try:
        index = index_for(predictor)
    except NoLookalikes as error:
        pytest.fail(f"{error} (after new shipped weights: digitpad build-lookalikes --source MNIST_IDX_DIR)")
    assert len(index.labels) == 30_000 and np.bincount(index.labels).tolist() == [3000] * 10
    assert index.features.shape[1] == {"cnn": 128, "mlp": 256}[name]  # the last Linear's input
    for digit in (2, 7):
        found = lookalikes(predictor, index, predictor.predict(draw_digit(digit)).input)
        assert len(found) == 8
        assert [n.similarity for n in found] == sorted((n.similarity for n in found), reverse=True)
        assert Counter(n.label for n in found).most_common(1)[0][0] == digit
        assert found[0].image.shape == (28, 28) and found[0].image.dtype == np.uint8


def test_the_nearest_digit_to_a_training_digit_is_itself(tiny_checkpoint, digit_folder, tmp_path):
    predictor = Predictor.from_checkpoint(tiny_checkpoint, device="cpu")
    index = index_from_folder(predictor, digit_folder)
    dataset = load_folder(digit_folder)
    found = lookalikes(predictor, index, dataset.images[37] / 255.0, k=3)
    assert found[0].index == 37 and found[0].label == dataset.labels[37]
    assert found[0].similarity == pytest.approx(1.0, abs=1e-5)
    again = load_index(save_index(index, tmp_path / "i.npz"))  # uint8 storage keeps the order
    assert [n.index for n in again.nearest(penultimate(predictor, dataset.images[37:38])[0], 3)][0] == 37


def test_a_checkpoint_without_its_training_folder_says_it_has_no_lookalikes(tiny_checkpoint):
    predictor = Predictor.from_checkpoint(tiny_checkpoint, device="cpu")
    with pytest.raises(NoLookalikes, match="does not record the folder"):
        index_for(predictor)


def test_a_trained_checkpoint_builds_its_index_from_its_folder_and_rebuilds_for_new_weights(digit_folder, tmp_path):
    config = TrainConfig(model="mlp", epochs=1, batch_size=64, val_split=0.0, device="cpu",
                         out_dir=str(tmp_path / "run"), data_dir=str(digit_folder))
    list(train(config, load_folder(digit_folder, cache_dir=tmp_path / "cache")))
    path = tmp_path / "run" / "best.pt"
    index = index_for(Predictor.from_checkpoint(path, device="cpu"))
    assert len(index.labels) == 240 and (tmp_path / "run" / f"best.pt{CACHE_SUFFIX}").is_file()
    checkpoint = load(path)  # other weights in the same file: the cached index no longer fits
    checkpoint.state_dict = {k: v * 1.5 for k, v in checkpoint.state_dict.items()}
    save(checkpoint, path)
    predictor = Predictor.from_checkpoint(path, device="cpu")
    rebuilt = index_for(predictor)
    assert rebuilt.fingerprint != index.fingerprint
    (tmp_path / "run" / f"best.pt{CACHE_SUFFIX}").unlink()
    digit_folder_moved = tmp_path / "gone"
    checkpoint.meta["config"]["data_dir"] = str(digit_folder_moved)
    save(checkpoint, path)
    with pytest.raises(NoLookalikes, match="is gone"):
        index_for(Predictor.from_checkpoint(path, device="cpu"))
