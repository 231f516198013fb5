import numpy as np
import pytest

from digitpad import Predictor
from digitpad.calibration import expected_calibration_error, fit_temperature, reliability, softmax
from digitpad.synth import NON_DIGIT_KINDS, draw_digit, draw_non_digit


def sample(temperature, n=4000, seed=0):
    """Labels drawn from softmax(logits / T): T is the calibrating temperature."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 3, (n, 10))
    probs = softmax(logits, temperature)
    labels = np.array([rng.choice(10, p=p) for p in probs])
    return logits, labels


def test_fit_temperature_recovers_the_true_one():
    logits, labels = sample(temperature=2.5)
    assert fit_temperature(logits, labels) == pytest.approx(2.5, rel=0.1)


def test_calibrated_probabilities_have_a_small_ece_and_overconfident_ones_do_not():
    logits, labels = sample(temperature=2.0, seed=1)
    assert expected_calibration_error(softmax(logits, 2.0), labels) < 0.03
    assert expected_calibration_error(softmax(logits, 0.5), labels) > 0.1
    rows = reliability(softmax(logits, 2.0), labels)
    assert len(rows) == 15 and sum(r["count"] for r in rows) == len(labels)


def test_the_gate_turns_away_non_digits_but_not_drawn_digits():
    predictor = Predictor.from_pretrained("cnn", device="cpu")
    assert predictor.gate is not None and 0.5 <= predictor.gate.threshold < 1
    rng = np.random.default_rng(11)
    digits = predictor.predict_batch([draw_digit(i % 10, rng=rng) for i in range(50)])
    others = predictor.predict_batch([draw_non_digit(NON_DIGIT_KINDS[i % 4], rng=rng) for i in range(40)])
    assert sum(r.unsure for r in digits) <= 2
    assert sum(r.unsure for r in others if r.digit is not None) >= 32
    assert all(r.digit is not None or not r.unsure for r in others)  # blank is blank, not unsure
    unsure = next(r for r in others if r.unsure)
    assert unsure.digit in range(10) and unsure.not_digit > predictor.gate.threshold  # best guess kept


def test_evaluation_reports_calibration_and_stops_when_asked(digit_folder, tiny_checkpoint, tmp_path):
    from digitpad.data import Cancelled, load_folder
    from digitpad.evaluation import evaluate_images

    predictor = Predictor.from_checkpoint(tiny_checkpoint, device="cpu")
    dataset = load_folder(digit_folder)
    report = evaluate_images(predictor, dataset, batch_size=50)
    assert 0 <= report.ece <= 1 and sum(r["count"] for r in report.reliability) == report.n
    assert report.unsure is not None and report.probs.shape == (report.n, 10)
    # A checkpoint's stored temperature is what the reported logits are divided by.
    import torch

    from digitpad import checkpoint as ckpt

    hotter = ckpt.load(tiny_checkpoint)
    hotter.meta["temperature"] = 2.5
    warm = Predictor.from_checkpoint(ckpt.save(hotter, tmp_path / "t2.5.pt"), device="cpu")
    with torch.no_grad():
        x = (torch.from_numpy(dataset.images[:40].astype(np.float32) / 255)[:, None] - 0.1307) / 0.3081
        logits = warm.model(x).numpy()
    probs = evaluate_images(warm, dataset, batch_size=50).probs[:40]
    np.testing.assert_allclose(probs, softmax(logits, 2.5), atol=1e-5)
    assert not np.allclose(probs, softmax(logits, 1.0), atol=1e-3)
    calls = []
    with pytest.raises(Cancelled):
        evaluate_images(predictor, dataset, batch_size=50, should_stop=lambda: calls.append(1) or len(calls) > 2)
    assert len(calls) == 3
