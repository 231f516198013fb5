import pytest
import torch
from torch import nn

from digitpad import checkpoint as ckpt
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


def _multiply_adds(model: nn.Module) -> int:
    """Multiply-adds of the convolutions and linear layers for one 28x28 digit."""
    total = 0

    def count(layer, inputs, output):
        nonlocal total
        if isinstance(layer, nn.Conv2d):
            total += output.numel() * layer.in_channels * layer.kernel_size[0] * layer.kernel_size[1]
        elif isinstance(layer, nn.Linear):
            total += layer.in_features * layer.out_features

    hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    model.eval()(torch.zeros(1, 1, 28, 28))
    for hook in hooks:
        hook.remove()
    return total


def test_the_lean_cnn_does_a_third_of_the_defaults_work():
    # The epoch time that issue 10 measures against LeNet-5 follows the arithmetic.
    lean = build_model("cnn", channels=[16, 32, 64])
    assert _multiply_adds(lean) < 0.34 * _multiply_adds(build_model("cnn"))
    assert lean(torch.randn(2, 1, 28, 28)).shape == (2, 10)


def test_the_cnn_has_a_penultimate_layer_of_hidden_features():
    """Look-alike search and the feature views read the input of the last Linear."""
    model = build_model("cnn", hidden=96).eval()
    assert isinstance(model[-1], nn.Linear) and model[-1].in_features == 96
    features = model[:-1](torch.randn(3, 1, 28, 28))
    assert features.shape == (3, 96) and (features >= 0).all()  # after a ReLU


def test_a_lean_cnn_checkpoint_rebuilds_from_its_arguments(tmp_path):
    lean = build_model("cnn", channels=[8, 16, 16], hidden=32)
    ckpt.save(ckpt.from_model(lean, "cnn", {"channels": [8, 16, 16], "hidden": 32}), tmp_path / "lean.pt")
    x = torch.randn(2, 1, 28, 28)
    assert torch.allclose(ckpt.load(tmp_path / "lean.pt").build().eval()(x), lean.eval()(x), atol=1e-5)


def test_a_tiny_training_step_lowers_the_loss():
    torch.manual_seed(0)
    model = build_model("cnn", width=4, hidden=16)
    x, y = torch.randn(32, 1, 28, 28), torch.randint(0, 10, (32,))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(5):
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_unknown_model_names_list_the_known_ones():
    with pytest.raises(UnknownModelError, match="known models: cnn, mlp"):
        build_model("resnet")

