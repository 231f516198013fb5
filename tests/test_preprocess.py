import numpy as np
import pytest
from PIL import Image

from digitpad import preprocess as pp
from digitpad.synth import draw_digit


def centre_of_mass(a):
    total = a.sum()
    rows, cols = np.indices(a.shape)
    return (rows * a).sum() / total, (cols * a).sum() / total


def extent(a, level=pp.EXTENT_LEVEL):
    strong = a >= level
    rows, cols = np.flatnonzero(strong.any(1)), np.flatnonzero(strong.any(0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


@pytest.mark.parametrize("digit", range(10))
def test_centre_of_mass_ends_at_the_centre_and_digit_fits_the_box(digit):
    rng = np.random.default_rng(digit)
    image = draw_digit(digit, size=280, rng=rng)
    out = pp.preprocess(image)
    assert out.shape == (28, 28) and out.dtype == np.float32
    row, col = centre_of_mass(out)
    assert abs(row - pp.CENTRE[0]) <= 0.501 and abs(col - pp.CENTRE[1]) <= 0.501
    height, width = extent(out)
    assert max(height, width) in (pp.BOX - 1, pp.BOX, pp.BOX + 1)


def test_a_digit_drawn_small_in_a_corner_reads_like_one_drawn_in_the_middle():
    big = draw_digit(7, size=280)
    small = Image.new("L", (280, 280), 255)
    small.paste(big.resize((70, 70)), (10, 190))
    a, b = pp.preprocess(big), pp.preprocess(small)
    assert np.abs(a - b).mean() < 0.05


def test_polarity_is_detected_and_output_is_light_ink_on_black():
    dark_on_light = draw_digit(3, size=120)
    light_on_dark = Image.eval(dark_on_light, lambda v: 255 - v)
    a, b = pp.preprocess(dark_on_light), pp.preprocess(light_on_dark)
    np.testing.assert_allclose(a, b, atol=1e-5)
    assert a[0, 0] == 0 and a.max() == pytest.approx(1.0)


def test_grey_levels_are_kept_not_thresholded():
    out = pp.preprocess(draw_digit(8, size=280))
    greys = out[(out > 0.05) & (out < 0.95)]
    assert greys.size > 20


def test_grey_paper_is_treated_as_paper():
    ink = np.asarray(draw_digit(2, size=100), dtype=np.float32) / 255
    on_grey_paper = 0.35 + 0.45 * ink  # paper at 0.8, ink at 0.35
    clean = pp.preprocess(ink)
    np.testing.assert_allclose(pp.preprocess(on_grey_paper), clean, atol=0.02)


def test_a_speck_of_dust_is_not_a_digit():
    page = np.full((280, 280), 255, np.uint8)
    page[100:103, 50:53] = 0
    assert pp.is_blank(pp.preprocess(page))


@pytest.mark.parametrize(
    "blank",
    [
        np.zeros((50, 50), np.uint8),
        np.full((50, 50), 255, np.uint8),
        np.full((64, 32), 0.5, np.float32),
        Image.new("RGBA", (80, 80), (0, 0, 0, 0)),  # fully transparent: white paper
        (np.random.default_rng(0).random((40, 40)) * 10).astype(np.uint8),  # faint noise
    ],
)
def test_blank_images_are_blank(blank):
    out = pp.preprocess(blank)
    assert pp.is_blank(out) and out.shape == (28, 28)


def test_an_mnist_image_comes_out_nearly_as_it_went_in():
    # MNIST digits are 20 px on their longer side and centred by mass; so is what
    # preprocess makes. Such an image passes through again unchanged (up to rounding).
    mnist_like = 0
    for seed in range(30):
        once = pp.preprocess(draw_digit(seed % 10, size=200, rng=np.random.default_rng(seed)))
        as_uint8 = np.round(once * 255).astype(np.uint8)
        if max(extent(as_uint8 / 255)) != pp.BOX:
            continue  # a 21 px rendering gets rescaled to 20, as it should
        mnist_like += 1
        twice = pp.preprocess(as_uint8)
        assert np.abs(twice - as_uint8 / 255).max() <= 1 / 255 + 1e-6
    assert mnist_like >= 15


def _modes():
    base = draw_digit(4, size=60)
    rgba = Image.new("RGBA", base.size, (0, 0, 0, 0))
    rgba.putalpha(Image.eval(base, lambda v: 255 - v))  # black ink on transparency
    wide = np.asarray(base.convert("I"), dtype=np.int32) * 257
    paletted = base.convert("P")
    paletted.info["transparency"] = paletted.getpixel((0, 0))  # the paper is see-through
    return {
        "L": base,
        "RGB": base.convert("RGB"),
        "RGBA-transparent": rgba,
        "LA-transparent": rgba.convert("LA"),
        "P-transparent": paletted,
        "I (32-bit)": base.convert("I"),
        "P": base.convert("P"),
        "1": base.point(lambda v: 255 if v > 128 else 0).convert("1"),
        "I;16": Image.fromarray(wide.astype(np.uint16)),
        "F": base.convert("F"),
        "uint8 array": np.asarray(base),
        "float array": np.asarray(base, dtype=np.float32) / 255,
        "float array with overshoot": np.asarray(base, dtype=np.float32) / 255 * 1.03,
        "bool array": np.asarray(base) > 128,
        "rgb array": np.asarray(base.convert("RGB")),
    }


@pytest.mark.parametrize("mode", list(_modes()))
def test_every_mode_gives_the_same_digit(mode):
    reference = pp.preprocess(draw_digit(4, size=60))
    out = pp.preprocess(_modes()[mode])
    assert not pp.is_blank(out)
    binarised = mode in ("1", "bool array")  # they lost the antialiasing grey levels
    assert np.abs(out - reference).mean() < (0.07 if binarised else 0.03), mode


@pytest.mark.parametrize("shape", [(5, 5), (3, 40), (1000, 300), (28, 28), (3000, 20)])
def test_odd_sizes_give_a_centred_box(shape):
    a = np.zeros(shape, np.uint8)
    rows, cols = slice(shape[0] // 3, max(shape[0] // 3 + 1, 2 * shape[0] // 3)), slice(shape[1] // 3, max(shape[1] // 3 + 1, 2 * shape[1] // 3))
    a[rows, cols] = 255
    out = pp.preprocess(a)
    assert out.shape == (28, 28) and not pp.is_blank(out)
    blob = (rows.stop - rows.start, cols.stop - cols.start)
    if max(blob) >= pp.BOX:  # a smaller blob is upscaled, and bilinear upscaling blurs edges
        assert max(extent(out)) == pp.BOX
    row, col = centre_of_mass(out)
    assert abs(row - pp.CENTRE[0]) <= 0.501 and abs(col - pp.CENTRE[1]) <= 0.501


@pytest.mark.parametrize("bad", [np.zeros((2, 3, 5)), np.zeros(10), np.zeros((0, 4)), "picture.png"])
def test_unreadable_inputs_raise_a_clear_error(bad):
    with pytest.raises(pp.PreprocessError):
        pp.preprocess(bad)


def test_the_stacked_path_gives_exactly_what_one_at_a_time_gives():
    rng = np.random.default_rng(7)
    singles = [np.round(pp.preprocess(draw_digit(i % 10, size=90, rng=rng)) * 255).astype(np.uint8)
               for i in range(60)]
    stack = np.stack(singles + [255 - s for s in singles[:10]]  # MNIST-like, both polarities
                     + [np.zeros((28, 28), np.uint8)]  # blank
                     + [np.asarray(draw_digit(3, size=28, rng=rng))])  # needs resampling
    expected = np.stack([pp.preprocess(image) for image in stack])
    np.testing.assert_array_equal(pp.preprocess_stack(stack), expected)


def _byte_images():
    rng = np.random.default_rng(11)
    images = []
    for i in range(40):
        drawing = np.asarray(draw_digit(i % 10, size=int(rng.choice([28, 60, 140, 280])), rng=rng))
        images += [drawing, 255 - drawing, (drawing * 0.5 + 90).astype(np.uint8)]  # grey paper too
    images += [(rng.random((30, 45)) * 255).astype(np.uint8), np.full((9, 9), 7, np.uint8)]
    speck = np.full((280, 280), 255, np.uint8)
    speck[100:103, 50:53] = 0
    return images + [speck]


def test_8bit_images_take_a_shortcut_with_the_same_result_as_float_images():
    # uint8 pixels are converted only on the digit's crop; a float copy of the whole image
    # goes the general way. Both must give the same bits.
    for image in _byte_images():
        as_float = image.astype(np.float32) / 255.0
        np.testing.assert_array_equal(pp.preprocess(image), pp.preprocess(as_float))


def test_resampling_matches_pillows_bilinear_filter():
    # fit_box resamples with Pillow's bilinear weights in matrix form (single precision);
    # Pillow's own resize of the same crop is the reference.
    rng = np.random.default_rng(3)
    for _ in range(200):
        crop = rng.random((int(rng.integers(1, 300)), int(rng.integers(1, 300)))).astype(np.float32)
        size = (int(rng.integers(1, 30)), int(rng.integers(1, 30)))  # (width, height)
        pillow = np.asarray(Image.fromarray(crop).resize(size, Image.Resampling.BILINEAR))
        ours = pp._bilinear_weights(crop.shape[0], size[1]) @ crop @ pp._bilinear_weights(crop.shape[1], size[0]).T
        np.testing.assert_allclose(ours, pillow, rtol=0, atol=2e-6)
