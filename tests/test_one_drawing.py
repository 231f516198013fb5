"""The live path's flat, folded copy of a network computes what the network does."""

import pytest
import torch
from torch import nn

from digitpad.models import build_model, normalise
from digitpad.one_drawing import FlatNetwork, ToChannelsLast, fused_for_inference

MEAN, STD, TEMPERATURE = 0.1307, 0.3081, 1.3


def _trained_like(name: str) -> nn.Module:
    """A model whose BatchNorm statistics are not the identity, as a trained one's."""
    torch.manual_seed(0)
    model = build_model(name).eval()
    for layer in model:
        if isinstance(layer, nn.BatchNorm2d):
            layer.running_mean.uniform_(-0.5, 0.5)
            layer.running_var.uniform_(0.5, 2.0)
    return model


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_the_flat_copy_gives_the_calibrated_probabilities_of_the_model(name):
    model = _trained_like(name)
    x = torch.rand(3, 28, 28)
    x[0, :, :4] = 0.0  # ink-free borders, where folded normalisation meets zero padding
    with torch.no_grad():
        expected = torch.softmax(model(normalise(x, MEAN, STD)) / TEMPERATURE, dim=1)
        flat = FlatNetwork(model, MEAN, STD, TEMPERATURE)
        torch.testing.assert_close(flat(x), expected, atol=2e-6, rtol=1e-4)
        torch.testing.assert_close(flat(x.unsqueeze(1)), expected, atol=2e-6, rtol=1e-4)


def test_folding_leaves_the_original_model_untouched():
    model = _trained_like("mlp")
    before = [p.clone() for p in model.parameters()]
    FlatNetwork(model, MEAN, STD, TEMPERATURE)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_a_network_of_other_layers_still_works_through_its_own_modules():
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 32, bias=False), nn.Tanh(), nn.Linear(32, 10), nn.Softplus())
    x = torch.rand(2, 28, 28)
    with torch.no_grad():
        expected = torch.softmax(model(normalise(x, MEAN, STD)) / TEMPERATURE, dim=1)
        torch.testing.assert_close(FlatNetwork(model, MEAN, STD, TEMPERATURE)(x), expected, atol=2e-6, rtol=1e-4)


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_the_fused_copy_drops_batchnorm_and_dropout_and_goes_channels_last_after_the_first_convolution(name):
    fused = fused_for_inference(_trained_like(name))
    assert not any(isinstance(layer, (nn.BatchNorm2d, nn.Dropout)) for layer in fused)
    assert any(isinstance(layer, ToChannelsLast) for layer in fused) == (name == "cnn")
