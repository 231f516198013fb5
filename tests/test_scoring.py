"""The one prediction path: contract, temperature, gate verdict, and who refuses what."""

import numpy as np
import pytest
import torch

from digitpad import Predictor, preprocess
from digitpad import checkpoint as ckpt
from digitpad.checkpoint import CheckpointError
from digitpad.models import build_model
from digitpad.scoring import Contract, Scorer
from digitpad.synth import draw_digit


class FixedGate:
    """A stand-in gate: p(not digit) is the input's mean ink (the real one lives in rejection)."""

    threshold = 0.1

    def not_digit_probability(self, inputs):
        return np.asarray(inputs).reshape(len(inputs), -1).mean(axis=1)


def linear_scorer(temperature, gate=None):
    network = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    torch.nn.init.normal_(network[1].weight, std=0.05, generator=torch.Generator().manual_seed(0))
    return network.eval(), Scorer(network, Contract(0.2, 0.4, temperature), torch.device("cpu"), gate)


def test_scores_follow_the_contract_and_the_temperature():
    network, scorer = linear_scorer(temperature=2.0)
    inputs = np.random.default_rng(0).random((6, 28, 28)).astype(np.float32)
    with torch.no_grad():
        logits = network((torch.from_numpy(inputs)[:, None] - 0.2) / 0.4)
    expected = torch.softmax(logits / 2.0, dim=1).numpy()
    np.testing.assert_allclose(scorer.probabilities(inputs), expected, atol=1e-5)  # the batch graph
    np.testing.assert_allclose(scorer.probabilities(inputs[:1]), expected[:1], atol=1e-5)  # the small one
    hotter = linear_scorer(temperature=1.0)[1].probabilities(inputs)
    assert (hotter.max(axis=1) > expected.max(axis=1)).all()  # T > 1 makes it less sure


def test_the_gate_verdict_uses_its_threshold():
    _, scorer = linear_scorer(1.0, gate=FixedGate())
    inputs = np.zeros((2, 28, 28), np.float32)
    inputs[1] = 0.5  # mean ink 0.5 > threshold 0.1
    scores = scorer.score(inputs)
    assert scores.unsure.tolist() == [False, True]
    np.testing.assert_allclose(scores.not_digit, [0.0, 0.5])


def test_live_and_batch_predictions_agree_and_come_from_the_scorer():
    predictor = Predictor.from_pretrained("cnn", device="cpu")
    images = [draw_digit(d, rng=np.random.default_rng(d)) for d in range(10)]
    batch = predictor.predict_batch(images)
    for image, together in zip(images, batch):
        alone = predictor.predict(image)
        np.testing.assert_allclose(alone.probs, together.probs, atol=1e-4)
        assert alone.unsure == together.unsure and alone.not_digit == pytest.approx(together.not_digit, abs=1e-4)
    inputs = np.stack([preprocess.preprocess(image) for image in images])
    np.testing.assert_allclose(predictor.scorer.score(inputs).probs, [p.probs for p in batch], atol=1e-4)


def test_a_checkpoint_with_other_than_ten_classes_is_refused(tmp_path):
    args = {"hidden": 8, "classes": 2}
    two = ckpt.from_model(build_model("mlp", **args), "mlp", args)
    two.classes = ["digit", "not a digit"]  # what the shipped gate.pt says
    path = ckpt.save(two, tmp_path / "gate-like.pt")
    with pytest.raises(CheckpointError, match="not a digit classifier.*2 classes"):
        Predictor.from_checkpoint(path, device="cpu")
