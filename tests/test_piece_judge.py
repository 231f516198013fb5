import numpy as np
import pytest
import torch

from digitpad import piece_judge
from digitpad.paths import assets_dir
from digitpad.synth import draw_digit


def _ink(image) -> np.ndarray:
    """A drawn digit (dark on light) as a bool mask of its ink, cropped."""
    return piece_judge.cropped_to_ink(np.asarray(image) < 128)


def _touching(left: np.ndarray, right: np.ndarray, overlap: int) -> np.ndarray:
    height = max(left.shape[0], right.shape[0])
    page = np.zeros((height, left.shape[1] + right.shape[1] - overlap), dtype=bool)
    page[: left.shape[0], : left.shape[1]] |= left
    page[: right.shape[0], left.shape[1] - overlap :] |= right
    return page


def test_the_input_keeps_the_inks_proportions_and_is_centred():
    bar = np.zeros((90, 300), dtype=bool)
    bar[20:70, 100:200] = True  # 50 high, 100 wide: drawn 24 high and 48 wide
    frame = piece_judge.judge_input(bar)
    assert frame.shape == piece_judge.FRAME and frame.dtype == np.float32
    rows, cols = np.flatnonzero(frame.max(axis=1) > 0.5), np.flatnonzero(frame.max(axis=0) > 0.5)
    assert (rows[0], rows[-1] + 1, cols[0], cols[-1] + 1) == (2, 26, 4, 52)
    very_wide = piece_judge.judge_input(np.ones((10, 200), dtype=bool))  # 52 wide, not 24 high
    assert np.count_nonzero(very_wide.max(axis=0) > 0.5) == 52
    assert np.count_nonzero(very_wide.max(axis=1) > 0.5) <= 3


def test_sides_of_a_cut_are_labelled_by_how_much_of_a_digit_they_hold():
    digit = np.zeros((10, 10), dtype=bool)
    digit[:, :5] = True
    assert piece_judge.label_side(digit.copy(), digit) == piece_judge.ONE
    assert piece_judge.label_side(digit & (np.arange(10) < 3), digit) == piece_judge.PART  # lost 40%
    with_sliver = digit.copy()
    with_sliver[:, 5:7] = True  # 40% more ink from a neighbour
    assert piece_judge.label_side(with_sliver, digit) == piece_judge.PART
    almost = digit.copy()
    almost[0, 0] = almost[1, 0] = almost[2, 0] = False  # 6% lost: neither label
    assert piece_judge.label_side(almost, digit) is None


def test_the_shipped_judge_tells_one_digit_from_two_touching_and_from_a_cut_off_part():
    rng = np.random.default_rng(5)  # pen-drawn digits: a hand the judge never saw in training
    digits = [_ink(draw_digit(d % 10, rng=rng)) for d in range(20)]
    pairs = [_touching(digits[i], digits[i + 1], overlap=8) for i in range(0, 20, 2)]
    parts = [d[:, d.shape[1] // 3 :] for d in digits if d.shape[1] > 60]  # the left third cut off
    one, two, part = (piece_judge.one_digit_probability(masks) for masks in (digits, pairs, parts))
    # It is a helper, not an oracle (the shipped one: 17 of these 20 digits, 8 of the 10
    # pairs, 16 of the 19 cut-off parts): numbers weighs it beside the classifier.
    assert np.mean(one > 0.5) >= 0.8 and np.mean(two < 0.5) >= 0.7 and np.mean(part < 0.5) >= 0.7
    assert one.mean() > two.mean() + 0.4 and one.mean() > part.mean() + 0.4


def test_a_file_that_is_not_a_judge_is_refused():
    with pytest.raises(ValueError, match="not a digitpad piece judge"):
        piece_judge.load(assets_dir() / "cnn.pt")
    with pytest.raises(ValueError, match="needs some ink"):
        piece_judge.judge_input(np.zeros((5, 5), dtype=bool))


@pytest.mark.parametrize("key, value, complaint", [("frame", [28, 28], "expects another input"),
                                                   ("classes", ["part of a digit", "several digits", "one digit"],
                                                    "other classes")])
def test_a_judge_for_another_input_or_other_classes_is_refused(tmp_path, key, value, complaint):
    piece_judge.save(piece_judge.build_network(), tmp_path / "judge.pt")
    assert isinstance(piece_judge.load(tmp_path / "judge.pt"), torch.nn.Module)
    payload = torch.load(tmp_path / "judge.pt", weights_only=True)
    payload[key] = value
    torch.save(payload, tmp_path / "other.pt")
    with pytest.raises(ValueError, match=complaint):
        piece_judge.load(tmp_path / "other.pt")


def test_without_a_shipped_judge_numbers_are_still_read(tmp_path, monkeypatch):
    # An assets folder from before the judge ($DIGITPAD_ASSETS): cuts by the classifier alone.
    import shutil

    from digitpad import Predictor
    from digitpad.numbers import read_number
    from digitpad.synth import draw_number

    for name in ("cnn.pt", "gate.pt"):
        shutil.copy(assets_dir() / name, tmp_path / name)
    monkeypatch.setenv("DIGITPAD_ASSETS", str(tmp_path))
    piece_judge.shipped.cache_clear()
    try:
        assert piece_judge.one_digit_probability([np.ones((5, 5), dtype=bool)]) is None
        cnn = Predictor.from_pretrained("cnn", device="cpu")
        image, _ = draw_number("2026", np.random.default_rng(3))
        assert read_number(cnn, image).text == "2026"
    finally:
        piece_judge.shipped.cache_clear()
