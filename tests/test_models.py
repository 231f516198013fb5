import pytest
import torch
from torch import nn

from digitpad.models import UnknownModelError, build_model, count_parameters


def test_mlp_is_exactly_the_tutorials_network():
    model = build_model("mlp")
    kinds = [type(layer) for layer in model]
    assert kinds == [nn.Flatten, nn.Linear, nn.ReLU, nn.Linear]
    assert (model[1].in_features, model[1].out_features) == (784, 256)
    assert (model[3].in_features, model[3].out_features) == (256, 10)


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_models_map_a_batch_of_digits_to_ten_logits(name):
    model = build_model(name).eval()
    out = model(torch.randn(5, 1, 28, 28))
    assert out.shape == (5, 10)
    assert not torch.allclose(out.sum(1), torch.ones(5))  # logits, not probabilities
    assert not any(isinstance(layer, nn.Softmax) for layer in model.modules())


def test_cnn_is_small_enough_for_a_cpu():
    assert count_parameters(build_model("cnn")) < 200_000


def test_unknown_model_names_list_the_known_ones():
    with pytest.raises(UnknownModelError, match="known models: cnn, mlp"):
        build_model("resnet")
