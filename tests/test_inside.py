import numpy as np
import torch
from torch import nn

from digitpad import Predictor
from digitpad.inside import layer_outputs, worked_example
from digitpad.synth import draw_digit
from digitpad import preprocess


def values(cells):
    return [[cell.value for cell in row] for row in cells]


def test_the_tutorials_worked_example_matches_hand_arithmetic():
    example = worked_example()
    # By hand: top-left = 3×0+3×1+2×2 + 2×2+3×2+2×0 + 3×0+3×1+2×2 = 7+10+7 = 24, and so on.
    assert values(example.conv) == [[24, 18, 8], [26, 18, 8], [28, 18, 8]]
    assert values(example.relu) == values(example.conv)  # nothing negative to clip
    # MaxPool2d(2, stride 2, padding 1): windows {24}, {18, 8}, {26, 28}, {18, 8, 18, 8}.
    assert values(example.pool) == [[24, 18], [28, 18]]
    assert [cell.value for cell in example.flat] == [24, 18, 28, 18]
    assert example.conv[0][0].working == "3×0 + 3×1 + 2×2 + 2×2 + 3×2 + 2×0 + 3×0 + 3×1 + 2×2 = 24"
    assert example.pool[1][0].working.startswith("max(26, 28) = 28")


def test_the_worked_example_agrees_with_pytorch_on_other_numbers():
    rng = np.random.default_rng(0)
    image, kernel = rng.integers(-5, 6, (5, 5)), rng.integers(-2, 3, (3, 3))
    example = worked_example(image, kernel)
    x = torch.tensor(image, dtype=torch.float32).view(1, 1, 5, 5)
    conv = nn.functional.conv2d(x, torch.tensor(kernel, dtype=torch.float32).view(1, 1, 3, 3))
    pooled = nn.functional.max_pool2d(torch.relu(conv), 2, stride=2, padding=1)
    assert values(example.conv) == conv[0, 0].tolist()
    assert values(example.pool) == pooled[0, 0].tolist()


def test_layer_outputs_follow_the_cnn_to_its_probabilities():
    predictor = Predictor.from_pretrained("cnn", device="cpu")
    digit = preprocess.preprocess(draw_digit(8))
    layers = layer_outputs(predictor, digit)
    names = [layer.name for layer in layers]
    assert names[:4] == ["Conv2d 1", "BatchNorm2d 1", "ReLU 1", "MaxPool2d 1"] and names[-1] == "Softmax"
    assert layers[0].values.shape == (32, 28, 28) and layers[3].values.shape == (32, 14, 14)
    np.testing.assert_allclose(layers[-1].values, predictor.predict(digit).probs, atol=1e-5)
    assert {layer.kind for layer in layers} >= {"Conv2d", "ReLU", "MaxPool2d", "Linear", "Softmax"}


def test_mlp_pixel_contributions_are_weights_times_input():
    from digitpad.inside import pixel_contributions

    predictor = Predictor.from_pretrained("mlp", device="cpu")
    digit = preprocess.preprocess(draw_digit(7))
    target, heat = pixel_contributions(predictor, digit)
    assert target == predictor.predict(digit).digit and heat.shape == (28, 28)
    # By hand: ink_i / std * sum over active hidden units j of W2[t, j] * W1[j, i].
    first, second = predictor.model[1], predictor.model[3]
    ink = torch.from_numpy(digit).reshape(-1)
    active = (first((ink - predictor.contract.mean) / predictor.contract.std) > 0).float()
    by_hand = ink / predictor.contract.std * ((second.weight[target] * active) @ first.weight)
    np.testing.assert_allclose(heat.reshape(-1), by_hand.detach().numpy(), atol=1e-5)
    assert (heat[digit == 0] == 0).all()  # blank paper pushes nothing
    assert all(p.grad is None for p in predictor.model.parameters())  # no gradients left behind


def test_first_conv_kernels_and_which_conv_made_a_map():
    from digitpad.inside import conv_index_for, conv_kernels

    predictor = Predictor.from_pretrained("cnn", device="cpu")
    kernels = conv_kernels(predictor)
    assert kernels.shape == (32, 5, 5)
    layers = layer_outputs(predictor, preprocess.preprocess(draw_digit(2)))
    names = [layer.name for layer in layers]
    assert conv_index_for(layers, names.index("ReLU 1")) == 0
    assert conv_index_for(layers, names.index("MaxPool2d 2")) == 1
    assert conv_index_for(layers, names.index("Linear 1")) is None
