import numpy as np
import pytest
from PIL import Image

from digitpad import Predictor, preprocess
from digitpad.numbers import PageInk, find_digits, read_number
from digitpad.paths import assets_dir
from digitpad.synth import draw_digit, draw_number


@pytest.fixture(scope="module")
def cnn():
    return Predictor.from_pretrained("cnn", device="cpu")


def _side_by_side(pages: list[np.ndarray], starts: list[int]) -> np.ndarray:
    """Dark-ink pages laid left to right, each from its start column (they may overlap)."""
    height, width = pages[0].shape
    out = np.full((height, starts[-1] + width), 255, np.uint8)
    for start, page in zip(starts, pages):
        out[:, start : start + width] = np.minimum(out[:, start : start + width], page)
    return out


def test_a_drawn_number_is_read_left_to_right_with_a_box_per_digit(cnn):
    image, spans = draw_number("2026", np.random.default_rng(3))
    number = read_number(cnn, image)
    assert number.text == "2026"
    for read, (x0, x1) in zip(number.digits, spans):
        assert abs(read.box[0] - x0) <= 6 and abs(read.box[2] - x1) <= 6
        assert 0 <= read.box[1] < read.box[3] <= image.height
        assert read.prediction.input.shape == (28, 28)


def test_a_single_digit_is_read_exactly_as_a_single_drawing(cnn):
    image = draw_digit(7, rng=np.random.default_rng(1))
    number, alone = read_number(cnn, image), cnn.predict(image)
    assert number.text == "7" and len(number.digits) == 1
    np.testing.assert_array_equal(number.digits[0].prediction.probs, alone.probs)
    np.testing.assert_array_equal(number.digits[0].prediction.input, alone.input)


def _enlarged_mnist_training_digit(position: int) -> np.ndarray:
    """A digit of the shipped MNIST training sample, light on black, 4x as large, cropped to
    its ink's columns and framed: as benchmarks/number_reading.py enlarges single digits."""
    with np.load(assets_dir() / "mnist-train-sample.npz") as sample:
        digit = sample["images"][position]
    big = np.asarray(Image.fromarray(digit).resize((112, 112), Image.Resampling.BILINEAR))
    columns = np.flatnonzero(big.max(axis=0) > 40)
    return np.pad(big[:, columns[0] : columns[-1] + 1], 28)


# Positions in the sample: a 2 and a 5 wider than 1.4 times their height (one piece each,
# once tried as two touching digits and cut: "22", "55"), a 5 whose flag came apart (read
# "552"), a 0 in three pieces (read "611").
@pytest.mark.parametrize("position", [8, 96, 667, 757])
def test_a_wide_or_broken_single_digit_is_read_exactly_as_a_single_drawing(cnn, position):
    image = _enlarged_mnist_training_digit(position)
    number, alone = read_number(cnn, image), cnn.predict(image)
    assert len(number.digits) == 1 and number.text == str(alone.digit)
    np.testing.assert_array_equal(number.digits[0].prediction.probs, alone.probs)
    np.testing.assert_array_equal(number.digits[0].prediction.input, alone.input)


def test_a_blank_page_has_no_digits(cnn):
    assert read_number(cnn, Image.new("L", (300, 100), 255)).text == ""


@pytest.mark.parametrize("digit, style", [(4, 1), (5, 1), (7, 1)])
def test_strokes_of_one_digit_stay_together(digit, style):
    # The open 4, the 5 with its flag drawn apart, the crossed 7: two strokes, one digit.
    image = draw_digit(digit, style=style, pen_width=14)
    ink = PageInk.of(preprocess.to_grayscale(image))
    assert len(find_digits(ink)) == 1


def test_digits_that_touch_or_overlap_a_little_are_cut_apart(cnn):
    two, zero, eight = (np.asarray(draw_digit(d)) for d in (2, 0, 8))
    # The 0's ink spans x = 57..223 of its page, the 8's 63..230: an 8 placed 150 px after
    # the 0 overlaps its box by a quarter of its width, 170 px after it touches it.
    for step in (150, 170):
        number = read_number(cnn, _side_by_side([two, zero, eight], [0, 280, 280 + step]))
        assert number.text == "208"
        assert number.digits[1].box[2] <= number.digits[2].box[0] + 5
    assert read_number(cnn, _side_by_side([zero, eight], [0, 170])).text == "08"


def test_a_digit_the_gate_turns_away_shows_as_a_question_mark(cnn):
    three = np.asarray(draw_digit(3, rng=np.random.default_rng(0)))
    blot = np.full((280, 280), 255, np.uint8)
    blot[80:200, 80:200] = 0  # an ink blot: no digit, and the gate has seen filled shapes
    number = read_number(cnn, _side_by_side([three, blot], [0, 280]))
    assert number.text == "3?"
    assert number.digits[1].prediction.unsure and number.digits[1].prediction.digit is not None


@pytest.mark.parametrize("seed", [110, 201, 358])
def test_touching_digits_part_where_each_digit_is_whole(cnn, seed):
    # Without the piece judge these read 595 (the cut took the 6's left edge and the CNN
    # read the rest as a 5, sure of it), 29 and 76 (a touching pair left whole).
    rng = np.random.default_rng(seed)
    text = "".join(str(d) for d in rng.integers(0, 10, 3))
    image, _ = draw_number(text, rng)
    assert read_number(cnn, image).text == text
