from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

from digitpad import Predictor
from digitpad.attribution import grad_cam, heat_map, integrated_gradients, overlay
from digitpad.scoring import Contract, normalise
from digitpad.synth import draw_digit

MEAN, STD = 0.1307, 0.3081


def _stand_in(model: nn.Module):
    """What the heat maps use of a Predictor: the network, its input contract, a device."""
    return SimpleNamespace(model=model.eval(), contract=Contract(MEAN, STD, 1.0), device=torch.device("cpu"))


def test_integrated_gradients_of_a_linear_model_are_weight_times_ink():
    # logit_t = w_t . (x - mean) / std + b_t, so from a blank page the exact answer is w_t * x / std.
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    digit = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    heat = integrated_gradients(_stand_in(model), digit, target=4, steps=8)
    expected = model[1].weight[4].detach().numpy().reshape(28, 28) * digit / STD
    np.testing.assert_allclose(heat.values, expected, rtol=1e-4, atol=1e-6)


def test_integrated_gradients_add_up_to_the_score_minus_a_blank_pages(tiny_checkpoint):
    predictor = Predictor.from_checkpoint(tiny_checkpoint, device="cpu")
    digit = predictor.predict(draw_digit(3, size=120)).input
    heat = integrated_gradients(predictor, digit)
    with torch.no_grad():
        inputs = torch.tensor(np.stack([digit, np.zeros_like(digit)]))
        scores = predictor.model(normalise(inputs, predictor.contract))[:, heat.digit]
    assert heat.values.sum() == pytest.approx(float(scores[0] - scores[1]), rel=0.02, abs=0.02)
    assert heat.digit == predictor.predict(digit).digit  # it explains the answer given
    assert not heat.values[digit == 0].any()  # blank paper contributes nothing


def test_grad_cam_lights_up_where_the_evidence_is_and_nowhere_else():
    # One 1x1 convolution that copies the ink, and a class that counts all of it: the
    # evidence is exactly the ink, drawn in the top-left quadrant only.
    conv = nn.Conv2d(1, 1, 1)
    with torch.no_grad():
        conv.weight.fill_(1.0)
        conv.bias.fill_(MEAN / STD)  # undoes the normalisation's shift: blank paper -> 0
    head = nn.Linear(784, 10)
    with torch.no_grad():
        head.weight.zero_()
        head.weight[2].fill_(1.0)
    model = nn.Sequential(conv, nn.ReLU(), nn.Flatten(), head)
    digit = np.zeros((28, 28), np.float32)
    digit[3:11, 3:11] = 1.0
    heat = grad_cam(_stand_in(model), digit)
    assert heat.digit == 2
    assert heat.values[3:11, 3:11].min() > 0.5 * heat.values.max()
    assert heat.values[14:, :].max() == 0 and heat.values[:, 14:].max() == 0


def test_grad_cam_on_the_shipped_cnn_and_its_refusal_for_the_mlp():
    cnn = Predictor.from_pretrained("cnn", device="cpu")
    digit = cnn.predict(draw_digit(8)).input
    heat = grad_cam(cnn, digit)
    assert heat.values.shape == (28, 28) and heat.values.min() >= 0 and heat.values.max() > 0
    assert heat.digit == 8
    with pytest.raises(ValueError, match="convolutions"):
        grad_cam(Predictor.from_pretrained("mlp", device="cpu"), digit)


def test_overlay_is_red_where_the_answer_was_pushed_up_and_blue_where_down():
    digit = np.zeros((28, 28), np.float32)
    values = np.zeros((28, 28), np.float32)
    values[0, 0], values[0, 1] = 2.0, -2.0
    picture = overlay(digit, values)
    assert picture.shape == (28, 28, 3) and picture.dtype == np.uint8
    assert tuple(picture[0, 0]) == (255, 0, 0) and tuple(picture[0, 1]) == (0, 0, 255)
    assert tuple(picture[5, 5]) == (0, 0, 0)
    assert heat_map(_stand_in(nn.Sequential(nn.Flatten(), nn.Linear(784, 10))), digit).values.shape == (28, 28)
