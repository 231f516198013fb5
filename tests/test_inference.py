import numpy as np
import pytest
from PIL import Image

from digitpad import Predictor
from digitpad.devices import DeviceError, available_devices, resolve_device
from digitpad.synth import draw_digit


def test_prediction_has_a_digit_probabilities_and_the_models_input(tiny_checkpoint):
    predictor = Predictor.from_checkpoint(tiny_checkpoint, device="cpu")
    result = predictor.predict(draw_digit(1, size=200))
    assert result.digit in range(10)
    assert result.probs.shape == (10,) and result.probs.sum() == pytest.approx(1.0, abs=1e-5)
    assert result.digit == int(result.probs.argmax())
    assert result.input.shape == (28, 28) and result.input.max() == pytest.approx(1.0)


def test_a_blank_image_gets_no_digit_and_no_made_up_probabilities(tiny_checkpoint):
    predictor = Predictor.from_checkpoint(tiny_checkpoint, device="cpu")
    result = predictor.predict(Image.new("L", (280, 280), 255))
    assert result.digit is None and result.blank
    assert not result.probs.any() and not result.input.any()


def test_batched_predictions_match_single_ones(tiny_checkpoint):
    predictor = Predictor.from_checkpoint(tiny_checkpoint, device="cpu")
    images = [draw_digit(d, size=100) for d in (0, 4, 9)] + [np.zeros((20, 20), np.uint8)]
    batch = predictor.predict_batch(images)
    for image, together in zip(images, batch):
        alone = predictor.predict(image)
        assert alone.digit == together.digit
        np.testing.assert_allclose(alone.probs, together.probs, atol=1e-5)


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_shipped_models_read_pen_drawn_digits(name):
    predictor = Predictor.from_pretrained(name, device="cpu")
    rng = np.random.default_rng(0)
    images = [draw_digit(d % 10, size=280, rng=rng) for d in range(100)]
    digits = [r.digit for r in predictor.predict_batch(images)]
    correct = sum(d == i % 10 for i, d in enumerate(digits))
    assert correct >= 85, f"{name} read {correct}/100 drawn digits"
    assert predictor.meta["test_accuracy"] > 0.97


def test_devices_resolve_and_unavailable_ones_list_the_available():
    assert resolve_device("auto").type in {"cpu", "cuda", "mps"}
    assert resolve_device("cpu").type == "cpu"
    assert available_devices()[0].name == "cpu"
    known = {d.name for d in available_devices()}
    if "cuda:7" not in known:
        with pytest.raises(DeviceError, match="available: auto, cpu"):
            resolve_device("cuda:7")
    with pytest.raises(DeviceError, match="not available"):
        resolve_device("tpu")
